/**
 * Sample summaries: means, variances and covariances of vector-valued samples, computed
 * in one pass with Welford's update (numerically stable for large counts and offsets).
 *
 * @module
 */
import { fail } from '../errors.js';

/** Running mean and covariance of d-dimensional samples (Welford). */
export class MeanCovariance {
  readonly dim: number;
  count = 0;
  readonly mean: Float64Array;
  /** Σ (x − x̄)(x − x̄)ᵀ, row-major d×d (only when `covariance` was requested), else the diagonal only. */
  readonly m2: Float64Array;
  readonly full: boolean;
  private readonly delta: Float64Array;

  constructor(dim: number, covariance = true) {
    if (!Number.isSafeInteger(dim) || dim < 1) fail('POLICY_SHAPE', `sample dimension must be a positive integer, got ${dim}`);
    this.dim = dim;
    this.full = covariance;
    this.mean = new Float64Array(dim);
    this.m2 = new Float64Array(covariance ? dim * dim : dim);
    this.delta = new Float64Array(dim);
  }

  /** Adds one sample x (length d, finite). */
  push(x: ArrayLike<number>, offset = 0): void {
    const d = this.dim;
    this.count++;
    const n = this.count;
    for (let i = 0; i < d; i++) {
      const v = x[offset + i]!;
      if (!Number.isFinite(v)) fail('MDP_NOT_FINITE', `sample ${n - 1} has a non-finite component ${i}: ${v}`, { where: `sample ${n - 1}[${i}]`, value: v });
      const dl = v - this.mean[i]!;
      this.delta[i] = dl;
      this.mean[i] = this.mean[i]! + dl / n;
    }
    if (this.full) {
      // C_ji += (x_j − x̄_j,old)(x_i − x̄_i,new)
      for (let i = 0; i < d; i++) {
        const ri = x[offset + i]! - this.mean[i]!;
        for (let j = 0; j < d; j++) this.m2[j * d + i] = this.m2[j * d + i]! + this.delta[j]! * ri;
      }
    } else {
      for (let i = 0; i < d; i++) this.m2[i] = this.m2[i]! + this.delta[i]! * (x[offset + i]! - this.mean[i]!);
    }
  }

  /** Merges another accumulator (Chan et al.'s parallel update). */
  merge(o: MeanCovariance): void {
    if (o.dim !== this.dim || o.full !== this.full) fail('POLICY_SHAPE', 'cannot merge accumulators of different shapes');
    if (o.count === 0) return;
    const n1 = this.count, n2 = o.count, n = n1 + n2, d = this.dim;
    for (let i = 0; i < d; i++) this.delta[i] = o.mean[i]! - this.mean[i]!;
    if (this.full) {
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) this.m2[i * d + j] = this.m2[i * d + j]! + o.m2[i * d + j]! + (this.delta[i]! * this.delta[j]! * n1 * n2) / n;
    } else {
      for (let i = 0; i < d; i++) this.m2[i] = this.m2[i]! + o.m2[i]! + (this.delta[i]! * this.delta[i]! * n1 * n2) / n;
    }
    for (let i = 0; i < d; i++) this.mean[i] = this.mean[i]! + (this.delta[i]! * n2) / n;
    this.count = n;
  }

  /** The unbiased sample variance of each component. */
  variances(): Float64Array {
    const d = this.dim, n = this.count;
    if (n < 2) fail('SOLVER_NOT_CONVERGED', `a variance needs at least 2 samples, got ${n}`);
    return Float64Array.from({ length: d }, (_, i) => (this.full ? this.m2[i * d + i]! : this.m2[i]!) / (n - 1));
  }

  /** The unbiased sample covariance matrix (row-major). */
  covariance(): Float64Array {
    if (!this.full) fail('POLICY_SHAPE', 'this accumulator keeps variances only');
    if (this.count < 2) fail('SOLVER_NOT_CONVERGED', `a covariance needs at least 2 samples, got ${this.count}`);
    return Float64Array.from(this.m2, (x) => x / (this.count - 1));
  }

  /** Standard errors of the mean, √(s²/n) per component. */
  standardErrors(): Float64Array {
    const v = this.variances();
    return Float64Array.from(v, (x) => Math.sqrt(x / this.count));
  }
}

/** Mean and covariance of n samples stored row-major in `x` (n×d). */
export function summarize(x: Float64Array, d: number, covariance = true): MeanCovariance {
  if (x.length % d !== 0) fail('POLICY_SHAPE', `sample array of length ${x.length} is not a multiple of the dimension ${d}`);
  const acc = new MeanCovariance(d, covariance);
  for (let off = 0; off < x.length; off += d) acc.push(x, off);
  return acc;
}
