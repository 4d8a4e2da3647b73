/**
 * The claims of mirror learning and trust-region theory (issue 4), computed exactly on
 * tabular MDPs: the drift conditions (Definition 5.1), PPO's decomposition (§5.2.2), the
 * same two in exact rational arithmetic, Theorem 5.4's monotonic improvement and
 * convergence, generalized policy iteration (Theorem 2.1), TRPO's Theorem 4.1 with its KL
 * form, and the sampled PPO drift — each with a negative control.
 *
 * @module
 */
import { policyIteration, valueIteration } from '../../exact/control.js';
import { trpoBound } from '../../exact/bounds.js';
import { evaluatePolicy, type Evaluation } from '../../exact/evaluate.js';
import { evaluateExact } from '../../exact/rational.js';
import { rational, type Fraction } from '../../field/fraction.js';
import { maxAbs, maxAbsDiff } from '../../linalg/dense.js';
import { LIBRARY } from '../../mdp/library/index.js';
import { withChanges, type FiniteMDP } from '../../mdp/model.js';
import { driftConditions } from '../../mirror/conditions.js';
import type { Drift } from '../../mirror/drift-functional.js';
import { klDrift, trivialDrift, tvDrift } from '../../mirror/builtin-drifts.js';
import { generalizedPolicyIteration, mdpoInstance, mirrorInstance, ppoInstance, trpoInstance } from '../../mirror/instances.js';
import { mirrorLearning, type MirrorRun } from '../../mirror/iterate.js';
import { maxKLBall, tvNeighbourhood } from '../../mirror/neighbourhood.js';
import { ppoDecomposition, ppoDrift } from '../../mirror/ppo.js';
import { exactDirectionalDerivative, orderedFractions, ppoDecompositionIn, ppoExactTerm, ppoTermIn, tvExactTerm } from '../../mirror/rational.js';
import { expectedPPODrift, samplePPODrift } from '../../mirror/sampled.js';
import type { MirrorConfig } from '../../mirror/update.js';
import { Rng } from '../../stats/rng.js';
import { scalarMeanTest, type TestResult } from '../../stats/tests.js';
import { decide, type Check, type Claim } from '../claim.js';
import { randomInstances, randomLogits, randomPolicyTable, standardInstances, type Instance } from '../instances.js';
import { rationalInstances } from './exact.js';

const probs = (x: Instance) => x.policy.param.probs(x.policy.theta);
const scaleOf = (ev: Evaluation) => Math.max(1, maxAbs(ev.A));

// ─── drift conditions ──────────────────────────────────────────────────────────────

/** The built-in drifts whose conditions the claim checks. */
export const BUILTIN_DRIFTS: readonly Drift[] = [trivialDrift, ppoDrift(0.2), ppoDrift(0.05), klDrift(1), klDrift(0.1)];

/** Tolerance of the derivative check, per unit ‖h‖₁ and relative to max(1, max|A|). */
export const DERIVATIVE_TOLERANCE = 1e-6;

/** max(−min D, |D(π)|, |∂_h D|, its error) — and ∞ when some D(π̄|s) < −1e-14 (non-negativity broken). */
export function driftConditionDiscrepancy(drift: Drift, x: Instance, seed: number): number {
  const S = x.mdp.numStates, A = x.mdp.numActions, pi = probs(x);
  const ev = evaluatePolicy(x.mdp, pi);
  const rng = Rng.from(seed).split(505);
  const candidates = [randomPolicyTable(rng, S, A, 0.05), randomPolicyTable(rng, S, A, 0)];
  const r = driftConditions(drift, pi, ev.A, S, A, candidates, rng, 3, x.mdp.terminal);
  if (r.minDrift < -1e-14) return Infinity;
  return Math.max(r.atSelf, r.derivative, r.derivativeError);
}

const driftChecks = (seed: number, drifts: readonly Drift[]): Check[] =>
  standardInstances(seed).flatMap((x) => drifts.map((d) => decide(`${x.label} ${d.name}`, driftConditionDiscrepancy(d, x, seed), DERIVATIVE_TOLERANCE)));

export const driftConditionsClaim: Claim = {
  id: 'mirror.drift-conditions',
  title: 'The built-in drifts are non-negative, vanish at π̄ = π and have zero Gâteaux derivative there',
  statement: String.raw`\mathcal{D}_\pi(\bar\pi|s) \ge 0,\quad \mathcal{D}_\pi(\pi|s) = 0,\quad \lim_{t\to0^+} \tfrac{1}{t}\mathcal{D}_\pi(\pi + t h|s) = 0 \ \ \forall h:\ \textstyle\sum_a h_a = 0`,
  source: 'Lehmann 2024, Definition 5.1; Kuba et al. 2022',
  relation: 'identity',
  rule: 'min D ≥ −1e-14, and |D(π|s)|, |∂_h D| and its error estimate ≤ 1e-6 · ‖h‖₁ · max(1, max|A|) (one-sided differences, Richardson-extrapolated)',
  run: (ctx) => driftChecks(ctx.seed, BUILTIN_DRIFTS),
  control: {
    description: 'c·TV with c = 1/2: non-negative and zero at π̄ = π, but its derivative c·½Σ|h_a| is not zero',
    run: (ctx) => driftChecks(ctx.seed, [tvDrift(0.5)]),
  },
};

// ─── PPO's decomposition ───────────────────────────────────────────────────────────

/** 0.9 on the action of lowest advantage and 0.1 spread evenly, in every state: a step the wrong way. */
export function towardsWorst(adv: Float64Array, S: number, A: number): Float64Array {
  const out = new Float64Array(S * A).fill(0.1 / A);
  for (let s = 0; s < S; s++) {
    let w = 0;
    for (let a = 1; a < A; a++) if (adv[s * A + a]! < adv[s * A + w]!) w = a;
    out[s * A + w] += 0.9;
  }
  return out;
}

/** max_s |E_π[min(rA, clip(r)A)] − (E_π̄[A] − D)| / max(1, max|A|) over a random π̄ and one towards the worst actions. */
export function ppoDecompositionDiscrepancy(x: Instance, seed: number, epsilon: number, positivePart = true): number {
  const S = x.mdp.numStates, A = x.mdp.numActions, pi = probs(x);
  const ev = evaluatePolicy(x.mdp, pi);
  const rng = Rng.from(seed).split(606);
  let worst = 0;
  for (const q of [randomPolicyTable(rng, S, A, 0), towardsWorst(ev.A, S, A)]) {
    const { lhs, rhs } = ppoDecomposition(pi, q, ev.A, S, A, epsilon, positivePart);
    worst = Math.max(worst, maxAbsDiff(lhs, rhs) / scaleOf(ev));
  }
  return worst;
}

export const ppoDecompositionClaim: Claim = {
  id: 'mirror.ppo-decomposition',
  title: "PPO's clipped objective is the expected advantage minus PPO's drift, in every state",
  statement: String.raw`\mathbb{E}_{a\sim\pi}\big[\min(rA_\pi, \operatorname{clip}(r,1{-}\epsilon,1{+}\epsilon)A_\pi)\big] = \mathbb{E}_{a\sim\bar\pi}[A_\pi] - \mathbb{E}_{a\sim\pi}\big[\max(0, (r - \operatorname{clip}(r,1{-}\epsilon,1{+}\epsilon))A_\pi)\big],\ r = \tfrac{\bar\pi(a|s)}{\pi(a|s)}`,
  source: 'Lehmann 2024, §5.2.2; Kuba et al. 2022; Schulman et al. 2017',
  relation: 'identity',
  rule: 'max_s |difference| / max(1, max|A|) ≤ 1e-12 (ε = 0.2; a random π̄ and one putting 0.9 on the worst action)',
  run: (ctx) => standardInstances(ctx.seed).map((x) => decide(x.label, ppoDecompositionDiscrepancy(x, ctx.seed, 0.2), 1e-12)),
  control: {
    description: 'the drift without its positive part, E_π[(r − clip r)A]',
    run: (ctx) => standardInstances(ctx.seed).map((x) => decide(x.label, ppoDecompositionDiscrepancy(x, ctx.seed, 0.2, false), 1e-12)),
  },
};

// ─── exact rational mode ───────────────────────────────────────────────────────────

/** A rational direct policy table with integer weights 1…5 (positive everywhere) or 0…5. */
function rationalTable(rng: Rng, S: number, A: number, allowZero: boolean): Fraction[] {
  const out: Fraction[] = [];
  for (let s = 0; s < S; s++) {
    const w: number[] = Array.from({ length: A }, () => (allowZero ? rng.int(6) : 1 + rng.int(5)));
    if (!w.some((v) => v > 0)) w[0] = 1;
    const t = w.reduce((a, b) => a + b, 0);
    for (const v of w) out.push(rational(`${v}/${t}`));
  }
  return out;
}

/** 9/10 + 1/(10A) on the action of lowest advantage and 1/(10A) elsewhere, exactly. */
function rationalTowardsWorst(adv: readonly Fraction[], S: number, A: number): Fraction[] {
  const out: Fraction[] = [];
  for (let s = 0; s < S; s++) {
    let w = 0;
    for (let a = 1; a < A; a++) if (adv[s * A + a]!.compare(adv[s * A + w]!) < 0) w = a;
    for (let a = 0; a < A; a++) out.push(rational(a === w ? `${9 * A + 1}/${10 * A}` : `1/${10 * A}`));
  }
  return out;
}

/** An integer direction with Σ h = 0 (not all zero). */
function rationalDirection(rng: Rng, A: number): Fraction[] {
  for (;;) {
    const h = Array.from({ length: A - 1 }, () => rng.int(7) - 3);
    h.push(-h.reduce((a, b) => a + b, 0));
    if (h.some((v) => v !== 0)) return h.map((v) => rational(v));
  }
}

/** The exact PPO checks on one rational instance: decomposition, non-negativity, D(π) = 0, ∂_h D = 0. */
export function exactPPOChecks(seed: number, i: number, variant: 'claim' | 'no-positive-part' | 'tv' = 'claim'): { exact: boolean; worst: number } {
  const { m, pi } = rationalInstances(seed)[i]!;
  const F = orderedFractions, S = m.numStates, A = m.numActions, eps = rational('1/5');
  const adv = evaluateExact(m, pi).A;
  const rng = Rng.from(seed).split(707 + i);
  const nonZero: Fraction[] = [];
  for (const q of [rationalTable(rng, S, A, true), rationalTowardsWorst(adv, S, A)]) {
    nonZero.push(...ppoDecompositionIn(F, pi, q, adv, S, A, eps, variant !== 'no-positive-part').differences);
    for (let k = 0; k < S * A; k++) { const d = ppoTermIn(F, q[k]!, pi[k]!, adv[k]!, eps); if (d.s < 0n && d.n !== 0n) nonZero.push(d); }
  }
  for (let s = 0; s < S; s++) {
    if (m.terminal[s]) continue;
    const p = pi.slice(s * A, s * A + A), q = adv.slice(s * A, s * A + A);
    const term = variant === 'tv' ? tvExactTerm(F, p, rational('1/2')) : ppoExactTerm(F, p, q, eps);
    nonZero.push(p.reduce((acc, pa, a) => acc.add(term.value(pa, a)), F.zero));
    for (let k = 0; k < 3; k++) nonZero.push(exactDirectionalDerivative(F, term, p, rationalDirection(rng, A)));
  }
  const bad = nonZero.filter((x) => x.n !== 0n);
  return { exact: bad.length === 0, worst: bad.length ? Math.max(...bad.map((x) => Math.abs(x.valueOf())), Number.MIN_VALUE) : 0 };
}

const exactChecks = (seed: number, variant: 'claim' | 'no-positive-part' | 'tv'): Check[] =>
  rationalInstances(seed).map(({ label }, i) => {
    const r = exactPPOChecks(seed, i, variant);
    return decide(`${label}${variant === 'claim' ? '' : ` (${variant})`}`, r.worst, 0, { exact: r.exact });
  });

export const rationalMirrorClaim: Claim = {
  id: 'mirror.ppo-rational',
  title: "In rational arithmetic PPO's decomposition and drift conditions hold with zero difference",
  statement: String.raw`\mathbb{E}_{\pi}[\min(rA, \operatorname{clip}(r)A)] - \mathbb{E}_{\bar\pi}[A] + \mathcal{D}^{\mathrm{PPO}}_\pi(\bar\pi|s) = 0,\ \ \mathcal{D}^{\mathrm{PPO}}_\pi(\pi|s) = 0,\ \ \partial_h \mathcal{D}^{\mathrm{PPO}}_\pi(\pi|s) = 0 \ \text{exactly}`,
  source: 'Lehmann 2024, §5.2.2 and Definition 5.1; Kuba et al. 2022',
  relation: 'exact-identity',
  rule: 'every difference and derivative is exactly 0 and every drift ≥ 0 (mathjs Fractions, ε = 1/5)',
  run: (ctx) => exactChecks(ctx.seed, 'claim'),
  control: {
    description: 'the decomposition with the drift’s max(0, ·) dropped, and the exact derivative of ½·TV (both must be ≠ 0)',
    run: (ctx) => [...exactChecks(ctx.seed, 'no-positive-part'), ...exactChecks(ctx.seed, 'tv')],
  },
};

// ─── Theorem 5.4: improvement and convergence ──────────────────────────────────────

/** A configuration with the number of updates after which it must have converged. */
interface Setting { readonly label: string; readonly config: MirrorConfig; readonly iterations: number }

/** The paper's instances (and two more balls), with the iteration counts of the convergence claim. */
export function mirrorSettings(): Setting[] {
  return [
    { label: 'REINFORCE/GPI', config: generalizedPolicyIteration(), iterations: 20 },
    { label: 'TRPO δ=0.05', config: trpoInstance(0.05), iterations: 15 },
    { label: 'PPO ε=0.2', config: ppoInstance(0.2), iterations: 150 },
    { label: 'MDPO c=0.05', config: mdpoInstance(0.05), iterations: 60 },
    { label: 'max-KL δ=0.1', config: mirrorInstance(trivialDrift, maxKLBall(0.1)), iterations: 15 },
    { label: 'TV δ=0.2', config: mirrorInstance(trivialDrift, tvNeighbourhood(0.2)), iterations: 20 },
  ];
}

/** One run of a setting on an MDP. */
export interface LabelledRun { readonly label: string; readonly mdp: FiniteMDP; readonly run: MirrorRun }

const uniform = (mdp: FiniteMDP) => new Float64Array(mdp.numStates * mdp.numActions).fill(1 / mdp.numActions);

let libraryRunsCache: LabelledRun[] | undefined;

/** Every setting on every built-in MDP from the uniform policy (deterministic; computed once). */
export function libraryRuns(): LabelledRun[] {
  libraryRunsCache ??= LIBRARY.flatMap((e) => {
    const mdp = e.build();
    const optimal = policyIteration(mdp);
    return mirrorSettings().map((st) => ({ label: `${e.name} ${st.label}`, mdp, run: mirrorLearning(mdp, uniform(mdp), st.config, { iterations: st.iterations, optimal, stopWhenStationary: true }) }));
  });
  return libraryRunsCache;
}

/** TRPO, PPO and MDPO from seeded random softmax policies on seeded random Garnets (10 updates each). */
export function randomStartRuns(seed: number): LabelledRun[] {
  const rng = Rng.from(seed).split(808);
  const mdps = randomInstances(seed).filter((x) => x.policy.param.kind === 'softmax');
  return mdps.flatMap((x) => mirrorSettings().filter((st) => /TRPO|PPO|MDPO/.test(st.label)).map((st) => {
    const start = x.policy.param.probs(randomLogits(rng, x.mdp.numStates, x.mdp.numActions, 2));
    return { label: `${x.label.replace(/ softmax$/, '')} ${st.label} from random π₀`, mdp: x.mdp, run: mirrorLearning(x.mdp, start, st.config, { iterations: 10 }) };
  }));
}

/** The largest violation of Theorem 5.4's two inequalities over a run, relative to its scale. */
export function improvementViolation(run: MirrorRun): number {
  let worst = 0;
  for (const r of run.records) worst = Math.max(worst, (r.bound - r.improvement) / run.scale, -r.minValueChange / run.scale);
  return worst;
}

export const improvementClaim: Claim = {
  id: 'mirror.improvement',
  title: 'Mirror learning improves J by at least the weighted drift, and V in every state (Theorem 5.4)',
  statement: String.raw`J(\pi_{n+1}) \ge J(\pi_n) + \mathbb{E}_{S\sim p_0}\Big[\tfrac{\nu(S)}{d_{\pi_n}(S)}\,\mathcal{D}_{\pi_n}(\pi_{n+1}|S)\Big], \qquad V_{\pi_{n+1}}(s) \ge V_{\pi_n}(s)\ \ \forall s`,
  source: 'Lehmann 2024, Theorem 5.4; Kuba et al. 2022',
  relation: 'inequality',
  rule: 'at every step, max(bound − ΔJ, −min_s ΔV) ≤ 1e-10 · max(1, ‖V*‖∞, ‖V_π₀‖∞)',
  run: (ctx) => [...libraryRuns(), ...randomStartRuns(ctx.seed)].map((x) => decide(x.label, improvementViolation(x.run), 1e-10, { note: `${x.run.records.length - 1} updates` })),
  control: {
    description: 'a "drift" −c·KL(π̄‖π) (non-negativity dropped; c = 100·max|A|), one update from a softmax of Q*: its maximizer, the least likely action, loses value',
    run: (ctx) => negativeDriftRuns(ctx.seed).map((x) => decide(x.label, x.violation, 1e-10)),
  },
};

/**
 * The negative control of Theorem 5.4's improvement: one update with the "drift" −c·KL(π̄‖π).
 * Its per-state objective E_π̄[A] + c·KL(π̄‖π) is convex, so the maximum over the simplex is
 * at a vertex: the action maximizing A(s,a) + c ln(1/π(a|s)).
 */
export function negativeDriftStep(mdp: FiniteMDP, pi: Float64Array, ev: Evaluation, c: number): Float64Array {
  const { numStates: S, numActions: A } = mdp;
  const out = Float64Array.from(pi);
  for (let s = 0; s < S; s++) {
    if (mdp.terminal[s]) continue;
    let best = 0, bv = -Infinity;
    for (let a = 0; a < A; a++) {
      const v = ev.A[s * A + a]! - c * Math.log(pi[s * A + a]!);
      if (v > bv) { bv = v; best = a; }
    }
    for (let a = 0; a < A; a++) out[s * A + a] = a === best ? 1 : 0;
  }
  return out;
}

/** A softmax of Q* with temperature (max − min)/3 per state: good actions likely, the worst one least likely. */
export function softGreedyStart(mdp: FiniteMDP): Float64Array {
  const { numStates: S, numActions: A } = mdp, Q = policyIteration(mdp).Q;
  const out = new Float64Array(S * A);
  for (let s = 0; s < S; s++) {
    const q = Q.subarray(s * A, s * A + A);
    const hi = Math.max(...q), T = Math.max(hi - Math.min(...q), 1e-12) / 3;
    let z = 0;
    for (let a = 0; a < A; a++) { out[s * A + a] = Math.exp((q[a]! - hi) / T); z += out[s * A + a]!; }
    for (let a = 0; a < A; a++) out[s * A + a] = out[s * A + a]! / z;
  }
  return out;
}

function negativeDriftRuns(seed: number): { label: string; violation: number }[] {
  return randomInstances(seed).filter((x) => x.mdp.gamma < 1 && x.policy.param.kind === 'softmax').map((x) => {
    const pi = softGreedyStart(x.mdp);
    const ev = evaluatePolicy(x.mdp, pi);
    const next = evaluatePolicy(x.mdp, negativeDriftStep(x.mdp, pi, ev, 100 * scaleOf(ev)));
    const scale = Math.max(1, maxAbs(ev.V));
    let worst = 0;
    for (let s = 0; s < x.mdp.numStates; s++) worst = Math.max(worst, (ev.V[s]! - next.V[s]!) / scale);
    return { label: x.label, violation: worst };
  });
}

/** max(|J* − J_N|, max_s |V* − V_N|) / max(1, ‖V*‖∞), and the probability on non-optimal actions. */
export function convergenceDiscrepancy(run: MirrorRun): number {
  const last = run.records[run.records.length - 1]!;
  const scale = Math.max(1, maxAbs(run.VStar));
  return Math.max(Math.abs(last.gap) / scale, maxAbsDiff(last.V, run.VStar) / scale, last.suboptimalMass);
}

export const convergenceClaim: Claim = {
  id: 'mirror.convergence',
  title: 'Mirror learning converges: V_n → V*, J_n → J*, and π_n to an optimal policy (Theorem 5.4)',
  statement: String.raw`\lim_{n\to\infty} V_{\pi_n} = V^*, \quad \lim_{n\to\infty} J(\pi_n) = J^*, \quad \sum_{a:\,A^*(s,a)<0} \pi_n(a|s) \to 0`,
  source: 'Lehmann 2024, Theorem 5.4; Kuba et al. 2022',
  relation: 'consistent',
  rule: 'after the stated updates (GPI 20, TRPO 15, PPO 150, MDPO 60, max-KL 15, TV 20) from uniform: max(|J*−J_N|, ‖V*−V_N‖∞)/max(1,‖V*‖∞) and the mass on actions with A* < 0 are ≤ 1e-8',
  run: () => libraryRuns().map((x) => decide(x.label, convergenceDiscrepancy(x.run), 1e-8, { note: `${x.run.records.length - 1} updates` })),
  control: {
    description: 'the "drift" ½·TV (non-zero derivative at π̄ = π): it stops at a suboptimal fixed point',
    run: () => tvFixedPointRuns().map((x) => decide(x.label, convergenceDiscrepancy(x.run), 1e-8, { note: `stationary from update ${x.run.stationaryAt}` })),
  },
};

/** The built-in MDPs on which mirror learning with ½·TV stops at a suboptimal policy (found by search; see the tests). */
export const TV_TRAP_MDPS = ['gridworld-5x5', 'garnet', 'garnet-episodic'] as const;

/** Mirror learning with the ½·TV "drift" on {@link TV_TRAP_MDPS}, from uniform, 50 updates (stops when stationary). */
export function tvFixedPointRuns(): LabelledRun[] {
  return TV_TRAP_MDPS.map((name) => {
    const mdp = LIBRARY.find((e) => e.name === name)!.build();
    return { label: `${name} ½·TV`, mdp, run: mirrorLearning(mdp, uniform(mdp), mirrorInstance(tvDrift(0.5)), { iterations: 50, stopWhenStationary: true }) };
  });
}

// ─── generalized policy iteration ──────────────────────────────────────────────────

/** GPI (trivial drift and neighbourhood) to stationarity; ‖V_final − V*_VI‖∞ / max(1, ‖V*‖∞), or ∞ if not stationary in 100 updates. */
export function gpiDiscrepancy(mdp: FiniteMDP, start: Float64Array, myopic = false): number {
  const evalMDP = myopic ? withChanges(mdp, { gamma: 0 }) : mdp;
  const run = mirrorLearning(evalMDP, start, generalizedPolicyIteration(), { iterations: 100, stopWhenStationary: true });
  if (run.stationaryAt === undefined) return Infinity;
  const final = evaluatePolicy(mdp, run.records[run.records.length - 1]!.policy).V;
  const vStar = valueIteration(mdp, 1e-12).V;
  return maxAbsDiff(final, vStar) / Math.max(1, maxAbs(vStar));
}

const gpiInstances = (seed: number): { label: string; mdp: FiniteMDP; start: Float64Array }[] => {
  const rng = Rng.from(seed).split(1010);
  const lib = LIBRARY.map((e) => { const mdp = e.build(); return { label: `${e.name} from uniform`, mdp, start: uniform(mdp) }; });
  const rnd = randomInstances(seed).filter((x) => x.policy.param.kind === 'direct').map((x) => ({ label: `${x.label} from random π₀`, mdp: x.mdp, start: randomPolicyTable(rng, x.mdp.numStates, x.mdp.numActions) }));
  return [...lib, ...rnd];
};

export const gpiClaim: Claim = {
  id: 'mirror.gpi',
  title: 'Generalized policy iteration (trivial drift and neighbourhood) reaches π* in finitely many updates',
  statement: String.raw`\pi_{n+1}(\cdot|s) \in \operatorname*{argmax}_{\bar\pi}\ \mathbb{E}_{a\sim\bar\pi}[Q_{\pi_n}(s,a)] \ \Longrightarrow\ \pi_N = \pi_{N+1} \text{ for some } N, \ V_{\pi_N} = V^*`,
  source: 'Lehmann 2024, Theorem 2.1 and §5.2.2 (REINFORCE/A3C as mirror learning); Howard 1960',
  relation: 'identity',
  rule: 'stationary within 100 updates and ‖V_{π_N} − V*‖∞ / max(1, ‖V*‖∞) ≤ 1e-9, V* by value iteration (an independent route)',
  run: (ctx) => gpiInstances(ctx.seed).map((x) => decide(x.label, gpiDiscrepancy(x.mdp, x.start), 1e-9)),
  control: {
    description: 'myopic GPI: greedy in r(s,a) (the evaluation run with γ = 0), on the built-in MDPs whose optimal policy is not myopic (garnet-episodic\'s is, and a one-step bandit\'s always is)',
    run: (ctx) => gpiInstances(ctx.seed).filter((x) => x.label.endsWith('from uniform') && !x.label.startsWith('garnet-episodic') && !x.label.startsWith('bandit-contextual')).map((x) => decide(x.label, gpiDiscrepancy(x.mdp, x.start, true), 1e-9)),
  },
};

// ─── TRPO's Theorem 4.1 ────────────────────────────────────────────────────────────

/** Pairs (π, π̃) for one instance: a far random policy, two small steps, and the TRPO update. */
function trpoPairs(x: Instance, rng: Rng): { piNew: Float64Array; what: string }[] {
  const S = x.mdp.numStates, A = x.mdp.numActions, pi = probs(x);
  const ev = evaluatePolicy(x.mdp, pi);
  const step = (sign: 1 | -1) => {
    const t = 1e-3 * (1 - x.mdp.gamma), out = Float64Array.from(pi);
    for (let s = 0; s < S; s++) {
      let w = 0;
      for (let a = 1; a < A; a++) if (sign * ev.A[s * A + a]! > sign * ev.A[s * A + w]!) w = a;
      for (let a = 0; a < A; a++) out[s * A + a] = (1 - t) * pi[s * A + a]! + (a === w ? t : 0);
    }
    return out;
  };
  return [
    { piNew: randomPolicyTable(rng, S, A, 0.05), what: 'far' },
    { piNew: randomPolicyTable(rng, S, A, 0), what: 'far with zeros' },
    { piNew: step(1), what: 'small step up' },
    { piNew: step(-1), what: 'small step down' },
  ];
}

/** The largest violation of Theorem 4.1, its KL form and the gap identity over the pairs, relative to max(1, |J|). */
export function trpoViolation(x: Instance, seed: number, visitation: 'eta' | 'd' = 'eta', only?: string): number {
  const rng = Rng.from(seed).split(1111);
  let worst = 0;
  for (const { piNew, what } of trpoPairs(x, rng)) {
    if (only && what !== only) continue;
    const b = trpoBound(x.mdp, probs(x), piNew, { visitation });
    const scale = Math.max(1, Math.abs(b.J), Math.abs(b.JNew));
    worst = Math.max(worst, -b.slackTV / scale, -(b.kl?.slack ?? 0) / scale, b.gapIdentityResidual / scale);
  }
  return worst;
}

const discountedInstances = (seed: number) => standardInstances(seed).filter((x) => x.mdp.gamma < 1);

export const trpoBoundClaim: Claim = {
  id: 'mirror.trpo-bound',
  title: "TRPO's lower bound J(π̃) ≥ L_π(π̃) − Cα² and its KL form hold; J − L is the visitation-shift identity",
  statement: String.raw`J(\tilde\pi) \ge L_\pi(\tilde\pi) - C\alpha^2 \ge L_\pi(\tilde\pi) - C \max_s \mathrm{KL}(\pi\|\tilde\pi),\ C = \tfrac{4\epsilon\gamma}{(1-\gamma)^2},\ \epsilon = \max|A_\pi|,\ \alpha = \max_s D_{TV};\ \ J(\tilde\pi) - L_\pi(\tilde\pi) = \textstyle\sum_s (\eta_{\tilde\pi} - \eta_\pi)(s)\,\mathbb{E}_{\tilde\pi}[A_\pi]`,
  source: 'Lehmann 2024, Theorem 4.1; Schulman et al. 2015, Theorem 1; Kakade & Langford 2002',
  relation: 'inequality',
  rule: 'max over four pairs (two far, two small steps) of the bound violations and the identity residual, / max(1, |J|), ≤ 1e-10',
  run: (ctx) => discountedInstances(ctx.seed).map((x) => decide(x.label, trpoViolation(x, ctx.seed), 1e-10)),
  control: {
    description: 'L_π computed with the normalized d in place of η (the 1/(1−γ) factor dropped), on a small step that lowers the surrogate',
    run: (ctx) => discountedInstances(ctx.seed).filter((x) => x.mdp.gamma > 0).map((x) => decide(x.label, trpoViolation(x, ctx.seed, 'd', 'small step down'), 1e-10)),
  },
};

// ─── the sampled PPO drift ─────────────────────────────────────────────────────────

/** The false-alarm rate of each sampled check (six checks: Σα = 6e-6 of the suite's 1e-4). */
export const SAMPLED_ALPHA = 1e-6;
/** Pairs drawn per instance. */
export const SAMPLED_N = 100_000;

/** A policy far from uniform-ish ones: 0.9 on a random action and 0.1 spread evenly, in every state. */
export function farPolicy(rng: Rng, S: number, A: number): Float64Array {
  const out = new Float64Array(S * A).fill(0.1 / A);
  for (let s = 0; s < S; s++) out[s * A + rng.int(A)] += 0.9;
  return out;
}

/** The sampled PPO drift on one instance: its mean test against the exact d-weighted drift, and non-negativity. */
export function sampledDriftCheck(x: Instance, seed: number, index: number, useQ = false): { test: TestResult; nonNegative: boolean; target: number } {
  const S = x.mdp.numStates, A = x.mdp.numActions, pi = probs(x);
  const ev = evaluatePolicy(x.mdp, pi);
  const rng = Rng.from(seed).split(1212).split(index);
  const q = farPolicy(rng, S, A);
  const target = expectedPPODrift(ev.d, pi, q, ev.A, S, A, 0.2);
  const { drift } = samplePPODrift(rng, ev.d, pi, q, useQ ? ev.Q : ev.A, A, 0.2, SAMPLED_N);
  return { test: scalarMeanTest(drift, target, SAMPLED_ALPHA), nonNegative: drift.every((v) => v >= 0), target };
}

/** The six instances of the sampled claim: the four library ones and two random softmax ones. */
export const sampledInstances = (seed: number): Instance[] => [...standardInstances(seed).slice(0, 4), ...randomInstances(seed).filter((x) => x.policy.param.kind === 'softmax').slice(0, 2)];

function sampledChecks(seed: number, useQ: boolean): Check[] {
  return sampledInstances(seed).map((x, i) => {
    const { test, nonNegative } = sampledDriftCheck(x, seed, i, useQ);
    return {
      ...decide(x.label, test.statistic, test.threshold, { note: nonNegative ? 'every δ_i ≥ 0' : 'a negative per-sample drift' }),
      passed: test.passed && nonNegative,
      stats: { effect: test.effect, standardError: test.standardError, samples: test.samples, falseAlarmRate: test.falseAlarmRate, minDetectable: test.minDetectable, statistic: test.statistic, threshold: test.threshold, test: test.test },
    };
  });
}

export const sampledDriftClaim: Claim = {
  id: 'mirror.sampled-ppo-drift',
  title: "The per-sample PPO drift is non-negative and, with exact advantages, unbiased for the d-weighted drift",
  statement: String.raw`\delta_i = \max\big(0, (r_i - \operatorname{clip}(r_i,1{-}\epsilon,1{+}\epsilon))A_\pi(s_i,a_i)\big) \ge 0,\quad \mathbb{E}_{s\sim d_\pi, a\sim\pi}[\delta] = \textstyle\sum_s d_\pi(s)\,\mathcal{D}^{\mathrm{PPO}}_\pi(\bar\pi|s)`,
  source: 'Lehmann 2024, Definition 5.1 (ν = d) and §5.2.2; Kuba et al. 2022',
  relation: 'unbiased',
  rule: `every δ_i ≥ 0, and the t-test of the mean at α = ${SAMPLED_ALPHA} per instance (${SAMPLED_N} i.i.d. pairs (s, a) ∼ d × π, ε = 0.2)`,
  run: (ctx) => sampledChecks(ctx.seed, false),
  control: {
    description: 'the per-sample drift with Q(s,a) in place of A(s,a) (the baseline dropped)',
    run: (ctx) => sampledChecks(ctx.seed, true),
  },
};

/** The mirror-learning claims, in report order. */
export const mirrorClaims: readonly Claim[] = [
  driftConditionsClaim, ppoDecompositionClaim, rationalMirrorClaim, improvementClaim, convergenceClaim, gpiClaim, trpoBoundClaim, sampledDriftClaim,
];
