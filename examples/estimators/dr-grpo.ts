// A user's Dr. GRPO (Liu et al. 2025): the reward minus the group mean (no std, no 1/|o|), on
// every token. The group mean includes the response itself, so the mean gradient is exactly
// (1 − 1/G)·∇J — declared by `scale`, and checked.
import type { GroupEstimator } from 'pgtruth';

const drGrpo: GroupEstimator = {
  kind: 'group',
  name: 'Dr. GRPO',
  scale: (G) => 1 - 1 / G,
  estimate(batch) {
    const { groupSize: G, maxTokens: T, rewards, mask } = batch;
    const adv = new Float64Array(mask.length);
    for (let b = 0; b < batch.numPrompts; b++) {
      let mean = 0;
      for (let j = 0; j < G; j++) mean += rewards[b * G + j]! / G;
      for (let j = 0; j < G; j++) for (let t = 0; t < T; t++) adv[(b * G + j) * T + t] = rewards[b * G + j]! - mean;
    }
    return adv;
  },
};
export default drGrpo;
