/**
 * Per-transition buffers the estimators reuse from call to call (not exported from the
 * package: internal to `src/estimators/`).
 *
 * @module
 */

/** The buffers of {@link scratch}, by slot. */
const scratchBuffers: Float64Array[] = [];

/**
 * A per-transition buffer of `n` entries reused from call to call (its contents are
 * garbage), for arrays an estimator uses within one call and never returns: discount
 * weights, coefficients, returns. Slots: 0 the weights w_t, 1 the coefficients c_t, 2 G_t
 * or log π, 3 {@link totalWeight}'s own. A function must not hold a slot across a call that
 * uses the same slot.
 */
export function scratch(slot: 0 | 1 | 2 | 3, n: number): Float64Array {
  let x = scratchBuffers[slot];
  if (x === undefined || x.length < n) { x = new Float64Array(Math.max(n, 2 * (x?.length ?? 0))); scratchBuffers[slot] = x; }
  return x.length === n ? x : x.subarray(0, n);
}
