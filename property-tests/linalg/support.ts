/**
 * Test support for the linear-algebra property tests: seeded random matrices of the kinds
 * policy evaluation produces, a reference dense solve, and error assertions.
 */
import { expect } from 'vitest';
import { PgTruthError, type ErrorCode } from '../../src/errors.js';
import { luFactor, luSolve, luSolveTranspose } from '../../src/linalg/dense.js';
import { buildCSR, csrToDense, type CSR } from '../../src/linalg/sparse.js';
import { Rng } from '../../src/stats/rng.js';

/** Runs `f` and expects a PgTruthError with `code`; returns it. */
export function expectError(f: () => unknown, code: ErrorCode): PgTruthError {
  let caught: unknown;
  try { f(); } catch (e) { caught = e; }
  expect(caught, `expected ${code}`).toBeInstanceOf(PgTruthError);
  expect((caught as PgTruthError).code).toBe(code);
  return caught as PgTruthError;
}

/** max |x − y| / max |y|. */
export function rel(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let d = 0, m = 0;
  for (let i = 0; i < y.length; i++) { d = Math.max(d, Math.abs(x[i]! - y[i]!)); m = Math.max(m, Math.abs(y[i]!)); }
  return d / (m || 1);
}

/** Solves A x = b and Aᵀ y = c by the dense LU with partial pivoting (the reference). */
export function denseReference(A: CSR, b: Float64Array, c: Float64Array): { x: Float64Array; y: Float64Array } {
  const f = luFactor(csrToDense(A), A.nRows);
  return { x: luSolve(f, b), y: luSolveTranspose(f, c) };
}

/**
 * `I − γP` for a random sparse stochastic P (each row: `branching` random targets with
 * probabilities from normalized positive integers), optionally with a leak `exit` per row
 * (mass sent to a removed terminal state, as for γ = 1 episodic problems). Unsymmetric
 * values and a (generally) unsymmetric pattern.
 */
export function randomChainMatrix(n: number, branching: number, gamma: number, seed: number, exit = 0): CSR {
  const rng = Rng.from(seed);
  return buildCSR(n, n, (i, add) => {
    add(i, 1);
    const w: number[] = [];
    const t: number[] = [];
    for (let k = 0; k < branching; k++) { t.push(rng.int(n)); w.push(1 + rng.int(100)); }
    const tot = w.reduce((a, b) => a + b, 0);
    for (let k = 0; k < branching; k++) add(t[k]!, -gamma * (1 - exit) * (w[k]! / tot));
  });
}

/** A random matrix diagonally dominant by rows with margin `margin`, values of both signs. */
export function randomDominant(n: number, perRow: number, margin: number, seed: number): CSR {
  const rng = Rng.from(seed);
  return buildCSR(n, n, (i, add) => {
    let s = 0;
    for (let k = 0; k < perRow; k++) {
      const j = rng.int(n);
      if (j === i) continue;
      const v = 2 * rng.uniform() - 1;
      s += Math.abs(v);
      add(j, v);
    }
    add(i, (rng.uniform() < 0.5 ? -1 : 1) * (s + margin));
  });
}

/** `I − γP` for a random walk with random move probabilities on a rows×cols grid (5-point pattern). */
export function gridChainMatrix(rows: number, cols: number, gamma: number, seed: number): CSR {
  const rng = Rng.from(seed);
  const n = rows * cols;
  return buildCSR(n, n, (i, add) => {
    const r = Math.floor(i / cols), c = i % cols;
    const w = [1 + rng.int(50), 1 + rng.int(50), 1 + rng.int(50), 1 + rng.int(50), 1 + rng.int(50)];
    const tot = w.reduce((a, b) => a + b, 0);
    const moves = [[0, 0], [-1, 0], [1, 0], [0, -1], [0, 1]] as const;
    add(i, 1);
    moves.forEach(([dr, dc], k) => {
      const rr = r + dr, cc = c + dc;
      const j = rr < 0 || rr >= rows || cc < 0 || cc >= cols ? i : rr * cols + cc;
      add(j, -gamma * (w[k]! / tot));
    });
  });
}

/** A seeded random vector in [−1, 1]. */
export function randomVector(n: number, seed: number): Float64Array {
  const rng = Rng.from(seed);
  return Float64Array.from({ length: n }, () => 2 * rng.uniform() - 1);
}

/** ‖b − Ax‖∞ / ‖b‖∞ (or with Aᵀ). */
export function residual(A: CSR, x: Float64Array, b: Float64Array, transpose = false): number {
  const n = A.nRows;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let k = A.rowPtr[i]!; k < A.rowPtr[i + 1]!; k++) {
      if (transpose) y[A.col[k]!] += A.val[k]! * x[i]!; else y[i] += A.val[k]! * x[A.col[k]!]!;
    }
  }
  let r = 0, m = 0;
  for (let i = 0; i < n; i++) { r = Math.max(r, Math.abs(b[i]! - y[i]!)); m = Math.max(m, Math.abs(b[i]!)); }
  return r / (m || 1);
}
