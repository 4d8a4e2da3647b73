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
import { rewardToGoInto } from './returns.js';
import { pairSum, scoreCombination } from './score.js';

function checkReinforceArgs(batch: Batch, policy: Policy, gamma: number, baseline: Float64Array | undefined, what: string): void {
  checkUnitInterval(gamma, 'gamma');
  checkPolicyForBatch(batch, policy);
  if (baseline !== undefined) checkValueTable(batch, baseline, 'baseline');
  checkNotEmpty(batch, what);
  checkBatchShape(batch);
}

/** γ^t for t = 0 … `length − 1`, by repeated multiplication from 1 (a buffer reused from call to call). */
let powers = Float64Array.of(1), powersGamma = NaN, powersLength = 0;

/** The largest t whose γ^t is kept in `powers`; beyond it, Math.pow. */
const MAX_POWER_TABLE = 1 << 16;

/** Makes `powers` hold γ^t for t ≤ `t` (up to {@link MAX_POWER_TABLE}); returns how many it holds. */
function extendPowers(gamma: number, t: number): number {
  if (gamma !== powersGamma) { powersGamma = gamma; powersLength = 1; powers[0] = 1; }
  const n = Math.min(t + 1, MAX_POWER_TABLE);
  if (n > powers.length) { const grown = new Float64Array(Math.min(Math.max(n, 2 * powers.length), MAX_POWER_TABLE)); grown.set(powers.subarray(0, powersLength)); powers = grown; }
  for (let k = powersLength; k < n; k++) powers[k] = powers[k - 1]! * gamma;
  powersLength = Math.max(powersLength, n);
  return powersLength;
}

/**
 * The reward-to-go forms, Σ_i w_i (G_i − b(s_i)) ∇log π(a_i|s_i) / E with w_i = γ^{t_i}
 * (`discountWeight`) or 1, in one backward pass: G_t by the recursion of `rewardToGo`,
 * w_i = γ^{t_i} from a table of powers (γ^t by repeated multiplication, as a forward pass
 * along an episode from t = 0 would carry it), E by counting the episode pieces, and the
 * coefficients summed by (s, a) pair.
 */
function rewardToGoScore(batch: Batch, policy: Policy, gamma: number, baseline: Float64Array | undefined, discountWeight: boolean, what: string): Float64Array {
  const { r_t, s_t, a_t, t_index, episode_t, terminated_t, truncated_t } = batch, A = batch.numActions, coef = pairSum(batch);
  let g = 0, episodes = 0, held = discountWeight ? extendPowers(gamma, 0) : 0;
  for (let i = batch.size - 1; i >= 0; i--) {
    if (i === batch.size - 1 || episode_t[i] !== episode_t[i + 1]) episodes++;
    g = r_t[i]! + gamma * (terminated_t[i] || truncated_t[i] ? 0 : g);
    const s = s_t[i]!, b = baseline ? baseline[s]! : 0;
    let c = g - b;
    if (discountWeight) {
      const t = t_index[i]!;
      if (t >= held) held = extendPowers(gamma, t);
      c *= t < held ? powers[t]! : Math.pow(gamma, t);
    }
    coef.add(s * A + a_t[i]!, c);
  }
  return scoreCombination(policy, coef, 1 / episodes, what);
}

/** G_t of the batch in a buffer reused from call to call (it never leaves this module). */
let returnsScratch = new Float64Array(0);

/**
 * The total-return form, Σ_i (R_e − w_i b(s_i)) ∇log π(a_i|s_i) / E: G_t by the backward
 * recursion, then one forward pass that counts the episodes E, carries w = γ^t along each
 * episode (R_e = w G at its first transition) and sums the coefficients by (s, a) pair.
 */
function totalReturnScore(batch: Batch, policy: Policy, gamma: number, baseline: Float64Array | undefined, what: string): Float64Array {
  if (returnsScratch.length < batch.size) returnsScratch = new Float64Array(Math.max(batch.size, 2 * returnsScratch.length));
  const G = rewardToGoInto(batch, gamma, returnsScratch);
  const { s_t, a_t, t_index, episode_t } = batch, A = batch.numActions, coef = pairSum(batch);
  let w = 1, R = 0, episodes = 0;
  for (let i = 0; i < batch.size; i++) {
    if (i === 0 || episode_t[i] !== episode_t[i - 1]) { episodes++; w = Math.pow(gamma, t_index[i]!); R = w * G[i]!; } else w *= gamma;
    const s = s_t[i]!;
    coef.add(s * A + a_t[i]!, R - w * (baseline ? baseline[s]! : 0));
  }
  return scoreCombination(policy, coef, 1 / episodes, what);
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
