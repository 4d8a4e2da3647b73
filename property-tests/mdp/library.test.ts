// Known answers from ../shared/REFERENCES.md. The numbers in this file are copied from the
// literature, not computed by pgtruth.
import { describe, expect, it } from 'vitest';
import { evaluatePolicy, policyGradient, policyIteration, valueIteration } from '../../src/exact/index.js';
import { chain, garnet, gridworld, shortCorridor, suttonBartoGridworld4x4, suttonBartoGridworld5x5, benchmarkGridworld, builtinMDP } from '../../src/mdp/index.js';
import { shortCorridorPolicy, shortCorridorTheta } from '../../src/policy/index.js';
import { expectError } from '../helpers.js';

const corridorAt = (p: number) => {
  const m = shortCorridor();
  const policy = { param: shortCorridorPolicy(), theta: shortCorridorTheta(p) };
  const ev = evaluatePolicy(m, policy.param.probs(policy.theta));
  return { ev, grad: policyGradient(m, policy, ev) };
};

describe("Sutton & Barto Example 13.1 — short corridor", () => {
  it('J(p) as published: J(0.05) ≈ −82.105263, J(0.5) = −12, J(0.95) ≈ −44.210526', () => {
    expect(corridorAt(0.05).ev.J).toBeCloseTo(-82.105263, 5);
    expect(corridorAt(0.5).ev.J).toBeCloseTo(-12, 12);
    expect(corridorAt(0.95).ev.J).toBeCloseTo(-44.210526, 5);
  });
  it('J(p) = (2p − 4)/(p(1 − p)), v₂ = (3 − p)/(p(p − 1)), v₃ = −3/p', () => {
    for (const p of [0.1, 0.25, 0.6, 0.8]) {
      const { ev } = corridorAt(p);
      expect(ev.J / ((2 * p - 4) / (p * (1 - p)))).toBeCloseTo(1, 12);
      expect(ev.V[1]! / ((3 - p) / (p * (p - 1)))).toBeCloseTo(1, 12);
      expect(ev.V[2]! / (-3 / p)).toBeCloseTo(1, 12);
    }
  });
  it('η at p = 0.5 is (6, 4, 2) expected visits, total 12 = −J', () => {
    const { ev } = corridorAt(0.5);
    expect(Array.from(ev.eta.subarray(0, 3)).map((x) => +x.toFixed(10))).toEqual([6, 4, 2]);
    expect(ev.horizon).toBeCloseTo(12, 10);
  });
  it('∇J = J′(p)p(1−p)(1, −1): (75.894737, −75.894737), (2, −2), (−37.789474, 37.789474)', () => {
    const cases: [number, number][] = [[0.05, 75.894737], [0.5, 2], [0.95, -37.789474]];
    for (const [p, g] of cases) {
      const { grad } = corridorAt(p);
      expect(grad[0]).toBeCloseTo(g, 5);
      expect(grad[1]).toBeCloseTo(-g, 5);
    }
  });
  it('the best shared policy is p* = 2 − √2 with J(p*) = −(6 + 4√2): the gradient vanishes there', () => {
    const { ev, grad } = corridorAt(2 - Math.SQRT2);
    expect(ev.J).toBeCloseTo(-(6 + 4 * Math.SQRT2), 10);
    expect(Math.abs(grad[0]!)).toBeLessThan(1e-9);
    expect(Math.abs(corridorAt(0.58).grad[0]!)).toBeGreaterThan(1e-3); // and not elsewhere
  });
});

describe('Sutton & Barto Examples 3.5/3.8 — 5×5 gridworld', () => {
  const vRandom = [3.309, 8.7893, 4.4276, 5.3224, 1.4922, 1.5216, 2.9923, 2.2501, 1.9076, 0.5474, 0.0508, 0.7382, 0.6731, 0.3582, -0.4031, -0.9736, -0.4355, -0.3549, -0.5856, -1.1831, -1.8577, -1.3452, -1.2293, -1.4229, -1.9752];
  const vStar = [21.9775, 24.4194, 21.9775, 19.4194, 17.4775, 19.7797, 21.9775, 19.7797, 17.8018, 16.0216, 17.8018, 19.7797, 17.8018, 16.0216, 14.4194, 16.0216, 17.8018, 16.0216, 14.4194, 12.9775, 14.4194, 16.0216, 14.4194, 12.9775, 11.6797];
  it('v_π of the equiprobable policy matches the published table to its 4 decimals', () => {
    const V = evaluatePolicy(suttonBartoGridworld5x5(), new Float64Array(100).fill(0.25)).V;
    vRandom.forEach((v, i) => expect(Math.abs(V[i]! - v)).toBeLessThanOrEqual(5.0001e-5));
  });
  it('v* by value iteration and by policy iteration matches the published table; v*(A) = 10/(1 − 0.9⁵)', () => {
    const m = suttonBartoGridworld5x5();
    for (const V of [valueIteration(m).V, policyIteration(m).V]) vStar.forEach((v, i) => expect(Math.abs(V[i]! - v)).toBeLessThanOrEqual(5.0001e-5));
    expect(policyIteration(m).V[1]).toBeCloseTo(10 / (1 - 0.9 ** 5), 9);
  });
});

describe('Sutton & Barto Example 4.1 — 4×4 episodic gridworld', () => {
  it('v_π of the equiprobable policy is the integer table', () => {
    const V = evaluatePolicy(suttonBartoGridworld4x4(), new Float64Array(64).fill(0.25)).V;
    expect(Array.from(V).map((x) => Math.round(x * 1e9) / 1e9)).toEqual([0, -14, -20, -22, -14, -18, -20, -20, -20, -20, -18, -14, -22, -20, -14, 0]);
  });
});

describe('generators', () => {
  it('Garnet: same seed, same MDP; other seed, other MDP; branching respected', () => {
    const a = garnet({ states: 8, actions: 3, branching: 2, seed: 5 });
    const b = garnet({ states: 8, actions: 3, branching: 2, seed: 5 });
    const c = garnet({ states: 8, actions: 3, branching: 2, seed: 6 });
    expect(Array.from(a.transitions.val)).toEqual(Array.from(b.transitions.val));
    expect(Array.from(a.transitions.val)).not.toEqual(Array.from(c.transitions.val));
    for (let row = 0; row < 24; row++) expect(a.transitions.rowPtr[row + 1]! - a.transitions.rowPtr[row]!).toBeLessThanOrEqual(2);
  });
  it('episodic Garnet terminates under every policy (γ = 1 evaluation succeeds)', () => {
    const m = garnet({ states: 6, actions: 2, gamma: 1, terminal: 1, seed: 3 });
    expect(Number.isFinite(evaluatePolicy(m, new Float64Array(12).fill(0.5)).J)).toBe(true);
  });
  it('gridworlds of any size build in sparse form (a 300×300 grid has 9·10⁴ states, ≤ 4 next states per row)', () => {
    const m = benchmarkGridworld(300);
    expect(m.numStates).toBe(90_000);
    expect(m.transitions.val.length).toBe(90_000 * 4);
    expect(m.stateNames).toBeUndefined();
  });
  it('chain: the always-forward policy values follow from the slip model', () => {
    const m = chain({ n: 2, slip: 0, gamma: 0.5 });
    // forward forever from state 1 pays 10 each step: V = 10/(1 − 0.5) = 20; from 0: 0 + 0.5·20
    const V = evaluatePolicy(m, Float64Array.of(1, 0, 1, 0)).V;
    expect(V[1]).toBeCloseTo(20, 12);
    expect(V[0]).toBeCloseTo(10, 12);
  });
  it('invalid generator input is a typed error', () => {
    expectError(() => gridworld({ rows: 0, cols: 3, gamma: 0.9 }), 'MDP_SHAPE', 'rows and cols', '0×3');
    expectError(() => gridworld({ rows: 2, cols: 2, gamma: 0.9, terminals: [[2, 0]] }), 'MDP_SHAPE', 'terminal cell');
    expectError(() => garnet({ states: 3, actions: 2, terminal: 3 }), 'MDP_SHAPE', 'terminal');
    expectError(() => builtinMDP('nope'), 'MDP_UNKNOWN', 'short-corridor');
  });
});
