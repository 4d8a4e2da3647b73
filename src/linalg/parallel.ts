/**
 * Two independent sparse solves on two cores, behind a synchronous call: policy evaluation
 * needs `M V = r_π` and `Mᵀ η = p0`, which share nothing but M's values, so the second is
 * posted to a worker thread (`./solve-worker.ts`) over SharedArrayBuffers while the main
 * thread solves the first, then the main thread blocks on `Atomics.wait` for it (Node lets
 * the main thread wait; no event-loop turn is needed).
 *
 * Robustness: the task is *claimed* by compare-exchange. If the worker has not started it
 * by the time the main thread is free (the worker is still booting, or cannot start at all
 * — e.g. under a test runner that cannot load it), the main thread claims it and solves it
 * itself; if the worker fails, the main thread solves it again. So the call always
 * finishes, with the same arithmetic on either thread: the results are bit-identical
 * whether or not a worker helped. The worker is created once, lazily, and `unref`-ed.
 *
 * @module
 */
import { Worker } from 'node:worker_threads';
import { bicgstabEisenstat, dilu, type EisenstatResult } from './eisenstat.js';
import type { CSR } from './sparse.js';
import type { SolveTask } from './solve-worker.js';

/** One system for {@link solveBothEisenstat}. */
export interface SystemSpec {
  readonly A: CSR;
  readonly b: Float64Array;
  readonly x0?: Float64Array;
}

/** Options of {@link solveBothEisenstat}. */
export interface ParallelOptions {
  readonly tol: number;
  readonly maxIter: number;
  /** Use a worker thread for the second system (default true; the worker still only helps if it is up). */
  readonly parallel?: boolean;
}

let worker: Worker | null | undefined;      // undefined: not tried; null: unavailable

function getWorker(): Worker | null {
  if (worker !== undefined) return worker;
  try {
    const self = import.meta.url;
    const url = new URL(self.endsWith('.ts') ? './solve-worker.ts' : './solve-worker.js', self);
    const w = new Worker(url, { execArgv: process.execArgv });
    w.on('error', () => { if (worker === w) worker = null; });
    w.on('exit', () => { if (worker === w) worker = null; });
    w.unref();
    worker = w;
  } catch {
    worker = null;
  }
  return worker;
}

/**
 * Starts the worker thread now (if it is not running), so that it boots while the caller
 * prepares the systems; {@link solveBothEisenstat} would otherwise start it on first use.
 */
export function warmWorker(): void {
  getWorker();
}

/** A Float64Array over shared memory (copying `src` when given). */
export function sharedF64(n: number, src?: ArrayLike<number>): Float64Array {
  const a = new Float64Array(new SharedArrayBuffer(Math.max(8, 8 * n)), 0, n);
  if (src) a.set(src);
  return a;
}

/** An Int32Array over shared memory (copying `src` when given). */
export function sharedI32(n: number, src?: ArrayLike<number>): Int32Array {
  const a = new Int32Array(new SharedArrayBuffer(Math.max(4, 4 * n)), 0, n);
  if (src) a.set(src);
  return a;
}

function isShared(a: ArrayBufferView): boolean {
  return a.buffer instanceof SharedArrayBuffer;
}

/** Solves one system on this thread; `null` when D-ILU breaks down. */
function solveHere(s: SystemSpec, opts: ParallelOptions): EisenstatResult | null {
  const f = dilu(s.A);
  return f ? bicgstabEisenstat(f, s.b, { tol: opts.tol, maxIter: opts.maxIter, ...(s.x0 ? { x0: s.x0 } : {}) }) : null;
}

/**
 * Solves `first` on this thread and `second` on the worker when it is available (see the
 * module comment), both by D-ILU/Eisenstat BiCGSTAB ({@link bicgstabEisenstat}). An entry is
 * `null` when D-ILU broke down for that system. For the worker to be used, `second.A`'s
 * arrays must live in shared memory ({@link sharedF64}, {@link sharedI32}).
 */
export function solveBothEisenstat(first: SystemSpec, second: SystemSpec, opts: ParallelOptions): [EisenstatResult | null, EisenstatResult | null] {
  const A = second.A;
  const w = opts.parallel === false || !(isShared(A.rowPtr) && isShared(A.col) && isShared(A.val)) ? null : getWorker();
  let task: SolveTask | null = null;
  if (w) {
    const n = A.nRows;
    task = {
      ctrl: sharedI32(1), stats: sharedF64(3), n, rowPtr: A.rowPtr, col: A.col, val: A.val,
      b: sharedF64(n, second.b), x: sharedF64(n, second.x0 ?? new Float64Array(n)), tol: opts.tol, maxIter: opts.maxIter,
    };
    try { w.postMessage(task); } catch { task = null; }
  }
  const r1 = solveHere(first, opts);
  if (task && Atomics.compareExchange(task.ctrl, 0, 0, 1) !== 0) {
    let s: number;
    while ((s = Atomics.load(task.ctrl, 0)) === 2) Atomics.wait(task.ctrl, 0, 2, 1000);
    if (s === 3) {
      const x = new Float64Array(task.n);
      x.set(task.x);
      return [r1, { x, iterations: task.stats[0]!, residual: task.stats[1]!, converged: task.stats[2] === 1 }];
    }
  }
  return [r1, solveHere(second, opts)];
}
