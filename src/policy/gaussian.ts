/**
 * The diagonal Gaussian and the tanh-squashed Gaussian over continuous actions, written
 * once, as per-row functions over `Float64Array`s with offsets, so that a policy head (a
 * linear-Gaussian controller, an MLP's Gaussian head, a state-independent log σ vector)
 * calls them on its own buffers without allocating.
 *
 * A row is one action distribution over k dimensions, parameterized by the mean μ and the
 * **log standard deviation** log σ (the parameter every deep-RL Gaussian head learns; σ > 0
 * for free). Each argument array is read at `array[offset + i]`, i = 0 … k−1, so μ and
 * log σ may sit in one head-output row (`mu = out, muOff = row·2k, logStd = out,
 * lsOff = row·2k + k`) or log σ may be a shared parameter vector (`lsOff = 0` for every row).
 *
 * Formulas (per dimension i, z_i = (a_i − μ_i)/σ_i; Lehmann 2024, §3.2 for the score;
 * ../shared/REFERENCES.md, "One-step Gaussian and tanh-squashed Gaussian bandits"):
 *
 * $$\log\mathcal N(a;\mu,\sigma) = \sum_i \big(-\tfrac12 z_i^2 - \log\sigma_i - \tfrac12\log 2\pi\big),\qquad
 *   \frac{\partial \log\mathcal N}{\partial\mu_i} = \frac{a_i-\mu_i}{\sigma_i^2},\qquad
 *   \frac{\partial \log\mathcal N}{\partial\log\sigma_i} = z_i^2 - 1,$$
 *
 * $$H = \sum_i \tfrac12\log(2\pi e\,\sigma_i^2),\qquad
 *   F = \operatorname{diag}\big(1/\sigma_i^2,\ 2\big)\ \text{in}\ (\mu,\log\sigma),$$
 *
 * $$\mathrm{KL}(p\,\|\,q) = \sum_i \tfrac12\Big[\big(\rho_i - 1 - \log\rho_i\big) + \frac{(\mu^p_i-\mu^q_i)^2}{(\sigma^q_i)^2}\Big],\qquad \rho_i = (\sigma^p_i/\sigma^q_i)^2$$
 *
 * (the textbook log(σq/σp) + (σp² + Δμ²)/(2σq²) − ½ rearranged so that ρ − 1 − log ρ is
 * evaluated by `expm1MinusX` without cancellation near p = q).
 *
 * **The tanh-squashed Gaussian** (Haarnoja et al. 2018, "Soft Actor-Critic", Appendix C):
 * u ∼ N(μ, σ²), a = tanh(u), and by the change of variables
 *
 * $$\log\pi(a) = \log\mathcal N(u;\mu,\sigma) - \sum_i \log\big(1-\tanh^2 u_i\big),\qquad
 *   \log(1-\tanh^2 u) = 2\big(\log 2 - u - \operatorname{softplus}(-2u)\big),$$
 *
 * the second form exact algebra (1 − tanh² u = 4/(e^u + e^{−u})²) and finite for every
 * finite u, where the literal log(1 − tanh² u) is −∞ once tanh u rounds to ±1 (|u| ≳ 19).
 * The functions take the **pre-squash u** as the action: a sampler stores u beside
 * a = tanh(u). Recovering u as atanh(a) is a bug: the round trip loses digits as 1 − |a|
 * nears the rounding unit (atanh(tanh u) − u is −4e−9 at u = 10, −8e−5 at 15, +0.02 at 18),
 * for |u| ≳ 19 tanh u rounds to ±1 and atanh is infinite, and the usual patch atanh(clamp(a, ±(1 − 10⁻⁶))) replaces every
 * |u| > 7.25 by ±7.25 — at (μ 3, σ 2) that is 1.7% of the draws, and it biases E[log π] by
 * −0.0093 nats (REFERENCES.md). The score in (μ, log σ) of the squashed law equals the
 * Gaussian score at u (the Jacobian term does not depend on the parameters).
 *
 * **Validation.** The row functions are the hot path and check nothing (as the estimators
 * do not re-check a batch); {@link checkGaussianRow} validates a row's parameters once,
 * with typed errors: non-finite μ or log σ (`POLICY_NOT_FINITE`), |log σ| > 50
 * (`POLICY_SCALE`: beyond that σ² or 1/σ² leaves double precision's comfortable range).
 *
 * @module
 */
import { fail, show } from '../errors.js';
import { expm1MinusX } from '../stats/special.js';
import type { Rng } from '../stats/rng.js';

/** ½ log 2π. */
export const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** ½ log(2πe): the entropy of N(0, 1). */
export const HALF_LOG_2PI_E = 0.5 * (Math.log(2 * Math.PI) + 1);

/** The largest |log σ| a row may have (σ ∈ [e^{−50}, e^{50}] ≈ [2e−22, 5e21]). */
export const LOG_STD_BOUND = 50;

/**
 * Throws a typed error unless μ[muOff … muOff+k−1] is finite and log σ[lsOff …] is finite
 * with |log σ_i| ≤ {@link LOG_STD_BOUND}. `where` names the row in the message.
 */
export function checkGaussianRow(mu: ArrayLike<number>, muOff: number, logStd: ArrayLike<number>, lsOff: number, k: number, where = 'gaussian'): void {
  if (!(Number.isSafeInteger(k) && k >= 1) || muOff + k > mu.length || lsOff + k > logStd.length || muOff < 0 || lsOff < 0) {
    fail('POLICY_SHAPE', `${where}: a Gaussian row of ${show(k)} dimensions at μ offset ${muOff} (length ${mu.length}) and log σ offset ${lsOff} (length ${logStd.length}) does not fit`, { where, value: k });
  }
  for (let i = 0; i < k; i++) {
    const m = mu[muOff + i]!, l = logStd[lsOff + i]!;
    if (!Number.isFinite(m)) fail('POLICY_NOT_FINITE', `${where}: μ[${i}] is ${show(m)}`, { where: `${where} μ[${i}]`, value: m });
    if (!Number.isFinite(l)) fail('POLICY_NOT_FINITE', `${where}: log σ[${i}] is ${show(l)}`, { where: `${where} log σ[${i}]`, value: l });
    if (Math.abs(l) > LOG_STD_BOUND) fail('POLICY_SCALE', `${where}: log σ[${i}] is ${show(l)}, outside [−${LOG_STD_BOUND}, ${LOG_STD_BOUND}]`, { where: `${where} log σ[${i}]`, value: l });
  }
}

/** log N(a; μ, σ) = Σ_i (−½ z_i² − log σ_i − ½ log 2π), z_i = (a_i − μ_i)/σ_i (module comment). */
export function gaussianLogProbRow(a: ArrayLike<number>, aOff: number, mu: ArrayLike<number>, muOff: number, logStd: ArrayLike<number>, lsOff: number, k: number): number {
  let s = 0;
  for (let i = 0; i < k; i++) {
    const l = logStd[lsOff + i]!, z = (a[aOff + i]! - mu[muOff + i]!) * Math.exp(-l);
    s -= 0.5 * z * z + l + HALF_LOG_2PI;
  }
  return s;
}

/**
 * Adds w · ∇ log N(a; μ, σ) into the gradient rows: gMu[gMuOff+i] += w (a_i − μ_i)/σ_i²
 * and gLs[gLsOff+i] += w (z_i² − 1) (Lehmann 2024, §3.2; the per-transition
 * form c_t ∇ log π(a_t|s_t) of the policy contract).
 */
export function gaussianAddScoreRow(
  a: ArrayLike<number>, aOff: number, mu: ArrayLike<number>, muOff: number, logStd: ArrayLike<number>, lsOff: number, k: number,
  w: number, gMu: Float64Array, gMuOff: number, gLs: Float64Array, gLsOff: number,
): void {
  for (let i = 0; i < k; i++) {
    const inv = Math.exp(-logStd[lsOff + i]!), z = (a[aOff + i]! - mu[muOff + i]!) * inv;
    gMu[gMuOff + i] = gMu[gMuOff + i]! + w * z * inv;
    gLs[gLsOff + i] = gLs[gLsOff + i]! + w * (z * z - 1);
  }
}

/** H(N(μ, σ²)) = Σ_i (½ log(2πe) + log σ_i); ∂H/∂log σ_i = 1, ∂H/∂μ_i = 0. */
export function gaussianEntropyRow(logStd: ArrayLike<number>, lsOff: number, k: number): number {
  let h = 0;
  for (let i = 0; i < k; i++) h += HALF_LOG_2PI_E + logStd[lsOff + i]!;
  return h;
}

/**
 * KL(p‖q) between diagonal Gaussians p = N(μp, σp²), q = N(μq, σq²):
 * Σ_i ½[(ρ_i − 1 − log ρ_i) + (μp_i − μq_i)²/σq_i²], ρ_i = σp_i²/σq_i² (module comment; ≥ 0,
 * exactly 0 at p = q).
 */
export function gaussianKlRow(
  muP: ArrayLike<number>, muPOff: number, lsP: ArrayLike<number>, lsPOff: number,
  muQ: ArrayLike<number>, muQOff: number, lsQ: ArrayLike<number>, lsQOff: number, k: number,
): number {
  let kl = 0;
  for (let i = 0; i < k; i++) {
    const dl = lsP[lsPOff + i]! - lsQ[lsQOff + i]!, dz = (muP[muPOff + i]! - muQ[muQOff + i]!) * Math.exp(-lsQ[lsQOff + i]!);
    kl += 0.5 * (expm1MinusX(2 * dl) + dz * dz);
  }
  return kl;
}

/**
 * Adds w · ∇_q KL(p‖q), the gradient in the **second** argument's (μq, log σq) — the KL
 * penalty KL(π_old‖π_θ) of PPO-penalty and TRPO's constraint:
 * ∂/∂μq_i = (μq_i − μp_i)/σq_i², ∂/∂log σq_i = 1 − (σp_i² + (μp_i − μq_i)²)/σq_i².
 */
export function gaussianAddKlGradRow(
  muP: ArrayLike<number>, muPOff: number, lsP: ArrayLike<number>, lsPOff: number,
  muQ: ArrayLike<number>, muQOff: number, lsQ: ArrayLike<number>, lsQOff: number, k: number,
  w: number, gMu: Float64Array, gMuOff: number, gLs: Float64Array, gLsOff: number,
): void {
  for (let i = 0; i < k; i++) {
    const invQ = Math.exp(-lsQ[lsQOff + i]!), dz = (muQ[muQOff + i]! - muP[muPOff + i]!) * invQ;
    const rho = Math.exp(2 * (lsP[lsPOff + i]! - lsQ[lsQOff + i]!));
    gMu[gMuOff + i] = gMu[gMuOff + i]! + w * dz * invQ;
    gLs[gLsOff + i] = gLs[gLsOff + i]! + w * (1 - rho - dz * dz);
  }
}

/**
 * The Fisher information's diagonal in (μ, log σ): fMu[i] = 1/σ_i², fLs[i] = 2 (it is
 * diagonal: E[∂_μ log N · ∂_{log σ} log N] = E[z(z² − 1)]/σ = 0).
 */
export function gaussianFisherDiagRow(logStd: ArrayLike<number>, lsOff: number, k: number, fMu: Float64Array, fMuOff: number, fLs: Float64Array, fLsOff: number): void {
  for (let i = 0; i < k; i++) {
    fMu[fMuOff + i] = Math.exp(-2 * logStd[lsOff + i]!);
    fLs[fLsOff + i] = 2;
  }
}

/** Draws a ∼ N(μ, σ²) into out[outOff … outOff+k−1]: a_i = μ_i + σ_i ε_i with ε_i = rng.normal(). */
export function gaussianSampleRow(rng: Rng, mu: ArrayLike<number>, muOff: number, logStd: ArrayLike<number>, lsOff: number, k: number, out: Float64Array, outOff: number): void {
  for (let i = 0; i < k; i++) out[outOff + i] = mu[muOff + i]! + Math.exp(logStd[lsOff + i]!) * rng.normal();
}

/** softplus(x) = log(1 + eˣ), as max(x, 0) + log1p(e^{−|x|}): finite for every finite x, no overflow. */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/**
 * log(1 − tanh² u) = 2(log 2 − u − softplus(−2u)) (module comment): exact algebra, finite for
 * every finite u (≈ 2 log 2 − 2|u| for large |u|), where the literal form is −∞ from |u| ≈ 19.
 */
export function logOneMinusTanhSq(u: number): number {
  // evaluated at |u| (the function is even): for u ≥ 0 softplus(−2u) = log1p(e^{−2u}), so this
  // is the formula above, and it is exactly even in floating point
  const x = Math.abs(u);
  return 2 * (Math.LN2 - x - Math.log1p(Math.exp(-2 * x)));
}

/**
 * log π(a) of the tanh-squashed Gaussian at a = tanh(u), from the **pre-squash** u:
 * log N(u; μ, σ) − Σ_i log(1 − tanh² u_i) (module comment: why u and not atanh(a)).
 */
export function tanhGaussianLogProbRow(u: ArrayLike<number>, uOff: number, mu: ArrayLike<number>, muOff: number, logStd: ArrayLike<number>, lsOff: number, k: number): number {
  let s = gaussianLogProbRow(u, uOff, mu, muOff, logStd, lsOff, k);
  for (let i = 0; i < k; i++) s -= logOneMinusTanhSq(u[uOff + i]!);
  return s;
}

/**
 * Draws u ∼ N(μ, σ²) into uOut and a = tanh(u) into aOut (both kept: the log-density and
 * the score need u; the environment gets a).
 */
export function tanhGaussianSampleRow(rng: Rng, mu: ArrayLike<number>, muOff: number, logStd: ArrayLike<number>, lsOff: number, k: number, uOut: Float64Array, uOff: number, aOut: Float64Array, aOff: number): void {
  gaussianSampleRow(rng, mu, muOff, logStd, lsOff, k, uOut, uOff);
  for (let i = 0; i < k; i++) aOut[aOff + i] = Math.tanh(uOut[uOff + i]!);
}
