/**
 * Fixed-length segments, as A2C and PPO collect them: E environments each advance
 * `length` = T steps per segment, episodes run on across segment boundaries, and a
 * segment's batch holds E·T transitions, environment by environment: transitions
 * `e·T … e·T + T − 1` belong to environment e, in time order.
 *
 * - An episode that ends inside a segment (terminal state, time limit, geometric stop) is
 *   followed at once by a new one from p0 in the same environment (t_index restarts at 0).
 * - A segment's last transition of each environment is **truncated** unless it is terminal:
 *   the MDP goes on, s_tp1 is the true next state, and the next segment continues the same
 *   episode from s_tp1 with t_index one larger. An episode that also hit its time limit or a
 *   geometric stop there starts afresh in the next segment (t_index 0).
 * - Environment e draws from its own stream `root.split(e)`, in the order of ./tables.ts,
 *   and the draws do not depend on T: cutting a stream into segments changes only the end
 *   flags at the cuts and the episode ids, never a state, action or reward.
 * - Episode ids count episode *fragments* over the collector's life: each environment's
 *   first transition of a segment starts a fragment, so ids are consecutive within a batch
 *   and increase from batch to batch; a fragment continues an earlier one when its first
 *   t_index is positive.
 *
 * @module
 */
import type { Rng } from '../stats/rng.js';
import type { Batch } from './batch.js';
import { BatchBuilder } from './builder.js';
import { episodeLimit, runEpisode } from './kernel.js';
import { checkCount, checkHorizon, checkKeys, checkStopping, prepareSampling, rootRng, type PreparedSampling, type SamplingSpec, type Seed, type StoppingOptions } from './spec.js';
import { drawAlias } from './alias.js';

/** Options of {@link SegmentCollector}. */
export interface SegmentOptions extends StoppingOptions {
  /** The number of parallel environments E. */
  readonly envs: number;
  /** Steps per environment per segment, T. */
  readonly length: number;
  readonly seed: Seed;
}

/** The option names {@link SegmentCollector} accepts. */
export const SEGMENT_OPTION_KEYS = ['envs', 'length', 'seed', 'maxSteps', 'geometric'] as const;

/** The largest segment batch, E·T. */
export const MAX_SEGMENT_SIZE = 50_000_000;

/** Collects consecutive segments of E environments × T steps. */
export class SegmentCollector {
  readonly envs: number;
  readonly length: number;
  /** Segments collected so far. */
  collected = 0;
  private readonly prep: PreparedSampling;
  private readonly maxSteps: number;
  private readonly geometric: boolean;
  private readonly rngs: Rng[];
  private readonly state: Int32Array;
  private readonly time: Int32Array;
  /** The step count at which each environment's current episode is truncated (∞: none). */
  private readonly limit: Float64Array;
  /** 1 where the environment starts a new episode at its next step. */
  private readonly fresh: Uint8Array;
  private nextId = 0;

  /** Validates the request (typed `SAMPLING_*` errors) and starts E fresh episodes. */
  constructor(spec: SamplingSpec | PreparedSampling, opts: SegmentOptions) {
    checkKeys(opts, SEGMENT_OPTION_KEYS, 'options');
    this.envs = checkCount(opts.envs, 'envs');
    this.length = checkHorizon(opts.length, 'length');
    checkCount(this.envs * this.length, 'envs × length', MAX_SEGMENT_SIZE);
    checkStopping(opts, 'options');
    const root = rootRng(opts.seed);
    this.prep = 'tables' in spec ? spec : prepareSampling(spec);
    this.maxSteps = opts.maxSteps ?? 0;
    this.geometric = opts.geometric ?? false;
    this.rngs = Array.from({ length: this.envs }, (_, e) => root.split(e));
    this.state = new Int32Array(this.envs);
    this.time = new Int32Array(this.envs);
    this.limit = new Float64Array(this.envs);
    this.fresh = new Uint8Array(this.envs).fill(1);
  }

  /** A builder the size of one segment, for {@link SegmentCollector.nextInto}. */
  builder(): BatchBuilder {
    const { numStates: S, numActions: A, gamma } = this.prep.mdp;
    return new BatchBuilder(S, A, gamma, this.envs * this.length);
  }

  /** The next segment as a batch that owns its arrays. */
  next(): Batch {
    const b = this.builder();
    this.fill(b);
    return b.take();
  }

  /** The next segment written into `b` (reset first); a batch of views into `b`. */
  nextInto(b: BatchBuilder): Batch {
    while (b.capacity < this.envs * this.length) b.grow();
    this.fill(b);
    return b.view();
  }

  private fill(b: BatchBuilder): void {
    b.reset();
    for (let e = 0; e < this.envs; e++) this.advance(e, b);
    this.collected++;
  }

  /** Starts a new episode in environment e: s_0 ∼ p0, t = 0, and its length cap. */
  private begin(e: number, rng: Rng): void {
    const T = this.prep.tables;
    this.state[e] = drawAlias(T.initial, 0, rng);
    this.time[e] = 0;
    this.limit[e] = episodeLimit(T, rng, this.maxSteps, this.geometric);
    this.fresh[e] = 0;
  }

  /** Environment e's T steps of this segment, appended to `b`; a new id per episode fragment. */
  private advance(e: number, b: BatchBuilder): void {
    const T = this.prep.tables, rng = this.rngs[e]!;
    for (let k = 0; ;) {
      if (this.fresh[e]) this.begin(e, rng);
      k += runEpisode(T, rng, b, this.state[e]!, this.time[e]!, this.limit[e]!, this.nextId++, this.length - k);
      const last = b.size - 1;
      this.fresh[e] = b.terminated_t[last]! | b.truncated_t[last]!; // set when the episode ended
      this.state[e] = b.s_tp1[last]!;
      this.time[e] = b.t_index[last]! + 1;
      if (k === this.length) break;
    }
    const last = b.size - 1;
    if (!b.terminated_t[last]) b.truncated_t[last] = 1; // the segment cuts the episode
  }
}
