/**
 * Garnet random MDPs (Archibald, McKinnon & Thomas 1995; Bhatnagar et al. 2009), seeded:
 * each (s,a) moves to `branching` distinct next states chosen uniformly, with
 * probabilities given by the gaps between sorted uniforms; rewards are uniform in
 * [−rewardScale, rewardScale]. With `terminal > 0` the last states are terminal and every
 * other row sends probability `exitProbability` to a uniformly chosen terminal state, so
 * that every policy terminates (γ = 1 is then allowed).
 *
 * @module
 */
import { fail, show } from '../../errors.js';
import { buildCSR } from '../../linalg/sparse.js';
import { Rng } from '../../stats/rng.js';
import { createMDP, type FiniteMDP } from '../model.js';

/** Options of {@link garnet}. */
export interface GarnetSpec {
  readonly states: number;
  readonly actions: number;
  /** Next states per (s,a); default min(S, 3). Use S for a dense MDP. */
  readonly branching?: number;
  /** Rewards are uniform in [−rewardScale, rewardScale]; default 1. */
  readonly rewardScale?: number;
  readonly gamma?: number;
  readonly seed?: number | string;
  /** Number of terminal states (the last ones); default 0. */
  readonly terminal?: number;
  /** Per-step probability of jumping to a terminal state when `terminal > 0`; default 0.1. */
  readonly exitProbability?: number;
  /** `uniform` (default) over non-terminal states, or `random` (normalized uniforms). */
  readonly initial?: 'uniform' | 'random';
}

/** A seeded Garnet MDP. */
export function garnet(spec: GarnetSpec): FiniteMDP {
  const S = spec.states, A = spec.actions;
  const nt = spec.terminal ?? 0;
  if (!Number.isSafeInteger(S) || S < 1 || !Number.isSafeInteger(A) || A < 1) fail('MDP_SHAPE', `garnet needs positive integer states and actions, got ${show(S)} and ${show(A)}`, { where: 'states/actions' });
  if (!Number.isSafeInteger(nt) || nt < 0 || nt >= S) fail('MDP_SHAPE', `terminal is ${show(nt)}: need 0 ≤ terminal < states`, { where: 'terminal', value: nt });
  const live = S - nt;
  const b = Math.min(spec.branching ?? 3, live);
  if (!Number.isSafeInteger(b) || b < 1) fail('MDP_SHAPE', `branching is ${show(spec.branching)}: it must be a positive integer`, { where: 'branching', value: spec.branching });
  const scale = spec.rewardScale ?? 1;
  const exit = nt > 0 ? spec.exitProbability ?? 0.1 : 0;
  if (!(exit >= 0 && exit <= 1)) fail('MDP_SHAPE', `exitProbability is ${show(exit)}: it must lie in [0, 1]`, { where: 'exitProbability', value: exit });
  const rng = Rng.from(spec.seed ?? 0);
  const rewards = new Float64Array(S * A);
  const perm = new Int32Array(live);
  const cuts = new Float64Array(b + 1);
  const transitions = buildCSR(S * A, S, (row, add) => {
    const s = Math.floor(row / A);
    if (s >= live) { add(s, 1); return; }
    for (let i = 0; i < live; i++) perm[i] = i;
    for (let i = 0; i < b; i++) { // partial Fisher–Yates: the first b entries are the successors
      const j = i + rng.int(live - i);
      const t = perm[i]!; perm[i] = perm[j]!; perm[j] = t;
    }
    cuts[0] = 0; cuts[b] = 1;
    for (let i = 1; i < b; i++) cuts[i] = rng.uniform();
    cuts.subarray(1, b).sort();
    for (let i = 0; i < b; i++) add(perm[i]!, (1 - exit) * (cuts[i + 1]! - cuts[i]!));
    if (exit > 0) add(live + rng.int(nt), exit);
    rewards[row] = scale * (2 * rng.uniform() - 1);
  }, S * A * (b + 1));
  const initial = new Float64Array(S);
  if ((spec.initial ?? 'uniform') === 'uniform') initial.fill(1 / live, 0, live);
  else {
    let tot = 0;
    for (let s = 0; s < live; s++) { initial[s] = 0.05 + rng.uniform(); tot += initial[s]!; }
    for (let s = 0; s < live; s++) initial[s] = initial[s]! / tot;
  }
  return createMDP({
    states: S, actions: A, transitions, rewards, gamma: spec.gamma ?? 0.9, initial,
    terminal: Array.from({ length: nt }, (_, i) => live + i),
  });
}
