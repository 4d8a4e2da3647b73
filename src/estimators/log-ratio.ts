/**
 * Per-transition log-ratios of two policies' log-probabilities of the same actions:
 *
 * $$\log \rho_t = \log \pi_{\theta}(a_t|s_t) - \log \pi_{\theta_\text{old}}(a_t|s_t),$$
 *
 * the input of the k1/k2/k3 KL estimators of ./kl.ts (Schulman 2020, "Approximating KL
 * divergence"; Lehmann 2024, §4.4 and Fig. 5: with a_t ∼ π_old, mean k3 estimates
 * KL(π_old ‖ π_θ)).
 *
 * @module
 */
import { fail, show } from '../errors.js';

/** log ρ_t = logp_t − logp_old_t, into `out` when it has the right length. */
export function logRatiosFromLogProbs(logp_t: Float64Array, logp_old_t: Float64Array, out?: Float64Array): Float64Array {
  const n = logp_t.length;
  if (logp_old_t.length !== n) fail('ESTIMATOR_ARGUMENT', `logp_old_t has ${logp_old_t.length} entries, logp_t has ${n}: they must match`, { where: 'logp_old_t', value: logp_old_t.length });
  const o = out !== undefined && out.length === n ? out : new Float64Array(n);
  for (let t = 0; t < n; t++) {
    const x = logp_t[t]! - logp_old_t[t]!;
    if (!Number.isFinite(x)) fail('ESTIMATOR_ARGUMENT', `the log-ratio at t = ${t} is ${show(x)} (logp_t ${show(logp_t[t])}, logp_old_t ${show(logp_old_t[t])})`, { where: `logp_t[${t}]`, value: x });
    o[t] = x;
  }
  return o;
}
