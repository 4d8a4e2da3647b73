/**
 * TRPO (Schulman et al. 2015; Lehmann 2024, Table 1 and §4.3): the importance-weighted
 * surrogate and its gradient and the Fisher-vector product from samples. The natural-gradient
 * step built from them (conjugate gradient + backtracking line search) is learner code: `trpoStep`
 * in `src/algorithms/trpo-step.ts`.
 *
 * The surrogate, with ρ_i(θ) = π_θ(a_i|s_i)/π_old(a_i|s_i) (π_old from the batch's `logp_t`)
 * and the γ^t/E weighting of `score.ts`:
 *
 * $$L(\theta) = \frac1E\sum_i \gamma^{t_i}\,\rho_i(\theta)\,\hat A_i,\qquad \nabla_\theta L = \frac1E\sum_i \gamma^{t_i}\rho_i(\theta)\,\hat A_i\,\nabla_\theta\log\pi_\theta(a_i|s_i).$$
 *
 * Its expectation is Σ_s η_old(s) Σ_a π_θ(a|s) A_old(s,a) (the policy-improvement
 * surrogate of Table 1, up to the constant J(θ_old)), and at θ = θ_old, ρ = 1 and ∇L is the
 * actor-critic gradient (1/E)Σγ^t ∇log π Â: unbiased for ∇J when Â is. The advantages are
 * data (computed once at θ_old): no gradient flows through them.
 *
 * @module
 */
import { fail } from '../errors.js';
import type { Policy } from '../policy/types.js';
import type { Batch } from '../sampling/batch.js';
import { checkBatchShape, checkNonNegative, checkPerStep, checkPolicyForBatch, checkUnitInterval } from './checks.js';
import { logProbs } from '../policy/score-sum.js';
import { policyGradientCoefficients } from './coefficients.js';
import { discountWeights } from './discount.js';
import { pairSum, perEpisodeScale, policyScoreSum, totalWeight } from './score.js';
import type { Surrogate } from './surrogate.js';
import { scratch } from './scratch.js';

function checkSurrogateArgs(b: Batch, policy: Policy, gamma: number, advantages: Float64Array): void {
  checkBatchShape(b);
  checkUnitInterval(gamma, 'gamma');
  checkPolicyForBatch(b, policy);
  checkPerStep(b, advantages, 'advantages');
}

/** The TRPO surrogate as a loss: `loss` = −L(θ), `gradient` = −∇L(θ) (module comment). */
export function trpoSurrogate(batch: Batch, policy: Policy, gamma: number, advantages: Float64Array): Surrogate {
  checkSurrogateArgs(batch, policy, gamma, advantages);
  const scale = perEpisodeScale(batch, 'trpoSurrogate');
  // c_t = (γ^t ρ_t) Â_t: the coefficients with the importance weight in w_t
  const n = batch.size, logp = logProbs(policy.param, policy.theta, batch, scratch(2, n)), w = discountWeights(batch.t_index, gamma, scratch(0, n));
  for (let i = 0; i < n; i++) w[i] = w[i]! * Math.exp(logp[i]! - batch.logp_t[i]!);
  const c = policyGradientCoefficients(advantages, w, scratch(1, n));
  let L = 0;
  for (let i = 0; i < n; i++) L += c[i]!;
  return { loss: -L * scale, gradient: policyScoreSum(policy, batch, c, -scale, 'trpoSurrogate') };
}

/**
 * The sample Fisher-vector product
 *
 * $$\hat F v = \frac{\sum_i w_i\, g_i\, (g_i^\top v)}{\sum_i w_i} + \text{damping}\cdot v,\qquad g_i = \nabla_\theta\log\pi_\theta(a_i|s_i),\ w_i = \gamma^{t_i},$$
 *
 * the empirical Fisher of the sampled actions under the γ^t-weighted state distribution
 * (a consistent estimate of F = Σ_s d(s) Σ_a π ∇log π ∇log πᵀ of `fisherMatrix` when the
 * actions were drawn from π_θ). Computed without forming F̂: each visited (s, a) pair's
 * score is built once (cost O(n + pairs·numParams)). `damping` ≥ 0 adds λI (Schulman et al.
 * 2015 use it to keep CG well conditioned).
 */
export function fisherVectorProduct(batch: Batch, policy: Policy, gamma: number, v: Float64Array, damping = 0): Float64Array {
  checkBatchShape(batch);
  checkUnitInterval(gamma, 'gamma');
  checkPolicyForBatch(batch, policy);
  checkNonNegative(damping, 'damping');
  const { param, theta } = policy, n = param.numParams;
  if (!(v instanceof Float64Array) || v.length !== n) fail('ESTIMATOR_ARGUMENT', `v has ${v?.length} entries, θ has ${n}`, { where: 'v', value: v?.length });
  const total = totalWeight(batch, gamma, 'fisherVectorProduct');
  const A = batch.numActions, c = pairSum(batch), w = discountWeights(batch.t_index, gamma, scratch(0, batch.size));
  for (let i = 0; i < batch.size; i++) c.add(batch.s_t[i]! * A + batch.a_t[i]!, w[i]!);
  const out = Float64Array.from(v, (x) => damping * x), g = new Float64Array(n);
  c.forEach((k, weight) => {
    g.fill(0);
    param.addScore(theta, Math.floor(k / A), k % A, 1, g);
    let gv = 0;
    for (let j = 0; j < n; j++) gv += g[j]! * v[j]!;
    const f = (weight * gv) / total;
    for (let j = 0; j < n; j++) out[j] = out[j]! + f * g[j]!;
  });
  return out;
}
