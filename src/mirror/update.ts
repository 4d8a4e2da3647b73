/**
 * The exact mirror-learning update (Lehmann 2024, Definition 5.3, eq. 26; Kuba et al. 2022):
 *
 * π_{n+1} ∈ argmax_{π̄ ∈ N(π_n)} E_{s∼d_{π_n}}[ E_{a∼π̄}[Q_{π_n}(s,a)] − (ν(s)/d_{π_n}(s)) D_{π_n}(π̄|s) ].
 *
 * With ν independent of π̄ and a neighbourhood that is a product over states (trivial,
 * max-KL, TV) the problem separates: in every state π̄(·|s) maximizes
 * E_{a∼π̄}[Q(s,a)] − w(s) D(π̄|s), w(s) = ν(s)/d(s), over the simplex within the state's ball.
 * pgtruth solves it in **every** state, visited or not (a state with d(s) = 0 carries no
 * weight in eq. 26, but the new policy may visit it, and Theorem 5.4's V_{n+1} ≥ V_n needs
 * the improvement there too). The average-KL ball couples the states through one
 * constraint Σ_s d(s) KL(π(·|s) ‖ π̄(·|s)) ≤ δ; its Lagrangian separates again, with one
 * multiplier μ shared by all states.
 *
 * Methods (each per-state problem is concave: the drifts and balls are convex in π̄(·|s)):
 * - piecewise-linear drift (trivial, PPO, c·TV) with the trivial neighbourhood or a TV
 *   ball: the exact exchange greedy (`exchange.ts`), no tolerance beyond rounding;
 * - otherwise: the dual in the simplex multiplier λ (`simplex-dual-solver.ts`, λ to machine precision),
 *   and for a ball the Lagrange multiplier μ ≥ 0 of the ball by Brent's method on the
 *   non-increasing function μ ↦ C(x(μ)) − δ, stopped when the constraint is met with
 *   C ∈ [δ(1 − 10⁻¹⁰), δ] (or μ = 0 when the unconstrained maximizer lies inside). The
 *   answer is always feasible. Slater's condition holds (π itself has C = 0 < δ), so
 *   there is no duality gap: the Lagrangian maximizer at μ* is the constrained maximizer.
 *   The KL ball's log barrier (and the KL drift's entropy term) makes each per-state
 *   Lagrangian strictly concave on the support of π, so x(μ) is unique and continuous;
 *   for a user ball and drift that are both piecewise linear the Lagrangian route returns
 *   a feasible improving policy but may miss the optimum (use the TV ball for those).
 *
 * Safeguard: in every state the per-state objective of the answer is compared with that of
 * π(·|s) itself (which is V(s): no drift, in every ball); if rounding made it smaller, π(·|s)
 * is kept. So E_{a∼π̄}[A(s,a)] ≥ w(s) D(π̄|s) holds in every state — the per-state
 * inequality Theorem 5.4 rests on.
 *
 * Terminal states are left unchanged (every action is the same there).
 *
 * @module
 */
import { fail, show } from '../errors.js';
import type { Evaluation } from '../exact/evaluate.js';
import type { FiniteMDP } from '../mdp/model.js';
import { actionContext, driftPerState, isPiecewiseLinear, type Drift, type TermShape } from './drift-functional.js';
import { dualSolve } from './simplex-dual-solver.js';
import { exchangeSolve, TIE_TOLERANCE } from './exchange.js';
import { neighbourhoodDistance, tvBall, type Neighbourhood } from './neighbourhood.js';
import { actionPieces, checkShape, priceAt, pricedPieces, type PricedPieces } from './problem.js';
import { brentRoot, nonPositiveSide } from './root.js';
import { stateWeights, type StateDistribution } from './weights.js';

/** What the update is made of: a drift, a neighbourhood, and the distribution ν. */
export interface MirrorConfig {
  readonly drift: Drift;
  readonly neighbourhood: Neighbourhood;
  /** ν: `visitation` (ν = d_π, so ν/d = 1; default) or a fixed distribution over states. */
  readonly nu?: StateDistribution;
  /** Relative gain below which the exchange solver treats a move as a tie (default 1e-12). */
  readonly tieTolerance?: number;
  /** Relative slack of an active ball constraint (default 1e-10). */
  readonly constraintTolerance?: number;
}

/** One update π → π̄ and everything measured about it. Arrays indexed s or s*A + a. */
export interface UpdateResult {
  readonly policy: Float64Array;
  /** ν(s). */
  readonly nu: Float64Array;
  /** w(s) = ν(s)/d(s). */
  readonly weight: Float64Array;
  /** D_π(π̄|s). */
  readonly drift: Float64Array;
  /** E_{a∼π̄}[A_π(s,a)] − w(s) D_π(π̄|s) ≥ 0: the per-state gain of the mirror objective. */
  readonly gain: Float64Array;
  /** The neighbourhood's distance of π̄ from π (max_s C(s), Σ_s d(s) C(s), or 0). */
  readonly distance: number;
  /** The ball's Lagrange multiplier: the shared μ (average), the largest per-state μ (max), or 0. */
  readonly multiplier: number;
  /** The dual solver's largest `residual` (see `simplex-dual-solver.ts`; 0 for the exchange solver). */
  readonly residual: number;
  /** States where the safeguard kept π(·|s). */
  readonly kept: number;
  readonly method: 'exchange' | 'dual' | 'dual+multiplier';
}

/** The per-state data that do not depend on μ. */
interface StateData {
  readonly s: number;
  readonly w: number;
  readonly p: Float64Array;
  readonly adv: Float64Array;
  readonly driftShapes: TermShape[];
  readonly ballShapes: TermShape[] | undefined;
  /** φ_a per action, with the ball still to be priced. */
  readonly priced: PricedPieces[];
}

function stateData(s: number, w: number, piOld: Float64Array, adv: Float64Array, A: number, config: MirrorConfig): StateData {
  const n = config.neighbourhood;
  const driftShapes = Array.from({ length: A }, (_, a) => {
    const t = config.drift.shape(actionContext(s, a, piOld, adv, A));
    checkShape(t, `drift ${config.drift.name} at state ${s}, action ${a}`);
    return t;
  });
  const ballShapes = n.kind === 'ball' ? Array.from({ length: A }, (_, a) => {
    const t = n.ball.shape(piOld[s * A + a]!);
    checkShape(t, `ball ${n.ball.name} at state ${s}, action ${a}`);
    return t;
  }) : undefined;
  const p = piOld.subarray(s * A, s * A + A), q = adv.subarray(s * A, s * A + A);
  const priced = Array.from({ length: A }, (_, a) => pricedPieces(q[a]!, p[a]!, driftShapes[a]!, w, ballShapes?.[a]));
  return { s, w, p, adv: q, driftShapes, ballShapes, priced };
}

/** The per-state maximizer of the Lagrangian at μ (μ = 0: the ball is ignored). */
function solveAt(st: StateData, mu: number): { x: Float64Array; residual: number } {
  const r = dualSolve(st.priced.map((P) => priceAt(P, mu)));
  return { x: r.x, residual: r.residual };
}

/** Σ_a χ(x_a; p_a) for the state's ball. */
function ballValue(n: Neighbourhood, st: StateData, x: Float64Array): number {
  if (n.kind !== 'ball') return 0;
  let c = 0;
  for (let a = 0; a < x.length; a++) c += n.ball.term(x[a]!, st.p[a]!);
  return c;
}

/** E_{a∼x}[A] − w D(x|s): the per-state mirror objective relative to V(s). */
function stateGain(config: MirrorConfig, st: StateData, x: ArrayLike<number>): { gain: number; drift: number } {
  let ea = 0, d = 0;
  for (let a = 0; a < st.adv.length; a++) {
    ea += x[a]! * st.adv[a]!;
    if (st.w > 0) d += config.drift.term(x[a]!, { s: st.s, a, p: st.p[a]!, adv: st.adv[a]! });
  }
  return { gain: ea - st.w * d, drift: d };
}

/**
 * The smallest μ ≥ 0 with h(μ) ≤ 0 for a non-increasing h, to relative slack `tol`·δ:
 * μ = 0 if h(0) ≤ 0; otherwise a bracket by doubling (at most 200 times) or by dividing
 * by 2¹⁰ (at most 10 times) from `mu0`, then Brent. If h ≤ 0 already at μ = 2⁻¹⁰⁰·mu0, that μ is
 * returned: it is feasible, and by weak duality its objective is within μ·δ ≤ 2⁻¹⁰⁰·mu0·δ of
 * the optimum.
 */
export function multiplierSearch(hRaw: (mu: number) => number, mu0: number, delta: number, tol: number, what: string): number {
  // C(x(μ)) is +∞ where a tiny μ lets a probability underflow to 0: keep Brent's arithmetic finite
  const h = (mu: number) => Math.min(hRaw(mu), Number.MAX_VALUE);
  if (h(0) <= 0) return 0;
  let hi = mu0, hhi = h(hi), lo = 0, hlo = Infinity;
  for (let k = 0; hhi > 0; k++) {
    if (k >= 200) fail('MIRROR_NEIGHBOURHOOD', `${what}: no multiplier μ ≤ ${show(hi)} meets the constraint`, { where: what });
    lo = hi; hlo = hhi; hi *= 2; hhi = h(hi);
  }
  for (let k = 0; lo === 0; k++) {
    if (k >= 10) return hi;
    const m = hi / 1024, hm = h(m);
    if (hm > 0) { lo = m; hlo = hm; } else { hi = m; hhi = hm; }
  }
  const br = brentRoot(h, lo, hi, hlo, hhi, { stop: (_m, hm) => hm <= 0 && hm >= -tol * delta, what, xtol: 4 * Number.EPSILON * hi });
  return nonPositiveSide(br).x;
}

/** The ν/d weights, and the per-state data of the non-terminal states. */
function prepare(mdp: FiniteMDP, piOld: Float64Array, ev: Evaluation, config: MirrorConfig) {
  const { nu, weight } = stateWeights(mdp, ev.d, config.nu ?? 'visitation');
  const states: StateData[] = [];
  for (let s = 0; s < mdp.numStates; s++) if (!mdp.terminal[s]) states.push(stateData(s, weight[s]!, piOld, ev.A, mdp.numActions, config));
  return { nu, weight, states };
}

/** Rows per state and the solver's bookkeeping. */
interface Solved {
  readonly rows: Map<number, Float64Array>;
  readonly residual: number;
  readonly multiplier: number;
  readonly method: UpdateResult['method'];
}

/** max_a |A(s,a)| (the scale of a state's objective; never 0). */
const advScale = (st: StateData) => Math.max(...Array.from(st.adv, Math.abs), 1e-300);

/** Piecewise-linear drift, no ball or a TV ball (budget δ): the exact exchange greedy in every state. */
function solveByExchange(config: MirrorConfig, states: StateData[], budget: number): Solved {
  const rows = new Map<number, Float64Array>();
  for (const st of states) {
    const pieces = Array.from(st.p, (_, a) => actionPieces(st.adv[a]!, st.p[a]!, st.driftShapes[a]!, st.w));
    rows.set(st.s, exchangeSolve(pieces, st.p, 0, budget, config.tieTolerance ?? TIE_TOLERANCE).x);
  }
  return { rows, residual: 0, multiplier: 0, method: 'exchange' };
}

/** Every state at the multiplier `mu(st)`. */
function solveEach(states: StateData[], mu: (st: StateData) => number, method: UpdateResult['method']): Solved {
  const rows = new Map<number, Float64Array>();
  let residual = 0, multiplier = 0;
  for (const st of states) {
    const m = mu(st), r = solveAt(st, m);
    rows.set(st.s, r.x);
    residual = Math.max(residual, r.residual);
    multiplier = Math.max(multiplier, m);
  }
  return { rows, residual, multiplier, method };
}

/** A ball per state: each state's own μ (see {@link multiplierSearch}). */
function solvePerStateBalls(n: Neighbourhood & { kind: 'ball' }, states: StateData[], tol: number): Solved {
  return solveEach(states, (st) => multiplierSearch((mu) => ballValue(n, st, solveAt(st, mu).x) - n.delta, advScale(st) / n.delta, n.delta, tol, `${n.name} ball at state ${st.s}`), 'dual+multiplier');
}

/** The d-weighted ball: one μ shared by all states, Σ_s d(s) C_s(x_s(μ)) = δ. */
function solveAverageBall(n: Neighbourhood & { kind: 'ball' }, states: StateData[], d: Float64Array, tol: number): Solved {
  const h = (mu: number) => {
    let c = 0;
    for (const st of states) if (d[st.s]! > 0) c += d[st.s]! * ballValue(n, st, solveAt(st, mu).x);
    return c - n.delta;
  };
  const mu = multiplierSearch(h, Math.max(...states.map(advScale)) / n.delta, n.delta, tol, `${n.name} average ball`);
  return solveEach(states, () => mu, 'dual+multiplier');
}

/** Solves every state for the configuration (see the module comment). */
function solveStates(config: MirrorConfig, states: StateData[], d: Float64Array): Solved {
  const n = config.neighbourhood;
  const tol = config.constraintTolerance ?? 1e-10;
  const linear = states.every((st) => st.driftShapes.every(isPiecewiseLinear));
  if (linear && n.kind === 'none') return solveByExchange(config, states, Infinity);
  if (linear && n.kind === 'ball' && n.ball === tvBall && n.mode === 'max') return solveByExchange(config, states, n.delta);
  if (n.kind === 'none') return solveEach(states, () => 0, 'dual');
  return n.mode === 'max' ? solvePerStateBalls(n, states, tol) : solveAverageBall(n, states, d, tol);
}

/**
 * One exact mirror-learning update from π (`piOld`, with its evaluation `ev`) under
 * `config`. See the module comment for the method and its tolerance.
 */
export function mirrorUpdate(mdp: FiniteMDP, piOld: Float64Array, ev: Evaluation, config: MirrorConfig): UpdateResult {
  const { numStates: S, numActions: A } = mdp;
  const { nu, weight, states } = prepare(mdp, piOld, ev, config);
  const solved = solveStates(config, states, ev.d);
  const policy = Float64Array.from(piOld);
  const gain = new Float64Array(S);
  let kept = 0;
  for (const st of states) {
    const x = solved.rows.get(st.s)!;
    const g = stateGain(config, st, x).gain, g0 = stateGain(config, st, st.p).gain;
    if (g >= g0) { policy.set(x, st.s * A); gain[st.s] = g; }
    else { kept++; gain[st.s] = g0; }
  }
  const drift = driftPerState(config.drift, piOld, policy, ev.A, S, A);
  const distance = neighbourhoodDistance(config.neighbourhood, piOld, policy, ev.d, S, A, mdp.terminal);
  return { policy, nu, weight, drift, gain, distance, multiplier: solved.multiplier, residual: solved.residual, kept, method: solved.method };
}
