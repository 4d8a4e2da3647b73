/**
 * Bracketed root finding for the one-dimensional dual problems of the mirror-learning
 * update: Brent's method ("zeroin"; Brent 1973, *Algorithms for Minimization without
 * Derivatives*, ch. 4), inverse quadratic interpolation and secant steps safeguarded by
 * bisection.
 *
 * Convergence: the iterate never leaves the bracket [b, c] with f(b)·f(c) ≤ 0, and every
 * step that does not halve the bracket fast enough is replaced by a bisection, so the
 * bracket shrinks to the tolerance 2·ε_mach·|b| + xtol/2 in at most about
 * log₂(width/xtol)² evaluations for any function with a sign change — including the
 * monotone step functions that piecewise-linear problems produce (it then converges to the
 * jump). For smooth functions it converges superlinearly.
 *
 * @module
 */
import { fail } from '../errors.js';

/** The final bracket of {@link brentRoot}: f(x) and f(other) do not have the same strict sign. */
export interface Bracket {
  /** The best estimate (|f(x)| ≤ |f(other)|, or `stop` accepted it). */
  readonly x: number;
  readonly fx: number;
  readonly other: number;
  readonly fOther: number;
  readonly iterations: number;
}

/** Options of {@link brentRoot}. */
export interface RootOptions {
  /** Absolute tolerance on x (the bracket is shrunk to about this width); default 0 (machine precision). */
  readonly xtol?: number;
  /** Stops early when it returns true for the current estimate. */
  readonly stop?: (x: number, fx: number) => boolean;
  /** Default 300. */
  readonly maxIterations?: number;
  /** Named in the error when the bracket is invalid or f is not finite. */
  readonly what?: string;
}

const EPS = Number.EPSILON;

function checkFinite(v: number, x: number, what: string): number {
  if (!Number.isFinite(v)) fail('SOLVER_NOT_CONVERGED', `${what}: the function is not finite at ${x} (${v})`, { where: what, value: v });
  return v;
}

/**
 * A root of f in [a, b], given f(a) and f(b) of opposite signs (or one of them 0), by
 * Brent's method. Throws `SOLVER_NOT_CONVERGED` when the bracket is invalid, f is not
 * finite, or `maxIterations` is exhausted.
 */
export function brentRoot(f: (x: number) => number, a: number, b: number, fa: number, fb: number, opts: RootOptions = {}): Bracket {
  const what = opts.what ?? 'root';
  const xtol = opts.xtol ?? 0;
  const maxIt = opts.maxIterations ?? 300;
  if ((fa > 0 && fb > 0) || (fa < 0 && fb < 0)) fail('SOLVER_NOT_CONVERGED', `${what}: [${a}, ${b}] does not bracket a root (f = ${fa}, ${fb})`, { where: what });
  let c = b, fc = fb, d = b - a, e = d;
  for (let it = 0; it < maxIt; it++) {
    if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) { c = a; fc = fa; d = b - a; e = d; }
    if (Math.abs(fc) < Math.abs(fb)) { a = b; b = c; c = a; fa = fb; fb = fc; fc = fa; }
    const tol1 = 2 * EPS * Math.abs(b) + 0.5 * xtol;
    const xm = 0.5 * (c - b);
    if (Math.abs(xm) <= tol1 || fb === 0 || (opts.stop?.(b, fb) ?? false)) return { x: b, fx: fb, other: c, fOther: fc, iterations: it };
    if (Math.abs(e) >= tol1 && Math.abs(fa) > Math.abs(fb)) {
      const s = fb / fa;
      let p: number, q: number;
      if (a === c) { p = 2 * xm * s; q = 1 - s; }
      else {
        const qq = fa / fc, r = fb / fc;
        p = s * (2 * xm * qq * (qq - r) - (b - a) * (r - 1));
        q = (qq - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) q = -q;
      p = Math.abs(p);
      if (2 * p < Math.min(3 * xm * q - Math.abs(tol1 * q), Math.abs(e * q))) { e = d; d = p / q; }
      else { d = xm; e = d; }
    } else { d = xm; e = d; }
    a = b; fa = fb;
    b += Math.abs(d) > tol1 ? d : (xm >= 0 ? tol1 : -tol1);
    fb = checkFinite(f(b), b, what);
  }
  return fail('SOLVER_NOT_CONVERGED', `${what}: Brent's method did not converge in ${maxIt} iterations`, { where: what });
}

/**
 * The end of a bracket on the side where f ≤ 0 (for a non-increasing f: the larger
 * argument side), with its value.
 */
export function nonPositiveSide(br: Bracket): { x: number; fx: number } {
  return br.fx <= 0 ? { x: br.x, fx: br.fx } : { x: br.other, fx: br.fOther };
}
