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
import { evaluatedTable } from './evaluated-table.js';
import { overflowCheck } from './overflow.js';
import { zeros } from '../linalg/small-array-pool.js';

/**
 * ∇J at `policy` by the theorem; pass `ev` to reuse an evaluation of the same policy.
 *
 * For the tabular softmax, ∇π needs only the table π itself:
 * ∂J/∂θ_{s,b} = η(s) π(b|s) (Q(s,b) − Σ_a π(a|s) Q(s,a)), so the table the evaluation used
 * is taken when it is known (the one computed here, or the copy an evaluation keeps)
 * instead of recomputing softmax(θ); the arithmetic is that of
 * `addDProbs`. Other parameterizations go through `param.addDProbs`. A small result comes
 * from the pool of ../linalg/small-array-pool.ts (its `.buffer` is shared: do not transfer it).
 */
export function policyGradient(mdp: FiniteMDP, policy: Policy, ev?: Evaluation, opts?: EvaluateOptions): Float64Array {
  const { param, theta } = policy;
  param.check(theta);
  let table: Float64Array | undefined;
  let e = ev;
  if (!e) { table = param.probs(theta); e = evaluatePolicy(mdp, table, opts); } else table = evaluatedTable(e);
  const { numStates: S, numActions: A } = mdp;
  const g = zeros(param.numParams);
  if (param.kind === 'softmax' && table && table.length === S * A && param.numParams === S * A) {
    // with A = Q − V in place of Q (the same gradient: Σ_a ∇π(a|s) = 0): A has no V-sized
    // offset to cancel, which matters when V is huge against A (γ near 1)
    const { eta, A: Adv } = e;
    for (let s = 0; s < S; s++) {
      const h = eta[s]!;
      if (h === 0) continue;
      const o = s * A;
      let mean = 0;
      for (let a = 0; a < A; a++) mean += table[o + a]! * (h * Adv[o + a]!);
      for (let b = 0; b < A; b++) g[o + b] = table[o + b]! * (h * Adv[o + b]! - mean);
    }
    overflowCheck(g, '∇J', A);
    return g;
  }
  const w = new Float64Array(A);
  // A for Q where Σ_a ∇π(a|s) = 0 (every normalized parameterization: the same gradient with
  // no V-sized offset to cancel); the direct parameterization's θ are the probabilities
  // themselves, with no such constraint: Q
  const QorA = param.kind === 'direct' ? e.Q : e.A;
  for (let s = 0; s < S; s++) {
    const eta = e.eta[s]!;
    if (eta === 0) continue;
    for (let a = 0; a < A; a++) w[a] = eta * QorA[s * A + a]!;
    param.addDProbs(theta, s, w, 0, g);
  }
  const sh = param.paramShape;
  overflowCheck(g, '∇J', sh.length === 2 ? sh[1] : undefined);
  return g;
}

/** J at `policy` (one solve). */
export function objective(mdp: FiniteMDP, policy: Policy, opts?: EvaluateOptions): number {
  policy.param.check(policy.theta);
  return evaluatePolicy(mdp, policy.param.probs(policy.theta), { ...opts, valuesOnly: true }).J;
}
