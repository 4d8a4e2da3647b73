/**
 * The KL penalty (Schulman et al. 2017, eq. 8), estimated from the
 * batch's own actions with Schulman's k3 (2020, "Approximating KL Divergence"):
 *
 * $$\text{loss}(\theta) = \beta\,\frac1E\sum_i \gamma^{t_i}\big((\rho_i - 1) - \log\rho_i\big),\qquad \nabla_\theta\,\text{loss} = \beta\,\frac1E\sum_i \gamma^{t_i}(\rho_i - 1)\,\nabla_\theta\log\pi_\theta(a_i|s_i),$$
 *
 * ρ_i = π_θ(a_i|s_i)/π_old(a_i|s_i) with a_i ∼ π_old (`logp_t`), β ≥ 0. Minimizing the loss
 * pulls π_θ toward π_old. Both are unbiased on complete episodes: the loss for
 * β Σ_s η(s) KL(π_old(·|s) ‖ π_θ(·|s)), and the gradient for its gradient, because
 * E_{a∼π_old}[(ρ − 1)∇log π_θ(a|s)] = Σ_a ∇π_θ(a|s) − Σ_a π_old(a|s)∇log π_θ(a|s) = ∇_θ KL(π_old‖π_θ)(s).
 * At θ = θ_old the loss and its gradient are 0.
 *
 * @module
 */
import type { Policy } from '../policy/types.js';
import type { Batch } from '../sampling/batch.js';
import { checkBatchShape, checkNonNegative, checkPolicyForBatch, checkUnitInterval } from './checks.js';
import { logProbs } from '../policy/score-sum.js';
import { klK3Coefficients, meanKlK3FromLogProbs } from './coefficients.js';
import { discountWeights } from './discount.js';
import { perEpisodeScale, policyScoreSum } from './score.js';
import { scratch } from './scratch.js';
import type { Surrogate } from './surrogate.js';

/** The k3 KL penalty as a loss, with coefficient β (module comment). */
export function klPenalty(batch: Batch, policy: Policy, gamma: number, beta: number): Surrogate {
  checkBatchShape(batch);
  checkUnitInterval(gamma, 'gamma');
  checkPolicyForBatch(batch, policy);
  checkNonNegative(beta, 'beta');
  const scale = perEpisodeScale(batch, 'klPenalty');
  const n = batch.size, logp = logProbs(policy.param, policy.theta, batch, scratch(2, n)), w = discountWeights(batch.t_index, gamma, scratch(0, n));
  const loss = meanKlK3FromLogProbs(logp, batch.logp_t, w);
  const c = klK3Coefficients(logp, batch.logp_t, w, scratch(1, n));
  return { loss: beta * scale * loss, gradient: policyScoreSum(policy, batch, c, beta * scale, 'klPenalty') };
}
