// The optimizers against values derived by hand from the formulas (Kingma & Ba 2015,
// Algorithm 1; the expected numbers below were computed in 50-digit decimal arithmetic
// outside this code base, not by the code under test), clipping to exactly the norm, and
// the linear schedule. Each check has a wrong variant that it rejects.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Adam, clipGradNorm, globalNorm, linearDecay, sgdStep } from '../../src/optim/index.js';
import { expectError } from '../helpers.js';

describe('Adam', () => {
  it('first three steps from θ = 1 with g = 2, −1, 0.5 (α 0.1, β 0.9/0.999, ε 1e-8) match the hand-derived values', () => {
    const opt = new Adam(1, { lr: 0.1 });
    const th = Float64Array.of(1);
    // m_1 = 0.2, v_1 = 0.004, m̂ = 2, v̂ = 4: θ_1 = 1 − 0.1·2/(2 + 1e-8)
    opt.step(th, Float64Array.of(2));
    expect(opt.m[0]).toBeCloseTo(0.2, 15); expect(opt.v[0]).toBeCloseTo(0.004, 15);
    expect(Math.abs(th[0]! - 0.9000000004999999975)).toBeLessThan(1e-15);
    // m_2 = 0.08, v_2 = 0.004996, m̂ = 0.08/0.19, v̂ = 0.004996/0.001999
    opt.step(th, Float64Array.of(-1));
    expect(Math.abs(th[0]! - 0.87336629670243135784)).toBeLessThan(1e-15);
    opt.step(th, Float64Array.of(0.5));
    expect(Math.abs(th[0]! - 0.83932338213894247183)).toBeLessThan(1e-15);
    expect(opt.t).toBe(3);
  });
  it('negative controls: without bias correction, or with ε inside the square root, the same values are missed', () => {
    // uncorrected first step: m_1/(√v_1 + ε) = 0.2/(0.0632… + 1e-8) ≈ 3.16 → θ_1 ≈ 0.684
    const uncorrected = 1 - (0.1 * 0.2) / (Math.sqrt(0.004) + 1e-8);
    expect(Math.abs(uncorrected - 0.9000000005)).toBeGreaterThan(0.1);
    // ε inside: 1 − 0.1·2/√(4 + 1e-8) differs from the truth by 3.75e-10, far beyond the 1e-15 tolerance
    const inside = 1 - (0.1 * 2) / Math.sqrt(4 + 1e-8);
    expect(Math.abs(inside - 0.9000000004999999975)).toBeGreaterThan(1e-10);
  });
  it('the first step moves every coordinate by α·|g|/(|g| + ε) against the sign of g', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 8 }), (gs) => {
      const g = Float64Array.from(gs, (x) => x / 7);
      const th = new Float64Array(g.length);
      new Adam(g.length, { lr: 0.01 }).step(th, g);
      g.forEach((x, i) => expect(Math.abs(th[i]! + (0.01 * x) / (Math.abs(x) + 1e-8))).toBeLessThan(1e-17));
    }));
  });
  it('lr per step overrides the default; reset forgets the moments; bad hyperparameters are typed errors', () => {
    const opt = new Adam(1);
    const a = opt.step(Float64Array.of(0), Float64Array.of(1), 0.5);
    expect(a[0]).toBeCloseTo(-0.5, 7);
    opt.reset();
    expect([opt.t, opt.m[0], opt.v[0]]).toEqual([0, 0, 0]);
    expectError(() => new Adam(2, { beta1: 1 }), 'OPTIM_ARGUMENT', 'beta1', '1');
    expectError(() => new Adam(2, { eps: 0 }), 'OPTIM_ARGUMENT', 'eps');
    expectError(() => new Adam(2).step(new Float64Array(2), Float64Array.of(0, NaN)), 'OPTIM_ARGUMENT', 'grad[1]', 'NaN');
  });
});

describe('SGD', () => {
  it('θ ← θ − α g exactly (dyadic numbers: no rounding)', () => {
    const th = Float64Array.of(1, -2, 0.5);
    sgdStep(th, Float64Array.of(4, 0.5, -2), 0.25);
    expect(Array.from(th)).toEqual([0, -2.125, 1]);
    expectError(() => sgdStep(th, Float64Array.of(1, 2), 0.1), 'OPTIM_ARGUMENT', 'grad');
  });
});

describe('gradient-norm clipping', () => {
  const vecs = fc.array(fc.array(fc.integer({ min: -1e6, max: 1e6 }), { minLength: 0, maxLength: 6 }), { minLength: 1, maxLength: 3 });
  it('scales the global norm to exactly c when above (relative 4e-16), keeps the direction; leaves g bit-for-bit unchanged when at or below', () => {
    fc.assert(fc.property(vecs, fc.integer({ min: 1, max: 1000 }), (xs, cInt) => {
      const gs = xs.map((x) => Float64Array.from(x, (v) => v / 3));
      const before = gs.map((g) => Float64Array.from(g));
      const c = cInt / 10;
      const n0 = Math.sqrt(before.reduce((s, g) => s + g.reduce((a, v) => a + v * v, 0), 0));
      const n = clipGradNorm(gs, c);
      expect(Math.abs(n - n0)).toBeLessThanOrEqual(4e-16 * n0);
      if (n0 > c) {
        expect(Math.abs(globalNorm(gs) - c)).toBeLessThan(4e-16 * c * 4);
        gs.forEach((g, k) => g.forEach((v, i) => expect(Math.abs(v - (before[k]![i]! * c) / n0)).toBeLessThanOrEqual(1e-15 * Math.abs(before[k]![i]!) * c / n0 + 1e-300)));
      } else {
        gs.forEach((g, k) => expect(Array.from(g)).toEqual(Array.from(before[k]!)));
      }
    }));
  });
  it('no overflow: a gradient of entries 1e200 clips to norm 1; negative control: c/(‖g‖ + 1e-6) misses the norm', () => {
    const g = Float64Array.of(1e200, -1e200, 1e200, 1e200);
    expect(globalNorm(g) / 2e200).toBeCloseTo(1, 14);
    clipGradNorm(g, 1);
    expect(Math.abs(globalNorm(g) - 1)).toBeLessThan(1e-15);
    // PyTorch's form: norm ends at c·‖g‖/(‖g‖ + 1e-6) < c — rejected at ‖g‖ = 2, c = 1
    const h = Float64Array.of(2, 0);
    const s = 1 / (2 + 1e-6);
    expect(Math.abs(globalNorm(h.map((x) => x * s)) - 1)).toBeGreaterThan(1e-7);
    expectError(() => clipGradNorm([Float64Array.of(1, Infinity)], 1), 'OPTIM_ARGUMENT', 'grads[0][1]');
    expectError(() => clipGradNorm(g, -1), 'OPTIM_ARGUMENT', 'maxNorm');
  });
});

describe('linear learning-rate decay', () => {
  it('α_n = α₀ + (α_end − α₀) n/N: α₀ first, α₀/N last (α_end 0), α_end from N on; a schedule off by one update is rejected', () => {
    const f = linearDecay(3e-4, 10);
    expect(f(0)).toBe(3e-4);
    expect(f(9)).toBeCloseTo(3e-5, 18);
    expect(f(10)).toBe(0);
    expect(f(5)).toBeCloseTo(1.5e-4, 18);
    const g = linearDecay(1, 4, 0.5);
    expect([0, 1, 2, 3, 4, 7].map(g)).toEqual([1, 0.875, 0.75, 0.625, 0.5, 0.5]);
    // control: the off-by-one 1 − (n+1)/N schedule reaches 0 at the last update
    const offByOne = (n: number) => 3e-4 * (1 - (n + 1) / 10);
    expect(Math.abs(offByOne(9) - f(9))).toBeGreaterThan(1e-6 * 3e-4);
    expectError(() => linearDecay(1, 0), 'OPTIM_ARGUMENT', 'numUpdates', '0');
    expectError(() => f(-1), 'OPTIM_ARGUMENT', 'update index');
  });
});
