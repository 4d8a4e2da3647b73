// A user's REINFORCE for a Gaussian head on an MLP (PPO's actor: μ_w(x) from the network, a
// state-independent log σ after the network's parameters), written against pgtruth's
// continuous interface: the batch carries the observations in obs_t (T × d) and the sampled,
// pre-clip actions in a_cont_t (T × k); the view gives ∇_w log π in the network's flat
// parameters w. Reward-to-go, γ^t on the score, the batch's exact V(x_t) as baseline.
// pgtruth check examples/estimators/gaussian-mlp-reinforce.ts   → every claim passes
import type { GaussianMlpPolicyGradientEstimator } from 'pgtruth';

const gaussianMlpReinforce: GaussianMlpPolicyGradientEstimator = {
  kind: 'policy-gradient',
  policy: 'gaussian-mlp',
  name: 'gaussian-mlp-reinforce',
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
    // Σ_t γ^t (G_t − V(x_t)) ∇_w log π(a_t|x_t) at the sampled actions a_cont_t: one VJP of the network
    return policy.scoreSum(batch, c).map((g) => g / episodes);
  },
};
export default gaussianMlpReinforce;
