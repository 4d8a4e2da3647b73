// The alias tables hold the distributions they were built from to their resolution (2⁻³² per
// cell), draw exactly by their cuts, never give an outcome of probability 0, and the
// geometric episode length has Pr(L > t) = γ^t.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aliasProbability, buildAliasRows, drawAlias } from '../../src/sampling/alias.js';
import { geometricLength } from '../../src/sampling/tables.js';
import { Rng } from '../../src/stats/rng.js';
import { ALPHA, countsTest, expectPass, expectReject, rowsOf } from './helpers.js';

const weights = fc.array(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 12 }).filter((w) => w.some((x) => x > 0)), { minLength: 1, maxLength: 6 });

describe('alias rows', () => {
  it('reproduce every distribution to their resolution 2⁻³² per cell, and give no cell to an outcome of probability 0', () => {
    fc.assert(fc.property(weights, (rows) => {
      const t = buildAliasRows(rows.length, (i, add) => rows[i]!.forEach((w, j) => add(100 + j, w)));
      rows.forEach((w, i) => {
        const total = w.reduce((a, b) => a + b, 0);
        const m = w.filter((x) => x > 0).length, cells = t.offset[i + 1]! - t.offset[i]!;
        expect(cells).toBe(m === 1 ? 1 : 2 ** Math.ceil(Math.log2(m)));
        // each cell's accept probability is a multiple of 2^-(32-b): off by at most half of one, in a cell of weight 2^-b
        w.forEach((x, j) => expect(Math.abs(aliasProbability(t, i, 100 + j) - x / total)).toBeLessThanOrEqual(cells * 2 ** -33 + 1e-14));
        for (let k = t.offset[i]!; k < t.offset[i + 1]!; k++) {
          expect(w[t.primary[k]! - 100]).toBeGreaterThan(0);
          expect(w[t.alias[k]! - 100]).toBeGreaterThan(0);
        }
        // outcome j (the j-th positive weight) is the primary of cell j: the primaries list the support
        const support = w.map((x, j) => [x, 100 + j] as const).filter(([x]) => x > 0).map(([, o]) => o);
        support.forEach((o, j) => expect(t.primary[t.offset[i]! + j]).toBe(o));
      });
    }));
  });

  it('a draw returns the primary exactly for the words below its cell\'s cut, and draws nothing from a one-cell row', () => {
    fc.assert(fc.property(weights, (rows) => {
      const t = buildAliasRows(rows.length, (i, add) => rows[i]!.forEach((w, j) => add(100 + j, w)));
      let word = 0, drawn = 0;
      const rng = { nextU32: () => { drawn++; return word; } } as unknown as Rng;
      rows.forEach((_, i) => {
        const o = t.offset[i]!, cells = t.offset[i + 1]! - o, width = 2 ** 32 / cells;
        if (cells === 1) { drawn = 0; expect(drawAlias(t, i, rng)).toBe(t.primary[o]); expect(drawn).toBe(0); return; }
        for (let k = 0; k < cells; k++) {
          const cut = t.cut[o + k]!;
          for (const w of [k * width, cut - 1, cut, (k + 1) * width - 1]) {
            if (w < k * width || w >= (k + 1) * width) continue;
            word = w;
            expect(drawAlias(t, i, rng)).toBe(w < cut ? t.primary[o + k] : t.alias[o + k]);
          }
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
