// BUGGY on purpose: REINFORCE whose score is taken at the action the environment received —
// the clipped one (a_env_t) — instead of the sampled action (a_cont_t): the rollout buffer
// stored clip(a). Unbiased where nothing is clipped (the LQR), biased on the clipped bandit.
// pgtruth check examples/estimators/gaussian-clipped-score-bug.ts   → FAIL on the clipped bandit
import type { GaussianPolicyGradientEstimator } from 'pgtruth';

const clippedScore: GaussianPolicyGradientEstimator = {
  kind: 'policy-gradient',
  policy: 'gaussian',
  name: 'gaussian-clipped-score-bug',
  estimate(batch, policy, gamma) {
    const c = new Float64Array(batch.size);
    let G = 0, episodes = 0;
    for (let i = batch.size - 1; i >= 0; i--) {
      if (batch.terminated_t[i] || batch.truncated_t[i]) G = 0;
      G = batch.r_t[i]! + gamma * G;
      c[i] = Math.pow(gamma, batch.t_index[i]!) * (G - batch.v_t[i]!); // baseline: the exact V(x_t) the batch carries
    }
    for (let i = 0; i < batch.size; i++) if (i === 0 || batch.episode_t[i] !== batch.episode_t[i - 1]) episodes++;
    return policy.scoreSum({ ...batch, a_cont_t: batch.a_env_t }, c).map((g) => g / episodes); // the bug: the clipped action
  },
};
export default clippedScore;
