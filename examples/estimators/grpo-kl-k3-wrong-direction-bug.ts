// BUG (GRPO's, as published: Shao et al. 2024, eq. 4): the KL to the reference as a k3 loss
// term, k3 = π_ref/π_θ − log(π_ref/π_θ) − 1 per token, differentiated through π_θ with the
// sampled tokens held fixed. Its value estimates KL(π_θ‖π_ref), but its mean gradient,
// Σ_s η(s) ∇KL(π_ref(·|s)‖π_θ(·|s)), is that of the other direction per state (Tang & Munos
// 2025): about 50% of ‖∇KL‖ off on the built-in problems.
import type { GroupEstimator } from 'pgtruth';

const rlooWithK3: GroupEstimator = {
  kind: 'group',
  name: 'RLOO + k3 loss term',
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
  // ∂k3/∂log π_θ = 1 − π_ref/π_θ on each token: the gradient of the loss (1/N) Σ_{i,t} k3
  klPenalty(batch) {
    const { mask, logp_t, logpRef_t } = batch;
    const c = new Float64Array(mask.length);
    for (let k = 0; k < mask.length; k++) if (mask[k]) c[k] = 1 - Math.exp(logpRef_t[k]! - logp_t[k]!);
    return c;
  },
};
export default rlooWithK3;
