import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bicgstabEisenstat, dilu } from '../../src/linalg/eisenstat.js';
import { gatherValues, levelOrder, permutePattern, transposePattern } from '../../src/linalg/levels.js';
import { sharedF64, sharedI32, solveBothEisenstat } from '../../src/linalg/parallel.js';
import { buildCSR, transposeCSR, type CSR } from '../../src/linalg/sparse.js';
import { denseReference, gridChainMatrix, randomChainMatrix, randomVector, rel, residual } from './support.js';


describe('D-ILU / Eisenstat BiCGSTAB', () => {
  it('matches dense LU on I − γP and its transpose (γ < 1, and γ = 1 with leaks)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 150 }), fc.integer({ min: 1, max: 5 }), fc.constantFrom(0.5, 0.99), fc.constantFrom(0, 0.05), fc.nat(), (n, br, gamma, exit, seed) => {
      const A = randomChainMatrix(n, br, exit > 0 ? 1 : gamma, seed, exit);
      const b = randomVector(n, seed), c = randomVector(n, seed + 1);
      const fA = dilu(A), fT = dilu(transposeCSR(A));
      expect(fA).not.toBeNull();
      expect(fT).not.toBeNull();
      const x = bicgstabEisenstat(fA!, b, { tol: 1e-13 }), y = bicgstabEisenstat(fT!, c, { tol: 1e-13, x0: c });
      expect(x.converged && y.converged).toBe(true);
      const ref = denseReference(A, b, c);
      expect(rel(x.x, ref.x)).toBeLessThan(1e-9);
      expect(rel(y.x, ref.y)).toBeLessThan(1e-9);
      expect(residual(A, x.x, b)).toBeLessThan(1e-12);
    }), { seed: 41, numRuns: 30 });
  });

  it('reports non-convergence (no throw) when the budget is too small, and its flag is judged on the true residual', () => {
    const A = gridChainMatrix(30, 30, 0.999, 2);
    const r = bicgstabEisenstat(dilu(A)!, randomVector(900, 3), { maxIter: 3 });
    expect(r.converged).toBe(false);
    expect(r.residual).toBeGreaterThan(1e-12);
    // negative control: the solution for another matrix has a large residual here
    const other = bicgstabEisenstat(dilu(gridChainMatrix(30, 30, 0.9, 7))!, randomVector(900, 3));
    expect(other.converged).toBe(true);
    expect(residual(A, other.x, randomVector(900, 3))).toBeGreaterThan(1e-4);
  });

  it('D-ILU refuses a matrix that is not an M-matrix (a non-positive pivot)', () => {
    const A = buildCSR(2, 2, (i, add) => { add(i, -1); add(1 - i, 0.5); });
    expect(dilu(A)).toBeNull();
    const B = buildCSR(2, 2, (i, add) => { add(i, 1); add(1 - i, -2); });  // d̃₁ = 1 − 4 < 0
    expect(dilu(B)).toBeNull();
  });
});

describe('level scheduling', () => {
  it('levelOrder is a topological order of the lower pattern, and keeps D-ILU and the solution', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.nat(), (r, c, seed) => {
      const A = gridChainMatrix(r, c, 0.99, seed);
      const n = A.nRows;
      const { perm } = levelOrder(A);
      const pos = new Int32Array(n);
      perm.forEach((old, i) => { pos[old] = i; });
      for (let i = 0; i < n; i++) for (let k = A.rowPtr[i]!; k < A.rowPtr[i + 1]!; k++) {
        const j = A.col[k]!;
        if (j < i) expect(pos[j]!).toBeLessThan(pos[i]!);
      }
      const p = permutePattern(A, perm);
      const B: CSR = { nRows: n, nCols: n, rowPtr: p.rowPtr, col: p.col, val: gatherValues(p, A.val) };
      const fA = dilu(A)!, fB = dilu(B)!;
      for (let i = 0; i < n; i++) expect(Math.abs(fB.dt[i]! - fA.dt[perm[i]!]!)).toBeLessThan(1e-14);
      const b = randomVector(n, seed);
      const bp = Float64Array.from(perm, (o) => b[o]!);
      const xA = bicgstabEisenstat(fA, b).x, xB = bicgstabEisenstat(fB, bp).x;
      expect(rel(Float64Array.from(perm, (o) => xA[o]!), xB)).toBeLessThan(1e-10);
      // the transposed pattern with its map holds exactly Aᵀ's entries
      const q = permutePattern(A, perm, true);
      const BT: CSR = { nRows: n, nCols: n, rowPtr: q.rowPtr, col: q.col, val: gatherValues(q, A.val) };
      const cT = randomVector(n, seed + 1);
      const y = bicgstabEisenstat(dilu(BT)!, cT).x;
      const yOrig = new Float64Array(n);
      perm.forEach((old, i) => { yOrig[old] = y[i]!; });
      const ctOrig = new Float64Array(n);
      perm.forEach((old, i) => { ctOrig[old] = cT[i]!; });
      expect(residual(A, yOrig, ctOrig, true)).toBeLessThan(1e-11);
    }), { seed: 42, numRuns: 25 });
  });
});

describe('two systems on two threads', () => {
  it('gives bit-identical answers with and without the worker', () => {
    const A = gridChainMatrix(60, 60, 0.99, 3);
    const T = transposeCSR(A);
    const shared: CSR = { nRows: T.nRows, nCols: T.nCols, rowPtr: sharedI32(T.rowPtr.length, T.rowPtr), col: sharedI32(T.col.length, T.col), val: sharedF64(T.val.length, T.val) };
    const b = randomVector(3600, 1), c = randomVector(3600, 2);
    const seq = solveBothEisenstat({ A, b }, { A: T, b: c }, { tol: 1e-12, maxIter: 1000, parallel: false });
    const par = solveBothEisenstat({ A, b }, { A: shared, b: c }, { tol: 1e-12, maxIter: 1000, parallel: true });
    expect(seq[0]!.converged && seq[1]!.converged).toBe(true);
    expect(Array.from(par[0]!.x)).toEqual(Array.from(seq[0]!.x));
    expect(Array.from(par[1]!.x)).toEqual(Array.from(seq[1]!.x));
    expect(par[1]!.iterations).toBe(seq[1]!.iterations);
  });
});

describe('transposePattern', () => {
  it('equals permuting the transpose directly', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 4 }), fc.nat(), (n, br, seed) => {
      const A = randomChainMatrix(n, br, 0.9, seed);
      const { perm } = levelOrder(A);
      const direct = permutePattern(A, perm, true), viaB = transposePattern(permutePattern(A, perm), n);
      expect(Array.from(viaB.rowPtr)).toEqual(Array.from(direct.rowPtr));
      expect(Array.from(viaB.col)).toEqual(Array.from(direct.col));
      expect(Array.from(gatherValues(viaB, A.val))).toEqual(Array.from(gatherValues(direct, A.val)));
    }), { seed: 43, numRuns: 30 });
  });
});
