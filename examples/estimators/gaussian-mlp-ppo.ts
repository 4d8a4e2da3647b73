// A user's PPO actor loss for a Gaussian head on an MLP (PPO's usual actor: μ_w(x) from the
// network, a state-independent log σ after its parameters), with an entropy bonus and a k3 KL
// penalty declared so that pgtruth adds their exact gradients to the target:
//   loss = −(1/E) Σ_t γ^t [min(ρ_t Â_t, clip(ρ_t, 1 ± ε) Â_t) − β((ρ_t − 1) − log ρ_t) + c H(π_w(·|x_t))]
// with ρ_t = π_w(u_t|x_t)/π_old(u_t|x_t), π_old's log-probabilities in batch.logp_t, and the sampled
// (pre-clip) action a_cont_t: the environment's clip is not part of the policy. E episodes
// (one per draw on the contextual bandit the check uses).
// pgtruth check examples/estimators/gaussian-mlp-ppo.ts   → passes (at w_old and at w ≠ w_old)
import type { GaussianMlpSurrogateEstimator } from 'pgtruth';

const EPS = 0.2, ENTROPY = 0.1, KL = 0.5;
const HALF_LOG_2PI_E = 0.5 * (Math.log(2 * Math.PI) + 1);

const gaussianMlpPpo: GaussianMlpSurrogateEstimator = {
  kind: 'surrogate',
  policy: 'gaussian-mlp',
  name: 'gaussian-mlp-ppo',
  clip: EPS,
  entropyCoef: ENTROPY,
  klCoef: KL,
  estimate(batch, policy, advantages) {
    const d = batch.obsDim, k = batch.actionDim, gamma = batch.gamma;
    const gradient = new Float64Array(policy.numParams);
    let loss = 0, episodes = 0, weights = 0;
    for (let t = 0; t < batch.size; t++) {
      if (t === 0 || batch.episode_t[t] !== batch.episode_t[t - 1]) episodes++;
      const w = Math.pow(gamma, batch.t_index[t]!); // the discounted visitation of π_old
      const obs = batch.obs_t.subarray(t * d, (t + 1) * d), a = batch.a_cont_t.subarray(t * k, (t + 1) * k);
      const logRho = policy.logProb(obs, a) - batch.logp_t[t]!, rho = Math.exp(logRho), A = advantages[t]!;
      const clipped = Math.min(Math.max(rho, 1 - EPS), 1 + EPS);
      loss -= w * Math.min(rho * A, clipped * A);
      // ∇ρ = ρ ∇log π; where the clipped branch is the minimum the term is constant
      if (rho * A <= clipped * A) policy.addScore(obs, a, -w * rho * A, gradient);
      // k3 KL penalty: β((ρ − 1) − log ρ), gradient β(ρ − 1)∇log π
      loss += w * KL * (Math.expm1(logRho) - logRho);
      policy.addScore(obs, a, w * KL * Math.expm1(logRho), gradient);
      weights += w;
    }
    // entropy bonus −c H per step: H = Σ_j (½ log 2πe + log σ_j), log σ a parameter block at logStdOffset: ∂H/∂log σ_j = 1
    const logStd = policy.logStd(batch.obs_t.subarray(0, d)), off = policy.logStdOffset!;
    for (let j = 0; j < k; j++) {
      loss -= weights * ENTROPY * (HALF_LOG_2PI_E + logStd[j]!);
      gradient[off + j] = gradient[off + j]! - weights * ENTROPY;
    }
    return { loss: loss / episodes, gradient: gradient.map((g) => g / episodes) };
  },
};
export default gaussianMlpPpo;
