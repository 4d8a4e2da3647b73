/**
 * PPO's clipped surrogate (Schulman et al. 2017, eq. 7; Lehmann 2024, eq. 18):
 *
 * $$L^{\text{CLIP}}(\theta) = \frac1E\sum_i \gamma^{t_i}\min\big(\rho_i(\theta)\hat A_i,\ \operatorname{clip}(\rho_i(\theta), 1-\epsilon, 1+\epsilon)\,\hat A_i\big),$$
 *
 * ρ_i = π_θ(a_i|s_i)/π_old(a_i|s_i) (π_old from `logp_t`), with the γ^t/E weighting of
 * `score.ts` (implementations commonly take the plain mean over transitions instead, which
 * estimates the gradient under the undiscounted visitation — see
 * `reinforceRewardToGoNoDiscountWeight`). The min is taken **after** multiplying by Â:
 * for Â > 0 the ratio is capped at 1+ε, for Â < 0 at 1−ε.
 *
 * Gradient: where the unclipped term is the smaller (or they tie), γ^t ρ_i Â_i ∇log π(a_i|s_i);
 * where the clipped term is strictly smaller the clip is active and the term is constant in
 * θ: gradient 0. At θ = θ_old (ρ = 1) nothing is clipped and −`gradient` is the
 * actor-critic gradient (1/E)Σγ^t ∇log π Â. At ρ exactly 1±ε the unclipped branch's
 * gradient is returned (a one-sided derivative).
 *
 * @module
 */
import type { Policy } from '../policy/types.js';
import type { Batch } from '../sampling/batch.js';
import { checkBatchShape, checkNonNegative, checkPerStep, checkPolicyForBatch, checkUnitInterval } from './checks.js';
import { logProbs } from '../policy/score-sum.js';
import { ppoClipCoefficients } from './coefficients.js';
import { discountWeights } from './discount.js';
import { perEpisodeScale, policyScoreSum } from './score.js';
import { scratch } from './scratch.js';
import type { Surrogate } from './surrogate.js';

/** PPO's clipped surrogate as a loss: `loss` = −L^CLIP(θ), `gradient` = −∇L^CLIP(θ) (module comment). */
export function ppoClipSurrogate(batch: Batch, policy: Policy, gamma: number, advantages: Float64Array, epsilon: number): Surrogate {
  checkBatchShape(batch);
  checkUnitInterval(gamma, 'gamma');
  checkPolicyForBatch(batch, policy);
  checkPerStep(batch, advantages, 'advantages');
  checkNonNegative(epsilon, 'epsilon');
  const scale = perEpisodeScale(batch, 'ppoClipSurrogate');
  const n = batch.size, logp = logProbs(policy.param, policy.theta, batch, scratch(2, n)), w = discountWeights(batch.t_index, gamma, scratch(0, n));
  const r = ppoClipCoefficients(logp, batch.logp_t, advantages, epsilon, w, scratch(1, n));
  return { loss: r.loss * scale, gradient: policyScoreSum(policy, batch, r.coefficients, -scale, 'ppoClipSurrogate') };
}
