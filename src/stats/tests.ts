/**
 * Decision rules for stochastic claims, each with a stated false-alarm rate α (the
 * probability of failing a correct estimator) and a stated resolution (the smallest
 * effect detected with probability 0.9).
 *
 * - {@link meanTest}, `max`: the studentized maximum with a Šidák correction. Each
 *   coordinate's mean is standardized by its own standard error; the check fails when
 *   max_k |x̄_k − μ_k| / se_k exceeds c, with c chosen so that d independent two-sided
 *   tests have joint level α (Šidák 1967); for dependent coordinates the level is at most
 *   α. Student-t quantiles with n − 1 degrees of freedom.
 * - {@link meanTest}, `hotelling`: Hotelling's T² = n (x̄ − μ)ᵀ S⁺ (x̄ − μ) on the r-dimensional
 *   span of the sample covariance S, referred to F(r, n − r) (exact for Gaussian samples).
 *   Directions of zero sample variance must match exactly (to rounding): a deterministic
 *   component cannot be "noisy".
 * - {@link varianceOrderTest}: a one-sided test that tr Var(A) ≤ tr Var(B) on paired samples.
 *
 * Validity: for the sample sizes used (n ≥ 10⁴) the normal approximation to the sample
 * mean holds far into the tails for light-tailed estimators: by the Cramér–Petrov
 * expansion the relative error of a tail probability at x standard errors is about
 * exp(κ₃x³/(6√n)), a factor below 2 at x = 5.5, skewness κ₃ = 4 and n = 10⁴. The suite
 * budget keeps a factor-10 margin on top (see {@link SUITE_FALSE_ALARM}).
 *
 * @module
 */
import { fail } from '../errors.js';
import { symmetricEigen } from '../linalg/eigen.js';
import { fUpperQuantile, normalUpperQuantile, studentTwoSidedSf } from './distributions.js';
import { MeanCovariance } from './summary.js';

/**
 * The spurious-failure budget of the whole default suite: Σ α over all its stochastic
 * checks must not exceed 1e-4 (Bonferroni), ten times below the required 1 in 1000 runs.
 */
export const SUITE_FALSE_ALARM = 1e-4;

/** The power at which {@link TestResult.minDetectable} is stated. */
export const DETECTION_POWER = 0.9;

/** The outcome of a statistical decision. */
export interface TestResult {
  readonly passed: boolean;
  readonly test: string;
  readonly statistic: number;
  readonly threshold: number;
  /** The estimated effect: the deviation x̄_k − μ_k in the worst coordinate, or the variance difference. */
  readonly effect: number;
  /** The standard error of `effect`. */
  readonly standardError: number;
  /** The coordinate that decided (−1 for scalar tests). */
  readonly worstIndex: number;
  readonly samples: number;
  readonly falseAlarmRate: number;
  /**
   * The smallest effect detected with probability ≥ {@link DETECTION_POWER}: for mean
   * tests, a bias of this size in any single coordinate (so every bias with larger ℓ∞
   * norm in that coordinate's direction).
   */
  readonly minDetectable: number;
}

/** The two-sided Student-t critical value for level `alpha` with ν degrees of freedom. */
export function tCritical(alpha: number, nu: number): number {
  if (!(alpha > 0 && alpha < 1)) fail('FIELD_UNSUPPORTED', `alpha must lie in (0, 1), got ${alpha}`, { value: alpha });
  if (nu > 1e6) return normalUpperQuantile(alpha / 2);
  let lo = 0, hi = 10;
  while (studentTwoSidedSf(hi, nu) > alpha) hi *= 2;
  for (let i = 0; i < 200; i++) {
    const mid = 0.5 * (lo + hi);
    if (studentTwoSidedSf(mid, nu) > alpha) lo = mid; else hi = mid;
  }
  return hi;
}

/** Šidák's per-coordinate level for a joint level α over d coordinates: 1 − (1 − α)^{1/d}. */
export function sidak(alpha: number, d: number): number {
  return -Math.expm1(Math.log1p(-alpha) / d);
}

/** Options of {@link meanTest}. */
export interface MeanTestOptions {
  /** `max` (studentized maximum, Šidák; default) or `hotelling`. */
  readonly method?: 'max' | 'hotelling';
  /** Rounding tolerance: deviations within this fraction of max(1, |target|, |mean|) count as 0 (default 1e-9). */
  readonly zeroVarianceTolerance?: number;
}

/** Tests H0: E[X] = target from the samples summarized in `acc`, at level `alpha`. */
export function meanTest(acc: MeanCovariance, target: ArrayLike<number>, alpha: number, opts: MeanTestOptions = {}): TestResult {
  const d = acc.dim, n = acc.count;
  if (target.length !== d) fail('POLICY_SHAPE', `target has ${target.length} components, samples have ${d}`);
  if (n < 30) fail('SOLVER_NOT_CONVERGED', `a mean test needs at least 30 samples, got ${n}`, { value: n });
  // floating-point rounding is not bias: deviations within ztol (1e-9 of the larger of the
  // target's scale and 1) count as 0, however small their spread — a residual that is
  // constant up to rounding (a deterministic transition, say) has a spread of ~1e-18 and
  // would otherwise make rounding look significant
  let scale = 1;
  for (let k = 0; k < d; k++) scale = Math.max(scale, Math.abs(target[k]!), Math.abs(acc.mean[k]!));
  const ztol = (opts.zeroVarianceTolerance ?? 1e-9) * scale;
  return (opts.method ?? 'max') === 'max' ? maxTest(acc, target, alpha, ztol) : hotellingTest(acc, target, alpha, ztol);
}

function maxTest(acc: MeanCovariance, target: ArrayLike<number>, alpha: number, ztol: number): TestResult {
  const d = acc.dim, n = acc.count;
  const se = acc.standardErrors();
  let live = 0;
  for (let k = 0; k < d; k++) if (se[k]! > 0) live++;
  const c = live > 0 ? tCritical(sidak(alpha, live), n - 1) : 0;
  const zPow = normalUpperQuantile(1 - DETECTION_POWER);
  let worst = -1, stat = 0, maxSe = 0;
  for (let k = 0; k < d; k++) {
    const dev = Math.max(0, Math.abs(acc.mean[k]! - target[k]!) - ztol);
    let z: number;
    if (se[k] === 0) z = dev === 0 ? 0 : Infinity;
    else { z = dev / se[k]!; maxSe = Math.max(maxSe, se[k]!); }
    if (z > stat || worst < 0) { stat = z; worst = k; }
  }
  const eff = acc.mean[worst]! - target[worst]!;
  return {
    passed: stat <= c,
    test: `studentized max over ${live} coordinates, Šidák` + (live < d ? ` (${d - live} of ${d} constant across samples: compared exactly, within rounding)` : ''),
    statistic: stat, threshold: c,
    effect: eff, standardError: se[worst]!, worstIndex: worst, samples: n, falseAlarmRate: alpha,
    minDetectable: (c + zPow) * maxSe,
  };
}

function hotellingTest(acc: MeanCovariance, target: ArrayLike<number>, alpha: number, ztol: number): TestResult {
  const d = acc.dim, n = acc.count;
  const S = acc.covariance();
  const { values, vectors } = symmetricEigen(S, d);
  let lmax = 0;
  for (const v of values) lmax = Math.max(lmax, v);
  const dev = Float64Array.from({ length: d }, (_, k) => { const x = acc.mean[k]! - target[k]!; return Math.sign(x) * Math.max(0, Math.abs(x) - ztol); });
  let t2 = 0, r = 0, nullResidual = 0;
  for (let j = 0; j < d; j++) {
    let proj = 0;
    for (let i = 0; i < d; i++) proj += vectors[i * d + j]! * dev[i]!;
    if (values[j]! > 1e-12 * lmax && lmax > 0) { r++; t2 += (n * proj * proj) / values[j]!; }
    else nullResidual = Math.max(nullResidual, Math.abs(proj));
  }
  if (r >= n) fail('SOLVER_NOT_CONVERGED', `Hotelling's T² needs more samples (${n}) than dimensions (${r})`);
  const F = r > 0 ? ((n - r) / (r * (n - 1))) * t2 : 0;
  const fcrit = r > 0 ? fUpperQuantile(alpha, r, n - r) : 0;
  const deterministicBias = nullResidual > ztol;
  const se = acc.standardErrors();
  let worst = 0, wz = -1;
  for (let k = 0; k < d; k++) {
    const z = se[k]! > 0 ? Math.abs(dev[k]!) / se[k]! : Math.abs(dev[k]!) > ztol ? Infinity : 0;
    if (z > wz) { wz = z; worst = k; }
  }
  // resolution along the direction of largest variance: noncentrality nδ²/λ_max ≈ (√(r·F_crit) + z_power)²
  const zPow = normalUpperQuantile(1 - DETECTION_POWER);
  return {
    passed: !deterministicBias && F <= fcrit, test: `Hotelling T² on rank ${r}, F(${r}, ${n - r})`,
    statistic: deterministicBias ? Infinity : F, threshold: fcrit,
    effect: dev[worst]!, standardError: se[worst]!, worstIndex: worst, samples: n, falseAlarmRate: alpha,
    minDetectable: (Math.sqrt(r * fcrit) + zPow) * Math.sqrt(lmax / n),
  };
}

/** A scalar version of {@link meanTest}. */
export function scalarMeanTest(samples: ArrayLike<number>, target: number, alpha: number): TestResult {
  const acc = new MeanCovariance(1, false);
  for (let i = 0; i < samples.length; i++) acc.push([samples[i]!]);
  return meanTest(acc, [target], alpha);
}

/**
 * One-sided test of H0: tr Var(A) ≤ tr Var(B) from paired samples (row-major n×d each,
 * sample i of A and B computed from the same draw). With D_i = ‖a_i − ā‖² − ‖b_i − b̄‖²,
 * D̄ estimates tr Var(A) − tr Var(B); the check fails when D̄/se(D̄) > Φ⁻¹(1 − α).
 * `effect` is D̄ (positive means A is noisier).
 */
export function varianceOrderTest(a: Float64Array, b: Float64Array, d: number, alpha: number): TestResult {
  if (a.length !== b.length || a.length % d !== 0) fail('POLICY_SHAPE', `paired samples need equal n×${d} arrays, got ${a.length} and ${b.length}`);
  const n = a.length / d;
  if (n < 30) fail('SOLVER_NOT_CONVERGED', `a variance comparison needs at least 30 paired samples, got ${n}`);
  const ma = new Float64Array(d), mb = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) { ma[k] = ma[k]! + a[i * d + k]! / n; mb[k] = mb[k]! + b[i * d + k]! / n; }
  const D = new MeanCovariance(1, false);
  const row = [0];
  for (let i = 0; i < n; i++) {
    let sa = 0, sb = 0;
    for (let k = 0; k < d; k++) { const x = a[i * d + k]! - ma[k]!, y = b[i * d + k]! - mb[k]!; sa += x * x; sb += y * y; }
    row[0] = sa - sb;
    D.push(row);
  }
  const se = Math.sqrt(D.variances()[0]! / n);
  const c = normalUpperQuantile(alpha);
  const eff = (D.mean[0]! * n) / (n - 1); // unbiased trace difference
  const z = se > 0 ? eff / se : eff > 0 ? Infinity : 0;
  return {
    passed: z <= c, test: 'paired trace-variance difference, one-sided z', statistic: z, threshold: c,
    effect: eff, standardError: se, worstIndex: -1, samples: n, falseAlarmRate: alpha,
    minDetectable: (c + normalUpperQuantile(1 - DETECTION_POWER)) * se,
  };
}
