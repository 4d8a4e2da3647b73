/**
 * A growable batch: the typed arrays of a {@link Batch} with spare capacity, doubled when
 * full, so that sampling episodes of unknown length allocates O(log n) times in total and
 * never per transition. A sampler that produces many batches reuses one builder.
 *
 * @module
 */
import { fail } from '../errors.js';
import type { Batch } from './batch.js';

/** The default cap on the transitions of one batch (about 1.9 GB of arrays). */
export const DEFAULT_MAX_TRANSITIONS = 50_000_000;

function grown<T extends Int32Array | Float64Array | Uint8Array>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}

/** Typed arrays with a fill pointer. Fields are public for the sampling kernels. */
export class BatchBuilder {
  size = 0;
  capacity: number;
  s_t: Int32Array; a_t: Int32Array; r_t: Float64Array; s_tp1: Int32Array;
  terminated_t: Uint8Array; truncated_t: Uint8Array; t_index: Int32Array;
  logp_t: Float64Array; episode_t: Int32Array;

  constructor(readonly numStates: number, readonly numActions: number, readonly gamma: number,
    initialCapacity = 1024, readonly maxTransitions = DEFAULT_MAX_TRANSITIONS) {
    const n = Math.max(1, Math.min(initialCapacity, maxTransitions));
    this.capacity = n;
    this.s_t = new Int32Array(n); this.a_t = new Int32Array(n); this.r_t = new Float64Array(n); this.s_tp1 = new Int32Array(n);
    this.terminated_t = new Uint8Array(n); this.truncated_t = new Uint8Array(n); this.t_index = new Int32Array(n);
    this.logp_t = new Float64Array(n); this.episode_t = new Int32Array(n);
  }

  /** Empties the builder (keeps its arrays). */
  reset(): void { this.size = 0; }

  /** Doubles the capacity; throws `TOO_LARGE` past `maxTransitions`. */
  grow(): void {
    if (this.capacity >= this.maxTransitions) fail('TOO_LARGE', `a batch would exceed ${this.maxTransitions} transitions (raise maxTransitions, or set a time limit)`, { value: this.maxTransitions });
    const n = Math.min(this.capacity * 2, this.maxTransitions);
    this.s_t = grown(this.s_t, n); this.a_t = grown(this.a_t, n); this.r_t = grown(this.r_t, n); this.s_tp1 = grown(this.s_tp1, n);
    this.terminated_t = grown(this.terminated_t, n); this.truncated_t = grown(this.truncated_t, n); this.t_index = grown(this.t_index, n);
    this.logp_t = grown(this.logp_t, n); this.episode_t = grown(this.episode_t, n);
    this.capacity = n;
  }

  /** The filled part as a batch of views: valid until the builder is reset or grows. */
  view(): Batch {
    const n = this.size;
    return {
      size: n, numStates: this.numStates, numActions: this.numActions, gamma: this.gamma,
      s_t: this.s_t.subarray(0, n), a_t: this.a_t.subarray(0, n), r_t: this.r_t.subarray(0, n), s_tp1: this.s_tp1.subarray(0, n),
      terminated_t: this.terminated_t.subarray(0, n), truncated_t: this.truncated_t.subarray(0, n), t_index: this.t_index.subarray(0, n),
      logp_t: this.logp_t.subarray(0, n), episode_t: this.episode_t.subarray(0, n),
    };
  }

  /** The filled part as a batch that owns exact-size copies. */
  take(): Batch {
    const n = this.size;
    return {
      size: n, numStates: this.numStates, numActions: this.numActions, gamma: this.gamma,
      s_t: this.s_t.slice(0, n), a_t: this.a_t.slice(0, n), r_t: this.r_t.slice(0, n), s_tp1: this.s_tp1.slice(0, n),
      terminated_t: this.terminated_t.slice(0, n), truncated_t: this.truncated_t.slice(0, n), t_index: this.t_index.slice(0, n),
      logp_t: this.logp_t.slice(0, n), episode_t: this.episode_t.slice(0, n),
    };
  }
}
