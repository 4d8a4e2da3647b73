// BUG: the same per-sequence aggregation (1/|o_i| on every token) as rloo-per-sequence.ts,
// claimed unbiased for ∇J (no `objective` declared: "J"). On a problem whose responses differ in
// length the 1/|o| changes the objective (Liu et al. 2025, the length bias): the token MDP fails
// by about 30% of ‖∇J‖, the bandits (one token per response) pass.
import type { GroupEstimator } from 'pgtruth';

const rlooPerSequence: GroupEstimator = {
  kind: 'group',
  name: 'RLOO, per-sequence mean, claimed ∇J',
  estimate(batch) {
    const { groupSize: G, maxTokens: T, rewards, lengths, mask } = batch;
    const adv = new Float64Array(mask.length);
    for (let b = 0; b < batch.numPrompts; b++) {
      let sum = 0;
      for (let j = 0; j < G; j++) sum += rewards[b * G + j]!;
      for (let j = 0; j < G; j++) {
        const i = b * G + j, a = (rewards[i]! - (sum - rewards[i]!) / (G - 1)) / lengths[i]!;
        for (let t = 0; t < T; t++) adv[i * T + t] = a;
      }
    }
    return adv;
  },
};
export default rlooPerSequence;
