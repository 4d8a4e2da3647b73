/**
 * A small scalar-field abstraction, so that one generic implementation of a computation
 * (a linear solve, a policy evaluation) runs in floating point, in exact rational
 * arithmetic, and in dual numbers for forward-mode differentiation.
 *
 * @module
 */

/** The operations of a field over values of type `T`. */
export interface Field<T> {
  /** A short name for messages: `number`, `fraction`, `dual(number)`. */
  readonly name: string;
  readonly zero: T;
  readonly one: T;
  /** The integer `n` as a field element (exact in every field). */
  fromInt(n: number): T;
  add(a: T, b: T): T;
  sub(a: T, b: T): T;
  mul(a: T, b: T): T;
  /** `a / b`; throws `SOLVER_SINGULAR` when `b` is zero. */
  div(a: T, b: T): T;
  neg(a: T): T;
  /** True when `a` is exactly the additive identity (for duals: both parts zero). */
  isZero(a: T): boolean;
  /** True when `a` can be divided by (for duals: the real part is non-zero). */
  invertible(a: T): boolean;
  /** A non-negative size of `a` used to choose pivots (|a|, or |re a| for duals). */
  magnitude(a: T): number;
  /** The nearest double (the real part for duals). */
  toNumber(a: T): number;
}

/** A field with the elementary functions that softmax policies and KL divergences need. */
export interface AnalyticField<T> extends Field<T> {
  /** Lifts a double; not offered by the exact rational field. */
  fromNumber(x: number): T;
  exp(a: T): T;
  /** Natural logarithm; throws `ZERO_PROBABILITY` at 0 and `FIELD_UNSUPPORTED` below 0. */
  log(a: T): T;
}

