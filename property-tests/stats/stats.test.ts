import { describe, expect, it } from 'vitest';
import {
  DETECTION_POWER, fSf, fUpperQuantile, logGamma, MeanCovariance, meanTest, normalCdf, normalQuantile, normalSf, Rng,
  scalarMeanTest, sidak, studentTwoSidedSf, tCritical, varianceOrderTest,
} from '../../src/stats/index.js';

describe('distribution functions against tabulated values', () => {
  it('normal cdf, tail and quantile', () => {
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021048517795, 14);
    expect(normalCdf(-1)).toBeCloseTo(0.15865525393145707, 14);
    expect(normalSf(5) / 2.866515718791939e-7).toBeCloseTo(1, 10);
    expect(normalSf(10) / 7.619853024160527e-24).toBeCloseTo(1, 8);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 9);
    for (const p of [1e-12, 1e-6, 0.01, 0.3, 0.5, 0.8, 0.999]) expect(normalCdf(normalQuantile(p)) / p).toBeCloseTo(1, 9);
  });
  it('log Γ, Student t and F tails', () => {
    expect(logGamma(0.5)).toBeCloseTo(0.5723649429247001, 13);
    expect(logGamma(10)).toBeCloseTo(Math.log(362880), 12);
    expect(studentTwoSidedSf(2.228138851986274, 10)).toBeCloseTo(0.05, 12);
    expect(tCritical(0.05, 10)).toBeCloseTo(2.228138851986274, 9);
    expect(fUpperQuantile(0.05, 3, 10)).toBeCloseTo(3.7082648190468435, 8);
    expect(fSf(1, 2, 2)).toBeCloseTo(0.5, 14);
  });
  it('Šidák: d tests at level 1 − (1−α)^{1/d} have joint level α', () => {
    const a = sidak(0.01, 7);
    expect(1 - (1 - a) ** 7).toBeCloseTo(0.01, 14);
  });
});

describe('the splittable RNG', () => {
  it('is deterministic per seed and path, and streams differ', () => {
    const a = Rng.from(42).split(3), b = Rng.from(42).split(3), c = Rng.from(42).split(4);
    const xs = Array.from({ length: 5 }, () => a.nextU32());
    expect(Array.from({ length: 5 }, () => b.nextU32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.nextU32())).not.toEqual(xs);
  });
  it('uniforms have mean 1/2 and variance 1/12; split streams are uncorrelated', () => {
    const r = Rng.from(1);
    const n = 200_000;
    const acc = new MeanCovariance(2);
    const s1 = r.split(1), s2 = r.split(2);
    for (let i = 0; i < n; i++) acc.push([s1.uniform(), s2.uniform()]);
    const cov = acc.covariance();
    expect(meanTest(acc, [0.5, 0.5], 1e-6).passed).toBe(true);
    expect(cov[0]! * 12).toBeCloseTo(1, 2);
    expect(Math.abs(cov[1]! / Math.sqrt(cov[0]! * cov[3]!))).toBeLessThan(0.015); // |corr| ≤ 6.7σ at n = 2·10⁵
  });
  it('normal variates have mean 0 and variance 1; int(n) is uniform', () => {
    const r = Rng.from(9);
    const acc = new MeanCovariance(1);
    for (let i = 0; i < 100_000; i++) acc.push([r.normal()]);
    expect(Math.abs(acc.mean[0]!)).toBeLessThan(0.02);
    expect(acc.variances()[0]).toBeCloseTo(1, 1);
    const counts = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) counts[r.int(3)]!++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
  });
});

describe('calibration: stated false-alarm rates and powers hold', () => {
  // 400 runs at α = 0.05 on a correct mean: the failure count is Binomial(400, 0.05),
  // mean 20; P(count ∉ [6, 38]) < 1e-4. A mis-calibrated test (e.g. the Šidák correction
  // dropped: per-coordinate α over 5 coordinates ⇒ ≈ 0.23) lands far outside.
  const runs = 400, n = 400, d = 5;
  const sample = (rng: Rng, bias: number) => {
    const acc = new MeanCovariance(d);
    const x = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      const common = rng.normal();
      for (let k = 0; k < d; k++) x[k] = (k === 0 ? bias : 0) + 0.5 * common + (k + 1) * rng.normal(); // correlated, unequal variances
      acc.push(x);
    }
    return acc;
  };
  for (const method of ['max', 'hotelling'] as const) {
    it(`${method}: the false-alarm rate at α = 0.05 is 0.05`, () => {
      let failures = 0;
      const root = Rng.from(`calibration-${method}`);
      for (let r = 0; r < runs; r++) if (!meanTest(sample(root.split(r), 0), new Float64Array(d), 0.05, { method }).passed) failures++;
      expect(failures).toBeGreaterThanOrEqual(6);
      expect(failures).toBeLessThanOrEqual(38);
    });
    it(`${method}: a bias of minDetectable in one coordinate is detected with probability ≈ ${DETECTION_POWER} or more`, () => {
      const root = Rng.from(`power-${method}`);
      const probe = meanTest(sample(root.split(10_000), 0), new Float64Array(d), 0.05, { method });
      // the resolution is stated for the noisiest coordinate; put the bias in coordinate 0 scaled accordingly
      const bias = probe.minDetectable;
      let detected = 0;
      for (let r = 0; r < 200; r++) if (!meanTest(sample(root.split(r), bias), new Float64Array(d), 0.05, { method }).passed) detected++;
      expect(detected / 200).toBeGreaterThan(0.85);
    });
  }
  it('control: dropping the Šidák correction inflates the false-alarm rate beyond the stated α', () => {
    let failures = 0;
    const root = Rng.from('calibration-max');
    for (let r = 0; r < runs; r++) {
      const acc = sample(root.split(r), 0);
      const se = acc.standardErrors();
      const c = tCritical(0.05, n - 1); // per-coordinate, uncorrected
      if (Array.from(acc.mean).some((m, k) => Math.abs(m) / se[k]! > c)) failures++;
    }
    expect(failures).toBeGreaterThan(50);
  });
  it('zero-variance coordinates must match exactly: a constant wrong component fails at once', () => {
    const acc = new MeanCovariance(2);
    const r = Rng.from(3);
    for (let i = 0; i < 100; i++) acc.push([r.normal(), 1]);
    expect(meanTest(acc, [0, 1], 1e-6).passed).toBe(true);
    const bad = meanTest(acc, [0, 1 + 1e-6], 1e-6);
    expect(bad.passed).toBe(false);
    expect(bad.statistic).toBe(Infinity);
    expect(meanTest(acc, [0, 1 + 1e-6], 1e-6, { method: 'hotelling' }).passed).toBe(false);
  });
});

describe('variance order', () => {
  it('passes a true order, rejects the reversed one, and states its resolution', () => {
    const r = Rng.from(5);
    const n = 5000;
    const a = new Float64Array(n), b = new Float64Array(n);
    for (let i = 0; i < n; i++) { const z = r.normal(); a[i] = z; b[i] = z + 0.5 * r.normal(); } // Var a = 1 < Var b = 1.25
    const ok = varianceOrderTest(a, b, 1, 1e-6);
    expect(ok.passed).toBe(true);
    expect(ok.effect).toBeLessThan(0);
    const reversed = varianceOrderTest(b, a, 1, 1e-6);
    expect(reversed.passed).toBe(false);
    expect(reversed.effect).toBeCloseTo(0.25, 1);
    expect(ok.minDetectable).toBeGreaterThan(0);
  });
  it('a scalar mean test reports effect, standard error and samples', () => {
    const r = Rng.from(6);
    const xs = Array.from({ length: 1000 }, () => 2 + r.normal());
    const t = scalarMeanTest(xs, 2, 0.01);
    expect(t.samples).toBe(1000);
    expect(t.standardError).toBeCloseTo(1 / Math.sqrt(1000), 2);
    expect(scalarMeanTest(xs, 2.5, 0.01).passed).toBe(false);
  });
});
