/**
 * The hyperparameters of the deep learners as one documented object, and the presets.
 *
 * - `cleanrl`: CleanRL's `ppo.py` for discrete actions (Huang et al. 2022, "CleanRL"): 4 envs ×
 *   128 steps, 4 epochs × 4 minibatches, Adam 2.5e-4 (ε 1e-5) decayed linearly, γ 0.99,
 *   λ 0.95, clip 0.2, entropy 0.01, value 0.5, clipped value loss, gradient norm 0.5, 64×64 tanh
 *   networks (orthogonal init, gains √2, last layers 0.01 policy and 1 value), no observation or
 *   reward normalization; for continuous actions `ppo_continuous_action.py`:
 *   1 env × 2048 steps, 10 epochs × 32 minibatches, Adam 3e-4, entropy 0, a Gaussian head with
 *   a state-independent log σ, actions clipped to the box, observations and rewards normalized.
 * - `lehmann2024`: Lehmann 2024, Appendix A / Table 2 (REFERENCES.md): policy 4×32 and value
 *   5×256 swish networks, tanh-squashed Gaussian actions, Adam 3e-4 decayed linearly,
 *   gradient norm 0.5, observations and rewards normalized and clipped to ±10, 8 envs,
 *   unroll 2048, 8 minibatches, γ 0.99, λ 0.95, PPO: 10 epochs, ε 0.2, entropy 0, advantage
 *   normalization. Our reading of "unroll 2048" is 2048 transitions per update in total
 *   (8 envs × 256 steps); the paper's text does not say whether it is per environment.
 *
 * Value-loss clipping (CleanRL's `clip_vloss`, on by default in both its PPO scripts, with the
 * policy's ε = 0.2 on the unnormalized value): on in `cleanrl` (run.ts `clippedValueCotangent`),
 * off in `lehmann2024` (the paper does not use it; Andrychowicz et al. 2021, §3.5, found it does
 * not help), where the value loss is ½·mean (v_t − target_t)².
 *
 * Where `cleanrl` still departs from CleanRL's scripts, on purpose or by a hair:
 * - truncation: CleanRL's `ppo.py` ends the bootstrap at a time limit as at a termination
 *   (`done = terminated or truncated`); we bootstrap from V(s_tp1) at a truncation (DESIGN.md:
 *   termination and truncation are different flags, everywhere); `bootstrapTimeLimit: false`
 *   reproduces CleanRL's choice;
 * - advantage normalization divides by the population standard deviation (PyTorch's `std()`
 *   is the sample one: a factor √(127/128) on CartPole's minibatches of 128);
 * - gradient clipping scales by maxNorm/‖g‖ (PyTorch: maxNorm/(‖g‖ + 1e-6)).
 *
 * @module
 */
import { fail, show } from '../../errors.js';
import type { ActivationName } from '../../policy/mlp.js';

/** Everything a deep PPO run is configured by. */
export interface DeepConfig {
  /** N, parallel environment copies. */
  readonly numEnvs: number;
  /** T, steps per copy per update (the batch holds N·T transitions). */
  readonly numSteps: number;
  /** Passes over each batch. */
  readonly epochs: number;
  /** Minibatches per pass (must divide N·T). */
  readonly minibatches: number;
  /** Adam's initial step size α₀. */
  readonly lr: number;
  /** Adam's ε. */
  readonly adamEps: number;
  /** Decay α linearly to 0 over the run (optim/schedule.ts). */
  readonly annealLr: boolean;
  /** γ. */
  readonly gamma: number;
  /** GAE λ. */
  readonly lambda: number;
  /** PPO's clip ε. */
  readonly clip: number;
  /** Entropy-bonus coefficient (0: the entropy is neither computed nor logged). */
  readonly entCoef: number;
  /** Value-loss coefficient c_v: the loss adds c_v · ½ mean (v_t − target_t)². */
  readonly vfCoef: number;
  /** Global gradient-norm clip (Pascanu et al. 2013). */
  readonly maxGradNorm: number;
  /** Normalize advantages per minibatch (estimators/normalize.ts). */
  readonly normAdv: boolean;
  /** Hidden widths of the policy network. */
  readonly actorHidden: readonly number[];
  /** Hidden widths of the value network. */
  readonly criticHidden: readonly number[];
  readonly activation: ActivationName;
  /** Gain of the last policy layer at init (Andrychowicz et al. 2021: 0.01). */
  readonly actorLastGain: number;
  /** Continuous actions: `gaussian` (clipped to the box) or `tanh-gaussian` (squashed into the box). */
  readonly continuousHead: 'gaussian' | 'tanh-gaussian';
  /** Running observation normalization, clipped to ±10. */
  readonly normalizeObservations: boolean;
  /** Reward scaling by the running std of the discounted sum, clipped to ±10. */
  readonly normalizeRewards: boolean;
  /** PPO, A2C: the clipped value loss with ε = `clip` (run.ts `clippedValueCotangent`; CleanRL's `clip_vloss`). */
  readonly clipValueLoss: boolean;
  /**
   * Bootstrap from V(s_tp1) where a time limit cut the episode (default true: DESIGN.md).
   * `false` treats a time-limit truncation as a termination — what CleanRL's scripts do — to
   * reproduce them; a segment end always bootstraps.
   */
  readonly bootstrapTimeLimit: boolean;
  /** TRPO: the trust-region radius δ on the batch's mean KL(π_old ‖ π_new). */
  readonly maxKl: number;
  /** TRPO: the damping λ of F + λI in conjugate gradient. */
  readonly cgDamping: number;
  /** TRPO: conjugate-gradient iterations. */
  readonly cgIterations: number;
  /** TRPO: line-search trials and their shrink factor. */
  readonly lineSearchSteps: number;
  readonly lineSearchShrink: number;
  /** V-MPO: the initial temperature η₀ and Lagrange multiplier ν₀, their floors η_min, ν_min. */
  readonly eta0: number;
  readonly nu0: number;
  readonly etaMin: number;
  readonly nuMin: number;
  /** V-MPO: ε_η of the temperature loss and ε_ν of the trust region (on the whole KL; see vmpo.ts). */
  readonly epsilonEta: number;
  readonly epsilonNu: number;
  /** V-MPO: Adam's step size for the duals (η, ν), constant. */
  readonly dualLr: number;
}

/** The preset names. */
export type PresetName = 'cleanrl' | 'lehmann2024';
export const PRESET_NAMES: readonly PresetName[] = ['cleanrl', 'lehmann2024'];

/** TRPO's and V-MPO's own settings: Lehmann 2024, Table 2 and Appendix C (both presets; CleanRL has neither learner); and the bootstrap at time limits (all). */
const TRUST_REGION = {
  bootstrapTimeLimit: true,
  maxKl: 0.01, cgDamping: 0.1, cgIterations: 10, lineSearchSteps: 10, lineSearchShrink: 0.8,
  eta0: 1, nu0: 1, etaMin: 1e-8, nuMin: 1e-8, epsilonEta: 0.01, epsilonNu: 0.01, dualLr: 0.01,
} as const;

const CLEANRL_DISCRETE: DeepConfig = Object.freeze({
  numEnvs: 4, numSteps: 128, epochs: 4, minibatches: 4, lr: 2.5e-4, adamEps: 1e-5, annealLr: true,
  gamma: 0.99, lambda: 0.95, clip: 0.2, entCoef: 0.01, vfCoef: 0.5, maxGradNorm: 0.5, normAdv: true,
  actorHidden: [64, 64], criticHidden: [64, 64], activation: 'tanh', actorLastGain: 0.01,
  continuousHead: 'gaussian', normalizeObservations: false, normalizeRewards: false, clipValueLoss: true,
  ...TRUST_REGION,
});

const CLEANRL_CONTINUOUS: DeepConfig = Object.freeze({
  ...CLEANRL_DISCRETE, numEnvs: 1, numSteps: 2048, epochs: 10, minibatches: 32, lr: 3e-4, entCoef: 0,
  normalizeObservations: true, normalizeRewards: true,
});

const LEHMANN2024: DeepConfig = Object.freeze({
  numEnvs: 8, numSteps: 256, epochs: 10, minibatches: 8, lr: 3e-4, adamEps: 1e-8, annealLr: true,
  gamma: 0.99, lambda: 0.95, clip: 0.2, entCoef: 0, vfCoef: 0.5, maxGradNorm: 0.5, normAdv: true,
  actorHidden: [32, 32, 32, 32], criticHidden: [256, 256, 256, 256, 256], activation: 'swish', actorLastGain: 0.01,
  continuousHead: 'tanh-gaussian', normalizeObservations: true, normalizeRewards: true, clipValueLoss: false,
  ...TRUST_REGION,
});

/** The deep learners. */
export type DeepAlgo = 'ppo' | 'a2c' | 'reinforce' | 'trpo' | 'vmpo';
export const DEEP_ALGOS: readonly DeepAlgo[] = ['ppo', 'a2c', 'reinforce', 'trpo', 'vmpo'];

/**
 * The preset `name` for `algo` on a task with discrete (`true`) or continuous actions.
 * `lehmann2024` follows Table 2 per algorithm (A2C: 1 epoch, entropy 0.1; REINFORCE: 1 env ×
 * 2048 steps, 1 epoch, no advantage normalization, no critic). CleanRL has no A2C or
 * REINFORCE script: `cleanrl` for them is CleanRL's PPO setting with one epoch and one
 * minibatch (one gradient step per batch) and no value-loss clip (the clip is PPO's ε) — our
 * choice, not a published configuration.
 */
export function preset(name: string, discrete: boolean, algo: DeepAlgo = 'ppo'): DeepConfig {
  if (!(DEEP_ALGOS as readonly string[]).includes(algo)) fail('TRAIN_OPTIONS', `the algorithm is ${show(algo)}: expected one of ${DEEP_ALGOS.join(', ')}`, { where: 'algo', value: algo });
  let base: DeepConfig;
  if (name === 'cleanrl') base = discrete ? CLEANRL_DISCRETE : CLEANRL_CONTINUOUS;
  else if (name === 'lehmann2024') base = LEHMANN2024;
  else return fail('TRAIN_OPTIONS', `the preset is ${show(name)}: expected one of ${PRESET_NAMES.join(', ')}`, { where: 'preset', value: name });
  if (algo === 'ppo') return base;
  if (algo === 'trpo') return Object.freeze({ ...base, entCoef: 0, clipValueLoss: false, ...(name === 'lehmann2024' ? { epochs: 10 } : {}) });
  if (algo === 'vmpo') return Object.freeze({ ...base, entCoef: 0, normAdv: false, clipValueLoss: false });
  if (name === 'cleanrl') return Object.freeze({ ...base, epochs: 1, minibatches: 1, clipValueLoss: false });
  if (algo === 'a2c') return Object.freeze({ ...base, epochs: 1, entCoef: 0.1 });
  return Object.freeze({ ...base, numEnvs: 1, numSteps: 2048, epochs: 1, normAdv: false, entCoef: 0 });
}

function posInt(x: unknown, where: string): void {
  if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 1) fail('TRAIN_OPTIONS', `${where} is ${show(x)}: expected a positive integer`, { where, value: x });
}
function inRange(x: unknown, lo: number, hi: number, where: string): void {
  if (typeof x !== 'number' || !(x >= lo && x <= hi)) fail('TRAIN_OPTIONS', `${where} is ${show(x)}: expected a number in [${lo}, ${hi}]`, { where, value: x });
}

/** `base` with `overrides` applied and every field checked (`TRAIN_OPTIONS` naming the field otherwise). */
export function resolveConfig(base: DeepConfig, overrides: Partial<DeepConfig> = {}): DeepConfig {
  for (const k of Object.keys(overrides)) if (!(k in base)) fail('TRAIN_OPTIONS', `unknown option ${show(k)} (known: ${Object.keys(base).join(', ')})`, { where: k });
  const c: DeepConfig = { ...base, ...overrides };
  posInt(c.numEnvs, 'numEnvs'); posInt(c.numSteps, 'numSteps'); posInt(c.epochs, 'epochs'); posInt(c.minibatches, 'minibatches');
  if ((c.numEnvs * c.numSteps) % c.minibatches !== 0) fail('TRAIN_OPTIONS', `the batch of ${c.numEnvs}×${c.numSteps} = ${c.numEnvs * c.numSteps} transitions is not divisible into ${c.minibatches} minibatches`, { where: 'minibatches', value: c.minibatches });
  inRange(c.lr, 0, 1, 'lr'); inRange(c.adamEps, 1e-300, 1, 'adamEps');
  inRange(c.gamma, 0, 1, 'gamma'); inRange(c.lambda, 0, 1, 'lambda'); inRange(c.clip, 0, 10, 'clip');
  inRange(c.entCoef, 0, 1e6, 'entCoef'); inRange(c.vfCoef, 0, 1e6, 'vfCoef'); inRange(c.maxGradNorm, 0, 1e300, 'maxGradNorm');
  inRange(c.actorLastGain, 0, 1e6, 'actorLastGain');
  c.actorHidden.forEach((n, i) => posInt(n, `actorHidden[${i}]`));
  c.criticHidden.forEach((n, i) => posInt(n, `criticHidden[${i}]`));
  inRange(c.maxKl, 1e-12, 1e3, 'maxKl'); inRange(c.cgDamping, 0, 1e6, 'cgDamping'); posInt(c.cgIterations, 'cgIterations');
  posInt(c.lineSearchSteps, 'lineSearchSteps'); inRange(c.lineSearchShrink, 1e-6, 1 - 1e-6, 'lineSearchShrink');
  inRange(c.eta0, 1e-12, 1e6, 'eta0'); inRange(c.nu0, 0, 1e6, 'nu0'); inRange(c.etaMin, 1e-12, 1e6, 'etaMin'); inRange(c.nuMin, 0, 1e6, 'nuMin');
  inRange(c.epsilonEta, 0, 1e3, 'epsilonEta'); inRange(c.epsilonNu, 0, 1e3, 'epsilonNu'); inRange(c.dualLr, 0, 1e3, 'dualLr');
  if (typeof c.bootstrapTimeLimit !== 'boolean') fail('TRAIN_OPTIONS', `bootstrapTimeLimit is ${show(c.bootstrapTimeLimit)}: expected true or false`, { where: 'bootstrapTimeLimit', value: c.bootstrapTimeLimit });
  if (typeof c.clipValueLoss !== 'boolean') fail('TRAIN_OPTIONS', `clipValueLoss is ${show(c.clipValueLoss)}: expected true or false`, { where: 'clipValueLoss', value: c.clipValueLoss });
  if (c.continuousHead !== 'gaussian' && c.continuousHead !== 'tanh-gaussian') fail('TRAIN_OPTIONS', `continuousHead is ${show(c.continuousHead)}: expected gaussian or tanh-gaussian`, { where: 'continuousHead', value: c.continuousHead });
  return Object.freeze(c);
}
