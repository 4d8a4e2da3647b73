/**
 * Exact policy evaluation: V^π, Q^π, A^π, the discounted visitation η and d, and J.
 *
 * - V^π solves `(I − γP_π) V = r_π` on the non-terminal states (V = 0 on terminal states).
 * - Q^π(s,a) = r(s,a) + γ Σ_s′ P(s′|s,a) V^π(s′), A^π = Q^π − V^π.
 * - η solves `(I − γP_π)ᵀ η = p0`: η(s) = Σ_t γ^t Pr(s_t = s) (Lehmann 2024, Theorem 3.1's
 *   ρ_π summed; for γ = 1 the expected number of visits, and Σ_s η(s) is the expected
 *   episode length, the paper's constant η).
 * - d = η / Σ_s η. For γ < 1, Σ η = 1/(1−γ) and d = (1−γ)η, the normalized discounted
 *   visitation; terminal states are absorbing and count as visited, exactly as the
 *   definition Σ_t γ^t Pr(s_t = s) says. For γ = 1 terminal states get η = 0 (the time
 *   after the episode ends is not counted) and d is the fraction of decision steps.
 * - J = Σ_s p0(s) V^π(s).
 *
 * With these conventions ∇J = Σ_s η(s) Σ_a ∇π(a|s) Q(s,a) = (Σ η) E_{s∼d, a∼π}[∇ log π Q]
 * for every γ ∈ [0, 1].
 *
 * Small problems (≤ 2000 non-terminal states) use a dense LU factorization shared by both
 * solves; large ones use BiCGSTAB with an ILU(0) preconditioner on the sparse matrix.
 *
 * @module
 */
import { fail } from '../errors.js';
import { luFactor, luSolve, luSolveTranspose } from '../linalg/dense.js';
import { bicgPair, bicgstab } from '../linalg/iterative.js';
import { buildCSR, type CSR } from '../linalg/sparse.js';
import type { FiniteMDP } from '../mdp/model.js';
import { checkPolicyTable } from '../policy/direct.js';
import { checkTermination } from './termination.js';
import { policyTransitions } from './transition.js';

/** Which linear solver {@link evaluatePolicy} uses. */
export type SolverChoice = 'auto' | 'dense' | 'iterative';

/** Options of {@link evaluatePolicy}. */
export interface EvaluateOptions {
  /** `auto` (default): dense LU up to {@link DENSE_LIMIT} non-terminal states, else iterative. */
  readonly solver?: SolverChoice;
  /** Relative residual for the iterative solver (default 1e-12). */
  readonly tol?: number;
  /** Skip η and d (one solve instead of two). */
  readonly valuesOnly?: boolean;
}

/** The largest system `auto` solves densely. */
export const DENSE_LIMIT = 2000;

/** How the linear systems were solved. */
export interface SolveReport {
  readonly method: 'dense-lu' | 'bicgstab-ilu0' | 'bicg-ilu0' | 'bicg+bicgstab-ilu0';
  /** Unknowns (non-terminal states). */
  readonly size: number;
  /** Iterations: of the V and η solves, or one count for the paired BiCG solve (0 for dense). */
  readonly iterations: readonly number[];
  /** Largest relative residual reached (0 for dense: not computed). */
  readonly residual: number;
}

/** Everything exact about one policy. Arrays indexed `s` or `s*A + a`. */
export interface Evaluation {
  readonly V: Float64Array;
  readonly Q: Float64Array;
  readonly A: Float64Array;
  /** Unnormalized discounted visitation Σ_t γ^t Pr(s_t = s). Zero-filled when `valuesOnly`. */
  readonly eta: Float64Array;
  /** Normalized visitation η / Σ η. Zero-filled when `valuesOnly`. */
  readonly d: Float64Array;
  /** J = Σ p0 V. */
  readonly J: number;
  /** Σ_s η(s): 1/(1−γ) for γ < 1, the expected episode length for γ = 1. */
  readonly horizon: number;
  readonly solve: SolveReport;
}

/** The matrix `I − γ P_π` restricted to the non-terminal states `idx`. */
function systemMatrix(P: CSR, gamma: number, idx: Int32Array, pos: Int32Array): CSR {
  return buildCSR(idx.length, idx.length, (i, add) => {
    const s = idx[i]!;
    add(i, 1);
    for (let k = P.rowPtr[s]!; k < P.rowPtr[s + 1]!; k++) {
      const j = pos[P.col[k]!]!;
      if (j >= 0) add(j, -gamma * P.val[k]!);
    }
  }, P.val.length + idx.length);
}

function finiteOrFail(x: Float64Array, what: string): void {
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]!)) fail('SOLVER_SINGULAR', `${what} is not finite at index ${i}: the system I − γP_π is (numerically) singular`, { where: `${what}[${i}]`, value: x[i] });
  }
}

/**
 * Evaluates the policy table `pi` (`pi[s*A + a]` = π(a|s)) exactly (to floating-point
 * accuracy). Throws `POLICY_*` for an invalid table, `MDP_NOT_TERMINATING` when γ = 1 and
 * the policy does not terminate, `MDP_NO_DECISIONS` when γ = 1 and p0 lies on terminal
 * states only.
 */
export function evaluatePolicy(mdp: FiniteMDP, pi: Float64Array, opts: EvaluateOptions = {}): Evaluation {
  const { numStates: S, numActions: A, gamma } = mdp;
  checkPolicyTable(pi, S, A, 'policy');
  checkTermination(mdp, pi);
  const { P, r } = policyTransitions(mdp, pi);
  const pos = new Int32Array(S).fill(-1);
  const idxList: number[] = [];
  for (let s = 0; s < S; s++) if (!mdp.terminal[s]) { pos[s] = idxList.length; idxList.push(s); }
  const idx = Int32Array.from(idxList);
  const n = idx.length;
  const M = systemMatrix(P, gamma, idx, pos);
  const rN = Float64Array.from(idx, (s) => r[s]!);
  const p0N = Float64Array.from(idx, (s) => mdp.initial[s]!);
  const choice = opts.solver ?? 'auto';
  const dense = choice === 'dense' || (choice === 'auto' && n <= DENSE_LIMIT);
  let vN: Float64Array, etaN: Float64Array;
  let report: SolveReport;
  if (n === 0) {
    vN = new Float64Array(0); etaN = new Float64Array(0);
    report = { method: 'dense-lu', size: 0, iterations: [], residual: 0 };
  } else if (dense) {
    const m = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let k = M.rowPtr[i]!; k < M.rowPtr[i + 1]!; k++) m[i * n + M.col[k]!] += M.val[k]!;
    const lu = luFactor(m, n);
    vN = luSolve(lu, rN);
    etaN = opts.valuesOnly ? new Float64Array(n) : luSolveTranspose(lu, p0N);
    report = { method: 'dense-lu', size: n, iterations: [0, 0], residual: 0 };
  } else {
    const tol = opts.tol ?? 1e-12;
    if (opts.valuesOnly) {
      const v = bicgstab(M, rN, { tol, x0: rN });
      vN = v.x; etaN = new Float64Array(n);
      report = { method: 'bicgstab-ilu0', size: n, iterations: [v.iterations, 0], residual: v.residual };
    } else {
      const pr = bicgPair(M, rN, p0N, { tol, x0: rN, y0: p0N });
      vN = pr.x; etaN = pr.y;
      report = { method: pr.method === 'bicg' ? 'bicg-ilu0' : 'bicg+bicgstab-ilu0', size: n, iterations: [pr.iterations], residual: Math.max(...pr.residuals) };
    }
  }
  finiteOrFail(vN, 'V');
  finiteOrFail(etaN, 'eta');
  const V = new Float64Array(S);
  const eta = new Float64Array(S);
  for (let i = 0; i < n; i++) { V[idx[i]!] = vN[i]!; eta[idx[i]!] = etaN[i]!; }
  const Q = actionValues(mdp, V);
  const Adv = new Float64Array(S * A);
  for (let s = 0; s < S; s++) for (let a = 0; a < A; a++) Adv[s * A + a] = Q[s * A + a]! - V[s]!;
  let J = 0;
  for (let s = 0; s < S; s++) J += mdp.initial[s]! * V[s]!;
  const d = new Float64Array(S);
  let horizon = 0;
  if (!opts.valuesOnly) {
    if (gamma < 1) {
      // absorbing terminal states: η(t) = (p0(t) + γ Σ_{s non-terminal} η(s) P_π(t|s)) / (1 − γ)
      for (const t of mdp.terminalStates) eta[t] = mdp.initial[t]!;
      for (let i = 0; i < n; i++) {
        const s = idx[i]!;
        for (let k = P.rowPtr[s]!; k < P.rowPtr[s + 1]!; k++) {
          const t = P.col[k]!;
          if (mdp.terminal[t]) eta[t] = eta[t]! + gamma * eta[s]! * P.val[k]!;
        }
      }
      for (const t of mdp.terminalStates) eta[t] = eta[t]! / (1 - gamma);
      for (let s = 0; s < S; s++) d[s] = (1 - gamma) * eta[s]!;
      horizon = 1 / (1 - gamma);
    } else {
      for (let s = 0; s < S; s++) horizon += eta[s]!;
      if (!(horizon > 0)) fail('MDP_NO_DECISIONS', 'gamma = 1 and p0 puts all its mass on terminal states: no decision is ever taken, so d is undefined', { where: 'initial' });
      for (let s = 0; s < S; s++) d[s] = eta[s]! / horizon;
    }
  }
  return { V, Q, A: Adv, eta, d, J, horizon, solve: report };
}

/** Q(s,a) = r(s,a) + γ Σ_s′ P(s′|s,a) V(s′) for any V. */
export function actionValues(mdp: FiniteMDP, V: Float64Array): Float64Array {
  const { numStates: S, numActions: A, transitions: T, rewards, gamma } = mdp;
  const Q = new Float64Array(S * A);
  for (let row = 0; row < S * A; row++) {
    let e = 0;
    for (let k = T.rowPtr[row]!; k < T.rowPtr[row + 1]!; k++) e += T.val[k]! * V[T.col[k]!]!;
    Q[row] = rewards[row]! + gamma * e;
  }
  return Q;
}
