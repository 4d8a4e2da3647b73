/**
 * Per-batch tasks around a user's estimators, built from the user's module namespace. A
 * small generated module (see ./sandbox.ts) loads the user's module through
 * {@link loadUserTasks} and exports these tasks, so that the sampling pool's workers can
 * load them by name. Every call into the user's code — the module's loading and each
 * `estimate` — is a guarded call (../sampling/guard.ts): timed, its exits and its throws
 * reported with the user's file:line.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';
import { fail } from '../errors.js';
import { guarded, guardedAsync } from '../sampling/guard.js';
import type { Parameterization, Policy } from '../policy/types.js';
import type { Batch } from '../sampling/batch.js';
import type { TaskContext } from '../sampling/map.js';
import type { AdvantageDefinition } from '../exact/advantage-expectation.js';
import { softmaxPolicy } from '../policy/softmax.js';
import type { GroupBatch } from '../sampling/groups.js';
import { criticResiduals, type CriticTaskOptions } from './advantage-targets.js';
import { declaredPolicy, type PolicyDeclaration } from './continuous-kind.js';
import { declaredEntropy, type EntropyDeclaration } from './continuous-surrogate.js';
import { POLICY_VIEW_TASKS, policyViewTasks } from './continuous-tasks.js';
import { declaredDefinition } from './claims/critics.js';
import { actorCriticResiduals, checkedLoss, lossDeclaration, valueLossResiduals, type ActorCriticDeclaration, type ActorCriticEstimator, type ActorCriticTaskOptions, type ValueLossDeclaration, type ValueLossEstimator, type ValueLossTaskOptions } from './value-loss-kind.js';
import { runMachinery, machineryDeclaration } from './machinery.js';
import { describeScale, groupDeclaration, userGroupGradient, userKlPenaltyGradient, type GroupEstimator, type GroupObjective, type GroupPart, type ReferenceGroupBatch } from './group-kind.js';
import { checkedResult, collectEstimators, policyView, surrogateDeclaration, type AdvantageEstimator, type KLEstimator, type LoadedEstimator, type PolicyGradientEstimator, type PolicyView, type SurrogateEstimator } from './plugin.js';

const f64 = new WeakMap<object, Float64Array>();
function table(x: readonly number[]): Float64Array {
  let t = f64.get(x);
  if (!t) { t = Float64Array.from(x); f64.set(x, t); }
  return t;
}

/** The tasks a generated task module exports (./sandbox.ts's writeTaskModule, ./python/estimators.ts's writePythonTaskModule). */
export const USER_TASKS = ['userPolicyGradientTask', 'userAdvantageTask', 'userCriticTask', 'userSurrogateTask', 'userKLTask', 'userGroupTask', 'userDescribe', 'userValueLossTask', 'userActorCriticTask', 'userMachineryTask', ...POLICY_VIEW_TASKS] as const;

/** What the main thread learns of a user module's estimators (the code stays in the worker). */
export interface EstimatorDescription {
  readonly key: string;
  readonly name: string;
  readonly kind: LoadedEstimator['estimator']['kind'];
  readonly clip: number | undefined;
  /** An advantage estimator's declared definition, checked (`'gae'` when it declares none). */
  readonly definition?: AdvantageDefinition;
  /** A group estimator's declared `scale`, evaluated at the group sizes the kind uses ([G, κ(G)] pairs; absent: κ = 1). */
  readonly scale?: Array<[number, number]>;
  /** A group estimator's declared objective and whether it has a `klPenalty` (checked here). */
  readonly objective?: GroupObjective;
  readonly klPenalty?: true;
  /** A surrogate's declared regularizers and advantage normalization (checked). */
  readonly entropyCoef?: number;
  readonly klCoef?: number;
  readonly normalizeAdvantages?: boolean;
  /** A value-loss or actor-critic estimator's checked declaration (./value-loss-kind.ts). */
  readonly loss?: ValueLossDeclaration | ActorCriticDeclaration;
  /** The TRPO and V-MPO kinds' declared numbers (damping; shrink, maxBacktracks, acceptRatio), checked (./machinery.ts). */
  readonly declared?: Record<string, number | string>;
  /** A policy-gradient estimator's declared policy (./continuous-kind.ts), when it declares one. */
  readonly policy?: PolicyDeclaration;
  /** A surrogate's declared entropy estimate (./continuous-surrogate.ts), when it declares one. */
  readonly entropy?: EntropyDeclaration;
}

const fileOf = (module: string) => (module.startsWith('file:') ? fileURLToPath(module) : module);

/** Imports the user's module as a guarded call (`loading <file>`) and builds its tasks. */
export async function loadUserTasks(module: string) {
  const ns = await guardedAsync(`loading ${fileOf(module)}`, () => import(module) as Promise<Record<string, unknown>>);
  return userTasks(ns, module);
}

/** The tasks for the estimators of one user module. */
export function userTasks(ns: Record<string, unknown>, module: string) {
  const all = collectEstimators(ns, module);
  const file = fileOf(module);
  const call = <T>(e: LoadedEstimator, f: () => T): T => guarded(`${e.name}.estimate in ${file}`, f);
  const find = (key: string): LoadedEstimator => all.find((e) => e.key === key) ?? fail('PLUGIN_INVALID', `${module} has no estimator at export ${key}`, { where: key });
  const views = new WeakMap<Policy, PolicyView>();
  const softmaxParams: Record<string, Parameterization> = {};
  const view = (p: Policy, theta?: Float64Array): PolicyView => {
    if (theta) return policyView({ param: p.param, theta });
    let v = views.get(p);
    if (!v) { v = policyView(p); views.set(p, v); }
    return v;
  };
  return {
    ...policyViewTasks(find, call),
    /** The estimators' keys, names, kinds and declared data (clip ranges, surrogate regularizers and normalization, advantage definitions, group scales — the last evaluated here, guarded), each checked here. */
    userDescribe(): EstimatorDescription[] {
      return all.map((e) => {
        const k = e.estimator.kind;
        const scale = k === 'group' ? guarded(`${e.name}.scale in ${file}`, () => describeScale(e)) : undefined;
        return {
          key: e.key, name: e.name, kind: k, clip: (e.estimator as SurrogateEstimator).clip,
          ...(k === 'advantage' ? { definition: declaredDefinition(e) } : {}),
          ...(scale ? { scale } : {}),
          ...(k === 'value-loss' || k === 'actor-critic' ? { loss: lossDeclaration(e) } : {}),
          ...(machineryDeclaration(e) ? { declared: machineryDeclaration(e)! } : {}),
          ...(k === 'group' ? guarded(`${e.name} in ${file}`, () => groupDeclaration(e)) : {}),
          ...((e.estimator as { policy?: unknown }).policy !== undefined ? { policy: declaredPolicy(e) } : {}),
          ...((e.estimator as { entropy?: unknown }).entropy !== undefined ? { entropy: declaredEntropy(e) } : {}),
          ...(k === 'surrogate' ? (({ entropyCoef, klCoef, normalizeAdvantages }) => ({ ...(entropyCoef !== undefined ? { entropyCoef } : {}), ...(klCoef !== undefined ? { klCoef } : {}), ...(normalizeAdvantages !== undefined ? { normalizeAdvantages } : {}) }))(surrogateDeclaration(e)) : {}),
        };
      });
    },
    /** The group estimator `key`'s policy-gradient estimates on each batch (n × S·A), under the softmax policy θ (./group-kind.ts). */
    userGroupTask(key: string, batches: GroupBatch[], theta: Float64Array, part: GroupPart = 'estimate'): Float64Array {
      const e = find(key);
      if (!batches.length) return new Float64Array(0);
      const S = batches[0]!.numStates, A = batches[0]!.numActions;
      const param = (softmaxParams[`${S}x${A}`] ??= softmaxPolicy(S, A));
      const policy = { param, theta }, v = view(policy), d = param.numParams;
      const out = new Float64Array(batches.length * d);
      batches.forEach((b, k) => {
        const est = e.estimator as GroupEstimator;
        if (part === 'klPenalty') {
          const raw = guarded(`${e.name}.klPenalty in ${file}`, () => est.klPenalty!(b as ReferenceGroupBatch, v));
          out.set(userKlPenaltyGradient(e.name, raw, policy, b), k * d);
          return;
        }
        const raw = call(e, () => est.estimate(b, v));
        out.set(userGroupGradient(e.name, raw, policy, b), k * d);
      });
      return out;
    },
    /** A TRPO or V-MPO kind's outputs on the cases of `payload` (./machinery.ts), each call into the user's code guarded. */
    userMachineryTask(key: string, payload: unknown): Float64Array {
      const e = find(key);
      return runMachinery(e, payload, (f) => call(e, f));
    },
    /** The KL estimator `key`'s per-sample estimates of the log-ratios (checked: finite, one per sample). */
    userKLTask(key: string, logRatio: Float64Array): Float64Array {
      const e = find(key);
      const k = call(e, () => (e.estimator as KLEstimator).estimate(logRatio));
      return checkedResult(k, logRatio.length, `${e.name}.estimate`);
    },
    /** The user's ∇J estimate on the batch. */
    userPolicyGradientTask(batch: Batch, ctx: TaskContext<{ key: string; gamma: number }>): Float64Array {
      const e = find(ctx.options.key);
      const g = call(e, () => (e.estimator as PolicyGradientEstimator).estimate(batch, view(ctx.policy), ctx.options.gamma));
      return checkedResult(g, ctx.policy.param.numParams, `${e.name}.estimate`);
    },
    /**
     * Residuals (Â_t − A(s_t,a_t)) and (target_t − Q(s_t,a_t)) summed per (s,a) and divided by
     * `normalizer` (a fixed count: episodes or environments per batch) or, without it, by the
     * batch's episode fragments: 2·S·A numbers. In segments whose episodes terminate, the
     * fragment count is random and correlated with the residuals (a correct GAE gave |z| = 12 at
     * 20 000 batches of the 4×4 gridworld); a fixed count keeps every coordinate's mean at 0.
     */
    userAdvantageTask(batch: Batch, ctx: TaskContext<{ key: string; gamma: number; lambda: number; values: number[]; advantages: number[]; q: number[]; normalizer?: number }>): Float64Array {
      const e = find(ctx.options.key);
      const o = ctx.options;
      const r = call(e, () => (e.estimator as AdvantageEstimator).estimate(batch, table(o.values), o.gamma, o.lambda));
      const adv = checkedResult(r?.advantages, batch.size, `${e.name}.estimate(…).advantages`);
      const tgt = checkedResult(r?.targets, batch.size, `${e.name}.estimate(…).targets`);
      const A = batch.numActions, SA = batch.numStates * A;
      const out = new Float64Array(2 * SA);
      const a = table(o.advantages), q = table(o.q);
      let episodes = 0;
      for (let i = 0; i < batch.size; i++) {
        if (i === 0 || batch.episode_t[i] !== batch.episode_t[i - 1]) episodes++;
        const k = batch.s_t[i]! * A + batch.a_t[i]!;
        out[k] = out[k]! + adv[i]! - a[k]!;
        out[SA + k] = out[SA + k]! + tgt[i]! - q[k]!;
      }
      const n = o.normalizer ?? episodes;
      for (let k = 0; k < out.length; k++) out[k] = out[k]! / n;
      return out;
    },
    /** The critic check's residuals (./advantage-targets.ts): the user's advantages and targets under each critic of the options. */
    userCriticTask(batch: Batch, ctx: TaskContext<CriticTaskOptions & { key: string }>): Float64Array {
      const e = find(ctx.options.key), o = ctx.options;
      return criticResiduals(batch, o, (V) => {
        // a copy: an estimator that writes into its value table must not change the next batch's critic
        const r = call(e, () => (e.estimator as AdvantageEstimator).estimate(batch, Float64Array.from(V), o.gamma, o.lambda));
        return { advantages: checkedResult(r?.advantages, batch.size, `${e.name}.estimate(…).advantages`), targets: checkedResult(r?.targets, batch.size, `${e.name}.estimate(…).targets`) };
      });
    },
    /** −∇ loss of the user's surrogate at θ (options.theta), with the exact advantage of each transition. */
    userSurrogateTask(batch: Batch, ctx: TaskContext<{ key: string; theta: number[]; advantages: number[] }>): Float64Array {
      const e = find(ctx.options.key);
      const A = batch.numActions, adv = table(ctx.options.advantages);
      const perStep = new Float64Array(batch.size);
      for (let i = 0; i < batch.size; i++) perStep[i] = adv[batch.s_t[i]! * A + batch.a_t[i]!]!;
      const r = call(e, () => (e.estimator as SurrogateEstimator).estimate(batch, view(ctx.policy, table(ctx.options.theta)), perStep));
      if (typeof r?.loss !== 'number' || !Number.isFinite(r.loss)) fail('ESTIMATOR_INVALID', `${e.name}.estimate(…).loss is ${String(r?.loss)}: expected a finite number`, { where: `${e.name}.loss`, value: r?.loss });
      return checkedResult(r.gradient, ctx.policy.param.numParams, `${e.name}.estimate(…).gradient`).map((x) => -x);
    },
    /** The value-loss residuals (./value-loss-kind.ts) of the user's ∇_V loss at V, with targets from V_old (copies: an estimator that writes into a table must not change the next batch's). */
    userValueLossTask(batch: Batch, ctx: TaskContext<ValueLossTaskOptions & { key: string }>): Float64Array {
      const e = find(ctx.options.key), o = ctx.options;
      const r = call(e, () => (e.estimator as ValueLossEstimator).estimate(batch, Float64Array.from(o.values), Float64Array.from(o.valuesOld), o.gamma, o.lambda));
      checkedLoss(e.name, r);
      return valueLossResiduals(batch, o, checkedResult(r.gradient, batch.numStates, `${e.name}.estimate(…).gradient`));
    },
    /** The actor-critic residuals (./value-loss-kind.ts) of the user's ∇_θ L and ∇_V L on the batch. */
    userActorCriticTask(batch: Batch, ctx: TaskContext<ActorCriticTaskOptions & { key: string }>): Float64Array {
      const e = find(ctx.options.key), o = ctx.options;
      const r = call(e, () => (e.estimator as ActorCriticEstimator).estimate(batch, view(ctx.policy), Float64Array.from(o.values), o.gamma, o.lambda));
      checkedLoss(e.name, r);
      const gTheta = checkedResult(r.gradTheta, ctx.policy.param.numParams, `${e.name}.estimate(…).gradTheta`);
      return actorCriticResiduals(batch, o, ctx.policy, gTheta, checkedResult(r.gradV, batch.numStates, `${e.name}.estimate(…).gradV`));
    },
  };
}
