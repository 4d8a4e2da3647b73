// An A2C loss whose advantages are NOT detached (a shipped bug: a missing .detach()): the policy
// loss −Â_t log π(a_t|s_t) is differentiated through Â_t = Σ_k (γλ)^k δ_{t+k} into the critic,
// so ∇_V L gains −mean_t log π(a_t|s_t) ∂Â_t/∂V. Otherwise as actor-critic.ts.
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
  name: 'a2c-no-detach-bug',
  definition: 'gae',
  reduction: 'mean',
  half: true,
  valueCoef: VALUE_COEF,
  entropyCoef: ENTROPY_COEF,
  estimate(batch, policy, V, gamma, lambda) {
    const N = batch.size, A = policy.numActions;
    const adv = gae(batch, V, gamma, lambda);
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
    // BUG: ∂(−Â_t log π_t)/∂V, with ∂δ_j/∂V = γ(1 − terminated_j) e_{s_tp1} − e_{s_j}
    for (let t = 0; t < N; t++) {
      const w = -policy.logProb(batch.s_t[t]!, batch.a_t[t]!) / N;
      let c = w;
      for (let j = t; j < N; j++) {
        gradV[batch.s_t[j]!]! -= c;
        if (!batch.terminated_t[j]) gradV[batch.s_tp1[j]!]! += c * gamma;
        if (batch.terminated_t[j] || batch.truncated_t[j]) break;
        c *= gamma * lambda;
      }
    }
    return { loss, gradTheta, gradV };
  },
};
export default a2c;
