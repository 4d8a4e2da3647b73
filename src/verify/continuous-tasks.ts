/**
 * The worker-side tasks of the policy views of `pgtruth check` (./continuous-kind.ts,
 * ./mlp-kind.ts): they build the view a declared policy needs and call the user's estimate
 * as a guarded call (./user-tasks.ts spreads them into the user module's tasks).
 *
 * @module
 */
import { Mlp, type ActivationName } from '../policy/mlp.js';
import type { Batch } from '../sampling/batch.js';
import type { TaskContext } from '../sampling/map.js';
import { gaussianPolicyView, type ContinuousBatch, type GaussianPolicyGradientEstimator, type GaussianPolicyView, type GaussianViewSpec } from './continuous-kind.js';
import { gaussianMlpPolicyView, type GaussianMlpPolicyGradientEstimator, type GaussianMlpPolicyView, type GaussianMlpViewSpec } from './gaussian-mlp-kind.js';
import { mlpPolicyView, type MlpPolicyGradientEstimator, type MlpPolicyView, type MlpViewTaskOptions } from './mlp-kind.js';
import type { GaussianSurrogateEstimator } from './continuous-surrogate.js';
import { fail } from '../errors.js';
import { checkedResult, type LoadedEstimator } from './plugin.js';

/** The names of the tasks {@link policyViewTasks} adds. */
export const POLICY_VIEW_TASKS = ['userContinuousTask', 'userMlpPolicyGradientTask', 'userContinuousSurrogateTask'] as const;

/** The view of a continuous spec: the Gaussian view, or the MLP head's (./gaussian-mlp-kind.ts). */
const viewOf = (spec: GaussianViewSpec | GaussianMlpViewSpec, theta: Float64Array): GaussianPolicyView | GaussianMlpPolicyView =>
  (spec.head === 'mlp' ? gaussianMlpPolicyView(spec, theta) : gaussianPolicyView(spec, theta));

/** The tasks, given how the user module's tasks find an estimator and guard a call. */
export function policyViewTasks(find: (key: string) => LoadedEstimator, call: <T>(e: LoadedEstimator, f: () => T) => T) {
  const mlpViews = new WeakMap<object, MlpPolicyView>();
  return {
    /** The continuous estimator `key`'s estimates on each batch (n × P), with the Gaussian view of `spec` at θ. */
    userContinuousTask(key: string, batches: ContinuousBatch[], spec: GaussianViewSpec | GaussianMlpViewSpec, theta: Float64Array): Float64Array {
      const e = find(key), view = viewOf(spec, theta), P = view.numParams, out = new Float64Array(batches.length * P);
      batches.forEach((b, j) => {
        // the view matches the estimator's declaration (the MLP view for 'gaussian-mlp' and 'tanh-gaussian-mlp')
        const g = call(e, () => (e.estimator as unknown as GaussianPolicyGradientEstimator | GaussianMlpPolicyGradientEstimator).estimate(b, view as GaussianPolicyView & GaussianMlpPolicyView, b.gamma));
        out.set(checkedResult(g, P, `${e.name}.estimate`), j * P);
      });
      return out;
    },
    /** The continuous surrogate `key`'s −∇loss on each batch (n × P), with the Gaussian view of `spec` at θ and batch j's advantages `advantages[j]` (./continuous-surrogate.ts). */
    userContinuousSurrogateTask(key: string, batches: ContinuousBatch[], spec: GaussianViewSpec | GaussianMlpViewSpec, theta: Float64Array, advantages: Float64Array[]): Float64Array {
      const e = find(key), view = viewOf(spec, theta) as GaussianPolicyView, P = view.numParams, out = new Float64Array(batches.length * P);
      batches.forEach((b, j) => {
        // a copy: an estimator that writes into its advantages must not change the next batch's
        const r = call(e, () => (e.estimator as unknown as GaussianSurrogateEstimator).estimate(b, view, Float64Array.from(advantages[j]!)));
        if (typeof r?.loss !== 'number' || !Number.isFinite(r.loss)) fail('ESTIMATOR_INVALID', `${e.name}.estimate(…).loss is ${String(r?.loss)}: expected a finite number`, { where: `${e.name}.loss`, value: r?.loss });
        const g = checkedResult(r.gradient, P, `${e.name}.estimate(…).gradient`);
        for (let i = 0; i < P; i++) out[j * P + i] = -g[i]!;
      });
      return out;
    },
    /** The MLP estimator `key`'s ∇_w J estimate on the batch, with the MLP view of the options' network. */
    userMlpPolicyGradientTask(batch: Batch, ctx: TaskContext<MlpViewTaskOptions>): Float64Array {
      const o = ctx.options, e = find(o.key);
      let view = mlpViews.get(o);
      if (!view) {
        const mlp = new Mlp(o.sizes, o.activation as ActivationName);
        view = mlpPolicyView({ mlp, theta: Float64Array.from(o.theta), features: Float64Array.from(o.features), numStates: o.numStates }, o.activation);
        mlpViews.set(o, view);
      }
      const v = view;
      const g = call(e, () => (e.estimator as unknown as MlpPolicyGradientEstimator).estimate(batch, v, o.gamma));
      return checkedResult(g, v.numParams, `${e.name}.estimate`);
    },
  };
}
