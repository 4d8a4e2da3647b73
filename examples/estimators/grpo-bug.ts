// GRPO as often implemented, claimed unbiased: (r − mean)/(std + 1e-6) per group and each
// token's advantage divided by the response's length |o|. Biased: the std reweights prompts by
// their success rate, and 1/|o| changes the objective (derivations/10-group-relative.md).
import type { GroupEstimator } from 'pgtruth';

const grpo: GroupEstimator = {
  kind: 'group',
  name: 'GRPO (std, 1/|o|)',
  estimate(batch) {
    const { groupSize: G, maxTokens: T, rewards, lengths } = batch;
    const adv = new Float64Array(batch.mask.length);
    for (let b = 0; b < batch.numPrompts; b++) {
      let mean = 0, ss = 0;
      for (let j = 0; j < G; j++) mean += rewards[b * G + j]! / G;
      for (let j = 0; j < G; j++) ss += (rewards[b * G + j]! - mean) ** 2;
      const std = Math.sqrt(ss / (G - 1));
      for (let j = 0; j < G; j++) {
        const i = b * G + j, a = (rewards[i]! - mean) / (std + 1e-6) / lengths[i]!;
        for (let t = 0; t < T; t++) adv[i * T + t] = a;
      }
    }
    return adv;
  },
};
export default grpo;
