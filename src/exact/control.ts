/**
 * Optimal control on a finite MDP: V*, Q*, π* by policy iteration (Howard 1960; Lehmann
 * 2024, Theorem 2.1, generalized policy iteration) and by value iteration (Bellman
 * optimality backups). The two are independent routes to the same V*.
 *
 * @module
 */
import { fail, isPgTruthError } from '../errors.js';
import type { FiniteMDP } from '../mdp/model.js';
import { actionValues, evaluatePolicy } from './evaluate.js';

/** An optimal solution: values, action values, and a deterministic greedy policy table. */
export interface ControlResult {
  readonly V: Float64Array;
  readonly Q: Float64Array;
  /** One-hot rows: `policy[s*A + a] = 1` for the chosen action. */
  readonly policy: Float64Array;
  readonly iterations: number;
}

/** The greedy one-hot policy of Q; ties go to `prefer[s]` when it is within `tieTol`, else the lowest index. */
export function greedyPolicy(Q: Float64Array, S: number, A: number, prefer?: Int32Array, tieTol = 1e-12): Float64Array {
  const pi = new Float64Array(S * A);
  for (let s = 0; s < S; s++) {
    let best = 0;
    let bv = Q[s * A]!;
    for (let a = 1; a < A; a++) if (Q[s * A + a]! > bv) { bv = Q[s * A + a]!; best = a; }
    const tol = tieTol * Math.max(1, Math.abs(bv));
    if (prefer && Q[s * A + prefer[s]!]! >= bv - tol) best = prefer[s]!;
    else for (let a = 0; a < A; a++) if (Q[s * A + a]! >= bv - tol) { best = a; break; }
    pi[s * A + best] = 1;
  }
  return pi;
}

function argmaxRows(pi: Float64Array, S: number, A: number): Int32Array {
  const out = new Int32Array(S);
  for (let s = 0; s < S; s++) for (let a = 0; a < A; a++) if (pi[s * A + a] === 1) out[s] = a;
  return out;
}

/**
 * Policy iteration from `start` (default: the uniform policy). Stops when the greedy
 * policy repeats (ties keep the current action, so it cannot cycle). For γ = 1 the start
 * must terminate; a greedy policy that does not terminate raises `CONTROL_IMPROPER`.
 */
export function policyIteration(mdp: FiniteMDP, start?: Float64Array, maxIterations = 1000): ControlResult {
  const { numStates: S, numActions: A } = mdp;
  let pi = start ?? new Float64Array(S * A).fill(1 / A);
  let current: Int32Array | undefined;
  for (let it = 1; it <= maxIterations; it++) {
    let ev;
    try {
      ev = evaluatePolicy(mdp, pi, { valuesOnly: true });
    } catch (e) {
      if (it > 1 && isPgTruthError(e, 'MDP_NOT_TERMINATING')) {
        fail('CONTROL_IMPROPER', `policy iteration step ${it} produced a greedy policy that never terminates (${e.message}); with γ = 1 policy iteration needs every non-terminating policy to have return −∞`);
      }
      throw e;
    }
    const next = greedyPolicy(ev.Q, S, A, current);
    const nextActions = argmaxRows(next, S, A);
    if (current && nextActions.every((a, s) => a === current![s])) return { V: ev.V, Q: ev.Q, policy: next, iterations: it };
    current = nextActions;
    pi = next;
  }
  return fail('SOLVER_NOT_CONVERGED', `policy iteration did not stabilize in ${maxIterations} iterations`);
}

/**
 * Value iteration V ← max_a [r + γPV] from V = 0 until ‖V_{k+1} − V_k‖_∞ ≤ tol·(1−γ)/γ,
 * which bounds ‖V_{k+1} − V*‖_∞ ≤ tol (for γ = 1, until ‖V_{k+1} − V_k‖_∞ ≤ tol).
 */
export function valueIteration(mdp: FiniteMDP, tol = 1e-10, maxIterations = 1_000_000): ControlResult {
  const { numStates: S, numActions: A, gamma } = mdp;
  let V = new Float64Array(S);
  const stop = gamma < 1 ? (tol * (1 - gamma)) / Math.max(gamma, 1e-300) : tol;
  for (let it = 1; it <= maxIterations; it++) {
    const Q = actionValues(mdp, V);
    const next = new Float64Array(S);
    let delta = 0;
    for (let s = 0; s < S; s++) {
      if (mdp.terminal[s]) continue;
      let m = -Infinity;
      for (let a = 0; a < A; a++) m = Math.max(m, Q[s * A + a]!);
      next[s] = m;
      delta = Math.max(delta, Math.abs(m - V[s]!));
    }
    V = next;
    if (!Number.isFinite(delta)) fail('SOLVER_NOT_CONVERGED', `value iteration diverged at iteration ${it}`);
    if (delta <= stop) {
      const Qf = actionValues(mdp, V);
      return { V, Q: Qf, policy: greedyPolicy(Qf, S, A, undefined, 1e-9), iterations: it };
    }
  }
  return fail('SOLVER_NOT_CONVERGED', `value iteration did not converge to ${tol} in ${maxIterations} iterations`);
}
