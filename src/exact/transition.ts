/**
 * The Markov chain a policy induces: P_π(s′|s) = Σ_a π(a|s) P(s′|s,a) and
 * r_π(s) = Σ_a π(a|s) r(s,a).
 *
 * @module
 */
import { buildCSR, type CSR } from '../linalg/sparse.js';
import type { FiniteMDP } from '../mdp/model.js';

/** P_π as an S×S CSR matrix (duplicates summed) and r_π. `pi[s*A + a]` = π(a|s). */
export function policyTransitions(mdp: FiniteMDP, pi: Float64Array): { P: CSR; r: Float64Array } {
  const { numStates: S, numActions: A, transitions: T, rewards } = mdp;
  const r = new Float64Array(S);
  const P = buildCSR(S, S, (s, add) => {
    let rs = 0;
    for (let a = 0; a < A; a++) {
      const p = pi[s * A + a]!;
      if (p === 0) continue;
      const row = s * A + a;
      rs += p * rewards[row]!;
      for (let k = T.rowPtr[row]!; k < T.rowPtr[row + 1]!; k++) add(T.col[k]!, p * T.val[k]!);
    }
    r[s] = rs;
  }, T.val.length);
  return { P, r };
}
