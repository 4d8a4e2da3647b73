/**
 * The entropy bonus (Williams & Peng 1991; Mnih et al. 2016; Schulman et al. 2017, eq. 9):
 *
 * $$\text{loss}(\theta) = -c\,\frac1E\sum_i \gamma^{t_i} H\big(\pi_\theta(\cdot|s_i)\big),\qquad H(\pi(\cdot|s)) = -\sum_a \pi(a|s)\log\pi(a|s),$$
 *
 * so that minimizing the loss *raises* the entropy (c ≥ 0). The γ^t/E weighting of
 * `score.ts` makes the loss an unbiased estimate of −c Σ_s η(s) H(s) on complete episodes.
 * Gradient: ∇_θ H(s) = −Σ_a ∇π(a|s)(log π(a|s) + 1) = −Σ_a ∇π(a|s) log π(a|s) (as
 * Σ_a ∇π = 0), evaluated once per visited state. For a direct policy with π(a|s) = 0 in a
 * visited state the gradient is infinite: `ZERO_PROBABILITY`.
 *
 * @module
 */
import type { Policy } from '../policy/types.js';
import type { Batch } from '../sampling/batch.js';
import { checkBatchShape, checkFiniteResult, checkNonNegative, checkPolicyForBatch, checkUnitInterval } from './checks.js';
import { discountWeights } from './discount.js';
import { KeyedSum, perEpisodeScale } from './score.js';
import { scratch } from './scratch.js';
import type { Surrogate } from './surrogate.js';

/**
 * H(π_θ(·|s)), writing log π_θ(a|s) into `logRow` (finite for softmax and log-linear
 * policies even where π underflows; `ZERO_PROBABILITY` for a direct policy with π(a|s) = 0,
 * where ∂H/∂π(a|s) = −(log π(a|s) + 1) is infinite).
 */
function stateEntropy(policy: Policy, s: number, row: Float64Array, logRow: Float64Array): number {
  policy.param.probsRow(policy.theta, s, row, 0);
  let h = 0;
  for (let a = 0; a < row.length; a++) {
    logRow[a] = policy.param.logProb(policy.theta, s, a);
    if (row[a]! > 0) h -= row[a]! * logRow[a]!;
  }
  return h;
}

/** The entropy bonus as a loss, with coefficient c (module comment). */
export function entropyBonus(batch: Batch, policy: Policy, gamma: number, coefficient: number): Surrogate {
  checkBatchShape(batch);
  checkUnitInterval(gamma, 'gamma');
  checkPolicyForBatch(batch, policy);
  checkNonNegative(coefficient, 'coefficient');
  const scale = perEpisodeScale(batch, 'entropyBonus');
  const c = new KeyedSum(batch.numStates, batch.size);
  const w = discountWeights(batch.t_index, gamma, scratch(0, batch.size));
  for (let i = 0; i < batch.size; i++) c.add(batch.s_t[i]!, w[i]!);
  const A = batch.numActions, row = new Float64Array(A), logRow = new Float64Array(A), g = new Float64Array(policy.param.numParams);
  let H = 0;
  c.forEach((s, c_s) => {
    H += c_s * stateEntropy(policy, s, row, logRow);
    // ∇loss = −c·scale·c_s·∇H(s) = c·scale·c_s·Σ_a ∇π(a|s) log π(a|s)
    for (let a = 0; a < A; a++) logRow[a] = coefficient * scale * c_s * logRow[a]!;
    policy.param.addDProbs(policy.theta, s, logRow, 0, g);
  });
  return { loss: -coefficient * scale * H, gradient: checkFiniteResult(g, 'entropyBonus') };
}
