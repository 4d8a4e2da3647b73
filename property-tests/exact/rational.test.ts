import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryMDPRecipe, arbitraryWeights, mdpFromRecipe, rationalJSONFromRecipe } from '../../src/arbitraries/index.js';
import { checkPolicyGradientTheoremExact, evaluateExact, evaluatePolicy, exactPolicyGradient, policyGradient } from '../../src/exact/index.js';
import { rational } from '../../src/field/index.js';
import { rationalMDPFromJSON } from '../../src/mdp/index.js';
import { directPolicy } from '../../src/policy/index.js';

const recipeAndPolicy = arbitraryMDPRecipe({ regime: 'any', maxStates: 4, maxActions: 3 }).chain((r) =>
  fc.tuple(fc.constant(r), fc.tuple(...Array.from({ length: r.states }, () => arbitraryWeights(r.actions, { allowZeros: true })))));

describe('exact rational mode', () => {
  it('the policy gradient theorem equals forward-mode AD in Dual<Fraction> with a difference of exactly zero', () => {
    fc.assert(fc.property(recipeAndPolicy, ([recipe, w]) => {
      const m = rationalMDPFromJSON(rationalJSONFromRecipe(recipe));
      const pi = w.flatMap((row) => { const t = row.reduce((a, b) => a + b, 0); return row.map((x) => rational(`${x}/${t}`)); });
      const r = checkPolicyGradientTheoremExact(m, pi);
      expect(r.exact).toBe(true);
      expect(r.differences.every((x) => x.n === 0n)).toBe(true);
    }), { numRuns: 40 });
  });
  it('exact V, η, J and ∇J agree with the floating-point solver to rounding', () => {
    fc.assert(fc.property(recipeAndPolicy, ([recipe, w]) => {
      const m = rationalMDPFromJSON(rationalJSONFromRecipe(recipe));
      const pi = w.flatMap((row) => { const t = row.reduce((a, b) => a + b, 0); return row.map((x) => rational(`${x}/${t}`)); });
      const e = evaluateExact(m, pi);
      const mf = mdpFromRecipe(recipe);
      const table = Float64Array.from(pi, (x) => x.valueOf());
      const ev = evaluatePolicy(mf, table);
      const scale = Math.max(1, ...Array.from(ev.V, Math.abs));
      e.V.forEach((v, s) => expect(Math.abs(v.valueOf() - ev.V[s]!)).toBeLessThan(1e-9 * scale));
      e.eta.forEach((v, s) => expect(Math.abs(v.valueOf() - ev.eta[s]!)).toBeLessThan(1e-9 * Math.max(1, ev.horizon)));
      const g = policyGradient(mf, { param: directPolicy(mf.numStates, mf.numActions), theta: table }, ev);
      const gs = Math.max(1, ...Array.from(g, Math.abs));
      exactPolicyGradient(m, pi, e).forEach((x, i) => expect(Math.abs(x.valueOf() - g[i]!)).toBeLessThan(1e-8 * gs));
    }), { numRuns: 40 });
  });
  it('control: the same exact check detects a one-ulp-of-rational change (η scaled by 1 + 1/10⁹)', () => {
    const recipe = { states: 2, actions: 2, weights: [[[1, 1], [2, 1]], [[1, 3], [1, 1]]], rewardQuarters: [[4, 0], [0, 2]], gammaNumerator: 9, gammaDenominator: 10, initialWeights: [1, 1], terminal: [] };
    const m = rationalMDPFromJSON(rationalJSONFromRecipe(recipe));
    const pi = ['1/2', '1/2', '1/3', '2/3'].map((x) => rational(x));
    const e = evaluateExact(m, pi);
    const bumped = { ...e, eta: e.eta.map((x) => x.mul(rational('1000000001/1000000000'))) };
    const theorem = exactPolicyGradient(m, pi, bumped);
    const forward = checkPolicyGradientTheoremExact(m, pi).forward;
    expect(theorem.some((x, i) => !x.equals(forward[i]!))).toBe(true);
  });
});
