import { describe, expect, it } from 'vitest';
import { evaluatePolicy, fisherMatrix, klPerState, policyIteration } from '../../src/exact/index.js';
import { createMDP, shortCorridor } from '../../src/mdp/index.js';
import { directPolicy } from '../../src/policy/index.js';
import { expectError } from '../helpers.js';

describe('exact solvers refuse what is undefined, with typed errors', () => {
  it('γ = 1 and a policy that never leaves state 0: MDP_NOT_TERMINATING names the state', () => {
    // in the short corridor, "always left" stays in s1 forever
    const pi = Float64Array.of(1, 0, 1, 0, 1, 0, 1, 0);
    expectError(() => evaluatePolicy(shortCorridor(), pi), 'MDP_NOT_TERMINATING', 'state 0', 's1');
  });
  it('an unreachable state that never terminates is still refused: V is undefined there', () => {
    // state 2 loops forever; p0 never reaches it, but V(2) would be part of the answer
    const m = createMDP({ states: 3, actions: 1, transitions: [[[0, 1, 0]], [[0, 1, 0]], [[0, 0, 1]]], rewards: [[-1], [0], [0]], gamma: 1, initial: [1, 0, 0], terminal: [1] });
    expectError(() => evaluatePolicy(m, Float64Array.of(1, 1, 1)), 'MDP_NOT_TERMINATING', 'state 2', 'p0 does not reach it');
    // and with a way out the same MDP evaluates
    const ok = createMDP({ states: 3, actions: 1, transitions: [[[0, 1, 0]], [[0, 1, 0]], [[0, 1, 0]]], rewards: [[-1], [0], [-2]], gamma: 1, initial: [1, 0, 0], terminal: [1] });
    expect(Array.from(evaluatePolicy(ok, Float64Array.of(1, 1, 1)).V)).toEqual([-1, 0, -2]);
  });
  it('a state from which termination is possible but not certain under the policy still terminates w.p. 1', () => {
    const m = createMDP({ states: 2, actions: 2, transitions: [[[1, 0], [0.5, 0.5]], [[0, 1], [0, 1]]], rewards: [[-1, -1], [0, 0]], gamma: 1, initial: [1, 0], terminal: [1] });
    expect(evaluatePolicy(m, Float64Array.of(0.5, 0.5, 0.5, 0.5)).J).toBeCloseTo(-4, 12); // leaves w.p. 1/4 per step
    expectError(() => evaluatePolicy(m, Float64Array.of(1, 0, 0.5, 0.5)), 'MDP_NOT_TERMINATING', 'state 0');
  });
  it('MDP_NO_DECISIONS: γ = 1 and p0 on a terminal state', () => {
    const m = createMDP({ states: 2, actions: 1, transitions: [[[0, 1]], [[0, 1]]], rewards: [[-1], [0]], gamma: 1, initial: [0, 1], terminal: [1] });
    expectError(() => evaluatePolicy(m, Float64Array.of(1, 1)), 'MDP_NO_DECISIONS', 'terminal');
  });
  it('an invalid policy table is refused before any solve', () => {
    expectError(() => evaluatePolicy(shortCorridor(), Float64Array.of(0.5, 0.6, 1, 0, 1, 0, 1, 0)), 'POLICY_NOT_DISTRIBUTION', 'policy[0]', '1.1');
    expectError(() => evaluatePolicy(shortCorridor(), new Float64Array(3)), 'POLICY_SHAPE', 'expected 8');
    expectError(() => evaluatePolicy(shortCorridor(), Float64Array.of(NaN, 1, 1, 0, 1, 0, 1, 0)), 'POLICY_NOT_FINITE', 'policy[0]');
  });
  it('KL with a zero in the second policy is DIVERGENCE_INFINITE, naming state and action', () => {
    expectError(() => klPerState(Float64Array.of(0.5, 0.5), Float64Array.of(1, 0), 1, 2), 'DIVERGENCE_INFINITE', 'state 0', 'action 1');
    expect(klPerState(Float64Array.of(1, 0), Float64Array.of(0.5, 0.5), 1, 2)[0]).toBeCloseTo(Math.log(2), 15);
  });
  it('the Fisher matrix of a direct policy with π(a|s) = 0 in a visited state is ZERO_PROBABILITY', () => {
    const m = shortCorridor();
    const theta = Float64Array.of(0, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5);
    expectError(() => fisherMatrix(m, { param: directPolicy(4, 2), theta }), 'ZERO_PROBABILITY', 'state 0, action 0');
  });
  it('policy iteration on γ = 1 reports a non-terminating start policy', () => {
    const m = createMDP({ states: 2, actions: 2, transitions: [[[1, 0], [1, 0]], [[0, 1], [0, 1]]], rewards: [[0, 0], [0, 0]], gamma: 1, initial: [1, 0], terminal: [1] });
    expectError(() => policyIteration(m), 'MDP_NOT_TERMINATING', 'state 0');
  });
});
