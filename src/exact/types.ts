/**
 * The types of exact policy evaluation — its options, its result and how the linear systems
 * were solved — on their own, so that `evaluate.ts` (the entry), `solve.ts` (the solvers) and
 * `evaluated-table.ts` (the result object) depend on them and not on each other.
 *
 * @module
 */

/**
 * Which linear solver {@link evaluatePolicy} uses: `auto` (by size and sparsity, see
 * `./solve.ts`), `dense` (dense LU with partial pivoting), `sparse-direct` (sparse LU
 * without pivoting, nested-dissection order), `iterative` (Krylov with incomplete-LU
 * preconditioning: D-ILU/Eisenstat BiCGSTAB, V and η on two threads for large problems,
 * falling back to ILU(0)-preconditioned BiCG).
 */
export type SolverChoice = 'auto' | 'dense' | 'iterative' | 'sparse-direct';

/** Options of {@link evaluatePolicy}. */
export interface EvaluateOptions {
  /** `auto` (default) chooses by size and sparsity; see {@link SolverChoice}. */
  readonly solver?: SolverChoice;
  /** Relative residual for the iterative solver (default 1e-12). */
  readonly tol?: number;
  /** Skip η and d (one solve instead of two). */
  readonly valuesOnly?: boolean;
}

/** How the linear systems were solved. */
export interface SolveReport {
  readonly method: 'dense-lu' | 'gmres-dense' | 'sparse-lu' | 'bicgstab-dilu' | 'bicgstab-ilu0' | 'bicg-ilu0' | 'bicg+bicgstab-ilu0';
  /** Unknowns (non-terminal states). */
  readonly size: number;
  /**
   * Iterations: of the V and η solves, or one count for the paired BiCG solve. For
   * `gmres-dense`, matrix-vector products; for `dense-lu`, the products of an abandoned
   * GMRES attempt (0 when none was made); 0 for `sparse-lu`.
   */
  readonly iterations: readonly number[];
  /**
   * Largest true relative residual ‖b − Mx‖₂/‖b‖₂ of the two solutions; 0 when not
   * computed (the small dense path, exact by construction — see `./solve.ts`).
   */
  readonly residual: number;
}

/**
 * Everything exact about one policy. Arrays indexed `s` or `s*A + a`. Arrays of at most 512
 * entries are views into a shared pool (../linalg/small-array-pool.ts): independent for reading and writing, but
 * their `.buffer` is shared — do not transfer or detach it (copy with `slice()` first).
 */
export interface Evaluation {
  readonly V: Float64Array;
  readonly Q: Float64Array;
  readonly A: Float64Array;
  /** Unnormalized discounted visitation Σ_t γ^t Pr(s_t = s). Zero-filled when `valuesOnly`. */
  readonly eta: Float64Array;
  /** Normalized visitation η / Σ η. Zero-filled when `valuesOnly`. */
  readonly d: Float64Array;
  /** J = Σ p0 V. */
  readonly J: number;
  /** Σ_s η(s): 1/(1−γ) for γ < 1, the expected episode length for γ = 1. */
  readonly horizon: number;
  readonly solve: SolveReport;
}
