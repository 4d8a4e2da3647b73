/**
 * PPO with the clipped surrogate (Schulman et al. 2017; Lehmann 2024, §4.4, eq. 18). Per update:
 *
 * 1. collect T steps in each of N environments (`SegmentRollout`), π_old = π_θ;
 * 2. GAE(γ, λ) advantages under the critic (`gae`) and the λ-return targets (`valueTargets`);
 * 3. for each of K epochs, for each of M minibatches (a shuffle cut into M pieces,
 *    `minibatchIndices`): advantages of the minibatch normalized (`normalizeAdvantages`, as an
 *    option), the loss −L^CLIP with
 *    $L^{CLIP} = \frac1{|B|}\sum_{i\in B}\gamma^{t_i}\min(\rho_i \hat A_i, \operatorname{clip}(\rho_i, 1-\epsilon, 1+\epsilon)\hat A_i)$
 *    and its gradient (`ppoClipSurrogate`), plus the entropy bonus (`entropyBonus`) when c > 0;
 *    clip the global norm; one Adam step;
 * 4. the critic fitted to the targets.
 *
 * @module
 */
import { entropyBonus } from '../estimators/entropy.js';
import { normalizeAdvantages } from '../estimators/normalize.js';
import { ppoClipSurrogate } from '../estimators/ppo.js';
import type { FiniteMDP } from '../mdp/model.js';
import { Adam } from '../optim/adam.js';
import { linearDecay } from '../optim/schedule.js';
import { Rng } from '../stats/rng.js';
import { addGradients, ExactWatcher, k3Estimate, optimizerStep, resolveHyperparameters, withTimeLimit, initialPolicy, type LearnerResult, type LearnerRunOptions } from './common.js';
import { DEFAULT_VALUE_LR, ValueTable } from './critic.js';
import { gather, minibatch, minibatchIndices, SegmentRollout } from './rollout.js';

/**
 * PPO's hyperparameters. Lehmann 2024, Table 2: ε = 0.2, 10 epochs, 8 minibatches, 8
 * environments, GAE λ 0.95, advantages normalized, no entropy bonus, Adam 3e-4 decayed
 * linearly, clip 0.5. **Adapted to tabular problems:** segments of 32 steps (256 transitions
 * per update, minibatches of 32), policy learning rate 0.01 (ten epochs of eight Adam steps each
 * move a logit by up to ~0.8 per update at this rate), value table by Adam at 0.5 ({@link DEFAULT_VALUE_LR}).
 */
export const PPO_DEFAULTS = {
  updates: 100,
  envs: 8,
  length: 32,
  /** The episodes' time limit; 0 = automatic: 200 for γ = 1, ⌈4/(1 − γ)⌉ for γ < 1 (`episodeTimeLimit`). */
  maxEpisodeSteps: 0,
  lr: 0.01,
  lrDecay: true,
  maxGradNorm: 0.5,
  /** The clip ε. */
  clip: 0.2,
  epochs: 10,
  minibatches: 8,
  lambda: 0.95,
  /** Normalize the advantages per minibatch (cleanrl's `norm_adv`). */
  normalizeAdvantages: true,
  entropyCoef: 0,
  /** Adam's rate for the value table (critic lag: {@link DEFAULT_VALUE_LR}). */
  valueLr: DEFAULT_VALUE_LR,
  valueEpochs: 10,
};
export type PpoHyperparameters = typeof PPO_DEFAULTS;

const RANGES = { updates: [1, 1e6], envs: [1, 4096], length: [1, 1e6], maxEpisodeSteps: [0, 1e6], lr: [0, 1e3], maxGradNorm: [0, 1e6], clip: [0, 1e3], epochs: [1, 1000], minibatches: [1, 1e6], lambda: [0, 1], entropyCoef: [0, 1e3], valueLr: [0, 1e3], valueEpochs: [0, 1e4] } as const;
const INTEGERS = ['updates', 'envs', 'length', 'maxEpisodeSteps', 'epochs', 'minibatches', 'valueEpochs'];

/** Runs PPO on `mdp` from `opts.policy` (default: the uniform softmax policy) and a zero value table. */
export function runPpo(mdp: FiniteMDP, given: Partial<PpoHyperparameters>, opts: LearnerRunOptions): LearnerResult {
  const hp = withTimeLimit(resolveHyperparameters('ppo', PPO_DEFAULTS, given, RANGES, INTEGERS), mdp.gamma);
  const policy = initialPolicy(mdp, opts), gamma = mdp.gamma;
  const critic = new ValueTable(mdp.numStates, hp.valueLr);
  const opt = new Adam(policy.theta.length, { lr: hp.lr });
  const lr = hp.lrDecay ? linearDecay(hp.lr, hp.updates) : () => hp.lr;
  const rollout = new SegmentRollout(mdp, hp.envs, hp.length, hp.maxEpisodeSteps, opts.seed);
  const shuffles = Rng.from(opts.seed).split(3);
  const watcher = new ExactWatcher(mdp, policy, opts.onRecord);
  let samples = 0;
  for (let n = 0; n < hp.updates; n++) {
    // 1. N environments × T steps with π_old = π_θ (its log-probabilities are the batch's logp_t).
    const batch = rollout.collect(policy);
    samples += batch.size;
    // 2. GAE under the critic; the critic's targets.
    const { values, adv, targets } = critic.advantages(batch, gamma, hp.lambda);
    const rng = shuffles.split(n);
    let step = 0, lastLoss = 0;
    for (let epoch = 0; epoch < hp.epochs; epoch++) {
      for (const indices of minibatchIndices(batch.size, Math.min(hp.minibatches, batch.size), rng)) {
        // 3. The clipped surrogate on the minibatch (ratios against logp_t), clip, Adam.
        const mb = minibatch(batch, indices);
        const mbAdv = hp.normalizeAdvantages ? normalizeAdvantages(gather(adv, indices)) : gather(adv, indices);
        const surrogate = ppoClipSurrogate(mb, policy, gamma, mbAdv, hp.clip);
        const lossGradient = hp.entropyCoef > 0 ? addGradients(surrogate.gradient, entropyBonus(mb, policy, gamma, hp.entropyCoef).gradient) : surrogate.gradient;
        opts.probe?.({ update: n, step: step++, batch, values, indices, theta: Float64Array.from(policy.theta), direction: lossGradient });
        optimizerStep(opt, policy.theta, lossGradient, lr(n), hp.maxGradNorm);
        lastLoss = surrogate.loss;
      }
    }
    // 4. The critic's regression on the λ-returns.
    const valueLoss = critic.fit(batch, targets, hp.valueEpochs);
    watcher.record(samples, policy, k3Estimate(batch, policy), { lastSurrogateLoss: lastLoss, valueLoss });
  }
  return { curve: watcher.curve('ppo', opts.label ?? 'mdp', opts.seed, hp), policy, values: critic.values() };
}
