/**
 * The messages between a {@link SamplerPool} and its workers. Each pool call sends its
 * spec once to every worker (`setup`), then work in chunks (`episodes` or `map`), one chunk
 * per idle worker, and finally `release`. Results come back with their typed arrays
 * transferred, not copied.
 *
 * @module
 */
import type { ErrorCode } from '../errors.js';
import type { GuardMessage } from './guard.js';
import type { BatchPlan } from './plan.js';
import type { SamplingWire, StoppingOptions } from './spec.js';

/** Pool → worker. */
export type ToWorker =
  | { readonly type: 'setup'; readonly call: number; readonly spec: SamplingWire }
  | { readonly type: 'episodes'; readonly call: number; readonly seed: number | string; readonly first: number; readonly count: number; readonly stop: StoppingOptions; readonly maxTransitions: number | undefined }
  | { readonly type: 'map'; readonly call: number; readonly plan: BatchPlan; readonly lo: number; readonly hi: number; readonly module: string; readonly name: string; readonly options: unknown }
  | { readonly type: 'release'; readonly call: number }
  /** Calls the exported function `name` of `module` once with `args` (a sandboxed pool's user calls outside batches). */
  | { readonly type: 'call'; readonly call: number; readonly module: string; readonly name: string; readonly args: readonly unknown[] };

/** A transition chunk's arrays (the fields of a Batch that vary). */
export interface BatchArrays {
  readonly size: number;
  readonly s_t: Int32Array; readonly a_t: Int32Array; readonly r_t: Float64Array; readonly s_tp1: Int32Array;
  readonly terminated_t: Uint8Array; readonly truncated_t: Uint8Array; readonly t_index: Int32Array;
  readonly logp_t: Float64Array; readonly episode_t: Int32Array;
}

/** An error as data: its code (when it is a PgTruthError), message, place and value. */
export interface ErrorWire {
  readonly code: ErrorCode | undefined;
  readonly message: string;
  readonly where: string | undefined;
  readonly value: unknown;
}

/** What a pool passes to a worker as `workerData`: a sandboxed worker's shared call clock (./guard.ts). */
export interface WorkerSetup {
  readonly sandbox?: { readonly clock: SharedArrayBuffer };
}

/** Worker → pool. */
export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'episodes'; readonly call: number; readonly arrays: BatchArrays }
  | { readonly type: 'map'; readonly call: number; readonly dim: number; readonly values: Float64Array; readonly transitions: number }
  | { readonly type: 'error'; readonly call: number; readonly error: ErrorWire }
  | { readonly type: 'call'; readonly call: number; readonly value: unknown }
  /** From a sandboxed worker's guards (./guard.ts): the guarded call now under way, and an exit about to happen. */
  | GuardMessage;

/** The buffers of a chunk's arrays, to transfer. */
export function arrayBuffers(a: BatchArrays): ArrayBuffer[] {
  return [a.s_t, a.a_t, a.r_t, a.s_tp1, a.terminated_t, a.truncated_t, a.t_index, a.logp_t, a.episode_t].map((x) => x.buffer as ArrayBuffer);
}
