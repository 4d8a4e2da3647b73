/**
 * Sutton & Barto (2nd ed.) Example 13.1: the short corridor with switched actions.
 *
 * Three non-terminal states and a goal on the right; reward −1 per step; γ = 1; the
 * episode starts in state 1. In state 1 `left` stays and `right` moves to state 2; in
 * state 2 the actions are switched (`right` → state 1, `left` → state 3); in state 3
 * `left` → state 2 and `right` → the goal. All states look alike to the policy, which is
 * the log-linear policy with shared features of {@link shortCorridorFeatures}
 * (`src/policy/library.ts`).
 *
 * @module
 */
import { createMDP, type FiniteMDP } from '../model.js';

/** The short corridor; states `s1, s2, s3, goal` (indices 0–3), actions `left, right`. */
export function shortCorridor(): FiniteMDP {
  // transitions[s][a][s'] with a = 0 (left), 1 (right)
  const t = [
    [[1, 0, 0, 0], [0, 1, 0, 0]], // s1: left stays, right → s2
    [[0, 0, 1, 0], [1, 0, 0, 0]], // s2 (switched): left → s3, right → s1
    [[0, 1, 0, 0], [0, 0, 0, 1]], // s3: left → s2, right → goal
    [[0, 0, 0, 1], [0, 0, 0, 1]], // goal: absorbing
  ];
  return createMDP({
    states: ['s1', 's2', 's3', 'goal'],
    actions: ['left', 'right'],
    transitions: t,
    rewards: [[-1, -1], [-1, -1], [-1, -1], [0, 0]],
    gamma: 1,
    initial: [1, 0, 0, 0],
    terminal: [3],
  });
}
