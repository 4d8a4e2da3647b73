// A user's RLOO (Kool et al. 2019; Ahmadian et al. 2024): each response's advantage is its
// reward minus the mean reward of the other G − 1 responses to the same prompt, on every token
// of the response. Unbiased for ∇J.
import type { GroupEstimator } from 'pgtruth';

const rloo: GroupEstimator = {
  kind: 'group',
  name: 'RLOO',
  estimate(batch) {
    const { groupSize: G, maxTokens: T, rewards, mask } = batch;
    const adv = new Float64Array(mask.length);
    for (let b = 0; b < batch.numPrompts; b++) {
      let sum = 0;
      for (let j = 0; j < G; j++) sum += rewards[b * G + j]!;
      for (let j = 0; j < G; j++) {
        const i = b * G + j, a = rewards[i]! - (sum - rewards[i]!) / (G - 1);
        for (let t = 0; t < T; t++) adv[i * T + t] = a;
      }
    }
    return adv;
  },
};
export default rloo;
