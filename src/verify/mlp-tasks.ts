/**
 * The per-batch task of the MLP-policy claims (./claims/mlp.ts), loadable by the sampling
 * pool's workers like ./tasks.ts.
 *
 * The batch is drawn by the tabular sampler from π_w written as a tabular softmax policy with
 * logits z = f_w(φ(s)) (the task context's `policy`); the estimate in w is the chain rule
 * applied to the samples:
 *
 * $$\sum_t c_t\,\nabla_w \log\pi_w(a_t|s_t) = \mathcal J^\top \Big(\sum_t c_t\,\nabla_z \log\pi(a_t|s_t)\Big),\qquad \mathcal J = \partial z/\partial w,$$
 *
 * so the coefficients c_t and the sum over t are those of the library's own estimator (or
 * catalogue mutant) run on the logit policy — no return or advantage formula is written
 * here — and 𝒥ᵀ(·) is one VJP of the network over the S feature rows
 * (`pullbackToWeights` of src/exact/neural.ts).
 *
 * @module
 */
import { actorCriticGradient } from '../estimators/actorcritic.js';
import { pullbackToWeights, type MlpTabularPolicy } from '../exact/neural.js';
import { Mlp, type ActivationName } from '../policy/mlp.js';
import type { Batch } from '../sampling/batch.js';
import type { TaskContext } from '../sampling/map.js';
import type { AdvantageFn, PolicyGradientFn } from './mutations.js';
import { ADVANTAGE_ESTIMATORS, pick, POLICY_GRADIENT_ESTIMATORS } from './tasks.js';

/** Options of {@link mlpPolicyGradientTask} (plain data: they are structured-cloned into workers). */
export interface MlpGradientOptions {
  /** The network: sizes [n_0, …, A] and the hidden activation. */
  readonly sizes: readonly number[];
  readonly activation: ActivationName;
  /** w (the MLP's parameters). */
  readonly theta: readonly number[];
  /** φ(s), S × n_0 row-major. */
  readonly features: readonly number[];
  readonly numStates: number;
  /**
   * A policy-gradient estimator of ./tasks.ts (`reinforceRewardToGo`, …) or a policy-gradient
   * mutant id; ignored when `advantage` is given.
   */
  readonly estimator: string;
  /** The γ passed to the estimator. */
  readonly gamma: number;
  /** A state baseline b[s] for the REINFORCE forms. */
  readonly baseline?: readonly number[];
  /**
   * Actor-critic instead: `actorCriticGradient` with the advantages of the named advantage
   * estimator (`gae`, `nStepAdvantages`, or an advantage mutant id) from the value table.
   */
  readonly advantage?: { readonly estimator: string; readonly parameter: number; readonly values: readonly number[] };
}

/** The network and its parameters, rebuilt once per options object (options keep their identity within a worker). */
const nets = new WeakMap<object, { p: MlpTabularPolicy; baseline?: Float64Array; values?: Float64Array }>();
function netOf(o: MlpGradientOptions) {
  let n = nets.get(o);
  if (!n) {
    const mlp = new Mlp(o.sizes, o.activation);
    n = {
      p: { mlp, theta: Float64Array.from(o.theta), features: Float64Array.from(o.features), numStates: o.numStates },
      ...(o.baseline ? { baseline: Float64Array.from(o.baseline) } : {}),
      ...(o.advantage ? { values: Float64Array.from(o.advantage.values) } : {}),
    };
    nets.set(o, n);
  }
  return n;
}

/** The estimate of ∇_w J on one batch: the library estimator at the logits, pulled back through the MLP. */
export function mlpPolicyGradientTask(batch: Batch, ctx: TaskContext<MlpGradientOptions>): Float64Array {
  const o = ctx.options, n = netOf(o);
  const gz = o.advantage
    ? actorCriticGradient(batch, ctx.policy, o.gamma, pick<AdvantageFn>(ADVANTAGE_ESTIMATORS, 'advantage', o.advantage.estimator)(batch, n.values!, o.gamma, o.advantage.parameter))
    : pick<PolicyGradientFn>(POLICY_GRADIENT_ESTIMATORS, 'policy-gradient', o.estimator)(batch, ctx.policy, o.gamma, n.baseline);
  return pullbackToWeights(n.p, gz);
}
