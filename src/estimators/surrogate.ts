/**
 * The value every surrogate returns.
 *
 * Surrogates follow rlax's convention: `loss` is the quantity an optimizer **minimizes**
 * (the negated objective for a policy objective, +β·KL for a penalty, −c·H for an entropy
 * bonus) and `gradient` is ∇_θ loss, shaped like θ. So a step θ ← θ − α·gradient improves
 * the objective, and at θ = θ_old the policy-gradient estimate is −gradient.
 *
 * @module
 */

/** A loss and its gradient in θ. */
export interface Surrogate {
  /** The value to minimize. */
  readonly loss: number;
  /** ∇_θ loss, one entry per parameter. */
  readonly gradient: Float64Array;
}
