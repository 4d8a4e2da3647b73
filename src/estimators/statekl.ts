/**
 * The exact per-state KL between two policies, averaged over the states of a batch:
 *
 * $$\bar D(\theta) = \frac{\sum_i w_i\, D_{\mathrm{KL}}\big(\pi_{\text{old}}(\cdot|s_i)\,\|\,\pi_\theta(\cdot|s_i)\big)}{\sum_i w_i},\qquad w_i = \gamma^{t_i},$$
 *
 * the sample estimate of E_{s∼d}[KL(π_old‖π_θ)(s)] that TRPO constrains (the "mean KL" of
 * Schulman et al. 2015; Lehmann 2024, §4.3) and V-MPO's trust region penalizes (with
 * γ = 1: the plain mean over the batch's states; Lehmann 2024, §4.5). A ratio estimator:
 * consistent, not unbiased, for the d-weighted mean. Its gradient is
 * $\nabla_\theta \bar D = -\frac{1}{\sum_i w_i}\sum_i w_i \sum_a \pi_{\text{old}}(a|s_i)\nabla_\theta\log\pi_\theta(a|s_i)$,
 * which vanishes at θ = θ_old.
 *
 * @module
 */
import { fail } from '../errors.js';
import type { Policy } from '../policy/types.js';
import type { Batch } from '../sampling/batch.js';
import { checkFiniteResult, checkPolicyForBatch, checkUnitInterval } from './checks.js';
import { discountWeights } from './discount.js';
import { KeyedSum, totalWeight } from './score.js';
import { scratch } from './scratch.js';

/**
 * KL(π_old(·|s) ‖ π_θ(·|s)) = Σ_a π_old(a|s)(log π_old(a|s) − log π_θ(a|s)), terms with
 * π_old(a|s) = 0 omitted, computed from log-probabilities (stable for large logits).
 * Throws `DIVERGENCE_INFINITE` where π_θ(a|s) = 0 < π_old(a|s). `row` is an A-long scratch.
 */
export function stateKl(oldPolicy: Policy, policy: Policy, s: number, row: Float64Array): number {
  oldPolicy.param.probsRow(oldPolicy.theta, s, row, 0);
  let kl = 0;
  for (let a = 0; a < row.length; a++) {
    const p = row[a]!;
    if (p === 0) continue;
    if (policy.param.kind === 'direct' && policy.theta[s * row.length + a] === 0) fail('DIVERGENCE_INFINITE', `KL is infinite at state ${s}: π_old gives action ${a} probability ${p}, π_θ gives 0`, { where: `state ${s}, action ${a}`, value: 0 });
    kl += p * (oldPolicy.param.logProb(oldPolicy.theta, s, a) - policy.param.logProb(policy.theta, s, a));
  }
  return Math.max(0, kl);
}

/** c[s] = Σ_{i: s_i = s} γ^{t_i}, and their total (throws when it is 0). */
function stateWeights(b: Batch, gamma: number, what: string): { c: KeyedSum; total: number } {
  const total = totalWeight(b, gamma, what);
  const c = new KeyedSum(b.numStates, b.size);
  const w = discountWeights(b.t_index, gamma, scratch(0, b.size));
  for (let i = 0; i < b.size; i++) c.add(b.s_t[i]!, w[i]!);
  return { c, total };
}

function checkPair(b: Batch, oldPolicy: Policy, policy: Policy, gamma: number): void {
  checkUnitInterval(gamma, 'gamma');
  checkPolicyForBatch(b, oldPolicy, 'oldPolicy');
  checkPolicyForBatch(b, policy);
}

/** D̄(θ): the γ^t-weighted mean over the batch's states of KL(π_old‖π_θ) (module comment). */
export function meanKl(batch: Batch, oldPolicy: Policy, policy: Policy, gamma: number): number {
  checkPair(batch, oldPolicy, policy, gamma);
  const { c, total } = stateWeights(batch, gamma, 'meanKl');
  const row = new Float64Array(batch.numActions);
  let kl = 0;
  c.forEach((s, c_s) => { kl += c_s * stateKl(oldPolicy, policy, s, row); });
  return kl / total;
}

/** ∇_θ D̄(θ) (module comment). */
export function meanKlGradient(batch: Batch, oldPolicy: Policy, policy: Policy, gamma: number): Float64Array {
  checkPair(batch, oldPolicy, policy, gamma);
  const { c, total } = stateWeights(batch, gamma, 'meanKlGradient');
  const row = new Float64Array(batch.numActions), g = new Float64Array(policy.param.numParams);
  c.forEach((s, c_s) => {
    oldPolicy.param.probsRow(oldPolicy.theta, s, row, 0);
    for (let a = 0; a < row.length; a++) if (row[a]! > 0) policy.param.addScore(policy.theta, s, a, (-c_s * row[a]!) / total, g);
  });
  return checkFiniteResult(g, 'meanKlGradient');
}
