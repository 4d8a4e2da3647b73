/**
 * Worker-thread entry of {@link solveBothEisenstat} (./parallel.ts): solves one sparse
 * system `A x = b` by D-ILU/Eisenstat BiCGSTAB on arrays shared with the main thread.
 *
 * Protocol on the shared `ctrl` (Int32Array): state 0 = posted; the worker claims it with
 * compare-exchange 0 → 2 (running), and ends with 3 (done) or 4 (failed), then notifies.
 * If the main thread has claimed the task first (0 → 1), the worker leaves it alone.
 *
 * @module
 */
import { parentPort } from 'node:worker_threads';
import { bicgstabEisenstat, dilu } from './eisenstat.js';

/** The message the main thread posts (all arrays over SharedArrayBuffers). */
export interface SolveTask {
  readonly ctrl: Int32Array;
  /** Out: iterations, residual, converged (0/1). */
  readonly stats: Float64Array;
  readonly n: number;
  readonly rowPtr: Int32Array;
  readonly col: Int32Array;
  readonly val: Float64Array;
  readonly b: Float64Array;
  /** Out: the solution (it holds the initial guess on entry). */
  readonly x: Float64Array;
  readonly tol: number;
  readonly maxIter: number;
}

parentPort?.on('message', (task: SolveTask) => {
  const { ctrl } = task;
  if (Atomics.compareExchange(ctrl, 0, 0, 2) !== 0) return;   // the main thread took it
  try {
    const f = dilu({ nRows: task.n, nCols: task.n, rowPtr: task.rowPtr, col: task.col, val: task.val });
    if (!f) {
      Atomics.store(ctrl, 0, 4);
    } else {
      const r = bicgstabEisenstat(f, task.b, { tol: task.tol, maxIter: task.maxIter, x0: task.x });
      task.x.set(r.x);
      task.stats[0] = r.iterations; task.stats[1] = r.residual; task.stats[2] = r.converged ? 1 : 0;
      Atomics.store(ctrl, 0, 3);
    }
  } catch {
    Atomics.store(ctrl, 0, 4);
  }
  Atomics.notify(ctrl, 0);
});
