import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeSparseLU, factorSparseLU, solveSparseLU, solveSparseLUTranspose } from '../../src/linalg/sparse-lu.js';
import { buildCSR } from '../../src/linalg/sparse.js';
import { denseReference, expectError, gridChainMatrix, randomChainMatrix, randomDominant, randomVector, rel, residual } from './support.js';

const FC = { seed: 4242, numRuns: 40 };

/** Factorizes, solves both systems, and compares with the dense LU reference. */
function check(A: ReturnType<typeof randomChainMatrix>, seed: number, tol = 1e-11): void {
  const n = A.nRows;
  const b = randomVector(n, seed), c = randomVector(n, seed + 1);
  const F = factorSparseLU(analyzeSparseLU(A), A);
  const x = solveSparseLU(F, b), y = solveSparseLUTranspose(F, c);
  const ref = denseReference(A, b, c);
  expect(rel(x, ref.x)).toBeLessThan(tol);
  expect(rel(y, ref.y)).toBeLessThan(tol);
  expect(residual(A, x, b)).toBeLessThan(1e-12);
  expect(residual(A, y, c, true)).toBeLessThan(1e-12);
}

describe('sparse LU without pivoting (multifrontal, nested dissection)', () => {
  it('matches dense LU on I − γP for random sparse chains (γ < 1)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 160 }), fc.integer({ min: 1, max: 6 }), fc.constantFrom(0.5, 0.9, 0.99, 0.999), fc.nat(), (n, br, gamma, seed) => {
      check(randomChainMatrix(n, br, gamma, seed), seed);
    }), FC);
  });

  it('matches dense LU for γ = 1 when every state leaks to termination (episodic)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 4 }), fc.constantFrom(0.01, 0.1, 0.5), fc.nat(), (n, br, exit, seed) => {
      check(randomChainMatrix(n, br, 1, seed, exit), seed, 1e-10);
    }), FC);
  });

  it('matches dense LU on random row diagonally dominant matrices with values of both signs', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 150 }), fc.integer({ min: 0, max: 8 }), fc.constantFrom(1e-3, 0.1, 1), fc.nat(), (n, per, margin, seed) => {
      check(randomDominant(n, per, margin, seed), seed, 1e-9);
    }), FC);
  });

  it('matches dense LU on grid chains, where nested dissection and supernodes do real work', () => {
    for (const [r, c] of [[1, 1], [1, 40], [7, 9], [20, 20], [33, 17]] as const) check(gridChainMatrix(r, c, 0.99, r * 100 + c), r + c);
  });

  it('one analysis serves several value sets of the pattern, and a factor can be reused', () => {
    const A1 = gridChainMatrix(15, 15, 0.9, 1), A2 = gridChainMatrix(15, 15, 0.97, 2);
    expect(Array.from(A1.col)).toEqual(Array.from(A2.col));
    const sym = analyzeSparseLU(A1);
    const b = randomVector(A1.nRows, 3);
    const F1 = factorSparseLU(sym, A1);
    const x1 = solveSparseLU(F1, b);
    expect(residual(A1, x1, b)).toBeLessThan(1e-13);
    const F2 = factorSparseLU(sym, A2, { reuse: F1 });
    expect(F2.lu).toBe(F1.lu);
    expect(residual(A2, solveSparseLU(F2, b), b)).toBeLessThan(1e-13);
  });

  it('negative control: a perturbed factor gives a large residual', () => {
    const A = gridChainMatrix(12, 12, 0.99, 5);
    const F = factorSparseLU(analyzeSparseLU(A), A);
    const b = randomVector(A.nRows, 6);
    expect(residual(A, solveSparseLU(F, b), b)).toBeLessThan(1e-13);
    let k = 0;
    for (let i = 1; i < F.lu.length; i++) if (Math.abs(F.lu[i]!) > Math.abs(F.lu[k]!)) k = i;
    F.lu[k] = F.lu[k]! * 1.01;
    expect(residual(A, solveSparseLU(F, b), b)).toBeGreaterThan(1e-4);
  });

  it('throws SOLVER_SINGULAR for a singular M-matrix (a closed class with γ = 1)', () => {
    // states 0,1 leak to termination; states 2,3 form a closed class: I − P is singular on them
    const A = buildCSR(4, 4, (i, add) => {
      add(i, 1);
      if (i === 0) add(1, -0.5);
      if (i === 1) add(0, -0.5);
      if (i === 2) add(3, -1);
      if (i === 3) add(2, -1);
    });
    expectError(() => factorSparseLU(analyzeSparseLU(A), A), 'SOLVER_SINGULAR');
    // the same with rounding: 1/3 + 1/3 + 1/3 does not cancel exactly
    const B = buildCSR(3, 3, (i, add) => { add(i, 1); for (let j = 0; j < 3; j++) add(j, -1 / 3); });
    expectError(() => factorSparseLU(analyzeSparseLU(B), B), 'SOLVER_SINGULAR');
  });

  it('refuses a matrix with another pattern, and one without a diagonal entry', () => {
    const A = gridChainMatrix(5, 5, 0.9, 1);
    const other = gridChainMatrix(5, 6, 0.9, 1);
    expectError(() => factorSparseLU(analyzeSparseLU(A), other), 'SOLVER_SINGULAR');
    const noDiag = buildCSR(2, 2, (i, add) => add(1 - i, 1));
    expectError(() => analyzeSparseLU(noDiag), 'SOLVER_SINGULAR');
  });

  it('reports its work and fill before the numeric phase', () => {
    const sym = analyzeSparseLU(gridChainMatrix(30, 30, 0.99, 1));
    expect(sym.flops).toBeGreaterThan(0);
    expect(sym.nnz).toBeGreaterThanOrEqual(900);
    // nested dissection keeps the fill far below the dense n²
    expect(sym.nnz).toBeLessThan(0.2 * 900 * 900);
  });
});
