// A user's TRPO backtracking line search (Schulman et al. 2015, Appendix C): try θ₀ + 0.5^j Δ,
// accept the first trial inside the trust region that improves the surrogate by at least 10% of
// the linear prediction; otherwise put θ back to θ₀. `theta` is updated in place, like a model.
import type { TrpoLineSearchEstimator } from 'pgtruth';

const lineSearch: TrpoLineSearchEstimator = {
  kind: 'trpo-linesearch',
  name: 'trpo-linesearch',
  shrink: 0.5,
  maxBacktracks: 10,
  acceptRatio: 0.1,
  estimate(theta, fullStep, expectedImprovement, maxKl, evaluate) {
    const theta0 = Float64Array.from(theta), before = evaluate();
    for (let j = 0, f = 1; j < 10; j++, f *= 0.5) {
      for (let k = 0; k < theta.length; k++) theta[k] = theta0[k]! + f * fullStep[k]!;
      const { loss, kl } = evaluate();
      const improvement = before.loss - loss;
      if (kl <= maxKl && improvement > 0 && improvement >= 0.1 * f * expectedImprovement) return true;
    }
    theta.set(theta0); // no trial accepted: restore the parameters
    return false;
  },
};
export default lineSearch;
