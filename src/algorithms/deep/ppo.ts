/**
 * Deep PPO on an environment (Schulman et al. 2017; Lehmann 2024, §4.5 and Algorithm 5),
 * top to bottom:
 *
 * 1. collect N copies × T steps with π_θold (a VectorEnv with auto-reset; the true final
 *    observation of an episode is kept so that a truncation bootstraps from V(s_tp1));
 * 2. the critic's V(s_t) and V(s_tp1); GAE advantages and value targets
 *    (estimators/core: `gaeFromValues`, `valueTargetsFromAdvantages`; Lehmann 2024, eq. 21);
 * 3. K epochs × M minibatches: the clipped surrogate's per-transition coefficients c_t
 *    (`ppoClipCoefficients`, Lehmann 2024 eq. 24) whose score sum Σ_t c_t ∇ log π is
 *    −∇ of the policy loss; minus the entropy bonus's gradient; the value loss's gradient,
 *    one VJP of the critic with cotangent c_v (v_t − target_t)/B ({@link valueCotangent});
 *    the joint gradient clipped to global norm 0.5; one Adam step with a linearly decaying α;
 * 4. log the k3 estimate of KL(π_θold ‖ π_θnew) on the whole batch (`meanKlK3FromLogProbs`) — the
 *    quantity of Lehmann 2024's Fig. 5 — the clip fraction, the losses and the returns.
 *
 * Layout: the batch is copy-major (transition i·T + t is copy i's step t), so each copy's
 * steps are contiguous in time as the estimator cores require; a copy's last step of the
 * rollout is flagged `truncated` unless it terminated (the segment end: bootstrap). Steps 1,
 * 2 and the log are `run.ts`'s, shared with TRPO and V-MPO.
 *
 * A2C and REINFORCE (Lehmann 2024, Algorithms 1 and 2) are the same loop with step 3's
 * coefficients c_t = Â_t/B (`policyGradientCoefficients`) instead of the clipped ones, and
 * usually one epoch; REINFORCE has no critic: its Ĝ_t is the discounted reward-to-go within
 * the rollout segment (`returnsFromRewards` without bootstrap: Σ_k γ^k r_{t+k} up to the
 * episode's or the segment's end), and no value loss.
 *
 * The learner computes no return, advantage, ratio, surrogate, KL or score of its own: those
 * are the estimators' and the policy's. Deterministic given the seed: the initial networks,
 * the environments, the action sampling and the minibatch shuffles draw from
 * `Rng.from(seed).split(1 … 5)`.
 *
 * @module
 */
import { meanKlK3FromLogProbs, policyGradientCoefficients, ppoClipCoefficients } from '../../estimators/core.js';
import { normalizeAdvantages } from '../../estimators/normalize.js';
import { Adam } from '../../optim/adam.js';
import { clipGradNorm } from '../../optim/clip.js';
import { linearDecay } from '../../optim/schedule.js';
import { DeepRun, type TrainOptions, type TrainResult } from './run.js';

export { clippedValueCotangent, valueCotangent, type FirstGradientProbe, type TrainOptions, type TrainResult, type UpdateLog } from './run.js';

/** Trains PPO (or `options.algo` ∈ {a2c, reinforce}) on the environment `envId` (src/env/registry.ts); returns the curve and final parameters. */
export async function trainPpo(envId: string, options: TrainOptions = {}): Promise<TrainResult> {
  const algo = options.algo ?? 'ppo';
  const run = await DeepRun.create(envId, algo, options);
  const { c, B, Pa, Pc, policy, params, theta } = run;
  const M = B / c.minibatches;
  const grad = new Float64Array(Pa + Pc);
  const gradTheta = grad.subarray(0, Pa), gradPhi = grad.subarray(Pa);
  const adam = new Adam(Pa + Pc, { lr: c.lr, eps: c.adamEps });
  const lrAt = c.annealLr ? linearDecay(c.lr, run.numUpdates) : () => c.lr;
  const mb = run.minibatchBuffers(M);
  const mbCoef = new Float64Array(M), mbLogp = new Float64Array(M), mbCot = new Float64Array(M);
  const mbMeanW = new Float64Array(M).fill(1 / M); // w_t = 1/M: the minibatch mean
  const mbEntW = new Float64Array(M).fill(c.entCoef / M), mbEnt = new Float64Array(M);
  const entGrad = new Float64Array(Pa);
  const logp_new_t = new Float64Array(B);
  const hasCritic = algo !== 'reinforce';

  for (let n = 0; n < run.numUpdates; n++) {
    const lr = lrAt(n);
    // ── 1. rollout with π_θold; 2. log π_θold, V(s_t), V(s_tp1); GAE and value targets ───────
    const collected = run.collect();
    run.estimate(hasCritic);

    // ── 3. K epochs × M minibatches of the clipped surrogate, entropy bonus and value loss ─
    let policyLoss = 0, valueLoss = 0, clipFraction = 0, entropy = 0;
    for (let epoch = 0; epoch < c.epochs; epoch++) {
      run.shuffle();
      policyLoss = 0; valueLoss = 0; clipFraction = 0; entropy = 0;
      for (let m = 0; m < c.minibatches; m++) {
        run.gather(m, M, mb);
        const mbAdv = c.normAdv ? normalizeAdvantages(mb.advRaw) : mb.advRaw;
        // policy: ∇θ(policy loss) = −scoreSum(c) (the core's contract), minus the entropy bonus's gradient
        policy.logProb(theta, mb.obs, M, mb.act as never, mbLogp);
        const pc = algo === 'ppo'
          ? ppoClipCoefficients(mbLogp, mb.logpOld, mbAdv, c.clip, mbMeanW, mbCoef)
          : { loss: 0, coefficients: policyGradientCoefficients(mbAdv, mbMeanW, mbCoef), clipFraction: 0 };
        policy.scoreSum(theta, mb.obs, M, mb.act as never, pc.coefficients, gradTheta);
        for (let i = 0; i < Pa; i++) gradTheta[i] = -gradTheta[i]!;
        if (c.entCoef > 0) {
          policy.entropy(theta, mb.obs, M, mbEnt);
          for (let q = 0; q < M; q++) entropy += mbEnt[q]! / B;
          policy.entropyGradSum(theta, mb.obs, M, mbEntW, entGrad);
          for (let i = 0; i < Pa; i++) gradTheta[i] = gradTheta[i]! - entGrad[i]!;
        }
        if (n === 0 && epoch === 0 && m === 0 && options.onFirstGradient) {
          options.onFirstGradient({
            policy, thetaPolicy: theta.slice(), obs: mb.obs.slice(), actions: mb.act.slice(), logpOld: mb.logpOld.slice(),
            advantages: Float64Array.from(mbAdv), advantagesRaw: mb.advRaw.slice(), epsilon: c.clip, entCoef: c.entCoef, policyGradient: gradTheta.slice(),
          });
        }
        // critic: one VJP with cotangent c_v (v_t − target_t)/M (or the clipped value loss's)
        if (hasCritic) valueLoss += run.valueGradient(mb.obs, mb.target, mb.vOld, M, mbCot, gradPhi) / c.minibatches;
        policyLoss += pc.loss / c.minibatches;
        clipFraction += pc.clipFraction / c.minibatches;
        clipGradNorm(grad, c.maxGradNorm);
        adam.step(params, grad, lr);
      }
    }

    // ── 4. the k3 KL between π_θold and π_θnew on the batch; the log ──────────────────────
    policy.logProb(theta, run.obs_t, B, run.act_t as never, logp_new_t);
    const klK3 = meanKlK3FromLogProbs(logp_new_t, run.logp_old_t);
    run.log(n, lr, collected, { klK3, clipFraction, policyLoss: algo === 'ppo' ? policyLoss : null, valueLoss: hasCritic ? valueLoss : null, entropy: c.entCoef > 0 ? entropy : null }, options.onUpdate);
  }
  return run.finish();
}
