/**
 * V-MPO (Song et al. 2020; Lehmann 2024, §4.5, eqs. 20–22 and Appendix C): an EM-style update
 * with a learned temperature η and a Lagrange multiplier ν on the KL. Per update:
 *
 * 1. collect T steps in each of N environments (`SegmentRollout`), π_old = π_θ;
 * 2. GAE(γ, λ) advantages under the critic (`gae`; not normalized, Lehmann Table 2) and the
 *    λ-return targets (`valueTargets`);
 * 3. for each of K epochs, for each of M minibatches:
 *    - E-step: the top half D̃ of the minibatch's advantages (`vmpoTopHalf`) and the weights
 *      ψ_i ∝ exp(Â_i/η) on D̃ (`vmpoWeights`, eq. 21);
 *    - M-step: the loss L_π(θ) = −Σ_i ψ_i log π_θ(a_i|s_i) (`vmpoPolicyLoss`, eq. 20) plus the
 *      trust-region loss L_ν(θ, ν) = ν(ε_ν − sg[D̄]) + sg[ν] D̄ with D̄ the minibatch's mean
 *      KL(π_old‖π_θ) (`vmpoTrustRegionLoss`, eq. 22); one Adam step on θ (after global-norm clipping);
 *    - the dual step: L_η(η) = η ε_η + η log((1/|D̃|) Σ exp(Â_j/η)) (`vmpoTemperatureLoss`,
 *      eq. 21) and ∂L_ν/∂ν = ε_ν − D̄; one Adam step on (η, ν), then η ← max(η, η_min) and
 *      ν ← max(ν, ν_min) (Appendix C's projection onto η, ν > 0);
 * 4. the critic fitted to the targets.
 *
 * A tabular categorical policy has one KL, so one ν (Lehmann's ν_μ, ν_σ are the Gaussian's two).
 *
 * @module
 */
import { vmpoPolicyLoss, vmpoTemperatureLoss, vmpoTopHalf, vmpoTrustRegionLoss, vmpoWeights } from '../estimators/vmpo.js';
import type { FiniteMDP } from '../mdp/model.js';
import { Adam } from '../optim/adam.js';
import { linearDecay } from '../optim/schedule.js';
import { Rng } from '../stats/rng.js';
import { addGradients, ExactWatcher, k3Estimate, optimizerStep, resolveHyperparameters, withTimeLimit, snapshot, initialPolicy, type LearnerResult, type LearnerRunOptions } from './common.js';
import { DEFAULT_VALUE_LR, ValueTable } from './critic.js';
import { gather, minibatch, minibatchIndices, SegmentRollout } from './rollout.js';

/**
 * V-MPO's hyperparameters. Lehmann 2024, Table 2 and Appendix C: η and ν initialized at 1,
 * η_min = ν_min = 1e-8, ε_η = 0.01, ε_ν = 0.01 (ε_νμ; a categorical policy has no σ), 10
 * epochs, 8 minibatches, GAE λ 0.95, no advantage normalization, Adam 3e-4 decayed
 * linearly, clip 0.5. **Adapted to tabular problems:** segments of 32 steps, policy learning
 * rate 0.01, the duals' Adam rate 0.05 (η must reach the advantages' scale, here units, in
 * tens of updates), value table by Adam at 0.5 ({@link DEFAULT_VALUE_LR}).
 */
export const VMPO_DEFAULTS = {
  updates: 100,
  envs: 8,
  length: 32,
  /** The episodes' time limit; 0 = automatic: 200 for γ = 1, ⌈4/(1 − γ)⌉ for γ < 1 (`episodeTimeLimit`). */
  maxEpisodeSteps: 0,
  lr: 0.01,
  lrDecay: true,
  maxGradNorm: 0.5,
  epochs: 10,
  minibatches: 8,
  lambda: 0.95,
  /** Initial temperature η₀ and multiplier ν₀. */
  eta: 1,
  nu: 1,
  etaMin: 1e-8,
  nuMin: 1e-8,
  epsilonEta: 0.01,
  epsilonNu: 0.01,
  /** Adam's rate for (η, ν). */
  dualLr: 0.05,
  /** Adam's rate for the value table (critic lag: {@link DEFAULT_VALUE_LR}). */
  valueLr: DEFAULT_VALUE_LR,
  valueEpochs: 10,
};
export type VmpoHyperparameters = typeof VMPO_DEFAULTS;

const RANGES = { updates: [1, 1e6], envs: [1, 4096], length: [1, 1e6], maxEpisodeSteps: [0, 1e6], lr: [0, 1e3], maxGradNorm: [0, 1e6], epochs: [1, 1000], minibatches: [1, 1e6], lambda: [0, 1], eta: [1e-12, 1e6], nu: [0, 1e6], etaMin: [1e-12, 1e6], nuMin: [0, 1e6], epsilonEta: [0, 1e3], epsilonNu: [0, 1e3], dualLr: [0, 1e3], valueLr: [0, 1e3], valueEpochs: [0, 1e4] } as const;
const INTEGERS = ['updates', 'envs', 'length', 'maxEpisodeSteps', 'epochs', 'minibatches', 'valueEpochs'];

/** Runs V-MPO on `mdp` from `opts.policy` (default: the uniform softmax policy) and a zero value table. */
export function runVmpo(mdp: FiniteMDP, given: Partial<VmpoHyperparameters>, opts: LearnerRunOptions): LearnerResult {
  const hp = withTimeLimit(resolveHyperparameters('vmpo', VMPO_DEFAULTS, given, RANGES, INTEGERS), mdp.gamma);
  const policy = initialPolicy(mdp, opts), gamma = mdp.gamma;
  const critic = new ValueTable(mdp.numStates, hp.valueLr);
  const opt = new Adam(policy.theta.length, { lr: hp.lr });
  const dualOpt = new Adam(2, { lr: hp.dualLr });
  const duals = Float64Array.of(hp.eta, hp.nu); // (η, ν)
  const lr = hp.lrDecay ? linearDecay(hp.lr, hp.updates) : () => hp.lr;
  const rollout = new SegmentRollout(mdp, hp.envs, hp.length, hp.maxEpisodeSteps, opts.seed);
  const shuffles = Rng.from(opts.seed).split(3);
  const watcher = new ExactWatcher(mdp, policy, opts.onRecord);
  let samples = 0;
  for (let n = 0; n < hp.updates; n++) {
    // 1. N environments × T steps with π_old = π_θ.
    const batch = rollout.collect(policy);
    samples += batch.size;
    const old = snapshot(policy);
    // 2. GAE under the critic (not normalized); the critic's targets.
    const { values, adv, targets } = critic.advantages(batch, gamma, hp.lambda);
    const rng = shuffles.split(n);
    let step = 0, kl = 0;
    for (let epoch = 0; epoch < hp.epochs; epoch++) {
      for (const indices of minibatchIndices(batch.size, Math.min(hp.minibatches, batch.size), rng)) {
        const mb = minibatch(batch, indices), mbAdv = gather(adv, indices);
        const eta = duals[0]!, nu = duals[1]!;
        // 3a. E-step: top half, ψ ∝ exp(Â/η) (eq. 21).
        const selected = vmpoTopHalf(mbAdv);
        const psi = vmpoWeights(mbAdv, selected, eta);
        // 3b. M-step: L_π + L_ν in θ (eqs. 20, 22), clip, Adam.
        const policyLoss = vmpoPolicyLoss(mb, policy, psi);
        const trustRegion = vmpoTrustRegionLoss(mb, policy, old, nu, hp.epsilonNu);
        const lossGradient = addGradients(policyLoss.gradient, trustRegion.gradient);
        opts.probe?.({ update: n, step: step++, batch, values, indices, theta: Float64Array.from(policy.theta), direction: lossGradient, scalars: { eta, nu } });
        // 3c. The duals: dL_η/dη and ∂L_ν/∂ν, one Adam step, projected to η ≥ η_min, ν ≥ ν_min.
        const temperature = vmpoTemperatureLoss(mbAdv, selected, eta, hp.epsilonEta);
        optimizerStep(opt, policy.theta, lossGradient, lr(n), hp.maxGradNorm);
        dualOpt.step(duals, Float64Array.of(temperature.gradient, trustRegion.nuGradient));
        duals[0] = Math.max(duals[0]!, hp.etaMin);
        duals[1] = Math.max(duals[1]!, hp.nuMin);
        kl = trustRegion.kl;
      }
    }
    // 4. The critic's regression on the λ-returns.
    const valueLoss = critic.fit(batch, targets, hp.valueEpochs);
    watcher.record(samples, policy, k3Estimate(batch, policy), { eta: duals[0]!, nu: duals[1]!, lastMinibatchKl: kl, valueLoss });
  }
  return { curve: watcher.curve('vmpo', opts.label ?? 'mdp', opts.seed, hp), policy, values: critic.values() };
}
