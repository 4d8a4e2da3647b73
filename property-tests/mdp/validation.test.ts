import { describe, expect, it } from 'vitest';
import { createMDP, mdpFromJSON, parseMDP, type MDPSpec } from '../../src/mdp/index.js';
import { expectError } from '../helpers.js';

const base = (): MDPSpec & Record<string, unknown> => ({
  states: 3,
  actions: 2,
  transitions: [
    [[0.5, 0.5, 0], [0, 1, 0]],
    [[0, 0, 1], [1, 0, 0]],
    [[0, 0, 1], [0, 0, 1]],
  ],
  rewards: [[1, 0], [0, 2], [0, 0]],
  gamma: 0.9,
  initial: [1, 0, 0],
  terminal: [2],
});
const json = (patch: Record<string, unknown>) => JSON.stringify({ ...base(), ...patch });

describe('MDP validation: every failure is a typed error naming the index and value', () => {
  it('accepts the valid base MDP', () => {
    const m = createMDP(base());
    expect(m.numStates).toBe(3);
    expect(m.terminalStates).toEqual([2]);
  });
  it('MDP_ROW_SUM: a row of P that does not sum to 1', () => {
    expectError(() => parseMDP(json({ transitions: [[[0.5, 0.4, 0], [0, 1, 0]], [[0, 0, 1], [1, 0, 0]], [[0, 0, 1], [0, 0, 1]]] })), 'MDP_ROW_SUM', 'transitions[0][0]', '0.9');
  });
  it('MDP_ROW_SUM tolerance is 1e-9: 1 + 5e-10 passes, 1 + 2e-9 fails', () => {
    const t = (e: number) => [[[0.5, 0.5 + e, 0], [0, 1, 0]], [[0, 0, 1], [1, 0, 0]], [[0, 0, 1], [0, 0, 1]]];
    expect(() => createMDP({ ...base(), transitions: t(5e-10) })).not.toThrow();
    expectError(() => createMDP({ ...base(), transitions: t(2e-9) }), 'MDP_ROW_SUM', 'transitions[0][0]');
  });
  it('MDP_NEGATIVE_PROBABILITY', () => {
    expectError(() => createMDP({ ...base(), transitions: [[[1.5, -0.5, 0], [0, 1, 0]], [[0, 0, 1], [1, 0, 0]], [[0, 0, 1], [0, 0, 1]]] }), 'MDP_NEGATIVE_PROBABILITY', 'transitions[0][0][1]', '-0.5');
  });
  it('MDP_NOT_FINITE: NaN, Infinity and non-numbers in P, r, γ, p0', () => {
    expectError(() => createMDP({ ...base(), transitions: [[[NaN, 1, 0], [0, 1, 0]], [[0, 0, 1], [1, 0, 0]], [[0, 0, 1], [0, 0, 1]]] }), 'MDP_NOT_FINITE', 'transitions[0][0][0]', 'NaN');
    expectError(() => createMDP({ ...base(), rewards: [[1, Infinity], [0, 2], [0, 0]] }), 'MDP_NOT_FINITE', 'rewards[0][1]', 'Infinity');
    expectError(() => parseMDP(json({ rewards: [[1, 'x'], [0, 2], [0, 0]] })), 'MDP_NOT_FINITE', 'rewards[0][1]', '"x"');
    expectError(() => createMDP({ ...base(), gamma: NaN }), 'MDP_NOT_FINITE', 'gamma');
    expectError(() => createMDP({ ...base(), initial: [1, NaN, 0] }), 'MDP_NOT_FINITE', 'initial[1]');
  });
  it('MDP_GAMMA_RANGE: γ outside [0, 1]', () => {
    expectError(() => createMDP({ ...base(), gamma: 1.01 }), 'MDP_GAMMA_RANGE', 'gamma', '1.01');
    expectError(() => createMDP({ ...base(), gamma: -0.1 }), 'MDP_GAMMA_RANGE', '-0.1');
  });
  it('MDP_INITIAL: p0 not a distribution', () => {
    expectError(() => createMDP({ ...base(), initial: [0.5, 0.4, 0] }), 'MDP_INITIAL', 'initial', '0.9');
    expectError(() => createMDP({ ...base(), initial: [1.5, -0.5, 0] }), 'MDP_INITIAL', 'initial[1]', '-0.5');
  });
  it('MDP_SHAPE: wrong lengths and nesting, each naming the place', () => {
    expectError(() => createMDP({ ...base(), transitions: [[[1, 0, 0], [0, 1, 0]]] }), 'MDP_SHAPE', 'transitions', 'expected 3');
    expectError(() => createMDP({ ...base(), transitions: [[[1, 0, 0]], [[0, 0, 1], [1, 0, 0]], [[0, 0, 1], [0, 0, 1]]] }), 'MDP_SHAPE', 'transitions[0]', 'expected 2');
    expectError(() => createMDP({ ...base(), transitions: [[[1, 0], [0, 1, 0]], [[0, 0, 1], [1, 0, 0]], [[0, 0, 1], [0, 0, 1]]] }), 'MDP_SHAPE', 'transitions[0][0]', 'expected 3');
    expectError(() => createMDP({ ...base(), rewards: [[1, 0], [0, 2]] }), 'MDP_SHAPE', 'rewards');
    expectError(() => createMDP({ ...base(), rewards: [[1, 0], [0], [0, 0]] }), 'MDP_SHAPE', 'rewards[1]');
    expectError(() => createMDP({ ...base(), initial: [1, 0] }), 'MDP_SHAPE', 'initial');
    expectError(() => createMDP({ ...base(), states: 0 }), 'MDP_SHAPE', 'states');
    expectError(() => createMDP({ ...base(), actions: 1.5 }), 'MDP_SHAPE', 'actions', '1.5');
  });
  it('MDP_TERMINAL_INDEX: out of range or repeated', () => {
    expectError(() => createMDP({ ...base(), terminal: [3] }), 'MDP_TERMINAL_INDEX', 'terminal[0]', '3');
    expectError(() => createMDP({ ...base(), terminal: [2, 2] }), 'MDP_TERMINAL_INDEX', 'terminal[1]', 'repeats');
    expectError(() => createMDP({ ...base(), terminal: [-1] }), 'MDP_TERMINAL_INDEX', '-1');
  });
  it('MDP_TERMINAL_NOT_ABSORBING: a terminal state that moves or pays', () => {
    expectError(() => createMDP({ ...base(), terminal: [1] }), 'MDP_TERMINAL_NOT_ABSORBING', 'terminal state 1', 'transitions[1][0][1]');
    expectError(() => createMDP({ ...base(), rewards: [[1, 0], [0, 2], [0, 3]] }), 'MDP_TERMINAL_NOT_ABSORBING', 'rewards[2][1]', '3');
  });
  it('MDP_NOT_TERMINATING: γ = 1 without any terminal state', () => {
    expectError(() => createMDP({ ...base(), gamma: 1, terminal: [], transitions: [[[0.5, 0.5, 0], [0, 1, 0]], [[0, 0, 1], [1, 0, 0]], [[1, 0, 0], [0, 0, 1]]], rewards: [[1, 0], [0, 2], [0, 1]] }), 'MDP_NOT_TERMINATING', 'gamma');
  });
  it('MDP_NAMES: duplicate or empty names', () => {
    expectError(() => createMDP({ ...base(), states: ['a', 'b', 'a'] }), 'MDP_NAMES', 'states[2]', '"a"');
    expectError(() => createMDP({ ...base(), actions: ['go', ''] }), 'MDP_NAMES', 'actions[1]');
  });
  it('JSON_PARSE and JSON_TYPE: not JSON, not an object, unknown or missing fields', () => {
    expectError(() => parseMDP('{"states": 3,', 'my.json'), 'JSON_PARSE', 'my.json');
    expectError(() => mdpFromJSON([1, 2]), 'JSON_TYPE', 'JSON object');
    expectError(() => parseMDP(json({ gama: 0.9 })), 'JSON_TYPE', '"gama"');
    const noGamma: Record<string, unknown> = base();
    delete noGamma.gamma;
    expectError(() => mdpFromJSON(noGamma), 'JSON_TYPE', '"gamma"');
  });
  it('sparse rows: keys must be state indices', () => {
    expectError(() => parseMDP(json({ transitions: [[{ '0': 0.5, '7': 0.5 }, [0, 1, 0]], [[0, 0, 1], [1, 0, 0]], [[0, 0, 1], [0, 0, 1]]] })), 'MDP_SHAPE', 'transitions[0][0]', '"7"');
  });
});
