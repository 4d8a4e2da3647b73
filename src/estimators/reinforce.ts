/**
 * REINFORCE: the score-function (likelihood-ratio) estimate of ∇J from complete episodes
 * (Williams 1992; Lehmann 2024, Theorem 3.1).
 *
 * Every estimator here returns the average over the batch's E episodes of one per-episode
 * term (see `score.ts` for the convention), optionally with a state baseline b(s) (a table
 * `baseline[s]`: a constant, a learned table, the exact V^π, or b*). Returns are Monte
 * Carlo returns (no critic): a truncation ends the sum. The estimate is unbiased for ∇J when
 * every episode starts at t = 0 from p0 and ends by termination — or by geometric stopping
 * with probability 1−γ, with `gamma = 1` passed here (the stopping already discounts).
 * A time-limit truncation makes it the gradient of the truncated-horizon objective.
 *
 * | function | per-episode term | mean |
 * | --- | --- | --- |
 * | {@link reinforceRewardToGo} | Σ_t γ^t ∇log π(a_t|s_t)(G_t − b(s_t)) | ∇J |
 * | {@link reinforceTotalReturn} | Σ_t ∇log π(a_t|s_t)(R − γ^t b(s_t)) | ∇J (larger variance) |
 * | {@link reinforceRewardToGoNoDiscountWeight} | Σ_t ∇log π(a_t|s_t)(G_t − b(s_t)) | Σ_s η̄(s) Σ_a ∇π(a|s) Q(s,a) — **biased** |
 *
 * with G_t = Σ_{k≥t} γ^{k−t} r_k and R = Σ_k γ^k r_k.
 *
 * **The score's zero mean.** A baseline, and the past rewards inside R, leave the mean
 * unchanged because E_{a∼π}[∇log π(a|s)] = Σ_a ∇π(a|s) = 0 — true for the softmax and
 * log-linear parameterizations, *not* for the direct one, whose partials ∂/∂θ_{s,a} ignore
 * Σ_a π(a|s) = 1 (E[∇log π] = 1_s, the all-ones vector of state s's block). For direct
 * policies the reward-to-go form without a baseline is unbiased for the partials η(s)Q(s,a);
 * a baseline b shifts the mean by −Σ_s η(s) b(s) 1_s, and the total-return form is biased
 * the same way — along directions normal to the simplex, which a projected step discards.
 *
 * @module
 */
import type { Policy } from '../policy/types.js';
import type { Batch } from '../sampling/batch.js';
import { checkBatchShape, checkNotEmpty, checkPolicyForBatch, checkUnitInterval, checkValueTable } from './checks.js';
import { discountWeightedReturns, returnsFromRewards } from './core-advantages.js';
import { discountWeighted, discountWeights } from './discount.js';
import { countEpisodes, isEpisodeStart, policyScoreSum } from './score.js';
import { scratch } from './scratch.js';

function checkReinforceArgs(batch: Batch, policy: Policy, gamma: number, baseline: Float64Array | undefined, what: string): void {
  checkUnitInterval(gamma, 'gamma');
  checkPolicyForBatch(batch, policy);
  if (baseline !== undefined) checkValueTable(batch, baseline, 'baseline');
  checkNotEmpty(batch, what);
  checkBatchShape(batch);
}

/**
 * The reward-to-go forms, Σ_i w_i (G_i − b(s_i)) ∇log π(a_i|s_i) / E with w_i = γ^{t_i}
 * (`discountWeight`) or 1, through the cores:
 *
 * - with the γ^t weight, c_t = γ^{t} G_t = Σ_{k≥t} γ^{k} r_k (Lehmann 2024, Theorem 3.1): the
 *   rewards discounted from the episode's t = 0 and summed backward with discount 1 in one
 *   pass by the core's `discountWeightedReturns` (a truncation ends the sum), minus γ^t b(s_t);
 * - without it, c_t = G_t − b(s_t) with G_t from `returnsFromRewards`;
 *
 * then the policy's score sum (summed by (s, a) pair). γ^t G_t is summed in the order
 * Σ_k γ^k r_k here, not γ^t·(r_t + γ G_{t+1}): the same number to rounding (the last bits
 * differ), and one multiplication fewer on the recursion's critical path.
 */
function rewardToGoScore(batch: Batch, policy: Policy, gamma: number, baseline: Float64Array | undefined, discountWeight: boolean, what: string): Float64Array {
  const { r_t, s_t, t_index, terminated_t, truncated_t } = batch, n = batch.size, c = scratch(1, n);
  if (!discountWeight) {
    returnsFromRewards(r_t, terminated_t, truncated_t, gamma, undefined, c);
    if (baseline) for (let i = 0; i < n; i++) c[i] = c[i]! - baseline[s_t[i]!]!;
  } else {
    discountWeightedReturns(r_t, t_index, gamma, terminated_t, truncated_t, 1, c);
    if (baseline) {
      const b_t = scratch(0, n);
      for (let i = 0; i < n; i++) b_t[i] = baseline[s_t[i]!]!;
      discountWeighted(b_t, t_index, gamma, b_t);
      for (let i = 0; i < n; i++) c[i] = c[i]! - b_t[i]!;
    }
  }
  return policyScoreSum(policy, batch, c, 1 / countEpisodes(batch), what);
}

/**
 * The total-return form, Σ_i (R_e − w_i b(s_i)) ∇log π(a_i|s_i) / E: G_t by the backward
 * recursion, w_t = γ^{t} by `discountWeights`, R_e = w G at the episode's first
 * transition, c_i = R_e − w_i b(s_i), and the policy's score sum.
 */
function totalReturnScore(batch: Batch, policy: Policy, gamma: number, baseline: Float64Array | undefined, what: string): Float64Array {
  const n = batch.size, G = returnsFromRewards(batch.r_t, batch.terminated_t, batch.truncated_t, gamma, undefined, scratch(2, n));
  const w = discountWeights(batch.t_index, gamma, scratch(0, n)), c = scratch(1, n);
  let R = 0;
  for (let i = 0; i < n; i++) {
    if (isEpisodeStart(batch, i)) R = w[i]! * G[i]!;
    c[i] = R - w[i]! * (baseline ? baseline[batch.s_t[i]!]! : 0);
  }
  return policyScoreSum(policy, batch, c, 1 / countEpisodes(batch), what);
}

/**
 * REINFORCE with reward-to-go and the γ^t weight — unbiased for ∇J:
 *
 * $$\hat g = \frac1E \sum_{e} \sum_{t} \gamma^{t} \nabla_\theta \log\pi_\theta(a_t|s_t)\,\big(G_t - b(s_t)\big).$$
 *
 * Unbiased because E[γ^t ∇log π(a_t|s_t) G_t] = γ^t E[∇log π Q^π(s_t,a_t)] (the rewards before
 * t are independent of a_t given s_t), summing over t to Σ_s η(s) Σ_a ∇π Q = ∇J.
 */
export function reinforceRewardToGo(batch: Batch, policy: Policy, gamma: number, baseline?: Float64Array): Float64Array {
  checkReinforceArgs(batch, policy, gamma, baseline, 'reinforceRewardToGo');
  return rewardToGoScore(batch, policy, gamma, baseline, true, 'reinforceRewardToGo');
}

/**
 * REINFORCE with the whole-episode return (Williams 1992) — unbiased for ∇J:
 *
 * $$\hat g = \frac1E \sum_{e} \sum_{t} \nabla_\theta \log\pi_\theta(a_t|s_t)\,\big(R_e - \gamma^t b(s_t)\big),\qquad R_e = \sum_k \gamma^k r_k.$$
 *
 * The γ^t weight sits inside R_e (γ^k on each reward). It equals the reward-to-go estimate
 * plus Σ_t ∇log π(a_t|s_t) Σ_{k<t} γ^k r_k, a term of mean zero that only adds variance
 * (the variance-only mutant of the catalogue). For a piece starting at t_index > 0, R_e
 * is counted from the piece's first transition, discounted from t = 0.
 */
export function reinforceTotalReturn(batch: Batch, policy: Policy, gamma: number, baseline?: Float64Array): Float64Array {
  checkReinforceArgs(batch, policy, gamma, baseline, 'reinforceTotalReturn');
  return totalReturnScore(batch, policy, gamma, baseline, 'reinforceTotalReturn');
}

/**
 * REINFORCE with reward-to-go **without** the γ^t weight — the widespread variant, **biased**
 * for γ < 1 (Thomas 2014; Nota & Thomas 2020):
 *
 * $$\hat g = \frac1E \sum_{e} \sum_{t} \nabla_\theta \log\pi_\theta(a_t|s_t)\,\big(G_t - b(s_t)\big),\qquad \mathbb E[\hat g] = \sum_s \bar\eta(s) \sum_a \nabla\pi(a|s)\, Q^\pi(s,a),$$
 *
 * with the *undiscounted* visitation η̄(s) = Σ_t Pr(s_t = s) in place of η: not ∇J, and in
 * general not the gradient of any objective. It equals {@link reinforceRewardToGo} when
 * γ = 1.
 */
export function reinforceRewardToGoNoDiscountWeight(batch: Batch, policy: Policy, gamma: number, baseline?: Float64Array): Float64Array {
  checkReinforceArgs(batch, policy, gamma, baseline, 'reinforceRewardToGoNoDiscountWeight');
  return rewardToGoScore(batch, policy, gamma, baseline, false, 'reinforceRewardToGoNoDiscountWeight');
}
