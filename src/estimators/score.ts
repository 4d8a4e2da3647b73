/**
 * The building blocks every score-function estimator shares: the episode count, the
 * discount weights γ^t, log π_θ(a|s) looked up per transition, and the sum
 * Σ_i c_i ∇_θ log π_θ(a_i|s_i) evaluated once per visited (s, a) pair.
 *
 * **Averaging convention.** An estimator of ∇J (or of a surrogate whose gradient at θ_old
 * is ∇J) weights transition i by γ^{t_i} (t_i = `t_index[i]`, the time within its
 * episode) and divides by E, the number of episodes in the batch (episode pieces: maximal
 * runs of one `episode_t`). Because ∇J = Σ_t γ^t E[∇log π(a_t|s_t) Q(s_t,a_t)]
 * (Lehmann 2024, Theorem 3.1), each episode that starts at t = 0 contributes one unbiased
 * term, and the average over E such episodes is unbiased. On a segment batch (pieces cut
 * by a segment end, starting at `t_index > 0`) the weights γ^{t_i} are still right for each
 * transition, but E counts pieces, not episodes: the average is a ratio estimator,
 * consistent for ∇J as segments lengthen, not unbiased.
 *
 * **Aggregation.** ∇_θ log π_θ(a|s) depends only on (s, a) and θ, so
 * Σ_i c_i ∇log π(a_i|s_i) = Σ_{s,a} (Σ_{i:(s_i,a_i)=(s,a)} c_i) ∇log π(a|s): one pass over
 * the batch accumulates an S·A coefficient table, then the score is evaluated once per
 * visited pair. The estimate is the same sum in another order (it agrees with the
 * per-transition sum to rounding), and costs O(n + S·A·cost(score)) instead of
 * O(n·cost(score)).
 *
 * @module
 */
import { fail } from '../errors.js';
import type { Policy } from '../policy/types.js';
import type { Batch } from '../sampling/batch.js';
import { checkFiniteResult } from './checks.js';

/** True when transition i is the first of its episode piece in the batch. */
export function isEpisodeStart(b: Batch, i: number): boolean {
  return i === 0 || b.episode_t[i] !== b.episode_t[i - 1];
}

/** E: the number of episode pieces in the batch (maximal runs of one `episode_t`). */
export function countEpisodes(b: Batch): number {
  let e = 0;
  for (let i = 0; i < b.size; i++) if (isEpisodeStart(b, i)) e++;
  return e;
}

/**
 * The discount weights w_i = γ^{t_i}, t_i = `t_index[i]`. Computed as γ^{t} at each episode
 * start and by multiplication along the episode (γ⁰ = 1, also for γ = 0).
 */
export function discountWeights(b: Batch, gamma: number): Float64Array {
  const w = new Float64Array(b.size);
  let x = 1;
  for (let i = 0; i < b.size; i++) {
    x = isEpisodeStart(b, i) ? Math.pow(gamma, b.t_index[i]!) : x * gamma;
    w[i] = x;
  }
  return w;
}

/**
 * log π_θ(a|s) for one transition, memoized in `cache` (an S·A table initialised to NaN
 * by {@link logProbCache}). Throws `ZERO_PROBABILITY` where π_θ(a|s) = 0 under a direct
 * policy.
 */
export function cachedLogProb(policy: Policy, cache: Float64Array, s: number, a: number): number {
  const k = s * policy.param.numActions + a;
  let v = cache[k]!;
  if (v !== v) { v = policy.param.logProb(policy.theta, s, a); cache[k] = v; }
  return v;
}

/** An S·A table of NaN: "log π not computed yet" for {@link cachedLogProb}. */
export function logProbCache(policy: Policy): Float64Array {
  return new Float64Array(policy.param.numStates * policy.param.numActions).fill(NaN);
}

/**
 * `scale · Σ_{s,a} coef[s*A + a] ∇_θ log π_θ(a|s)` as a new vector, skipping zero
 * coefficients; throws `ESTIMATOR_OVERFLOW` if the result is not finite.
 */
export function scoreCombination(policy: Policy, coef: Float64Array, scale: number, what: string): Float64Array {
  const { param, theta } = policy;
  const g = new Float64Array(param.numParams);
  const A = param.numActions;
  for (let k = 0; k < coef.length; k++) {
    const c = coef[k]!;
    if (c !== 0) param.addScore(theta, Math.floor(k / A), k % A, scale * c, g);
  }
  return checkFiniteResult(g, what);
}

/** 1/E for the per-episode average; throws `ESTIMATOR_EMPTY_BATCH` for an empty batch. */
export function perEpisodeScale(b: Batch, what: string): number {
  const e = countEpisodes(b);
  if (e === 0) fail('ESTIMATOR_EMPTY_BATCH', `${what} averages over the batch's episodes, and the batch is empty`, { where: 'size', value: 0 });
  return 1 / e;
}

/** Σ_i γ^{t_i}; throws `ESTIMATOR_ARGUMENT` when it is 0 (an empty batch, or γ = 0 with no transition at t = 0). */
export function totalWeight(b: Batch, gamma: number, what: string): number {
  let x = 1, total = 0;
  for (let i = 0; i < b.size; i++) {
    x = isEpisodeStart(b, i) ? Math.pow(gamma, b.t_index[i]!) : x * gamma;
    total += x;
  }
  if (!(total > 0)) fail(b.size === 0 ? 'ESTIMATOR_EMPTY_BATCH' : 'ESTIMATOR_ARGUMENT', `${what} is a γ^t-weighted mean over the batch, and the weights sum to ${total} (γ = ${gamma}, ${b.size} transitions)`, { where: 'gamma', value: gamma });
  return total;
}

/**
 * log r_i = log π_θ(a_i|s_i) − `logp_t[i]`: the log-likelihood ratio of the batch's actions
 * under π_θ against the policy that collected them (π_old, or a behaviour policy μ).
 */
export function logRatios(b: Batch, policy: Policy): Float64Array {
  const cache = logProbCache(policy), out = new Float64Array(b.size);
  for (let i = 0; i < b.size; i++) out[i] = cachedLogProb(policy, cache, b.s_t[i]!, b.a_t[i]!) - b.logp_t[i]!;
  return out;
}
