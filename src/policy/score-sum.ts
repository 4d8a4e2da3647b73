/**
 * The per-transition policy contract for the tabular parameterizations (DESIGN.md, "The
 * policy contract"): the score sum
 *
 * $$\text{scoreSum}(\theta, c) = \text{scale}\cdot\sum_t c_t\,\nabla_\theta \log\pi_\theta(a_t|s_t)$$
 *
 * (a vector–Jacobian product; Lehmann 2024, Theorem 3.1 and eq. 6 for the score), and
 * log π_θ(a_t|s_t) per transition. The softmax, direct and log-linear kinds (and any
 * `Parameterization`) answer it by their own optimization: ∇log π(a|s) depends only on
 * (s, a) and θ, so the coefficients are first summed by the key s·A + a and the score is
 * evaluated once per visited pair — the same sum in another order (equal to the
 * per-transition sum to rounding), at cost O(T + pairs·cost(score)).
 *
 * `scale` is applied to each pair's sum before the score (scale·Σc, not Σ(scale·c)): the
 * γ^t/E estimators pass 1/E here, keeping their pre-refactor results bit for bit.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import { KeyedSum } from '../linalg/keyed-sum.js';
import { zeros } from '../linalg/small-array-pool.js';
import type { Parameterization } from './types.js';

/** The transitions a tabular policy reads: states and discrete actions (a `Batch` is one). */
export interface TabularTransitions {
  readonly size: number;
  readonly numStates: number;
  readonly numActions: number;
  readonly s_t: Int32Array;
  readonly a_t: Int32Array;
}

/**
 * scale · Σ_t c_t ∇_θ log π_θ(a_t|s_t), written into `out` (overwritten; a new array when not
 * given). Pairs whose coefficients sum to 0 are skipped. Throws `ESTIMATOR_ARGUMENT` for a
 * `c_t` or `out` of the wrong length, `ZERO_PROBABILITY` where a direct policy's score is
 * undefined. The result is not checked for finiteness (the estimators do that).
 */
export function scoreSum(param: Parameterization, theta: Float64Array, batch: TabularTransitions, c_t: Float64Array, out?: Float64Array, scale = 1): Float64Array {
  const n = batch.size, A = param.numActions;
  if (c_t?.length !== n) fail('ESTIMATOR_ARGUMENT', `c_t has ${c_t?.length ?? show(c_t)} entries: it needs one per transition (${n})`, { where: 'c_t', value: c_t?.length });
  if (out !== undefined && out.length !== param.numParams) fail('ESTIMATOR_ARGUMENT', `out has ${out.length} entries, θ has ${param.numParams}`, { where: 'out', value: out.length });
  const range = batch.numStates * A, { s_t, a_t } = batch;
  const g = out === undefined ? new Float64Array(param.numParams) : out.fill(0);
  if (n >= range) {
    // the dense table of KeyedSum, inlined: this loop is the hot path of every tabular estimator
    const sums = zeros(range);
    for (let i = 0; i < n; i++) { const k = s_t[i]! * A + a_t[i]!; sums[k] = sums[k]! + c_t[i]!; }
    for (let k = 0; k < range; k++) if (sums[k] !== 0) param.addScore(theta, Math.floor(k / A), k % A, scale * sums[k]!, g);
    return g;
  }
  const sums = new KeyedSum(range, n);
  for (let i = 0; i < n; i++) { const c = c_t[i]!; if (c !== 0) sums.add(s_t[i]! * A + a_t[i]!, c); }
  sums.forEach((k, c) => param.addScore(theta, Math.floor(k / A), k % A, scale * c, g));
  return g;
}

/**
 * log π_θ(a_t|s_t) for each transition, into `out` when given. log π is evaluated once per
 * visited pair when there are at least S·A transitions, else once per transition. Throws
 * `ZERO_PROBABILITY` where π_θ(a_t|s_t) = 0 under a direct policy.
 */
export function logProbs(param: Parameterization, theta: Float64Array, batch: TabularTransitions, out?: Float64Array): Float64Array {
  const n = batch.size, A = param.numActions;
  if (out !== undefined && out.length < n) fail('ESTIMATOR_ARGUMENT', `out has ${out.length} entries: it needs one per transition (${n})`, { where: 'out', value: out.length });
  const lp = out ?? new Float64Array(n);
  const cache = n >= batch.numStates * A ? new Float64Array(batch.numStates * A).fill(NaN) : undefined;
  for (let i = 0; i < n; i++) {
    const s = batch.s_t[i]!, a = batch.a_t[i]!;
    let x: number;
    if (cache === undefined) x = param.logProb(theta, s, a);
    else { x = cache[s * A + a]!; if (x !== x) { x = param.logProb(theta, s, a); cache[s * A + a] = x; } }
    lp[i] = x;
  }
  return lp;
}
