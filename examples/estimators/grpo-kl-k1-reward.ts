// A user's RLOO with a KL penalty to the reference policy that is right: the k1 term
// log π_θ − log π_ref put into the reward, so each token's coefficient is the reward-to-go of
// k1 along its response (REINFORCE on the penalty; Ouyang et al. 2022, Hu 2025). Its mean
// gradient is ∇_θ KL(π_θ‖π_ref) of whole responses, the KL it is meant to penalize.
import type { GroupEstimator } from 'pgtruth';

const rlooWithKl: GroupEstimator = {
  kind: 'group',
  name: 'RLOO + k1 reward penalty',
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
  // c_{i,t} = Σ_{t' ≥ t} (log π_θ − log π_ref)(a_{t'}|s_{t'}): ∇L_KL = (1/N) Σ c ∇log π_θ
  klPenalty(batch) {
    const { maxTokens: T, mask, logp_t, logpRef_t } = batch;
    const c = new Float64Array(mask.length);
    for (let i = 0; i < mask.length / T; i++) {
      let toGo = 0;
      for (let t = T - 1; t >= 0; t--) {
        const k = i * T + t;
        if (!mask[k]) continue;
        toGo += logp_t[k]! - logpRef_t[k]!;
        c[k] = toGo;
      }
    }
    return c;
  },
};
export default rlooWithKl;
