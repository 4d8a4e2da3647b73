// A user's importance-weighted REINFORCE for a tanh-squashed Gaussian head on an MLP (SAC's
// actor: the network outputs [μ_w(x), log σ_w(x)], a state-dependent log σ). It computes
// log π itself from the view's mean and log σ at each observation, with the change of
// variables a = tanh(u): log π(a|x) = log N(u; μ, σ) − Σ log(1 − tanh² u), and weights each
// score by ρ = π_w(a|x)/π_old(a|x) (= 1 at w_old when log π is right). a_cont_t holds u.
// pgtruth check examples/estimators/tanh-gaussian-mlp.ts   → every claim passes
import type { GaussianMlpPolicyGradientEstimator } from 'pgtruth';

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

const tanhGaussianMlp: GaussianMlpPolicyGradientEstimator = {
  kind: 'policy-gradient',
  policy: 'tanh-gaussian-mlp',
  name: 'tanh-gaussian-mlp',
  estimate(batch, policy, gamma) {
    const k = batch.actionDim, d = batch.obsDim;
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
      const mu = policy.mean(obs), logStd = policy.logStd(obs);
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
export default tanhGaussianMlp;
