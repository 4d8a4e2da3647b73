/**
 * Learning-rate schedules. Linear decay (as in PPO, Schulman et al. 2017, and Lehmann 2024,
 * Appendix A: 3e-4 decayed linearly): over N updates numbered n = 0, 1, …, N − 1,
 *
 *   α_n = α₀ + (α_end − α₀) · n / N,
 *
 * so α₀ at the first update and α_end + (α₀ − α_end)/N at the last (cleanrl's
 * `frac = 1 − (update − 1)/num_updates` with α_end = 0); n ≥ N gives α_end.
 *
 * @module
 */
import { checkInteger, checkRange } from './check.js';

/** The linearly decaying learning rate α_n for updates n = 0 … N − 1 (α_end by default 0). */
export function linearDecay(lr0: number, numUpdates: number, lrEnd = 0): (n: number) => number {
  checkRange(lr0, 0, Number.MAX_VALUE, 'lr0');
  checkRange(lrEnd, 0, Number.MAX_VALUE, 'lrEnd');
  checkInteger(numUpdates, 1, Number.MAX_SAFE_INTEGER, 'numUpdates');
  return (n: number) => {
    checkInteger(n, 0, Number.MAX_SAFE_INTEGER, 'update index');
    return n >= numUpdates ? lrEnd : lr0 + ((lrEnd - lr0) * n) / numUpdates;
  };
}
