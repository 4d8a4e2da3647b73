// The same PPO loss with a bug shipped in deep-RL code: the rollout buffer stores the action
// the environment received (clip(a), here a_env_t) and the learner recomputes log π_θ there,
// while log π_old (batch.logp_t) was taken at the sampled a. Wherever the environment clipped,
// ρ ≠ 1 even at θ = θ_old, and the score is taken at the wrong point.
// pgtruth check examples/estimators/gaussian-ppo-bug.ts   → FAILS at θ_old and at θ ≠ θ_old
import type { GaussianSurrogateEstimator } from 'pgtruth';

const EPS = 0.2;

const gaussianPpoBug: GaussianSurrogateEstimator = {
  kind: 'surrogate',
  policy: 'gaussian',
  name: 'gaussian-ppo-bug',
  clip: EPS,
  estimate(batch, policy, advantages) {
    const d = batch.obsDim, k = batch.actionDim, N = batch.size;
    const gradient = new Float64Array(policy.numParams);
    let loss = 0;
    for (let t = 0; t < N; t++) {
      const obs = batch.obs_t.subarray(t * d, (t + 1) * d);
      const a = batch.a_env_t.subarray(t * k, (t + 1) * k); // the bug: should be a_cont_t
      const rho = Math.exp(policy.logProb(obs, a) - batch.logp_t[t]!), A = advantages[t]!;
      const clipped = Math.min(Math.max(rho, 1 - EPS), 1 + EPS);
      loss -= Math.min(rho * A, clipped * A) / N;
      if (rho * A <= clipped * A) policy.addScore(obs, a, (-rho * A) / N, gradient);
    }
    return { loss, gradient };
  },
};
export default gaussianPpoBug;
