// A user's A2C loss, both gradients from one loss (reduction: mean over the batch's transitions):
//   L = mean_t [ −Â_t log π(a_t|s_t) + c_v · ½ (V(s_t) − R_t)² − c_H · H(π(·|s_t)) ]
// with Â_t = GAE(γ, λ) under the critic V and R_t = Â_t + V(s_t), both DETACHED: the policy
// loss does not differentiate through Â, the value loss not through R (the semi-gradient).
import type { ActorCriticEstimator, Batch } from 'pgtruth';

const VALUE_COEF = 0.5, ENTROPY_COEF = 0.01;

function gae(batch: Batch, V: Float64Array, gamma: number, lambda: number): Float64Array {
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

const a2c: ActorCriticEstimator = {
  kind: 'actor-critic',
  name: 'a2c-loss',
  definition: 'gae',
  reduction: 'mean',
  half: true,
  valueCoef: VALUE_COEF,
  entropyCoef: ENTROPY_COEF,
  estimate(batch, policy, V, gamma, lambda) {
    const N = batch.size, A = policy.numActions;
    const adv = gae(batch, V, gamma, lambda); // a constant for both losses (detached)
    const gradTheta = new Float64Array(policy.numStates * A), gradV = new Float64Array(V.length);
    let loss = 0;
    for (let i = 0; i < N; i++) {
      const s = batch.s_t[i]!, a = batch.a_t[i]!, R = adv[i]! + V[s]!;
      const p = policy.probs(s);
      let H = 0;
      for (let b = 0; b < A; b++) if (p[b]! > 0) H -= p[b]! * Math.log(p[b]!);
      loss += (-adv[i]! * policy.logProb(s, a) + VALUE_COEF * 0.5 * (V[s]! - R) ** 2 - ENTROPY_COEF * H) / N;
      policy.addScore(s, a, -adv[i]! / N, gradTheta);
      gradV[s]! += (VALUE_COEF * (V[s]! - R)) / N; // R detached
      // ∂H/∂θ(s, b) = −π(b|s)(log π(b|s) + H)
      for (let b = 0; b < A; b++) gradTheta[s * A + b]! -= (ENTROPY_COEF * -p[b]! * (Math.log(p[b]!) + H)) / N;
    }
    return { loss, gradTheta, gradV };
  },
};
export default a2c;
