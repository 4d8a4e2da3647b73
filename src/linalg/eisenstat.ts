/**
 * BiCGSTAB with a D-ILU preconditioner applied by Eisenstat's trick: the preconditioned
 * operator costs one forward and one backward triangular sweep over A's own entries and no
 * separate matrix-vector product, so an iteration costs about as much as one
 * ILU(0)-preconditioned product instead of two products and two ILU(0) solves.
 *
 * **D-ILU** (Pommerell 1992; Barrett et al. 1994, *Templates for the Solution of Linear
 * Systems*, §3.4.1): write `A = L_A + D + U_A` (strict triangles and diagonal) and choose the
 * diagonal D̃ so that `K = (D̃ + L_A) D̃⁻¹ (D̃ + U_A)` agrees with A on the diagonal:
 * d̃_i = a_ii − Σ_{j<i} a_ij a_ji / d̃_j. For matrices whose ILU(0) creates no fill inside the
 * pattern except on the diagonal (5-point grids, and the gridworlds' `I − γP_π`), K *is*
 * ILU(0). For an M-matrix every d̃_i ≥ the ILU(0) pivot > 0 (Meijerink & van der Vorst
 * 1977); a non-positive or non-finite d̃_i makes the routine report failure instead.
 *
 * **Eisenstat's trick** (Eisenstat 1981, SIAM J. Sci. Stat. Comput. 2(1)): with split
 * preconditioning `Ã = (D̃ + L_A)⁻¹ A (D̃ + U_A)⁻¹ D̃` and the identity
 * `A = (D̃ + L_A) + (D̃ + U_A) − (2D̃ − D)`,
 *
 *     Ã v = t + (D̃ + L_A)⁻¹ (D̃v − (2D̃ − D) t),   t = (D̃ + U_A)⁻¹ D̃ v.
 *
 * BiCGSTAB (van der Vorst 1992) runs on `Ã x̂ = (D̃ + L_A)⁻¹ b`, and `x = (D̃ + U_A)⁻¹ D̃ x̂`.
 * It stops on the preconditioned residual, then the answer is accepted only on the *true*
 * relative residual ‖b − Ax‖₂/‖b‖₂ (recomputed from x); if that is not yet below `tol` the
 * iteration continues from x with a tighter internal target. Cost per iteration: two
 * forward and two backward sweeps over nnz(A) with the vector updates fused into them,
 * and one more vector pass.
 *
 * @module
 */
import type { CSR } from './sparse.js';
import { spmv } from './sparse.js';

/** D̃ and the scaled triangles of A (see {@link dilu}). */
export interface Dilu {
  readonly A: CSR;
  /** 1 / d̃_i. */
  readonly invDt: Float64Array;
  /** d̃_i. */
  readonly dt: Float64Array;
  /**
   * The strict triangles split out of A and scaled by row, for the sweeps: row i of L̃ holds
   * l_ij / d̃_i (columns j < i), row i of Ũ holds u_ij / d̃_i (j > i). Each sweep then reads
   * only its own triangle and no diagonal vector: about a third less memory traffic, which
   * is what bounds these sweeps.
   */
  readonly Lp: Int32Array;
  readonly Lc: Int32Array;
  readonly Lv: Float64Array;
  readonly Up: Int32Array;
  readonly Uc: Int32Array;
  readonly Uv: Float64Array;
  /** e_i / d̃_i = 2 − a_ii / d̃_i. */
  readonly q: Float64Array;
}

/**
 * D-ILU of `A` (columns sorted in each row, diagonal present). O(nnz · row length).
 * Returns `null` if some d̃_i is not positive and finite (A is then not an M-matrix).
 */
export function dilu(A: CSR): Dilu | null {
  const { nRows: n, rowPtr, col, val } = A;
  const diagPos = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let d = -1;
    for (let k = rowPtr[i]!; k < rowPtr[i + 1]!; k++) if (col[k] === i) { d = k; break; }
    if (d < 0) return null;
    diagPos[i] = d;
  }
  const dt = new Float64Array(n), invDt = new Float64Array(n), q = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = val[diagPos[i]!]!;
    for (let k = rowPtr[i]!; k < diagPos[i]!; k++) {
      const j = col[k]!;
      // a_ji: search row j (sorted) above its diagonal
      for (let m = diagPos[j]! + 1; m < rowPtr[j + 1]!; m++) {
        const c = col[m]!;
        if (c === i) { s -= val[k]! * val[m]! * invDt[j]!; break; }
        if (c > i) break;
      }
    }
    if (!(s > 0 && Number.isFinite(s))) return null;
    dt[i] = s; invDt[i] = 1 / s; q[i] = 2 - val[diagPos[i]!]! / s;
  }
  let nl = 0;
  for (let i = 0; i < n; i++) nl += diagPos[i]! - rowPtr[i]!;
  const nu = val.length - nl - n;
  const Lp = new Int32Array(n + 1), Up = new Int32Array(n + 1);
  const Lc = new Int32Array(nl), Uc = new Int32Array(nu), Lv = new Float64Array(nl), Uv = new Float64Array(nu);
  let a = 0, b = 0;
  for (let i = 0; i < n; i++) {
    const inv = invDt[i]!;
    for (let k = rowPtr[i]!; k < diagPos[i]!; k++) { Lc[a] = col[k]!; Lv[a++] = val[k]! * inv; }
    for (let k = diagPos[i]! + 1; k < rowPtr[i + 1]!; k++) { Uc[b] = col[k]!; Uv[b++] = val[k]! * inv; }
    Lp[i + 1] = a; Up[i + 1] = b;
  }
  return { A, invDt, dt, Lp, Lc, Lv, Up, Uc, Uv, q };
}

/** Options of {@link bicgstabEisenstat}. */
export interface EisenstatOptions {
  /** True relative residual ‖b − Ax‖₂/‖b‖₂ to reach. Default 1e-12. */
  readonly tol?: number;
  /** Iteration cap. Default 5000. */
  readonly maxIter?: number;
  /** Initial guess. */
  readonly x0?: Float64Array;
}

/** The outcome; `converged` is judged on the true residual. */
export interface EisenstatResult {
  readonly x: Float64Array;
  readonly converged: boolean;
  readonly iterations: number;
  readonly residual: number;
}

/**
 * The upper sweep of one Eisenstat application, with the BiCGSTAB vector update that
 * produces its input fused in: for i = n−1 … 0,
 *   u_i = a_i + c·(b_i − d·y_i)      (p = r + β(p − ωv), or s = r − αv as r + α(v − 2v))
 *   t_i = u_i − Σ_{j>i} ũ_ij t_j      (t = (D̃ + U)⁻¹ D̃ u, with ũ = u/d̃ by row)
 *   w_i = u_i − q_i t_i               (w = D̃⁻¹(D̃u − (2D̃ − D)t))
 * `u` receives u, `t` receives t, `w` receives w. Returns Σ u_i².
 */
function upperSweep(f: Dilu, a: Float64Array, b: Float64Array, y: Float64Array, c: number, d: number, u: Float64Array, t: Float64Array, w: Float64Array): number {
  const { Up, Uc, Uv, q } = f;
  const n = q.length;
  let uu = 0;
  let k = Up[n]! - 1;
  for (let i = n - 1; i >= 0; i--) {
    const ui = a[i]! + c * (b[i]! - d * y[i]!);
    u[i] = ui;
    uu += ui * ui;
    let s = ui;
    const beg = Up[i]!;
    for (; k >= beg; k--) s -= Uv[k]! * t[Uc[k]!]!;
    t[i] = s;
    w[i] = ui - q[i]! * s;
  }
  return uu;
}

/**
 * The lower sweep of one Eisenstat application: z = (D̃ + L)⁻¹ D̃ w, i.e.
 * z_i = w_i − Σ_{j<i} l̃_ij z_j (into `z`), then out = z + t; writes [Σ h_i out_i, Σ out_i²]
 * into `dots` (h is `rhat` for the first application of an iteration, s for the second).
 * `out` may be `w`.
 */
function lowerSweep(f: Dilu, w: Float64Array, t: Float64Array, z: Float64Array, out: Float64Array, h: Float64Array, dots: Float64Array): void {
  const { Lp, Lc, Lv } = f;
  const n = Lp.length - 1;
  let hd = 0, oo = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    let s = w[i]!;
    const end = Lp[i + 1]!;
    for (; k < end; k++) s -= Lv[k]! * z[Lc[k]!]!;
    z[i] = s;
    const o = s + t[i]!;
    out[i] = o;
    hd += h[i]! * o;
    oo += o * o;
  }
  dots[0] = hd; dots[1] = oo;
}

/** z = (D̃ + L)⁻¹ w (in place allowed). */
function lowerSolve(f: Dilu, w: Float64Array, z: Float64Array): void {
  const { Lp, Lc, Lv, invDt } = f;
  const n = invDt.length;
  for (let i = 0; i < n; i++) {
    let s = w[i]! * invDt[i]!;
    for (let k = Lp[i]!; k < Lp[i + 1]!; k++) s -= Lv[k]! * z[Lc[k]!]!;
    z[i] = s;
  }
}

/** x = (D̃ + U)⁻¹ D̃ xh. */
function toX(f: Dilu, xh: Float64Array, x: Float64Array): void {
  const { Up, Uc, Uv } = f;
  const n = Up.length - 1;
  for (let i = n - 1; i >= 0; i--) {
    let s = xh[i]!;
    for (let k = Up[i]!; k < Up[i + 1]!; k++) s -= Uv[k]! * x[Uc[k]!]!;
    x[i] = s;
  }
}

/** xh = D̃⁻¹ (D̃ + U) x. */
function fromX(f: Dilu, x: Float64Array, xh: Float64Array): void {
  const { Up, Uc, Uv } = f;
  const n = Up.length - 1;
  for (let i = 0; i < n; i++) {
    let s = x[i]!;
    for (let k = Up[i]!; k < Up[i + 1]!; k++) s += Uv[k]! * x[Uc[k]!]!;
    xh[i] = s;
  }
}

function norm2(a: Float64Array): number {
  let s0 = 0, s1 = 0;
  const n = a.length;
  let i = 0;
  for (; i + 1 < n; i += 2) { s0 += a[i]! * a[i]!; s1 += a[i + 1]! * a[i + 1]!; }
  if (i < n) s0 += a[i]! * a[i]!;
  return Math.sqrt(s0 + s1);
}

/**
 * Solves `A x = b` by BiCGSTAB on the D-ILU/Eisenstat split-preconditioned system (see the
 * module comment). Never throws for lack of convergence: check `converged`.
 */
export function bicgstabEisenstat(f: Dilu, b: Float64Array, opts: EisenstatOptions = {}): EisenstatResult {
  const A = f.A;
  const n = A.nRows;
  const tol = opts.tol ?? 1e-12;
  const maxIter = opts.maxIter ?? 5000;
  const bn = norm2(b);
  const x = opts.x0 ? Float64Array.from(opts.x0) : new Float64Array(n);
  if (bn === 0) return { x: new Float64Array(n), converged: true, iterations: 0, residual: 0 };
  const xh = new Float64Array(n), r = new Float64Array(n), rhat = new Float64Array(n);
  const p = new Float64Array(n), v = new Float64Array(n), s = new Float64Array(n), t = new Float64Array(n);
  const tu = new Float64Array(n), z = new Float64Array(n);
  const dots = new Float64Array(2);
  const trueResidual = (): number => {          // r = b − A x, returns ‖r‖/‖b‖
    spmv(A, x, r);
    for (let i = 0; i < n; i++) r[i] = b[i]! - r[i]!;
    return norm2(r) / bn;
  };
  let res = trueResidual();
  let it = 0;
  let inner = 0.3 * tol;                         // internal target on the preconditioned residual, relative
  while (res > tol && it < maxIter) {
    // restart from x: x̂ = D̃⁻¹(D̃ + U)x, r̂ = (D̃ + L)⁻¹(b − Ax)
    fromX(f, x, xh);
    lowerSolve(f, r, r);
    const r0n = norm2(r);
    const goal2 = (inner * (r0n / res)) ** 2;    // ≈ (inner · ‖(D̃ + L)⁻¹ b‖)²
    rhat.set(r);
    p.fill(0); v.fill(0);
    let rho = 1, alpha = 1, omega = 1;
    let rr = r0n * r0n;
    let rhoNew = rr;
    while (rr > goal2 && it < maxIter) {
      it++;
      const beta = (rhoNew / rho) * (alpha / omega);
      // p = r + β(p − ωv), v = Ã p, rhat·v
      upperSweep(f, r, p, v, beta, omega, p, tu, v);
      lowerSweep(f, v, tu, z, v, rhat, dots);
      const rv = dots[0]!;
      if (rv === 0 || !Number.isFinite(rv)) break;
      alpha = rhoNew / rv;
      // s = r − αv, t = Ã s, s·t and t·t
      const ss = upperSweep(f, r, v, v, alpha, 2, s, tu, t);      // r + α(v − 2v) = r − αv
      if (ss <= goal2) {
        for (let i = 0; i < n; i++) xh[i] += alpha * p[i]!;
        rr = ss;
        break;
      }
      lowerSweep(f, t, tu, z, t, s, dots);
      const ts = dots[0]!, tt = dots[1]!;
      omega = tt === 0 ? 0 : ts / tt;
      if (omega === 0 || !Number.isFinite(omega)) { for (let i = 0; i < n; i++) xh[i] += alpha * p[i]!; break; }
      rho = rhoNew;
      rr = 0; rhoNew = 0;
      for (let i = 0; i < n; i++) {
        xh[i] += alpha * p[i]! + omega * s[i]!;
        const ri = s[i]! - omega * t[i]!;
        r[i] = ri;
        rr += ri * ri;
        rhoNew += rhat[i]! * ri;
      }
      if (rhoNew === 0 || !Number.isFinite(rhoNew)) break;
    }
    toX(f, xh, x);
    const prev = res;
    res = trueResidual();
    if (!(res < prev) && it > 0 && !(res <= tol)) {
      if (!Number.isFinite(res)) break;
      inner *= 0.1;                               // stalled: tighten, and give up when hopeless
      if (inner < 1e-20) break;
    } else if (!(res <= tol)) inner *= 0.1;
  }
  return { x, converged: res <= tol && Number.isFinite(res), iterations: it, residual: res };
}
