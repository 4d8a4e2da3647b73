// A user's RLOO with GRPO's per-sequence loss aggregation: each response's leave-one-out
// advantage divided by its length |o_i| on every token (the token losses of a response
// averaged, not summed). That is unbiased — for the length-normalized objective
// E[(R(o) − V(q))/|o|], not for J — and this estimator says so with `objective`.
import type { GroupEstimator } from 'pgtruth';

const rlooPerSequence: GroupEstimator = {
  kind: 'group',
  name: 'RLOO, per-sequence mean',
  objective: 'length-normalized',
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
