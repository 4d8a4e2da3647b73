// A user's REINFORCE (reward-to-go, γ^t on the score) for an MLP policy: π_w(·|s) =
// softmax(f_w(φ(s))), the view's scoreSum gives Σ_t c_t ∇_w log π_w(a_t|s_t) in the network's
// parameters w, and the estimate is ∇_w J's.
// pgtruth check examples/estimators/mlp-reinforce.ts   → every claim passes
import type { MlpPolicyGradientEstimator } from 'pgtruth';

const mlpReinforce: MlpPolicyGradientEstimator = {
  kind: 'policy-gradient',
  policy: 'mlp',
  name: 'mlp-reinforce',
  estimate(batch, policy, gamma) {
    const c = new Float64Array(batch.size);
    let G = 0, episodes = 0;
    for (let i = batch.size - 1; i >= 0; i--) {
      if (batch.terminated_t[i] || batch.truncated_t[i]) G = 0;
      G = batch.r_t[i]! + gamma * G;
      c[i] = Math.pow(gamma, batch.t_index[i]!) * G;
    }
    for (let i = 0; i < batch.size; i++) if (i === 0 || batch.episode_t[i] !== batch.episode_t[i - 1]) episodes++;
    return policy.scoreSum(batch, c).map((g) => g / episodes);
  },
};
export default mlpReinforce;
