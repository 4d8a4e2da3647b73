import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gae, gaeInto, lambdaReturns, normalizeAdvantages, nStepAdvantages, rewardToGo, tdErrors, valueTargets } from '../../src/estimators/index.js';
import { expectError } from '../helpers.js';
import { arbitraryEpisodes, arbitraryValues, buildBatch, explicitDeltas, explicitGae, explicitNStep, perEpisode, relErr, unitGrid, type Episode } from './batches.js';

const S = 3, A = 2;
const cases = fc.record({ episodes: arbitraryEpisodes(S, A, { segments: true }), V: arbitraryValues(S), gamma: unitGrid, lambda: unitGrid });

describe('advantages', () => {
  it('a hand example of GAE: reset at the episode end, bootstrap at the truncation, none at the termination', () => {
    const eps: Episode[] = [
      { states: [0, 1, 2], actions: [0, 1], rewards: [1, 2], end: 'terminated' },
      { states: [1, 2], actions: [0], rewards: [4], end: 'truncated' },
    ];
    const b = buildBatch(S, A, 0.5, eps);
    const V = Float64Array.of(10, 20, 30);
    // δ = [1 + 0.5·20 − 10, 2 + 0 − 20, 4 + 0.5·30 − 20] = [1, −18, −1]
    expect(Array.from(tdErrors(b, V, 0.5))).toEqual([1, -18, -1]);
    // λ = 1: Â_0 = 1 + 0.5·(−18) = −8, Â_1 = −18 (the carry of episode 1 does not leak in), Â_2 = −1
    expect(Array.from(gae(b, V, 0.5, 1))).toEqual([-8, -18, -1]);
    expect(Array.from(valueTargets(b, V, gae(b, V, 0.5, 1)))).toEqual([2, 2, 19]);
  });
  it('tdErrors and GAE equal their explicit sums Σ_l (γλ)^l δ_{t+l} within each episode', () => {
    fc.assert(fc.property(cases, ({ episodes, V, gamma, lambda }) => {
      const b = buildBatch(S, A, gamma, episodes);
      expect(relErr(tdErrors(b, V, gamma), perEpisode(episodes, (e) => explicitDeltas(e, V, gamma)))).toBeLessThan(1e-12);
      expect(relErr(gae(b, V, gamma, lambda), perEpisode(episodes, (e) => explicitGae(e, V, gamma, lambda)))).toBeLessThan(1e-12);
    }));
  });
  it('gaeInto writes GAE, bit for bit, over a dirty reused buffer and leaves the rest of it alone', () => {
    fc.assert(fc.property(cases, ({ episodes, V, gamma, lambda }) => {
      const b = buildBatch(S, A, gamma, episodes), out = new Float64Array(b.size + 2).fill(NaN);
      expect(gaeInto(b, V, gamma, lambda, out)).toBe(out);
      expect(Array.from(out.subarray(0, b.size))).toEqual(Array.from(gae(b, V, gamma, lambda)));
      expect(Array.from(out.subarray(b.size))).toEqual([NaN, NaN]);
    }));
    const b = buildBatch(S, A, 0.9, [{ states: [0, 1, 2], actions: [0, 1], rewards: [1, 2], end: 'truncated' }]);
    expectError(() => gaeInto(b, new Float64Array(3), 0.9, 0.5, new Float64Array(1)), 'ESTIMATOR_ARGUMENT', 'out', '1 entries');
    expectError(() => gaeInto(b, new Float64Array(3), 0.9, 2, new Float64Array(2)), 'ESTIMATOR_ARGUMENT', 'lambda', '2');
  });
  it('GAE at λ = 0 is δ_t and at λ = 1 is G_t − V(s_t) (return bootstrapped at truncations)', () => {
    fc.assert(fc.property(cases, ({ episodes, V, gamma }) => {
      const b = buildBatch(S, A, gamma, episodes);
      expect(relErr(gae(b, V, gamma, 0), tdErrors(b, V, gamma))).toBeLessThan(1e-12);
      const G = rewardToGo(b, gamma, V);
      expect(relErr(gae(b, V, gamma, 1), G.map((g, i) => g - V[b.s_t[i]!]!))).toBeLessThan(1e-12);
    }));
  });
  it('GAE is the (1−λ)λ^{n−1} weighting of the n-step advantages (the last weight takes the tail)', () => {
    fc.assert(fc.property(cases, ({ episodes, V, gamma, lambda }) => {
      const b = buildBatch(S, A, gamma, episodes);
      const maxLen = Math.max(...episodes.map((e) => e.actions.length));
      const byN = Array.from({ length: maxLen }, (_, n) => nStepAdvantages(b, V, gamma, n + 1));
      const mix = new Float64Array(b.size);
      for (let n = 1; n < maxLen; n++) for (let i = 0; i < b.size; i++) mix[i] = mix[i]! + (1 - lambda) * lambda ** (n - 1) * byN[n - 1]![i]!;
      for (let i = 0; i < b.size; i++) mix[i] = mix[i]! + lambda ** (maxLen - 1) * byN[maxLen - 1]![i]!;
      expect(relErr(gae(b, V, gamma, lambda), mix)).toBeLessThan(1e-12);
    }));
  });
  it('n-step advantages equal their explicit sums; n = 1 is δ_t', () => {
    fc.assert(fc.property(cases, fc.integer({ min: 1, max: 5 }), ({ episodes, V, gamma }, n) => {
      const b = buildBatch(S, A, gamma, episodes);
      const explicit = perEpisode(episodes, (e) => explicitNStep(e, V, gamma, n).map((g, t) => g - V[e.states[t]!]!));
      expect(relErr(nStepAdvantages(b, V, gamma, n), explicit)).toBeLessThan(1e-12);
      expect(relErr(nStepAdvantages(b, V, gamma, 1), tdErrors(b, V, gamma))).toBeLessThan(1e-12);
    }));
  });
  it('GAE of a concatenation is the concatenation of the GAEs of its episodes (the carry resets)', () => {
    fc.assert(fc.property(cases, ({ episodes, V, gamma, lambda }) => {
      const whole = gae(buildBatch(S, A, gamma, episodes), V, gamma, lambda);
      const pieces = Float64Array.from(episodes.flatMap((e) => Array.from(gae(buildBatch(S, A, gamma, [e]), V, gamma, lambda))));
      expect(relErr(whole, pieces)).toBeLessThan(1e-15);
    }));
  });
  it('truncation bootstraps from V(s_tp1), termination does not: the two differ by exactly γ(γλ)^{L−1−t}V(s_L)', () => {
    fc.assert(fc.property(arbitraryEpisodes(S, A, { maxEpisodes: 1 }), arbitraryValues(S), unitGrid, unitGrid, ([e], V, gamma, lambda) => {
      const ep = e!, L = ep.actions.length;
      const term = gae(buildBatch(S, A, gamma, [{ ...ep, end: 'terminated' }]), V, gamma, lambda);
      const trunc = gae(buildBatch(S, A, gamma, [{ ...ep, end: 'truncated' }]), V, gamma, lambda);
      const vT = V[ep.states[L]!]!;
      for (let t = 0; t < L; t++) expect(trunc[t]! - term[t]!).toBeCloseTo(gamma * (gamma * lambda) ** (L - 1 - t) * vT, 12);
    }));
  });
  it('value targets are Â + V(s_t): the λ-return for GAE', () => {
    fc.assert(fc.property(cases, ({ episodes, V, gamma, lambda }) => {
      const b = buildBatch(S, A, gamma, episodes);
      expect(relErr(valueTargets(b, V, gae(b, V, gamma, lambda)), lambdaReturns(b, V, gamma, lambda))).toBeLessThan(1e-12);
    }));
  });
  it('normalization: mean 0 and unit standard deviation; constants map to 0; it changes the values (documented biased)', () => {
    const x = Float64Array.of(1, 2, 3, 10);
    const z = normalizeAdvantages(x, 0);
    const mean = z.reduce((a, b) => a + b, 0) / z.length;
    const sd = Math.sqrt(z.reduce((a, b) => a + (b - mean) ** 2, 0) / z.length);
    expect(Math.abs(mean)).toBeLessThan(1e-15);
    expect(sd).toBeCloseTo(1, 14);
    expect(Array.from(normalizeAdvantages(Float64Array.of(5, 5, 5)))).toEqual([0, 0, 0]);
    expect(Array.from(normalizeAdvantages(Float64Array.of(5, 5, 5), 0))).toEqual([0, 0, 0]);
    expect(relErr(z, x)).toBeGreaterThan(0.5);
    expectError(() => normalizeAdvantages(Float64Array.of(1, NaN)), 'ESTIMATOR_ARGUMENT', 'advantages[1]', 'NaN');
  });
  it('invalid arguments are typed errors', () => {
    const b = buildBatch(S, A, 0.9, [{ states: [0, 1], actions: [0], rewards: [1], end: 'terminated' }]);
    expectError(() => gae(b, new Float64Array(3), 0.9, 2), 'ESTIMATOR_ARGUMENT', 'lambda', '2');
    expectError(() => gae(b, new Float64Array(4), 0.9, 0.5), 'ESTIMATOR_ARGUMENT', 'values', '4 entries');
    expectError(() => valueTargets(b, new Float64Array(3), new Float64Array(2)), 'ESTIMATOR_ARGUMENT', 'advantages', '2 entries');
    expectError(() => valueTargets(b, new Float64Array(3), Float64Array.of(NaN)), 'ESTIMATOR_ARGUMENT', 'advantages[0]', 'NaN');
  });
});
