// A user's importance-weighted REINFORCE for a tanh-squashed Gaussian policy (SAC/PPO-style
// actor): it computes log π itself from the view's mean and log σ, with the change of
// variables a = tanh(u): log π(a) = log N(u; μ, σ) − Σ log(1 − tanh² u), then weights each
// score by ρ = π_θ(a)/π_old(a) (= 1 at θ_old when log π is right). a_cont_t holds u.
// pgtruth check examples/estimators/tanh-gaussian.ts   → every claim passes
import type { GaussianPolicyGradientEstimator } from 'pgtruth';

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

const tanhGaussian: GaussianPolicyGradientEstimator = {
  kind: 'policy-gradient',
  policy: 'tanh-gaussian',
  name: 'tanh-gaussian',
  estimate(batch, policy, gamma) {
    const k = batch.actionDim, d = batch.obsDim, logStd = policy.logStd();
    const grad = new Float64Array(policy.numParams);
    let G = 0, episodes = 0;
    const ret = new Float64Array(batch.size);
    for (let i = batch.size - 1; i >= 0; i--) {
      if (batch.terminated_t[i] || batch.truncated_t[i]) G = 0;
      G = batch.r_t[i]! + gamma * G;
      ret[i] = G;
    }
    for (let i = 0; i < batch.size; i++) {
      if (i === 0 || batch.episode_t[i] !== batch.episode_t[i - 1]) episodes++;
      const obs = batch.obs_t.subarray(i * d, (i + 1) * d), u = batch.a_cont_t.subarray(i * k, (i + 1) * k);
      const mu = policy.mean(obs);
      let logp = 0;
      for (let j = 0; j < k; j++) {
        const z = (u[j]! - mu[j]!) / Math.exp(logStd[j]!);
        const a = Math.tanh(u[j]!);
        logp += -0.5 * z * z - logStd[j]! - LOG_SQRT_2PI - Math.log(1 - a * a); // log(1 − tanh² u)
      }
      const rho = Math.exp(logp - batch.logp_t[i]!);
      policy.addScore(obs, u, Math.pow(gamma, batch.t_index[i]!) * rho * ret[i]!, grad);
    }
    return grad.map((g) => g / episodes);
  },
};
export default tanhGaussian;
