import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryProbabilityVector } from '../../src/arbitraries/index.js';
import { klK1, klK2, klK3, logRatios } from '../../src/estimators/index.js';
import { softmaxPolicy } from '../../src/policy/index.js';
import { expectError } from '../helpers.js';
import { buildBatch } from './batches.js';

/** Σ_x q(x) f(log p(x) − log q(x)): the exact mean of a per-sample estimator under x ∼ q. */
function exactMean(q: number[], p: number[], k: (lr: Float64Array) => Float64Array): number {
  const lr = Float64Array.from(q, (qx, x) => Math.log(p[x]!) - Math.log(qx));
  return k(lr).reduce((m, v, x) => m + q[x]! * v, 0);
}
const kl = (q: number[], p: number[]) => q.reduce((m, qx, x) => m + qx * Math.log(qx / p[x]!), 0);
const pairs = fc.integer({ min: 2, max: 5 }).chain((n) => fc.tuple(arbitraryProbabilityVector(n, { allowZeros: false }), arbitraryProbabilityVector(n, { allowZeros: false })));

describe('KL estimators (Schulman 2020)', () => {
  it('hand values: k1 = −log r, k2 = ½(log r)², k3 = (r − 1) − log r', () => {
    const lr = Float64Array.of(0, Math.log(2), -Math.log(2), 1e-9);
    expect(Array.from(klK1(lr))).toEqual([-0, -Math.log(2), Math.log(2), -1e-9]);
    expect(klK2(lr)[1]).toBeCloseTo(0.5 * Math.log(2) ** 2, 15);
    const k3 = klK3(lr);
    expect(k3[0]).toBe(0);
    expect(k3[1]).toBeCloseTo(1 - Math.log(2), 15);
    expect(k3[2]).toBeCloseTo(-0.5 + Math.log(2), 15);
    // (r−1) − log r = x²/2 + x³/6 + … at x = 1e−9: full relative precision (a naive r − 1 − log r gives noise)
    expect(Math.abs(k3[3]! / (5e-19 * (1 + 1e-9 / 3)) - 1)).toBeLessThan(1e-14);
    expect(Math.abs(Math.exp(1e-9) - 1 - 1e-9 - 5e-19) / 5e-19).toBeGreaterThan(1e-3);
    for (const x of [0.05, -0.05, 0.0999, -0.0999, 0.1, 0.3]) expect(klK3(Float64Array.of(x))[0]).toBeCloseTo(Math.exp(x) - 1 - x, 15);
  });
  it('exact means over x ∼ q: k1 and k3 equal KL(q‖p); k2 does not in general (its bias is Σ q ½(log r)² − KL)', () => {
    fc.assert(fc.property(pairs, ([q, p]) => {
      const target = kl(q, p);
      expect(exactMean(q, p, klK1)).toBeCloseTo(target, 12);
      expect(exactMean(q, p, klK3)).toBeCloseTo(target, 12);
      const bias = exactMean(q, p, klK2) - target;
      expect(bias).toBeCloseTo(q.reduce((m, qx, x) => m + qx * 0.5 * Math.log(p[x]! / qx) ** 2, 0) - target, 12);
      expect(Math.min(...klK3(Float64Array.from(q, (qx, x) => Math.log(p[x]! / qx))))).toBeGreaterThanOrEqual(0);
    }));
    // negative control: k2 is biased on a fixed pair
    const q = [0.9, 0.1], p = [0.2, 0.8];
    expect(Math.abs(exactMean(q, p, klK2) - kl(q, p))).toBeGreaterThan(0.05);
  });
  it('logRatios of a batch are log π_θ(a|s) − logp_t', () => {
    const param = softmaxPolicy(2, 2), theta = Float64Array.of(0.3, -0.2, 1, 0);
    const b = buildBatch(2, 2, 1, [{ states: [0, 1, 0], actions: [1, 0], rewards: [0, 0], end: 'terminated' }], () => -Math.log(2));
    const lr = logRatios(b, { param, theta });
    expect(lr[0]).toBeCloseTo(param.logProb(theta, 0, 1) + Math.log(2), 15);
    expect(lr[1]).toBeCloseTo(param.logProb(theta, 1, 0) + Math.log(2), 15);
  });
  it('errors: non-finite log-ratios; k3 overflow is a typed error, not Infinity', () => {
    expectError(() => klK1(Float64Array.of(0, NaN)), 'ESTIMATOR_ARGUMENT', 'logRatio[1]', 'NaN');
    expectError(() => klK3(Float64Array.of(-Infinity)), 'ESTIMATOR_ARGUMENT', 'logRatio[0]');
    expectError(() => klK3(Float64Array.of(1, 800)), 'ESTIMATOR_OVERFLOW', 'logRatio[1]', '800');
    expect(Number.isFinite(klK3(Float64Array.of(700))[0]!)).toBe(true);
  });
});
