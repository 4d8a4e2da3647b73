// BUGGY on purpose: PPO that takes min(ρ, clip(ρ)) before multiplying by Â (takuseno/ppo#3).
// At ρ = 1 (θ = θ_old) it agrees with the correct surrogate; with ratios away from 1 and
// negative advantages it does not.
import type { SurrogateEstimator } from 'pgtruth';

const EPS = 0.2;

const ppoMinBug: SurrogateEstimator = {
  kind: 'surrogate',
  name: 'ppo-min-bug',
  clip: EPS,
  estimate(batch, policy, advantages) {
    const gradient = new Float64Array(policy.numStates * policy.numActions);
    let loss = 0, episodes = 0, w = 1;
    for (let i = 0; i < batch.size; i++) {
      if (i === 0 || batch.episode_t[i] !== batch.episode_t[i - 1]) { episodes++; w = Math.pow(batch.gamma, batch.t_index[i]!); } else w *= batch.gamma;
      const rho = Math.exp(policy.logProb(batch.s_t[i]!, batch.a_t[i]!) - batch.logp_t[i]!);
      const clipped = Math.min(Math.max(rho, 1 - EPS), 1 + EPS);
      const m = Math.min(rho, clipped); // the bug: min over the ratios, then × Â
      loss -= w * m * advantages[i]!;
      if (m === rho) policy.addScore(batch.s_t[i]!, batch.a_t[i]!, -w * rho * advantages[i]!, gradient);
    }
    return { loss: loss / episodes, gradient: gradient.map((g) => g / episodes) };
  },
};
export default ppoMinBug;
