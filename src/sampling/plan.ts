/**
 * A plan of many independent batches — what the statistical harness draws thousands of:
 * K batches, each of N episodes or of one segment of E environments × T steps.
 *
 * Batch k is drawn from the stream `Rng.from(seed).split(k)`, and inside it exactly as the
 * single-batch samplers draw: for episodes, batch k equals
 * `sampleEpisodes(spec, { episodes: N, seed: Rng.from(seed).split(k), … })`; for segments,
 * it is segment number `skip` (counting from 0) of
 * `new SegmentCollector(spec, { envs: E, length: T, seed: Rng.from(seed).split(k), … })`.
 * So batch k does not depend on which thread draws it, nor on the other batches.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import { Rng } from '../stats/rng.js';
import type { Batch } from './batch.js';
import { BatchBuilder, DEFAULT_MAX_TRANSITIONS } from './builder.js';
import { capacityGuess, rolloutEpisodes } from './episodes.js';
import { SegmentCollector } from './segments.js';
import { checkCount, checkEpisodesEnd, checkKeys, checkStopping, type PreparedSampling, type StoppingOptions } from './spec.js';

/** Where each batch of a plan comes from. */
export type BatchSource =
  | (StoppingOptions & { readonly kind: 'episodes'; readonly episodes: number; readonly maxTransitions?: number })
  | (StoppingOptions & { readonly kind: 'segments'; readonly envs: number; readonly length: number; readonly skip?: number });

/** K independent batches from one seed. */
export interface BatchPlan {
  readonly source: BatchSource;
  /** The number of batches K. */
  readonly batches: number;
  /** A non-negative integer or a string (it crosses to worker threads). */
  readonly seed: number | string;
}

/** Throws typed errors for an invalid plan (and `SAMPLING_UNBOUNDED` for endless episodes). */
export function checkPlan(plan: BatchPlan, prep: PreparedSampling): void {
  checkKeys(plan, ['source', 'batches', 'seed'], 'plan');
  checkCount(plan.batches, 'plan.batches');
  if (!(typeof plan.seed === 'string' || (typeof plan.seed === 'number' && Number.isSafeInteger(plan.seed) && plan.seed >= 0))) fail('SAMPLING_OPTIONS', `plan.seed is ${show(plan.seed)}: expected a non-negative integer or a string`, { where: 'plan.seed', value: plan.seed });
  const src = plan.source;
  if (typeof src !== 'object' || src === null) fail('SAMPLING_OPTIONS', `plan.source is ${show(src)}: expected {kind: "episodes" | "segments", …}`, { where: 'plan.source' });
  checkStopping(src, 'plan.source');
  if (src.kind === 'episodes') {
    checkKeys(src, ['kind', 'episodes', 'maxSteps', 'geometric', 'maxTransitions'], 'plan.source');
    checkCount(src.episodes, 'plan.source.episodes');
    if (src.maxTransitions !== undefined) checkCount(src.maxTransitions, 'plan.source.maxTransitions');
    checkEpisodesEnd(prep, src);
  } else if (src.kind === 'segments') {
    checkKeys(src, ['kind', 'envs', 'length', 'skip', 'maxSteps', 'geometric'], 'plan.source');
    if (src.skip !== undefined && !(Number.isSafeInteger(src.skip) && src.skip >= 0)) fail('SAMPLING_COUNT', `plan.source.skip is ${show(src.skip)}: expected a non-negative integer`, { where: 'plan.source.skip', value: src.skip });
    new SegmentCollector(prep, { envs: src.envs, length: src.length, seed: 0 }); // validates envs and length
  } else {
    fail('SAMPLING_OPTIONS', `plan.source.kind is ${show((src as { kind: unknown }).kind)}: expected "episodes" or "segments"`, { where: 'plan.source.kind' });
  }
}

/** The builder a plan's batches are drawn into (reused from batch to batch). */
export function planBuilder(prep: PreparedSampling, src: BatchSource): BatchBuilder {
  const { numStates: S, numActions: A, gamma } = prep.mdp;
  const cap = src.kind === 'episodes' ? capacityGuess(src.episodes, src, gamma) : src.envs * src.length;
  return new BatchBuilder(S, A, gamma, cap, src.kind === 'episodes' ? src.maxTransitions : undefined);
}

/** The builder of the last finished plan call in this thread, kept for the next call of its shape. */
let spareBuilder: BatchBuilder | null = null;

/** A builder above this capacity (about 40 bytes per transition) is not kept between calls. */
const MAX_SPARE_CAPACITY = 1 << 20;

/**
 * A builder for the batches of `src`: the spare one of an earlier call when it fits (same
 * numStates, numActions, γ and cap on transitions), else {@link planBuilder}. The arrays of
 * a fresh builder are faulted in page by page as the first batch fills them, which costs
 * about as much as drawing that batch; a thread that runs plan after plan reuses one. Hand
 * it back with {@link releasePlanBuilder}; until then nobody else gets it (a task that
 * samples a plan of its own gets a new builder).
 */
export function takePlanBuilder(prep: PreparedSampling, src: BatchSource): BatchBuilder {
  const b = spareBuilder, { numStates: S, numActions: A, gamma } = prep.mdp;
  const cap = (src.kind === 'episodes' ? src.maxTransitions : undefined) ?? DEFAULT_MAX_TRANSITIONS;
  if (b === null || b.numStates !== S || b.numActions !== A || b.gamma !== gamma || b.maxTransitions !== cap) return planBuilder(prep, src);
  spareBuilder = null;
  return b;
}

/** Keeps `b` for the next {@link takePlanBuilder} (unless it is very large); the caller must not use it afterwards. */
export function releasePlanBuilder(b: BatchBuilder): void {
  if (b.capacity <= MAX_SPARE_CAPACITY) spareBuilder = b;
}

/**
 * Batch k of a plan, drawn into `b` (reset first); a batch of views into `b`. `planRoot` is
 * `Rng.from(plan.seed)`, which a caller drawing many batches derives once.
 */
export function drawPlanBatch(prep: PreparedSampling, plan: BatchPlan, k: number, b: BatchBuilder, planRoot: Rng = Rng.from(plan.seed)): Batch {
  const root = planRoot.split(k);
  const src = plan.source;
  b.reset();
  if (src.kind === 'episodes') {
    rolloutEpisodes(prep.tables, root, 0, src.episodes, src, b);
    return b.view();
  }
  const c = new SegmentCollector(prep, { envs: src.envs, length: src.length, seed: root, ...stopping(src) });
  for (let i = 0; i < (src.skip ?? 0); i++) c.nextInto(b);
  return c.nextInto(b);
}

function stopping(src: StoppingOptions): StoppingOptions {
  return { ...(src.maxSteps !== undefined ? { maxSteps: src.maxSteps } : {}), ...(src.geometric !== undefined ? { geometric: src.geometric } : {}) };
}
