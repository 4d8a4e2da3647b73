// BUGGY on purpose: the tanh-squashed Gaussian MLP head's log-density with the Jacobian
// evaluated at the squashed value — log(1 − tanh²(a)) with a = tanh(u), where
// log(1 − tanh² u) = log(1 − a²) belongs (a bug shipped in SAC ports that recompute log π from
// the stored action). log π is then off by a term that does not depend on w, so the score is
// right; but ρ = π_w/π_old against the sampler's log π_old is no longer 1 at w_old, and it
// reweights the gradient.
// pgtruth check examples/estimators/tanh-gaussian-mlp-jacobian-bug.ts   → FAIL, named tanh-jacobian-at-squashed-value
import type { GaussianMlpPolicyGradientEstimator } from 'pgtruth';

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

const tanhJacobianBug: GaussianMlpPolicyGradientEstimator = {
  kind: 'policy-gradient',
  policy: 'tanh-gaussian-mlp',
  name: 'tanh-gaussian-mlp-jacobian-bug',
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
        logp += -0.5 * z * z - logStd[j]! - LOG_SQRT_2PI - Math.log(1 - Math.tanh(a) ** 2); // the bug: tanh(a), not u
      }
      const rho = Math.exp(logp - batch.logp_t[i]!);
      policy.addScore(obs, u, Math.pow(gamma, batch.t_index[i]!) * rho * ret[i]!, grad);
    }
    return grad.map((g) => g / episodes);
  },
};
export default tanhJacobianBug;
