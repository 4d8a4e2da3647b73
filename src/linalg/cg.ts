/**
 * Conjugate gradient for a symmetric positive-definite system A x = b given only the
 * product v ↦ A v (Hestenes & Stiefel 1952; Nocedal & Wright 2006, Algorithm 5.2). TRPO
 * solves F x = ∇L with it, F the Fisher matrix applied by `fisherVectorProduct`, in a
 * fixed small number of iterations (Schulman et al. 2015, Appendix C: 10).
 *
 * Iteration: r₀ = b − A x₀ (x₀ = 0), p₀ = r₀;
 * α_k = r_kᵀr_k / p_kᵀA p_k, x_{k+1} = x_k + α_k p_k, r_{k+1} = r_k − α_k A p_k,
 * β_k = r_{k+1}ᵀr_{k+1} / r_kᵀr_k, p_{k+1} = r_{k+1} + β_k p_k.
 * It stops when ‖r‖ ≤ tolerance·‖b‖ or after `maxIterations`; in exact arithmetic it ends
 * in at most n steps. A singular positive-semidefinite A (a Fisher matrix with a null
 * space) is fine when b lies in its range, as a policy gradient does: the iterates stay in
 * the range. A direction with pᵀAp ≤ 0 while the residual is still above tolerance means A
 * is not positive definite on the Krylov space: `SOLVER_INDEFINITE`. Not converging within
 * `maxIterations` is not an error (TRPO truncates CG on purpose): see `converged`.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import { checkNonNegative } from '../estimators/checks.js';

/** Options of {@link conjugateGradient}. */
export interface ConjugateGradientOptions {
  /** Iteration cap (default: the dimension n). */
  readonly maxIterations?: number;
  /** Stop when ‖b − Ax‖ ≤ tolerance·‖b‖ (default 1e−10). */
  readonly tolerance?: number;
}

/** The result of {@link conjugateGradient}. */
export interface ConjugateGradientResult {
  readonly x: Float64Array;
  readonly iterations: number;
  /** ‖r‖/‖b‖ of the recursively updated residual (0 for b = 0). */
  readonly residual: number;
  readonly converged: boolean;
}

function dot(x: Float64Array, y: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * y[i]!;
  return s;
}

/** Solves A x = b; `apply(v, out)` must write A v into `out`. */
export function conjugateGradient(apply: (v: Float64Array, out: Float64Array) => void, b: Float64Array, opts: ConjugateGradientOptions = {}): ConjugateGradientResult {
  const n = b.length, maxIterations = opts.maxIterations ?? n, tol = opts.tolerance ?? 1e-10;
  if (!(Number.isSafeInteger(maxIterations) && maxIterations >= 0)) fail('ESTIMATOR_ARGUMENT', `maxIterations is ${show(maxIterations)}: it must be a non-negative integer`, { where: 'maxIterations', value: maxIterations });
  checkNonNegative(tol, 'tolerance');
  for (let i = 0; i < n; i++) if (!Number.isFinite(b[i]!)) fail('ESTIMATOR_ARGUMENT', `b[${i}] is ${show(b[i])}: it must be finite`, { where: `b[${i}]`, value: b[i] });
  const x = new Float64Array(n), r = Float64Array.from(b), p = Float64Array.from(b), Ap = new Float64Array(n);
  const bNorm = Math.sqrt(dot(b, b));
  let rr = bNorm * bNorm, k = 0;
  while (Math.sqrt(rr) > tol * bNorm && k < maxIterations) {
    apply(p, Ap);
    const pAp = dot(p, Ap);
    if (!(pAp > 0)) fail('SOLVER_INDEFINITE', `conjugate gradient: pᵀAp = ${show(pAp)} at iteration ${k} with relative residual ${show(Math.sqrt(rr) / bNorm)}: the matrix is not positive definite`, { where: `iteration ${k}`, value: pAp });
    const alpha = rr / pAp;
    for (let i = 0; i < n; i++) { x[i] = x[i]! + alpha * p[i]!; r[i] = r[i]! - alpha * Ap[i]!; }
    const rrNew = dot(r, r);
    for (let i = 0; i < n; i++) p[i] = r[i]! + (rrNew / rr) * p[i]!;
    rr = rrNew;
    k++;
  }
  const residual = bNorm > 0 ? Math.sqrt(rr) / bNorm : 0;
  return { x, iterations: k, residual, converged: residual <= tol };
}
