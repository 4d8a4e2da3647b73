/**
 * The importance-sampled (off-policy) policy gradient: episodes drawn by a behaviour policy
 * μ, whose log-probabilities log μ(a_t|s_t) the batch holds in `logp_t`, re-weighted to
 * estimate ∇J at the target policy π_θ (Precup, Sutton & Singh 2000; Degris, White & Sutton
 * 2012).
 *
 * With ρ_k = π_θ(a_k|s_k)/μ(a_k|s_k) and ρ_{j:k} = Π_{l=j}^{k} ρ_l (counted from the episode's
 * first transition in the batch):
 *
 * - whole-trajectory: $\hat g = \frac1E\sum_e \rho_{0:T-1} \sum_t \gamma^t \nabla\log\pi_\theta(a_t|s_t)(G_t - b(s_t))$;
 * - per-decision: $\hat g = \frac1E\sum_e \sum_t \gamma^t \rho_{0:t} \nabla\log\pi_\theta(a_t|s_t)\big(C_t - b(s_t)\big)$,
 *   $C_t = r_t + \gamma\,\rho_{t+1}\,C_{t+1}$ (C = 0 past the episode's end), i.e. each reward
 *   r_k is weighted by the ratios of the actions before it only: Σ_{k≥t} γ^k ρ_{0:k} r_k.
 *
 * Both are unbiased for ∇J(π_θ) on complete episodes when μ(a|s) > 0 wherever π_θ(a|s) > 0:
 * E_μ[ρ_{0:k} f(τ_{0:k})] = E_π[f(τ_{0:k})], and a state baseline keeps its mean zero since
 * E_μ[ρ_t ∇log π(a_t|s_t) | s_t] = Σ_a ∇π(a|s_t) = 0. The per-decision form drops the ratios
 * of actions after each reward and has the smaller variance. With μ = π both equal
 * `reinforceRewardToGo`. Monte Carlo returns: a truncation ends the sum. The products of
 * ratios can overflow for long episodes: the result is checked and `ESTIMATOR_OVERFLOW`
 * thrown rather than Infinity returned.
 *
 * @module
 */
import type { Policy } from '../policy/types.js';
import type { Batch } from '../sampling/batch.js';
import { checkPolicyForBatch, checkUnitInterval, checkValueTable } from './checks.js';
import { rewardToGo } from './returns.js';
import { discountWeights } from './discount.js';
import { isEpisodeStart, logRatios, pairSum, perEpisodeScale, scoreCombination } from './score.js';
import { scratch } from './scratch.js';

function checkArgs(batch: Batch, policy: Policy, gamma: number, baseline: Float64Array | undefined): void {
  checkUnitInterval(gamma, 'gamma');
  checkPolicyForBatch(batch, policy);
  if (baseline !== undefined) checkValueTable(batch, baseline, 'baseline');
}

/** ρ_i = π_θ(a_i|s_i)/μ(a_i|s_i) = exp(log π_θ(a_i|s_i) − logp_t[i]) for every transition. */
export function importanceRatios(batch: Batch, policy: Policy): Float64Array {
  checkPolicyForBatch(batch, policy);
  const out = logRatios(batch, policy);
  for (let i = 0; i < out.length; i++) out[i] = Math.exp(out[i]!);
  return out;
}

/** The whole-trajectory importance-sampled gradient (module comment). */
export function offPolicyGradientWholeTrajectory(batch: Batch, policy: Policy, gamma: number, baseline?: Float64Array): Float64Array {
  checkArgs(batch, policy, gamma, baseline);
  const scale = perEpisodeScale(batch, 'offPolicyGradientWholeTrajectory');
  const G = rewardToGo(batch, gamma), logRho_t = logRatios(batch, policy);
  const A = batch.numActions, coef = pairSum(batch), w = discountWeights(batch.t_index, gamma, scratch(0, batch.size));
  for (let start = 0, end = 0; start < batch.size; start = end) {
    let logRho = 0;
    for (end = start; end < batch.size && (end === start || !isEpisodeStart(batch, end)); end++) logRho += logRho_t[end]!;
    const weight = Math.exp(logRho);
    for (let i = start; i < end; i++) {
      const s = batch.s_t[i]!;
      coef.add(s * A + batch.a_t[i]!, weight * w[i]! * (G[i]! - (baseline ? baseline[s]! : 0)));
    }
  }
  return scoreCombination(policy, coef, scale, 'offPolicyGradientWholeTrajectory');
}

/** The per-decision importance-sampled gradient (module comment). */
export function offPolicyGradientPerDecision(batch: Batch, policy: Policy, gamma: number, baseline?: Float64Array): Float64Array {
  checkArgs(batch, policy, gamma, baseline);
  const scale = perEpisodeScale(batch, 'offPolicyGradientPerDecision');
  const rho = importanceRatios(batch, policy), C = new Float64Array(batch.size);
  for (let i = batch.size - 1, c = 0; i >= 0; i--) {
    c = batch.r_t[i]! + (batch.terminated_t[i] || batch.truncated_t[i] ? 0 : gamma * rho[i + 1]! * c);
    C[i] = c;
  }
  const A = batch.numActions, coef = pairSum(batch), w = discountWeights(batch.t_index, gamma, scratch(0, batch.size));
  let rho0t = 1;
  for (let i = 0; i < batch.size; i++) {
    rho0t = isEpisodeStart(batch, i) ? rho[i]! : rho0t * rho[i]!;
    const s = batch.s_t[i]!;
    coef.add(s * A + batch.a_t[i]!, w[i]! * rho0t * (C[i]! - (baseline ? baseline[s]! : 0)));
  }
  return scoreCombination(policy, coef, scale, 'offPolicyGradientPerDecision');
}
