// Running normalization of the deep learners (src/algorithms/deep/normalize.ts): the Chan et al.
// parallel merge against a two-pass mean and variance over all rows, the clip at ±10, and the
// reward scaler against its running discounted sum and a weighted two-pass variance written here.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ObservationNormalizer, RewardScaler, RunningMeanStd } from '../../../src/algorithms/deep/normalize.js';
import { expectError } from '../../helpers.js';

function twoPass(rows: number[][], i: number): { mean: number; variance: number } {
  const n = rows.length;
  const mean = rows.reduce((a, r) => a + r[i]!, 0) / n;
  return { mean, variance: rows.reduce((a, r) => a + (r[i]! - mean) ** 2, 0) / n };
}
const close = (x: number, y: number, tol: number) => Math.abs(x - y) <= tol * Math.max(1, Math.abs(y));

describe('RunningMeanStd', () => {
  const batches = fc.array(fc.array(fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 7 }), { minLength: 1, maxLength: 6 });
  it('merged batch by batch (start count 0) equals the two-pass mean and population variance of all rows', () => {
    fc.assert(fc.property(batches, fc.integer({ min: 1, max: 100 }), (bs, scale) => {
      const rms = new RunningMeanStd(3, 0);
      const all: number[][] = [];
      for (const b of bs) {
        const rows = b.map((r) => r.map((x) => (x / 7) * scale + 3 * scale));
        rms.update(Float64Array.from(rows.flat()), rows.length);
        all.push(...rows);
      }
      for (let i = 0; i < 3; i++) {
        const { mean, variance } = twoPass(all, i);
        expect(close(rms.mean[i]!, mean, 1e-12)).toBe(true);
        expect(close(rms.var[i]!, variance, 1e-10)).toBe(true);
      }
      expect(rms.count).toBe(all.length);
    }));
  });
  it('negative control: a merge without the between-batch term δ²nm/n′ disagrees with the two-pass variance', () => {
    const rows = [[0, 0, 0], [1, 1, 1], [10, 10, 10], [11, 11, 11]];
    const rms = new RunningMeanStd(3, 0);
    rms.update(Float64Array.from(rows.slice(0, 2).flat()), 2);
    rms.update(Float64Array.from(rows.slice(2).flat()), 2);
    const wrong = (0.25 * 2 + 0.25 * 2) / 4; // within-batch variances only
    const { variance } = twoPass(rows, 0);
    expect(close(rms.var[0]!, variance, 1e-12)).toBe(true);
    expect(close(wrong, variance, 1e-3)).toBe(false);
  });
  it('rejects a bad width or start count', () => {
    expectError(() => new RunningMeanStd(0), 'TRAIN_OPTIONS', 'width');
    expectError(() => new RunningMeanStd(2, -1), 'TRAIN_OPTIONS', 'start count');
  });
});

describe('ObservationNormalizer', () => {
  it('writes (x − μ)/√(σ² + ε) clipped to ±10, row by row at the given stride; disabled copies x', () => {
    const on = new ObservationNormalizer(2, true);
    const x = Float64Array.of(0, 0, 2, 2, 4, 4, 1000, -1000);
    on.update(x.subarray(0, 6), 3); // mean ≈ 2, var ≈ 8/3 (start count 1e-4)
    const out = new Float64Array(8).fill(NaN);
    on.normalizeInto(x, 4, out, 0, 1);
    const m = on.stats.mean[0]!, s = Math.sqrt(on.stats.var[0]! + 1e-8);
    expect(out[2]).toBe((2 - m) / s);
    expect(out[6]).toBe(10);
    expect(out[7]).toBe(-10);
    const strided = new Float64Array(8).fill(NaN);
    on.normalizeInto(x, 2, strided, 1, 2); // rows 1 and 3
    expect(strided[2]).toBe(out[0]);
    expect(strided[6]).toBe(out[2]);
    const off = new ObservationNormalizer(2, false);
    off.update(x, 4);
    const copy = new Float64Array(8);
    off.normalizeInto(x, 4, copy, 0, 1);
    expect(Array.from(copy)).toEqual(Array.from(x));
  });
});

describe('RewardScaler', () => {
  it('divides r_t by the running std of G ← γG + r (restarted at episode ends), clipped to ±10', () => {
    const gamma = 0.5, n0 = 1e-4;
    const rewards = [1, 2, -1, 3, 0.5, 4];
    const ends = [0, 0, 1, 0, 0, 1]; // terminated after steps 2 and 5 (0-based)
    const sc = new RewardScaler(1, gamma, true);
    const gs: number[] = [], gsNo: number[] = [];
    let g = 0, gNo = 0, controlDiffers = false;
    const expectedFrom = (list: number[], r: number) => {
      const tot = n0 + list.length;
      const mean = list.reduce((a, b) => a + b, 0) / tot;
      const variance = (n0 * (1 + mean * mean) + list.reduce((a, b) => a + (b - mean) ** 2, 0)) / tot;
      return Math.max(-10, Math.min(10, r / Math.sqrt(variance + 1e-8)));
    };
    rewards.forEach((r, t) => {
      g = gamma * g + r; gNo = gamma * gNo + r;
      gs.push(g); gsNo.push(gNo);
      // Chan's merge from (0, 1, n0) = a weighted two-pass with a prior pseudo-sample of weight n0
      const expected = expectedFrom(gs, r);
      const out = new Float64Array(1);
      sc.scale(Float64Array.of(r), Uint8Array.of(ends[t]!), Uint8Array.of(0), out);
      expect(close(out[0]!, expected, 1e-12)).toBe(true);
      if (!close(out[0]!, expectedFrom(gsNo, r), 1e-6)) controlDiffers = true;
      if (ends[t]) g = 0;
    });
    // negative control: a scaler that never restarts G is rejected by the same comparison
    expect(controlDiffers).toBe(true);
  });
});
