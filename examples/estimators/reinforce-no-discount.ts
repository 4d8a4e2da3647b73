// BUGGY on purpose: REINFORCE without the γ^t weight on the score — the widespread variant.
// Its mean is Σ_s η̄(s) Σ_a ∇π Q (the undiscounted visitation), not ∇J.
// pgtruth check examples/estimators/reinforce-no-discount.ts   → FAIL on the γ < 1 instance
import type { PolicyGradientEstimator } from 'pgtruth';

const reinforceNoDiscount: PolicyGradientEstimator = {
  kind: 'policy-gradient',
  name: 'reinforce-no-discount',
  estimate(batch, policy, gamma) {
    const grad = new Float64Array(policy.numStates * policy.numActions);
    const returns = new Float64Array(batch.size);
    let G = 0, episodes = 0;
    for (let i = batch.size - 1; i >= 0; i--) {
      if (batch.terminated_t[i] || batch.truncated_t[i]) G = 0;
      G = batch.r_t[i]! + gamma * G;
      returns[i] = G;
    }
    for (let i = 0; i < batch.size; i++) {
      if (i === 0 || batch.episode_t[i] !== batch.episode_t[i - 1]) episodes++;
      policy.addScore(batch.s_t[i]!, batch.a_t[i]!, returns[i]!, grad); // the bug: no γ^t
    }
    return grad.map((g) => g / episodes);
  },
};
export default reinforceNoDiscount;
