/**
 * Dense LU factorization with partial pivoting over `Float64Array` (row-major), and the
 * solves with the matrix and its transpose that policy evaluation needs:
 * `(I − γP_π) V = r_π` and `(I − γP_π)ᵀ η = p0` share one factorization.
 *
 * @module
 */
import { fail } from '../errors.js';

/** An LU factorization `P·M = L·U` of an n×n matrix, stored in place (unit-diagonal L). */
export interface LU {
  readonly n: number;
  /** L below the diagonal (unit diagonal implied), U on and above it; row-major. */
  readonly lu: Float64Array;
  /** `perm[i]` = the original row now in position i. */
  readonly perm: Int32Array;
}

/**
 * Factorizes the row-major n×n matrix `m` (which is not modified).
 * Throws `SOLVER_SINGULAR` (naming the column) when a pivot column is exactly zero.
 */
export function luFactor(m: Float64Array, n: number): LU {
  if (m.length !== n * n) fail('SOLVER_SINGULAR', `matrix has ${m.length} entries, expected ${n}×${n}`);
  const a = Float64Array.from(m);
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let k = 0; k < n; k++) {
    // pivot: the largest |a_ik|, i ≥ k
    let p = k;
    let best = Math.abs(a[k * n + k]!);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(a[i * n + k]!);
      if (v > best) { best = v; p = i; }
    }
    if (!(best > 0)) fail('SOLVER_SINGULAR', `matrix is singular: column ${k} has no non-zero pivot`, { where: `column ${k}`, value: best });
    if (p !== k) {
      const rk = k * n, rp = p * n;
      for (let j = 0; j < n; j++) { const t = a[rk + j]!; a[rk + j] = a[rp + j]!; a[rp + j] = t; }
      const t = perm[k]!; perm[k] = perm[p]!; perm[p] = t;
    }
    const rk = k * n;
    const inv = 1 / a[rk + k]!;
    // update the trailing rows two at a time: one load of row k serves both
    let i = k + 1;
    for (; i + 1 < n; i += 2) {
      const r1 = i * n, r2 = r1 + n;
      const l1 = a[r1 + k]! * inv, l2 = a[r2 + k]! * inv;
      a[r1 + k] = l1; a[r2 + k] = l2;
      if (l1 !== 0 || l2 !== 0) {
        for (let j = k + 1; j < n; j++) {
          const u = a[rk + j]!;
          a[r1 + j] = a[r1 + j]! - l1 * u;
          a[r2 + j] = a[r2 + j]! - l2 * u;
        }
      }
    }
    for (; i < n; i++) {
      const ri = i * n;
      const l = a[ri + k]! * inv;
      a[ri + k] = l;
      if (l !== 0) for (let j = k + 1; j < n; j++) a[ri + j] = a[ri + j]! - l * a[rk + j]!;
    }
  }
  return { n, lu: a, perm };
}

/** Solves `M x = b` with the factorization of M. */
export function luSolve(f: LU, b: Float64Array): Float64Array {
  const { n, lu, perm } = f;
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = b[perm[i]!]!;
  for (let i = 0; i < n; i++) {           // L y = P b
    const ri = i * n;
    let s = x[i]!;
    for (let j = 0; j < i; j++) s -= lu[ri + j]! * x[j]!;
    x[i] = s;
  }
  for (let i = n - 1; i >= 0; i--) {      // U x = y
    const ri = i * n;
    let s = x[i]!;
    for (let j = i + 1; j < n; j++) s -= lu[ri + j]! * x[j]!;
    x[i] = s / lu[ri + i]!;
  }
  return x;
}

/** Solves `Mᵀ x = b` with the factorization of M (`Mᵀ = Uᵀ Lᵀ P`). */
export function luSolveTranspose(f: LU, b: Float64Array): Float64Array {
  const { n, lu, perm } = f;
  const z = Float64Array.from(b);
  for (let j = 0; j < n; j++) {           // Uᵀ z = b (column-oriented: row j of U scatters)
    const rj = j * n;
    const zj = z[j]! / lu[rj + j]!;
    z[j] = zj;
    if (zj !== 0) for (let i = j + 1; i < n; i++) z[i] = z[i]! - lu[rj + i]! * zj;
  }
  for (let j = n - 1; j >= 0; j--) {      // Lᵀ w = z
    const rj = j * n;
    const wj = z[j]!;
    if (wj !== 0) for (let i = 0; i < j; i++) z[i] = z[i]! - lu[rj + i]! * wj;
  }
  const x = new Float64Array(n);          // x = Pᵀ w
  for (let i = 0; i < n; i++) x[perm[i]!] = z[i]!;
  return x;
}

/** y = M x for a row-major n×m matrix. */
export function matVec(m: Float64Array, rows: number, cols: number, x: Float64Array): Float64Array {
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    const r = i * cols;
    for (let j = 0; j < cols; j++) s += m[r + j]! * x[j]!;
    y[i] = s;
  }
  return y;
}

/** The largest |x_i − y_i|. */
export function maxAbsDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  return m;
}

/** The largest |x_i|. */
export function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]!));
  return m;
}

/** Σ x_i y_i. */
export function dot(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * y[i]!;
  return s;
}

/** Σ x_i. */
export function sum(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return s;
}

/**
 * The relative discrepancy max_i |x_i − y_i| / max(scale, max_i |y_i|): the measure every
 * floating-point identity of pgtruth reports. `scale` (default 1e-300) guards y ≡ 0.
 */
export function relativeDiscrepancy(x: ArrayLike<number>, y: ArrayLike<number>, scale = 1e-300): number {
  return maxAbsDiff(x, y) / Math.max(scale, maxAbs(y));
}
