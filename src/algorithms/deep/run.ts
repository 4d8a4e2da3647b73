/**
 * What every deep learner of this folder shares, top to bottom (Lehmann 2024, Algorithms 1, 2,
 * 5 and §4.3, §4.5; the learners in `ppo.ts`, `trpo.ts`, `vmpo.ts` differ only in their
 * policy step):
 *
 * - the set-up: N environment copies (`makeVectorEnv`), the MLP actor π_θ with its head and
 *   the MLP critic V_φ in one parameter vector [θ, φ], the usual initialization (orthogonal,
 *   hidden gain √2, last policy layer × `actorLastGain`, critic's last layer × 1), the running
 *   observation normalizer and reward scaler;
 * - the rollout: T steps of the N copies with π_θold into copy-major buffers (transition i·T + t
 *   is copy i's step t); the true final observation of an episode is kept in `obs_tp1` so a
 *   truncation bootstraps from V(s_tp1), and a copy's last step of the segment is flagged
 *   `truncated` unless it terminated (the segment end: bootstrap);
 * - the estimates: log π_θold(a_t|s_t), V(s_t), V(s_tp1), GAE advantages and value targets
 *   (estimators/core: `gaeFromValues`, `valueTargetsFromAdvantages`; Lehmann 2024, eq. 21), or
 *   for REINFORCE the discounted reward-to-go within the segment (`returnsFromRewards`);
 * - minibatch gathering, the critic's value-loss VJP and the per-update log.
 *
 * Randomness: `Rng.from(seed).split(1 … 5)` — 1 the policy's initial θ, 2 the critic's φ, 3
 * the environments, 4 the action sampling, 5 the minibatch shuffles.
 *
 * @module
 */
import { fail, show } from '../../errors.js';
import { makeVectorEnv } from '../../env/registry.js';
import type { VectorEnv } from '../../env/vector.js';
import { gaeFromValues, returnsFromRewards, valueTargetsFromAdvantages } from '../../estimators/core.js';
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
  /** Fraction of the last epoch's transitions where the clipped term is strictly the smaller (the core's clipFraction; 0 for the other learners). */
  readonly clipFraction: number;
  /** The last epoch's mean policy loss: PPO's clipped surrogate, TRPO's −L after the step, V-MPO's L_π (null for A2C and REINFORCE). */
  readonly policyLoss: number | null;
  /** The last epoch's mean ½ (v_t − target_t)² (null for REINFORCE, which has no critic). */
  readonly valueLoss: number | null;
  /** The last epoch's mean entropy (null when the entropy coefficient is 0). */
  readonly entropy: number | null;
  /** The step size α_n used. */
  readonly lr: number;
  /** Wall seconds since the start of the run. */
  readonly seconds: number;
  /** Learner-specific numbers (TRPO: stepFraction, accepted, klExact, cgResidual; V-MPO: eta, nu, klExact). */
  readonly extras?: { readonly [name: string]: number };
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

/** Options of the deep learners (`trainPpo`, `trainTrpo`, `trainVmpo`, `trainDeep`). */
export interface TrainOptions {
  /** `ppo` (default), `a2c`, `reinforce`, `trpo` or `vmpo`. */
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

/**
 * The clipped value loss of PPO implementations (OpenAI baselines' `ppo2`, CleanRL's
 * `clip_vloss`; discussed by Andrychowicz et al. 2021, §3.5, and Engstrom et al. 2020):
 *
 * $$L_V = c_v\,\frac{1}{2B}\sum_t \max\big((v_t - y_t)^2,\ (v^{\text{clip}}_t - y_t)^2\big),\qquad
 *   v^{\text{clip}}_t = v^{\text{old}}_t + \operatorname{clip}(v_t - v^{\text{old}}_t, -\epsilon, \epsilon),$$
 *
 * v^old_t the critic's value at collection time. Its cotangent: g_t = c_v (v_t − y_t)/B where
 * the unclipped square is the larger or equal one (inside the band the two coincide), and 0
 * where the clipped square is strictly larger (then v^clip is saturated: constant in φ).
 * Returns the mean ½ max(…) for the log.
 */
export function clippedValueCotangent(v_t: Float64Array, vOld_t: Float64Array, target_t: Float64Array, epsilon: number, vfCoef: number, B: number, out: Float64Array): number {
  let loss = 0;
  for (let t = 0; t < B; t++) {
    const e = v_t[t]! - target_t[t]!, dv = v_t[t]! - vOld_t[t]!;
    const eClip = vOld_t[t]! + (dv > epsilon ? epsilon : dv < -epsilon ? -epsilon : dv) - target_t[t]!;
    const unclippedLarger = e * e >= eClip * eClip;
    out[t] = unclippedLarger ? (vfCoef * e) / B : 0;
    loss += 0.5 * (unclippedLarger ? e * e : eClip * eClip);
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

/** The environments, networks, buffers and log of one deep run (module comment). */
export class DeepRun {
  readonly discrete: boolean;
  /** Numbers per action (1 for a discrete task). */
  readonly k: number;
  readonly d: number;
  readonly N: number;
  readonly T: number;
  readonly B: number;
  readonly numUpdates: number;
  readonly policy: NeuralPolicy;
  readonly critic: Mlp;
  readonly Pa: number;
  readonly Pc: number;
  /** [θ, φ]; `theta` and `phi` are views. */
  readonly params: Float64Array;
  readonly theta: Float64Array;
  readonly phi: Float64Array;
  readonly actRng: Rng;
  readonly shuffleRng: Rng;
  // the batch (copy-major)
  readonly obs_t: Float64Array;
  readonly obs_tp1: Float64Array;
  readonly act_t: Int32Array | Float64Array;
  readonly r_t: Float64Array;
  readonly terminated_t: Uint8Array;
  readonly truncated_t: Uint8Array;
  readonly logp_old_t: Float64Array;
  readonly v_t: Float64Array;
  readonly v_tp1: Float64Array;
  readonly adv_t: Float64Array;
  readonly target_t: Float64Array;
  readonly perm: Int32Array;
  readonly episodeReturns: number[] = [];
  readonly updates: UpdateLog[] = [];
  steps = 0;
  private readonly obsNorm: ObservationNormalizer;
  private readonly rewScale: RewardScaler;
  private readonly stepObs: Float64Array;
  private readonly stepAct: Int32Array | Float64Array;
  private readonly envAct: Float64Array;
  private readonly squashed: Float64Array;
  private readonly stepRew: Float64Array;
  private readonly t0 = performance.now();

  private constructor(readonly envId: string, readonly algo: DeepAlgo, readonly seed: number, readonly c: DeepConfig, readonly venv: VectorEnv, root: Rng, totalSteps: number) {
    const N = (this.N = c.numEnvs), T = (this.T = c.numSteps), B = (this.B = N * T);
    const d = (this.d = venv.observationSize);
    this.numUpdates = Math.ceil(totalSteps / B);
    const { policy, discrete, k } = makePolicy(venv, c);
    this.policy = policy; this.discrete = discrete; this.k = k;
    this.critic = new Mlp([d, ...c.criticHidden, 1], c.activation);
    const Pa = (this.Pa = policy.numParams), Pc = (this.Pc = this.critic.numParams);
    this.params = new Float64Array(Pa + Pc);
    this.params.set(initMlp(policy.mlp, root.split(1), { lastGain: c.actorLastGain }), 0); // log σ (if any) starts at 0
    this.params.set(initMlp(this.critic, root.split(2), { lastGain: 1 }), Pa);
    this.theta = this.params.subarray(0, Pa); this.phi = this.params.subarray(Pa);
    this.actRng = root.split(4); this.shuffleRng = root.split(5);
    this.obsNorm = new ObservationNormalizer(d, c.normalizeObservations);
    this.rewScale = new RewardScaler(N, c.gamma, c.normalizeRewards);
    this.obs_t = new Float64Array(B * d); this.obs_tp1 = new Float64Array(B * d);
    this.act_t = discrete ? new Int32Array(B) : new Float64Array(B * k);
    this.r_t = new Float64Array(B); this.terminated_t = new Uint8Array(B); this.truncated_t = new Uint8Array(B);
    this.logp_old_t = new Float64Array(B); this.v_t = new Float64Array(B); this.v_tp1 = new Float64Array(B);
    this.adv_t = new Float64Array(B); this.target_t = new Float64Array(B);
    this.perm = new Int32Array(B);
    this.stepObs = new Float64Array(N * d);
    this.stepAct = discrete ? new Int32Array(N) : new Float64Array(N * k);
    this.envAct = new Float64Array(N * venv.actionSize);
    this.squashed = new Float64Array(N * k);
    this.stepRew = new Float64Array(N);
    venv.reset(root.split(3));
  }

  /** Checks the options, builds the environments and networks of `algo` on `envId`. */
  static async create(envId: string, algo: DeepAlgo, options: TrainOptions): Promise<DeepRun> {
    const seed = options.seed ?? 1;
    if (!Number.isSafeInteger(seed) || seed < 0) fail('TRAIN_OPTIONS', `the seed is ${show(seed)}: expected a non-negative integer`, { where: 'seed', value: seed });
    const totalSteps = options.steps ?? 500_000;
    if (!Number.isSafeInteger(totalSteps) || totalSteps < 1) fail('TRAIN_OPTIONS', `steps is ${show(totalSteps)}: expected a positive integer`, { where: 'steps', value: totalSteps });
    const root = Rng.from(seed);
    const makeEnvs = options.makeVectorEnv ?? ((numEnvs: number) => makeVectorEnv(envId, numEnvs));
    const probe = await makeEnvs(1);
    const discreteTask = probe.actionSpace.kind === 'discrete';
    probe.close();
    const c = resolveConfig(preset(options.preset ?? 'cleanrl', discreteTask, algo), options.overrides);
    const venv = await makeEnvs(c.numEnvs);
    return new DeepRun(envId, algo, seed, c, venv, root, totalSteps);
  }

  /**
   * Step 1: T steps of the N copies with π_θ (θ = θ_old), then log π_θold(a_t|s_t) on the
   * batch. Returns the number and the return sum of the episodes that ended.
   */
  collect(): { ended: number; endedSum: number } {
    const { N, T, k, c, venv, policy, theta, obsNorm, stepObs, stepAct, envAct } = this;
    const box = venv.actionSpace.kind === 'box' ? venv.actionSpace : null;
    let ended = 0, endedSum = 0;
    for (let t = 0; t < T; t++) {
      obsNorm.update(venv.observations, N);
      obsNorm.normalizeInto(venv.observations, N, stepObs, 0, 1);
      obsNorm.normalizeInto(venv.observations, N, this.obs_t, t, T);
      policy.sample(theta, stepObs, N, this.actRng, stepAct as never);
      if (this.discrete) {
        for (let i = 0; i < N; i++) { envAct[i] = stepAct[i]!; (this.act_t as Int32Array)[i * T + t] = stepAct[i]!; }
      } else {
        for (let i = 0; i < N; i++) for (let j = 0; j < k; j++) this.act_t[(i * T + t) * k + j] = stepAct[i * k + j]!;
        if (c.continuousHead === 'tanh-gaussian') {
          // a = low + (tanh u + 1)/2 · (high − low): the squashed action mapped onto the box
          (policy as GaussianMlpPolicy).envActions(stepAct as Float64Array, N, this.squashed);
          for (let i = 0; i < N; i++) for (let j = 0; j < k; j++) envAct[i * k + j] = box!.low[j]! + 0.5 * (this.squashed[i * k + j]! + 1) * (box!.high[j]! - box!.low[j]!);
        } else {
          for (let i = 0; i < N; i++) for (let j = 0; j < k; j++) envAct[i * k + j] = Math.min(box!.high[j]!, Math.max(box!.low[j]!, stepAct[i * k + j]!));
        }
      }
      venv.step(envAct);
      this.steps += N;
      obsNorm.normalizeInto(venv.nextObservations, N, this.obs_tp1, t, T);
      this.rewScale.scale(venv.rewards, venv.terminated, venv.truncated, this.stepRew);
      for (let i = 0; i < N; i++) {
        const s = i * T + t;
        this.r_t[s] = this.stepRew[i]!;
        // a time-limit truncation counts as a termination when bootstrapTimeLimit is off (CleanRL's choice)
        const ends = venv.terminated[i] === 1 || (!c.bootstrapTimeLimit && venv.truncated[i] === 1);
        this.terminated_t[s] = ends ? 1 : 0;
        this.truncated_t[s] = ends ? 0 : venv.truncated[i] === 1 || t === T - 1 ? 1 : 0;
        if (venv.terminated[i] === 1 || venv.truncated[i] === 1) {
          ended++; endedSum += venv.episodeReturns[i]!;
          this.episodeReturns.push(venv.episodeReturns[i]!);
        }
      }
    }
    policy.logProb(theta, this.obs_t, this.B, this.act_t as never, this.logp_old_t);
    return { ended, endedSum };
  }

  /** Step 2: V(s_t), V(s_tp1), GAE(γ, λ) and the value targets — or, without a critic, the segment's reward-to-go. */
  estimate(hasCritic: boolean): void {
    const { c, B } = this;
    if (hasCritic) {
      this.v_t.set(this.critic.forward(this.phi, this.obs_t, B));
      this.v_tp1.set(this.critic.forward(this.phi, this.obs_tp1, B));
      gaeFromValues(this.r_t, this.v_t, this.v_tp1, this.terminated_t, this.truncated_t, c.gamma, c.lambda, this.adv_t);
      valueTargetsFromAdvantages(this.adv_t, this.v_t, this.target_t);
    } else {
      returnsFromRewards(this.r_t, this.terminated_t, this.truncated_t, c.gamma, undefined, this.adv_t);
    }
  }

  /** A fresh uniformly random order of the batch in `perm` (Fisher–Yates from the shuffle stream). */
  shuffle(): void {
    const { perm, B } = this;
    for (let i = 0; i < B; i++) perm[i] = i;
    for (let i = B - 1; i > 0; i--) { const j = this.shuffleRng.int(i + 1); const tmp = perm[i]!; perm[i] = perm[j]!; perm[j] = tmp; }
  }

  /** Copies minibatch m (transitions perm[mM … mM + M − 1]) of the batch into the given buffers. */
  gather(m: number, M: number, mb: MinibatchBuffers): void {
    const { d, k, perm } = this;
    for (let q = 0; q < M; q++) {
      const s = perm[m * M + q]!;
      for (let i = 0; i < d; i++) mb.obs[q * d + i] = this.obs_t[s * d + i]!;
      if (this.discrete) (mb.act as Int32Array)[q] = (this.act_t as Int32Array)[s]!;
      else for (let j = 0; j < k; j++) mb.act[q * k + j] = this.act_t[s * k + j]!;
      mb.logpOld[q] = this.logp_old_t[s]!; mb.advRaw[q] = this.adv_t[s]!; mb.target[q] = this.target_t[s]!; mb.vOld[q] = this.v_t[s]!;
    }
  }

  /** Minibatch buffers for M transitions. */
  minibatchBuffers(M: number): MinibatchBuffers {
    return {
      obs: new Float64Array(M * this.d), act: this.discrete ? new Int32Array(M) : new Float64Array(M * this.k),
      logpOld: new Float64Array(M), advRaw: new Float64Array(M), target: new Float64Array(M), vOld: new Float64Array(M),
    };
  }

  /**
   * The critic's value-loss gradient on M observations: one forward pass and one VJP with the
   * cotangent of {@link valueCotangent} (or {@link clippedValueCotangent} when `clipValueLoss`),
   * written into `gradPhi`. Returns the mean loss for the log.
   */
  valueGradient(obs: Float64Array, target: Float64Array, vOld: Float64Array, M: number, cot: Float64Array, gradPhi: Float64Array): number {
    const v = this.critic.forward(this.phi, obs, M);
    const loss = this.c.clipValueLoss ? clippedValueCotangent(v, vOld, target, this.c.clip, this.c.vfCoef, M, cot) : valueCotangent(v, target, this.c.vfCoef, M, cot);
    this.critic.vjp(this.phi, cot, gradPhi);
    return loss;
  }

  /** Step 4's log of update n (0-based) and the `onUpdate` call. */
  log(n: number, lr: number, collected: { ended: number; endedSum: number }, fields: Pick<UpdateLog, 'klK3' | 'clipFraction' | 'policyLoss' | 'valueLoss' | 'entropy' | 'extras'>, onUpdate?: (log: UpdateLog) => void): void {
    const recent = this.episodeReturns.slice(-100);
    const log: UpdateLog = {
      update: n + 1, steps: this.steps, meanReturn: collected.ended > 0 ? collected.endedSum / collected.ended : null, episodes: collected.ended,
      recentReturn: recent.length > 0 ? recent.reduce((a, b) => a + b, 0) / recent.length : null,
      ...fields, lr, seconds: (performance.now() - this.t0) / 1000,
    };
    if (log.extras === undefined) delete (log as { extras?: unknown }).extras;
    this.updates.push(log);
    onUpdate?.(log);
  }

  /** Closes the environments and returns the run's result. */
  finish(): TrainResult {
    this.venv.close();
    const recent = this.episodeReturns.slice(-100);
    return {
      env: this.envId, algo: this.algo, seed: this.seed, config: this.c, updates: this.updates, episodeReturns: this.episodeReturns,
      finalReturn: recent.length > 0 ? recent.reduce((a, b) => a + b, 0) / recent.length : null,
      steps: this.steps, seconds: (performance.now() - this.t0) / 1000, params: this.params,
    };
  }
}

/** A minibatch's copies of the batch's arrays. */
export interface MinibatchBuffers {
  readonly obs: Float64Array;
  readonly act: Int32Array | Float64Array;
  readonly logpOld: Float64Array;
  readonly advRaw: Float64Array;
  readonly target: Float64Array;
  /** V_φold(s_t) at collection (for the clipped value loss). */
  readonly vOld: Float64Array;
}
