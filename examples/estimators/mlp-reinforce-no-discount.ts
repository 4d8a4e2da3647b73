// BUGGY on purpose: REINFORCE without the γ^t weight on the score, with an MLP policy. Its mean
// is the undiscounted-visitation gradient pulled back through the network, not ∇_w J.
// pgtruth check examples/estimators/mlp-reinforce-no-discount.ts   → FAIL on the γ = 0.9 Garnet
import type { MlpPolicyGradientEstimator } from 'pgtruth';

const mlpReinforceNoDiscount: MlpPolicyGradientEstimator = {
  kind: 'policy-gradient',
  policy: 'mlp',
  name: 'mlp-reinforce-no-discount',
  estimate(batch, policy, gamma) {
    const c = new Float64Array(batch.size);
    let G = 0, episodes = 0;
    for (let i = batch.size - 1; i >= 0; i--) {
      if (batch.terminated_t[i] || batch.truncated_t[i]) G = 0;
      G = batch.r_t[i]! + gamma * G;
      c[i] = G; // the bug: no γ^t
    }
    for (let i = 0; i < batch.size; i++) if (i === 0 || batch.episode_t[i] !== batch.episode_t[i - 1]) episodes++;
    return policy.scoreSum(batch, c).map((g) => g / episodes);
  },
};
export default mlpReinforceNoDiscount;
