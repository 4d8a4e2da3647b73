// BUGGY on purpose: the PPO loss of gaussian-mlp-ppo.ts (without its regularizers) with a bug
// shipped in deep-RL code: the rollout buffer stores the action the environment received
// (clip(u), here a_env_t) and the learner recomputes log π_w there, while log π_old
// (batch.logp_t) was taken at the sampled u. Wherever the environment clipped, ρ ≠ 1 even at
// w = w_old, and the score is taken at the wrong point.
// pgtruth check examples/estimators/gaussian-mlp-ppo-clipped-ratio-bug.ts   → FAIL, named ratio-at-clipped-action
import type { GaussianMlpSurrogateEstimator } from 'pgtruth';

const EPS = 0.2;

const gaussianMlpPpoBug: GaussianMlpSurrogateEstimator = {
  kind: 'surrogate',
  policy: 'gaussian-mlp',
  name: 'gaussian-mlp-ppo-clipped-ratio-bug',
  clip: EPS,
  estimate(batch, policy, advantages) {
    const d = batch.obsDim, k = batch.actionDim, gamma = batch.gamma;
    const gradient = new Float64Array(policy.numParams);
    let loss = 0, episodes = 0;
    for (let t = 0; t < batch.size; t++) {
      if (t === 0 || batch.episode_t[t] !== batch.episode_t[t - 1]) episodes++;
      const w = Math.pow(gamma, batch.t_index[t]!);
      const obs = batch.obs_t.subarray(t * d, (t + 1) * d), a = batch.a_env_t.subarray(t * k, (t + 1) * k); // the bug: the clipped action
      const rho = Math.exp(policy.logProb(obs, a) - batch.logp_t[t]!), A = advantages[t]!;
      const clipped = Math.min(Math.max(rho, 1 - EPS), 1 + EPS);
      loss -= w * Math.min(rho * A, clipped * A);
      if (rho * A <= clipped * A) policy.addScore(obs, a, -w * rho * A, gradient);
    }
    return { loss: loss / episodes, gradient: gradient.map((g) => g / episodes) };
  },
};
export default gaussianMlpPpoBug;
