/**
 * Exact rational arithmetic with mathjs Fractions (arbitrary-precision, BigInt-backed).
 *
 * Fractions are built from integers or strings, never from floats: `0.1` as a double is
 * not 1/10, and building a Fraction from it would silently change the problem.
 *
 * @module
 */
import { createRequire } from 'node:module';
import type { Fraction } from 'mathjs';
import { fail, show } from '../errors.js';
import type { Field } from './field.js';

export type { Fraction };

// mathjs takes over a second to load; it is loaded on first use of the rational field, so
// commands that never touch exact rationals start fast.
let mathjs: typeof import('mathjs') | undefined;
function fraction(x: number | string): Fraction {
  mathjs ??= createRequire(import.meta.url)('mathjs') as typeof import('mathjs');
  return mathjs.fraction(x as string);
}

const RATIONAL = /^\s*[-+]?\d+(\s*\/\s*\d+|\.\d+)?\s*$/;

/**
 * An exact rational from an integer, a string `"p/q"` or a decimal string `"0.25"`.
 * Doubles that are not integers are refused with `RATIONAL_INPUT`: pass their decimal
 * string instead.
 */
export function rational(x: number | string | bigint, where = 'value'): Fraction {
  if (typeof x === 'bigint') return fraction(x.toString());
  if (typeof x === 'number') {
    if (!Number.isSafeInteger(x)) {
      fail('RATIONAL_INPUT', `${where} is ${show(x)}: exact mode takes integers or strings such as "1/3" (a non-integer double is not an exact rational)`, { where, value: x });
    }
    return fraction(x);
  }
  if (typeof x !== 'string' || !RATIONAL.test(x)) {
    fail('RATIONAL_INPUT', `${where} is ${show(x)}: expected an integer, "p/q" or a decimal string`, { where, value: x });
  }
  const [p, q] = x.split('/');
  if (q !== undefined && /^\s*0+\s*$/.test(q)) fail('RATIONAL_INPUT', `${where} is ${show(x)}: zero denominator`, { where, value: x });
  return fraction(p!.trim() + (q === undefined ? '' : '/' + q.trim()));
}

let zero: Fraction | undefined, one: Fraction | undefined;

/** The field of exact rationals. `magnitude` is only used to prefer large pivots. */
export const FractionField: Field<Fraction> = {
  name: 'fraction',
  get zero() { return (zero ??= fraction(0)); },
  get one() { return (one ??= fraction(1)); },
  fromInt: (n) => rational(n),
  add: (a, b) => a.add(b),
  sub: (a, b) => a.sub(b),
  mul: (a, b) => a.mul(b),
  div: (a, b) => {
    if (b.n === 0n) fail('SOLVER_SINGULAR', `division by exact zero (numerator ${a.toFraction()})`);
    return a.div(b);
  },
  neg: (a) => a.neg(),
  isZero: (a) => a.n === 0n,
  invertible: (a) => a.n !== 0n,
  magnitude: (a) => Math.abs(a.valueOf()),
  toNumber: (a) => a.valueOf(),
};
