/**
 * Termination with probability 1 (γ = 1): in a finite Markov chain, every state reachable
 * from p0 must be able to reach a terminal state. Otherwise a reachable closed class
 * never terminates, `I − P_π` is singular on it, and the undiscounted values are not
 * defined — pgtruth says so instead of returning numbers.
 *
 * @module
 */
import { fail } from '../errors.js';
import type { FiniteMDP } from '../mdp/model.js';
import { stateLabel } from '../mdp/model.js';

/**
 * The graph test behind {@link checkTermination}, on any representation: `succ(s)` lists
 * the states reachable in one step from non-terminal s under the policy's support.
 * Returns the first state that cannot reach a terminal state — preferring one reachable
 * from p0 — and whether it is reachable; `state` is −1 when every state can terminate.
 */
export function firstNonTerminating(S: number, terminal: Uint8Array, start: (s: number) => boolean, succ: (s: number) => Iterable<number>): { state: number; reachable: boolean } {
  const reach = new Uint8Array(S);
  const stack: number[] = [];
  for (let s = 0; s < S; s++) if (start(s)) { reach[s] = 1; stack.push(s); }
  const preds: number[][] = Array.from({ length: S }, () => []);
  const succs: number[][] = Array.from({ length: S }, () => []);
  for (let s = 0; s < S; s++) {
    if (terminal[s]) continue;
    for (const t of succ(s)) { succs[s]!.push(t); preds[t]!.push(s); }
  }
  while (stack.length) {
    const s = stack.pop()!;
    for (const t of succs[s]!) if (!reach[t]) { reach[t] = 1; stack.push(t); }
  }
  const ends = new Uint8Array(S);
  for (let s = 0; s < S; s++) if (terminal[s]) { ends[s] = 1; stack.push(s); }
  while (stack.length) {
    const t = stack.pop()!;
    for (const s of preds[t]!) if (!ends[s]) { ends[s] = 1; stack.push(s); }
  }
  for (let s = 0; s < S; s++) if (reach[s] && !ends[s]) return { state: s, reachable: true };
  for (let s = 0; s < S; s++) if (!ends[s]) return { state: s, reachable: false };
  return { state: -1, reachable: false };
}

/** The message of `MDP_NOT_TERMINATING` for state `s`. */
export function nonTerminatingMessage(s: number, label: string, reachable: boolean): string {
  return reachable
    ? `gamma = 1, but state ${s} (${label}) is reachable and never terminates under this policy: I − P_π is singular and the undiscounted values are infinite or undefined`
    : `gamma = 1, but state ${s} (${label}) never terminates under this policy: p0 does not reach it, yet V(${s}) is undefined (I − P_π is singular there); give it a way to a terminal state or make it terminal`;
}

/**
 * Throws `MDP_NOT_TERMINATING` (naming the state) when γ = 1 and some state cannot reach
 * a terminal state under `pi` — reachable ones first, since they make J itself undefined;
 * an unreachable one still leaves V undefined there. Does nothing for γ < 1.
 */
export function checkTermination(mdp: FiniteMDP, pi: Float64Array): void {
  if (mdp.gamma < 1) return;
  const { numStates: S, numActions: A, transitions: T } = mdp;
  const bad = firstNonTerminating(S, mdp.terminal, (s) => mdp.initial[s]! > 0, function* (s) {
    for (let a = 0; a < A; a++) {
      if (!(pi[s * A + a]! > 0)) continue;
      const row = s * A + a;
      for (let k = T.rowPtr[row]!; k < T.rowPtr[row + 1]!; k++) if (T.val[k]! > 0) yield T.col[k]!;
    }
  });
  if (bad.state >= 0) fail('MDP_NOT_TERMINATING', nonTerminatingMessage(bad.state, stateLabel(mdp, bad.state), bad.reachable), { where: `state ${bad.state}`, value: bad.state });
}
