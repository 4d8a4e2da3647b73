import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryMDP } from '../../src/arbitraries/index.js';
import { denseTransitions, mdpFromJSON, mdpToJSON, parseMDP, stringifyMDP, LIBRARY, rationalMDPFromJSON } from '../../src/mdp/index.js';
import { expectError } from '../helpers.js';

describe('MDP JSON', () => {
  it('round-trips every arbitrary MDP exactly (dense and sparse rows)', () => {
    fc.assert(fc.property(arbitraryMDP({ regime: 'any' }), fc.boolean(), (m, sparse) => {
      const back = mdpFromJSON(JSON.parse(JSON.stringify(mdpToJSON(m, { sparse }))));
      expect(Array.from(denseTransitions(back))).toEqual(Array.from(denseTransitions(m)));
      expect(Array.from(back.rewards)).toEqual(Array.from(m.rewards));
      expect(back.gamma).toBe(m.gamma);
      expect(Array.from(back.initial)).toEqual(Array.from(m.initial));
      expect(back.terminalStates).toEqual(m.terminalStates);
    }));
  });
  it('round-trips every library MDP through the file text, names included', () => {
    for (const e of LIBRARY) {
      const m = e.build();
      const back = parseMDP(stringifyMDP(m));
      expect(back.stateNames).toEqual(m.stateNames);
      expect(back.actionNames).toEqual(m.actionNames);
      expect(Array.from(denseTransitions(back))).toEqual(Array.from(denseTransitions(m)));
    }
  });
  it('reads rational strings as numbers, and exactly in rational mode', () => {
    const j = { states: 2, actions: 1, transitions: [[['1/3', '2/3']], [[0, 1]]], rewards: [['1/4'], [0]], gamma: '9/10', initial: [1, 0], terminal: [1] };
    const m = mdpFromJSON(j);
    expect(m.rewards[0]).toBe(0.25);
    expect(m.gamma).toBeCloseTo(0.9, 15);
    const r = rationalMDPFromJSON(j);
    expect(r.P[1]!.toFraction()).toBe('2/3');
    expect(r.gamma.toFraction()).toBe('9/10');
  });
  it('rational mode demands rows that sum to exactly 1 (a float-tolerable 1 − 1e-12 is refused)', () => {
    const j = { states: 2, actions: 1, transitions: [[['0.333333333333', '0.666666666666']], [[0, 1]]], rewards: [[0], [0]], gamma: '1/2', initial: [1, 0], terminal: [1] };
    expect(() => mdpFromJSON(j)).not.toThrow();
    expectError(() => rationalMDPFromJSON(j), 'MDP_ROW_SUM', 'transitions[0][0]', 'exactly 1');
  });
});
