/**
 * Exact learning curves that need no sampling: softmax policy-gradient ascent with the exact
 * gradient, and the exact natural policy gradient, on a tabular MDP. Every point of the curve
 * is exact — J(θ_n), the gap J* − J(θ_n), the d-weighted KL(π_{n−1}‖π_n) of the update, the
 * d-weighted entropy — and every quantity comes from `src/exact/`:
 *
 * - softmax PG (Mei, Xiao, Szepesvári & Schuurmans 2020, Algorithm 1; Agarwal, Kakade, Lee &
 *   Mahajan 2021, §4): θ_{n+1} = θ_n + η ∇_θ J(θ_n), with ∇J from {@link policyGradient}
 *   (the policy gradient theorem, Lehmann 2024, Theorem 3.1);
 * - natural PG for the tabular softmax (Kakade 2001; Agarwal et al. 2021, §5.3, Lemma 15):
 *   θ_{n+1} = θ_n + η F(θ_n)⁺ ∇J(θ_n), and F⁺∇J = (Σ_s η_π(s)) A^{π_n} up to F's null space (a
 *   constant per state, which the softmax ignores): for γ < 1 the update
 *   θ ← θ + η/(1−γ) · A^{π_n} of AJKS 2021, eq. 18. Here A and Σ_s η(s) come from
 *   {@link evaluatePolicy}; `property-tests/algorithms/exact-pg.test.ts` checks that the step equals
 *   the one through {@link naturalGradient} (the pseudo-inverse of the exact Fisher matrix).
 *
 * These curves are what the sampled learners' curves converge to as their batches grow, and
 * they carry the published rates that `src/verify/claims/rates.ts` checks.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import { policyIteration } from '../exact/control.js';
import { entropyPerState, weightedMean } from '../exact/divergence.js';
import { evaluatePolicy, type Evaluation } from '../exact/evaluate.js';
import { policyGradient } from '../exact/gradient.js';
import type { FiniteMDP } from '../mdp/model.js';
import { stateKl } from '../estimators/statekl.js';
import { softmaxPolicy } from '../policy/softmax.js';
import type { Parameterization } from '../policy/types.js';
import type { Curve, CurveRecord } from './curve.js';

/** The largest iteration count of one exact curve (10⁶ exact evaluations). */
export const EXACT_PG_MAX_ITERATIONS = 1_000_000;

/** The two exact update rules. */
export type ExactMethod = 'pg' | 'npg';

/** What an observer sees after each iterate n = 0 … N (read-only views: copy what you keep). */
export interface ExactIterate {
  readonly n: number;
  readonly theta: Float64Array;
  /** π_{θ_n}(a|s) at `s*A + a`. */
  readonly pi: Float64Array;
  readonly ev: Evaluation;
}

/** The hyperparameters of an exact curve (cleanrl-style: one documented object). */
export interface ExactPGOptions {
  /** `pg` (softmax PG, θ ← θ + η∇J) or `npg` (natural PG, θ ← θ + η (Σ_s η_π(s)) A^π). */
  readonly method: ExactMethod;
  /** The step size η > 0 (Mei et al.'s bandit: 2/5; AJKS's NPG: any η > 0). */
  readonly step: number;
  /** The number of updates N (the curve has N + 1 points). */
  readonly iterations: number;
  /** θ_0 (length S·A); default 0, the uniform policy. */
  readonly theta0?: Float64Array;
  /** The MDP's name for the curve (default `mdp`). */
  readonly mdpName?: string;
  /** The curve's `algo` label (default `exact-pg` or `exact-npg`). */
  readonly label?: string;
  /** Called at every iterate (n = 0 … N) with the exact evaluation of π_n. */
  readonly observe?: (it: ExactIterate) => void;
  /** Keep only the records with `keep(n)` true (n = 0 and n = N are always kept); default all. */
  readonly keep?: (n: number) => boolean;
}

function checkOptions(mdp: FiniteMDP, o: ExactPGOptions): void {
  if (o.method !== 'pg' && o.method !== 'npg') fail('CURVE_OPTIONS', `method is ${show(o.method)}: expected "pg" or "npg"`, { where: 'method', value: o.method });
  if (!(typeof o.step === 'number' && Number.isFinite(o.step) && o.step > 0)) fail('CURVE_OPTIONS', `step is ${show(o.step)}: the step size η must be positive and finite`, { where: 'step', value: o.step });
  if (!(Number.isSafeInteger(o.iterations) && o.iterations >= 1 && o.iterations <= EXACT_PG_MAX_ITERATIONS)) {
    fail('CURVE_OPTIONS', `iterations is ${show(o.iterations)}: expected an integer in 1…${EXACT_PG_MAX_ITERATIONS}`, { where: 'iterations', value: o.iterations });
  }
  const n = mdp.numStates * mdp.numActions;
  if (o.theta0 !== undefined && !(o.theta0 instanceof Float64Array && o.theta0.length === n)) {
    fail('CURVE_OPTIONS', `theta0 has ${o.theta0 instanceof Float64Array ? o.theta0.length : show(o.theta0)} entries, expected S·A = ${n}`, { where: 'theta0', value: o.theta0 instanceof Float64Array ? o.theta0.length : o.theta0 });
  }
}

/**
 * The exact update direction at θ_n, from the evaluation `ev` of π_n:
 *
 * $$d_n = \nabla_\theta J(\theta_n)\ \ (\texttt{pg}),\qquad d_n = \Big(\sum_s \eta_{\pi_n}(s)\Big) A^{\pi_n} = F(\theta_n)^{+}\nabla_\theta J(\theta_n) + c\ \ (\texttt{npg}),$$
 *
 * where c is constant within each state (the softmax ignores it); for γ < 1,
 * $\sum_s \eta(s) = 1/(1-\gamma)$ (Agarwal et al. 2021, Lemma 15).
 */
export function exactDirection(mdp: FiniteMDP, method: ExactMethod, theta: Float64Array, ev: Evaluation): Float64Array {
  if (method === 'pg') return policyGradient(mdp, { param: softmaxPolicy(mdp.numStates, mdp.numActions), theta }, ev);
  const out = new Float64Array(ev.A.length);
  for (let i = 0; i < out.length; i++) out[i] = ev.horizon * ev.A[i]!;
  return out;
}

/**
 * Σ_s d(s) KL(π_{θ_prev}(·|s) ‖ π_θ(·|s)), the exact d-weighted KL of an update, per state from
 * log-probabilities ({@link stateKl}: finite even where a probability underflows to 0).
 */
export function updateKl(param: Parameterization, thetaPrev: Float64Array, theta: Float64Array, d: Float64Array, row: Float64Array): number {
  let kl = 0;
  for (let s = 0; s < d.length; s++) if (d[s]! > 0) kl += d[s]! * stateKl({ param, theta: thetaPrev }, { param, theta }, s, row);
  return kl;
}

/**
 * Runs exact softmax PG or NPG, $\theta_{n+1} = \theta_n + \eta\, d_n$ ({@link exactDirection}),
 * for `iterations` updates from θ_0 and returns the exact learning curve: at every n the exact J(θ_n), J* − J(θ_n) (J* by policy iteration),
 * Σ_s d_{π_{n−1}}(s) KL(π_{n−1}(·|s) ‖ π_n(·|s)) ({@link updateKl}) and Σ_s d_{π_n}(s) H(π_n(·|s)). `samples` is
 * 0 throughout (nothing is sampled) and `klK3` is null (no learner estimates the KL).
 * Throws `CURVE_OPTIONS` for an invalid option.
 */
export function exactPGCurve(mdp: FiniteMDP, opts: ExactPGOptions): Curve {
  checkOptions(mdp, opts);
  const { numStates: S, numActions: A } = mdp;
  const param = softmaxPolicy(S, A);
  const JStar = weightedMean(mdp.initial, policyIteration(mdp).V);
  const theta = opts.theta0 ? opts.theta0.slice() : new Float64Array(S * A);
  const records: CurveRecord[] = [];
  const thetaPrev = new Float64Array(S * A);
  const row = new Float64Array(A);
  let dPrev: Float64Array | undefined;
  for (let n = 0; n <= opts.iterations; n++) {
    const pi = param.probs(theta);
    const ev = evaluatePolicy(mdp, pi);
    opts.observe?.({ n, theta, pi, ev });
    if (n === 0 || n === opts.iterations || !opts.keep || opts.keep(n)) {
      const klExact = dPrev ? updateKl(param, thetaPrev, theta, dPrev, row) : null;
      records.push({ update: n, samples: 0, J: ev.J, gap: JStar - ev.J, klExact, klK3: null, entropy: weightedMean(ev.d, entropyPerState(pi, S, A)) });
    }
    if (n === opts.iterations) break;
    const dir = exactDirection(mdp, opts.method, theta, ev);
    thetaPrev.set(theta);
    for (let i = 0; i < theta.length; i++) theta[i] = theta[i]! + opts.step * dir[i]!;
    dPrev = ev.d;
  }
  return {
    algo: opts.label ?? (opts.method === 'pg' ? 'exact-pg' : 'exact-npg'),
    mdp: opts.mdpName ?? 'mdp', seed: 0, JStar,
    hyperparameters: { method: opts.method, step: opts.step, iterations: opts.iterations, start: opts.theta0 ? 'given θ0' : 'uniform (θ0 = 0)' },
    records,
  };
}
