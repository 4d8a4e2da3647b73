/**
 * The Fisher information of the policy under its own visitation (Kakade 2001; Lehmann
 * 2024, §4.2–4.3):
 *
 *   F(θ) = Σ_s d(s) Σ_a π(a|s) ∇ log π(a|s) ∇ log π(a|s)ᵀ,
 *
 * with d the normalized visitation of π_θ. F is the Hessian at θ = θ_old of the
 * d-weighted KL(π_old‖π_θ), and the natural gradient is F⁺∇J. For the tabular softmax,
 * F⁺∇J = (Σ η)·A^π up to F's null space (Kakade 2001; Agarwal et al. 2021, Lemma 5.2 — for
 * γ < 1, A/(1−γ)).
 *
 * @module
 */
import { fail } from '../errors.js';
import { pinvSolve } from '../linalg/eigen.js';
import type { FiniteMDP } from '../mdp/model.js';
import type { Policy } from '../policy/types.js';
import { evaluatePolicy, type Evaluation } from './evaluate.js';
import { policyGradient } from './gradient.js';

/** The largest parameter count for which a dense Fisher matrix is built. */
export const FISHER_LIMIT = 4000;

/**
 * F(θ) as a dense row-major numParams×numParams matrix, weighted by `weights` (default:
 * the policy's own d). Throws `ZERO_PROBABILITY` for a direct policy with π(a|s) = 0 in
 * a visited state (the entry 1/π(a|s) is infinite there).
 */
export function fisherMatrix(mdp: FiniteMDP, policy: Policy, ev?: Evaluation, weights?: Float64Array): Float64Array {
  const { param, theta } = policy;
  param.check(theta);
  const n = param.numParams;
  if (n > FISHER_LIMIT) fail('TOO_LARGE', `the Fisher matrix would be ${n}×${n}; the dense limit is ${FISHER_LIMIT} parameters`, { value: n });
  const d = weights ?? (ev ?? evaluatePolicy(mdp, param.probs(theta))).d;
  const { numStates: S, numActions: A } = mdp;
  const F = new Float64Array(n * n);
  const g = new Float64Array(n);
  const pi = new Float64Array(A);
  const nz: number[] = [];
  for (let s = 0; s < S; s++) {
    const ds = d[s]!;
    if (ds === 0) continue;
    param.probsRow(theta, s, pi, 0);
    for (let a = 0; a < A; a++) {
      g.fill(0);
      param.addScore(theta, s, a, 1, g); // throws for direct policies at π(a|s) = 0
      const w = ds * pi[a]!;
      if (w === 0) continue;
      nz.length = 0;
      for (let i = 0; i < n; i++) if (g[i] !== 0) nz.push(i);
      for (const i of nz) for (const j of nz) F[i * n + j] = F[i * n + j]! + w * g[i]! * g[j]!;
    }
  }
  return F;
}

/** The natural gradient F⁺∇J (minimum-norm), with F's numerical rank. */
export function naturalGradient(mdp: FiniteMDP, policy: Policy, ev?: Evaluation): { direction: Float64Array; gradient: Float64Array; rank: number } {
  const e = ev ?? evaluatePolicy(mdp, policy.param.probs(policy.theta));
  const F = fisherMatrix(mdp, policy, e);
  const gradient = policyGradient(mdp, policy, e);
  const { x, rank } = pinvSolve(F, policy.param.numParams, gradient);
  return { direction: x, gradient, rank };
}
