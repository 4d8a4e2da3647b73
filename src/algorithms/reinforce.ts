/**
 * REINFORCE, batch-averaged, as Lehmann 2024 runs it in §6 (the pseudocode of §4.1; Williams
 * 1992): sample whole episodes with π_θ, estimate ∇J by the reward-to-go score-function
 * estimator with its γ^t weight (Lehmann 2024, Theorem 3.1)
 *
 * $$\hat g = \frac1E \sum_{e}\sum_t \gamma^t\,\nabla_\theta\log\pi_\theta(a_t|s_t)\,G_t$$
 *
 * (`reinforceRewardToGo`), and take one optimizer step on the loss −Ĵ (gradient −ĝ) per epoch.
 * No critic, no baseline, no importance weights: with `epochs` > 1 the same batch is reused at
 * the moved θ without correction — the setting of Lehmann's Fig. 7, which shows what that does.
 *
 * @module
 */
import { reinforceRewardToGo } from '../estimators/reinforce.js';
import type { FiniteMDP } from '../mdp/model.js';
import { Adam } from '../optim/adam.js';
import { linearDecay } from '../optim/schedule.js';
import { ExactWatcher, k3Estimate, optimizerStep, resolveHyperparameters, withTimeLimit, initialPolicy, type LearnerResult, type LearnerRunOptions } from './common.js';
import { episodeBatch } from './rollout.js';

/**
 * REINFORCE's hyperparameters. Lehmann 2024, Table 2 (REFERENCES.md): Adam, learning rate 3e-4
 * decayed linearly, gradient-norm clipping 0.5, 1 epoch, 1 environment, no advantage
 * normalization, no entropy bonus. **Adapted to tabular problems:** the learning rate (a
 * table's logits need to travel O(1)–O(10) in a few hundred steps: 0.2 instead of 3e-4)
 * and the batch (16 whole episodes per update instead of 2048 steps).
 */
export const REINFORCE_DEFAULTS = {
  /** Updates (batches). */
  updates: 150,
  /** Whole episodes per batch. */
  episodes: 16,
  /** The episodes' time limit; 0 = automatic: 200 for γ = 1, ⌈4/(1 − γ)⌉ for γ < 1 (`episodeTimeLimit`). */
  maxEpisodeSteps: 0,
  /** Adam's initial learning rate α₀ (tabular: 0.2; Lehmann: 3e-4). */
  lr: 0.2,
  /** Decay α linearly to 0 over the run (Lehmann: yes). */
  lrDecay: true,
  /** Global gradient-norm clip (Lehmann: 0.5; 0 = off). */
  maxGradNorm: 0.5,
  /** Optimizer steps per batch (Lehmann: 1; Fig. 7: 5 collapses). */
  epochs: 1,
};
export type ReinforceHyperparameters = typeof REINFORCE_DEFAULTS;

const RANGES = { updates: [1, 1e6], episodes: [1, 1e6], maxEpisodeSteps: [0, 1e6], lr: [0, 1e3], maxGradNorm: [0, 1e6], epochs: [1, 1000] } as const;

/** Runs REINFORCE on `mdp` from `opts.policy` (default: the uniform softmax policy); the exact curve records every update. */
export function runReinforce(mdp: FiniteMDP, given: Partial<ReinforceHyperparameters>, opts: LearnerRunOptions): LearnerResult {
  const hp = withTimeLimit(resolveHyperparameters('reinforce', REINFORCE_DEFAULTS, given, RANGES, ['updates', 'episodes', 'maxEpisodeSteps', 'epochs']), mdp.gamma);
  const policy = initialPolicy(mdp, opts), gamma = mdp.gamma;
  const opt = new Adam(policy.theta.length, { lr: hp.lr });
  const lr = hp.lrDecay ? linearDecay(hp.lr, hp.updates) : () => hp.lr;
  const watcher = new ExactWatcher(mdp, policy, opts.onRecord);
  let samples = 0;
  for (let n = 0; n < hp.updates; n++) {
    // 1. Collect E whole episodes with π_θ.
    const batch = episodeBatch(mdp, policy, hp.episodes, hp.maxEpisodeSteps, opts.seed, n);
    samples += batch.size;
    for (let epoch = 0; epoch < hp.epochs; epoch++) {
      // 2. ĝ = (1/E) Σ γ^t ∇log π(a_t|s_t) G_t at the current θ; the loss gradient is −ĝ.
      const lossGradient = reinforceRewardToGo(batch, policy, gamma).map((x) => -x);
      opts.probe?.({ update: n, step: epoch, batch, values: null, indices: null, theta: Float64Array.from(policy.theta), direction: lossGradient });
      // 3. θ ← θ − α_n clip(−ĝ) (Adam).
      optimizerStep(opt, policy.theta, lossGradient, lr(n), hp.maxGradNorm);
    }
    watcher.record(samples, policy, k3Estimate(batch, policy));
  }
  return { curve: watcher.curve('reinforce', opts.label ?? 'mdp', opts.seed, hp), policy, values: null };
}
