/**
 * Deep V-MPO on an environment (Song et al. 2020; Lehmann 2024, §4.5, eqs. 20–22, Appendix C,
 * Table 2), top to bottom — the tabular learner of `src/algorithms/vmpo.ts` with an MLP actor
 * and critic:
 *
 * 1. collect N copies × T steps with π_old = π_θ (`run.ts`);
 * 2. GAE advantages and λ-return targets under the critic; **not** normalized (Lehmann: no);
 * 3. K epochs × M minibatches, on each minibatch:
 *    - E-step: the top half D̃ of the minibatch's advantages (`vmpoTopHalf`) and the weights
 *      ψ_i = exp(Â_i/η) / Σ_{j∈D̃} exp(Â_j/η) on D̃, 0 elsewhere (`vmpoWeights`, eq. 21);
 *    - M-step: the weighted maximum likelihood L_π(θ) = −Σ_i ψ_i log π_θ(a_i|s_i) (eq. 20), whose
 *      gradient is −`policy.scoreSum(ψ)`, plus the trust-region term of eq. 22,
 *      L_ν(θ, ν) = ν(ε_ν − sg[D̄]) + sg[ν] D̄ with D̄(θ) = (1/M) Σ_i KL(π_old(·|s_i) ‖ π_θ(·|s_i))
 *      (`policy.kl`), whose θ-gradient is ν ∇D̄ = `policy.klGradSum` with w_i = ν/M and whose
 *      ν-derivative is ε_ν − D̄;
 *    - the value loss's VJP (`run.valueGradient`); the joint gradient [θ, φ] clipped to global
 *      norm `maxGradNorm`; one Adam step with the linearly decaying α;
 *    - the duals: dL_η/dη from `vmpoTemperatureLoss` (eq. 21) and ∂L_ν/∂ν = ε_ν − D̄, one Adam
 *      step at the constant `dualLr`, then η ← max(η, η_min), ν ← max(ν, ν_min) (Appendix C);
 * 4. the log: the k3 estimate of KL(π_old ‖ π_new) on the batch (`meanKlK3FromLogProbs`), and in
 *    `extras` η, ν and the last minibatch's exact D̄.
 *
 * **Departure from Lehmann 2024** (stated): Lehmann's Gaussian policies have two multipliers,
 * ν_μ with ε_νμ = 0.01 on the KL of the means and ν_σ with ε_νσ = 5e-5 on the KL of the
 * standard deviations (Song et al.'s decoupled KL). The policy contract offers the whole KL
 * only, so this learner has one ν on the whole KL with ε_ν = 0.01 for every head (for the
 * categorical head that is exactly V-MPO's one multiplier). The duals' Adam rate (0.01) is our
 * choice: the paper does not give it.
 *
 * The learner computes no advantage, weight, KL or score of its own.
 *
 * @module
 */
import { meanKlK3FromLogProbs } from '../../estimators/core.js';
import { vmpoTemperatureLoss, vmpoTopHalf, vmpoWeights } from '../../estimators/vmpo.js';
import { Adam } from '../../optim/adam.js';
import { clipGradNorm } from '../../optim/clip.js';
import { linearDecay } from '../../optim/schedule.js';
import { DeepRun, type TrainOptions, type TrainResult } from './run.js';

/** Trains V-MPO on the environment `envId`; returns the curve and final parameters. */
export async function trainVmpo(envId: string, options: TrainOptions = {}): Promise<TrainResult> {
  const run = await DeepRun.create(envId, 'vmpo', options);
  const { c, B, Pa, Pc, policy, params, theta } = run;
  const M = B / c.minibatches;
  const grad = new Float64Array(Pa + Pc);
  const gradTheta = grad.subarray(0, Pa), gradPhi = grad.subarray(Pa);
  const adam = new Adam(Pa + Pc, { lr: c.lr, eps: c.adamEps });
  const lrAt = c.annealLr ? linearDecay(c.lr, run.numUpdates) : () => c.lr;
  const duals = Float64Array.of(c.eta0, c.nu0), dualGrad = new Float64Array(2); // (η, ν)
  const dualAdam = new Adam(2, { lr: c.dualLr });
  const mb = run.minibatchBuffers(M);
  const mbCot = new Float64Array(M), mbLogp = new Float64Array(M), mbKl = new Float64Array(M), klW = new Float64Array(M);
  const klGrad = new Float64Array(Pa);
  const logp_new_t = new Float64Array(B);

  for (let n = 0; n < run.numUpdates; n++) {
    const lr = lrAt(n);
    // ── 1. rollout with π_old; 2. GAE (not normalized) and value targets ───────────────────
    const collected = run.collect();
    run.estimate(true);
    const thetaOld = theta.slice();

    // ── 3. K epochs × M minibatches: E-step, M-step with the trust region, the duals ─────────
    let policyLoss = 0, valueLoss = 0, kl = 0;
    for (let epoch = 0; epoch < c.epochs; epoch++) {
      run.shuffle();
      policyLoss = 0; valueLoss = 0;
      for (let m = 0; m < c.minibatches; m++) {
        run.gather(m, M, mb);
        const eta = duals[0]!, nu = duals[1]!;
        // E-step (eq. 21): the top half and ψ ∝ exp(Â/η) on it
        const selected = vmpoTopHalf(mb.advRaw);
        const psi = vmpoWeights(mb.advRaw, selected, eta);
        // M-step (eq. 20): ∇θ L_π = −scoreSum(ψ); L_π itself for the log
        policy.scoreSum(theta, mb.obs, M, mb.act as never, psi, gradTheta);
        policy.logProb(theta, mb.obs, M, mb.act as never, mbLogp);
        for (const i of selected) policyLoss -= (psi[i]! * mbLogp[i]!) / c.minibatches;
        // trust region (eq. 22): ∇θ L_ν = ν ∇D̄ with D̄ the minibatch's mean KL(π_old ‖ π_θ)
        policy.kl(thetaOld, theta, mb.obs, M, mbKl);
        kl = 0;
        for (let q = 0; q < M; q++) kl += mbKl[q]! / M;
        klW.fill(nu / M);
        policy.klGradSum(thetaOld, theta, mb.obs, M, klW, klGrad);
        for (let i = 0; i < Pa; i++) gradTheta[i] = -gradTheta[i]! + klGrad[i]!;
        if (n === 0 && epoch === 0 && m === 0 && options.onFirstGradient) {
          options.onFirstGradient({
            policy, thetaPolicy: theta.slice(), obs: mb.obs.slice(), actions: mb.act.slice(), logpOld: mb.logpOld.slice(),
            advantages: mb.advRaw.slice(), advantagesRaw: mb.advRaw.slice(), epsilon: 0, entCoef: 0, policyGradient: gradTheta.slice(),
          });
        }
        valueLoss += run.valueGradient(mb.obs, mb.target, mb.vOld, M, mbCot, gradPhi) / c.minibatches;
        clipGradNorm(grad, c.maxGradNorm);
        adam.step(params, grad, lr);
        // the duals: dL_η/dη (eq. 21) and ∂L_ν/∂ν = ε_ν − D̄ (eq. 22); Adam; the floors
        dualGrad[0] = vmpoTemperatureLoss(mb.advRaw, selected, eta, c.epsilonEta).gradient;
        dualGrad[1] = c.epsilonNu - kl;
        dualAdam.step(duals, dualGrad);
        duals[0] = Math.max(duals[0]!, c.etaMin);
        duals[1] = Math.max(duals[1]!, c.nuMin);
      }
    }

    // ── 4. the k3 KL between π_old and π_new on the batch; the log ─────────────────────────
    policy.logProb(theta, run.obs_t, B, run.act_t as never, logp_new_t);
    const klK3 = meanKlK3FromLogProbs(logp_new_t, run.logp_old_t);
    run.log(n, lr, collected, { klK3, clipFraction: 0, policyLoss, valueLoss, entropy: null, extras: { eta: duals[0]!, nu: duals[1]!, klExact: kl } }, options.onUpdate);
  }
  return run.finish();
}
