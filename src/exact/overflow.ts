/**
 * Overflow of exact quantities: inputs valid one by one (finite rewards) can still give a
 * V, Q, A, J or ∇J beyond double precision — |V| ≤ max|r|/(1−γ), so rewards near 1e307
 * with γ = 0.99 already overflow. Such a result is `NUMERIC_OVERFLOW` naming the first
 * entry that overflowed, never an Infinity or NaN in the output, and never reported as a
 * singular system.
 *
 * @module
 */
import { fail, show } from '../errors.js';

/** Throws `NUMERIC_OVERFLOW` at the first non-finite entry of `x`, named `what[i]` or, with `cols`, `what[s][a]`. */
export function overflowCheck(x: ArrayLike<number>, what: string, cols?: number, why = 'the rewards are too large in magnitude for double precision; scale them down'): void {
  for (let i = 0; i < x.length; i++) {
    if (Number.isFinite(x[i]!)) continue;
    const where = cols === undefined ? `${what}[${i}]` : `${what}[${Math.floor(i / cols)}][${i % cols}]`;
    fail('NUMERIC_OVERFLOW', `${where} is ${show(x[i])}: it overflows double precision (|x| > 1.8e308): ${why}`, { where, value: x[i] });
  }
}

/** The largest |r(s,a)|, and whether |V| ≤ max|r|·bound could overflow (bound 1/(1−γ), or 1 for γ = 1). */
export function rewardsMayOverflow(rewards: ArrayLike<number>, gamma: number): boolean {
  let m = 0;
  for (let i = 0; i < rewards.length; i++) m = Math.max(m, Math.abs(rewards[i]!));
  return m * (gamma < 1 ? 1 / (1 - gamma) : 1) >= 1e300;
}
