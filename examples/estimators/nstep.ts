// A user's n-step advantage (A3C; Lehmann 2024, eq. 14), declared as such: `definition: { nStep: 3 }`
// tells pgtruth check to compare it with the exact mean of the 3-step advantage under every critic
// (λ is passed but ignored). The window stops at the episode's end: no bootstrap at a termination,
// V(s_tp1) at a truncation or segment cut.
import type { AdvantageEstimator } from 'pgtruth';

const N = 3;
const nStep: AdvantageEstimator = {
  kind: 'advantage',
  name: 'nstep-3',
  definition: { nStep: N },
  estimate(batch, values, gamma) {
    const advantages = new Float64Array(batch.size);
    for (let i = 0; i < batch.size; i++) {
      let g = 0, w = 1;
      for (let j = i, k = 1; ; j++, k++) {
        g += w * batch.r_t[j]!;
        w *= gamma;
        if (batch.terminated_t[j]) break;
        if (batch.truncated_t[j] || k === N) { g += w * values[batch.s_tp1[j]!]!; break; }
      }
      advantages[i] = g - values[batch.s_t[i]!]!;
    }
    return { advantages, targets: advantages.map((a, i) => a + values[batch.s_t[i]!]!) };
  },
};
export default nStep;
