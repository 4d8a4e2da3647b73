/**
 * Deep TRPO on an environment (Schulman et al. 2015; Lehmann 2024, §4.3, Table 2), top to
 * bottom:
 *
 * 1. collect N copies × T steps with π_θold (`run.ts`);
 * 2. GAE advantages and λ-return targets under the critic (`gaeFromValues`,
 *    `valueTargetsFromAdvantages`), normalized over the batch when `normAdv` (Lehmann: yes);
 * 3. one natural-gradient step of the policy on the whole batch:
 *    - the importance-weighted surrogate L(θ) = (1/B) Σ_t ρ_t(θ) Â_t, ρ_t = π_θ(a_t|s_t)/π_θold(a_t|s_t)
 *      (Schulman et al. 2015, eq. 14; the "CPI" surrogate of Schulman et al. 2017, eq. 6), whose
 *      per-transition coefficients c_t = ρ_t Â_t / B are those of `ppoClipCoefficients` with
 *      ε = ∞ (the clip never binds; we pass the largest double), so ∇L = Σ_t c_t ∇log π
 *      = `policy.scoreSum(c)`;
 *    - x ≈ (F + λI)⁻¹ ∇L by `conjugateGradient` (linalg/cg.ts; 10 iterations, λ = 0.1) on the
 *      policy's Fisher–vector products (`policy.fisherVectorProduct`: the exact Fisher of the
 *      head in its outputs, averaged over the batch's states, w_t = 1/B);
 *    - the full step Δ = β x with β = √(2δ / xᵀ(F + λI)x), which puts the quadratic model of
 *      the mean KL on the boundary ½ΔᵀFΔ = δ (Schulman et al. 2015, Appendix C);
 *    - `backtrackingLineSearch` (estimators/linesearch.ts; shrink 0.8, 10 trials): accept the
 *      first θ_old + 0.8^j Δ whose exact mean KL (1/B) Σ_t KL(π_old(·|s_t) ‖ π_θ(·|s_t))
 *      (`policy.kl`) is ≤ δ and whose surrogate improved by at least 0.1 × the linear model's
 *      prediction; none accepted leaves θ unchanged;
 * 4. the critic: `epochs` passes × `minibatches` of Adam steps on ½(V(s_t) − y_t)² (TRPO has
 *    no learning rate for the policy; the critic's Adam uses `lr`, decayed linearly, with
 *    gradient clipping at `maxGradNorm`); Lehmann: 10 epochs;
 * 5. the log: the k3 estimate of KL(π_old ‖ π_new) on the batch (`meanKlK3FromLogProbs`; the
 *    quantity of Lehmann's Fig. 5) and, in `extras`, the exact mean KL, the accepted step
 *    fraction, whether a step was accepted and CG's relative residual.
 *
 * Entropy bonus: none (Lehmann: 0). The learner computes no return, advantage, ratio,
 * surrogate, KL or score of its own.
 *
 * @module
 */
import { meanKlK3FromLogProbs, ppoClipCoefficients } from '../../estimators/core.js';
import { backtrackingLineSearch } from '../line-search.js';
import { normalizeAdvantages } from '../../estimators/normalize.js';
import { conjugateGradient } from '../../linalg/cg.js';
import { Adam } from '../../optim/adam.js';
import { clipGradNorm } from '../../optim/clip.js';
import { linearDecay } from '../../optim/schedule.js';
import { DeepRun, type TrainOptions, type TrainResult } from './run.js';

/** ε = ∞ for `ppoClipCoefficients`: clip(ρ, 1 − ε, 1 + ε) = ρ for every finite ρ, so its loss is −L(θ). */
const UNCLIPPED = Number.MAX_VALUE;

/** Trains TRPO on the environment `envId`; returns the curve and final parameters. */
export async function trainTrpo(envId: string, options: TrainOptions = {}): Promise<TrainResult> {
  const run = await DeepRun.create(envId, 'trpo', options);
  const { c, B, Pa, Pc, policy, theta, phi } = run;
  const M = B / c.minibatches;
  const criticAdam = new Adam(Pc, { lr: c.lr, eps: c.adamEps });
  const lrAt = c.annealLr ? linearDecay(c.lr, run.numUpdates) : () => c.lr;
  const mb = run.minibatchBuffers(M);
  const mbCot = new Float64Array(M), gradPhi = new Float64Array(Pc);
  const logp_t = new Float64Array(B), coef_t = new Float64Array(B), kl_t = new Float64Array(B);
  const g = new Float64Array(Pa), Fx = new Float64Array(Pa);
  const act = run.act_t as never;

  /** −L(θ) (the surrogate as a loss) at `th`, with the coefficients c_t = ρ_t Â_t/B in coef_t. */
  const surrogateLoss = (th: Float64Array, adv: Float64Array): number => {
    policy.logProb(th, run.obs_t, B, act, logp_t);
    return ppoClipCoefficients(logp_t, run.logp_old_t, adv, UNCLIPPED, undefined, coef_t).loss;
  };
  /** The exact mean KL(π_old ‖ π_th) over the batch's states. */
  const meanKl = (thOld: Float64Array, th: Float64Array): number => {
    policy.kl(thOld, th, run.obs_t, B, kl_t);
    let s = 0;
    for (let t = 0; t < B; t++) s += kl_t[t]!;
    return s / B;
  };
  /** (F + λI) v: the policy's Fisher–vector product plus the damping. */
  const applyDampedFisher = (v: Float64Array, out: Float64Array): void => {
    policy.fisherVectorProduct(theta, run.obs_t, B, v, out);
    for (let i = 0; i < Pa; i++) out[i] = out[i]! + c.cgDamping * v[i]!;
  };

  for (let n = 0; n < run.numUpdates; n++) {
    const lr = lrAt(n);
    // ── 1. rollout with π_θold; 2. GAE and value targets ──────────────────────────────────
    const collected = run.collect();
    run.estimate(true);
    const adv = c.normAdv ? normalizeAdvantages(run.adv_t) : run.adv_t;

    // ── 3. the natural-gradient step: CG, the step to the KL boundary, the line search ──────
    const thetaOld = theta.slice();
    surrogateLoss(theta, adv);
    policy.scoreSum(theta, run.obs_t, B, act, coef_t, g); // ∇L at θ_old
    const cg = conjugateGradient(applyDampedFisher, g, { maxIterations: c.cgIterations });
    applyDampedFisher(cg.x, Fx);
    let xFx = 0, gx = 0;
    for (let i = 0; i < Pa; i++) { xFx += cg.x[i]! * Fx[i]!; gx += g[i]! * cg.x[i]!; }
    const beta = xFx > 0 ? Math.sqrt((2 * c.maxKl) / xFx) : 0;
    const fullStep = cg.x.map((x) => beta * x);
    const ls = backtrackingLineSearch((th) => ({ loss: surrogateLoss(th, adv), kl: meanKl(thetaOld, th) }), thetaOld, fullStep, Math.max(0, beta * gx),
      { maxKl: c.maxKl, shrink: c.lineSearchShrink, maxBacktracks: c.lineSearchSteps });
    theta.set(ls.theta);

    // ── 4. the critic: epochs × minibatches of Adam on the value loss ──────────────────────
    let valueLoss = 0;
    for (let epoch = 0; epoch < c.epochs; epoch++) {
      run.shuffle();
      valueLoss = 0;
      for (let m = 0; m < c.minibatches; m++) {
        run.gather(m, M, mb);
        valueLoss += run.valueGradient(mb.obs, mb.target, mb.vOld, M, mbCot, gradPhi) / c.minibatches;
        clipGradNorm(gradPhi, c.maxGradNorm);
        criticAdam.step(phi, gradPhi, lr);
      }
    }

    // ── 5. the k3 KL between π_θold and π_θnew on the batch; the log ──────────────────────
    policy.logProb(theta, run.obs_t, B, act, logp_t);
    const klK3 = meanKlK3FromLogProbs(logp_t, run.logp_old_t);
    run.log(n, lr, collected, {
      klK3, clipFraction: 0, policyLoss: ls.loss, valueLoss, entropy: null,
      extras: { klExact: ls.kl, stepFraction: ls.stepFraction, accepted: ls.accepted ? 1 : 0, cgResidual: cg.residual },
    }, options.onUpdate);
  }
  return run.finish();
}
