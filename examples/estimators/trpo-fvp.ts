// A user's TRPO Fisher–vector product for a tabular softmax policy, on state weights w(s):
// (F v)_{s,·} = w(s)·(diag π − π πᵀ) v_{s,·} + λ v — per state, the covariance of the score
// ∇log π(a|s) = e_a − π(·|s) (its mean, 0, subtracted), i.e. the Hessian of Σ_s w(s) KL(π_old‖π_θ).
import type { TrpoFvpEstimator } from 'pgtruth';

const DAMPING = 0.1;

const fvp: TrpoFvpEstimator = {
  kind: 'trpo-fvp',
  name: 'trpo-fvp',
  damping: DAMPING,
  estimate(policy, _old, weights, v) {
    const S = policy.numStates, A = policy.numActions, out = new Float64Array(S * A);
    for (let s = 0; s < S; s++) {
      const pi = policy.probs(s);
      let piv = 0;
      for (let a = 0; a < A; a++) piv += pi[a]! * v[s * A + a]!;
      for (let a = 0; a < A; a++) out[s * A + a] = weights[s]! * pi[a]! * (v[s * A + a]! - piv) + DAMPING * v[s * A + a]!;
    }
    return out;
  },
};
export default fvp;
