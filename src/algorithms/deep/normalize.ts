/**
 * Running observation normalization and reward scaling for the deep learners (Lehmann 2024,
 * Appendix A: "observations and rewards normalized by running statistics and clipped to ±10";
 * Andrychowicz et al. 2021, §3.4 "normalize observations").
 *
 * - {@link RunningMeanStd}: per-coordinate running mean and (population) variance, merged a
 *   batch at a time by Chan, Golub & LeVeque's parallel update (1979; Welford 1962 is the
 *   one-row case). With the running (μ, σ², n) and a batch (μ_B, σ²_B, m), δ = μ_B − μ:
 *
 *   $$n' = n + m,\quad \mu' = \mu + \delta\,\tfrac{m}{n'},\quad
 *     \sigma'^2 = \frac{n\sigma^2 + m\sigma_B^2 + \delta^2\,\tfrac{n m}{n'}}{n'}.$$
 *
 *   The start count n₀ (default 10⁻⁴, as Gymnasium's wrappers) keeps the first division
 *   finite; with n₀ = 0 the statistics are exactly the batch's (the tests use this).
 * - {@link ObservationNormalizer}: x̃ = clip((x − μ)/√(σ² + ε), ±c), ε = 10⁻⁸, c = 10.
 * - {@link RewardScaler}: r̃_t = clip(r_t/√(Var[G] + ε), ±c), where G is each copy's running
 *   discounted sum G ← γG + r_t, restarted at every episode end (Engstrom et al. 2020,
 *   "Implementation matters", §3: reward scaling). Departure: Gymnasium's `NormalizeReward`
 *   restarts G at terminations only; here a truncation restarts it too (the next step belongs
 *   to a new episode either way). G is a statistic of the scale, not a return any estimator uses.
 *
 * @module
 */
import { fail, show } from '../../errors.js';

/** Per-coordinate running mean and variance (Chan et al. 1979 parallel merge). */
export class RunningMeanStd {
  readonly mean: Float64Array;
  readonly var: Float64Array;
  count: number;
  private readonly bMean: Float64Array;
  private readonly bVar: Float64Array;

  constructor(readonly dim: number, initialCount = 1e-4) {
    if (!Number.isSafeInteger(dim) || dim < 1) fail('TRAIN_OPTIONS', `a running normalizer needs a positive integer width, got ${show(dim)}`, { where: 'dim', value: dim });
    if (!(initialCount >= 0) || !Number.isFinite(initialCount)) fail('TRAIN_OPTIONS', `the start count is ${show(initialCount)}: expected a finite number ≥ 0`, { where: 'initialCount', value: initialCount });
    this.mean = new Float64Array(dim);
    this.var = new Float64Array(dim).fill(1);
    this.count = initialCount;
    this.bMean = new Float64Array(dim);
    this.bVar = new Float64Array(dim);
  }

  /** Merges the m rows `x[0 … m·dim)` (row-major) into the running statistics. */
  update(x: Float64Array, m: number): void {
    const d = this.dim;
    if (m <= 0) return;
    const { bMean, bVar, mean } = this;
    bMean.fill(0); bVar.fill(0);
    for (let t = 0, o = 0; t < m; t++, o += d) for (let i = 0; i < d; i++) bMean[i] += x[o + i]!;
    for (let i = 0; i < d; i++) bMean[i] = bMean[i]! / m;
    for (let t = 0, o = 0; t < m; t++, o += d) for (let i = 0; i < d; i++) { const e = x[o + i]! - bMean[i]!; bVar[i] += e * e; }
    const n = this.count, tot = n + m;
    for (let i = 0; i < d; i++) {
      const delta = bMean[i]! - mean[i]!;
      const m2 = this.var[i]! * n + bVar[i]! + (delta * delta * n * m) / tot;
      mean[i] = mean[i]! + (delta * m) / tot;
      this.var[i] = m2 / tot;
    }
    this.count = tot;
  }
}

/** x̃ = clip((x − μ)/√(σ² + ε), ±clip) with running (μ, σ²); `enabled: false` copies x unchanged. */
export class ObservationNormalizer {
  readonly stats: RunningMeanStd;
  constructor(readonly dim: number, readonly enabled: boolean, readonly clip = 10, readonly epsilon = 1e-8) {
    this.stats = new RunningMeanStd(dim);
  }

  /** Merges the m rows of `x` into the statistics (a no-op when disabled). */
  update(x: Float64Array, m: number): void {
    if (this.enabled) this.stats.update(x, m);
  }

  /** Writes the normalized m rows of `x` at row `outRow`, `outStride` rows apart, into `out`. */
  normalizeInto(x: Float64Array, m: number, out: Float64Array, outRow: number, outStride: number): void {
    const d = this.dim, { mean, var: v } = this.stats, c = this.clip;
    for (let t = 0; t < m; t++) {
      const src = t * d, dst = (outRow + t * outStride) * d;
      if (!this.enabled) { for (let i = 0; i < d; i++) out[dst + i] = x[src + i]!; continue; }
      for (let i = 0; i < d; i++) {
        const z = (x[src + i]! - mean[i]!) / Math.sqrt(v[i]! + this.epsilon);
        out[dst + i] = z > c ? c : z < -c ? -c : z;
      }
    }
  }
}

/** r̃_t = clip(r_t/√(Var[G] + ε), ±clip), G the running discounted sum per copy (see the module comment). */
export class RewardScaler {
  readonly stats = new RunningMeanStd(1);
  private readonly g: Float64Array;
  private readonly one = new Float64Array(1);

  constructor(readonly numEnvs: number, readonly gamma: number, readonly enabled: boolean, readonly clip = 10, readonly epsilon = 1e-8) {
    this.g = new Float64Array(numEnvs);
  }

  /** Scales copy i's r_t into `out[i]` (a copy when disabled) and restarts G where the episode ended. */
  scale(r_t: Float64Array, terminated_t: Uint8Array, truncated_t: Uint8Array, out: Float64Array): void {
    const N = this.numEnvs, c = this.clip;
    if (!this.enabled) { for (let i = 0; i < N; i++) out[i] = r_t[i]!; return; }
    for (let i = 0; i < N; i++) this.g[i] = this.gamma * this.g[i]! + r_t[i]!;
    this.stats.update(this.g, N);
    const s = Math.sqrt(this.stats.var[0]! + this.epsilon);
    for (let i = 0; i < N; i++) {
      const z = r_t[i]! / s;
      out[i] = z > c ? c : z < -c ? -c : z;
      if (terminated_t[i] === 1 || truncated_t[i] === 1) this.g[i] = 0;
    }
    void this.one;
  }
}
