// A user's GAE(γ, λ): terminations do not bootstrap, truncations bootstrap from V(s_tp1), and
// the carry resets at every episode end.
import type { AdvantageEstimator } from 'pgtruth';

const gae: AdvantageEstimator = {
  kind: 'advantage',
  name: 'gae',
  estimate(batch, values, gamma, lambda) {
    const advantages = new Float64Array(batch.size);
    let carry = 0;
    for (let i = batch.size - 1; i >= 0; i--) {
      const end = batch.terminated_t[i] || batch.truncated_t[i];
      const next = batch.terminated_t[i] ? 0 : values[batch.s_tp1[i]!]!;
      const delta = batch.r_t[i]! + gamma * next - values[batch.s_t[i]!]!;
      carry = delta + (end ? 0 : gamma * lambda * carry);
      advantages[i] = carry;
    }
    const targets = advantages.map((a, i) => a + values[batch.s_t[i]!]!);
    return { advantages, targets };
  },
};
export default gae;
