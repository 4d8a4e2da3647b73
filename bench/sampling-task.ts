/**
 * The per-batch pipeline of `npm run bench:sampling`, as a task the sampling pool runs in
 * its workers (and the one-thread run calls directly): reward-to-go, GAE and the REINFORCE
 * gradient, each stage one call to the real estimator in `src/estimators/` — no formula is
 * re-implemented here. The rollout itself is the pool's (the task receives the batch).
 *
 * The estimators live on another branch until they are merged; this module loads them if
 * they are there, under the signatures of the sampling brief (`rewardToGo(batch, γ)`,
 * `gae(batch, values, γ, λ)`, `reinforceGradient(batch, policy, returns, γ)`) or the names
 * the estimators branch uses (`reinforceRewardToGo(batch, policy, γ)`), and otherwise runs
 * the rollout stage alone and says so.
 */
import type { Batch } from '../src/sampling/batch.js';
import type { TaskContext } from '../src/sampling/map.js';
import type { Policy } from '../src/policy/types.js';

/** Options the bench passes to the task. */
export interface PipelineOptions {
  readonly values: Float64Array;
  readonly gamma: number;
  readonly lambda: number;
}

type Fn = (...args: never[]) => unknown;
type Estimators = Record<string, Fn | undefined>;

/** The estimator stages, each one call; null when src/estimators is not on this branch. */
export interface Stages {
  readonly rewardToGo: (b: Batch, gamma: number) => Float64Array;
  readonly gae: (b: Batch, values: Float64Array, gamma: number, lambda: number) => unknown;
  readonly reinforce: (b: Batch, policy: Policy, returns: Float64Array, gamma: number) => Float64Array;
  /** Which functions were found. */
  readonly names: readonly string[];
}

function bindStages(e: Estimators): Stages | null {
  const call = (f: Fn | undefined) => f as unknown as (...args: unknown[]) => unknown;
  const rtg = e.rewardToGo, gae = e.gae, rg = e.reinforceGradient, rrtg = e.reinforceRewardToGo;
  if (!rtg || !gae || !(rg || rrtg)) return null;
  return {
    rewardToGo: (b, g) => call(rtg)(b, g) as Float64Array,
    gae: (b, v, g, l) => call(gae)(b, v, g, l),
    reinforce: rg ? (b, p, G, g) => call(rg)(b, p, G, g) as Float64Array : (b, p, _G, g) => call(rrtg)(b, p, g) as Float64Array,
    names: ['rewardToGo', 'gae', rg ? 'reinforceGradient' : 'reinforceRewardToGo'],
  };
}

const estimatorsPath = '../src/estimators/index.js';
/** The stages, or null when the estimators are not available. */
export const stages: Stages | null = await import(estimatorsPath).then((m: Estimators) => bindStages(m), () => null);

/**
 * The whole per-batch pipeline after the rollout. Returns [mean undiscounted return per
 * episode, …∇̂J], or just the mean return when the estimators are not available.
 */
export function pipeline(batch: Batch, ctx: TaskContext<PipelineOptions>): Float64Array | number {
  const { values, gamma, lambda } = ctx.options;
  if (stages === null) return rolloutOnly(batch);
  const G = stages.rewardToGo(batch, gamma);
  stages.gae(batch, values, gamma, lambda);
  const g = stages.reinforce(batch, ctx.policy, G, gamma);
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
