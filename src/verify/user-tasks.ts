/**
 * Per-batch tasks around a user's estimators, built from the user's module namespace. A
 * small generated module (see ./check.ts) imports the user's module and this one and
 * exports these tasks, so that the sampling pool's workers can load them by name.
 *
 * @module
 */
import { fail } from '../errors.js';
import type { Policy } from '../policy/types.js';
import type { Batch } from '../sampling/batch.js';
import type { TaskContext } from '../sampling/map.js';
import { criticResiduals, type CriticTaskOptions } from './advantage-targets.js';
import { checkedResult, collectEstimators, policyView, type AdvantageEstimator, type LoadedEstimator, type PolicyGradientEstimator, type PolicyView, type SurrogateEstimator } from './plugin.js';

const f64 = new WeakMap<object, Float64Array>();
function table(x: readonly number[]): Float64Array {
  let t = f64.get(x);
  if (!t) { t = Float64Array.from(x); f64.set(x, t); }
  return t;
}

/** The tasks for the estimators of one user module. */
export function userTasks(ns: Record<string, unknown>, module: string) {
  const all = collectEstimators(ns, module);
  const find = (key: string): LoadedEstimator => all.find((e) => e.key === key) ?? fail('PLUGIN_INVALID', `${module} has no estimator at export ${key}`, { where: key });
  const views = new WeakMap<Policy, PolicyView>();
  const view = (p: Policy, theta?: Float64Array): PolicyView => {
    if (theta) return policyView({ param: p.param, theta });
    let v = views.get(p);
    if (!v) { v = policyView(p); views.set(p, v); }
    return v;
  };
  return {
    /** The user's ∇J estimate on the batch. */
    userPolicyGradientTask(batch: Batch, ctx: TaskContext<{ key: string; gamma: number }>): Float64Array {
      const e = find(ctx.options.key);
      const g = (e.estimator as PolicyGradientEstimator).estimate(batch, view(ctx.policy), ctx.options.gamma);
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
      const r = (e.estimator as AdvantageEstimator).estimate(batch, table(o.values), o.gamma, o.lambda);
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
        const r = (e.estimator as AdvantageEstimator).estimate(batch, Float64Array.from(V), o.gamma, o.lambda);
        return { advantages: checkedResult(r?.advantages, batch.size, `${e.name}.estimate(…).advantages`), targets: checkedResult(r?.targets, batch.size, `${e.name}.estimate(…).targets`) };
      });
    },
    /** −∇ loss of the user's surrogate at θ (options.theta), with the exact advantage of each transition. */
    userSurrogateTask(batch: Batch, ctx: TaskContext<{ key: string; theta: number[]; advantages: number[] }>): Float64Array {
      const e = find(ctx.options.key);
      const A = batch.numActions, adv = table(ctx.options.advantages);
      const perStep = new Float64Array(batch.size);
      for (let i = 0; i < batch.size; i++) perStep[i] = adv[batch.s_t[i]! * A + batch.a_t[i]!]!;
      const r = (e.estimator as SurrogateEstimator).estimate(batch, view(ctx.policy, table(ctx.options.theta)), perStep);
      if (typeof r?.loss !== 'number' || !Number.isFinite(r.loss)) fail('ESTIMATOR_INVALID', `${e.name}.estimate(…).loss is ${String(r?.loss)}: expected a finite number`, { where: `${e.name}.loss`, value: r?.loss });
      return checkedResult(r.gradient, ctx.policy.param.numParams, `${e.name}.estimate(…).gradient`).map((x) => -x);
    },
  };
}
