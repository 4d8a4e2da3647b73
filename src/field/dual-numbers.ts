/**
 * Dual numbers a + b·ε with ε² = 0, over any base field: forward-mode automatic
 * differentiation. `f(x + ε) = f(x) + f'(x)·ε`, so running a computation generically on
 * `Dual` values with a unit tangent on one input yields that input's partial derivative,
 * exactly in the base field's arithmetic (over Fractions: exactly). Nesting
 * `DualField(DualField(NumberField))` gives second derivatives (Hessian entries).
 *
 * @module
 */
import { fail } from '../errors.js';
import type { AnalyticField, Field } from './field.js';

/** The dual number `re + du·ε`. */
export class Dual<B> {
  constructor(
    readonly re: B,
    readonly du: B,
  ) {}
}

/** The dual numbers over a base field. */
export function DualField<B>(base: AnalyticField<B>): AnalyticField<Dual<B>>;
export function DualField<B>(base: Field<B>): Field<Dual<B>>;
export function DualField<B>(base: Field<B> | AnalyticField<B>): Field<Dual<B>> | AnalyticField<Dual<B>> {
  const B = base;
  const d = (re: B, du: B) => new Dual(re, du);
  const F: Field<Dual<B>> = {
    name: `dual(${B.name})`,
    zero: d(B.zero, B.zero),
    one: d(B.one, B.zero),
    fromInt: (n) => d(B.fromInt(n), B.zero),
    add: (a, b) => d(B.add(a.re, b.re), B.add(a.du, b.du)),
    sub: (a, b) => d(B.sub(a.re, b.re), B.sub(a.du, b.du)),
    // (a + a'ε)(b + b'ε) = ab + (a'b + ab')ε
    mul: (a, b) => d(B.mul(a.re, b.re), B.add(B.mul(a.du, b.re), B.mul(a.re, b.du))),
    // (a + a'ε)/(b + b'ε) = a/b + (a'b − ab')/b² ε
    div: (a, b) => {
      if (!B.invertible(b.re)) fail('SOLVER_SINGULAR', 'division by a dual number with zero real part');
      const q = B.div(a.re, b.re);
      return d(q, B.div(B.sub(a.du, B.mul(q, b.du)), b.re));
    },
    neg: (a) => d(B.neg(a.re), B.neg(a.du)),
    isZero: (a) => B.isZero(a.re) && B.isZero(a.du),
    invertible: (a) => B.invertible(a.re),
    magnitude: (a) => B.magnitude(a.re),
    toNumber: (a) => B.toNumber(a.re),
  };
  if (!('exp' in B)) return F;
  const A = B as AnalyticField<B>;
  const analytic: AnalyticField<Dual<B>> = {
    ...F,
    fromNumber: (x) => d(A.fromNumber(x), A.zero),
    // exp(a + a'ε) = e^a + e^a a' ε
    exp: (a) => {
      const e = A.exp(a.re);
      return d(e, A.mul(e, a.du));
    },
    // log(a + a'ε) = log a + (a'/a) ε
    log: (a) => d(A.log(a.re), A.div(a.du, a.re)),
  };
  return analytic;
}

/** A variable with unit tangent (`x + 1·ε`). */
export function variable<B>(base: Field<B>, x: B): Dual<B> {
  return new Dual(x, base.one);
}

/** A constant (`x + 0·ε`). */
export function constant<B>(base: Field<B>, x: B): Dual<B> {
  return new Dual(x, base.zero);
}
