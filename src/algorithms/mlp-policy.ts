/**
 * An MLP policy over a tabular MDP's states as a {@link Parameterization}, so that the five
 * learners — which only ever talk to the policy contract — train it unchanged: θ = the
 * network's weights w, the logits z_{s,·} = f_w(φ(s)) (φ one-hot by default, or given
 * features), π_w(·|s) = softmax(z_{s,·}) (Lehmann 2024, §6 uses MLP policies; the exact truth
 * for it is `src/exact/neural.ts`). The learning curve stays exact: the `ExactWatcher` reads
 * the induced table π_w (`probs`) and evaluates it exactly.
 *
 * Every derivative is the tabular softmax's, pulled back through the network by one
 * vector–jacobian product (`Mlp.vjp`) over the row φ(s):
 *
 * $$\nabla_w \log\pi_w(a|s) = \mathcal J_s^\top (e_a - \pi_s),\qquad \sum_a w_a \nabla_w \pi_w(a|s) = \mathcal J_s^\top\big(\pi_s \odot (w - \langle \pi_s, w\rangle)\big),$$
 *
 * with 𝒥_s = ∂z_{s,·}/∂w. `scoreSum` (`src/policy/score-sum.ts`) aggregates a batch by
 * (s, a) first, so a batch costs at most S·A pullbacks.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import type { AnalyticField, Field } from '../field/field.js';
import { oneHotFeatures } from '../exact/neural.js';
import type { FiniteMDP } from '../mdp/model.js';
import { checkNetworkRows, initMlp, Mlp, mlpForwardIn, type ActivationName } from '../policy/mlp.js';
import { logSumExp, softmaxIn, softmaxInto, softmaxPolicy } from '../policy/softmax.js';
import type { Parameterization, Policy } from '../policy/types.js';
import { Rng } from '../stats/rng.js';

/**
 * The parameterization w ↦ π_w of an MLP `mlp` over the feature rows `features` (S × n_0,
 * row-major; default one-hot, which needs n_0 = S). Throws `NN_ARCHITECTURE` when the output
 * width is not the MDP's action count or the input width does not fit the features.
 */
export function mlpTabularParameterization(mdp: FiniteMDP, mlp: Mlp, features?: Float64Array): Parameterization {
  const S = mdp.numStates, A = mdp.numActions, P = mlp.numParams, d = mlp.inputDim;
  if (mlp.outputDim !== A) fail('NN_ARCHITECTURE', `the MLP has ${mlp.outputDim} outputs; the MDP has ${A} actions (one logit per action)`, { where: 'sizes[last]', value: mlp.outputDim });
  if (features === undefined && d !== S) fail('NN_ARCHITECTURE', `the MLP has ${d} inputs; one-hot state features need ${S} (the number of states)`, { where: 'sizes[0]', value: d });
  const phi = features ?? oneHotFeatures(S);
  checkNetworkRows(phi, S, d, 'features');
  const row = new Float64Array(A), cot = new Float64Array(A), grad = new Float64Array(P);
  const phiRows = Array.from({ length: S }, (_, s) => phi.subarray(s * d, s * d + d)); // views made once: no allocation per transition
  /** z_{s,·} into `row` (one forward pass over φ(s), which also records the tape for `pull`). */
  const logits = (theta: Float64Array, s: number): Float64Array => {
    row.set(mlp.forward(theta, phiRows[s]!, 1));
    return row;
  };
  /** out += 𝒥_sᵀ cot (after `logits(theta, s)`). */
  const pull = (theta: Float64Array, out: Float64Array): void => {
    mlp.vjp(theta, cot, grad);
    for (let k = 0; k < P; k++) out[k] = out[k]! + grad[k]!;
  };
  const param: Parameterization = {
    kind: 'mlp-tabular', numStates: S, numActions: A, numParams: P, paramShape: [P],
    check: (theta) => mlp.checkTheta(theta),
    probsRow(theta, s, out, offset = 0) { softmaxInto(logits(theta, s), 0, A, out, offset); },
    probs(theta) {
      const z = mlp.forward(theta, phi, S), out = new Float64Array(S * A);
      for (let s = 0; s < S; s++) softmaxInto(z, s * A, A, out, s * A);
      return out;
    },
    logProb(theta, s, a) { const z = logits(theta, s); return z[a]! - logSumExp(z, 0, A); },
    addScore(theta, s, a, w, out) {
      const z = logits(theta, s);
      softmaxInto(z, 0, A, cot, 0);
      for (let b = 0; b < A; b++) cot[b] = w * ((b === a ? 1 : 0) - cot[b]!);
      pull(theta, out);
    },
    addDProbs(theta, s, w, wOffset, out) {
      softmaxInto(logits(theta, s), 0, A, cot, 0);
      let mean = 0;
      for (let a = 0; a < A; a++) mean += cot[a]! * w[wOffset + a]!;
      for (let b = 0; b < A; b++) cot[b] = cot[b]! * (w[wOffset + b]! - mean);
      pull(theta, out);
    },
    probsIn<T>(F: Field<T>, theta: readonly T[]): T[] {
      if (!('exp' in F)) fail('FIELD_UNSUPPORTED', `an MLP softmax policy needs exp, which the ${F.name} field does not have`);
      const AF = F as AnalyticField<T>, out: T[] = [];
      for (let s = 0; s < S; s++) {
        const x = Array.from(phiRows[s]!, (v) => AF.fromNumber(v));
        out.push(...softmaxIn(AF, mlpForwardIn(AF, mlp, theta, x)));
      }
      return out;
    },
  };
  NETWORKS.set(param, { mlp, phi });
  return param;
}

/** The network and features behind each MLP parameterization (for {@link samplingPolicy}). */
const NETWORKS = new WeakMap<Parameterization, { mlp: Mlp; phi: Float64Array }>();

/**
 * The policy in a form `src/sampling` can send to its workers: the policy itself when it is
 * tabular softmax, direct or log-linear; for an MLP parameterization, the tabular softmax
 * whose logits are the network's z_{s,·} = f_w(φ(s)) — the same π and, since both compute
 * log π = z_a − logsumexp(z_{s,·}), the same log-probabilities to the bit.
 */
export function samplingPolicy(policy: Policy): Policy {
  const net = NETWORKS.get(policy.param);
  if (net === undefined) return policy;
  const { numStates: S, numActions: A } = policy.param;
  return { param: softmaxPolicy(S, A), theta: Float64Array.from(net.mlp.forward(policy.theta, net.phi, S)) };
}

/**
 * `--policy mlp[:H[,H…]]`: an MLP with the given hidden widths (default one layer of 8, tanh)
 * over one-hot states, initialized by `initMlp` (orthogonal, last layer ×0.01: π starts within
 * about 1% of uniform) from `Rng.from(seed).split(4)` — a stream the learners do not use.
 * Throws `LEARNER_OPTIONS` for a width that is not a positive integer.
 */
export function mlpStatePolicy(mdp: FiniteMDP, hidden: readonly number[], seed: number, activation: ActivationName = 'tanh'): Policy {
  for (const [i, h] of hidden.entries()) if (!Number.isSafeInteger(h) || h < 1 || h > 4096) fail('LEARNER_OPTIONS', `the MLP's hidden width ${i} is ${show(h)}: expected an integer in [1, 4096]`, { where: `hidden[${i}]`, value: h });
  const mlp = new Mlp([mdp.numStates, ...hidden, mdp.numActions], activation);
  return { param: mlpTabularParameterization(mdp, mlp), theta: initMlp(mlp, Rng.from(seed).split(4)) };
}
