// BUGGY on purpose: the PPO loss of tanh-gaussian-mlp-ppo.ts (without its KL penalty) with the
// tanh Jacobian evaluated at the squashed value — log(1 − tanh²(a)) with a = tanh(u), where
// log(1 − tanh² u) = log(1 − a²) belongs (SAC/PPO ports that recompute log π from the stored squashed action). log π is off by
// a term that does not depend on w, so the score is right, but ρ = π_w/π_old against the
// sampler's log π_old is no longer 1 at w_old, and it reweights the gradient.
// pgtruth check examples/estimators/tanh-gaussian-mlp-ppo-jacobian-bug.ts   → FAIL, named tanh-jacobian-at-squashed-value
import type { GaussianMlpSurrogateEstimator } from 'pgtruth';

const EPS = 0.2, LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

const tanhGaussianMlpPpoBug: GaussianMlpSurrogateEstimator = {
  kind: 'surrogate',
  policy: 'tanh-gaussian-mlp',
  name: 'tanh-gaussian-mlp-ppo-jacobian-bug',
  clip: EPS,
  estimate(batch, policy, advantages) {
    const d = batch.obsDim, k = batch.actionDim, gradient = new Float64Array(policy.numParams);
    let loss = 0, episodes = 0;
    for (let t = 0; t < batch.size; t++) {
      if (t === 0 || batch.episode_t[t] !== batch.episode_t[t - 1]) episodes++;
      const obs = batch.obs_t.subarray(t * d, (t + 1) * d), u = batch.a_cont_t.subarray(t * k, (t + 1) * k);
      const mu = policy.mean(obs), logStd = policy.logStd(obs);
      let logp = 0;
      for (let j = 0; j < k; j++) {
        const z = (u[j]! - mu[j]!) / Math.exp(logStd[j]!), a = Math.tanh(u[j]!);
        logp += -0.5 * z * z - logStd[j]! - LOG_SQRT_2PI - Math.log(1 - Math.tanh(a) ** 2); // the bug: tanh(a), not u
      }
      const logRho = logp - batch.logp_t[t]!, rho = Math.exp(logRho), A = advantages[t]!;
      const clipped = Math.min(Math.max(rho, 1 - EPS), 1 + EPS);
      loss -= Math.min(rho * A, clipped * A);
      // ∇ρ = ρ ∇log π (the Jacobian term does not depend on w); where the clipped branch is the minimum the term is constant
      if (rho * A <= clipped * A) policy.addScore(obs, u, -rho * A, gradient);
    }
    return { loss: loss / episodes, gradient: gradient.map((g) => g / episodes) };
  },
};
export default tanhGaussianMlpPpoBug;
