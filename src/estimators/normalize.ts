/**
 * Advantage normalization, as PPO implementations apply it per batch (e.g. OpenAI
 * baselines, cleanrl):
 *
 * $$\tilde A_i = \frac{\hat A_i - \bar A}{\sigma_A + \epsilon},\qquad \bar A = \tfrac1n\sum_i \hat A_i,\quad \sigma_A^2 = \tfrac1n \sum_i (\hat A_i - \bar A)^2.$$
 *
 * **Biased.** Subtracting the batch mean is an action-*independent* baseline only in the
 * limit: Ā depends on every action of the batch, including a_i, so E[∇log π(a_i|s_i) Ā] ≠ 0
 * in general (the bias is O(1/n)); dividing by σ_A rescales the gradient by a random,
 * action-dependent factor. The policy-gradient estimate built on normalized advantages is
 * therefore neither unbiased for ∇J nor for a fixed multiple of it; its direction is what
 * practitioners rely on. pgtruth offers it as an option, and its claims say so.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import { checkNonNegative } from './checks.js';

/**
 * The normalized copy of `advantages` (population standard deviation, ε = 1e−8 by default).
 * A constant array maps to zeros. An empty array maps to an empty array.
 */
export function normalizeAdvantages(advantages: Float64Array, epsilon = 1e-8): Float64Array {
  checkNonNegative(epsilon, 'epsilon');
  const n = advantages.length;
  let mean = 0;
  for (let i = 0; i < n; i++) {
    const a = advantages[i]!;
    if (!Number.isFinite(a)) fail('ESTIMATOR_ARGUMENT', `advantages[${i}] is ${show(a)}: it must be finite`, { where: `advantages[${i}]`, value: a });
    mean += a;
  }
  mean = n > 0 ? mean / n : 0;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (advantages[i]! - mean) ** 2;
  const scale = Math.sqrt(n > 0 ? ss / n : 0) + epsilon;
  const out = new Float64Array(n);
  if (scale > 0) for (let i = 0; i < n; i++) out[i] = (advantages[i]! - mean) / scale;
  return out;
}
