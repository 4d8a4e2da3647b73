/**
 * Sample estimators of KL(q‖p) from x ∼ q with the log-ratio log r = log p(x) − log q(x)
 * (J. Schulman 2020, "Approximating KL Divergence"; REFERENCES.md):
 *
 * | estimator | formula | bias | note |
 * | --- | --- | --- | --- |
 * | {@link klK1} | −log r | unbiased | high variance, negative samples |
 * | {@link klK2} | ½ (log r)² | biased (E[k2] − KL = O(KL^{3/2}) near p = q) | low variance, ≥ 0 |
 * | {@link klK3} | (r − 1) − log r | unbiased (E_q[r] = 1) | low variance, ≥ 0 |
 *
 * For the policies of a batch, x = a_i ∼ π_old(·|s_i) and `logRatios(batch, policy)` gives
 * log r_i = log π_θ(a_i|s_i) − log π_old(a_i|s_i); the averages estimate
 * KL(π_old(·|s)‖π_θ(·|s)) under the batch's states. Each function maps an array of
 * log-ratios to the array of per-sample estimates.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import { expm1MinusX } from '../stats/special.js';

export { expm1MinusX };

function checkLogRatios(logRatio: Float64Array): void {
  for (let i = 0; i < logRatio.length; i++) if (!Number.isFinite(logRatio[i]!)) fail('ESTIMATOR_ARGUMENT', `logRatio[${i}] is ${show(logRatio[i])}: log-ratios must be finite`, { where: `logRatio[${i}]`, value: logRatio[i] });
}

/** k1 = −log r: unbiased for KL(q‖p). */
export function klK1(logRatio: Float64Array): Float64Array {
  checkLogRatios(logRatio);
  return logRatio.map((x) => -x);
}

/** k2 = ½ (log r)²: biased for KL(q‖p) (it is unbiased for an f-divergence that agrees with KL to second order). */
export function klK2(logRatio: Float64Array): Float64Array {
  checkLogRatios(logRatio);
  return logRatio.map((x) => 0.5 * x * x);
}

/**
 * k3 = (r − 1) − log r, computed as e^{log r} − 1 − log r to full relative precision near
 * r = 1 (where a naive r − 1 − log r cancels to noise): unbiased for KL(q‖p) and ≥ 0. Throws
 * `ESTIMATOR_OVERFLOW` where r itself overflows (log r > ~709.78). Into `out` when given (it may
 * be `logRatio` itself: the map is elementwise).
 */
export function klK3(logRatio: Float64Array, out: Float64Array = new Float64Array(logRatio.length)): Float64Array {
  checkLogRatios(logRatio);
  if (!(out instanceof Float64Array) || out.length !== logRatio.length) fail('ESTIMATOR_ARGUMENT', `out has ${out?.length} entries, logRatio ${logRatio.length}`, { where: 'out', value: out?.length });
  for (let i = 0; i < out.length; i++) {
    const x = logRatio[i]!, v = expm1MinusX(x);
    if (!Number.isFinite(v)) fail('ESTIMATOR_OVERFLOW', `k3 at logRatio[${i}] = ${show(x)} overflows: r = e^{${show(x)}} exceeds double precision`, { where: `logRatio[${i}]`, value: x });
    out[i] = Math.max(0, v);
  }
  return out;
}
