/**
 * TRPO's surrogate and its lower bound, exactly (Schulman et al. 2015, Theorem 1;
 * Lehmann 2024, Theorem 4.1; Kakade & Langford 2002).
 *
 * - The surrogate L_π(π̃) = J(π) + Σ_s η_π(s) Σ_a π̃(a|s) A_π(s,a), with the *old* policy's
 *   unnormalized discounted visitation η_π (Schulman et al.'s ρ_π).
 * - The performance-difference identity behind it: J(π̃) = J(π) + Σ_s η_π̃(s) Σ_a π̃(a|s)
 *   A_π(s,a), so J(π̃) − L_π(π̃) = Σ_s (η_π̃(s) − η_π(s)) E_{a∼π̃}[A_π(s,a)] exactly.
 * - Theorem 4.1: J(π̃) ≥ L_π(π̃) − C α² with C = 4εγ/(1−γ)², ε = max_{s,a}|A_π(s,a)| and
 *   α = max_s D_TV(π(·|s) ‖ π̃(·|s)).
 * - Its KL form: since D_TV² ≤ D_KL, J(π̃) ≥ L_π(π̃) − C max_s KL(π(·|s) ‖ π̃(·|s)).
 *
 * The theorem needs γ < 1 (C is infinite at γ = 1): `BOUND_GAMMA` otherwise. The KL form
 * is vacuous (−∞) when π̃ gives probability 0 to an action π takes; `kl` is then absent.
 *
 * @module
 */
import { fail } from '../errors.js';
import type { FiniteMDP } from '../mdp/model.js';
import { expectedAdvantage, klPerState, tvPerState } from './divergence.js';
import { evaluatePolicy, type Evaluation } from './evaluate.js';

/** L_π(π̃) = J(π) + Σ_s η(s) Σ_a π̃(a|s) A_π(s,a) with the visitation `eta` (default η_π). */
export function surrogateObjective(mdp: FiniteMDP, piNew: Float64Array, ev: Evaluation, eta: ArrayLike<number> = ev.eta): number {
  const ea = expectedAdvantage(piNew, ev.A, mdp.numStates, mdp.numActions);
  let L = ev.J;
  for (let s = 0; s < mdp.numStates; s++) L += eta[s]! * ea[s]!;
  return L;
}

/** C = 4εγ/(1−γ)² (Schulman et al. 2015, Theorem 1). Throws `BOUND_GAMMA` when γ = 1. */
export function trpoPenalty(epsilon: number, gamma: number): number {
  if (!(gamma < 1)) fail('BOUND_GAMMA', `TRPO's bound needs γ < 1, got γ = ${gamma}: C = 4εγ/(1−γ)² is infinite`, { where: 'gamma', value: gamma });
  return (4 * epsilon * gamma) / ((1 - gamma) * (1 - gamma));
}

/** Everything in Theorem 4.1 for one pair (π, π̃). */
export interface TRPOBound {
  /** J(π), J(π̃) and L_π(π̃). */
  readonly J: number;
  readonly JNew: number;
  readonly L: number;
  /** ε = max_{s,a} |A_π(s,a)|; α = max_s TV; C = 4εγ/(1−γ)². */
  readonly epsilon: number;
  readonly alpha: number;
  readonly C: number;
  /** L − Cα², and J(π̃) − (L − Cα²) ≥ 0 by the theorem. */
  readonly boundTV: number;
  readonly slackTV: number;
  /** The KL form, when max_s KL(π‖π̃) is finite. */
  readonly kl: { readonly maxKL: number; readonly bound: number; readonly slack: number } | undefined;
  /** `|J(π̃) − L − Σ_s (η_π̃ − η_π)(s) E_π̃[A_π](s)|` (0 up to rounding). */
  readonly gapIdentityResidual: number;
}

/**
 * Theorem 4.1 and its KL form for the pair (π, π̃) = (`pi`, `piNew`), with the exact J, η
 * and A. `visitation: 'd'` computes L with the normalized d in place of η (a negative
 * control: the 1/(1−γ) factor dropped).
 */
export function trpoBound(mdp: FiniteMDP, pi: Float64Array, piNew: Float64Array, opts: { visitation?: 'eta' | 'd' } = {}): TRPOBound {
  const { numStates: S, numActions: A, gamma } = mdp;
  const ev = evaluatePolicy(mdp, pi), evNew = evaluatePolicy(mdp, piNew);
  let epsilon = 0;
  for (let i = 0; i < ev.A.length; i++) epsilon = Math.max(epsilon, Math.abs(ev.A[i]!));
  const C = trpoPenalty(epsilon, gamma);
  const L = surrogateObjective(mdp, piNew, ev, opts.visitation === 'd' ? ev.d : ev.eta);
  const alpha = Math.max(...tvPerState(pi, piNew, S, A));
  const boundTV = L - C * alpha * alpha;
  const ea = expectedAdvantage(piNew, ev.A, S, A);
  let gap = 0;
  for (let s = 0; s < S; s++) gap += (evNew.eta[s]! - ev.eta[s]!) * ea[s]!;
  const residual = Math.abs(evNew.J - surrogateObjective(mdp, piNew, ev) - gap);
  let kl: TRPOBound['kl'];
  if (finiteKL(pi, piNew)) {
    const maxKL = Math.max(...klPerState(pi, piNew, S, A));
    kl = { maxKL, bound: L - C * maxKL, slack: evNew.J - (L - C * maxKL) };
  }
  return { J: ev.J, JNew: evNew.J, L, epsilon, alpha, C, boundTV, slackTV: evNew.J - boundTV, kl, gapIdentityResidual: residual };
}

/** KL(π‖π̃) is finite in every state: π̃ > 0 wherever π > 0. */
function finiteKL(pi: Float64Array, piNew: Float64Array): boolean {
  for (let i = 0; i < pi.length; i++) if (pi[i]! > 0 && !(piNew[i]! > 0)) return false;
  return true;
}
