/**
 * Baselines for the score-function estimators: a constant, a state table (learned, or the
 * exact V^π), and the variance-optimal baseline (Weaver & Tao 2001; Greensmith, Bartlett &
 * Baxter 2004).
 *
 * A baseline b(s_t) subtracted from the return leaves the gradient's mean unchanged,
 * because E_{a∼π(·|s)}[∇log π(a|s)] = Σ_a ∇π(a|s) = 0 (for the softmax and log-linear
 * parameterizations; the direct one's unconstrained partials break it — see `reinforce.ts`).
 * A baseline that depends on the action (or on anything drawn after it, such as s_{t+1})
 * does not: see the mutation catalogue.
 *
 * For the one-step estimator g = ∇log π(a|s)(Q − b) in a state s, the variance (trace of the
 * covariance) is minimized by
 *
 * $$b^*(s) = \frac{\mathbb E_{a\sim\pi}\big[\lVert\nabla\log\pi(a|s)\rVert^2 Q(s,a)\big]}{\mathbb E_{a\sim\pi}\big[\lVert\nabla\log\pi(a|s)\rVert^2\big]},$$
 *
 * with Var(b) = Var(b*) + (b − b*)² E‖∇log π‖² (REFERENCES.md). V^π(s) = E[Q] is the usual
 * baseline, not the optimal one. Over a whole episode the per-state b* minimizes each
 * step's own term; the cross-time covariances are ignored (exactly optimal for one-step
 * problems). {@link optimalConstantBaseline} gives the exact minimizer among constants of
 * the sample variance of the whole-episode REINFORCE estimate.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import type { Policy } from '../policy/types.js';
import type { Batch } from '../sampling/batch.js';
import { checkBatchShape, checkPerStep, checkPolicyForBatch, checkUnitInterval } from './checks.js';
import { discountWeights } from './discount.js';
import { isEpisodeStart } from './score.js';
import { rewardToGo } from './returns.js';

/** The constant baseline b as a state table (every state gets b). */
export function constantBaseline(numStates: number, b: number): Float64Array {
  if (!Number.isFinite(b)) fail('ESTIMATOR_ARGUMENT', `the constant baseline is ${show(b)}: it must be finite`, { where: 'b', value: b });
  return new Float64Array(numStates).fill(b);
}

/** ‖∇_θ log π_θ(a|s)‖², with `scratch` a numParams-long work vector. */
export function scoreNormSquared(policy: Policy, s: number, a: number, scratch: Float64Array): number {
  scratch.fill(0);
  policy.param.addScore(policy.theta, s, a, 1, scratch);
  let n2 = 0;
  for (let k = 0; k < scratch.length; k++) n2 += scratch[k]! * scratch[k]!;
  return n2;
}

/**
 * The exact variance-optimal state baseline b*(s) from the policy and the exact
 * Q^π(s, a) table (`Q[s*A + a]`, e.g. `evaluatePolicy(...).Q`). Where
 * Σ_a π(a|s)‖∇log π(a|s)‖² = 0 (one action, or a deterministic policy) every baseline has
 * the same variance and b*(s) = Σ_a π(a|s) Q(s,a) = V^π(s) is returned. Actions of
 * probability 0 contribute nothing. Cost O(S·A·numParams).
 */
export function optimalStateBaseline(policy: Policy, Q: Float64Array): Float64Array {
  const { param, theta } = policy;
  param.check(theta);
  const S = param.numStates, A = param.numActions;
  if (!(Q instanceof Float64Array) || Q.length !== S * A) fail('ESTIMATOR_ARGUMENT', `Q has ${Q?.length} entries, expected S·A = ${S * A}`, { where: 'Q', value: Q?.length });
  Q.forEach((q, k) => { if (!Number.isFinite(q)) fail('ESTIMATOR_ARGUMENT', `Q[${Math.floor(k / A)}][${k % A}] is ${show(q)}`, { where: `Q[${k}]`, value: q }); });
  const pi = param.probs(theta), scratch = new Float64Array(param.numParams), out = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    let num = 0, den = 0, v = 0;
    for (let a = 0; a < A; a++) {
      const p = pi[s * A + a]!;
      if (p === 0) continue;
      const n2 = scoreNormSquared(policy, s, a, scratch);
      num += p * n2 * Q[s * A + a]!; den += p * n2; v += p * Q[s * A + a]!;
    }
    out[s] = den > 0 ? num / den : v;
  }
  return out;
}

/**
 * The sample form of b*(s): $\hat b(s) = \sum_{i: s_i = s} \lVert\nabla\log\pi(a_i|s_i)\rVert^2 G_i \big/ \sum_{i: s_i = s} \lVert\nabla\log\pi(a_i|s_i)\rVert^2$
 * with per-step returns G_i (e.g. `rewardToGo`). States never visited get 0; visited
 * states whose scores all vanish get the plain mean of their returns. A ratio estimator:
 * consistent for b*(s) when G_i is unbiased for Q(s_i, a_i), not unbiased.
 */
export function optimalStateBaselineFromSamples(batch: Batch, policy: Policy, returns: Float64Array): Float64Array {
  checkBatchShape(batch);
  checkPolicyForBatch(batch, policy);
  checkPerStep(batch, returns, 'returns');
  const S = batch.numStates, A = batch.numActions;
  const sumG = new Float64Array(S * A), count = new Float64Array(S * A);
  for (let i = 0; i < batch.size; i++) { const k = batch.s_t[i]! * A + batch.a_t[i]!; sumG[k] = sumG[k]! + returns[i]!; count[k] = count[k]! + 1; }
  const scratch = new Float64Array(policy.param.numParams), out = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    let num = 0, den = 0, g = 0, c = 0;
    for (let a = 0; a < A; a++) {
      const k = s * A + a;
      if (count[k] === 0) continue;
      const n2 = scoreNormSquared(policy, s, a, scratch);
      num += n2 * sumG[k]!; den += n2 * count[k]!; g += sumG[k]!; c += count[k]!;
    }
    out[s] = den > 0 ? num / den : c > 0 ? g / c : 0;
  }
  return out;
}

/**
 * The constant baseline that minimizes the sample variance of the reward-to-go REINFORCE
 * estimate `reinforceRewardToGo(batch, policy, gamma, constantBaseline(S, b))` over the
 * batch's episodes e:
 *
 * $$\hat b^* = \frac{\sum_e \langle Y_e, X_e\rangle}{\sum_e \lVert Y_e\rVert^2},\qquad Y_e = \sum_{t\in e}\gamma^t \nabla\log\pi(a_t|s_t),\quad X_e = \sum_{t\in e}\gamma^t \nabla\log\pi(a_t|s_t)\, G_t,$$
 *
 * since that estimate is the average of X_e − bY_e and E[Y_e] = 0, so its variance is
 * minimized where the sample second moment Σ_e‖X_e − bY_e‖² is (Greensmith et al. 2004; for
 * one-step episodes it is E[‖∇log π‖²R]/E[‖∇log π‖²] of REFERENCES.md). Returns 0 when
 * every Y_e vanishes.
 */
export function optimalConstantBaseline(batch: Batch, policy: Policy, gamma: number): number {
  checkUnitInterval(gamma, 'gamma');
  checkPolicyForBatch(batch, policy);
  const G = rewardToGo(batch, gamma);
  const { param, theta } = policy;
  const Y = new Float64Array(param.numParams), X = new Float64Array(param.numParams);
  const wt = discountWeights(batch.t_index, gamma);
  let num = 0, den = 0;
  for (let i = 0; i < batch.size; i++) {
    if (isEpisodeStart(batch, i)) { Y.fill(0); X.fill(0); }
    const w = wt[i]!;
    param.addScore(theta, batch.s_t[i]!, batch.a_t[i]!, w, Y);
    param.addScore(theta, batch.s_t[i]!, batch.a_t[i]!, w * G[i]!, X);
    if (i === batch.size - 1 || isEpisodeStart(batch, i + 1)) for (let k = 0; k < Y.length; k++) { num += Y[k]! * X[k]!; den += Y[k]! * Y[k]!; }
  }
  return den > 0 ? num / den : 0;
}
