// A user's TRPO Fisher–vector product from a batch, as TRPO implementations compute it: the
// Hessian of the batch's mean KL(π_old‖π_θ) at θ_old times v, i.e. the per-state Fisher
// (diag π − π πᵀ) averaged over the batch's states, plus damping λv.
import type { TrpoFvpBatchEstimator } from 'pgtruth';

const DAMPING = 0.1;

const fvpBatch: TrpoFvpBatchEstimator = {
  kind: 'trpo-fvp',
  name: 'trpo-fvp-batch',
  fisher: 'batch',
  damping: DAMPING,
  estimate(policy, _old, batch, v) {
    const A = policy.numActions, out = Float64Array.from(v, (x) => DAMPING * x);
    for (let i = 0; i < batch.size; i++) {
      const s = batch.s_t[i]!, pi = policy.probs(s);
      let piv = 0;
      for (let a = 0; a < A; a++) piv += pi[a]! * v[s * A + a]!;
      for (let a = 0; a < A; a++) out[s * A + a]! += (pi[a]! * (v[s * A + a]! - piv)) / batch.size;
    }
    return out;
  },
};
export default fvpBatch;
