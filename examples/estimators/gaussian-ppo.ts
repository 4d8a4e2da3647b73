// A user's PPO loss for a Gaussian policy (the deep-RL actor loss), with an entropy bonus and a
// k3 KL penalty declared so that pgtruth adds their exact gradients to the target:
//   loss = −(1/N) Σ_t [min(ρ_t Â_t, clip(ρ_t, 1 ± ε) Â_t) − β((ρ_t − 1) − log ρ_t)] − c H(π_θ)
// with ρ_t = π_θ(a_t)/π_old(a_t), π_old's log-probabilities in batch.logp_t, and the sampled
// (pre-clip) action a_cont_t: the environment's clip is not part of the policy.
// pgtruth check examples/estimators/gaussian-ppo.ts   → passes (at θ_old and at θ ≠ θ_old)
import type { GaussianSurrogateEstimator } from 'pgtruth';

const EPS = 0.2, ENTROPY = 0.1, KL = 0.5;
const HALF_LOG_2PI_E = 0.5 * (Math.log(2 * Math.PI) + 1);

const gaussianPpo: GaussianSurrogateEstimator = {
  kind: 'surrogate',
  policy: 'gaussian',
  name: 'gaussian-ppo',
  clip: EPS,
  entropyCoef: ENTROPY,
  klCoef: KL,
  estimate(batch, policy, advantages) {
    const d = batch.obsDim, k = batch.actionDim, N = batch.size;
    const gradient = new Float64Array(policy.numParams);
    let loss = 0;
    for (let t = 0; t < N; t++) {
      const obs = batch.obs_t.subarray(t * d, (t + 1) * d), a = batch.a_cont_t.subarray(t * k, (t + 1) * k);
      const logRho = policy.logProb(obs, a) - batch.logp_t[t]!, rho = Math.exp(logRho), A = advantages[t]!;
      const clipped = Math.min(Math.max(rho, 1 - EPS), 1 + EPS);
      loss -= Math.min(rho * A, clipped * A) / N;
      // ∇ρ = ρ ∇log π; where the clipped branch is the minimum the term is constant
      if (rho * A <= clipped * A) policy.addScore(obs, a, (-rho * A) / N, gradient);
      // k3 KL penalty: β((ρ − 1) − log ρ), gradient β(ρ − 1)∇log π
      loss += (KL * (Math.expm1(logRho) - logRho)) / N;
      policy.addScore(obs, a, (KL * Math.expm1(logRho)) / N, gradient);
    }
    // entropy bonus: H = Σ_j (½ log 2πe + log σ_j), a state-independent log σ: ∂H/∂log σ_j = 1
    const logStd = policy.logStd();
    for (let j = 0; j < k; j++) {
      loss -= ENTROPY * (HALF_LOG_2PI_E + logStd[j]!);
      gradient[policy.logStdOffset + j] = gradient[policy.logStdOffset + j]! - ENTROPY;
    }
    return { loss, gradient };
  },
};
export default gaussianPpo;
