/**
 * A pool for the small output arrays of exact evaluation, like Node's `Buffer` pool.
 *
 * A `Float64Array` of more than 8 entries is backed by an off-heap `ArrayBuffer`, whose
 * allocation (and later collection) costs V8 20 about 1–2 µs — more than all the arithmetic
 * of a 10-state evaluation. Small arrays are therefore carved out of 16 KB chunks: a fresh
 * chunk is zero-filled, and no part of it is ever handed out twice, so every array is
 * independent for reading and writing. Only `.buffer` is shared with other small arrays:
 * do not transfer or detach it (copy with `slice()` first). Arrays above
 * {@link POOL_MAX} entries are allocated on their own.
 *
 * @module
 */

/** Arrays up to this many entries come from the pool. */
export const POOL_MAX = 512;
const CHUNK = 2048;

let chunk = new ArrayBuffer(8 * CHUNK);
let used = 0;

/** A zero-filled Float64Array of length `n` (pooled when n ≤ {@link POOL_MAX}). */
export function zeros(n: number): Float64Array {
  if (n > POOL_MAX) return new Float64Array(n);
  if (used + n > CHUNK) { chunk = new ArrayBuffer(8 * CHUNK); used = 0; }
  // a direct view: cheaper than subarray(), which goes through the species protocol
  const v = new Float64Array(chunk, 8 * used, n);
  used += n;
  return v;
}
