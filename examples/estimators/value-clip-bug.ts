// A PPO value loss with value clipping that takes the MIN of the clipped and unclipped squared
// errors instead of the max (a shipped bug): where V moved more than ε from V_old it follows
// whichever error is smaller. Otherwise as value-loss.ts:
//   R_t = GAE(γ, λ) advantage under the rollout-time critic V_old, plus V_old(s_t)
//   loss = mean_t ½ max((V(s_t) − R_t)², (V_old(s_t) + clip(V(s_t) − V_old(s_t), −ε, ε) − R_t)²)
// and its gradient in the value table V (length S).
import type { ValueLossEstimator } from 'pgtruth';

const EPS = 0.2;

/** GAE(γ, λ) under the value table V: no bootstrap at a termination, V(s_tp1) at a truncation. */
function gae(batch: Parameters<ValueLossEstimator['estimate']>[0], V: Float64Array, gamma: number, lambda: number): Float64Array {
  const adv = new Float64Array(batch.size);
  let carry = 0;
  for (let i = batch.size - 1; i >= 0; i--) {
    const end = batch.terminated_t[i] || batch.truncated_t[i];
    const next = batch.terminated_t[i] ? 0 : V[batch.s_tp1[i]!]!;
    carry = batch.r_t[i]! + gamma * next - V[batch.s_t[i]!]! + (end ? 0 : gamma * lambda * carry);
    adv[i] = carry;
  }
  return adv;
}

const valueLoss: ValueLossEstimator = {
  kind: 'value-loss',
  name: 'value-clip-min-bug',
  definition: 'gae',
  reduction: 'mean',
  half: true,
  valueClip: EPS,
  estimate(batch, V, Vold, gamma, lambda) {
    const adv = gae(batch, Vold, gamma, lambda); // targets from the rollout-time critic
    const gradient = new Float64Array(V.length);
    let loss = 0;
    const N = batch.size;
    for (let i = 0; i < N; i++) {
      const s = batch.s_t[i]!, R = adv[i]! + Vold[s]!;
      const d = V[s]! - Vold[s]!, vClip = Vold[s]! + Math.min(Math.max(d, -EPS), EPS);
      const u = (V[s]! - R) ** 2, c = (vClip - R) ** 2;
      loss += 0.5 * Math.min(u, c) / N; // BUG: min instead of max
      // ∂/∂V(s) of the larger term; the clipped one moves with V only inside the clip range
      gradient[s]! += (u <= c ? V[s]! - R : Math.abs(d) < EPS ? vClip - R : 0) / N;
    }
    return { loss, gradient };
  },
};
export default valueLoss;
