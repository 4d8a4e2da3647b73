// A user's PPO actor loss for a tanh-squashed Gaussian head on an MLP (the network outputs
// [μ_w(x), log σ_w(x)]), computing log π itself from the view's mean and log σ with the change
// of variables a = tanh(u): log π(a|x) = log N(u; μ, σ) − Σ log(1 − tanh² u), and a k3 KL
// penalty declared so that pgtruth adds its exact gradient to the target:
//   loss = −(1/E) Σ_t [min(ρ_t Â_t, clip(ρ_t, 1 ± ε) Â_t) − β((ρ_t − 1) − log ρ_t)],  ρ_t = π_w(a_t|x_t)/π_old(a_t|x_t)
// a_cont_t holds the pre-squash u; π_old's log-probabilities are in batch.logp_t.
// pgtruth check examples/estimators/tanh-gaussian-mlp-ppo.ts   → passes (at w_old and at w ≠ w_old)
import type { GaussianMlpSurrogateEstimator } from 'pgtruth';

const EPS = 0.2, KL = 0.5, LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

const tanhGaussianMlpPpo: GaussianMlpSurrogateEstimator = {
  kind: 'surrogate',
  policy: 'tanh-gaussian-mlp',
  name: 'tanh-gaussian-mlp-ppo',
  clip: EPS,
  klCoef: KL,
  estimate(batch, policy, advantages) {
    const d = batch.obsDim, k = batch.actionDim, gradient = new Float64Array(policy.numParams);
    let loss = 0, episodes = 0;
    for (let t = 0; t < batch.size; t++) {
      if (t === 0 || batch.episode_t[t] !== batch.episode_t[t - 1]) episodes++;
      const obs = batch.obs_t.subarray(t * d, (t + 1) * d), u = batch.a_cont_t.subarray(t * k, (t + 1) * k);
      const mu = policy.mean(obs), logStd = policy.logStd(obs);
      let logp = 0;
      for (let j = 0; j < k; j++) {
        const z = (u[j]! - mu[j]!) / Math.exp(logStd[j]!), a = Math.tanh(u[j]!);
        logp += -0.5 * z * z - logStd[j]! - LOG_SQRT_2PI - Math.log(1 - a * a); // log(1 − tanh² u)
      }
      const logRho = logp - batch.logp_t[t]!, rho = Math.exp(logRho), A = advantages[t]!;
      const clipped = Math.min(Math.max(rho, 1 - EPS), 1 + EPS);
      loss -= Math.min(rho * A, clipped * A);
      // ∇ρ = ρ ∇log π (the Jacobian term does not depend on w); where the clipped branch is the minimum the term is constant
      if (rho * A <= clipped * A) policy.addScore(obs, u, -rho * A, gradient);
      // k3 KL penalty: β((ρ − 1) − log ρ), gradient β(ρ − 1)∇log π
      loss += KL * (Math.expm1(logRho) - logRho);
      policy.addScore(obs, u, KL * Math.expm1(logRho), gradient);
    }
    return { loss: loss / episodes, gradient: gradient.map((g) => g / episodes) };
  },
};
export default tanhGaussianMlpPpo;
