/**
 * Iterative solution of sparse systems `A x = b`: BiCGSTAB (van der Vorst 1992) with an
 * ILU(0) preconditioner, and the BiCG pair. In policy evaluation (`A = I − γP_π` restricted
 * to non-terminal states, and its transpose for η) this is the `iterative` fallback when the
 * D-ILU/Eisenstat path (./eisenstat.ts) cannot be used or does not converge.
 *
 * Convergence: for γ < 1, `I − γP_π` is strictly diagonally dominant by rows in the
 * sense ‖γP_π‖_∞ = γ < 1, so it is non-singular and its eigenvalues lie in the disc of
 * radius γ around 1; Krylov methods converge in roughly √κ·log(1/tol) steps with
 * κ ≲ (1+γ)/(1−γ). The method stops on the *true* relative residual ‖b − Ax‖₂/‖b‖₂,
 * recomputed at the end, and throws `SOLVER_NOT_CONVERGED` rather than return an
 * unconverged vector.
 *
 * @module
 */
import { fail } from '../errors.js';
import { spmv, transposeCSR, type CSR } from './sparse.js';

/** An incomplete LU factorization with the sparsity pattern of A (ILU(0)). */
export interface ILU0 {
  readonly A: CSR;
  /** L (unit, strictly lower) and U (upper) values in A's pattern. */
  readonly lu: Float64Array;
  /** Position of the diagonal entry of each row. */
  readonly diag: Int32Array;
  /** 1 / U_ii. */
  readonly invDiag: Float64Array;
}

/** ILU(0) of a CSR matrix with sorted columns and a non-zero diagonal in every row. */
export function ilu0(A: CSR): ILU0 {
  const { nRows: n, rowPtr, col } = A;
  const lu = Float64Array.from(A.val);
  const diag = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    for (let k = rowPtr[i]!; k < rowPtr[i + 1]!; k++) if (col[k] === i) { diag[i] = k; break; }
    if (diag[i]! < 0) fail('SOLVER_SINGULAR', `ILU(0): row ${i} has no diagonal entry`, { where: `row ${i}` });
  }
  const invDiag = new Float64Array(n);
  const pos = new Int32Array(n).fill(-1); // column → position in row i
  for (let i = 0; i < n; i++) {
    const start = rowPtr[i]!, end = rowPtr[i + 1]!;
    for (let k = start; k < end; k++) pos[col[k]!] = k;
    for (let k = start; k < end; k++) {
      const j = col[k]!;
      if (j >= i) break;
      const l = lu[k]! * invDiag[j]!;
      lu[k] = l;
      if (l === 0) continue;
      for (let m = diag[j]! + 1; m < rowPtr[j + 1]!; m++) {
        const p = pos[col[m]!]!;
        if (p >= start && p < end) lu[p] = lu[p]! - l * lu[m]!;
      }
    }
    for (let k = start; k < end; k++) pos[col[k]!] = -1;
    const piv = lu[diag[i]!]!;
    if (piv === 0 || !Number.isFinite(piv)) fail('SOLVER_SINGULAR', `ILU(0): zero pivot in row ${i}`, { where: `row ${i}`, value: piv });
    invDiag[i] = 1 / piv;
  }
  return { A, lu, diag, invDiag };
}

/** z = (LU)⁻¹ r for an ILU(0) factorization. */
export function iluApply(f: ILU0, r: Float64Array, z: Float64Array): void {
  const { A: { nRows: n, rowPtr, col }, lu, diag, invDiag } = f;
  for (let i = 0; i < n; i++) {
    let s = r[i]!;
    const d = diag[i]!;
    for (let k = rowPtr[i]!; k < d; k++) s -= lu[k]! * z[col[k]!]!;
    z[i] = s;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i]!;
    const end = rowPtr[i + 1]!;
    for (let k = diag[i]! + 1; k < end; k++) s -= lu[k]! * z[col[k]!]!;
    z[i] = s * invDiag[i]!;
  }
}

/** Options of {@link bicgstab}. */
export interface IterativeOptions {
  /** Relative residual ‖b − Ax‖₂/‖b‖₂ to reach. Default 1e-12. */
  readonly tol?: number;
  /** Iteration cap. Default 10 000. */
  readonly maxIter?: number;
  /** Initial guess (default: zero). */
  readonly x0?: Float64Array;
  /** A preconditioner; default ILU(0) of A. `null` for none. */
  readonly preconditioner?: ILU0 | null;
  /** Return the best iterate instead of throwing when `maxIter` runs out (check `residual`). */
  readonly noThrow?: boolean;
}

/** The outcome of an iterative solve. */
export interface IterativeResult {
  readonly x: Float64Array;
  readonly iterations: number;
  /** The true relative residual of the returned x. */
  readonly residual: number;
}

function dotv(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** y = A x and returns w·y (a matrix-vector product fused with a dot product). */
function spmvDot(A: CSR, x: Float64Array, y: Float64Array, w: Float64Array): number {
  const { nRows, rowPtr, col, val } = A;
  let acc = 0;
  let k = rowPtr[0]!;
  for (let i = 0; i < nRows; i++) {
    let s = 0;
    const end = rowPtr[i + 1]!;
    for (; k < end; k++) s += val[k]! * x[col[k]!]!;
    y[i] = s;
    acc += w[i]! * s;
  }
  return acc;
}

/** True relative residual ‖b − Ax‖₂/‖b‖₂ (and ‖b − Ax‖₂ when b = 0). */
export function relativeResidual(A: CSR, x: Float64Array, b: Float64Array): number {
  const ax = spmv(A, x);
  let num = 0, den = 0;
  for (let i = 0; i < b.length; i++) { const d = b[i]! - ax[i]!; num += d * d; den += b[i]! * b[i]!; }
  return Math.sqrt(num) / (den > 0 ? Math.sqrt(den) : 1);
}

/**
 * Right-preconditioned BiCGSTAB for `A x = b`. Restarts on breakdown (ρ or ω = 0), and
 * throws `SOLVER_NOT_CONVERGED` naming the residual reached when `maxIter` runs out.
 * Vector updates are fused with the dot products that follow them, so an iteration
 * makes two matrix products, two preconditioner solves and three passes over vectors.
 */
export function bicgstab(A: CSR, b: Float64Array, opts: IterativeOptions = {}): IterativeResult {
  const n = A.nRows;
  const tol = opts.tol ?? 1e-12;
  const maxIter = opts.maxIter ?? 10_000;
  const M = opts.preconditioner === undefined ? ilu0(A) : opts.preconditioner;
  const apply = M ? (r: Float64Array, z: Float64Array) => iluApply(M, r, z) : (r: Float64Array, z: Float64Array) => z.set(r);
  const x = opts.x0 ? Float64Array.from(opts.x0) : new Float64Array(n);
  const bnorm = Math.sqrt(dotv(b, b));
  if (bnorm === 0) return { x: new Float64Array(n), iterations: 0, residual: 0 };
  const r = new Float64Array(n);
  spmv(A, x, r);
  for (let i = 0; i < n; i++) r[i] = b[i]! - r[i]!;
  const rhat = Float64Array.from(r);
  const p = new Float64Array(n), v = new Float64Array(n), s = new Float64Array(n), t = new Float64Array(n);
  const phat = new Float64Array(n), shat = new Float64Array(n);
  let rho = 1, alpha = 1, omega = 1;
  let it = 0;
  let rr = dotv(r, r);
  let rhoNew = dotv(rhat, r);
  const goal = tol * tol * bnorm * bnorm;
  while (rr > goal && it < maxIter) {
    it++;
    if (rhoNew === 0 || omega === 0 || !Number.isFinite(rhoNew)) { // breakdown: restart the shadow residual
      rhat.set(r); p.fill(0); v.fill(0); rho = 1; alpha = 1; omega = 1; rhoNew = rr;
    }
    const beta = (rhoNew / rho) * (alpha / omega);
    for (let i = 0; i < n; i++) p[i] = r[i]! + beta * (p[i]! - omega * v[i]!);
    apply(p, phat);
    const rv = spmvDot(A, phat, v, rhat);
    if (rv === 0 || !Number.isFinite(rv)) { rhat.set(r); p.fill(0); v.fill(0); rho = 1; alpha = 1; omega = 1; rhoNew = rr; continue; }
    alpha = rhoNew / rv;
    let ss = 0;
    for (let i = 0; i < n; i++) { const si = r[i]! - alpha * v[i]!; s[i] = si; ss += si * si; }
    if (ss <= goal) {
      for (let i = 0; i < n; i++) x[i] = x[i]! + alpha * phat[i]!;
      rr = ss;
      break;
    }
    apply(s, shat);
    const ts = spmvDot(A, shat, t, s);
    const tt = dotv(t, t);
    omega = tt === 0 ? 0 : ts / tt;
    rho = rhoNew;
    rr = 0; rhoNew = 0;
    for (let i = 0; i < n; i++) {
      x[i] = x[i]! + alpha * phat[i]! + omega * shat[i]!;
      const ri = s[i]! - omega * t[i]!;
      r[i] = ri;
      rr += ri * ri;
      rhoNew += rhat[i]! * ri;
    }
  }
  const residual = relativeResidual(A, x, b);
  // the recursive residual can drift from the true one; accept a factor 10 of slack
  if (!opts.noThrow && !(residual <= Math.max(tol * 10, 1e-15))) {
    fail('SOLVER_NOT_CONVERGED', `BiCGSTAB reached relative residual ${residual.toExponential(2)} after ${it} iterations (tolerance ${tol})`, { value: residual });
  }
  return { x, iterations: it, residual };
}

/** z = (LU)⁻ᵀ r = L⁻ᵀ U⁻ᵀ r for an ILU(0) factorization (column-oriented, no transpose built). */
export function iluApplyTranspose(f: ILU0, r: Float64Array, z: Float64Array): void {
  const { A: { nRows: n, rowPtr, col }, lu, diag } = f;
  z.set(r);
  for (let i = 0; i < n; i++) {            // Uᵀ w = r: w_i final once rows < i have scattered
    const d = diag[i]!;
    const wi = z[i]! / lu[d]!;
    z[i] = wi;
    if (wi !== 0) for (let k = d + 1; k < rowPtr[i + 1]!; k++) z[col[k]!] = z[col[k]!]! - lu[k]! * wi;
  }
  for (let i = n - 1; i >= 0; i--) {       // Lᵀ z = w (unit diagonal)
    const zi = z[i]!;
    if (zi !== 0) for (let k = rowPtr[i]!; k < diag[i]!; k++) z[col[k]!] = z[col[k]!]! - lu[k]! * zi;
  }
}

/** y = Aᵀ x without forming Aᵀ (scatter by rows). */
export function spmvTranspose(A: CSR, x: Float64Array, y: Float64Array = new Float64Array(A.nCols)): Float64Array {
  const { nRows, rowPtr, col, val } = A;
  y.fill(0);
  for (let i = 0; i < nRows; i++) {
    const xi = x[i]!;
    if (xi === 0) continue;
    for (let k = rowPtr[i]!; k < rowPtr[i + 1]!; k++) y[col[k]!] = y[col[k]!]! + val[k]! * xi;
  }
  return y;
}

/** The outcome of {@link bicgPair}. */
export interface PairResult {
  /** Solves A x = b. */
  readonly x: Float64Array;
  /** Solves Aᵀ y = c. */
  readonly y: Float64Array;
  readonly iterations: number;
  /** True relative residuals of x and y. */
  readonly residuals: readonly [number, number];
  /** How the pair was finished: `bicg`, or `bicg+bicgstab` when BiCGSTAB completed one side. */
  readonly method: 'bicg' | 'bicg+bicgstab';
}

/**
 * Solves `A x = b` and `Aᵀ y = c` together with preconditioned BiCG (Fletcher 1976; the
 * "Templates" book, Barrett et al. 1994, §2.3.5): BiCG's shadow sequence is a Krylov
 * process for Aᵀ, so seeding the shadow residual with `c − Aᵀ y0` solves the dual system
 * at no extra cost. Policy evaluation needs exactly such a pair — V from
 * `(I − γP_π)V = r_π`, η from `(I − γP_π)ᵀη = p0` — and one Lanczos process does both.
 * BiCG's residuals are not monotone; when one side has converged, or on a breakdown, the
 * other side is finished by BiCGSTAB warm-started from the current iterate.
 */
export function bicgPair(A: CSR, b: Float64Array, c: Float64Array, opts: IterativeOptions & { y0?: Float64Array } = {}): PairResult {
  const n = A.nRows;
  const tol = opts.tol ?? 1e-12;
  const maxIter = opts.maxIter ?? 10_000;
  const M = opts.preconditioner ?? ilu0(A);
  const x = opts.x0 ? Float64Array.from(opts.x0) : new Float64Array(n);
  const y = opts.y0 ? Float64Array.from(opts.y0) : new Float64Array(n);
  const bn = Math.sqrt(dotv(b, b)) || 1, cn = Math.sqrt(dotv(c, c)) || 1;
  const r = new Float64Array(n), rt = new Float64Array(n);
  spmv(A, x, r);
  spmvTranspose(A, y, rt);
  let rr = 0, rtrt = 0;
  for (let i = 0; i < n; i++) {
    r[i] = b[i]! - r[i]!; rt[i] = c[i]! - rt[i]!;
    rr += r[i]! * r[i]!; rtrt += rt[i]! * rt[i]!;
  }
  const z = new Float64Array(n), zt = new Float64Array(n), p = new Float64Array(n), pt = new Float64Array(n);
  const q = new Float64Array(n), qt = new Float64Array(n);
  let rhoPrev = 0;
  let it = 0;
  while (it < maxIter && Math.sqrt(rr) / bn > tol && Math.sqrt(rtrt) / cn > tol) {
    iluApply(M, r, z);
    iluApplyTranspose(M, rt, zt);
    const rho = dotv(z, rt);
    if (rho === 0 || !Number.isFinite(rho)) break;
    const beta = it === 0 ? 0 : rho / rhoPrev;
    for (let i = 0; i < n; i++) { p[i] = z[i]! + beta * p[i]!; pt[i] = zt[i]! + beta * pt[i]!; }
    spmv(A, p, q);
    spmvTranspose(A, pt, qt);
    const ptq = dotv(pt, q);
    if (ptq === 0 || !Number.isFinite(ptq)) break;
    const alpha = rho / ptq;
    rr = 0; rtrt = 0;
    for (let i = 0; i < n; i++) {
      x[i] = x[i]! + alpha * p[i]!;
      y[i] = y[i]! + alpha * pt[i]!;
      const ri = r[i]! - alpha * q[i]!, rti = rt[i]! - alpha * qt[i]!;
      r[i] = ri; rt[i] = rti;
      rr += ri * ri; rtrt += rti * rti;
    }
    rhoPrev = rho;
    it++;
  }
  let rx = relativeResidual(A, x, b);
  const AT = () => transposeCSR(A);
  let ry = relativeResidualTranspose(A, y, c);
  let method: PairResult['method'] = 'bicg';
  let extra = 0;
  if (!(rx <= tol)) {
    const s = bicgstab(A, b, { tol, maxIter, x0: x, preconditioner: M });
    x.set(s.x); rx = s.residual; extra += s.iterations; method = 'bicg+bicgstab';
  }
  if (!(ry <= tol)) {
    const s = bicgstab(AT(), c, { tol, maxIter, x0: y });
    y.set(s.x); ry = s.residual; extra += s.iterations; method = 'bicg+bicgstab';
  }
  return { x, y, iterations: it + extra, residuals: [rx, ry], method };
}

/** ‖c − Aᵀy‖₂/‖c‖₂. */
export function relativeResidualTranspose(A: CSR, y: Float64Array, c: Float64Array): number {
  const aty = spmvTranspose(A, y);
  let num = 0, den = 0;
  for (let i = 0; i < c.length; i++) { const d = c[i]! - aty[i]!; num += d * d; den += c[i]! * c[i]!; }
  return Math.sqrt(num) / (den > 0 ? Math.sqrt(den) : 1);
}
