// BUGGY on purpose: GAE that treats a time-limit / segment truncation as a termination — it does
// not bootstrap from V(s_tp1) where the episode was merely cut (stable-baselines3#633).
import type { AdvantageEstimator } from 'pgtruth';

const gaeTruncationBug: AdvantageEstimator = {
  kind: 'advantage',
  name: 'gae-truncation-bug',
  estimate(batch, values, gamma, lambda) {
    const advantages = new Float64Array(batch.size);
    let carry = 0;
    for (let i = batch.size - 1; i >= 0; i--) {
      const done = batch.terminated_t[i] || batch.truncated_t[i];
      const next = done ? 0 : values[batch.s_tp1[i]!]!; // the bug: truncated transitions lose V(s_tp1)
      const delta = batch.r_t[i]! + gamma * next - values[batch.s_t[i]!]!;
      carry = delta + (done ? 0 : gamma * lambda * carry);
      advantages[i] = carry;
    }
    return { advantages, targets: advantages.map((a, i) => a + values[batch.s_t[i]!]!) };
  },
};
export default gaeTruncationBug;
