/**
 * The distribution functions the statistical checks need, in double precision: the normal
 * tail and quantile, and the F and Student-t tails through the regularized incomplete beta
 * function. Written from the textbook formulas (Abramowitz & Stegun 26.2, 26.5–26.7;
 * Numerical Recipes §6.1–6.4; Acklam's quantile approximation refined by Newton steps).
 *
 * @module
 */
import { fail } from '../errors.js';

const SQRT2 = Math.SQRT2;
const SQRT_PI = Math.sqrt(Math.PI);

/**
 * erfc(x) with small relative error across the range: a Taylor series of erf for |x| < 0.5,
 * and the Laplace continued fraction (evaluated by the modified Lentz method) beyond.
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) fail('FIELD_UNSUPPORTED', 'erfc of NaN');
  if (x < 0) return 2 - erfc(-x);
  if (x < 0.5) {
    // erf x = (2/√π) Σ (−1)^n x^{2n+1} / (n! (2n+1))
    let term = x, sum = x;
    for (let n = 1; n < 40; n++) {
      term *= (-x * x) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return 1 - (2 / SQRT_PI) * sum;
  }
  if (x > 27) return 0;
  // erfc x = exp(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …))))
  const tiny = 1e-300;
  let f = x, C = x, D = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    D = x + a * D;
    D = D === 0 ? tiny : 1 / D;
    C = x + a / C;
    if (C === 0) C = tiny;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / (SQRT_PI * f);
}

/** Φ(x), the standard normal cdf. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / SQRT2);
}

/** 1 − Φ(x), accurate in the upper tail. */
export function normalSf(x: number): number {
  return 0.5 * erfc(x / SQRT2);
}

/** The standard normal density. */
export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

/** Φ⁻¹(p) for 0 < p < 1 (Acklam's rational approximation, then Newton steps on Φ). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) fail('FIELD_UNSUPPORTED', `normal quantile needs 0 < p < 1, got ${p}`, { value: p });
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  let x: number;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  } else if (p <= 1 - lo) {
    const q = p - 0.5, r = q * q;
    x = ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  // Newton on the tail that is accurate: for the upper half solve Q(x) = 1 − p
  for (let i = 0; i < 3; i++) {
    // Φ(x) − p, computed on the tail that keeps its digits
    const err = p < 0.5 ? normalCdf(x) - p : (1 - p) - normalSf(x);
    x -= err / normalPdf(x);
  }
  return x;
}

/** The upper quantile z with 1 − Φ(z) = tail (tail ≪ 1 handled accurately). */
export function normalUpperQuantile(tail: number): number {
  return -normalQuantile(tail);
}

/** log Γ(x) for x > 0 (Lanczos, g = 7, n = 9). */
export function logGamma(x: number): number {
  const g = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  x -= 1;
  let s = g[0]!;
  for (let i = 1; i < 9; i++) s += g[i]! / (x + i);
  const t = x + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(s);
}

/** The continued fraction of the incomplete beta function (Numerical Recipes betacf). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  const qab = a + b, qap = a + 1, qam = a - 1;
  let c = 1, d = 1 - (qab * x) / qap;
  d = Math.abs(d) < tiny ? tiny : d;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d; d = Math.abs(d) < tiny ? tiny : d;
    c = 1 + aa / c; c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d; h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d; d = Math.abs(d) < tiny ? tiny : d;
    c = 1 + aa / c; c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 3e-16) return h;
  }
  return fail('SOLVER_NOT_CONVERGED', `incomplete beta continued fraction did not converge (a=${a}, b=${b}, x=${x})`);
}

/** The regularized incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (!(x >= 0 && x <= 1) || !(a > 0) || !(b > 0)) fail('FIELD_UNSUPPORTED', `incomplete beta needs 0 ≤ x ≤ 1 and a, b > 0 (x=${x}, a=${a}, b=${b})`);
  if (x === 0 || x === 1) return x;
  const lbt = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  const bt = Math.exp(lbt);
  if (x < (a + 1) / (a + b + 2)) return (bt * betaContinuedFraction(a, b, x)) / a;
  return 1 - (bt * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** P(F > f) for F ∼ F(d1, d2). */
export function fSf(f: number, d1: number, d2: number): number {
  if (f <= 0) return 1;
  // P(F > f) = I_{d2/(d2 + d1 f)}(d2/2, d1/2)
  return incompleteBeta(d2 / (d2 + d1 * f), d2 / 2, d1 / 2);
}

/** The upper quantile f with P(F > f) = tail, by bisection on the log scale. */
export function fUpperQuantile(tail: number, d1: number, d2: number): number {
  let lo = 0, hi = 1;
  while (fSf(hi, d1, d2) > tail) { lo = hi; hi *= 2; if (hi > 1e12) break; }
  for (let i = 0; i < 200; i++) {
    const mid = 0.5 * (lo + hi);
    if (fSf(mid, d1, d2) > tail) lo = mid; else hi = mid;
    if (hi - lo < 1e-12 * hi) break;
  }
  return 0.5 * (lo + hi);
}

/** Two-sided P(|T| > t) for Student's t with ν degrees of freedom. */
export function studentTwoSidedSf(t: number, nu: number): number {
  return incompleteBeta(nu / (nu + t * t), nu / 2, 0.5);
}
