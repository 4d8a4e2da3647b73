/**
 * ∇J by the policy gradient theorem (Lehmann 2024, Theorem 3.1; Sutton et al. 2000):
 *
 *   ∇_θ J(θ) = Σ_s η(s) Σ_a ∇_θ π_θ(a|s) Q^π(s,a)
 *            = (Σ_s η(s)) · E_{s∼d, a∼π}[∇_θ log π_θ(a|s) Q^π(s,a)],
 *
 * with η the unnormalized discounted visitation (for γ = 1, expected visits; Σ η is the
 * expected episode length, the paper's η). For the tabular softmax this is
 * ∂J/∂θ_{s,a} = η(s) π(a|s) A^π(s,a) (Agarwal et al. 2021, Lemma C.1).
 *
 * @module
 */
import type { FiniteMDP } from '../mdp/model.js';
import type { Policy } from '../policy/types.js';
import { evaluatePolicy, type EvaluateOptions, type Evaluation } from './evaluate.js';

/** ∇J at `policy` by the theorem; pass `ev` to reuse an evaluation of the same policy. */
export function policyGradient(mdp: FiniteMDP, policy: Policy, ev?: Evaluation, opts?: EvaluateOptions): Float64Array {
  const { param, theta } = policy;
  param.check(theta);
  const e = ev ?? evaluatePolicy(mdp, param.probs(theta), opts);
  const { numStates: S, numActions: A } = mdp;
  const g = new Float64Array(param.numParams);
  const w = new Float64Array(A);
  for (let s = 0; s < S; s++) {
    const eta = e.eta[s]!;
    if (eta === 0) continue;
    for (let a = 0; a < A; a++) w[a] = eta * e.Q[s * A + a]!;
    param.addDProbs(theta, s, w, 0, g);
  }
  return g;
}

/** J at `policy` (one solve). */
export function objective(mdp: FiniteMDP, policy: Policy, opts?: EvaluateOptions): number {
  policy.param.check(policy.theta);
  return evaluatePolicy(mdp, policy.param.probs(policy.theta), { ...opts, valuesOnly: true }).J;
}
