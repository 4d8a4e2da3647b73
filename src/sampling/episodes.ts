/**
 * Rollouts of whole episodes into a {@link Batch}.
 *
 * **Streams.** Episodes come in blocks of {@link EPISODE_BLOCK}: episode i is drawn from the
 * stream `root.split(⌊i / 16⌋)` (root = `Rng.from(seed)`, or the `Rng` given as the seed),
 * right after the earlier episodes of its block, and gets `episode_t = i`. Which thread
 * samples a block, and in which order, cannot change a single bit. (One stream per block
 * rather than per episode: deriving a stream costs as much as about a hundred random words.)
 *
 * **Episodes.** s_0 ∼ p0, then transitions with the draws of ./tables.ts until the episode
 * ends:
 *
 * - **terminated** (`terminated_t = 1`): s_tp1 is a terminal state;
 * - **truncated** (`truncated_t = 1`) by the time limit: the transition at t = maxSteps − 1;
 *   s_tp1 is the true next state, drawn from P(·|s_t,a_t) like any other;
 * - **truncated** by geometric stopping, when asked: the episode stops after each transition
 *   that did not terminate with probability 1 − γ (drawn as one length cap
 *   L ∼ Geometric(1 − γ) at the start: `geometricLength`). Step t is then reached with
 *   probability γ^t times the probability that the MDP has not terminated, so for any f
 *
 *   $$\mathbb{E}\Big[\sum_{t<L} f(s_t,a_t)\Big] = \sum_t \gamma^t\,\mathbb{E}[f(s_t,a_t)] = \sum_s \eta(s) \sum_a \pi(a|s) f(s,a):$$
 *
 *   the expected visit count of (s,a) in one episode is η(s)π(a|s) (s non-terminal), the
 *   pooled states of a batch are distributed as d = η/Ση (renormalized over the non-terminal
 *   states, where the MDP has terminal ones), the state s_{L−1} at which an episode stops
 *   geometrically is an exact draw from that same distribution, and *undiscounted* sums
 *   estimate *discounted* quantities (Σ_t r_t estimates J). That is what it is for:
 *   sampling s ∼ d for the policy gradient theorem, and unbiased Monte-Carlo estimates of
 *   discounted values without γ^t weights. A geometric stop is flagged as a truncation
 *   because the MDP did not end and s_tp1 is the true next state: an estimator that
 *   discounts by γ may bootstrap from γV(s_tp1) there (the stop is independent of the
 *   future); one that relies on the stop as its discounting (undiscounted sums) must not.
 *   The batch does not record which kind of truncation happened; the caller knows what it
 *   asked for.
 *
 * With γ = 1, geometric stopping never stops. A time limit does not change the draws: an
 * episode with a limit is a prefix of the same episode without one.
 *
 * @module
 */
import { fail } from '../errors.js';
import type { Rng } from '../stats/rng.js';
import type { Batch } from './batch.js';
import { BatchBuilder } from './builder.js';
import { checkCount, checkEpisodesEnd, checkKeys, checkStopping, prepareSampling, rootRng, type SamplingSpec, type Seed, type StoppingOptions } from './spec.js';
import { episodeLimit, runEpisode } from './kernel.js';
import { drawAlias } from './alias.js';
import type { SamplerTables } from './tables.js';

/** Options of {@link sampleEpisodes}. */
export interface EpisodeOptions extends StoppingOptions {
  /** The number of episodes N (episode ids 0 … N−1). */
  readonly episodes: number;
  readonly seed: Seed;
  /** A cap on the batch's transitions; `TOO_LARGE` beyond it (default 5·10⁷). */
  readonly maxTransitions?: number;
}

/** The option names {@link sampleEpisodes} accepts. */
export const EPISODE_OPTION_KEYS = ['episodes', 'seed', 'maxSteps', 'geometric', 'maxTransitions'] as const;

/** The number of episodes that share one random stream (see the module comment). */
export const EPISODE_BLOCK = 16;

/** Appends one episode drawn from `rng` with id `id` to `b`; `maxSteps = 0` means no limit. */
export function rolloutEpisode(T: SamplerTables, rng: Rng, b: BatchBuilder, id: number, maxSteps: number, geometric: boolean): void {
  const s0 = drawAlias(T.initial, 0, rng);
  runEpisode(T, rng, b, s0, 0, episodeLimit(T, rng, maxSteps, geometric), id, Infinity);
}

/**
 * Appends episodes `first … first+count−1` (`first` a multiple of {@link EPISODE_BLOCK}),
 * episode i with id i, block j drawn from `root.split(j)`.
 */
export function rolloutEpisodes(T: SamplerTables, root: Rng, first: number, count: number, stop: StoppingOptions, b: BatchBuilder): void {
  if (first % EPISODE_BLOCK !== 0) fail('SAMPLING_OPTIONS', `episode ranges start at a multiple of ${EPISODE_BLOCK}, got ${first}`, { where: 'first', value: first });
  const maxSteps = stop.maxSteps ?? 0, geometric = stop.geometric ?? false;
  let rng = root;
  for (let i = first; i < first + count; i++) {
    if (i % EPISODE_BLOCK === 0) rng = root.split(i / EPISODE_BLOCK);
    rolloutEpisode(T, rng, b, i, maxSteps, geometric);
  }
}

/** A first guess at the size of a batch of `n` episodes (the builder grows as needed). */
export function capacityGuess(n: number, stop: StoppingOptions, gamma: number): number {
  const len = stop.maxSteps ?? (stop.geometric && gamma < 1 ? 1 / (1 - gamma) : 64);
  return Math.min(Math.ceil(n * Math.min(len, 1e6)) + 16, 1 << 22);
}

/**
 * A batch of N episodes of `spec.behaviour ?? spec.policy` in `spec.mdp` (streams: see the
 * module comment). Episodes end at a terminal state, at `maxSteps`, or by geometric
 * stopping when `geometric` is set (see the module comment). Throws `SAMPLING_*` for an
 * invalid request, `SAMPLING_UNBOUNDED` when episodes could run forever, and `TOO_LARGE`
 * when the batch would exceed `maxTransitions`.
 */
export function sampleEpisodes(spec: SamplingSpec, opts: EpisodeOptions): Batch {
  checkKeys(opts, EPISODE_OPTION_KEYS, 'options');
  const n = checkCount(opts.episodes, 'episodes');
  checkStopping(opts, 'options');
  const cap = opts.maxTransitions === undefined ? undefined : checkCount(opts.maxTransitions, 'maxTransitions');
  const root = rootRng(opts.seed);
  const prep = prepareSampling(spec);
  checkEpisodesEnd(prep, opts);
  const { numStates: S, numActions: A, gamma } = prep.mdp;
  const b = new BatchBuilder(S, A, gamma, capacityGuess(n, opts, gamma), cap);
  rolloutEpisodes(prep.tables, root, 0, n, opts, b);
  return b.take();
}
