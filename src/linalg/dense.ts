/**
 * Dense LU factorization with partial pivoting over `Float64Array` (row-major, blocked), and the
 * solves with the matrix and its transpose that policy evaluation needs:
 * `(I − γP_π) V = r_π` and `(I − γP_π)ᵀ η = p0` share one factorization.
 *
 * @module
 */
import { fail } from '../errors.js';
import { gemmSub } from './kernels.js';

/** An LU factorization `P·M = L·U` of an n×n matrix, stored in place (unit-diagonal L). */
export interface LU {
  readonly n: number;
  /** L below the diagonal (unit diagonal implied), U on and above it; row-major. */
  readonly lu: Float64Array;
  /** `perm[i]` = the original row now in position i. */
  readonly perm: Int32Array;
}

/** Options of {@link luFactor}. */
export interface LUOptions {
  /** Factorize in place: `m` is overwritten by the factors (saves a copy). */
  readonly inPlace?: boolean;
  /**
   * A pivot of magnitude at most this throws `SOLVER_SINGULAR` (default 0: only an exactly
   * zero pivot column). With partial pivoting the growth is small in practice, so a
   * singular matrix shows a pivot of order n·ε·max|m_ij|; that is the tolerance policy
   * evaluation passes.
   */
  readonly pivotTolerance?: number;
}

/** Panel width of the blocked LU. */
const NB = 32;

/**
 * Factorizes the row-major n×n matrix `m` (not modified unless `inPlace`) by Gaussian
 * elimination with partial pivoting, blocked right-looking as LAPACK's getrf (Golub & Van
 * Loan 2013, Alg. 3.4.1 and §3.2.11): each panel of {@link NB} columns is factorized with
 * row interchanges, then the block row of U is solved and the trailing matrix updated by
 * a matrix product ({@link gemmSub}). (2/3)n³ flops. Throws `SOLVER_SINGULAR` (naming the
 * column) when no pivot exceeds the tolerance.
 */
export function luFactor(m: Float64Array, n: number, opts: LUOptions = {}): LU {
  if (m.length !== n * n) fail('SOLVER_SINGULAR', `matrix has ${m.length} entries, expected ${n}×${n}`);
  const a = opts.inPlace ? m : m.slice();
  const perm = new Int32Array(n);
  luFactorInPlace(a, n, perm, opts.pivotTolerance ?? 0);
  return { n, lu: a, perm };
}

/** {@link luFactor} on caller-owned storage: `a` (row-major n×n) becomes L\U, `perm` the row order. */
export function luFactorInPlace(a: Float64Array, n: number, perm: Int32Array, tol: number): void {
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let kb = 0; kb < n; kb += NB) {
    const ke = Math.min(n, kb + NB);
    for (let k = kb; k < ke; k++) {
      // pivot: the largest |a_ik|, i ≥ k
      let p = k;
      let best = Math.abs(a[k * n + k]!);
      for (let i = k + 1; i < n; i++) {
        const v = Math.abs(a[i * n + k]!);
        if (v > best) { best = v; p = i; }
      }
      if (!(best > tol)) fail('SOLVER_SINGULAR', `matrix is ${tol > 0 ? 'numerically ' : ''}singular: column ${k} has no pivot above ${tol}`, { where: `column ${k}`, value: best });
      const rk = k * n;
      if (p !== k) {
        const rp = p * n;
        for (let j = 0; j < n; j++) { const t = a[rk + j]!; a[rk + j] = a[rp + j]!; a[rp + j] = t; }
        const t = perm[k]!; perm[k] = perm[p]!; perm[p] = t;
      }
      const inv = 1 / a[rk + k]!;
      for (let i = k + 1; i < n; i++) {       // the panel's columns only
        const ri = i * n;
        const l = a[ri + k]! * inv;
        a[ri + k] = l;
        if (l !== 0) for (let j = k + 1; j < ke; j++) a[ri + j] -= l * a[rk + j]!;
      }
    }
    if (ke === n) break;
    for (let r = kb + 1; r < ke; r++) {         // U₁₂ = L₁₁⁻¹ A₁₂
      const rr = r * n;
      for (let c = kb; c < r; c++) {
        const l = a[rr + c]!;
        if (l === 0) continue;
        const rc = c * n;
        for (let j = ke; j < n; j++) a[rr + j] -= l * a[rc + j]!;
      }
    }
    gemmSub(n - ke, n - ke, ke - kb, a, ke * n + kb, n, a, kb * n + ke, n, a, ke * n + ke, n);
  }
}

/** Solves `M x = b` with the factorization of M. */
export function luSolve(f: LU, b: Float64Array): Float64Array {
  const x = new Float64Array(f.n);
  luSolveInto(f.lu, f.perm, f.n, b, x);
  return x;
}

/** Back substitution in place: x ← U⁻¹ x, U the upper triangle (with its diagonal) of the row-major n×n `lu`. */
function upperSolveInPlace(lu: Float64Array, n: number, x: Float64Array): void {
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    let s = x[i]!;
    for (let j = i + 1; j < n; j++) s -= lu[ri + j]! * x[j]!;
    x[i] = s / lu[ri + i]!;
  }
}

/** x = M⁻¹ b from the factors (`x` must not alias `b`). */
export function luSolveInto(lu: Float64Array, perm: Int32Array, n: number, b: Float64Array, x: Float64Array): void {
  for (let i = 0; i < n; i++) x[i] = b[perm[i]!]!;
  for (let i = 0; i < n; i++) {           // L y = P b
    const ri = i * n;
    let s = x[i]!;
    for (let j = 0; j < i; j++) s -= lu[ri + j]! * x[j]!;
    x[i] = s;
  }
  upperSolveInPlace(lu, n, x);            // U x = y
}

/** Solves `Mᵀ x = b` with the factorization of M (`Mᵀ = Uᵀ Lᵀ P`). */
export function luSolveTranspose(f: LU, b: Float64Array): Float64Array {
  const x = new Float64Array(f.n);
  luSolveTransposeInto(f.lu, f.perm, f.n, b, x, new Float64Array(f.n));
  return x;
}

/** x = M⁻ᵀ b from the factors, with `z` (length n) as scratch (no aliasing). */
export function luSolveTransposeInto(lu: Float64Array, perm: Int32Array, n: number, b: Float64Array, x: Float64Array, z: Float64Array): void {
  z.set(b);
  for (let j = 0; j < n; j++) {           // Uᵀ z = b (column-oriented: row j of U scatters)
    const rj = j * n;
    const zj = z[j]! / lu[rj + j]!;
    z[j] = zj;
    if (zj !== 0) for (let i = j + 1; i < n; i++) z[i] -= lu[rj + i]! * zj;
  }
  for (let j = n - 1; j >= 0; j--) {      // Lᵀ w = z
    const rj = j * n;
    const wj = z[j]!;
    if (wj !== 0) for (let i = 0; i < j; i++) z[i] -= lu[rj + i]! * wj;
  }
  for (let i = 0; i < n; i++) x[perm[i]!] = z[i]!;   // x = Pᵀ w
}

/**
 * LU *without* pivoting, in place (`a` becomes L\U, unit L): for matrices diagonally
 * dominant by rows or columns, which then have an LU factorization whose growth factor is
 * at most 2 (Higham 2002, *Accuracy and Stability of Numerical Algorithms*, Thm 9.9), so
 * the factorization is backward stable without pivoting — the case of `I − γP_π`. A pivot
 * of magnitude at most `tol` throws `SOLVER_SINGULAR` (for a diagonally dominant matrix a
 * zero pivot means singular). Unblocked: for the small systems it is used on. (2/3)n³ flops.
 */
export function luFactorNoPivotInPlace(a: Float64Array, n: number, tol: number): void {
  for (let k = 0; k < n; k++) {
    const rk = k * n;
    const piv = a[rk + k]!;
    if (!(Math.abs(piv) > tol)) fail('SOLVER_SINGULAR', `matrix is numerically singular: pivot ${piv} in column ${k} is not above ${tol}`, { where: `column ${k}`, value: piv });
    const inv = 1 / piv;
    let i = k + 1;
    for (; i + 1 < n; i += 2) {             // two rows per load of row k
      const r1 = i * n, r2 = r1 + n;
      const l1 = a[r1 + k]! * inv, l2 = a[r2 + k]! * inv;
      a[r1 + k] = l1; a[r2 + k] = l2;
      for (let j = k + 1; j < n; j++) { const u = a[rk + j]!; a[r1 + j] -= l1 * u; a[r2 + j] -= l2 * u; }
    }
    if (i < n) {
      const ri = i * n;
      const l = a[ri + k]! * inv;
      a[ri + k] = l;
      for (let j = k + 1; j < n; j++) a[ri + j] -= l * a[rk + j]!;
    }
  }
}

/** x = M⁻¹ b from unpivoted factors (`x` may alias `b`). */
export function luSolveNoPivotInto(lu: Float64Array, n: number, b: Float64Array, x: Float64Array): void {
  for (let i = 0; i < n; i++) {           // L y = b
    const ri = i * n;
    let s = b[i]!;
    for (let j = 0; j < i; j++) s -= lu[ri + j]! * x[j]!;
    x[i] = s;
  }
  upperSolveInPlace(lu, n, x);            // U x = y
}

/** x = M⁻ᵀ b from unpivoted factors (`Mᵀ = UᵀLᵀ`; `x` may alias `b`). */
export function luSolveTransposeNoPivotInto(lu: Float64Array, n: number, b: Float64Array, x: Float64Array): void {
  if (x !== b) x.set(b);
  for (let j = 0; j < n; j++) {           // Uᵀ z = b (row j of U scatters)
    const rj = j * n;
    const zj = x[j]! / lu[rj + j]!;
    x[j] = zj;
    if (zj !== 0) for (let i = j + 1; i < n; i++) x[i] -= lu[rj + i]! * zj;
  }
  for (let j = n - 1; j >= 0; j--) {      // Lᵀ x = z
    const rj = j * n;
    const xj = x[j]!;
    if (xj !== 0) for (let i = 0; i < j; i++) x[i] -= lu[rj + i]! * xj;
  }
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

