// BUGGY on purpose, as public TRPO code shipped it: when no trial is accepted the parameters are
// left at the last rejected trial θ₀ + 0.5⁹Δ instead of being restored to θ₀.
import type { TrpoLineSearchEstimator } from 'pgtruth';

const lineSearchNoRestore: TrpoLineSearchEstimator = {
  kind: 'trpo-linesearch',
  name: 'trpo-linesearch-norestore',
  estimate(theta, fullStep, expectedImprovement, maxKl, evaluate) {
    const theta0 = Float64Array.from(theta), before = evaluate();
    for (let j = 0, f = 1; j < 10; j++, f *= 0.5) {
      for (let k = 0; k < theta.length; k++) theta[k] = theta0[k]! + f * fullStep[k]!;
      const { loss, kl } = evaluate();
      const improvement = before.loss - loss;
      if (kl <= maxKl && improvement > 0 && improvement >= 0.1 * f * expectedImprovement) return true;
    }
    return false; // the bug: θ is not restored
  },
};
export default lineSearchNoRestore;
