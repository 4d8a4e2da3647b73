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
