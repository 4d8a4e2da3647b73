/**
 * Map over batches, then reduce: a task — typically an estimator — runs on each batch of a
 * {@link BatchPlan} where the batch was drawn (in this thread, or in a worker: see
 * ./worker-pool.ts), and only its estimate comes back. The estimates of batch k form row k of a
 * K×d array whatever thread computed them, so a reduction over the rows in order (a mean, a
 * covariance, a test) is bit-identical for any number of workers.
 *
 * A task is `(batch, context) => number | ArrayLike<number>`, the same length d for every
 * batch, every entry finite (`ESTIMATOR_INVALID` otherwise, naming the batch and entry).
 * The batch it receives is a view into a buffer reused for the next batch: copy what must
 * outlive the call. To run in workers a task must be an export of a module
 * ({@link TaskRef}); the module may be TypeScript when the pool loads tsx (./worker-pool.ts).
 *
 * @module
 */
import { fail, show } from '../errors.js';
import type { FiniteMDP } from '../mdp/model.js';
import type { Policy } from '../policy/types.js';
import { Rng } from '../stats/rng.js';
import type { Batch } from './batch.js';
import type { BatchBuilder } from './builder.js';
import { checkPlan, drawPlanBatch, planBuilder, releasePlanBuilder, takePlanBuilder, type BatchPlan, type BatchSource } from './plan.js';
import { prepareSampling, type PreparedSampling, type SamplingSpec } from './spec.js';

/** What a task sees besides the batch. */
export interface TaskContext<O = unknown> {
  readonly mdp: FiniteMDP;
  /** The evaluated policy π (rebuilt from its wire form: see ./wire.ts). */
  readonly policy: Policy;
  /** The behaviour policy μ that collected the batch (`policy` itself when none was given). */
  readonly behaviour: Policy;
  /** The batch index k. */
  readonly index: number;
  readonly source: BatchSource;
  /** The task options given to the map call (structured-cloned into workers). */
  readonly options: O;
}

/** A per-batch computation. */
export type BatchTask<O = unknown> = (batch: Batch, context: TaskContext<O>) => number | ArrayLike<number>;

/** A task that workers can load: the export `name` of the module at `module`. */
export interface TaskRef {
  /** A file URL, an absolute path, or a path relative to the working directory. */
  readonly module: string | URL;
  /** The name of the exported {@link BatchTask}. */
  readonly name: string;
}

/** The estimates of K batches, row k = batch k. */
export interface BatchEstimates {
  readonly batches: number;
  /** Entries per estimate, d. */
  readonly dim: number;
  /** Row-major K×d. */
  readonly values: Float64Array;
  /** Transitions drawn over all batches (for throughput figures). */
  readonly transitions: number;
}

/** Copies a task's result into `out` at row `k` (allocating `out` from the first row). */
function storeRow(res: number | ArrayLike<number>, k: number, row: number, rows: number, acc: { out: Float64Array | null; dim: number }): void {
  const d = typeof res === 'number' ? 1 : res?.length;
  if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 1) fail('ESTIMATOR_INVALID', `the task returned ${show(res)} for batch ${k}: expected a number or a non-empty array of numbers`, { where: `batch ${k}` });
  if (acc.out === null) { acc.dim = d; acc.out = new Float64Array(rows * d); }
  if (d !== acc.dim) fail('ESTIMATOR_INVALID', `the task returned ${d} numbers for batch ${k} but ${acc.dim} for an earlier batch`, { where: `batch ${k}`, value: d });
  for (let j = 0; j < d; j++) {
    const v = typeof res === 'number' ? res : res[j]!;
    if (typeof v !== 'number' || !Number.isFinite(v)) fail('ESTIMATOR_INVALID', `the task's estimate for batch ${k} has entry ${j} = ${show(v)}: estimates must be finite numbers`, { where: `batch ${k}[${j}]`, value: v });
    acc.out[row * d + j] = v;
  }
}

/**
 * Runs `task` on batches lo … hi−1 of `plan`; the worker's and this thread's common core.
 * `b` is a builder from `planBuilder(prep, plan.source)` to reuse (a new one by default).
 */
export function runBatchRange<O>(prep: PreparedSampling, plan: BatchPlan, lo: number, hi: number, task: BatchTask<O>, options: O, b: BatchBuilder = planBuilder(prep, plan.source)): BatchEstimates {
  const acc: { out: Float64Array | null; dim: number } = { out: null, dim: 0 };
  const root = Rng.from(plan.seed);
  let transitions = 0;
  for (let k = lo; k < hi; k++) {
    const batch = drawPlanBatch(prep, plan, k, b, root);
    transitions += batch.size;
    const ctx: TaskContext<O> = { mdp: prep.mdp, policy: prep.policy, behaviour: prep.behaviour, index: k, source: plan.source, options };
    storeRow(task(batch, ctx), k, k - lo, hi - lo, acc);
  }
  return { batches: hi - lo, dim: acc.dim, values: acc.out ?? new Float64Array(0), transitions };
}

/**
 * Runs `task` on every batch of `plan` in this thread. Gives the same rows, bit for bit,
 * as `SamplerPool.mapBatches` with the task's module export, with any number of workers.
 */
export function mapBatchesSync<O = undefined>(spec: SamplingSpec, plan: BatchPlan, task: BatchTask<O>, options?: O): BatchEstimates {
  if (typeof task !== 'function') fail('SAMPLING_OPTIONS', `task is ${show(task)}: expected a function (batch, context) => estimate`, { where: 'task' });
  const prep = prepareSampling(spec);
  checkPlan(plan, prep);
  const b = takePlanBuilder(prep, plan.source);
  const out = runBatchRange(prep, plan, 0, plan.batches, task, options as O, b);
  releasePlanBuilder(b); // not on a throw: a builder a task left mid-way is simply dropped
  return out;
}

