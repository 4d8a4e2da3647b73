/**
 * The interface every policy parameterization implements.
 *
 * A parameterization maps a parameter vector θ (a `Float64Array`) to a stochastic policy
 * π_θ(a|s) over a finite MDP's states and actions. The table of probabilities is laid out
 * `pi[s*A + a]`. Tabular parameterizations (softmax, direct) lay θ out the same way.
 *
 * @module
 */
import type { Field } from '../field/field.js';

/** The built-in parameterizations. */
export type PolicyKind = 'softmax' | 'direct' | 'loglinear' | 'gaussian-samples' | 'mlp-tabular';

/** A differentiable map θ ↦ π_θ. */
export interface Parameterization {
  readonly kind: PolicyKind;
  readonly numStates: number;
  readonly numActions: number;
  /** The length of θ. */
  readonly numParams: number;
  /** θ's shape for printing and JSON: `[S, A]` for tabular kinds, `[d]` for log-linear. */
  readonly paramShape: readonly number[];
  /** Throws a typed error (`POLICY_SHAPE`, `POLICY_NOT_FINITE`, `POLICY_NOT_DISTRIBUTION`) for an invalid θ. */
  check(theta: Float64Array): void;
  /** Writes π_θ(·|s) into `out[offset … offset+A−1]`. */
  probsRow(theta: Float64Array, s: number, out: Float64Array, offset?: number): void;
  /** The whole table π_θ(a|s) at `s*A + a` (small tables are views into a shared pool: copy before transferring the buffer). */
  probs(theta: Float64Array): Float64Array;
  /** log π_θ(a|s); throws `ZERO_PROBABILITY` when it is −∞. */
  logProb(theta: Float64Array, s: number, a: number): number;
  /** `out += w · ∇_θ log π_θ(a|s)` (the score); throws `ZERO_PROBABILITY` where it is undefined. */
  addScore(theta: Float64Array, s: number, a: number, w: number, out: Float64Array): void;
  /** `out += Σ_a w[wOffset + a] · ∇_θ π_θ(a|s)`. */
  addDProbs(theta: Float64Array, s: number, w: ArrayLike<number>, wOffset: number, out: Float64Array): void;
  /**
   * π_θ as a table computed in any field from θ given in that field: the generic
   * implementation that forward-mode differentiation and exact arithmetic run through.
   * Softmax and log-linear need an analytic field (with `exp`).
   */
  probsIn<T>(F: Field<T>, theta: readonly T[]): T[];
}

/** A parameterization and a parameter vector: a concrete policy. */
export interface Policy {
  readonly param: Parameterization;
  readonly theta: Float64Array;
}
