/**
 * A2C: the synchronous A3C of Mnih et al. 2016 (Lehmann 2024, §4.2; the n-step advantage of
 * eq. 14, GAE of Algorithm 7 / eq. 19 as Lehmann's implementation uses it). Per update:
 *
 * 1. collect T steps in each of N environments (`SegmentRollout`);
 * 2. advantages Â_t = GAE(γ, λ) under the critic's table V (`gae`; λ = 1 gives the
 *    n-step form of eq. 14 with n reaching to the segment end), optionally normalized (`normalizeAdvantages`);
 * 3. the policy loss gradient −(1/E) Σ γ^t ∇log π(a_t|s_t) Â_t (`actorCriticGradient`) plus the
 *    entropy bonus's −c ∇H (`entropyBonus`), one Adam step after global-norm clipping;
 * 4. the critic fitted to the λ-returns Â_t + V(s_t) (`valueTargets`).
 *
 * @module
 */
import { actorCriticGradient } from '../estimators/actorcritic.js';
import { entropyBonus } from '../estimators/entropy.js';
import { normalizeAdvantages } from '../estimators/normalize.js';
import type { FiniteMDP } from '../mdp/model.js';
import { Adam } from '../optim/adam.js';
import { linearDecay } from '../optim/schedule.js';
import { addGradients, ExactWatcher, k3Estimate, optimizerStep, resolveHyperparameters, withTimeLimit, initialPolicy, type LearnerResult, type LearnerRunOptions } from './common.js';
import { DEFAULT_VALUE_LR, ValueTable } from './critic.js';
import { SegmentRollout } from './rollout.js';

/**
 * A2C's hyperparameters. Lehmann 2024, Table 2: 8 environments, Adam 3e-4 decayed linearly,
 * clip 0.5, γ from the MDP, GAE λ 0.95, 1 epoch, advantages normalized, entropy coefficient
 * 0.1. **Adapted to tabular problems:** segments of 32 steps (not 2048: a 16-state MDP needs
 * far fewer samples per update), policy learning rate 0.05, and a value table fitted by 10
 * Adam steps at 0.5 per update (one step at 3e-4 would leave a table of returns near −20 at 0
 * for thousands of updates; see {@link DEFAULT_VALUE_LR} for why 0.5 and not 0.1).
 */
export const A2C_DEFAULTS = {
  updates: 200,
  /** N environments. */
  envs: 8,
  /** T steps per environment per segment. */
  length: 32,
  /** The episodes' time limit; 0 = automatic: 200 for γ = 1, ⌈4/(1 − γ)⌉ for γ < 1 (`episodeTimeLimit`). */
  maxEpisodeSteps: 0,
  lr: 0.05,
  lrDecay: true,
  maxGradNorm: 0.5,
  lambda: 0.95,
  normalizeAdvantages: true,
  /** c of the entropy bonus −c·H (Lehmann: 0.1; Fig. 6: 0 and 0.01 collapse). */
  entropyCoef: 0.1,
  /** Policy steps per batch (Lehmann: 1; Fig. 7: 5). */
  epochs: 1,
  /** Adam's rate for the value table (critic lag: {@link DEFAULT_VALUE_LR}). */
  valueLr: DEFAULT_VALUE_LR,
  valueEpochs: 10,
};
export type A2cHyperparameters = typeof A2C_DEFAULTS;

const RANGES = { updates: [1, 1e6], envs: [1, 4096], length: [1, 1e6], maxEpisodeSteps: [0, 1e6], lr: [0, 1e3], maxGradNorm: [0, 1e6], lambda: [0, 1], entropyCoef: [0, 1e3], epochs: [1, 1000], valueLr: [0, 1e3], valueEpochs: [0, 1e4] } as const;
const INTEGERS = ['updates', 'envs', 'length', 'maxEpisodeSteps', 'epochs', 'valueEpochs'];

/** Runs A2C on `mdp` from `opts.policy` (default: the uniform softmax policy) and a zero value table. */
export function runA2c(mdp: FiniteMDP, given: Partial<A2cHyperparameters>, opts: LearnerRunOptions): LearnerResult {
  const hp = withTimeLimit(resolveHyperparameters('a2c', A2C_DEFAULTS, given, RANGES, INTEGERS), mdp.gamma);
  const policy = initialPolicy(mdp, opts), gamma = mdp.gamma;
  const critic = new ValueTable(mdp.numStates, hp.valueLr);
  const opt = new Adam(policy.theta.length, { lr: hp.lr });
  const lr = hp.lrDecay ? linearDecay(hp.lr, hp.updates) : () => hp.lr;
  const rollout = new SegmentRollout(mdp, hp.envs, hp.length, hp.maxEpisodeSteps, opts.seed);
  const watcher = new ExactWatcher(mdp, policy, opts.onRecord);
  let samples = 0;
  for (let n = 0; n < hp.updates; n++) {
    // 1. N environments × T steps with π_θ.
    const batch = rollout.collect(policy);
    samples += batch.size;
    // 2. GAE under the critic, and the critic's targets (the λ-returns).
    const { values, adv, targets } = critic.advantages(batch, gamma, hp.lambda);
    const advantages = hp.normalizeAdvantages ? normalizeAdvantages(adv) : adv;
    for (let epoch = 0; epoch < hp.epochs; epoch++) {
      // 3. −ĝ = −(1/E) Σ γ^t ∇log π Â, plus −c∇H; clip; Adam.
      const pg = actorCriticGradient(batch, policy, gamma, advantages).map((x) => -x);
      const lossGradient = hp.entropyCoef > 0 ? addGradients(pg, entropyBonus(batch, policy, gamma, hp.entropyCoef).gradient) : pg;
      opts.probe?.({ update: n, step: epoch, batch, values, indices: null, theta: Float64Array.from(policy.theta), direction: lossGradient });
      optimizerStep(opt, policy.theta, lossGradient, lr(n), hp.maxGradNorm);
    }
    // 4. The critic's regression on the λ-returns.
    const valueLoss = critic.fit(batch, targets, hp.valueEpochs);
    watcher.record(samples, policy, k3Estimate(batch, policy), { valueLoss });
  }
  return { curve: watcher.curve('a2c', opts.label ?? 'mdp', opts.seed, hp), policy, values: critic.values() };
}
