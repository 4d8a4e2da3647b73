// BUGGY on purpose: the Fisher without the mean-score subtraction per state — E[x xᵀ] with
// x = ∂(logit)/∂θ = e_a, i.e. diag(π) where diag(π) − ππᵀ belongs.
import type { TrpoFvpEstimator } from 'pgtruth';

const DAMPING = 0.1;

const fvpUncentered: TrpoFvpEstimator = {
  kind: 'trpo-fvp',
  name: 'trpo-fvp-uncentered',
  damping: DAMPING,
  estimate(policy, _old, weights, v) {
    const S = policy.numStates, A = policy.numActions, out = new Float64Array(S * A);
    for (let s = 0; s < S; s++) {
      const pi = policy.probs(s);
      for (let a = 0; a < A; a++) out[s * A + a] = weights[s]! * pi[a]! * v[s * A + a]! + DAMPING * v[s * A + a]!;
    }
    return out;
  },
};
export default fvpUncentered;
