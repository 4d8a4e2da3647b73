/**
 * Policy evaluation over any number field, by Gaussian elimination on the dense system.
 * The same algorithm as {@link evaluatePolicy}, written once for every field: exact over
 * Fractions, differentiable over dual numbers. Small MDPs only (O(S³) field operations).
 *
 * @module
 */
import { fail } from '../errors.js';
import type { Field } from '../field/field.js';
import { solveIn, transposeIn } from '../linalg/generic.js';
import type { MDPIn } from '../mdp/generic.js';
import { firstNonTerminating, nonTerminatingMessage } from './termination.js';

/** Exact quantities in a field. Layouts as in {@link Evaluation}. */
export interface EvaluationIn<T> {
  readonly V: T[];
  readonly Q: T[];
  readonly A: T[];
  /** Present unless `valuesOnly`. */
  readonly eta: T[] | undefined;
  readonly J: T;
}

function nonTerminatingCheck<T>(F: Field<T>, m: MDPIn<T>, pi: readonly T[]): void {
  if (!m.undiscounted) return;
  const { numStates: S, numActions: A } = m;
  const bad = firstNonTerminating(S, m.terminal, (s) => !F.isZero(m.initial[s]!), function* (s) {
    for (let a = 0; a < A; a++) {
      if (F.isZero(pi[s * A + a]!)) continue;
      for (let t = 0; t < S; t++) if (!F.isZero(m.P[(s * A + a) * S + t]!)) yield t;
    }
  });
  if (bad.state >= 0) fail('MDP_NOT_TERMINATING', nonTerminatingMessage(bad.state, String(bad.state), bad.reachable), { where: `state ${bad.state}`, value: bad.state });
}

/**
 * V, Q, A, η and J of the policy table `pi` in the field `F`. Terminal states have V = 0;
 * η on terminal states is left at zero (the floating-point evaluator fills it for γ < 1).
 */
export function evaluateIn<T>(F: Field<T>, m: MDPIn<T>, pi: readonly T[], opts: { valuesOnly?: boolean } = {}): EvaluationIn<T> {
  const { numStates: S, numActions: A } = m;
  nonTerminatingCheck(F, m, pi);
  const idx: number[] = [];
  for (let s = 0; s < S; s++) if (!m.terminal[s]) idx.push(s);
  const n = idx.length;
  // P_π(s′|s) = Σ_a π(a|s) P(s′|s,a), r_π(s) = Σ_a π(a|s) r(s,a), restricted to non-terminal states
  const M: T[] = new Array(n * n).fill(F.zero);
  const rN: T[] = new Array(n).fill(F.zero);
  for (let i = 0; i < n; i++) {
    const s = idx[i]!;
    M[i * n + i] = F.one;
    for (let a = 0; a < A; a++) {
      const p = pi[s * A + a]!;
      if (F.isZero(p)) continue;
      rN[i] = F.add(rN[i]!, F.mul(p, m.r[s * A + a]!));
      for (let j = 0; j < n; j++) {
        const t = m.P[(s * A + a) * S + idx[j]!]!;
        if (F.isZero(t)) continue;
        M[i * n + j] = F.sub(M[i * n + j]!, F.mul(m.gamma, F.mul(p, t)));
      }
    }
  }
  const vN = n > 0 ? solveIn(F, M, rN) : [];
  const V: T[] = new Array(S).fill(F.zero);
  idx.forEach((s, i) => { V[s] = vN[i]!; });
  const Q: T[] = new Array(S * A);
  const Adv: T[] = new Array(S * A);
  for (let s = 0; s < S; s++) {
    for (let a = 0; a < A; a++) {
      let e = F.zero;
      for (let t = 0; t < S; t++) {
        const p = m.P[(s * A + a) * S + t]!;
        if (!F.isZero(p)) e = F.add(e, F.mul(p, V[t]!));
      }
      Q[s * A + a] = F.add(m.r[s * A + a]!, F.mul(m.gamma, e));
      Adv[s * A + a] = F.sub(Q[s * A + a]!, V[s]!);
    }
  }
  let J = F.zero;
  for (let s = 0; s < S; s++) J = F.add(J, F.mul(m.initial[s]!, V[s]!));
  let eta: T[] | undefined;
  if (!opts.valuesOnly) {
    const etaN = n > 0 ? solveIn(F, transposeIn(M, n), idx.map((s) => m.initial[s]!)) : [];
    eta = new Array(S).fill(F.zero);
    idx.forEach((s, i) => { eta![s] = etaN[i]!; });
  }
  return { V, Q, A: Adv, eta, J };
}
