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
 * rollout is flagged `truncated` unless it terminated (the segment end: bootstrap).
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
import { fail, show } from '../../errors.js';
import { makeVectorEnv } from '../../env/registry.js';
import type { VectorEnv } from '../../env/vector.js';
import { gaeFromValues, meanKlK3FromLogProbs, policyGradientCoefficients, ppoClipCoefficients, returnsFromRewards, valueTargetsFromAdvantages } from '../../estimators/core.js';
import { normalizeAdvantages } from '../../estimators/normalize.js';
import { Adam } from '../../optim/adam.js';
import { clipGradNorm } from '../../optim/clip.js';
import { linearDecay } from '../../optim/schedule.js';
import { categoricalMlpPolicy } from '../../policy/categorical.js';
import { gaussianMlpPolicy, tanhGaussianMlpPolicy, type GaussianMlpPolicy } from '../../policy/gaussian-head.js';
import { initMlp, Mlp } from '../../policy/mlp.js';
import type { NeuralPolicy } from '../../policy/neural.js';
import { Rng } from '../../stats/rng.js';
import { preset, resolveConfig, type DeepAlgo, type DeepConfig } from './config.js';
import { ObservationNormalizer, RewardScaler } from './normalize.js';

/** What is logged after every update. */
export interface UpdateLog {
  /** n = 1, 2, … */
  readonly update: number;
  /** Environment steps so far (all copies). */
  readonly steps: number;
  /** Mean undiscounted return of the episodes that ended during this update's rollout (null if none). */
  readonly meanReturn: number | null;
  /** Episodes that ended during this rollout. */
  readonly episodes: number;
  /** Mean of the last 100 ended episodes' returns so far (null before the first). */
  readonly recentReturn: number | null;
  /** (1/B) Σ_t k3_t with log ρ_t = log π_new(a_t|s_t) − log π_old(a_t|s_t), a_t ∼ π_old: KL(π_old ‖ π_new). */
  readonly klK3: number;
  /** Fraction of the last epoch's transitions where the clipped term is strictly the smaller (the core's clipFraction; 0 for A2C, REINFORCE). */
  readonly clipFraction: number;
  /** The last epoch's mean clipped-surrogate loss (the core's `loss`; null for A2C and REINFORCE). */
  readonly policyLoss: number | null;
  /** The last epoch's mean ½ (v_t − target_t)² (null for REINFORCE, which has no critic). */
  readonly valueLoss: number | null;
  /** The last epoch's mean entropy (null when the entropy coefficient is 0). */
  readonly entropy: number | null;
  /** The step size α_n used. */
  readonly lr: number;
  /** Wall seconds since the start of the run. */
  readonly seconds: number;
}

/** The result of a run. */
export interface TrainResult {
  readonly env: string;
  readonly algo: DeepAlgo;
  readonly seed: number;
  readonly config: DeepConfig;
  readonly updates: readonly UpdateLog[];
  /** Every ended episode's undiscounted return, in the order they ended. */
  readonly episodeReturns: readonly number[];
  /** Mean of the last 100 episodes' returns (null if no episode ended). */
  readonly finalReturn: number | null;
  readonly steps: number;
  readonly seconds: number;
  /** The final parameters: the policy's θ then the critic's. */
  readonly params: Float64Array;
}

/** Options of {@link trainPpo}. */
export interface TrainOptions {
  /** `ppo` (default), `a2c` or `reinforce`. */
  readonly algo?: DeepAlgo;
  /** Total environment steps (rounded up to whole updates of N·T). Default 500 000. */
  readonly steps?: number;
  readonly seed?: number;
  /** `cleanrl` (default) or `lehmann2024`. */
  readonly preset?: string;
  /** Fields of the preset to change. */
  readonly overrides?: Partial<DeepConfig>;
  /** Called after every update. */
  readonly onUpdate?: (log: UpdateLog) => void;
  /**
   * The N environment copies, instead of the registry's task `envId` (which then only names
   * the run): for a task outside the registry, e.g. bench:ppo-speed's stand-in with
   * HalfCheetah's shapes.
   */
  readonly makeVectorEnv?: (numEnvs: number) => Promise<VectorEnv> | VectorEnv;
  /**
   * Test hook: called once, at the first minibatch of the first update, with that minibatch's
   * inputs and the gradient the learner formed from them (before clipping).
   */
  readonly onFirstGradient?: (probe: FirstGradientProbe) => void;
}

/** What {@link TrainOptions.onFirstGradient} receives (copies). */
export interface FirstGradientProbe {
  readonly policy: NeuralPolicy;
  readonly thetaPolicy: Float64Array;
  readonly obs: Float64Array;
  readonly actions: Int32Array | Float64Array;
  readonly logpOld: Float64Array;
  readonly advantages: Float64Array;
  /** The minibatch's advantages before the per-minibatch normalization. */
  readonly advantagesRaw: Float64Array;
  readonly epsilon: number;
  readonly entCoef: number;
  /** The learner's gradient of the policy part of the loss (before clipping). */
  readonly policyGradient: Float64Array;
}

/**
 * The value loss and its VJP cotangent (Lehmann 2024, §4.2; Schulman et al. 2017, eq. 9's
 * c_1 L^{VF}):
 *
 * $$L_V(\phi) = c_v\,\frac{1}{2B}\sum_{t} \big(V_\phi(s_t) - y_t\big)^2,\qquad
 *   \nabla_\phi L_V = \sum_t g_t\,\nabla_\phi V_\phi(s_t),\quad g_t = \frac{c_v\,(v_t - y_t)}{B},$$
 *
 * y_t = target_t held fixed (a stop-gradient). Writes g_t (the critic VJP's cotangent; the
 * one place the value-loss coefficient enters) into `out`; returns the mean ½ (v_t − y_t)²
 * for the log.
 */
export function valueCotangent(v_t: Float64Array, target_t: Float64Array, vfCoef: number, B: number, out: Float64Array): number {
  let loss = 0;
  for (let t = 0; t < B; t++) {
    const e = v_t[t]! - target_t[t]!;
    out[t] = (vfCoef * e) / B;
    loss += 0.5 * e * e;
  }
  return loss / B;
}

/** The policy of the task's action space, with its network sizes and head. */
function makePolicy(venv: VectorEnv, c: DeepConfig): { policy: NeuralPolicy; discrete: boolean; k: number } {
  const d = venv.observationSize;
  if (venv.actionSpace.kind === 'discrete') {
    const A = venv.actionSpace.n;
    return { policy: categoricalMlpPolicy(new Mlp([d, ...c.actorHidden, A], c.activation)), discrete: true, k: 1 };
  }
  const k = venv.actionSize;
  const mlp = new Mlp([d, ...c.actorHidden, k], c.activation);
  return { policy: c.continuousHead === 'tanh-gaussian' ? tanhGaussianMlpPolicy(mlp) : gaussianMlpPolicy(mlp), discrete: false, k };
}

/** Trains PPO (or `options.algo`) on the environment `envId` (src/env/registry.ts); returns the curve and final parameters. */
export async function trainPpo(envId: string, options: TrainOptions = {}): Promise<TrainResult> {
  const algo = options.algo ?? 'ppo';
  const seed = options.seed ?? 1;
  if (!Number.isSafeInteger(seed) || seed < 0) fail('TRAIN_OPTIONS', `the seed is ${show(seed)}: expected a non-negative integer`, { where: 'seed', value: seed });
  const totalSteps = options.steps ?? 500_000;
  if (!Number.isSafeInteger(totalSteps) || totalSteps < 1) fail('TRAIN_OPTIONS', `steps is ${show(totalSteps)}: expected a positive integer`, { where: 'steps', value: totalSteps });
  const root = Rng.from(seed);

  // ── the environments (Algorithm 5, line 1: N actors) ──────────────────────────────────
  const makeEnvs = options.makeVectorEnv ?? ((numEnvs: number) => makeVectorEnv(envId, numEnvs));
  const probe = await makeEnvs(1);
  const discreteTask = probe.actionSpace.kind === 'discrete';
  probe.close();
  const c = resolveConfig(preset(options.preset ?? 'cleanrl', discreteTask, algo), options.overrides);
  const N = c.numEnvs, T = c.numSteps, B = N * T, M = B / c.minibatches;
  const venv = await makeEnvs(N);
  const d = venv.observationSize;
  const numUpdates = Math.ceil(totalSteps / B);

  // ── the networks: actor π_θ and critic V_φ in one parameter vector [θ, φ] ────────────
  const { policy, discrete, k } = makePolicy(venv, c);
  const critic = new Mlp([d, ...c.criticHidden, 1], c.activation);
  const Pa = policy.numParams, Pc = critic.numParams;
  const params = new Float64Array(Pa + Pc);
  params.set(initMlp(policy.mlp, root.split(1), { lastGain: c.actorLastGain }), 0); // log σ (if any) starts at 0
  params.set(initMlp(critic, root.split(2), { lastGain: 1 }), Pa);
  const theta = params.subarray(0, Pa), phi = params.subarray(Pa);
  const grad = new Float64Array(Pa + Pc);
  const gradTheta = grad.subarray(0, Pa), gradPhi = grad.subarray(Pa);
  const adam = new Adam(Pa + Pc, { lr: c.lr, eps: c.adamEps });
  const lrAt = c.annealLr ? linearDecay(c.lr, numUpdates) : () => c.lr;
  const actRng = root.split(4), shuffleRng = root.split(5);

  // ── rollout buffers (copy-major, see the module comment) ───────────────────────────────
  const obsNorm = new ObservationNormalizer(d, c.normalizeObservations);
  const rewScale = new RewardScaler(N, c.gamma, c.normalizeRewards);
  const obs_t = new Float64Array(B * d), obs_tp1 = new Float64Array(B * d);
  const act_t: Int32Array | Float64Array = discrete ? new Int32Array(B) : new Float64Array(B * k);
  const r_t = new Float64Array(B), terminated_t = new Uint8Array(B), truncated_t = new Uint8Array(B);
  const stepObs = new Float64Array(N * d);
  const stepAct: Int32Array | Float64Array = discrete ? new Int32Array(N) : new Float64Array(N * k);
  const envAct = new Float64Array(N * venv.actionSize);
  const squashed = new Float64Array(N * k);
  const stepRew = new Float64Array(N);
  const logp_old_t = new Float64Array(B), v_t = new Float64Array(B), v_tp1 = new Float64Array(B);
  const adv_t = new Float64Array(B), target_t = new Float64Array(B), logp_new_t = new Float64Array(B);
  // minibatch buffers
  const mbObs = new Float64Array(M * d);
  const mbAct: Int32Array | Float64Array = discrete ? new Int32Array(M) : new Float64Array(M * k);
  const mbLogpOld = new Float64Array(M), mbAdvRaw = new Float64Array(M), mbTarget = new Float64Array(M);
  const mbCoef = new Float64Array(M), mbLogp = new Float64Array(M), mbCot = new Float64Array(M);
  const mbMeanW = new Float64Array(M).fill(1 / M); // w_t = 1/M: the minibatch mean
  const mbEntW = new Float64Array(M).fill(c.entCoef / M), mbEnt = new Float64Array(M);
  const entGrad = new Float64Array(Pa);
  const perm = new Int32Array(B);

  const box = venv.actionSpace.kind === 'box' ? venv.actionSpace : null;
  const episodeReturns: number[] = [];
  const updates: UpdateLog[] = [];
  const t0 = performance.now();
  let steps = 0;
  venv.reset(root.split(3));

  for (let n = 0; n < numUpdates; n++) {
    const lr = lrAt(n);
    let ended = 0, endedSum = 0;
    // ── 1. rollout with π_θold ───────────────────────────────────────────────────────────
    for (let t = 0; t < T; t++) {
      obsNorm.update(venv.observations, N);
      obsNorm.normalizeInto(venv.observations, N, stepObs, 0, 1);
      obsNorm.normalizeInto(venv.observations, N, obs_t, t, T);
      policy.sample(theta, stepObs, N, actRng, stepAct as never);
      if (discrete) {
        for (let i = 0; i < N; i++) { envAct[i] = stepAct[i]!; (act_t as Int32Array)[i * T + t] = stepAct[i]!; }
      } else {
        for (let i = 0; i < N; i++) for (let j = 0; j < k; j++) act_t[(i * T + t) * k + j] = stepAct[i * k + j]!;
        if (c.continuousHead === 'tanh-gaussian') {
          // a = low + (tanh u + 1)/2 · (high − low): the squashed action mapped onto the box
          (policy as GaussianMlpPolicy).envActions(stepAct as Float64Array, N, squashed);
          for (let i = 0; i < N; i++) for (let j = 0; j < k; j++) envAct[i * k + j] = box!.low[j]! + 0.5 * (squashed[i * k + j]! + 1) * (box!.high[j]! - box!.low[j]!);
        } else {
          for (let i = 0; i < N; i++) for (let j = 0; j < k; j++) envAct[i * k + j] = Math.min(box!.high[j]!, Math.max(box!.low[j]!, stepAct[i * k + j]!));
        }
      }
      venv.step(envAct);
      steps += N;
      obsNorm.normalizeInto(venv.nextObservations, N, obs_tp1, t, T);
      rewScale.scale(venv.rewards, venv.terminated, venv.truncated, stepRew);
      for (let i = 0; i < N; i++) {
        const s = i * T + t;
        r_t[s] = stepRew[i]!;
        terminated_t[s] = venv.terminated[i]!;
        truncated_t[s] = venv.terminated[i] === 1 ? 0 : venv.truncated[i] === 1 || t === T - 1 ? 1 : 0;
        if (venv.terminated[i] === 1 || venv.truncated[i] === 1) {
          ended++; endedSum += venv.episodeReturns[i]!;
          episodeReturns.push(venv.episodeReturns[i]!);
        }
      }
    }

    // ── 2. log π_θold, V(s_t), V(s_tp1); GAE and value targets ─────────────────────────
    policy.logProb(theta, obs_t, B, act_t as never, logp_old_t);
    const hasCritic = algo !== 'reinforce';
    if (hasCritic) {
      v_t.set(critic.forward(phi, obs_t, B));
      v_tp1.set(critic.forward(phi, obs_tp1, B));
      gaeFromValues(r_t, v_t, v_tp1, terminated_t, truncated_t, c.gamma, c.lambda, adv_t);
      valueTargetsFromAdvantages(adv_t, v_t, target_t);
    } else {
      returnsFromRewards(r_t, terminated_t, truncated_t, c.gamma, undefined, adv_t);
    }

    // ── 3. K epochs × M minibatches of the clipped surrogate, entropy bonus and value loss ─
    let policyLoss = 0, valueLoss = 0, clipFraction = 0, entropy = 0;
    for (let epoch = 0; epoch < c.epochs; epoch++) {
      for (let i = 0; i < B; i++) perm[i] = i;
      for (let i = B - 1; i > 0; i--) { const j = shuffleRng.int(i + 1); const tmp = perm[i]!; perm[i] = perm[j]!; perm[j] = tmp; }
      policyLoss = 0; valueLoss = 0; clipFraction = 0; entropy = 0;
      for (let m = 0; m < c.minibatches; m++) {
        for (let q = 0; q < M; q++) {
          const s = perm[m * M + q]!;
          for (let i = 0; i < d; i++) mbObs[q * d + i] = obs_t[s * d + i]!;
          if (discrete) (mbAct as Int32Array)[q] = (act_t as Int32Array)[s]!;
          else for (let j = 0; j < k; j++) mbAct[q * k + j] = act_t[s * k + j]!;
          mbLogpOld[q] = logp_old_t[s]!; mbAdvRaw[q] = adv_t[s]!; mbTarget[q] = target_t[s]!;
        }
        const mbAdv = c.normAdv ? normalizeAdvantages(mbAdvRaw) : mbAdvRaw;
        // policy: ∇θ(policy loss) = −scoreSum(c) (the core's contract), minus the entropy bonus's gradient
        policy.logProb(theta, mbObs, M, mbAct as never, mbLogp);
        const pc = algo === 'ppo'
          ? ppoClipCoefficients(mbLogp, mbLogpOld, mbAdv, c.clip, mbMeanW, mbCoef)
          : { loss: 0, coefficients: policyGradientCoefficients(mbAdv, mbMeanW, mbCoef), clipFraction: 0 };
        policy.scoreSum(theta, mbObs, M, mbAct as never, pc.coefficients, gradTheta);
        for (let i = 0; i < Pa; i++) gradTheta[i] = -gradTheta[i]!;
        if (c.entCoef > 0) {
          policy.entropy(theta, mbObs, M, mbEnt);
          for (let q = 0; q < M; q++) entropy += mbEnt[q]! / B;
          policy.entropyGradSum(theta, mbObs, M, mbEntW, entGrad);
          for (let i = 0; i < Pa; i++) gradTheta[i] = gradTheta[i]! - entGrad[i]!;
        }
        if (n === 0 && epoch === 0 && m === 0 && options.onFirstGradient) {
          options.onFirstGradient({
            policy, thetaPolicy: theta.slice(), obs: mbObs.slice(), actions: mbAct.slice(), logpOld: mbLogpOld.slice(),
            advantages: Float64Array.from(mbAdv), advantagesRaw: mbAdvRaw.slice(), epsilon: c.clip, entCoef: c.entCoef, policyGradient: gradTheta.slice(),
          });
        }
        // critic: one VJP with cotangent c_v (v_t − target_t)/M
        if (hasCritic) {
          const v = critic.forward(phi, mbObs, M);
          valueLoss += valueCotangent(v, mbTarget, c.vfCoef, M, mbCot) / c.minibatches;
          critic.vjp(phi, mbCot, gradPhi);
        }
        policyLoss += pc.loss / c.minibatches;
        clipFraction += pc.clipFraction / c.minibatches;
        clipGradNorm(grad, c.maxGradNorm);
        adam.step(params, grad, lr);
      }
    }

    // ── 4. the k3 KL between π_θold and π_θnew on the batch; the log ──────────────────────
    policy.logProb(theta, obs_t, B, act_t as never, logp_new_t);
    const kl = meanKlK3FromLogProbs(logp_new_t, logp_old_t);
    const recent = episodeReturns.slice(-100);
    const log: UpdateLog = {
      update: n + 1, steps, meanReturn: ended > 0 ? endedSum / ended : null, episodes: ended,
      recentReturn: recent.length > 0 ? recent.reduce((a, b) => a + b, 0) / recent.length : null,
      klK3: kl, clipFraction, policyLoss: algo === 'ppo' ? policyLoss : null, valueLoss: hasCritic ? valueLoss : null, entropy: c.entCoef > 0 ? entropy : null, lr,
      seconds: (performance.now() - t0) / 1000,
    };
    updates.push(log);
    options.onUpdate?.(log);
  }
  venv.close();
  const recent = episodeReturns.slice(-100);
  return {
    env: envId, algo, seed, config: c, updates, episodeReturns,
    finalReturn: recent.length > 0 ? recent.reduce((a, b) => a + b, 0) / recent.length : null,
    steps, seconds: (performance.now() - t0) / 1000, params,
  };
}
