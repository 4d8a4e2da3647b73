// BUGGY on purpose: the entropy bonus enters the loss with the wrong sign (+c·H: it penalizes entropy;
// MrSyee/pg-is-all-you-need#37). Otherwise as ppo-regularized.ts: PPO (ε = 0.2), c = 0.1, β = 0.5 (k3)
// declared on the estimator: the check's target has +c·∇H, the estimator delivers −c·∇H.
import type { SurrogateEstimator } from 'pgtruth';

const EPS = 0.2, ENTROPY = 0.1, KL = 0.5;

const ppoEntropySignBug: SurrogateEstimator = {
  kind: 'surrogate',
  name: 'ppo-entropy-sign-bug',
  clip: EPS,
  entropyCoef: ENTROPY,
  klCoef: KL,
  estimate(batch, policy, advantages) {
    const gamma = batch.gamma;
    const gradient = new Float64Array(policy.numStates * policy.numActions);
    let loss = 0, episodes = 0, w = 1;
    for (let i = 0; i < batch.size; i++) {
      if (i === 0 || batch.episode_t[i] !== batch.episode_t[i - 1]) { episodes++; w = Math.pow(gamma, batch.t_index[i]!); } else w *= gamma;
      const s = batch.s_t[i]!, a = batch.a_t[i]!;
      const logRho = policy.logProb(s, a) - batch.logp_t[i]!, rho = Math.exp(logRho);
      const A = advantages[i]!, clipped = Math.min(Math.max(rho, 1 - EPS), 1 + EPS);
      loss -= w * Math.min(rho * A, clipped * A);
      if (rho * A <= clipped * A) policy.addScore(s, a, -w * rho * A, gradient);
      // entropy bonus: −c H(s), ∇H(s) = −Σ_b π(b|s) log π(b|s) ∇log π(b|s)
      const p = policy.probs(s);
      for (let b = 0; b < p.length; b++) {
        const lp = policy.logProb(s, b);
        loss -= w * ENTROPY * p[b]! * lp; // the bug: the sign
        policy.addScore(s, b, -w * ENTROPY * p[b]! * lp, gradient);
      }
      // KL penalty (k3): β((ρ − 1) − log ρ), gradient β(ρ − 1)∇log π(a|s)
      loss += w * KL * (Math.expm1(logRho) - logRho);
      policy.addScore(s, a, w * KL * Math.expm1(logRho), gradient);
    }
    return { loss: loss / episodes, gradient: gradient.map((g) => g / episodes) };
  },
};
export default ppoEntropySignBug;
