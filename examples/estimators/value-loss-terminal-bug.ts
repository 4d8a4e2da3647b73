// A value loss whose targets bootstrap through termination: the TD error at the last step of
// an episode reads V(s_T) of the terminal state (a shipped bug: the done flag ignored when the
// next value is read). Under V^π it is invisible (V^π = 0 at terminals); the check uses a
// rollout-time critic that is not 0 there. No value clipping here.
import type { ValueLossEstimator } from 'pgtruth';

/** GAE(γ, λ) under the value table V: no bootstrap at a termination, V(s_tp1) at a truncation. */
function gae(batch: Parameters<ValueLossEstimator['estimate']>[0], V: Float64Array, gamma: number, lambda: number): Float64Array {
  const adv = new Float64Array(batch.size);
  let carry = 0;
  for (let i = batch.size - 1; i >= 0; i--) {
    const end = batch.terminated_t[i] || batch.truncated_t[i];
    const next = V[batch.s_tp1[i]!]!; // BUG: bootstraps from V(s_T) at a terminal state too
    carry = batch.r_t[i]! + gamma * next - V[batch.s_t[i]!]! + (end ? 0 : gamma * lambda * carry);
    adv[i] = carry;
  }
  return adv;
}

const valueLoss: ValueLossEstimator = {
  kind: 'value-loss',
  name: 'value-loss-terminal-bug',
  definition: 'gae',
  reduction: 'mean',
  half: true,
  estimate(batch, V, Vold, gamma, lambda) {
    const adv = gae(batch, Vold, gamma, lambda); // targets from the rollout-time critic
    const gradient = new Float64Array(V.length);
    let loss = 0;
    const N = batch.size;
    for (let i = 0; i < N; i++) {
      const s = batch.s_t[i]!, R = adv[i]! + Vold[s]!;
      loss += 0.5 * (V[s]! - R) ** 2 / N;
      gradient[s]! += (V[s]! - R) / N;
    }
    return { loss, gradient };
  },
};
export default valueLoss;
