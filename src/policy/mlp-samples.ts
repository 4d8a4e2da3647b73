/**
 * A Gaussian or tanh-Gaussian MLP head (./gaussian-head.ts) seen through the tabular
 * {@link Parameterization} interface on the nodes of a sampled batch, as ./gaussian-samples.ts
 * does for the linear and constant heads: so that the estimators of src/estimators (REINFORCE,
 * PPO's and TRPO's surrogates and their catalogue mutants), which reach a policy only through
 * `logProb(θ, s, a)` and `addScore(θ, s, a, w, out)`, run unchanged with a network policy.
 * Node s carries the observation `obs[s·d …]` and the action taken there `actions[s·k …]`
 * (the pre-squash u for the tanh head); "action 0 at node s" means that action, and
 *
 * $$\log\pi_w(0|s) = \log\pi_w(a_s|x_s),\qquad \nabla_w\log\pi_w(0|s) = \texttt{scoreSum}(w, x_s, 1, a_s, [1]),$$
 *
 * the head's own log-density and score sum over one row (no second copy of either).
 * `probsRow`, `probs`, `addDProbs` and `probsIn` throw `FIELD_UNSUPPORTED` (continuous actions).
 *
 * @module
 */
import { fail } from '../errors.js';
import type { GaussianMlpPolicy } from './gaussian-head.js';
import type { Parameterization } from './types.js';

/** The MLP head `policy` on `numNodes` nodes with observations `obs` (nodes × d) and actions `actions` (nodes × k). */
export function sampledMlpPolicy(policy: GaussianMlpPolicy, numNodes: number, obs: Float64Array, actions: Float64Array): Parameterization {
  const { obsDim: d, actionDim: k, numParams } = policy, one = new Float64Array(1), g = new Float64Array(numParams);
  if (obs.length !== numNodes * d || actions.length !== numNodes * k) fail('POLICY_SHAPE', `the sampled MLP policy has ${numNodes} nodes: observations need ${numNodes * d} numbers (got ${obs.length}), actions ${numNodes * k} (got ${actions.length})`, { where: 'nodes', value: numNodes });
  const unsupported = (what: string): never => fail('FIELD_UNSUPPORTED', `${what} sums over a finite action set; an MLP Gaussian head's actions are continuous`, { where: what });
  const checkIndex = (s: number, a: number) => {
    if (!(Number.isSafeInteger(s) && s >= 0 && s < numNodes && a === 0)) fail('POLICY_SHAPE', `(node ${s}, action ${a}) is outside the ${numNodes} nodes × 1 action of the sampled MLP policy`, { where: `node ${s}`, value: a });
  };
  return {
    kind: 'gaussian-samples', numStates: numNodes, numActions: 1, numParams, paramShape: [numParams],
    check: (theta) => policy.check(theta),
    logProb(theta, s, a) {
      checkIndex(s, a);
      return policy.logProb(theta, obs.subarray(s * d, (s + 1) * d), 1, actions.subarray(s * k, (s + 1) * k), one)[0]!;
    },
    addScore(theta, s, a, w, out) {
      checkIndex(s, a);
      one[0] = w;
      policy.scoreSum(theta, obs.subarray(s * d, (s + 1) * d), 1, actions.subarray(s * k, (s + 1) * k), one, g);
      for (let j = 0; j < numParams; j++) out[j] = out[j]! + g[j]!;
    },
    probsRow: () => unsupported('probsRow'),
    probs: () => unsupported('probs'),
    addDProbs: () => unsupported('addDProbs'),
    probsIn: () => unsupported('probsIn'),
  };
}
