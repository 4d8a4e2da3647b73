/**
 * The field of IEEE doubles.
 * @module
 */
import { fail } from '../errors.js';
import type { AnalyticField } from './field.js';

/** IEEE-754 doubles as an {@link AnalyticField}. */
export const NumberField: AnalyticField<number> = {
  name: 'number',
  zero: 0,
  one: 1,
  fromInt: (n) => n,
  fromNumber: (x) => x,
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => {
    if (b === 0) fail('SOLVER_SINGULAR', `division by zero (numerator ${a})`, { value: b });
    return a / b;
  },
  neg: (a) => -a,
  isZero: (a) => a === 0,
  invertible: (a) => a !== 0 && Number.isFinite(a),
  magnitude: (a) => Math.abs(a),
  toNumber: (a) => a,
  exp: (a) => Math.exp(a),
  log: (a) => {
    if (a === 0) fail('ZERO_PROBABILITY', 'log of 0', { value: a });
    if (a < 0) fail('FIELD_UNSUPPORTED', `log of the negative number ${a}`, { value: a });
    return Math.log(a);
  },
};
