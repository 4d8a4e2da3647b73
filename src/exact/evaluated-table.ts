/**
 * Internal: the object {@link evaluatePolicy} returns. It is an ordinary {@link Evaluation}
 * (the same enumerable fields) that also holds, in a private field, the policy table it was
 * computed from (a private copy), so that {@link policyGradient} can form
 * ∇π for the tabular softmax — ∂π(a|s)/∂θ_{s,b} = π(a|s)(1[a = b] − π(b|s)) — from the very
 * table that was evaluated, instead of recomputing softmax(θ). Not exported from the package.
 *
 * @module
 */
import type { Evaluation, SolveReport } from './types.js';

/** An {@link Evaluation} that remembers its policy table. */
export class EvaluationRecord implements Evaluation {
  readonly #table: Float64Array | undefined;

  constructor(
    readonly V: Float64Array,
    readonly Q: Float64Array,
    readonly A: Float64Array,
    readonly eta: Float64Array,
    readonly d: Float64Array,
    readonly J: number,
    readonly horizon: number,
    readonly solve: SolveReport,
    table: Float64Array | undefined,
  ) {
    this.#table = table;
  }

  /** The table `ev` was computed from, when `ev` came from `evaluatePolicy` and kept one. */
  static tableOf(ev: Evaluation): Float64Array | undefined {
    return ev instanceof EvaluationRecord ? ev.#table : undefined;
  }
}

/** The table `ev` was computed from, if known. */
export function evaluatedTable(ev: Evaluation): Float64Array | undefined {
  return EvaluationRecord.tableOf(ev);
}
