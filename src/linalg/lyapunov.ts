/**
 * Small dense matrix routines for the linear-quadratic regulator (src/exact/lqr.ts): the
 * spectral radius of a non-symmetric matrix and the discrete Lyapunov (Stein) equation
 * X = Q + γ MᵀXM. Row-major `Float64Array`s; meant for the state dimensions of an LQR
 * (n ≤ {@link LYAPUNOV_MAX_DIM}).
 *
 * @module
 */
import { fail } from '../errors.js';
import { luFactor, luSolve } from './dense.js';

/** The largest n the Kronecker-form Lyapunov solve accepts (an n²×n² LU: 900² at n = 30). */
export const LYAPUNOV_MAX_DIM = 30;

/** C = A·B for row-major n×n matrices (a new array). */
function matMul(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) {
    const aik = a[i * n + k]!;
    if (aik === 0) continue;
    for (let j = 0; j < n; j++) c[i * n + j] = c[i * n + j]! + aik * b[k * n + j]!;
  }
  return c;
}

/**
 * The spectral radius ρ(M) = max |λ_i(M)| by Gelfand's formula ρ = lim ‖M^p‖^{1/p}, with
 * p = 2^j by repeated squaring and the Frobenius norm divided out at every step (so nothing
 * overflows): after 60 squarings the factor (C p^{d−1})^{1/p} of a Jordan block of size d is
 * 1 to within 1e-15, and rounding contributes O(ε) to log ρ (each step's relative error is
 * halved by every later one). Works for complex and defective spectra, where power
 * iteration on a vector does not converge. Returns 0 for a nilpotent M.
 */
export function spectralRadius(m: Float64Array, n: number): number {
  let a: Float64Array = Float64Array.from(m), logScale = 0, p = 1;
  for (let j = 0; j <= 60; j++) {
    let f = 0;
    for (let i = 0; i < a.length; i++) f += a[i]! * a[i]!;
    f = Math.sqrt(f);
    if (f === 0) return 0;
    for (let i = 0; i < a.length; i++) a[i] = a[i]! / f;
    logScale += Math.log(f); // M^p = e^{logScale} · a
    if (j === 60) break;
    a = matMul(a, a, n);
    logScale *= 2;
    p *= 2;
  }
  return Math.exp(logScale / p);
}

/**
 * The solution X of the discrete Lyapunov (Stein) equation X = Q + γ MᵀXM, i.e.
 * X = Σ_t γᵗ (Mᵀ)ᵗ Q Mᵗ, by one LU solve of its Kronecker form
 * (I − γ Mᵀ⊗Mᵀ) vec X = vec Q, from vec(AXB) = (A ⊗ Bᵀ) vec X for row-major vec (Golub & Van
 * Loan 2013, ch. 12 on Kronecker products). The caller checks
 * √γ·ρ(M) < 1 (else the series diverges and the system may be singular: `SOLVER_SINGULAR`).
 * The result is symmetrized when Q is symmetric.
 */
export function solveDiscreteLyapunov(m: Float64Array, q: Float64Array, n: number, gamma: number): Float64Array {
  if (n > LYAPUNOV_MAX_DIM) fail('TOO_LARGE', `a Lyapunov solve of dimension ${n} exceeds ${LYAPUNOV_MAX_DIM}`, { value: n });
  const N = n * n, L = new Float64Array(N * N);
  // row (i, j), column (k, l): δ − γ M_ki M_lj
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    const r = (i * n + j) * N;
    for (let k = 0; k < n; k++) {
      const mki = gamma * m[k * n + i]!;
      for (let l = 0; l < n; l++) L[r + k * n + l] = -mki * m[l * n + j]!;
    }
    L[r + i * n + j] = L[r + i * n + j]! + 1;
  }
  const x = luSolve(luFactor(L, N, { inPlace: true }), Float64Array.from(q));
  let symmetric = true;
  for (let i = 0; i < n && symmetric; i++) for (let j = 0; j < i; j++) if (q[i * n + j] !== q[j * n + i]) { symmetric = false; break; }
  if (symmetric) for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) { const v = 0.5 * (x[i * n + j]! + x[j * n + i]!); x[i * n + j] = v; x[j * n + i] = v; }
  return x;
}
