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
 * the batch sums the coefficients by pair ({@link KeyedSum}; for the coefficient estimators this
 * is the policy's own `scoreSum`, `src/policy/score-sum.ts`), then the score is evaluated
 * once per visited pair. The estimate is the same sum in another order (it agrees with the
 * per-transition sum to rounding), and costs O(n + pairs·cost(score)) instead of
 * O(n·cost(score)). The sums live in a dense S·A table when the batch has at least S·A
 * transitions and in a map otherwise, so no estimator allocates more than O(batch size)
 * besides its output (a huge MDP with a short batch costs no S·A table).
 *
 * @module
 */
import { fail } from '../errors.js';
import { KeyedSum } from '../linalg/keyed-sum.js';
import { logProbs, scoreSum } from '../policy/score-sum.js';
import type { Policy } from '../policy/types.js';
import type { Batch } from '../sampling/batch.js';
import { checkFiniteResult } from './checks.js';
import { discountWeights } from './discount.js';
import { scratch } from './scratch.js';

/** True when transition i is the first of its episode piece in the batch. */
export function isEpisodeStart(b: Batch, i: number): boolean {
  return startsEpisode(b.episode_t, i);
}

/** {@link isEpisodeStart} on the batch's `episode_t` (for loops that hold it in a local). */
function startsEpisode(episode_t: Int32Array, i: number): boolean {
  return i === 0 || episode_t[i] !== episode_t[i - 1];
}

/** E: the number of episode pieces in the batch (maximal runs of one `episode_t`). */
export function countEpisodes(b: Batch): number {
  const { episode_t } = b, n = b.size;
  let e = n > 0 && startsEpisode(episode_t, 0) ? 1 : 0;
  for (let i = 1; i < n; i++) if (startsEpisode(episode_t, i)) e++;
  return e;
}

export { discountWeights };

export { KeyedSum };

/** A {@link KeyedSum} over the (s, a) pairs of a batch: key s·A + a. */
export function pairSum(b: Batch): KeyedSum {
  return new KeyedSum(b.numStates * b.numActions, b.size);
}

/**
 * `scale · Σ_{s,a} sums[s·A + a] ∇_θ log π_θ(a|s)` as a new vector (pairs with sum 0 are
 * skipped); throws `ESTIMATOR_OVERFLOW` if the result is not finite.
 */
export function scoreCombination(policy: Policy, sums: KeyedSum, scale: number, what: string): Float64Array {
  const { param, theta } = policy, A = param.numActions;
  const g = new Float64Array(param.numParams);
  sums.forEach((k, c) => param.addScore(theta, Math.floor(k / A), k % A, scale * c, g));
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
  const w = discountWeights(b.t_index, gamma, scratch(3, b.size));
  let total = 0;
  for (let i = 0; i < b.size; i++) total += w[i]!;
  if (!(total > 0)) fail(b.size === 0 ? 'ESTIMATOR_EMPTY_BATCH' : 'ESTIMATOR_ARGUMENT', `${what} is a γ^t-weighted mean over the batch, and the weights sum to ${total} (γ = ${gamma}, ${b.size} transitions)`, { where: 'gamma', value: gamma });
  return total;
}

/**
 * log r_i = log π_θ(a_i|s_i) − `logp_t[i]`: the log-likelihood ratio of the batch's actions
 * under π_θ against the policy that collected them (π_old, or a behaviour policy μ).
 * log π_θ is evaluated once per visited pair when the batch has at least S·A transitions,
 * else once per transition. Throws `ZERO_PROBABILITY` where π_θ(a_i|s_i) = 0 under a
 * direct policy.
 */
export function logRatios(b: Batch, policy: Policy): Float64Array {
  const out = logProbs(policy.param, policy.theta, b);
  for (let i = 0; i < b.size; i++) out[i] = out[i]! - b.logp_t[i]!;
  return out;
}

/**
 * `scale · Σ_i c_i ∇_θ log π_θ(a_i|s_i)` through the policy's score sum (`scoreSum` of
 * `src/policy/score-sum.ts`: summed by (s, a) pair first); throws `ESTIMATOR_OVERFLOW` if
 * the result is not finite.
 */
export function policyScoreSum(policy: Policy, b: Batch, c_t: Float64Array, scale: number, what: string): Float64Array {
  return checkFiniteResult(scoreSum(policy.param, policy.theta, b, c_t, undefined, scale), what);
}
