/**
 * The independent routes to ∇J, which do not use the policy gradient theorem.
 *
 * 1. Forward-mode automatic differentiation: θ_k is given the unit tangent ε, π_θ is
 *    computed from θ by the parameterization's generic `probsIn`, and J = p0ᵀ V is computed
 *    by Gaussian elimination on `(I − γP_π) V = r_π` in dual arithmetic. The dual part of J
 *    is ∂J/∂θ_k, exact up to floating-point rounding (no truncation error), one pass per
 *    parameter. Neither η nor Q nor the policy's own derivative code is used.
 * 2. Central differences of J(θ) with Ridders' extrapolation, with an error estimate.
 *
 * @module
 */
import { DualField, Dual } from '../field/dual-numbers.js';
import type { AnalyticField, Field } from '../field/field.js';
import { NumberField } from '../field/number.js';
import { liftMDP, mapMDP, type MDPIn } from '../mdp/generic.js';
import type { FiniteMDP } from '../mdp/model.js';
import { gradientByDifferences } from '../linalg/differentiate.js';
import type { Policy } from '../policy/types.js';
import { evaluatePolicy } from './evaluate.js';
import { evaluateIn } from './generic.js';

/** ∂J/∂θ_k for every k, by forward-mode AD in dual numbers over the base field `B`. */
export function gradientForwardModeIn<B>(base: Field<B>, m: MDPIn<B>, probsOf: (F: Field<Dual<B>>, theta: Dual<B>[]) => Dual<B>[], theta: readonly B[]): B[] {
  const D = DualField(base);
  const mD = mapMDP(m, (x) => new Dual(x, base.zero));
  return theta.map((_, k) => {
    const th = theta.map((x, j) => new Dual(x, j === k ? base.one : base.zero));
    return evaluateIn(D, mD, probsOf(D, th), { valuesOnly: true }).J.du;
  });
}

/** ∇J by forward-mode AD in double precision (dense; small MDPs). */
export function gradientForwardMode(mdp: FiniteMDP, policy: Policy): Float64Array {
  const { param, theta } = policy;
  param.check(theta);
  const m = liftMDP(NumberField as AnalyticField<number>, mdp);
  const g = gradientForwardModeIn(NumberField, m, (F, th) => param.probsIn(F, th), Array.from(theta));
  return Float64Array.from(g);
}

/** ∇J by Ridders-extrapolated central differences of J(θ); `error` is the largest estimated error. */
export function gradientFiniteDifferences(mdp: FiniteMDP, policy: Policy, h = 0.1): { value: Float64Array; error: number } {
  const { param, theta } = policy;
  param.check(theta);
  if (param.kind === 'direct') {
    // a direct policy's rows must stay distributions; differentiate along θ_{s,a} freely
    // by evaluating the (affine) extension J(π) with unnormalized rows through the same solver
    return gradientByDifferences((th) => evaluateUnchecked(mdp, th), theta, Math.min(h, 1e-3));
  }
  return gradientByDifferences((th) => evaluatePolicy(mdp, param.probs(th), { valuesOnly: true }).J, theta, h);
}

/** J for an arbitrary (not necessarily normalized) table: the affine extension used for direct policies. */
function evaluateUnchecked(mdp: FiniteMDP, table: Float64Array): number {
  const m = liftMDP(NumberField as AnalyticField<number>, mdp);
  return evaluateIn(NumberField, m, Array.from(table), { valuesOnly: true }).J;
}

