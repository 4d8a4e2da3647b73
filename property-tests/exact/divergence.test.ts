import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryPolicyTable } from '../../src/arbitraries/index.js';
import { divergenceSummary, entropyPerState, klPerState, tvPerState } from '../../src/exact/index.js';

const pair = fc.record({ S: fc.integer({ min: 1, max: 4 }), A: fc.integer({ min: 1, max: 5 }) }).chain(({ S, A }) =>
  fc.tuple(fc.constant(S), fc.constant(A), arbitraryPolicyTable(S, A, { allowZeros: true }), arbitraryPolicyTable(S, A, { allowZeros: false })));

describe('divergences between policies', () => {
  it('KL ≥ 0 with equality iff equal rows; 0 ≤ TV ≤ 1; Pinsker TV² ≤ KL/2; 0 ≤ H ≤ log A', () => {
    fc.assert(fc.property(pair, ([S, A, p, q]) => {
      const kl = klPerState(p, q, S, A), tv = tvPerState(p, q, S, A), h = entropyPerState(p, S, A);
      for (let s = 0; s < S; s++) {
        expect(kl[s]).toBeGreaterThanOrEqual(0);
        expect(tv[s]).toBeGreaterThanOrEqual(0);
        expect(tv[s]).toBeLessThanOrEqual(1 + 1e-15);
        expect(tv[s]! ** 2).toBeLessThanOrEqual(kl[s]! / 2 + 1e-12);
        expect(h[s]).toBeGreaterThanOrEqual(0);
        expect(h[s]).toBeLessThanOrEqual(Math.log(A) + 1e-12);
      }
      expect(Array.from(klPerState(q, q, S, A)).every((x) => Math.abs(x) < 1e-15)).toBe(true);
    }));
  });
  it('KL on hand values: KL((1/2,1/2) ‖ (1/4,3/4)) = ½log 2 + ½log(2/3)', () => {
    expect(klPerState(Float64Array.of(0.5, 0.5), Float64Array.of(0.25, 0.75), 1, 2)[0]).toBeCloseTo(0.5 * Math.log(2) + 0.5 * Math.log(2 / 3), 15);
    expect(tvPerState(Float64Array.of(0.5, 0.5), Float64Array.of(0.25, 0.75), 1, 2)[0]).toBeCloseTo(0.25, 15);
  });
  it('the d-weighted summary weights by d and takes maxima over visited states only', () => {
    const p = Float64Array.of(0.5, 0.5, 1, 0), q = Float64Array.of(0.25, 0.75, 0.5, 0.5);
    const s = divergenceSummary(Float64Array.of(1, 0), p, q, 2, 2);
    expect(s.klMean).toBeCloseTo(klPerState(p, q, 2, 2)[0]!, 15);
    expect(s.klMax).toBeCloseTo(klPerState(p, q, 2, 2)[0]!, 15); // state 1 differs more but is unvisited
    expect(s.tvMax).toBeCloseTo(0.25, 15);
    expect(s.entropyMean).toBeCloseTo(-(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75)), 15);
  });
  it('control: KL is not symmetric — the reversed divergence is a different number', () => {
    const p = Float64Array.of(0.9, 0.1), q = Float64Array.of(0.5, 0.5);
    expect(Math.abs(klPerState(p, q, 1, 2)[0]! - klPerState(q, p, 1, 2)[0]!)).toBeGreaterThan(0.05);
  });
});
