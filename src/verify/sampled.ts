/**
 * The statistical harness: draws K independent batches (in worker threads when the run
 * has a pool), runs a task of ./tasks.ts on each, and decides a claim about the mean (or
 * the variance) of the estimates with a test from src/stats at a stated false-alarm rate.
 *
 * Seeds: the stream of a sampled check is named by the run's seed and the check's own
 * name, so every check draws its own batches, and one seed reproduces the whole report bit
 * for bit with any number of workers.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { mapBatchesSync, type BatchEstimates, type BatchTask } from '../sampling/map.js';
import type { BatchSource } from '../sampling/plan.js';
import type { SamplingSpec } from '../sampling/spec.js';
import { meanTest, varianceOrderTest, type TestResult } from '../stats/tests.js';
import { summarize } from '../stats/summary.js';
import type { Check, CheckStatistics, RunContext } from './claim.js';
import * as tasks from './tasks.js';
import type { TaskName } from './tasks.js';

/** The false-alarm rate of every stochastic check of the default suite (Σα is reported). */
export const CHECK_ALPHA = 1e-6;

/** The URL of the compiled task module, or of its TypeScript source when running from src/. */
export function taskModule(): URL {
  const js = new URL('./tasks.js', import.meta.url);
  return existsSync(fileURLToPath(js)) ? js : new URL('./tasks.ts', import.meta.url);
}

/** What to sample and what to compute on each batch. */
export interface SampledRun<O> {
  readonly spec: SamplingSpec;
  readonly source: BatchSource;
  /** Batches at scale 1 (the run's `scale` multiplies it; at least 50). */
  readonly batches: number;
  readonly task: TaskName;
  readonly options: O;
  /** Names the random stream (unique per check). */
  readonly stream: string;
}

/** The task's estimates on the run's batches. */
export async function sampleEstimates<O>(ctx: RunContext, run: SampledRun<O>): Promise<BatchEstimates> {
  const plan = { source: run.source, batches: Math.max(50, Math.round(run.batches * ctx.scale)), seed: `${ctx.seed}/${run.stream}` };
  if (ctx.pool) return ctx.pool.mapBatches(run.spec, plan, { module: taskModule(), name: run.task }, run.options);
  return mapBatchesSync(run.spec, plan, tasks[run.task] as unknown as BatchTask<O>, run.options);
}

function statsOf(t: TestResult, relativeTo?: { name: string; value: number }): CheckStatistics {
  return {
    effect: t.effect, standardError: t.standardError, samples: t.samples, falseAlarmRate: t.falseAlarmRate,
    minDetectable: t.minDetectable, statistic: t.statistic, threshold: t.threshold, test: t.test,
    ...(relativeTo ? { relativeTo } : {}),
  };
}

/** Options of {@link meanCheck}. */
export interface MeanCheckOptions {
  readonly alpha?: number;
  /** Read the resolution against this scale (e.g. ‖∇J‖₂). */
  readonly relativeTo?: { name: string; value: number };
  readonly method?: 'max' | 'hotelling';
  /** The unit of one sample in words (`batch of 64 episodes`), for the note. */
  readonly unit?: string;
  readonly transitions?: number;
}

/** Decides E[estimate] = target from batch estimates (studentized max over coordinates, Šidák, by default). */
export function meanCheck(instance: string, est: BatchEstimates, target: ArrayLike<number>, opts: MeanCheckOptions = {}): Check {
  const t = meanTest(summarize(est.values, est.dim, opts.method === 'hotelling'), target, opts.alpha ?? CHECK_ALPHA, { method: opts.method ?? 'max' });
  const rel = opts.relativeTo ? `; resolution ${((100 * t.minDetectable) / opts.relativeTo.value).toFixed(1)}% of ${opts.relativeTo.name}` : '';
  return {
    instance, passed: t.passed, discrepancy: t.statistic, tolerance: t.threshold, stats: statsOf(t, opts.relativeTo),
    note: `${t.samples} ${opts.unit ?? 'batches'}, ${est.transitions} transitions; ${t.test}${rel}`,
  };
}

/**
 * Decides tr Var(A) ≤ tr Var(B) from paired estimates (each row: A's d numbers then B's).
 * The check fails when A is significantly noisier.
 */
export function varianceCheck(instance: string, est: BatchEstimates, alpha = CHECK_ALPHA): Check {
  const d = est.dim / 2, K = est.batches;
  const a = new Float64Array(K * d), b = new Float64Array(K * d);
  for (let k = 0; k < K; k++) {
    a.set(est.values.subarray(k * est.dim, k * est.dim + d), k * d);
    b.set(est.values.subarray(k * est.dim + d, (k + 1) * est.dim), k * d);
  }
  const t = varianceOrderTest(a, b, d, alpha);
  return {
    instance, passed: t.passed, discrepancy: t.statistic, tolerance: t.threshold, stats: statsOf(t),
    note: `tr Var(A) − tr Var(B) = ${t.effect.toExponential(2)} ± ${t.standardError.toExponential(1)} over ${K} paired batches`,
  };
}

/** Swaps the two halves of paired estimates (B then A): the reversed variance claim. */
export function swapPairs(est: BatchEstimates): BatchEstimates {
  const d = est.dim / 2;
  const v = new Float64Array(est.values.length);
  for (let k = 0; k < est.batches; k++) {
    v.set(est.values.subarray(k * est.dim + d, (k + 1) * est.dim), k * est.dim);
    v.set(est.values.subarray(k * est.dim, k * est.dim + d), k * est.dim + d);
  }
  return { ...est, values: v };
}
