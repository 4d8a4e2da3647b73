/**
 * Symmetric eigendecomposition (cyclic Jacobi rotations) and the Moore–Penrose
 * pseudo-inverse solve built on it, for the Fisher matrix and the natural gradient F⁺∇J.
 * O(n³) per sweep; meant for the few hundred parameters of a tabular policy.
 *
 * @module
 */
import { fail } from '../errors.js';

/** `A = V diag(values) Vᵀ`; `vectors` is row-major with eigenvector k in column k. */
export interface SymmetricEigen {
  readonly n: number;
  readonly values: Float64Array;
  readonly vectors: Float64Array;
}

/** Eigendecomposition of the symmetric row-major n×n matrix `m` (its upper triangle is used). */
export function symmetricEigen(m: Float64Array, n: number, maxSweeps = 100): SymmetricEigen {
  const a = Float64Array.from(m);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) a[j * n + i] = a[i * n + j]!;
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale = Math.max(scale, Math.abs(a[i]!));
  if (scale === 0) return { n, values: new Float64Array(n), vectors: v };
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off = Math.max(off, Math.abs(a[p * n + q]!));
    if (off <= 1e-15 * scale) {
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) values[i] = a[i * n + i]!;
      return { n, values, vectors: v };
    }
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (Math.abs(apq) <= 1e-300) continue;
        const app = a[p * n + p]!, aqq = a[q * n + q]!;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) {          // A ← A J (columns p, q)
          const akp = a[k * n + p]!, akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {          // A ← Jᵀ A (rows p, q)
          const apk = a[p * n + k]!, aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {          // V ← V J
          const vkp = v[k * n + p]!, vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return fail('SOLVER_NOT_CONVERGED', `Jacobi eigenvalue iteration did not converge in ${maxSweeps} sweeps (n = ${n})`);
}

/**
 * x = A⁺ b for symmetric positive semi-definite A: eigenvalues below `rtol · λ_max`
 * are treated as zero (the null space), so x is the minimum-norm least-squares solution.
 */
export function pinvSolve(m: Float64Array, n: number, b: Float64Array, rtol = 1e-10): { x: Float64Array; rank: number } {
  const { values, vectors } = symmetricEigen(m, n);
  let lmax = 0;
  for (let i = 0; i < n; i++) lmax = Math.max(lmax, Math.abs(values[i]!));
  const x = new Float64Array(n);
  let rank = 0;
  for (let k = 0; k < n; k++) {
    const lam = values[k]!;
    if (Math.abs(lam) <= rtol * lmax || lmax === 0) continue;
    rank++;
    let c = 0;
    for (let i = 0; i < n; i++) c += vectors[i * n + k]! * b[i]!;
    c /= lam;
    for (let i = 0; i < n; i++) x[i] = x[i]! + c * vectors[i * n + k]!;
  }
  return { x, rank };
}
