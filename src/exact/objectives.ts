/**
 * Exact gradients of the objectives that surrogate and regularizer estimators target, with
 * the old policy's visitation η_old held fixed (the estimators sample states from π_old):
 *
 * - PPO's clipped objective (Lehmann 2024, eq. 18; Schulman et al. 2017):
 *   L(θ) = Σ_s η_old(s) Σ_a π_old(a|s) min(r A, clip(r, 1−ε, 1+ε) A), r = π_θ(a|s)/π_old(a|s);
 *   ∂/∂π_θ(a|s) of the inner term is A(s,a)·1[the unclipped branch is the minimum], so
 *   ∇L = Σ_s η_old(s) Σ_a A(s,a) 1[active] ∇π_θ(a|s) (away from the kinks r = 1 ± ε).
 * - The KL penalty: ∇_θ Σ_s η_old(s) KL(π_old(·|s) ‖ π_θ(·|s)) = −Σ_s η_old(s) Σ_a π_old(a|s) ∇log π_θ(a|s).
 * - The entropy: ∇_θ Σ_s η(s) H(π_θ(·|s)) = −Σ_s η(s) Σ_a ∇π_θ(a|s) log π_θ(a|s)
 *   (Σ_a ∇π = 0 removes the +1 of ∂(−p log p)/∂p).
 *
 * At θ = θ_old the clipped objective's gradient is Σ η Σ_a ∇π A = ∇J (for scores of mean
 * zero), TRPO's surrogate has the same gradient, and the KL penalty's is 0.
 *
 * The visitation to pass for a sampled estimate is {@link decisionVisitation}: for γ < 1,
 * η counts the absorbing terminal states (so that Σ d = 1), but an episode takes no decision
 * there, so per-decision quantities without a Q factor (a KL penalty, an entropy bonus) are
 * sums over the non-terminal states only. (For ∇J it makes no difference: Q = 0 there.)
 *
 * @module
 */
import { fail } from '../errors.js';
import type { FiniteMDP } from '../mdp/model.js';
import type { Policy } from '../policy/types.js';

/** ∇_θ of PPO's clipped objective with η_old and A_old fixed (module comment). */
export function clippedObjectiveGradient(policy: Policy, piOld: Float64Array, adv: Float64Array, etaOld: Float64Array, epsilon: number): Float64Array {
  if (!(epsilon > 0 && Number.isFinite(epsilon))) fail('ESTIMATOR_ARGUMENT', `the clip range ε is ${epsilon}: it must be positive and finite`, { where: 'epsilon', value: epsilon });
  const { param, theta } = policy;
  const S = param.numStates, A = param.numActions;
  const pi = param.probs(theta);
  const g = new Float64Array(param.numParams), w = new Float64Array(A);
  for (let s = 0; s < S; s++) {
    if (etaOld[s] === 0) continue;
    for (let a = 0; a < A; a++) {
      const p = piOld[s * A + a]!, x = adv[s * A + a]!;
      if (p === 0) { w[a] = 0; continue; }
      const r = pi[s * A + a]! / p;
      // min(rA, clip(r)A): the unclipped branch is active unless the clip binds in A's favour
      const active = x >= 0 ? r < 1 + epsilon : r > 1 - epsilon;
      w[a] = active ? etaOld[s]! * x : 0;
    }
    param.addDProbs(theta, s, w, 0, g);
  }
  return g;
}

/** ∇_θ Σ_s η(s) KL(π_old(·|s) ‖ π_θ(·|s)) (module comment). */
export function klGradient(policy: Policy, piOld: Float64Array, etaOld: Float64Array): Float64Array {
  const { param, theta } = policy;
  const A = param.numActions;
  const g = new Float64Array(param.numParams);
  for (let s = 0; s < param.numStates; s++) {
    if (etaOld[s] === 0) continue;
    for (let a = 0; a < A; a++) {
      const p = piOld[s * A + a]!;
      if (p > 0) param.addScore(theta, s, a, -etaOld[s]! * p, g);
    }
  }
  return g;
}

/** ∇_θ Σ_s η(s) H(π_θ(·|s)) (module comment). Throws `ZERO_PROBABILITY` where log π is −∞ at a visited state of a direct policy. */
export function entropyGradient(policy: Policy, eta: Float64Array): Float64Array {
  const { param, theta } = policy;
  const A = param.numActions;
  const g = new Float64Array(param.numParams), w = new Float64Array(A);
  for (let s = 0; s < param.numStates; s++) {
    if (eta[s] === 0) continue;
    for (let a = 0; a < A; a++) w[a] = -eta[s]! * param.logProb(theta, s, a);
    param.addDProbs(theta, s, w, 0, g);
  }
  return g;
}

/** η with the terminal states' entries set to 0: the discounted visitation of decision steps. */
export function decisionVisitation(mdp: FiniteMDP, eta: Float64Array): Float64Array {
  const out = Float64Array.from(eta);
  for (const t of mdp.terminalStates) out[t] = 0;
  return out;
}
