// BUGGY on purpose: REINFORCE for a Gaussian MLP head whose score is taken at the action the
// environment received — the clipped one (a_env_t) — instead of the sampled action (a_cont_t):
// the rollout buffer stored clip(a), as several PPO implementations for bounded action spaces
// did. Wherever the clip is active the score is wrong, and the estimate is biased.
// pgtruth check examples/estimators/gaussian-mlp-clipped-score-bug.ts   → FAIL, named score-at-clipped-action
import type { GaussianMlpPolicyGradientEstimator } from 'pgtruth';

const clippedScore: GaussianMlpPolicyGradientEstimator = {
  kind: 'policy-gradient',
  policy: 'gaussian-mlp',
  name: 'gaussian-mlp-clipped-score-bug',
  estimate(batch, policy, gamma) {
    const c = new Float64Array(batch.size);
    let G = 0, episodes = 0;
    for (let i = batch.size - 1; i >= 0; i--) {
      if (batch.terminated_t[i] || batch.truncated_t[i]) G = 0;
      G = batch.r_t[i]! + gamma * G;
      c[i] = Math.pow(gamma, batch.t_index[i]!) * (G - batch.v_t[i]!);
    }
    for (let i = 0; i < batch.size; i++) if (i === 0 || batch.episode_t[i] !== batch.episode_t[i - 1]) episodes++;
    return policy.scoreSum({ ...batch, a_cont_t: batch.a_env_t }, c).map((g) => g / episodes); // the bug: the clipped action
  },
};
export default clippedScore;
