/**
 * The exact conditional expectation of an advantage estimate under **any** value table V —
 * not only V^π — given the state, the action and the number of steps left before the
 * episode is cut: E[Â_t | s_t = s, a_t = a, m_t = m].
 *
 * **Why.** With the exact V^π every later TD error has conditional mean zero, so GAE, the
 * n-step advantage and the λ-return all have mean A^π(s,a) whatever weights they put on
 * the later TD errors (Lehmann 2024, eq. 14 and §4.2; Schulman et al. 2016, Prop. 1). A
 * wrong weighting, a wrong bootstrap or a carry that crosses an episode end is invisible
 * there. Under V ≠ V^π the later TD errors have non-zero means and the weights show.
 *
 * **The definitions** (Lehmann 2024, eq. 14 for the n-step advantage, Algorithm 7 / eq. 19
 * for GAE; Sutton & Barto 2018, §12.1 for the λ-return), with
 * $\delta_t = r_t + \gamma(1-\text{terminated}_t)V(s_{t+1}) - V(s_t)$ and L the number of
 * transitions from t to the end of the episode piece (termination, time-limit truncation,
 * or segment cut, whichever comes first; a truncation and a cut bootstrap from V(s_tp1),
 * which δ already holds):
 *
 * $$\hat A^{\mathrm{GAE}}_t = \sum_{k=0}^{L-1}(\gamma\lambda)^k\,\delta_{t+k},\qquad
 *   \hat A^{(n)}_t = \sum_{k=0}^{\min(n,L)-1}\gamma^k\,\delta_{t+k},\qquad
 *   G^\lambda_t = V(s_t) + \hat A^{\mathrm{GAE}}_t .$$
 *
 * The last identity is the λ-return truncated at the piece's end, $(1-\lambda)\sum_{n<L}
 * \lambda^{n-1}G^{(n)}_t + \lambda^{L-1}G^{(L)}_t$ (derivation 5, step `gae.weighting`): the
 * `'lambda-return'` definition has the same advantages as `'gae'`. The value target of
 * each definition is $\hat A_t + V(s_t)$.
 *
 * **Conditioning.** The episode is cut at a time fixed before it happens: a time limit
 * after `maxSteps − t_index` more transitions, a segment cut after the transitions left in
 * the segment. So the number m ≥ 1 of transitions from t up to and including the last one
 * before a forced cut is known at time t, and L = min(m, steps to termination). Given
 * (s_t, a_t, m_t) the future is Markov, and with κ = γλ (GAE) or κ = γ and the window
 * w = n (n-step), w = ∞ (GAE):
 *
 * $$H_j(s,a) = \bar\delta(s,a) + \kappa\sum_{s'\notin\mathcal T}P(s'|s,a)\sum_{a'}\pi(a'|s')\,H_{j-1}(s',a'),\quad H_0 = 0,$$
 * $$\mathbb E[\hat A_t\mid s,a,m] = H_{\min(m,w)}(s,a),\qquad \bar\delta(s,a) = r(s,a) + \gamma\sum_{s'\notin\mathcal T}P(s'|s,a)V(s') - V(s).$$
 *
 * Terminal states get no bootstrap and end the sum (their entries of V are never read).
 * With no cut at all (m = ∞, complete episodes) and w = ∞, $H_\infty = \bar\delta + \kappa
 * \tilde P H_\infty$ is solved as one linear system on the non-terminal states,
 * $(I - \kappa\tilde P_\pi)G = \bar\delta_\pi$; with κ = 1 it needs an MDP that terminates.
 * Everything is linear in V, and with V = V^π every H_j equals A^π.
 *
 * Written once over any field ({@link Field}): exact in Fractions (derivation 5, step
 * `gae.wrong-critic`), in doubles through {@link advantageExpectation}.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import type { Field } from '../field/field.js';
import { NumberField } from '../field/number.js';
import { solveIn } from '../linalg/generic.js';
import { liftMDP, type MDPIn } from '../mdp/generic.js';
import type { FiniteMDP } from '../mdp/model.js';

/**
 * Which estimator an advantage estimate is declared to implement: `'gae'` (GAE(γ, λ), the
 * default), `'lambda-return'` (the truncated λ-return as the target and G^λ − V as the
 * advantage: the same expectation as GAE), or `{ nStep: n }` (the n-step advantage,
 * n ≥ 1, λ ignored).
 */
export type AdvantageDefinition = 'gae' | 'lambda-return' | { readonly nStep: number };

/** The largest n of an n-step definition and the largest finite horizon a table holds. */
export const MAX_HORIZON = 10_000;

/** κ and the window of a definition: GAE and the λ-return κ = γλ, w = ∞; n-step κ = γ, w = n. */
export function definitionWeights(definition: AdvantageDefinition, gamma: number, lambda: number): { kappa: number; window: number } {
  if (definition === 'gae' || definition === 'lambda-return') return { kappa: gamma * lambda, window: Infinity };
  return { kappa: gamma, window: definition.nStep };
}

/** Throws `ESTIMATOR_ARGUMENT` naming `where` unless `d` is a valid {@link AdvantageDefinition}. */
export function checkDefinition(d: unknown, where: string): AdvantageDefinition {
  if (d === 'gae' || d === 'lambda-return') return d;
  const n = typeof d === 'object' && d !== null ? (d as { nStep?: unknown }).nStep : undefined;
  if (typeof d === 'object' && d !== null && Object.keys(d).length === 1 && Number.isSafeInteger(n) && (n as number) >= 1 && (n as number) <= MAX_HORIZON) return d as AdvantageDefinition;
  return fail('ESTIMATOR_ARGUMENT', `${where} is ${show(d)}: expected 'gae', 'lambda-return' or { nStep: n } with an integer 1 ≤ n ≤ ${MAX_HORIZON}`, { where, value: d });
}

/** δ̄(s,a) = r(s,a) + γ Σ_{s′∉𝒯} P(s′|s,a) V(s′) − V(s), at `s*A + a`. */
export function meanTdErrorsIn<T>(F: Field<T>, m: MDPIn<T>, values: readonly T[]): T[] {
  const { numStates: S, numActions: A } = m;
  const out: T[] = new Array(S * A);
  for (let s = 0; s < S; s++) {
    for (let a = 0; a < A; a++) {
      let next = F.zero;
      for (let t = 0; t < S; t++) if (!m.terminal[t]) { const p = m.P[(s * A + a) * S + t]!; if (!F.isZero(p)) next = F.add(next, F.mul(p, values[t]!)); }
      out[s * A + a] = F.sub(F.add(m.r[s * A + a]!, F.mul(m.gamma, next)), values[s]!);
    }
  }
  return out;
}

/** κ Σ_{s′∉𝒯} P(s′|s,a) g(s′) for every (s,a) (g a state table). */
function lookAhead<T>(F: Field<T>, m: MDPIn<T>, kappa: T, g: readonly T[]): T[] {
  const { numStates: S, numActions: A } = m;
  const out: T[] = new Array(S * A);
  for (let k = 0; k < S * A; k++) {
    let x = F.zero;
    for (let t = 0; t < S; t++) if (!m.terminal[t]) { const p = m.P[k * S + t]!; if (!F.isZero(p)) x = F.add(x, F.mul(p, g[t]!)); }
    out[k] = F.mul(kappa, x);
  }
  return out;
}

/** Σ_a π(a|s) h(s,a) for every s. */
function underPolicy<T>(F: Field<T>, S: number, A: number, pi: readonly T[], h: readonly T[]): T[] {
  const out: T[] = new Array(S);
  for (let s = 0; s < S; s++) { let x = F.zero; for (let a = 0; a < A; a++) x = F.add(x, F.mul(pi[s * A + a]!, h[s * A + a]!)); out[s] = x; }
  return out;
}

function checkShapes<T>(m: MDPIn<T>, pi: readonly T[], values: readonly T[]): void {
  const SA = m.numStates * m.numActions;
  if (pi.length !== SA) fail('ESTIMATOR_ARGUMENT', `policy table has ${pi.length} entries, expected S·A = ${SA}`, { where: 'pi', value: pi.length });
  if (values.length !== m.numStates) fail('ESTIMATOR_ARGUMENT', `value table has ${values.length} entries, expected S = ${m.numStates}`, { where: 'values', value: values.length });
}

/**
 * H_1 … H_M of the module comment: `out[j−1][s*A + a]` = E[Σ_{k<min(j, L')} κ^k δ_{t+k} | s,a]
 * where L' is the number of transitions to termination — the expected advantage with j
 * transitions left before a forced cut (GAE: κ = γλ; the n-step advantage: κ = γ and
 * horizon min(j, n)).
 */
export function truncatedTdSumsIn<T>(F: Field<T>, m: MDPIn<T>, pi: readonly T[], values: readonly T[], kappa: T, horizons: number): T[][] {
  checkShapes(m, pi, values);
  if (!(Number.isSafeInteger(horizons) && horizons >= 1 && horizons <= MAX_HORIZON)) fail('ESTIMATOR_ARGUMENT', `horizons is ${show(horizons)}: expected an integer in 1…${MAX_HORIZON}`, { where: 'horizons', value: horizons });
  const { numStates: S, numActions: A } = m;
  const delta = meanTdErrorsIn(F, m, values);
  const out: T[][] = [delta];
  for (let j = 2; j <= horizons; j++) {
    const ahead = lookAhead(F, m, kappa, underPolicy(F, S, A, pi, out[j - 2]!));
    out.push(delta.map((d, k) => F.add(d, ahead[k]!)));
  }
  return out;
}

/**
 * H_∞: E[Σ_{k<L'} κ^k δ_{t+k} | s,a] for complete episodes (no cut), from the linear system
 * (I − κP̃_π) G = Σ_a π δ̄ on the non-terminal states. Throws `SOLVER_SINGULAR` when the sum
 * does not converge (κ = 1 in an MDP with a non-terminating recurrent class).
 */
export function uncutTdSumIn<T>(F: Field<T>, m: MDPIn<T>, pi: readonly T[], values: readonly T[], kappa: T): T[] {
  checkShapes(m, pi, values);
  const { numStates: S, numActions: A } = m;
  const delta = meanTdErrorsIn(F, m, values);
  const idx: number[] = [];
  for (let s = 0; s < S; s++) if (!m.terminal[s]) idx.push(s);
  const n = idx.length, M: T[] = new Array(n * n).fill(F.zero);
  const db = underPolicy(F, S, A, pi, delta);
  for (let i = 0; i < n; i++) {
    const s = idx[i]!;
    M[i * n + i] = F.one;
    for (let a = 0; a < A; a++) {
      const p = pi[s * A + a]!;
      if (F.isZero(p)) continue;
      for (let j = 0; j < n; j++) { const t = m.P[(s * A + a) * S + idx[j]!]!; if (!F.isZero(t)) M[i * n + j] = F.sub(M[i * n + j]!, F.mul(kappa, F.mul(p, t))); }
    }
  }
  const g = solveIn(F, M, idx.map((s) => db[s]!));
  const G: T[] = new Array(S).fill(F.zero);
  idx.forEach((s, i) => { G[s] = g[i]!; });
  const ahead = lookAhead(F, m, kappa, G);
  return delta.map((d, k) => F.add(d, ahead[k]!));
}

/** Exact conditional means of a definition's advantages and value targets, by steps left to the cut. */
export interface AdvantageExpectation {
  readonly numStates: number;
  readonly numActions: number;
  /** The largest finite horizon M the tables hold. */
  readonly horizons: number;
  /** E[Â_t | s,a, m = j] at `(j−1)·S·A + s·A + a`, j = 1 … M. */
  readonly advantages: Float64Array;
  /** E[target_t | s,a, m = j] = advantages + V(s), same layout. */
  readonly targets: Float64Array;
  /** E[Â_t | s,a] on complete episodes (no cut), when asked for. */
  readonly uncut?: { readonly advantages: Float64Array; readonly targets: Float64Array };
}

/**
 * The exact E[Â_t | s_t, a_t, m_t] and E[target_t | s_t, a_t, m_t] of `definition` (see the
 * module comment) with the value table `values` (any V, one entry per state; entries at
 * terminal states are never read), policy table π[s*A + a], for every horizon m = 1 … M,
 * and for complete episodes when `uncut` is set.
 */
export function advantageExpectation(
  mdp: FiniteMDP, pi: ArrayLike<number>, values: ArrayLike<number>, definition: AdvantageDefinition,
  lambda: number, opts: { readonly horizons: number; readonly uncut?: boolean },
): AdvantageExpectation {
  checkDefinition(definition, 'definition');
  if (!(lambda >= 0 && lambda <= 1)) fail('ESTIMATOR_ARGUMENT', `lambda is ${show(lambda)}: expected a number in [0, 1]`, { where: 'lambda', value: lambda });
  for (let s = 0; s < values.length; s++) if (!Number.isFinite(values[s]!)) fail('ESTIMATOR_ARGUMENT', `values[${s}] is ${show(values[s])}: expected a finite number`, { where: `values[${s}]`, value: values[s] });
  const m = liftMDP(NumberField, mdp), P = Array.from(pi), V = Array.from(values);
  const { kappa, window } = definitionWeights(definition, mdp.gamma, lambda);
  const SA = mdp.numStates * mdp.numActions, M = opts.horizons;
  const H = truncatedTdSumsIn(NumberField, m, P, V, kappa, Math.min(M, window));
  const advantages = new Float64Array(M * SA), targets = new Float64Array(M * SA);
  for (let j = 1; j <= M; j++) {
    const h = H[Math.min(j, window) - 1]!;
    for (let k = 0; k < SA; k++) {
      advantages[(j - 1) * SA + k] = h[k]!;
      targets[(j - 1) * SA + k] = h[k]! + V[Math.floor(k / mdp.numActions)]!;
    }
  }
  let uncut: AdvantageExpectation['uncut'];
  if (opts.uncut) {
    const h = Number.isFinite(window) ? truncatedTdSumsIn(NumberField, m, P, V, kappa, window)[window - 1]! : uncutTdSumIn(NumberField, m, P, V, kappa);
    uncut = { advantages: Float64Array.from(h), targets: Float64Array.from(h, (x, k) => x + V[Math.floor(k / mdp.numActions)]!) };
  }
  return { numStates: mdp.numStates, numActions: mdp.numActions, horizons: M, advantages, targets, ...(uncut ? { uncut } : {}) };
}
