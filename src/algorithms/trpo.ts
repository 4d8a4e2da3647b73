/**
 * TRPO (Schulman et al. 2015; Lehmann 2024, §4.3 and Table 1): per update,
 *
 * 1. collect T steps in each of N environments (`SegmentRollout`);
 * 2. GAE(γ, λ) advantages under the critic (`gae`), normalized (`normalizeAdvantages`);
 * 3. one natural-gradient step (`trpoStep` of `src/algorithms/trpo-step.ts`): g = ∇L of the
 *    importance-weighted surrogate (`trpoSurrogate`), x ≈ (F̂ + λI)⁻¹g by conjugate gradient on
 *    sampled Fisher–vector products (`fisherVectorProduct`, `conjugateGradient`), the full step
 *    √(2δ / xᵀF̂x)·x, then the backtracking line search (`backtrackingLineSearch`) that accepts
 *    the first shrink^j fraction keeping the batch's mean KL ≤ δ and improving the surrogate;
 *    no accepted step leaves θ unchanged;
 * 4. the critic fitted to the λ-returns (`valueTargets`), `valueEpochs` steps (Lehmann: 10).
 *
 * The step is taken by the estimator functions, not by an optimizer object: TRPO has no
 * learning rate. (Moving `trpoStep` into this folder is planned in another issue.)
 *
 * @module
 */
import { normalizeAdvantages } from '../estimators/normalize.js';
import { trpoStep } from './trpo-step.js';
import type { FiniteMDP } from '../mdp/model.js';
import { ExactWatcher, k3Estimate, resolveHyperparameters, withTimeLimit, initialPolicy, type LearnerResult, type LearnerRunOptions } from './common.js';
import { DEFAULT_VALUE_LR, ValueTable } from './critic.js';
import { SegmentRollout } from './rollout.js';

/**
 * TRPO's hyperparameters. Lehmann 2024, Table 2: δ = 0.01, CG damping 0.1, 10 CG iterations,
 * 10 line-search steps, shrink 0.8, GAE λ 0.95, advantages normalized, 8 environments, value
 * network 10 epochs. **Adapted to tabular problems:** segments of 32 steps, value table by Adam
 * at 0.5 ({@link DEFAULT_VALUE_LR}). The line search's accept ratio (required fraction of the predicted improvement)
 * is the estimator's default 0.1.
 */
export const TRPO_DEFAULTS = {
  updates: 100,
  envs: 8,
  length: 32,
  /** The episodes' time limit; 0 = automatic: 200 for γ = 1, ⌈4/(1 − γ)⌉ for γ < 1 (`episodeTimeLimit`). */
  maxEpisodeSteps: 0,
  /** The trust-region radius δ on the batch's mean KL. */
  maxKl: 0.01,
  damping: 0.1,
  cgIterations: 10,
  lineSearchSteps: 10,
  shrink: 0.8,
  lambda: 0.95,
  normalizeAdvantages: true,
  /** Adam's rate for the value table (critic lag: {@link DEFAULT_VALUE_LR}). */
  valueLr: DEFAULT_VALUE_LR,
  valueEpochs: 10,
};
export type TrpoHyperparameters = typeof TRPO_DEFAULTS;

const RANGES = { updates: [1, 1e6], envs: [1, 4096], length: [1, 1e6], maxEpisodeSteps: [0, 1e6], maxKl: [1e-12, 1e3], damping: [0, 1e6], cgIterations: [1, 1000], lineSearchSteps: [1, 1000], shrink: [1e-6, 1 - 1e-6], lambda: [0, 1], valueLr: [0, 1e3], valueEpochs: [0, 1e4] } as const;
const INTEGERS = ['updates', 'envs', 'length', 'maxEpisodeSteps', 'cgIterations', 'lineSearchSteps', 'valueEpochs'];

/** Runs TRPO on `mdp` from `opts.policy` (default: the uniform softmax policy) and a zero value table. */
export function runTrpo(mdp: FiniteMDP, given: Partial<TrpoHyperparameters>, opts: LearnerRunOptions): LearnerResult {
  const hp = withTimeLimit(resolveHyperparameters('trpo', TRPO_DEFAULTS, given, RANGES, INTEGERS), mdp.gamma);
  const policy = initialPolicy(mdp, opts), gamma = mdp.gamma;
  const critic = new ValueTable(mdp.numStates, hp.valueLr);
  const rollout = new SegmentRollout(mdp, hp.envs, hp.length, hp.maxEpisodeSteps, opts.seed);
  const watcher = new ExactWatcher(mdp, policy, opts.onRecord);
  let samples = 0;
  for (let n = 0; n < hp.updates; n++) {
    // 1. N environments × T steps with π_θ.
    const batch = rollout.collect(policy);
    samples += batch.size;
    // 2. GAE under the critic; the critic's targets.
    const { values, adv, targets } = critic.advantages(batch, gamma, hp.lambda);
    const advantages = hp.normalizeAdvantages ? normalizeAdvantages(adv) : adv;
    // 3. Conjugate gradient on F̂x = g, the step to the KL boundary, the line search.
    const theta0 = Float64Array.from(policy.theta);
    const step = trpoStep(batch, policy, gamma, advantages, { maxKl: hp.maxKl, damping: hp.damping, cgIterations: hp.cgIterations, maxBacktracks: hp.lineSearchSteps, shrink: hp.shrink });
    opts.probe?.({ update: n, step: 0, batch, values, indices: null, theta: theta0, direction: step.theta.map((x, k) => x - theta0[k]!) });
    policy.theta.set(step.theta);
    // 4. The critic's regression on the λ-returns.
    const valueLoss = critic.fit(batch, targets, hp.valueEpochs);
    watcher.record(samples, policy, k3Estimate(batch, policy), { stepFraction: step.stepFraction, accepted: step.accepted ? 1 : 0, batchMeanKl: step.kl, cgResidual: step.cgResidual, valueLoss });
  }
  return { curve: watcher.curve('trpo', opts.label ?? 'mdp', opts.seed, hp), policy, values: critic.values() };
}
