/**
 * Policy-gradient estimators as per-transition coefficients (rlax-style). Each function maps
 * per-transition arrays to coefficients c_t such that the estimator's gradient is
 *
 * $$\hat g = \sum_t c_t\, \nabla_\theta \log\pi_\theta(a_t|s_t),$$
 *
 * which any policy evaluates through its score sum (DESIGN.md, "The policy contract":
 * `scoreSum` of `src/policy/score-sum.ts` for the tabular kinds, `NeuralPolicy.scoreSum` for
 * the MLP heads). The weights w_t carry the averaging convention: w_t = γ^{t}/E for the
 * γ^t/E convention of `score.ts` (`discountWeights` divided by the episode count), or 1/T for
 * the plain mean most implementations take.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import { checkLength, checkNonNegative, checkOut } from './checks.js';
import { klK3 } from './kl.js';

function checkWeights(weight_t: Float64Array | undefined, n: number, what: string): void {
  if (weight_t !== undefined) checkLength(weight_t, n, 'weight_t');
  else if (n === 0) fail('ESTIMATOR_EMPTY_BATCH', `${what} averages over the transitions (w_t = 1/T), and there are none`, { where: 'T', value: 0 });
}

/**
 * $c_t = w_t\,\hat G_t$: REINFORCE with reward-to-go (Ĝ_t = G_t − b(s_t); Lehmann 2024,
 * Theorem 3.1 and Algorithm 3) and actor-critic (Ĝ_t = Â_t; Lehmann 2024, eq. 14 and
 * Algorithm 7) with w_t = γ^t/E. Into `out` when given (may alias either input).
 */
export function policyGradientCoefficients(returns_or_advantages: Float64Array, weight_t: Float64Array, out?: Float64Array): Float64Array {
  const n = returns_or_advantages.length;
  checkLength(weight_t, n, 'weight_t'); checkOut(out, n);
  const c = out ?? new Float64Array(n);
  for (let i = 0; i < n; i++) c[i] = weight_t[i]! * returns_or_advantages[i]!;
  return c;
}

/** The result of {@link ppoClipCoefficients}. */
export interface PpoClipCoefficients {
  /** −Σ_t w_t min(ρ_t Â_t, clip(ρ_t, 1−ε, 1+ε) Â_t). */
  readonly loss: number;
  /** c_t = ∂(−loss)/∂log π(a_t|s_t). */
  readonly coefficients: Float64Array;
  /** The fraction of transitions (unweighted) where the clipped term is strictly the smaller. */
  readonly clipFraction: number;
}

/**
 * PPO's clipped surrogate (Schulman et al. 2017, eq. 7; Lehmann 2024, eq. 18), ρ_t =
 * exp(logp_t − logp_old_t):
 *
 * $$\text{loss} = -\sum_t w_t \min\big(\rho_t \hat A_t,\ \operatorname{clip}(\rho_t, 1-\epsilon, 1+\epsilon)\,\hat A_t\big),\qquad c_t = \begin{cases} w_t\,\rho_t \hat A_t & \rho_t\hat A_t \le \operatorname{clip}(\rho_t)\hat A_t \\ 0 & \text{otherwise,}\end{cases}$$
 *
 * so that ∇_θ(−loss) = Σ_t c_t ∇_θ log π_θ(a_t|s_t) (∂ρ/∂log π = ρ; the clipped term is
 * constant in θ). w_t = 1/T when `weight_t` is undefined. At ρ exactly 1±ε the unclipped
 * branch's derivative is taken (one-sided). Throws `ESTIMATOR_OVERFLOW` for a non-finite loss.
 */
export function ppoClipCoefficients(logp_t: Float64Array, logp_old_t: Float64Array, adv_t: Float64Array, epsilon: number, weight_t: Float64Array | undefined, out?: Float64Array): PpoClipCoefficients {
  const n = logp_t.length;
  checkLength(logp_old_t, n, 'logp_old_t'); checkLength(adv_t, n, 'adv_t'); checkNonNegative(epsilon, 'epsilon');
  checkWeights(weight_t, n, 'ppoClipCoefficients'); checkOut(out, n);
  const c = out ?? new Float64Array(n), mean = 1 / n, lo = 1 - epsilon, hi = 1 + epsilon;
  let L = 0, clippedCount = 0;
  for (let i = 0; i < n; i++) {
    const w = weight_t ? weight_t[i]! : mean, rho = Math.exp(logp_t[i]! - logp_old_t[i]!), adv = adv_t[i]!;
    const unclipped = rho * adv, clipped = Math.min(Math.max(rho, lo), hi) * adv;
    L += w * Math.min(unclipped, clipped);
    if (unclipped <= clipped) c[i] = w * unclipped;
    else { c[i] = 0; clippedCount++; }
  }
  if (!Number.isFinite(L)) fail('ESTIMATOR_OVERFLOW', `the PPO clipped surrogate is ${show(-L)}: a ratio ρ = exp(logp_t − logp_old_t) overflows double precision`, { where: 'loss', value: -L });
  return { loss: -L, coefficients: c, clipFraction: n === 0 ? 0 : clippedCount / n };
}

/**
 * Schulman's k3 estimate of KL(π_old‖π_θ) per transition (J. Schulman 2020, "Approximating KL
 * Divergence"; Lehmann 2024, §4.4), k3_t = (ρ_t − 1) − log ρ_t with log ρ_t = logp_t −
 * logp_old_t and a_t ∼ π_old — `klK3` of the log-ratios, into `out` when given.
 */
export function klK3FromLogProbs(logp_t: Float64Array, logp_old_t: Float64Array, out?: Float64Array): Float64Array {
  const n = logp_t.length;
  checkLength(logp_old_t, n, 'logp_old_t'); checkOut(out, n);
  const lr = out === undefined ? new Float64Array(n) : out.length === n ? out : out.subarray(0, n);
  for (let i = 0; i < n; i++) lr[i] = logp_t[i]! - logp_old_t[i]!;
  return klK3(lr, lr);
}

let k3Scratch = new Float64Array(0);

/** The weighted mean k3, Σ_t w_t k3_t ({@link klK3FromLogProbs}; w_t = 1/T when `weight_t` is undefined). */
export function meanKlK3FromLogProbs(logp_t: Float64Array, logp_old_t: Float64Array, weight_t?: Float64Array): number {
  const n = logp_t.length;
  checkWeights(weight_t, n, 'meanKlK3FromLogProbs');
  if (k3Scratch.length < n) k3Scratch = new Float64Array(Math.max(n, 2 * k3Scratch.length));
  const k3 = klK3FromLogProbs(logp_t, logp_old_t, k3Scratch.subarray(0, n));
  let s = 0;
  for (let i = 0; i < n; i++) s += (weight_t ? weight_t[i]! : 1 / n) * k3[i]!;
  return s;
}

/**
 * The k3 penalty's coefficients (Schulman et al. 2017, eq. 8 with the k3 estimate):
 * $c_t = w_t(\rho_t - 1) = \partial\,(w_t k3_t)/\partial\log\pi(a_t|s_t)$, so that
 * Σ_t c_t ∇log π = ∇_θ Σ_t w_t k3_t (ρ − 1 computed as expm1(log ρ)). Into `out` when given.
 */
export function klK3Coefficients(logp_t: Float64Array, logp_old_t: Float64Array, weight_t: Float64Array, out?: Float64Array): Float64Array {
  const n = logp_t.length;
  checkLength(logp_old_t, n, 'logp_old_t'); checkLength(weight_t, n, 'weight_t'); checkOut(out, n);
  const c = out ?? new Float64Array(n);
  for (let i = 0; i < n; i++) c[i] = weight_t[i]! * Math.expm1(logp_t[i]! - logp_old_t[i]!);
  return c;
}
