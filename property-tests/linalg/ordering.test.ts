import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { invertPermutation, nestedDissection, symmetricGraph } from '../../src/linalg/ordering.js';
import { randomChainMatrix } from './support.js';

describe('orderings', () => {
  it('symmetricGraph is symmetric, loop-free and duplicate-free', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 80 }), fc.integer({ min: 0, max: 5 }), fc.nat(), (n, br, seed) => {
      const g = symmetricGraph(randomChainMatrix(n, br, 0.9, seed));
      const edges = new Set<string>();
      for (let v = 0; v < n; v++) {
        const seen = new Set<number>();
        for (let k = g.ptr[v]!; k < g.ptr[v + 1]!; k++) {
          const w = g.adj[k]!;
          expect(w).not.toBe(v);
          expect(seen.has(w)).toBe(false);
          seen.add(w);
          edges.add(`${v},${w}`);
        }
      }
      for (const e of edges) { const [a, b] = e.split(','); expect(edges.has(`${b},${a}`)).toBe(true); }
    }), { seed: 7, numRuns: 40 });
  });

  it('nestedDissection returns a permutation, also on disconnected graphs and for every leaf size', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 40 }), fc.nat(), (n, br, leaf, seed) => {
      const perm = nestedDissection(symmetricGraph(randomChainMatrix(n, br, 0.9, seed)), { leafSize: leaf });
      expect(perm.length).toBe(n);
      const inv = invertPermutation(perm);
      for (let i = 0; i < n; i++) expect(perm[inv[i]!]).toBe(i);
    }), { seed: 8, numRuns: 40 });
  });
});

describe('nested dissection on disconnected graphs', () => {
  it('handles many components larger than a leaf (a regression: the split used to overwrite vertices)', async () => {
    const { buildCSR } = await import('../../src/linalg/sparse.js');
    // 30 disjoint paths of 40 vertices, interleaved numbering
    const n = 1200;
    const A = buildCSR(n, n, (i, add) => { add(i, 1); if (i + 30 < n) add(i + 30, -0.5); if (i >= 30) add(i - 30, -0.5); });
    for (const leaf of [1, 4, 16, 64]) {
      const perm = nestedDissection(symmetricGraph(A), { leafSize: leaf });
      const seen = new Uint8Array(n);
      for (const v of perm) { expect(seen[v]).toBe(0); seen[v] = 1; }
      expect(seen.every((x) => x === 1)).toBe(true);
    }
  });
});
