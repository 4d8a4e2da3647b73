// A user's REINFORCE for a Gaussian policy over continuous actions (reward-to-go, γ^t on the
// score, the batch's exact V(x_t) as baseline), written against pgtruth's continuous interface: the batch carries the sampled
// actions in a_cont_t (T × k) and the states in obs_t (T × d); the policy view gives
// ∇_θ log π in θ = [vec K, log σ] (LQR) or [μ, log σ] (bandit).
// pgtruth check examples/estimators/gaussian-reinforce.ts   → every claim passes
import type { GaussianPolicyGradientEstimator } from 'pgtruth';

const gaussianReinforce: GaussianPolicyGradientEstimator = {
  kind: 'policy-gradient',
  policy: 'gaussian',
  name: 'gaussian-reinforce',
  estimate(batch, policy, gamma) {
    // reward-to-go by a backward scan; an episode ends where terminated_t or truncated_t is set
    const c = new Float64Array(batch.size);
    let G = 0, episodes = 0;
    for (let i = batch.size - 1; i >= 0; i--) {
      if (batch.terminated_t[i] || batch.truncated_t[i]) G = 0;
      G = batch.r_t[i]! + gamma * G;
      c[i] = Math.pow(gamma, batch.t_index[i]!) * (G - batch.v_t[i]!); // baseline: the exact V(x_t) the batch carries
    }
    for (let i = 0; i < batch.size; i++) if (i === 0 || batch.episode_t[i] !== batch.episode_t[i - 1]) episodes++;
    // Σ_t γ^t (G_t − V(x_t)) ∇log π(a_t|x_t), at the sampled actions a_cont_t
    return policy.scoreSum(batch, c).map((g) => g / episodes);
  },
};
export default gaussianReinforce;
