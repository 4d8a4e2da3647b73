/**
 * The per-batch pipeline of `npm run bench:sampling`, as a task the sampling pool runs in
 * its workers (and the one-thread run calls stage by stage): reward-to-go, GAE and the
 * REINFORCE gradient, each stage one call to the real estimator in `src/estimators/` — no
 * formula is re-implemented here. The rollout itself is the pool's (the task receives the
 * batch).
 *
 * G_t and the GAE advantages go into buffers this module reuses from batch to batch
 * (`rewardToGoInto`, `gaeInto`): a fresh array of 10⁵ entries per stage and batch costs
 * more than the recursion that fills it (its pages are faulted in anew), and a training
 * loop would reuse its buffers too. `reinforceRewardToGo` computes its own G_t (it takes no
 * returns), so the reward-to-go recursion runs twice per batch on this side; the numpy
 * reference runs it once.
 */
import { gaeInto, reinforceRewardToGo, rewardToGoInto } from '../src/estimators/index.js';
import type { Policy } from '../src/policy/types.js';
import type { Batch } from '../src/sampling/batch.js';
import type { TaskContext } from '../src/sampling/map.js';

/** Options the bench passes to the task. */
export interface PipelineOptions {
  readonly values: Float64Array;
  readonly gamma: number;
  readonly lambda: number;
}

let returnsBuffer = new Float64Array(0), advantagesBuffer = new Float64Array(0);

/** The estimator stages, each one call to src/estimators. */
export const stages = {
  names: ['rewardToGoInto', 'gaeInto', 'reinforceRewardToGo'] as const,
  rewardToGo(b: Batch, gamma: number): Float64Array {
    if (returnsBuffer.length < b.size) returnsBuffer = new Float64Array(b.size);
    return rewardToGoInto(b, gamma, returnsBuffer);
  },
  gae(b: Batch, values: Float64Array, gamma: number, lambda: number): Float64Array {
    if (advantagesBuffer.length < b.size) advantagesBuffer = new Float64Array(b.size);
    return gaeInto(b, values, gamma, lambda, advantagesBuffer);
  },
  reinforce(b: Batch, policy: Policy, gamma: number): Float64Array {
    return reinforceRewardToGo(b, policy, gamma);
  },
};

/**
 * The whole per-batch pipeline after the rollout. Returns [mean undiscounted return per
 * episode, …∇̂J].
 */
export function pipeline(batch: Batch, ctx: TaskContext<PipelineOptions>): Float64Array {
  const { values, gamma, lambda } = ctx.options;
  stages.rewardToGo(batch, gamma);
  stages.gae(batch, values, gamma, lambda);
  const g = stages.reinforce(batch, ctx.policy, gamma);
  const out = new Float64Array(g.length + 1);
  out[0] = rolloutOnly(batch);
  out.set(g, 1);
  return out;
}

/** The rollout stage's checksum: the mean undiscounted return per episode. */
export function rolloutOnly(batch: Batch): number {
  let r = 0, episodes = 0;
  for (let i = 0; i < batch.size; i++) {
    r += batch.r_t[i]!;
    episodes += batch.terminated_t[i]! | batch.truncated_t[i]!;
  }
  return r / episodes;
}
