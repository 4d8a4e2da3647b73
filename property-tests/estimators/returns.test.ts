import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { discountedReturn, gae, lambdaReturns, nStepReturns, rewardToGo, rewardToGoInto } from '../../src/estimators/index.js';
import { expectError } from '../helpers.js';
import { arbitraryEpisodes, arbitraryValues, buildBatch, explicitLambdaReturn, explicitNStep, explicitRewardToGo, perEpisode, relErr, unitGrid, type Episode } from './batches.js';

const S = 3, A = 2;
const cases = fc.record({ episodes: arbitraryEpisodes(S, A, { segments: true }), V: arbitraryValues(S), gamma: unitGrid, lambda: unitGrid });

describe('returns', () => {
  it('a hand example: termination does not bootstrap, truncation bootstraps from V(s_tp1)', () => {
    // episode 0: s0 -a0-> s1 (r=1) -a1-> s2 (r=2), terminated; episode 1: s1 -a0-> s2 (r=4), truncated
    const eps: Episode[] = [
      { states: [0, 1, 2], actions: [0, 1], rewards: [1, 2], end: 'terminated' },
      { states: [1, 2], actions: [0], rewards: [4], end: 'truncated' },
    ];
    const b = buildBatch(S, A, 0.5, eps);
    const V = Float64Array.of(10, 20, 30);
    expect(Array.from(rewardToGo(b, 0.5))).toEqual([2, 2, 4]); // no values: truncation ends the sum
    expect(Array.from(rewardToGo(b, 0.5, V))).toEqual([2, 2, 4 + 0.5 * 30]);
    expect(Array.from(discountedReturn(b, 0.5, V))).toEqual([2, 19]);
    expect(Array.from(nStepReturns(b, V, 0.5, 1))).toEqual([1 + 0.5 * 20, 2, 19]);
    expect(Array.from(nStepReturns(b, V, 0.5, 2))).toEqual([2, 2, 19]);
    // λ = 1/2: G^λ_1 = 2; G^λ_0 = 1 + 0.5·(0.5·20 + 0.5·2) = 6.5
    expect(Array.from(lambdaReturns(b, V, 0.5, 0.5))).toEqual([6.5, 2, 19]);
  });
  it('rewardToGo equals its explicit sum, with and without bootstrap values; the batch resets at episode ends', () => {
    fc.assert(fc.property(cases, ({ episodes, V, gamma }) => {
      const b = buildBatch(S, A, gamma, episodes);
      expect(relErr(rewardToGo(b, gamma), perEpisode(episodes, (e) => explicitRewardToGo(e, gamma)))).toBeLessThan(1e-12);
      expect(relErr(rewardToGo(b, gamma, V), perEpisode(episodes, (e) => explicitRewardToGo(e, gamma, V)))).toBeLessThan(1e-12);
      const starts = Float64Array.from(episodes, (e) => explicitRewardToGo(e, gamma, V)[0]!);
      expect(relErr(discountedReturn(b, gamma, V), starts)).toBeLessThan(1e-12);
    }));
  });
  it('rewardToGoInto writes rewardToGo, bit for bit, over a dirty reused buffer and leaves the rest of it alone', () => {
    fc.assert(fc.property(cases, ({ episodes, V, gamma }) => {
      const b = buildBatch(S, A, gamma, episodes), out = new Float64Array(b.size + 3).fill(NaN);
      for (const values of [undefined, V]) {
        expect(rewardToGoInto(b, gamma, out, values)).toBe(out);
        expect(Array.from(out.subarray(0, b.size))).toEqual(Array.from(rewardToGo(b, gamma, values)));
        expect(Array.from(out.subarray(b.size))).toEqual([NaN, NaN, NaN]);
      }
    }));
    const b = buildBatch(S, A, 0.9, [{ states: [0, 1, 2], actions: [0, 1], rewards: [1, 2], end: 'terminated' }]);
    expectError(() => rewardToGoInto(b, 0.9, new Float64Array(1)), 'ESTIMATOR_ARGUMENT', 'out', '1 entries');
    expectError(() => rewardToGoInto(b, 0.9, [0, 0] as unknown as Float64Array), 'ESTIMATOR_ARGUMENT', 'out');
  });
  it('nStepReturns equals its explicit sum for n = 1…4 and ∞', () => {
    fc.assert(fc.property(cases, fc.constantFrom(1, 2, 3, 4, Infinity), ({ episodes, V, gamma }, n) => {
      const b = buildBatch(S, A, gamma, episodes);
      expect(relErr(nStepReturns(b, V, gamma, n), perEpisode(episodes, (e) => explicitNStep(e, V, gamma, n)))).toBeLessThan(1e-12);
    }));
  });
  it('n = ∞ is the Monte Carlo return bootstrapped at truncations', () => {
    fc.assert(fc.property(cases, ({ episodes, V, gamma }) => {
      const b = buildBatch(S, A, gamma, episodes);
      expect(relErr(nStepReturns(b, V, gamma, Infinity), rewardToGo(b, gamma, V))).toBeLessThan(1e-12);
    }));
  });
  it('λ-returns equal the (1−λ)λ^{n−1} average of n-step returns, and G^λ − V(s_t) is GAE', () => {
    fc.assert(fc.property(cases, ({ episodes, V, gamma, lambda }) => {
      const b = buildBatch(S, A, gamma, episodes);
      const G = lambdaReturns(b, V, gamma, lambda);
      expect(relErr(G, perEpisode(episodes, (e) => explicitLambdaReturn(e, V, gamma, lambda)))).toBeLessThan(1e-12);
      const adv = gae(b, V, gamma, lambda);
      expect(relErr(G.map((g, i) => g - V[b.s_t[i]!]!), adv)).toBeLessThan(1e-12);
    }));
  });
  it('negative control: a return that bootstraps at terminations too is rejected by the explicit-sum check', () => {
    const eps: Episode[] = [{ states: [0, 1, 2], actions: [0, 1], rewards: [1, 2], end: 'terminated' }];
    const b = buildBatch(S, A, 0.9, eps);
    const V = Float64Array.of(1, 1, 5);
    const wrong = rewardToGo({ ...b, terminated_t: Uint8Array.of(0, 0), truncated_t: Uint8Array.of(0, 1) }, 0.9, V);
    expect(relErr(wrong, perEpisode(eps, (e) => explicitRewardToGo(e, 0.9, V)))).toBeGreaterThan(0.1);
  });
  it('invalid arguments are typed errors naming the argument', () => {
    const b = buildBatch(S, A, 0.9, [{ states: [0, 1], actions: [0], rewards: [1], end: 'terminated' }]);
    expectError(() => rewardToGo(b, 1.5), 'ESTIMATOR_ARGUMENT', 'gamma', '1.5');
    expectError(() => rewardToGo(b, NaN), 'ESTIMATOR_ARGUMENT', 'gamma', 'NaN');
    expectError(() => nStepReturns(b, new Float64Array(3), 0.9, 0), 'ESTIMATOR_ARGUMENT', 'n is 0');
    expectError(() => nStepReturns(b, new Float64Array(3), 0.9, 1.5), 'ESTIMATOR_ARGUMENT', 'n is 1.5');
    expectError(() => lambdaReturns(b, new Float64Array(2), 0.9, 0.5), 'ESTIMATOR_ARGUMENT', 'values', '2 entries');
    expectError(() => lambdaReturns(b, Float64Array.of(0, Infinity, 0), 0.9, 0.5), 'ESTIMATOR_ARGUMENT', 'values[1]', 'Infinity');
    expectError(() => lambdaReturns(b, new Float64Array(3), 0.9, -0.1), 'ESTIMATOR_ARGUMENT', 'lambda');
    expectError(() => rewardToGo({ ...b, r_t: new Float64Array(2) }, 0.9), 'BATCH_INVALID', 'r_t');
    const unflagged = { ...b, terminated_t: Uint8Array.of(0) };
    expectError(() => nStepReturns(unflagged, new Float64Array(3), 0.9, Infinity), 'BATCH_INVALID', 'neither terminated nor truncated');
  });
  it('an empty batch gives empty returns', () => {
    const b = buildBatch(S, A, 0.9, []);
    expect(rewardToGo(b, 0.9).length).toBe(0);
    expect(discountedReturn(b, 0.9).length).toBe(0);
  });
});
