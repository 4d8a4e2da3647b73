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
import { isEpisodeStart, logRatios, pairSum, perEpisodeScale, scoreCombination } from './score.js';
import type { Surrogate } from './surrogate.js';

/** PPO's clipped surrogate as a loss: `loss` = −L^CLIP(θ), `gradient` = −∇L^CLIP(θ) (module comment). */
export function ppoClipSurrogate(batch: Batch, policy: Policy, gamma: number, advantages: Float64Array, epsilon: number): Surrogate {
  checkBatchShape(batch);
  checkUnitInterval(gamma, 'gamma');
  checkPolicyForBatch(batch, policy);
  checkPerStep(batch, advantages, 'advantages');
  checkNonNegative(epsilon, 'epsilon');
  const scale = perEpisodeScale(batch, 'ppoClipSurrogate');
  const logRho = logRatios(batch, policy), A = batch.numActions, coef = pairSum(batch);
  let w = 1, L = 0;
  for (let i = 0; i < batch.size; i++) {
    w = isEpisodeStart(batch, i) ? Math.pow(gamma, batch.t_index[i]!) : w * gamma;
    const rho = Math.exp(logRho[i]!), adv = advantages[i]!;
    const unclipped = rho * adv, clipped = Math.min(Math.max(rho, 1 - epsilon), 1 + epsilon) * adv;
    L += w * Math.min(unclipped, clipped);
    if (unclipped <= clipped) coef.add(batch.s_t[i]! * A + batch.a_t[i]!, w * unclipped);
  }
  return { loss: -L * scale, gradient: scoreCombination(policy, coef, -scale, 'ppoClipSurrogate') };
}
