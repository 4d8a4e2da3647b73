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
import { klK3 } from './kl.js';
import { isEpisodeStart, logRatios, pairSum, perEpisodeScale, scoreCombination } from './score.js';
import type { Surrogate } from './surrogate.js';

/** The k3 KL penalty as a loss, with coefficient β (module comment). */
export function klPenalty(batch: Batch, policy: Policy, gamma: number, beta: number): Surrogate {
  checkBatchShape(batch);
  checkUnitInterval(gamma, 'gamma');
  checkPolicyForBatch(batch, policy);
  checkNonNegative(beta, 'beta');
  const scale = perEpisodeScale(batch, 'klPenalty');
  const logRho = logRatios(batch, policy), k3 = klK3(logRho), A = batch.numActions, coef = pairSum(batch);
  let w = 1, loss = 0;
  for (let i = 0; i < batch.size; i++) {
    w = isEpisodeStart(batch, i) ? Math.pow(gamma, batch.t_index[i]!) : w * gamma;
    loss += w * k3[i]!;
    coef.add(batch.s_t[i]! * A + batch.a_t[i]!, w * Math.expm1(logRho[i]!));
  }
  return { loss: beta * scale * loss, gradient: scoreCombination(policy, coef, beta * scale, 'klPenalty') };
}
