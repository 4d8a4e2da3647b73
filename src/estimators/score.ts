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
 * the batch sums the coefficients by pair ({@link KeyedSum}), then the score is evaluated
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

export { discountWeights } from './discount.js';

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
 * log π_θ is evaluated once per visited pair when the batch has at least S·A transitions,
 * else once per transition. Throws `ZERO_PROBABILITY` where π_θ(a_i|s_i) = 0 under a
 * direct policy.
 */
export function logRatios(b: Batch, policy: Policy): Float64Array {
  const { param, theta } = policy, A = param.numActions, out = new Float64Array(b.size);
  const cache = b.size >= b.numStates * A ? new Float64Array(b.numStates * A).fill(NaN) : undefined;
  for (let i = 0; i < b.size; i++) {
    const s = b.s_t[i]!, a = b.a_t[i]!;
    let lp: number;
    if (cache === undefined) lp = param.logProb(theta, s, a);
    else { lp = cache[s * A + a]!; if (lp !== lp) { lp = param.logProb(theta, s, a); cache[s * A + a] = lp; } }
    out[i] = lp - b.logp_t[i]!;
  }
  return out;
}
