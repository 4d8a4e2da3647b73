// Power for `pgtruth check`: sizing, the budget, inconclusive checks, and estimators that
// ignore their input (zero-mean noise) failing every kind at any --samples.
import { describe, expect, it } from 'vitest';
import { MeanCovariance } from '../../src/stats/summary.js';
import { Rng } from '../../src/stats/rng.js';
import { allocate, batchesFor, batchesToReject, detectionFactor, sizedDecision, type Scaling } from '../../src/verify/power.js';
import { checkModule } from '../../src/verify/check.js';
import { checkVerdict } from '../../src/report/check-table.js';

const flat = (d: number, scale = 1): Scaling => ({ name: () => 'σ', scale: new Float64Array(d).fill(scale), weight: new Float64Array(d).fill(1), stated: new Array(d).fill(true), coordinate: (k) => `c${k}` });
/** n Gaussian rows of dimension d with mean `mu` and standard deviation `sd`, summarized. */
function sample(n: number, d: number, mu: number, sd: number, seed: string): MeanCovariance {
  const rng = Rng.from(seed), acc = new MeanCovariance(d, false), row = new Float64Array(d);
  for (let i = 0; i < n; i++) { for (let k = 0; k < d; k++) row[k] = mu + sd * rng.normal(); acc.push(row); }
  return acc;
}
const opts = (d: number) => ({ alpha: 1e-6, fraction: 0.05, scaling: flat(d), targetTested: new Float64Array(d).fill(1), unit: 'batches', samplesPerBatch: 1, sampleName: 'draws' });

describe('sizing', () => {
  it('batchesFor gives the K at which (c + z₀.₉)·sd/√K = m·f·σ, in closed form for one coordinate', () => {
    const K = batchesFor([2], 1e-6, flat(1), 0.05, 0.8);
    const f = detectionFactor(1e-6, 1, K);
    // the resolution at K is at most m·f, and at K − 1 (with its own factor) above it
    expect((f * 2) / Math.sqrt(K)).toBeLessThanOrEqual(0.8 * 0.05 * (1 + 1e-12));
    expect((detectionFactor(1e-6, 1, K - 1) * 2) / Math.sqrt(K - 1)).toBeGreaterThan(0.8 * 0.05);
    expect(batchesFor([Infinity], 1e-6, flat(1), 0.05)).toBe(Infinity);
  });
  it('allocate: all needs when they fit; else a common time level; the minimum always; a hopeless check gets its minimum', () => {
    expect(allocate([100, 200], [50, 50], [0.01, 0.01], 10)).toEqual([100, 200]);
    const k = allocate([3000, 100, 3500], [50, 50, 50], [0.001, 0.001, 0.001], 4);
    expect(k[1]).toBe(100);
    expect(k[0]).toBe(k[2]); // both at the common level
    expect(k[0]).toBeGreaterThan(1900);
    expect((k[0]! + k[1]! + k[2]!) * 0.001).toBeLessThanOrEqual(4 + 1e-9);
    expect(allocate([1e9, 100], [70, 50], [0.001, 0.001], 10)).toEqual([70, 100]);
  });
  it('batchesToReject: only for a pilot deviation beyond twice the threshold', () => {
    expect(batchesToReject(sample(100, 3, 0, 1, 'p0'), [0, 0, 0], 1e-6)).toBe(Infinity);
    const k = batchesToReject(sample(100, 3, 2, 1, 'p1'), [0, 0, 0], 1e-6);
    expect(k).toBeGreaterThanOrEqual(30);
    expect(k).toBeLessThan(100);
  });
});

describe('sizedDecision', () => {
  it('passes an unbiased sample that resolves the fraction; states resolution, power and the weakest coordinate', () => {
    const K = batchesFor([1, 1, 1], 1e-6, flat(3), 0.05);
    const c = sizedDecision('x', sample(K, 3, 1, 1, 'a'), [1, 1, 1], opts(3));
    expect(c.passed).toBe(true);
    expect(c.inconclusive).toBeUndefined();
    expect(c.stats!.resolution!).toBeLessThanOrEqual(0.05);
    expect(c.stats!.power).toBe(0.9);
    expect(c.stats!.resolutionAt).toMatch(/^c\d$/);
  });
  it('an unbiased sample too spread out to resolve 5% is INCONCLUSIVE (a failure) with the samples that would resolve it', () => {
    const c = sizedDecision('x', sample(200, 3, 1, 10, 'b'), [1, 1, 1], opts(3));
    expect(c.passed).toBe(false);
    expect(c.discrepancy).toBeLessThanOrEqual(c.tolerance);
    const need = batchesFor([10, 10, 10], 1e-6, flat(3), 0.05, 1);
    expect(c.inconclusive!.needed / need).toBeGreaterThan(0.7);
    expect(c.inconclusive!.needed / need).toBeLessThan(1.4);
    expect(c.note).toContain('inconclusive');
  });
  it('a bias beyond the resolution is rejected (a FAIL, not inconclusive); a margin absorbs a smaller one', () => {
    const K = batchesFor([1], 1e-6, flat(1), 0.05);
    const biased = sample(K, 1, 1.06, 1, 'c');
    const c = sizedDecision('x', biased, [1], opts(1));
    expect(c.passed).toBe(false);
    expect(c.inconclusive).toBeUndefined();
    expect(c.discrepancy).toBeGreaterThan(c.tolerance);
    expect(sizedDecision('x', sample(K, 1, 1.005, 1, 'c'), [1], { ...opts(1), margin: 0.02 }).discrepancy).toBeLessThan(c.tolerance);
  });
});

describe('estimators that ignore their batch fail every kind', () => {
  const fixtures = new URL('./fixtures/', import.meta.url).pathname;
  for (const [file, samples] of [['hostile-quiet.ts', 1000], ['hostile-unit.ts', 2000], ['hostile-loud.ts', 1000]] as const) {
    it(`${file} (zero-mean noise, --samples ${samples}): FAIL or INCONCLUSIVE on policy-gradient, advantage (both claims), kl, surrogate and group`, async () => {
      const { results } = await checkModule(`${fixtures}${file}`, { samples, workers: 2, budget: 2, seed: 5 });
      expect(results.map((r) => r.id)).toEqual(['check.hostile-pg.unbiased', 'check.hostile-adv.unbiased', 'check.hostile-adv.critics', 'check.hostile-kl.unbiased', 'check.hostile-surrogate.gradient', 'check.hostile-group.unbiased']);
      for (const r of results) {
        expect(r.verdict, `${r.id}: ${r.error ?? ''}`).toBe('fail');
        expect(['FAIL', 'INCONCLUSIVE']).toContain(checkVerdict(r));
        // every check states its resolution relative to its target's scale
        for (const c of r.checks) expect(c.stats!.resolution, c.instance).toBeGreaterThanOrEqual(0);
      }
    }, 60_000);
  }
});
