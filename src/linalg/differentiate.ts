/**
 * Numerical differentiation with error control: Ridders' method (central differences
 * extrapolated to step 0 in a Neville tableau; Ridders 1982, as in Numerical Recipes
 * §5.7). Returns the derivative and an error estimate; used where dual numbers do not
 * reach (a user-supplied black-box function), and as a third route in tests.
 *
 * @module
 */
import { fail } from '../errors.js';

/** A derivative estimate and its estimated absolute error. */
export interface DerivativeEstimate {
  readonly value: number;
  readonly error: number;
}

/**
 * f′(x) by Ridders' extrapolation of central differences from initial step `h`
 * (shrunk by 1.4 per level, at most 10 levels). Throws `SOLVER_NOT_CONVERGED` if f
 * returns a non-finite value.
 */
export function derivative(f: (x: number) => number, x: number, h = 0.1): DerivativeEstimate {
  const CON = 1.4, CON2 = CON * CON, NTAB = 10, SAFE = 2;
  const table: number[][] = Array.from({ length: NTAB }, () => new Array<number>(NTAB).fill(0));
  const central = (step: number) => {
    const v = (f(x + step) - f(x - step)) / (2 * step);
    if (!Number.isFinite(v)) fail('SOLVER_NOT_CONVERGED', `function is not finite near x = ${x} (step ${step})`, { value: v });
    return v;
  };
  let hh = h;
  table[0]![0] = central(hh);
  let best = table[0]![0]!;
  let err = Infinity;
  for (let i = 1; i < NTAB; i++) {
    hh /= CON;
    table[0]![i] = central(hh);
    let fac = CON2;
    for (let j = 1; j <= i; j++) {
      table[j]![i] = (table[j - 1]![i]! * fac - table[j - 1]![i - 1]!) / (fac - 1);
      fac *= CON2;
      const errt = Math.max(Math.abs(table[j]![i]! - table[j - 1]![i]!), Math.abs(table[j]![i]! - table[j - 1]![i - 1]!));
      if (errt <= err) { err = errt; best = table[j]![i]!; }
    }
    if (Math.abs(table[i]![i]! - table[i - 1]![i - 1]!) >= SAFE * err) break;
  }
  return { value: best, error: err };
}

/** ∇f(x) coordinate by coordinate with {@link derivative}; also returns the largest error estimate. */
export function gradientByDifferences(f: (x: Float64Array) => number, x: Float64Array, h = 0.1): { value: Float64Array; error: number } {
  const g = new Float64Array(x.length);
  let error = 0;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    const y = Float64Array.from(x);
    const est = derivative((t) => { y[i] = t; return f(y); }, xi, h);
    g[i] = est.value;
    error = Math.max(error, est.error);
  }
  return { value: g, error };
}
