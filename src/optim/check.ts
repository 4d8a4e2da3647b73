/**
 * Argument checks shared by the optimizers.
 * @module
 */
import { fail, show } from '../errors.js';

/** Throws `OPTIM_ARGUMENT` unless `x` is finite and within [lo, hi] (open ends when `open`). */
export function checkRange(x: number, lo: number, hi: number, what: string, open = false): void {
  const ok = typeof x === 'number' && Number.isFinite(x) && (open ? x > lo && x < hi : x >= lo && x <= hi);
  if (!ok) fail('OPTIM_ARGUMENT', `${what} is ${show(x)}: expected a number in ${open ? '(' : '['}${lo}, ${hi}${open ? ')' : ']'}`, { where: what, value: x });
}

/** Throws `OPTIM_ARGUMENT` unless `g` is a Float64Array of length n with finite entries. */
export function checkVector(g: Float64Array, n: number, what: string): void {
  if (!(g instanceof Float64Array) || g.length !== n) fail('OPTIM_ARGUMENT', `${what} has ${g?.length ?? show(g)} entries, expected ${n}`, { where: what, value: g?.length });
  for (let i = 0; i < n; i++) if (!Number.isFinite(g[i]!)) fail('OPTIM_ARGUMENT', `${what}[${i}] is ${show(g[i])}: expected a finite number`, { where: `${what}[${i}]`, value: g[i] });
}

/** Throws `OPTIM_ARGUMENT` unless `n` is an integer within [lo, hi]. */
export function checkInteger(n: number, lo: number, hi: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < lo || n > hi) fail('OPTIM_ARGUMENT', `${what} is ${show(n)}: expected an integer in [${lo}, ${hi}]`, { where: what, value: n });
}
