// Exact rational mode over fast-check rational MDPs (integer recipes) and rational direct
// policies: PPO's decomposition, non-negativity, D(π|s) = 0 and the exact one-sided
// derivative, all with a difference of exactly zero; the controls are exactly non-zero;
// and the double-precision PPO drift agrees with the exact one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryMDPRecipe, arbitraryWeights, rationalJSONFromRecipe } from '../../src/arbitraries/index.js';
import { evaluateExact } from '../../src/exact/index.js';
import { rational, type Fraction } from '../../src/field/index.js';
import { rationalMDPFromJSON } from '../../src/mdp/index.js';
import {
  exactDirectionalDerivative, orderedFractions, orderedNumbers, ppoDecompositionIn, ppoExactTerm, ppoTerm, ppoTermIn, tvExactTerm,
} from '../../src/mirror/index.js';
import { exactPPOChecks } from '../../src/verify/claims/mirror.js';

const F = orderedFractions;
const table = (S: number, A: number, zeros: boolean) =>
  fc.array(arbitraryWeights(A, { allowZeros: zeros, maxWeight: 9 }), { minLength: S, maxLength: S })
    .map((rows) => rows.flatMap((w) => { const t = w.reduce((a, b) => a + b, 0); return w.map((x) => rational(`${x}/${t}`)); }));

const instance = arbitraryMDPRecipe({ regime: 'any', maxStates: 4, maxActions: 3 }).chain((r) => {
  const m = rationalMDPFromJSON(rationalJSONFromRecipe(r));
  return fc.record({
    pi: table(r.states, r.actions, false),
    other: table(r.states, r.actions, true),
    h: fc.array(fc.integer({ min: -4, max: 4 }), { minLength: r.actions - 1, maxLength: r.actions - 1 }),
    eps: fc.constantFrom('1/5', '1/10', '3/2'),
  }).map((x) => ({ m, ...x }));
}).filter(({ m }) => m.numActions > 1);

const zeroSum = (h: number[]) => [...h, -h.reduce((a, b) => a + b, 0)].map((v) => rational(v));

describe('exact rational mode: zero difference', () => {
  it("PPO's decomposition, non-negativity, D(π|s) = 0, and the exact derivative ∂_h D = 0", () => {
    fc.assert(fc.property(instance, ({ m, pi, other, h, eps }) => {
      const S = m.numStates, A = m.numActions, e = rational(eps);
      const adv = evaluateExact(m, pi).A;
      const dec = ppoDecompositionIn(F, pi, other, adv, S, A, e);
      expect(dec.exact).toBe(true);
      const dir = zeroSum(h);
      for (let s = 0; s < S; s++) {
        const p = pi.slice(s * A, s * A + A), q = adv.slice(s * A, s * A + A);
        for (let a = 0; a < A; a++) expect(ppoTermIn(F, other[s * A + a]!, p[a]!, q[a]!, e).compare(0)).toBeGreaterThanOrEqual(0);
        const term = ppoExactTerm(F, p, q, e);
        expect(p.reduce((acc: Fraction, pa, a) => acc.add(term.value(pa, a)), F.zero).n).toBe(0n);
        if (dir.some((x) => x.n !== 0n)) expect(exactDirectionalDerivative(F, term, p, dir).n).toBe(0n);
      }
    }), { numRuns: 30 });
  });
  it('controls: without max(0, ·) the decomposition is exactly off somewhere; ½·TV has exact derivative ½·½Σ|h| ≠ 0', () => {
    let offByPart = 0, total = 0;
    fc.assert(fc.property(instance, ({ m, pi, other, h, eps }) => {
      const S = m.numStates, A = m.numActions, e = rational(eps);
      const adv = evaluateExact(m, pi).A;
      total++;
      if (!ppoDecompositionIn(F, pi, other, adv, S, A, e, false).exact) offByPart++;
      const dir = zeroSum(h);
      if (dir.every((x) => x.n === 0n)) return;
      const l1 = dir.reduce((acc: Fraction, x) => acc.add(x.abs()), F.zero);
      const d = exactDirectionalDerivative(F, tvExactTerm(F, pi.slice(0, A), rational('1/2')), pi.slice(0, A), dir);
      expect(d.equals(l1.div(4))).toBe(true);
    }), { numRuns: 30 });
    expect(offByPart / total).toBeGreaterThan(0.3);
  });
  it('the double-precision PPO term is the exact one, rounded', () => {
    fc.assert(fc.property(instance, ({ m, pi, other, eps }) => {
      const adv = evaluateExact(m, pi).A, e = rational(eps);
      for (let i = 0; i < pi.length; i++) {
        const exact = ppoTermIn(F, other[i]!, pi[i]!, adv[i]!, e).valueOf();
        const float = ppoTerm(other[i]!.valueOf(), pi[i]!.valueOf(), adv[i]!.valueOf(), e.valueOf());
        expect(Math.abs(float - exact)).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(exact)));
        expect(ppoTermIn(orderedNumbers, other[i]!.valueOf(), pi[i]!.valueOf(), adv[i]!.valueOf(), e.valueOf())).toBeCloseTo(float, 13);
      }
    }), { numRuns: 20 });
  });
  it('the claim instances: exact, and both controls exactly non-zero', () => {
    for (let i = 0; i < 5; i++) {
      expect(exactPPOChecks(20240124, i).exact).toBe(true);
      expect(exactPPOChecks(20240124, i, 'no-positive-part').exact).toBe(false);
      expect(exactPPOChecks(20240124, i, 'tv').exact).toBe(false);
    }
  });
});
