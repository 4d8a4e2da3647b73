/**
 * The Hessian of the weighted KL divergence θ ↦ Σ_s w(s) KL(π_old(·|s) ‖ π_θ(·|s)),
 * computed by nested forward-mode differentiation (dual numbers over dual numbers):
 * with θ = θ_old + ε₁e_i + ε₂e_j, the ε₁ε₂ coefficient of the function is ∂²/∂θ_i∂θ_j.
 * This is the independent route to the Fisher matrix: at θ = θ_old the Hessian equals
 * F(θ_old) weighted by w (Lehmann 2024, §4.3; Kakade 2001).
 *
 * @module
 */
import { Dual, DualField } from '../field/dual-numbers.js';
import type { AnalyticField } from '../field/field.js';
import { NumberField } from '../field/number.js';
import type { Parameterization } from '../policy/types.js';

/** Σ_s w(s) Σ_a π_old(a|s) (log π_old(a|s) − log π_θ(a|s)) in an analytic field. */
export function weightedKLIn<T>(F: AnalyticField<T>, param: Parameterization, piOld: Float64Array, theta: readonly T[], w: ArrayLike<number>): T {
  const pi = param.probsIn(F, theta);
  let acc = F.zero;
  for (let s = 0; s < param.numStates; s++) {
    if (w[s] === 0) continue;
    for (let a = 0; a < param.numActions; a++) {
      const p = piOld[s * param.numActions + a]!;
      if (p === 0) continue;
      const term = F.mul(F.fromNumber(w[s]! * p), F.sub(F.fromNumber(Math.log(p)), F.log(pi[s * param.numActions + a]!)));
      acc = F.add(acc, term);
    }
  }
  return acc;
}

/** ∇²_θ Σ_s w(s) KL(π_old ‖ π_θ) at θ (row-major numParams×numParams), by nested duals. */
export function weightedKLHessian(param: Parameterization, thetaOld: Float64Array, theta: Float64Array, w: ArrayLike<number>): Float64Array {
  param.check(theta);
  const inner = DualField(NumberField);
  const outer = DualField(inner);
  const n = param.numParams;
  const piOld = param.probs(thetaOld);
  const H = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const th = Array.from(theta, (x, k) => new Dual(new Dual(x, k === i ? 1 : 0), new Dual(k === j ? 1 : 0, 0)));
      const v = weightedKLIn(outer, param, piOld, th, w).du.du;
      H[i * n + j] = v;
      H[j * n + i] = v;
    }
  }
  return H;
}
