// Group-relative advantages (GRPO, Dr. GRPO, RLOO, REINFORCE++), loss aggregation and the KL
// to a reference policy: hand values, algebraic identities between the estimators (checked on
// arbitrary reward arrays), and the errors of invalid input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  aggregateLoss, aggregationWeights, drGrpoAdvantages, grpoAdvantages, groupMeans, klK1, klK3, klRewardPenalty, normalizeAdvantages,
  referenceKlTerm, reinforcePlusPlusAdvantages, responseLengths, rlooAdvantages, sequenceToTokens, tokenPolicyGradient, tokenRewardToGo,
} from '../../src/estimators/index.js';
import { softmaxPolicy } from '../../src/policy/index.js';
import { expectError, rel } from '../helpers.js';

/** G ≥ 2 and rewards in groups of G: small integers (so sums are exact) or doubles. */
const groups = fc.integer({ min: 2, max: 6 }).chain((G) => fc.tuple(fc.constant(G), fc.integer({ min: 1, max: 4 }).chain((B) => fc.array(fc.integer({ min: -5, max: 5 }), { minLength: B * G, maxLength: B * G }))));

describe('group-relative advantages', () => {
  it('hand values on one group r = (1, 0, 0, 1)', () => {
    const r = Float64Array.of(1, 0, 0, 1);
    expect(Array.from(drGrpoAdvantages(r, 4))).toEqual([0.5, -0.5, -0.5, 0.5]);
    expect(rel(rlooAdvantages(r, 4), [2 / 3, -2 / 3, -2 / 3, 2 / 3])).toBeLessThan(1e-15);
    const sd = Math.sqrt(1 / 3); // sample std of (1, 0, 0, 1): Σ(r − ½)² / 3
    expect(grpoAdvantages(r, 4, { epsilon: 0 })[0]).toBeCloseTo(0.5 / sd, 15);
    expect(grpoAdvantages(r, 4, { epsilon: 0, std: 'population' })[0]).toBeCloseTo(1, 15);
    expect(Array.from(groupMeans(Float64Array.of(1, 2, 3, 5), 2))).toEqual([1.5, 4]);
  });
  it('r_i − r̄ = (1 − 1/G)(r_i − mean of the others): Dr. GRPO = (1 − 1/G)·RLOO, exactly on integer rewards', () => {
    fc.assert(fc.property(groups, ([G, rs]) => {
      const r = Float64Array.from(rs), d = drGrpoAdvantages(r, G), l = rlooAdvantages(r, G);
      for (let k = 0; k < r.length; k++) {
        const b = Math.floor(k / G);
        let others = 0;
        for (let j = 0; j < G; j++) if (b * G + j !== k) others += r[b * G + j]!;
        expect(l[k]).toBeCloseTo(r[k]! - others / (G - 1), 12);
        expect(d[k]).toBeCloseTo((1 - 1 / G) * l[k]!, 12);
      }
    }));
  });
  it('GRPO: zero mean and unit std per group (population std, ε = 0), and 0 for a group of equal rewards', () => {
    fc.assert(fc.property(groups, ([G, rs]) => {
      const r = Float64Array.from(rs), a = grpoAdvantages(r, G, { epsilon: 0, std: 'population' });
      for (let b = 0; b < r.length / G; b++) {
        const g = Array.from(a.subarray(b * G, b * G + G)), same = new Set(rs.slice(b * G, b * G + G)).size === 1;
        const m = g.reduce((x, y) => x + y, 0) / G, v = g.reduce((x, y) => x + (y - m) ** 2, 0) / G;
        expect(Math.abs(m)).toBeLessThan(1e-12);
        if (same) expect(g.every((x) => x === 0)).toBe(true); else expect(v).toBeCloseTo(1, 12);
      }
    }));
  });
  it('REINFORCE++ normalizes over the whole batch (normalizeAdvantages), with the group mean subtracted first in the baseline variant', () => {
    const r = Float64Array.of(1, 0, 3, 3);
    expect(Array.from(reinforcePlusPlusAdvantages(r, 2))).toEqual(Array.from(normalizeAdvantages(r)));
    expect(Array.from(reinforcePlusPlusAdvantages(r, 2, true))).toEqual(Array.from(normalizeAdvantages(Float64Array.of(0.5, -0.5, 0, 0))));
  });
  it('refuses a bad group size, a ragged array, a non-finite reward, a bad ε', () => {
    expectError(() => rlooAdvantages(Float64Array.of(1, 2), 1), 'ESTIMATOR_ARGUMENT', 'G is 1');
    expectError(() => drGrpoAdvantages(Float64Array.of(1, 2, 3), 2), 'ESTIMATOR_ARGUMENT', '3 entries');
    expectError(() => grpoAdvantages(Float64Array.of(1, NaN), 2), 'ESTIMATOR_ARGUMENT', 'rewards[1]');
    expectError(() => grpoAdvantages(Float64Array.of(1, 0), 2, { epsilon: -1 }), 'ESTIMATOR_ARGUMENT', 'epsilon');
  });
});

describe('loss aggregation', () => {
  // two responses of 2 and 3 tokens in T = 4
  const mask = Uint8Array.of(1, 1, 0, 0, 1, 1, 1, 0), T = 4;
  it('hand weights: per sequence 1/(N|o_i|), per token 1/Σ|o|, constant 1/C; 0 on padding', () => {
    expect(Array.from(responseLengths(mask, T))).toEqual([2, 3]);
    expect(Array.from(aggregationWeights(mask, T, 'sequence-mean'))).toEqual([1 / 4, 1 / 4, 0, 0, 1 / 6, 1 / 6, 1 / 6, 0]);
    expect(Array.from(aggregationWeights(mask, T, 'token-mean'))).toEqual([0.2, 0.2, 0, 0, 0.2, 0.2, 0.2, 0]);
    expect(Array.from(aggregationWeights(mask, T, 'constant', 8))).toEqual([1 / 8, 1 / 8, 0, 0, 1 / 8, 1 / 8, 1 / 8, 0]);
    const loss = Float64Array.of(1, 2, 99, 99, 3, 4, 5, NaN);
    expect(aggregateLoss(loss, mask, T, 'sequence-mean')).toBeCloseTo((1.5 + 4) / 2, 15);
    expect(aggregateLoss(loss, mask, T, 'token-mean')).toBeCloseTo(15 / 5, 15);
    expect(aggregateLoss(loss, mask, T, 'constant', 10)).toBeCloseTo(1.5, 15);
    expect(Array.from(sequenceToTokens(Float64Array.of(2, -1), mask, T))).toEqual([2, 2, 0, 0, -1, -1, -1, 0]);
  });
  it('tokenPolicyGradient = Σ c_t ∇log π(a_t|s_t), the softmax score summed by hand', () => {
    const param = softmaxPolicy(2, 2), theta = Float64Array.of(0.3, -0.2, 1, 0), policy = { param, theta };
    const s_t = Int32Array.of(0, 1, 0, 0), a_t = Int32Array.of(1, 0, 1, 0), c = Float64Array.of(2, -1, 0.5, 7), m = Uint8Array.of(1, 1, 1, 0);
    const expected = new Float64Array(4);
    for (let k = 0; k < 3; k++) param.addScore(theta, s_t[k]!, a_t[k]!, c[k]!, expected);
    expect(rel(tokenPolicyGradient(policy, s_t, a_t, c, m), expected)).toBeLessThan(1e-14);
  });
  it('refuses a bad mask, an empty response under per-sequence mean, a bad constant, a bad mode', () => {
    expectError(() => responseLengths(Uint8Array.of(1, 2), 2), 'ESTIMATOR_ARGUMENT', 'mask[0][1]');
    expectError(() => aggregationWeights(Uint8Array.of(1, 0, 0, 0), 2, 'sequence-mean'), 'ESTIMATOR_ARGUMENT', 'response 1 has no token');
    expectError(() => aggregationWeights(mask, T, 'constant', 0), 'ESTIMATOR_ARGUMENT', 'C is 0');
    expectError(() => aggregationWeights(mask, T, 'mean' as never), 'ESTIMATOR_ARGUMENT', '"mean"');
    expectError(() => aggregateLoss(Float64Array.of(1, NaN, 0, 0, 1, 1, 1, 0), mask, T, 'token-mean'), 'ESTIMATOR_ARGUMENT', 'loss_t[0][1]');
  });
});

describe('the KL to a reference policy', () => {
  const mask = Uint8Array.of(1, 1, 0), lp = Float64Array.of(Math.log(0.5), Math.log(0.2), 0), lref = Float64Array.of(Math.log(0.25), Math.log(0.4), 0);
  it('values are klK1/klK3 at x = log π_ref − log π_θ; derivatives match a central difference in log π_θ', () => {
    const x = Float64Array.of(lref[0]! - lp[0]!, lref[1]! - lp[1]!);
    for (const kind of ['k1', 'k3'] as const) {
      const t = referenceKlTerm(lp, lref, mask, kind), f = kind === 'k1' ? klK1 : klK3;
      expect(Array.from(t.value_t.subarray(0, 2))).toEqual(Array.from(f(x)));
      expect(t.value_t[2]).toBe(0);
      for (let k = 0; k < 2; k++) {
        const h = 1e-6, up = Float64Array.from(lp), dn = Float64Array.from(lp);
        up[k] = up[k]! + h; dn[k] = dn[k]! - h;
        const fd = (referenceKlTerm(up, lref, mask, kind).value_t[k]! - referenceKlTerm(dn, lref, mask, kind).value_t[k]!) / (2 * h);
        expect(t.dLogp_t[k]).toBeCloseTo(fd, 8);
      }
    }
  });
  it('the reward penalty r − β k1 and its reward-to-go', () => {
    const r = Float64Array.of(0, 1, 0), pen = klRewardPenalty(r, lp, lref, mask, 2);
    expect(pen[0]).toBeCloseTo(-2 * Math.log(2), 15);
    expect(pen[1]).toBeCloseTo(1 - 2 * Math.log(0.5), 15);
    expect(pen[2]).toBe(0);
    expect(Array.from(tokenRewardToGo(Float64Array.of(1, 2, 3, 4, 5, 6), Uint8Array.of(1, 1, 0, 1, 1, 1), 3))).toEqual([3, 2, 0, 15, 11, 6]);
  });
  it('refuses mismatched arrays, a bad kind, a negative β', () => {
    expectError(() => referenceKlTerm(lp, lref.subarray(0, 2), mask, 'k3'), 'ESTIMATOR_ARGUMENT', 'must be equal');
    expectError(() => referenceKlTerm(lp, lref, mask, 'k2' as never), 'ESTIMATOR_ARGUMENT', '"k2"');
    expectError(() => klRewardPenalty(Float64Array.of(0, 0, 0), lp, lref, mask, -1), 'ESTIMATOR_ARGUMENT', 'beta is -1');
  });
});
