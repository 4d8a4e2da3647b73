// A user's PPO clipped surrogate (ε = 0.2): loss = −(1/E) Σ_t γ^t min(ρ_t Â_t, clip(ρ_t) Â_t),
// ρ_t = π_θ(a_t|s_t)/π_old(a_t|s_t), with π_old's log-probabilities in batch.logp_t.
import type { SurrogateEstimator } from 'pgtruth';

const EPS = 0.2;

const ppo: SurrogateEstimator = {
  kind: 'surrogate',
  name: 'ppo-clip',
  clip: EPS,
  estimate(batch, policy, advantages) {
    const gamma = batch.gamma; // the discount of the MDP the batch came from
    const gradient = new Float64Array(policy.numStates * policy.numActions);
    let loss = 0, episodes = 0, w = 1;
    for (let i = 0; i < batch.size; i++) {
      if (i === 0 || batch.episode_t[i] !== batch.episode_t[i - 1]) { episodes++; w = Math.pow(gamma, batch.t_index[i]!); } else w *= gamma;
      const rho = Math.exp(policy.logProb(batch.s_t[i]!, batch.a_t[i]!) - batch.logp_t[i]!);
      const A = advantages[i]!;
      const clipped = Math.min(Math.max(rho, 1 - EPS), 1 + EPS);
      const unclippedActive = rho * A <= clipped * A;
      loss -= w * Math.min(rho * A, clipped * A);
      // ∇ρ = ρ ∇log π; the clipped branch has zero gradient
      if (unclippedActive) policy.addScore(batch.s_t[i]!, batch.a_t[i]!, -w * rho * A, gradient);
    }
    return { loss: loss / episodes, gradient: gradient.map((g) => g / episodes) };
  },
};
export default ppo;
