/**
 * The per-batch tasks of the statistical claims. The sampling pool runs them in worker
 * threads (it loads this module there), so each is an exported `BatchTask` whose options
 * are plain data: estimators are named (a correct estimator's export name, or a mutant's
 * catalogue id), tables are number arrays.
 *
 * Every task returns one estimate per batch; the claims test the mean of the estimates
 * against an exact target (./sampled.ts).
 *
 * @module
 */
import { fail, show } from '../errors.js';
import {
  entropyBonus, gae, klPenalty, nStepAdvantages, offPolicyGradientPerDecision, offPolicyGradientWholeTrajectory,
  ppoClipSurrogate, reinforceRewardToGo, reinforceRewardToGoNoDiscountWeight, reinforceTotalReturn, tdErrors, trpoSurrogate,
} from '../estimators/index.js';
import { countEpisodes } from '../estimators/score.js';
import type { Surrogate } from '../estimators/surrogate.js';
import type { Policy } from '../policy/types.js';
import type { Batch } from '../sampling/batch.js';
import type { TaskContext } from '../sampling/map.js';
import { criticResiduals, hasCuts, stepsToCut, type CriticTaskOptions } from './advantage-targets.js';
import { MUTATIONS, type AdvantageFn, type ClippedSurrogateFn, type PolicyGradientFn, type RegularizerFn } from './mutations.js';

/** The correct policy-gradient estimators by name. */
export const POLICY_GRADIENT_ESTIMATORS: Record<string, PolicyGradientFn> = {
  reinforceRewardToGo, reinforceTotalReturn, reinforceRewardToGoNoDiscountWeight,
  offPolicyGradientWholeTrajectory, offPolicyGradientPerDecision,
};

/** The correct advantage estimators by name, as (batch, V, γ, λ or n). */
export const ADVANTAGE_ESTIMATORS: Record<string, AdvantageFn> = {
  gae,
  nStepAdvantages: (b, v, g, n) => nStepAdvantages(b, v, g, n),
  tdErrors: (b, v, g) => tdErrors(b, v, g),
};

const SURROGATES: Record<string, ClippedSurrogateFn> = {
  ppoClipSurrogate,
  trpoSurrogate: (b, p, g, adv) => trpoSurrogate(b, p, g, adv),
};

const REGULARIZERS: Record<string, RegularizerFn> = { klPenalty, entropyBonus };

/** Looks an estimator up by name, then among the catalogue's mutants of the same kind. */
export function pick<T>(table: Record<string, T>, kind: string, name: string): T {
  const f = table[name];
  if (f) return f;
  const m = MUTATIONS.find((x) => x.id === name && x.kind === kind);
  if (m) return m.mutant as unknown as T;
  return fail('SAMPLING_OPTIONS', `no ${kind} estimator is called ${show(name)} (known: ${Object.keys(table).join(', ')}, or a ${kind} mutant id)`, { where: 'options.estimator', value: name });
}

const tables = new WeakMap<object, Float64Array>();
/** A number array option as a Float64Array, converted once per map call (options keep their identity within a worker). */
function f64(x: readonly number[] | undefined): Float64Array | undefined {
  if (x === undefined) return undefined;
  let t = tables.get(x);
  if (!t) { t = Float64Array.from(x); tables.set(x, t); }
  return t;
}

/** Options of {@link policyGradientTask}. */
export interface PolicyGradientOptions {
  /** An estimator name of {@link POLICY_GRADIENT_ESTIMATORS} or a policy-gradient mutant id. */
  readonly estimator: string;
  /** The γ passed to the estimator (1 for geometrically stopped batches). */
  readonly gamma: number;
  /** A state baseline b[s]. */
  readonly baseline?: readonly number[];
}

/** The estimator's ∇J estimate on the batch. */
export function policyGradientTask(batch: Batch, ctx: TaskContext<PolicyGradientOptions>): Float64Array {
  const o = ctx.options;
  return pick(POLICY_GRADIENT_ESTIMATORS, 'policy-gradient', o.estimator)(batch, ctx.policy, o.gamma, f64(o.baseline));
}

/** Two estimators on the same batch, concatenated (for paired variance comparisons). */
export function policyGradientPairTask(batch: Batch, ctx: TaskContext<{ readonly a: PolicyGradientOptions; readonly b: PolicyGradientOptions }>): Float64Array {
  const { a, b } = ctx.options;
  const x = pick(POLICY_GRADIENT_ESTIMATORS, 'policy-gradient', a.estimator)(batch, ctx.policy, a.gamma, f64(a.baseline));
  const y = pick(POLICY_GRADIENT_ESTIMATORS, 'policy-gradient', b.estimator)(batch, ctx.policy, b.gamma, f64(b.baseline));
  const out = new Float64Array(x.length + y.length);
  out.set(x); out.set(y, x.length);
  return out;
}

/** Options of {@link advantageResidualTask}. */
export interface AdvantageOptions {
  /** `gae`, `nStepAdvantages`, `tdErrors`, or an advantage mutant id. */
  readonly estimator: string;
  readonly gamma: number;
  /** λ for GAE and its mutants; n for `nStepAdvantages`. */
  readonly parameter: number;
  /** The value table V[s] the estimator bootstraps from. */
  readonly values: readonly number[];
  /** The exact conditional mean E[Â_t | s_t, a_t] at `s*A + a` (A^π for V = V^π). */
  readonly target: readonly number[];
  /** Divide by this fixed count (episodes or environments per batch) instead of the batch's episode fragments. */
  readonly normalizer?: number;
}

/**
 * Σ_t (Â_t − target(s_t, a_t)) e_{(s_t,a_t)} / E: the per-(s,a) residuals of the advantage
 * estimate, summed over the batch and divided by its episode count. Its mean is 0 exactly
 * when E[Â_t | s_t, a_t] = target(s_t, a_t) for every visited pair.
 */
export function advantageResidualTask(batch: Batch, ctx: TaskContext<AdvantageOptions>): Float64Array {
  const o = ctx.options;
  const adv = pick(ADVANTAGE_ESTIMATORS, 'advantage', o.estimator)(batch, f64(o.values)!, o.gamma, o.parameter);
  const target = f64(o.target)!;
  const A = batch.numActions;
  const out = new Float64Array(batch.numStates * A);
  for (let i = 0; i < batch.size; i++) {
    const k = batch.s_t[i]! * A + batch.a_t[i]!;
    out[k] = out[k]! + adv[i]! - target[k]!;
  }
  const e = o.normalizer ?? countEpisodes(batch);
  for (let k = 0; k < out.length; k++) out[k] = out[k]! / e;
  return out;
}

/**
 * The critic check's residuals (./advantage-targets.ts) of a library advantage estimator or
 * an advantage mutant (`estimator`), its targets taken as Â_t + V(s_t).
 */
export function criticResidualTask(batch: Batch, ctx: TaskContext<CriticTaskOptions & { readonly estimator: string }>): Float64Array {
  const o = ctx.options, f = pick(ADVANTAGE_ESTIMATORS, 'advantage', o.estimator);
  return criticResiduals(batch, o, (V) => {
    const advantages = f(batch, V, o.gamma, o.lambda);
    return { advantages, targets: advantages.map((x, i) => x + V[batch.s_t[i]!]!) };
  });
}

/** Options of {@link surrogateGradientTask}. */
export interface SurrogateOptions {
  /** `trpoSurrogate`, `ppoClipSurrogate`, or a clipped-surrogate mutant id. */
  readonly estimator: string;
  readonly gamma: number;
  /** θ at which the surrogate is differentiated (the batch comes from the task's policy, θ_old). */
  readonly theta: readonly number[];
  /** PPO's ε. */
  readonly epsilon: number;
  /** The exact advantage table A^{π_old}[s*A + a]; each transition gets A(s_t, a_t). */
  readonly advantages: readonly number[];
}

function perStep(batch: Batch, table: Float64Array): Float64Array {
  const A = batch.numActions;
  const out = new Float64Array(batch.size);
  for (let i = 0; i < batch.size; i++) out[i] = table[batch.s_t[i]! * A + batch.a_t[i]!]!;
  return out;
}

const at = (ctx: TaskContext<{ readonly theta: readonly number[] }>): Policy => ({ param: ctx.policy.param, theta: f64(ctx.options.theta)! });

/** −∇(surrogate loss) at θ: an estimate of the ascent direction of the surrogate objective. */
export function surrogateGradientTask(batch: Batch, ctx: TaskContext<SurrogateOptions>): Float64Array {
  const o = ctx.options;
  const s: Surrogate = pick(SURROGATES, 'clipped-surrogate', o.estimator)(batch, at(ctx), o.gamma, perStep(batch, f64(o.advantages)!), o.epsilon);
  return s.gradient.map((x) => -x);
}

/** Options of {@link regularizerGradientTask}. */
export interface RegularizerOptions {
  /** `klPenalty`, `entropyBonus`, or a regularizer mutant id. */
  readonly estimator: string;
  readonly gamma: number;
  readonly theta: readonly number[];
  readonly coefficient: number;
}

/** ∇(regularizer loss) at θ on a batch from θ_old. */
export function regularizerGradientTask(batch: Batch, ctx: TaskContext<RegularizerOptions>): Float64Array {
  const o = ctx.options;
  return pick(REGULARIZERS, 'regularizer', o.estimator)(batch, at(ctx), o.gamma, o.coefficient).gradient;
}

/**
 * (1/E) Σ_t ∇log π(a_t|s_t) — with `naive: true` the wrong "score" e_{s_t,a_t} that forgets
 * the −π(·|s) term of the softmax (the negative control). Mean 0 for a correct score.
 */
export function scoreTask(batch: Batch, ctx: TaskContext<{ readonly naive: boolean }>): Float64Array {
  const { param, theta } = ctx.policy;
  const g = new Float64Array(param.numParams);
  const w = 1 / countEpisodes(batch);
  for (let i = 0; i < batch.size; i++) {
    if (ctx.options.naive) g[batch.s_t[i]! * batch.numActions + batch.a_t[i]!] += w;
    else param.addScore(theta, batch.s_t[i]!, batch.a_t[i]!, w, g);
  }
  return g;
}

/**
 * Σ_t e_{(s_t,a_t)} / E: the visits of each (s,a) in the batch per episode, E = `normalizer`
 * or the batch's episode fragments (the normalization of {@link advantageResidualTask}). Its mean is the expected visits n(s,a) per episode, the
 * factor between a bias of E[Â | s,a] and the bias of that pair's residual sum.
 */
export function visitCountTask(batch: Batch, ctx: TaskContext<{ readonly normalizer?: number }>): Float64Array {
  const A = batch.numActions;
  const out = new Float64Array(batch.numStates * A);
  for (let i = 0; i < batch.size; i++) { const k = batch.s_t[i]! * A + batch.a_t[i]!; out[k] = out[k]! + 1; }
  const e = ctx.options?.normalizer ?? countEpisodes(batch);
  for (let k = 0; k < out.length; k++) out[k] = out[k]! / e;
  return out;
}

/**
 * The visits behind each coordinate of the critic check's residual vector
 * (./advantage-targets.ts), in its layout: per critic the visits of (s,a) over all
 * transitions (for the advantages and again for the targets), then — with cuts — over the
 * last transitions before a cut; divided by the same fixed count. A bias b of E[Â | s,a,m]
 * shows in coordinate j as b times its mean.
 */
export function criticVisitTask(batch: Batch, ctx: TaskContext<CriticTaskOptions>): Float64Array {
  const o = ctx.options, A = batch.numActions, SA = batch.numStates * A, C = o.critics.length, cuts = hasCuts(o);
  const out = new Float64Array((cuts ? 4 : 2) * C * SA), cutBase = 2 * C * SA;
  for (let i = 0; i < batch.size; i++) {
    const k = batch.s_t[i]! * A + batch.a_t[i]!, last = cuts && stepsToCut(batch, i, o.segmentLength, o.maxSteps) === 1;
    for (let c = 0; c < C; c++) {
      out[2 * c * SA + k] = out[2 * c * SA + k]! + 1;
      out[2 * c * SA + SA + k] = out[2 * c * SA + SA + k]! + 1;
      if (last) { out[cutBase + 2 * c * SA + k] = out[cutBase + 2 * c * SA + k]! + 1; out[cutBase + 2 * c * SA + SA + k] = out[cutBase + 2 * c * SA + SA + k]! + 1; }
    }
  }
  for (let k = 0; k < out.length; k++) out[k] = out[k]! / o.normalizer;
  return out;
}

/** The names this module exports as tasks (for the pool's TaskRef). */
export type TaskName = 'policyGradientTask' | 'policyGradientPairTask' | 'advantageResidualTask' | 'criticResidualTask' | 'surrogateGradientTask' | 'regularizerGradientTask' | 'scoreTask' | 'visitCountTask' | 'criticVisitTask';
