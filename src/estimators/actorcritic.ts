/**
 * Actor-critic policy gradients: the score weighted by an advantage estimate from a critic
 * (A2C/A3C; Mnih et al. 2016; Lehmann 2024, eq. 14 for the n-step advantage, Algorithm 7 /
 * eq. 19 for GAE).
 *
 * $$\hat g = \frac1E \sum_i \gamma^{t_i}\, \nabla_\theta \log\pi_\theta(a_i|s_i)\, \hat A_i,$$
 *
 * averaged over the batch's E episodes (convention in `score.ts`). Unbiased for ∇J on a
 * batch of complete episodes whenever E[Â_i | s_i, a_i] = Q^π(s_i, a_i) − f(s_i) — e.g. GAE
 * or the n-step advantage with the exact V^π, for every λ and n — because
 * Σ_t γ^t E[∇log π Q^π] = ∇J and E[∇log π(a|s)] f(s) = 0. The last step needs a score of
 * mean zero (softmax, log-linear); for the direct parameterization's unconstrained partials
 * the V(s_t) inside Â shifts the mean by −Σ_s η(s) V(s) 1_s (see `reinforce.ts`). On a
 * segment batch it is the ratio estimator of `score.ts`.
 * Pass `gamma = 1` for the score weight on batches stopped geometrically with probability
 * 1−γ (the advantages still use the MDP's γ).
 *
 * @module
 */
import type { Policy } from '../policy/types.js';
import type { Batch } from '../sampling/batch.js';
import { gae, nStepAdvantages } from './advantages.js';
import { checkBatchShape, checkPerStep, checkPolicyForBatch, checkUnitInterval } from './checks.js';
import { policyGradientCoefficients } from './coefficients.js';
import { discountWeights } from './discount.js';
import { perEpisodeScale, policyScoreSum } from './score.js';
import { scratch } from './scratch.js';

/** (1/E) Σ_i γ^{t_i} ∇log π(a_i|s_i) Â_i for given per-step advantages Â. */
export function actorCriticGradient(batch: Batch, policy: Policy, gamma: number, advantages: Float64Array): Float64Array {
  checkBatchShape(batch);
  checkUnitInterval(gamma, 'gamma');
  checkPolicyForBatch(batch, policy);
  checkPerStep(batch, advantages, 'advantages');
  const scale = perEpisodeScale(batch, 'actorCriticGradient');
  const n = batch.size, w = discountWeights(batch.t_index, gamma, scratch(0, n));
  return policyScoreSum(policy, batch, policyGradientCoefficients(advantages, w, scratch(1, n)), scale, 'actorCriticGradient');
}

/** The A3C gradient: {@link actorCriticGradient} with the n-step advantage `nStepAdvantages(batch, values, gamma, n)`. */
export function nStepActorCriticGradient(batch: Batch, policy: Policy, values: Float64Array, gamma: number, n: number): Float64Array {
  return actorCriticGradient(batch, policy, gamma, nStepAdvantages(batch, values, gamma, n));
}

/** The actor-critic gradient with GAE(γ, λ) advantages `gae(batch, values, gamma, lambda)`. */
export function gaeActorCriticGradient(batch: Batch, policy: Policy, values: Float64Array, gamma: number, lambda: number): Float64Array {
  return actorCriticGradient(batch, policy, gamma, gae(batch, values, gamma, lambda));
}
