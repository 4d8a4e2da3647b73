/**
 * The direct parameterization θ_{s,a} = π(a|s) (Agarwal et al. 2021, §4). Each row of θ
 * must be a probability distribution. Derivatives are the unconstrained partials:
 * ∂π(a|s)/∂θ_{s,a} = 1, so ∂J/∂θ_{s,a} = η(s) Q(s,a) — the gradient does not stay on the
 * simplex (project it for an update). The score 1/θ_{s,a} is undefined where θ_{s,a} = 0:
 * asking for it throws `ZERO_PROBABILITY`.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import type { Field } from '../field/field.js';
import { checkFiniteTheta } from './softmax.js';
import { zeros } from '../linalg/small-array-pool.js';
import type { Parameterization } from './types.js';

/** Tolerance on the row sums of a policy table. */
export const POLICY_TOLERANCE = 1e-9;

/** Throws unless `pi` is an S×A table whose rows are probability distributions. */
export function checkPolicyTable(pi: Float64Array, S: number, A: number, what = 'policy'): void {
  checkFiniteTheta(pi, S * A, what, A);
  for (let s = 0; s < S; s++) {
    let tot = 0;
    for (let a = 0; a < A; a++) {
      const p = pi[s * A + a]!;
      if (p < 0) fail('POLICY_NOT_DISTRIBUTION', `${what}[${s}][${a}] is ${show(p)}: probabilities must be ≥ 0`, { where: `${what}[${s}][${a}]`, value: p });
      tot += p;
    }
    if (Math.abs(tot - 1) > POLICY_TOLERANCE) fail('POLICY_NOT_DISTRIBUTION', `${what}[${s}] sums to ${show(tot)}: each row must sum to 1 (within ${POLICY_TOLERANCE})`, { where: `${what}[${s}]`, value: tot });
  }
}

/** The direct parameterization over S states and A actions. */
export function directPolicy(numStates: number, numActions: number): Parameterization {
  const S = numStates, A = numActions;
  const zero = (s: number, a: number, what: string): never =>
    fail('ZERO_PROBABILITY', `${what} is undefined at state ${s}, action ${a}: π(a|s) = 0 under the direct parameterization`, { where: `probs[${s}][${a}]`, value: 0 });
  return {
    kind: 'direct', numStates: S, numActions: A, numParams: S * A, paramShape: [S, A],
    check: (theta) => checkPolicyTable(theta, S, A, 'probs'),
    probsRow(theta, s, out, offset = 0) {
      for (let a = 0; a < A; a++) out[offset + a] = theta[s * A + a]!;
    },
    probs: (theta) => { const out = zeros(theta.length); out.set(theta); return out; },
    logProb(theta, s, a) {
      const p = theta[s * A + a]!;
      return p > 0 ? Math.log(p) : zero(s, a, 'log π(a|s)');
    },
    addScore(theta, s, a, w, out) {
      const p = theta[s * A + a]!;
      if (!(p > 0)) zero(s, a, 'the score ∇ log π(a|s)');
      out[s * A + a] = out[s * A + a]! + w / p;
    },
    addDProbs(_theta, s, w, wOffset, out) {
      for (let a = 0; a < A; a++) out[s * A + a] = out[s * A + a]! + w[wOffset + a]!;
    },
    probsIn: <T>(_F: Field<T>, theta: readonly T[]): T[] => theta.slice(),
  };
}
