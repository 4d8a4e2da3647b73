// A user's PPO clipped surrogate (ε = 0.2) with per-batch advantage normalization,
// Â ← (Â − mean)/std over the batch's transitions, declared as such (normalizeAdvantages: true).
// Its gradient is not an unbiased estimate of ∇J: at θ_old it tends to ∇J/σ_A as the batch
// grows. pgtruth checks it against that limit and says how far it is from ∇J.
import type { SurrogateEstimator } from 'pgtruth';

const EPS = 0.2;

const ppoNormalized: SurrogateEstimator = {
  kind: 'surrogate',
  name: 'ppo-normalized',
  clip: EPS,
  normalizeAdvantages: true,
  estimate(batch, policy, advantages) {
    const n = batch.size;
    let mean = 0, sq = 0;
    for (let i = 0; i < n; i++) mean += advantages[i]! / n;
    for (let i = 0; i < n; i++) sq += (advantages[i]! - mean) ** 2;
    const std = Math.sqrt(sq / (n - 1)) + 1e-8;
    const gradient = new Float64Array(policy.numStates * policy.numActions);
    let loss = 0, episodes = 0, w = 1;
    for (let i = 0; i < n; i++) {
      if (i === 0 || batch.episode_t[i] !== batch.episode_t[i - 1]) { episodes++; w = Math.pow(batch.gamma, batch.t_index[i]!); } else w *= batch.gamma;
      const rho = Math.exp(policy.logProb(batch.s_t[i]!, batch.a_t[i]!) - batch.logp_t[i]!);
      const A = (advantages[i]! - mean) / std;
      const clipped = Math.min(Math.max(rho, 1 - EPS), 1 + EPS);
      loss -= w * Math.min(rho * A, clipped * A);
      if (rho * A <= clipped * A) policy.addScore(batch.s_t[i]!, batch.a_t[i]!, -w * rho * A, gradient);
    }
    return { loss: loss / episodes, gradient: gradient.map((g) => g / episodes) };
  },
};
export default ppoNormalized;
