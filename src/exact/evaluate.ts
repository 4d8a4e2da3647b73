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
 * The solver is chosen by size and sparsity (`./solve.ts`): dense LU for small systems,
 * GMRES with an LU fallback for dense ones, a sparse LU without pivoting (stable because
 * `I − γP_π` is a row diagonally dominant M-matrix) for sparse ones, and ILU(0)-BiCG for
 * the largest. Every answer is verified (true residual or backward error). What depends
 * only on the MDP (the pattern of `I − γP_π`, the sparse LU's ordering and symbolic
 * analysis) is computed once per MDP and cached ({@link forgetSystemPlan} drops it).
 *
 * @module
 */
import { fail, isPgTruthError } from '../errors.js';
import { overflowCheck, rewardsMayOverflow } from './overflow.js';
import { warmWorker } from '../linalg/parallel.js';
import type { FiniteMDP } from '../mdp/model.js';
import { checkPolicyTable } from '../policy/direct.js';
import { EvaluationRecord } from './evaluated-table.js';
import { zeros } from '../linalg/small-array-pool.js';
import { solvePair, SPARSE_DIRECT_LIMIT } from './solve.js';
import { denseTransitions, systemPlan, type SystemPlan } from './system.js';
import { checkTermination } from './termination.js';
import type { EvaluateOptions, Evaluation } from './types.js';

export { forgetSystemPlan } from './system.js';
export { DENSE_LIMIT } from './solve.js';
export type { EvaluateOptions, Evaluation, SolveReport, SolverChoice } from './types.js';

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
  // a problem large enough for the two-thread iterative path: let the worker boot meanwhile
  if (S > SPARSE_DIRECT_LIMIT && !opts.valuesOnly && (opts.solver ?? 'auto') !== 'dense') warmWorker();
  const plan = systemPlan(mdp);
  const { n, idx } = plan;
  const out = outputs(S, A);
  const { V, eta, d, Q } = out;
  const Adv = out.A;
  // with no terminal state the unknowns are the states: the solver writes V and η in place
  let solved: ReturnType<typeof solvePair>;
  try {
    solved = solvePair(mdp, plan, pi, opts, n === S ? V : undefined, n === S ? eta : undefined);
  } catch (e) {
    // a V that is not finite because the rewards are huge is an overflow, not a singular system
    if (isPgTruthError(e, 'SOLVER_SINGULAR') && String(e.where).startsWith('V') && rewardsMayOverflow(mdp.rewards, gamma)) overflowCheck([e.value as number], 'V');
    throw e;
  }
  const { vN, etaN, report } = solved;
  if (n === S) { if (vN !== V) V.set(vN); if (etaN !== eta) eta.set(etaN); }
  else for (let i = 0; i < n; i++) { V[idx[i]!] = vN[i]!; eta[idx[i]!] = etaN[i]!; }
  actionValuesPlanned(mdp, plan, V, Q, Adv);
  // γ near 1: V ≫ A, and Q − V cancels to a few digits; A from differences of V instead
  if (solved.vLo) {
    const vLo = new Float64Array(S);
    for (let i = 0; i < n; i++) vLo[idx[i]!] = solved.vLo[i]!;
    accurateAdvantages(mdp, V, vLo, Adv);
  }
  let J = 0;
  for (let s = 0; s < S; s++) J += mdp.initial[s]! * V[s]!;
  let horizon = 0;
  if (!opts.valuesOnly) {
    if (gamma < 1) {
      // absorbing terminal states: η(t) = (p0(t) + γ Σ_{s non-terminal} η(s) P_π(t|s)) / (1 − γ)
      if (mdp.terminalStates.length > 0) terminalVisitation(mdp, pi, plan.idx, eta);
      for (let s = 0; s < S; s++) d[s] = (1 - gamma) * eta[s]!;
      horizon = 1 / (1 - gamma);
    } else {
      for (let s = 0; s < S; s++) horizon += eta[s]!;
      if (!(horizon > 0)) fail('MDP_NO_DECISIONS', 'gamma = 1 and p0 puts all its mass on terminal states: no decision is ever taken, so d is undefined', { where: 'initial' });
      for (let s = 0; s < S; s++) d[s] = eta[s]! / horizon;
    }
  }
  overflowCheck(V, 'V');
  overflowCheck(Q, 'Q', A);
  overflowCheck(Adv, 'A', A);
  overflowCheck([J], 'J');
  out.pi.set(pi);
  return new EvaluationRecord(V, Q, Adv, eta, d, J, horizon, report, out.pi);
}

/**
 * η on the absorbing terminal states for γ < 1:
 * η(t) = (p0(t) + γ Σ_{s non-terminal} η(s) P_π(t|s)) / (1 − γ), with
 * P_π(t|s) = Σ_a π(a|s) P(t|s,a) (summed in the order of the transition entries).
 */
/**
 * A(s,a) = r(s,a) − (1−γ) V(s) + γ Σ_{s'} P(s'|s,a) (V(s') − V(s)) — equal to Q − V when
 * the rows of P sum to 1, with no V-sized terms to cancel; V = V + vLo in double-double (the
 * refined small path, see ./refine.ts).
 */
function accurateAdvantages(mdp: FiniteMDP, V: Float64Array, vLo: Float64Array, Adv: Float64Array): void {
  const { numStates: S, numActions: A, transitions: T, rewards, gamma } = mdp;
  for (let s = 0; s < S; s++) {
    if (mdp.terminal[s]) continue;
    const v = V[s]!, vl = vLo[s]!;
    for (let row = s * A; row < (s + 1) * A; row++) {
      let e = 0;
      for (let k = T.rowPtr[row]!; k < T.rowPtr[row + 1]!; k++) { const j = T.col[k]!; e += T.val[k]! * ((V[j]! - v) + (vLo[j]! - vl)); }
      Adv[row] = rewards[row]! - (1 - gamma) * (v + vl) + gamma * e;
    }
  }
}

function terminalVisitation(mdp: FiniteMDP, pi: Float64Array, idx: Int32Array, eta: Float64Array): void {
  const { numActions: A, transitions: T, terminal, gamma } = mdp;
  for (const t of mdp.terminalStates) eta[t] = mdp.initial[t]!;
  for (let i = 0; i < idx.length; i++) {
    const s = idx[i]!;
    const es = eta[s]!;
    if (es === 0) continue;
    for (let a = 0; a < A; a++) {
      const p = pi[s * A + a]!;
      if (p === 0) continue;
      for (let k = T.rowPtr[s * A + a]!; k < T.rowPtr[s * A + a + 1]!; k++) {
        const t = T.col[k]!;
        if (terminal[t]) eta[t] = eta[t]! + gamma * es * (p * T.val[k]!);
      }
    }
  }
  for (const t of mdp.terminalStates) eta[t] = eta[t]! / (1 - gamma);
}

/** Q(s,a) = r(s,a) + γ Σ_s′ P(s′|s,a) V(s′) for any V. */
export function actionValues(mdp: FiniteMDP, V: Float64Array): Float64Array {
  return actionValuesInto(mdp, V, new Float64Array(mdp.numStates * mdp.numActions));
}

/** Q and A = Q − V, from the plan's dense transitions when it has them (contiguous rows), else from the CSR. */
function actionValuesPlanned(mdp: FiniteMDP, plan: SystemPlan, V: Float64Array, Q: Float64Array, Adv: Float64Array): void {
  const { numStates: S, numActions: A, rewards, gamma } = mdp;
  const P = plan.n === S ? denseTransitions(mdp, plan) : undefined;
  if (!P) {
    actionValuesInto(mdp, V, Q);
    for (let s = 0; s < S; s++) { const v = V[s]!; for (let a = 0; a < A; a++) Adv[s * A + a] = Q[s * A + a]! - v; }
    return;
  }
  for (let s = 0; s < S; s++) {
    const v = V[s]!;
    for (let row = s * A; row < (s + 1) * A; row++) {
      const pr = row * S;
      let e0 = 0, e1 = 0;
      let j = 0;
      for (; j + 1 < S; j += 2) { e0 += P[pr + j]! * V[j]!; e1 += P[pr + j + 1]! * V[j + 1]!; }
      if (j < S) e0 += P[pr + j]! * V[j]!;
      const q = rewards[row]! + gamma * (e0 + e1);
      Q[row] = q;
      Adv[row] = q - v;
    }
  }
}

function actionValuesInto(mdp: FiniteMDP, V: Float64Array, Q: Float64Array): Float64Array {
  const { numStates: S, numActions: A, transitions: T, rewards, gamma } = mdp;
  const { rowPtr, col, val } = T;
  for (let row = 0; row < S * A; row++) {
    let e = 0;
    const end = rowPtr[row + 1]!;
    for (let k = rowPtr[row]!; k < end; k++) e += val[k]! * V[col[k]!]!;
    Q[row] = rewards[row]! + gamma * e;
  }
  return Q;
}

/**
 * The output arrays V, η, d (length S) and Q, A (length S·A), zero-filled, from the pool of
 * small arrays (../linalg/small-array-pool.ts: one allocation per many evaluations instead of five each), and a
 * private copy of the policy table for {@link policyGradient} (copying S·A numbers is far
 * cheaper than the S·A exponentials of recomputing a softmax table).
 */
function outputs(S: number, A: number): { V: Float64Array; eta: Float64Array; d: Float64Array; Q: Float64Array; A: Float64Array; pi: Float64Array } {
  const SA = S * A;
  return { V: zeros(S), eta: zeros(S), d: zeros(S), Q: zeros(SA), A: zeros(SA), pi: zeros(SA) };
}
