import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gmresDense } from '../../src/linalg/gmres.js';
import { csrToDense } from '../../src/linalg/sparse.js';
import { denseReference, randomChainMatrix, randomVector, rel, residual } from './support.js';

describe('GMRES on a dense matrix, with a budget', () => {
  it('solves I − γP and its transpose for dense random chains, matching dense LU', () => {
    fc.assert(fc.property(fc.integer({ min: 20, max: 150 }), fc.constantFrom(0.9, 0.99), fc.nat(), (n, gamma, seed) => {
      const A = randomChainMatrix(n, n, gamma, seed);
      const m = csrToDense(A);
      const b = randomVector(n, seed), c = randomVector(n, seed + 1);
      const gx = gmresDense(m, n, b, { tol: 1e-13, maxIter: 60 });
      const gy = gmresDense(m, n, c, { tol: 1e-13, maxIter: 60, transpose: true, x0: c });
      expect(gx.converged && gy.converged).toBe(true);
      const ref = denseReference(A, b, c);
      expect(rel(gx.x, ref.x)).toBeLessThan(1e-10);
      expect(rel(gy.x, ref.y)).toBeLessThan(1e-10);
      expect(residual(A, gx.x, b)).toBeLessThan(1e-12);
    }), { seed: 21, numRuns: 25 });
  });

  it('reports non-convergence instead of throwing when the budget is too small (slowly mixing chain)', () => {
    const n = 120;
    const A = randomChainMatrix(n, 2, 0.999, 3);       // sparse, slowly mixing: no fast convergence
    const r = gmresDense(csrToDense(A), n, randomVector(n, 4), { tol: 1e-13, maxIter: 8 });
    expect(r.converged).toBe(false);
    expect(r.iterations).toBeLessThanOrEqual(8);
    expect(r.residual).toBeGreaterThan(1e-13);
  });

  it('returns 0 for b = 0, and its convergence flag is judged on the true residual', () => {
    const A = randomChainMatrix(30, 30, 0.9, 1);
    expect(gmresDense(csrToDense(A), 30, new Float64Array(30)).converged).toBe(true);
    // negative control: the wrong matrix for a right-hand side gives a large true residual
    const m = csrToDense(A);
    const b = randomVector(30, 2);
    const x = gmresDense(m, 30, b, { tol: 1e-13 }).x;
    const wrong = csrToDense(randomChainMatrix(30, 30, 0.9, 99));
    expect(gmresDense(wrong, 30, b, { tol: 1e-13 }).converged).toBe(true);
    expect(residual(A, gmresDense(wrong, 30, b, { tol: 1e-13 }).x, b)).toBeGreaterThan(1e-6);
    expect(residual(A, x, b)).toBeLessThan(1e-12);
  });
});
