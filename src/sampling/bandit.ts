/**
 * Draws of a one-step continuous bandit (src/exact/gaussian-bandit.ts) into a node-indexed
 * {@link Batch} (the layout of ./lqr.ts): draw i is an episode of one terminated transition
 * from node 2i to node 2i + 1, its action at `actions[2i·k …]`, its reward r(env action) and
 * `logp_t` = log π(action) of the sampling policy. The policy is N(μ, σ²) per dimension, or
 * its tanh squashing: then the stored action is the **pre-squash u**, the environment gets
 * tanh(u), and logp_t = log N(u) − Σ log(1 − tanh² u) (src/policy/gaussian.ts). `clip`
 * models an environment that clips the action to [lo, hi] before computing the reward; the
 * stored action stays the sampled one (what the score must be taken at).
 *
 * @module
 */
import { fail, show } from '../errors.js';
import { checkGaussianRow, gaussianLogProbRow, gaussianSampleRow, tanhGaussianLogProbRow } from '../policy/gaussian.js';
import type { Rng } from '../stats/rng.js';
import { allocateBatch, type Batch } from './batch.js';

/** Sampled bandit draws. */
export interface BanditDraws {
  readonly batch: Batch;
  /** The sampled action (pre-squash u when squashed) of draw i at node 2i, nodes × k. */
  readonly actions: Float64Array;
  /** The action the environment received (tanh u, or the clipped a), draws × k. */
  readonly envActions: Float64Array;
  readonly numNodes: number;
}

/** Options of {@link sampleGaussianBandit}. */
export interface BanditSamplingOptions {
  readonly squashed?: boolean;
  /** The environment's action bounds [lo, hi], applied to every dimension. */
  readonly clip?: readonly [number, number];
}

/**
 * Draws `draws` one-step episodes of the Gaussian (or tanh-Gaussian) policy (μ, log σ) and
 * rewards `reward(envActions, i·k)` (module comment). Throws `SAMPLING_COUNT` for a bad count and
 * `checkGaussianRow`'s errors for a bad (μ, log σ).
 */
export function sampleGaussianBandit(mu: ArrayLike<number>, logStd: ArrayLike<number>, k: number, draws: number, reward: (a: Float64Array, off: number) => number, rng: Rng, opts: BanditSamplingOptions = {}): BanditDraws {
  if (!(Number.isSafeInteger(draws) && draws >= 1)) fail('SAMPLING_COUNT', `draws is ${show(draws)}: it must be a positive integer`, { where: 'draws', value: draws });
  checkGaussianRow(mu, 0, logStd, 0, k, 'bandit policy');
  const numNodes = 2 * draws, batch = allocateBatch(draws, numNodes, 1, 1);
  const actions = new Float64Array(numNodes * k), envActions = new Float64Array(draws * k);
  const [lo, hi] = opts.clip ?? [-Infinity, Infinity];
  for (let i = 0; i < draws; i++) {
    const ao = 2 * i * k, eo = i * k;
    gaussianSampleRow(rng, mu, 0, logStd, 0, k, actions, ao);
    for (let j = 0; j < k; j++) {
      const a = actions[ao + j]!;
      envActions[eo + j] = Math.min(hi, Math.max(lo, opts.squashed ? Math.tanh(a) : a));
    }
    batch.s_t[i] = 2 * i; batch.s_tp1[i] = 2 * i + 1; batch.episode_t[i] = i; batch.terminated_t[i] = 1;
    batch.r_t[i] = reward(envActions, eo);
    batch.logp_t[i] = opts.squashed ? tanhGaussianLogProbRow(actions, ao, mu, 0, logStd, 0, k) : gaussianLogProbRow(actions, ao, mu, 0, logStd, 0, k);
  }
  return { batch, actions, envActions, numNodes };
}
