/**
 * V-MPO (Song et al. 2020; Lehmann 2024, eqs. 20–22, §4.5 and Appendix C): an EM-style
 * policy update on a batch with advantages Â_i (in V-MPO, n-step advantages).
 *
 * 1. **Top-half selection**: D̃ = the ⌈n/2⌉ transitions with the largest Â_i (ties go to
 *    the earlier transition).
 * 2. **ψ weights** (E-step, a softmax over the selected half at temperature η):
 *    $\psi_i = \frac{\exp(\hat A_i/\eta)}{\sum_{j\in\tilde D}\exp(\hat A_j/\eta)}$ for i ∈ D̃, 0 otherwise.
 * 3. **Temperature loss**: $L_\eta(\eta) = \eta\,\epsilon_\eta + \eta\log\Big(\frac{1}{|\tilde D|}\sum_{j\in\tilde D}\exp(\hat A_j/\eta)\Big)$,
 *    $\frac{dL_\eta}{d\eta} = \epsilon_\eta + \log\Big(\frac{1}{|\tilde D|}\sum_{j}\exp(\hat A_j/\eta)\Big) - \frac1\eta\sum_{j}\psi_j \hat A_j$.
 * 4. **Policy loss** (M-step, weighted maximum likelihood): $L_\pi(\theta) = -\sum_{i\in\tilde D}\psi_i\log\pi_\theta(a_i|s_i)$,
 *    ψ held fixed (a stop-gradient: the weights are data).
 * 5. **Trust-region loss** with the Lagrange multiplier ν ≥ 0 and the mean KL over *all*
 *    the batch's states, D̄(θ) = (1/n) Σ_i KL(π_old(·|s_i) ‖ π_θ(·|s_i)):
 *    $L_\nu(\theta, \nu) = \nu\big(\epsilon_\nu - \operatorname{sg}[\bar D(\theta)]\big) + \operatorname{sg}[\nu]\,\bar D(\theta)$,
 *    so ∂L_ν/∂ν = ε_ν − D̄ (ν grows while the KL exceeds ε_ν) and ∇_θ L_ν = ν ∇_θ D̄ (θ is pulled
 *    back with fixed strength ν); the value is ν ε_ν since the two D̄ terms cancel.
 *
 * Everything is computed with max-shifted exponentials, so large advantages or small η do
 * not overflow. The weights are over transitions, not γ^t-weighted: V-MPO is not an
 * estimator of ∇J but a weighted maximum-likelihood fit to the improved non-parametric
 * policy of the E-step.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import type { Policy } from '../policy/types.js';
import type { Batch } from '../sampling/batch.js';
import { checkBatchShape, checkNonNegative, checkPerStep, checkPolicyForBatch } from './checks.js';
import { pairSum, scoreCombination } from './score.js';
import { meanKl, meanKlGradient } from './statekl.js';
import type { Surrogate } from './surrogate.js';

function checkAdvantages(advantages: Float64Array): void {
  if (!(advantages instanceof Float64Array)) fail('ESTIMATOR_ARGUMENT', `advantages must be a Float64Array, got ${show(advantages)}`, { where: 'advantages' });
  for (let i = 0; i < advantages.length; i++) if (!Number.isFinite(advantages[i]!)) fail('ESTIMATOR_ARGUMENT', `advantages[${i}] is ${show(advantages[i])}: it must be finite`, { where: `advantages[${i}]`, value: advantages[i] });
}

function checkSelection(advantages: Float64Array, selected: Int32Array): void {
  if (selected.length === 0) fail('ESTIMATOR_EMPTY_BATCH', 'V-MPO needs at least one selected transition', { where: 'selected', value: 0 });
  for (let k = 0; k < selected.length; k++) {
    const i = selected[k]!;
    if (!(i >= 0 && i < advantages.length) || (k > 0 && i <= selected[k - 1]!)) fail('ESTIMATOR_ARGUMENT', `selected[${k}] is ${i}: indices must be increasing and in 0…${advantages.length - 1}`, { where: `selected[${k}]`, value: i });
  }
}

/** The indices (increasing) of the ⌈n/2⌉ largest advantages; ties go to the earlier index. */
export function vmpoTopHalf(advantages: Float64Array): Int32Array {
  checkAdvantages(advantages);
  const n = advantages.length, idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  idx.sort((i, j) => advantages[j]! - advantages[i]! || i - j);
  return idx.slice(0, Math.ceil(n / 2)).sort();
}

/** max_{j ∈ D̃} Â_j and Σ_{j∈D̃} exp((Â_j − max)/η). */
function shiftedSum(advantages: Float64Array, selected: Int32Array, eta: number): { max: number; sum: number } {
  let max = -Infinity, sum = 0;
  for (const j of selected) max = Math.max(max, advantages[j]!);
  for (const j of selected) sum += Math.exp((advantages[j]! - max) / eta);
  return { max, sum };
}

/** ψ_i (length n, 0 outside the selection) at temperature η > 0. They sum to 1 over the selection. */
export function vmpoWeights(advantages: Float64Array, selected: Int32Array, eta: number): Float64Array {
  checkAdvantages(advantages);
  checkSelection(advantages, selected);
  checkNonNegative(eta, 'eta', true);
  const { max, sum } = shiftedSum(advantages, selected, eta), psi = new Float64Array(advantages.length);
  for (const j of selected) psi[j] = Math.exp((advantages[j]! - max) / eta) / sum;
  return psi;
}

/** L_η and dL_η/dη. */
export interface VmpoTemperatureLoss {
  readonly loss: number;
  /** dL_η/dη. */
  readonly gradient: number;
}

/** The temperature loss L_η(η) and its derivative (module comment), η > 0, ε_η ≥ 0. */
export function vmpoTemperatureLoss(advantages: Float64Array, selected: Int32Array, eta: number, epsilonEta: number): VmpoTemperatureLoss {
  checkNonNegative(epsilonEta, 'epsilonEta');
  const psi = vmpoWeights(advantages, selected, eta);
  const { max, sum } = shiftedSum(advantages, selected, eta);
  const logMeanShifted = Math.log(sum / selected.length); // log mean exp((Â − max)/η)
  let psiShifted = 0;
  for (const j of selected) psiShifted += psi[j]! * (advantages[j]! - max);
  return { loss: eta * epsilonEta + max + eta * logMeanShifted, gradient: epsilonEta + logMeanShifted - psiShifted / eta };
}

/** The weighted maximum-likelihood policy loss L_π(θ) = −Σ ψ_i log π_θ(a_i|s_i) and its gradient; ψ is per-step (e.g. {@link vmpoWeights}). */
export function vmpoPolicyLoss(batch: Batch, policy: Policy, psi: Float64Array): Surrogate {
  checkBatchShape(batch);
  checkPolicyForBatch(batch, policy);
  checkPerStep(batch, psi, 'psi');
  const { param, theta } = policy, A = batch.numActions, coef = pairSum(batch);
  let loss = 0;
  for (let i = 0; i < batch.size; i++) {
    if (psi[i] === 0) continue;
    const s = batch.s_t[i]!, a = batch.a_t[i]!;
    loss -= psi[i]! * param.logProb(theta, s, a);
    coef.add(s * A + a, psi[i]!);
  }
  return { loss, gradient: scoreCombination(policy, coef, -1, 'vmpoPolicyLoss') };
}

/** L_ν, ∇_θ L_ν, ∂L_ν/∂ν, and the mean KL D̄. */
export interface VmpoTrustRegionLoss extends Surrogate {
  /** ∂L_ν/∂ν = ε_ν − D̄. */
  readonly nuGradient: number;
  /** D̄(θ) = (1/n) Σ_i KL(π_old(·|s_i) ‖ π_θ(·|s_i)). */
  readonly kl: number;
}

/** The trust-region loss L_ν(θ, ν) with its stop-gradients (module comment), ν ≥ 0, ε_ν ≥ 0. */
export function vmpoTrustRegionLoss(batch: Batch, policy: Policy, oldPolicy: Policy, nu: number, epsilonNu: number): VmpoTrustRegionLoss {
  checkNonNegative(nu, 'nu');
  checkNonNegative(epsilonNu, 'epsilonNu');
  const kl = meanKl(batch, oldPolicy, policy, 1);
  const gradient = meanKlGradient(batch, oldPolicy, policy, 1).map((x) => nu * x);
  return { loss: nu * (epsilonNu - kl) + nu * kl, gradient, nuGradient: epsilonNu - kl, kl };
}
