// The alias tables hold exactly the distributions they were built from, never give an
// outcome of probability 0, and the geometric episode length has Pr(L > t) = γ^t.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aliasProbability, buildAliasRows } from '../../src/sampling/alias.js';
import { geometricLength } from '../../src/sampling/tables.js';
import { Rng } from '../../src/stats/rng.js';
import { ALPHA, countsTest, expectPass, expectReject, rowsOf } from './helpers.js';

const weights = fc.array(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 12 }).filter((w) => w.some((x) => x > 0)), { minLength: 1, maxLength: 6 });

describe('alias rows', () => {
  it('reproduce every distribution to rounding, and give no cell to an outcome of probability 0', () => {
    fc.assert(fc.property(weights, (rows) => {
      const t = buildAliasRows(rows.length, (i, add) => rows[i]!.forEach((w, j) => add(100 + j, w)));
      rows.forEach((w, i) => {
        const total = w.reduce((a, b) => a + b, 0);
        expect(t.offset[i + 1]! - t.offset[i]!).toBe(w.filter((x) => x > 0).length);
        w.forEach((x, j) => expect(Math.abs(aliasProbability(t, i, 100 + j) - x / total)).toBeLessThan(1e-14));
        for (let k = t.offset[i]!; k < t.offset[i + 1]!; k++) {
          expect(w[t.primary[k]! - 100]).toBeGreaterThan(0);
          if (t.threshold[k]! < 1) expect(w[t.alias[k]! - 100]).toBeGreaterThan(0);
        }
      });
    }));
  });

  it('negative control: a table built from other weights is told apart by the same comparison', () => {
    const w = [3, 0, 5, 2];
    const t = buildAliasRows(1, (_, add) => [3, 0, 4, 3].forEach((x, j) => add(j, x)));
    const worst = Math.max(...w.map((x, j) => Math.abs(aliasProbability(t, 0, j) - x / 10)));
    expect(worst).toBeGreaterThan(0.05);
  });
});

describe('geometric episode length', () => {
  const gamma = 0.8, n = 50_000;
  const survival = (lengths: (rng: Rng) => number) => {
    const rng = Rng.from(12);
    return rowsOf(n, 6, (_, row) => { const L = lengths(rng); for (let t = 0; t < 6; t++) row[t] = L > t ? 1 : 0; });
  };
  const target = Array.from({ length: 6 }, (_, t) => gamma ** t);
  it(`Pr(L > t) = γ^t for t = 0…5 (false-alarm rate ${ALPHA})`, () => {
    expectPass(countsTest(survival((r) => geometricLength(r, gamma)), target), 'geometric length');
  });
  it('negative control: the off-by-one length ⌊ln u / ln γ⌋ is rejected', () => {
    expectReject(countsTest(survival((r) => Math.floor(Math.log(1 - r.uniform()) / Math.log(gamma))), target), 'off by one');
  });
  it('γ = 1 never stops, γ = 0 stops after one step', () => {
    const r = Rng.from(1);
    expect(geometricLength(r, 1)).toBe(Infinity);
    expect(geometricLength(r, 0)).toBe(1);
  });
});
