import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryPolicy } from '../../src/arbitraries/index.js';
import { Dual, DualField, NumberField } from '../../src/field/index.js';
import { directPolicy, policyFromJSON, softmaxPolicy, type Policy } from '../../src/policy/index.js';
import { expectError, rel } from '../helpers.js';

const D = DualField(NumberField);
const dims = fc.record({ S: fc.integer({ min: 1, max: 4 }), A: fc.integer({ min: 1, max: 4 }) });
const policies = dims.chain(({ S, A }) => arbitraryPolicy(S, A).map((p) => ({ S, A, p })));

/** ∂/∂θ_k of f(π_θ) by forward-mode AD through the generic `probsIn`. */
function dualDerivative(p: Policy, k: number, f: (pi: Dual<number>[]) => Dual<number>): number {
  const th = Array.from(p.theta, (x, j) => new Dual(x, j === k ? 1 : 0));
  return f(p.param.probsIn(D, th)).du;
}

describe('policy parameterizations', () => {
  it('every row of π_θ is a probability distribution', () => {
    fc.assert(fc.property(policies, ({ S, A, p }) => {
      const pi = p.param.probs(p.theta);
      for (let s = 0; s < S; s++) {
        let t = 0;
        for (let a = 0; a < A; a++) { expect(pi[s * A + a]).toBeGreaterThanOrEqual(0); t += pi[s * A + a]!; }
        expect(Math.abs(t - 1)).toBeLessThan(1e-12);
      }
    }));
  });
  it('addScore is ∇_θ log π(a|s) (checked against dual numbers through probsIn)', () => {
    fc.assert(fc.property(policies, ({ S, A, p }) => {
      for (let s = 0; s < S; s++) for (let a = 0; a < A; a++) {
        const g = new Float64Array(p.param.numParams);
        p.param.addScore(p.theta, s, a, 1, g);
        const ad = Float64Array.from(g, (_, k) => dualDerivative(p, k, (pi) => D.log(pi[s * A + a]!)));
        expect(rel(g, ad, 1)).toBeLessThan(1e-10);
        expect(p.param.logProb(p.theta, s, a)).toBeCloseTo(Math.log(p.param.probs(p.theta)[s * A + a]!), 10);
      }
    }));
  });
  it('addDProbs is Σ_a w_a ∇_θ π(a|s) (checked against dual numbers)', () => {
    fc.assert(fc.property(policies, fc.array(fc.integer({ min: -9, max: 9 }), { minLength: 4, maxLength: 4 }), ({ S, A, p }, w) => {
      for (let s = 0; s < S; s++) {
        const g = new Float64Array(p.param.numParams);
        p.param.addDProbs(p.theta, s, w, 0, g);
        const ad = Float64Array.from(g, (_, k) => dualDerivative(p, k, (pi) => {
          let acc = D.zero;
          for (let a = 0; a < A; a++) acc = D.add(acc, D.mul(D.fromNumber(w[a]!), pi[s * A + a]!));
          return acc;
        }));
        expect(rel(g, ad, 1)).toBeLessThan(1e-10);
      }
    }));
  });
  it('negative control: the score without the baseline term (∇θ_{s,a} only) is rejected by the same check', () => {
    const p: Policy = { param: softmaxPolicy(1, 3), theta: Float64Array.of(0.2, -0.5, 1) };
    const naive = Float64Array.of(1, 0, 0); // e_a, forgetting −π
    const ad = Float64Array.from(naive, (_, k) => dualDerivative(p, k, (pi) => D.log(pi[0]!)));
    expect(rel(naive, ad, 1)).toBeGreaterThan(0.1);
  });
  it('softmax is stable for logits of magnitude 700 and beyond: no NaN, finite log π and score', () => {
    for (const big of [700, 710, 1e4, 1e300]) {
      const param = softmaxPolicy(2, 3);
      const theta = Float64Array.of(big, -big, 0, -big, -big, big);
      const pi = param.probs(theta);
      expect(pi.every(Number.isFinite)).toBe(true);
      expect(pi[0]).toBe(1);
      for (let s = 0; s < 2; s++) for (let a = 0; a < 3; a++) {
        const lp = param.logProb(theta, s, a);
        expect(Number.isFinite(lp)).toBe(true); // −2·big even where π underflows to 0
        const g = new Float64Array(6);
        param.addScore(theta, s, a, 1, g);
        expect(g.every(Number.isFinite)).toBe(true);
      }
      expect(param.logProb(theta, 0, 1)).toBe(-2 * big);
    }
  });
  it('direct policies with π(a|s) = 0: log π and the score are typed errors; ∂π/∂θ is fine', () => {
    const param = directPolicy(1, 2);
    const theta = Float64Array.of(1, 0);
    expectError(() => param.logProb(theta, 0, 1), 'ZERO_PROBABILITY', 'state 0, action 1');
    expectError(() => param.addScore(theta, 0, 1, 1, new Float64Array(2)), 'ZERO_PROBABILITY', 'action 1');
    const g = new Float64Array(2);
    param.addDProbs(theta, 0, [3, 4], 0, g);
    expect(Array.from(g)).toEqual([3, 4]);
  });
});

describe('policy JSON and validation', () => {
  const dimsOf = { numStates: 2, numActions: 2 };
  it('reads the three kinds', () => {
    expect(policyFromJSON({ kind: 'softmax', logits: [[0, 1], [2, 3]] }, dimsOf).param.kind).toBe('softmax');
    expect(policyFromJSON({ kind: 'direct', probs: [['1/3', '2/3'], [1, 0]] }, dimsOf).theta[1]).toBeCloseTo(2 / 3, 15);
    const ll = policyFromJSON({ kind: 'loglinear', features: [[[1, 0], [0, 1]], [[1, 1], [0, 0]]], theta: [0.5, -1] }, dimsOf);
    expect(ll.param.numParams).toBe(2);
  });
  it('every invalid policy is a typed error naming the place', () => {
    expectError(() => policyFromJSON({ kind: 'gaussian' }, dimsOf), 'POLICY_KIND', '"gaussian"');
    expectError(() => policyFromJSON({ kind: 'softmax', logits: [[0, 1]] }, dimsOf), 'POLICY_SHAPE', 'logits', 'expected 2');
    expectError(() => policyFromJSON({ kind: 'softmax', logits: [[0, 1], [2]] }, dimsOf), 'POLICY_SHAPE', 'logits[1]');
    expectError(() => policyFromJSON({ kind: 'softmax', logits: [[0, 1], [2, 'x']] }, dimsOf), 'POLICY_NOT_FINITE', 'logits[1][1]');
    expectError(() => policyFromJSON({ kind: 'direct', probs: [[0.5, 0.6], [1, 0]] }, dimsOf), 'POLICY_NOT_DISTRIBUTION', 'probs[0]', '1.1');
    expectError(() => policyFromJSON({ kind: 'direct', probs: [[1.5, -0.5], [1, 0]] }, dimsOf), 'POLICY_NOT_DISTRIBUTION', 'probs[0][1]', '-0.5');
    expectError(() => policyFromJSON({ kind: 'loglinear', features: [[[1], [0, 1]], [[1, 1], [0, 0]]], theta: [0.5, -1] }, dimsOf), 'POLICY_SHAPE', 'features[0][0]');
    expectError(() => policyFromJSON([1], dimsOf), 'JSON_TYPE');
    expectError(() => softmaxPolicy(2, 2).check(Float64Array.of(0, NaN, 0, 0)), 'POLICY_NOT_FINITE', 'logits[0][1]');
  });
});
