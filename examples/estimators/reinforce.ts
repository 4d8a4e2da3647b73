// A user's REINFORCE (reward-to-go, γ^t on the score), written against pgtruth's interface.
// pgtruth check examples/estimators/reinforce.ts   → every claim passes
import type { Batch, PolicyGradientEstimator } from 'pgtruth';

const reinforce: PolicyGradientEstimator = {
  kind: 'policy-gradient',
  name: 'reinforce',
  estimate(batch: Batch, policy, gamma) {
    const grad = new Float64Array(policy.numStates * policy.numActions);
    let episodes = 0;
    let G = 0;
    // reward-to-go by a backward scan; episodes end where terminated_t or truncated_t is set
    const returns = new Float64Array(batch.size);
    for (let i = batch.size - 1; i >= 0; i--) {
      if (batch.terminated_t[i] || batch.truncated_t[i]) G = 0;
      G = batch.r_t[i]! + gamma * G;
      returns[i] = G;
    }
    for (let i = 0; i < batch.size; i++) {
      if (i === 0 || batch.episode_t[i] !== batch.episode_t[i - 1]) episodes++;
      const weight = Math.pow(gamma, batch.t_index[i]!) * returns[i]!;
      policy.addScore(batch.s_t[i]!, batch.a_t[i]!, weight, grad);
    }
    return grad.map((g) => g / episodes);
  },
};
export default reinforce;
