import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryPolicy } from '../../src/arbitraries/index.js';
import { constantBaseline, optimalConstantBaseline, optimalStateBaseline, optimalStateBaselineFromSamples, reinforceRewardToGo, rewardToGo, scoreNormSquared } from '../../src/estimators/index.js';
import { evaluatePolicy } from '../../src/exact/index.js';
import { derivative } from '../../src/linalg/index.js';
import { softmaxPolicy } from '../../src/policy/index.js';
import { expectError } from '../helpers.js';
import { arbitraryEpisodes, buildBatch } from './batches.js';
import { arbitraryLayeredMDP, enumerateEpisodes, expectation, totalVariance } from './enumerate.js';

describe('baselines', () => {
  it('a hand example: π = (1/4, 3/4), Q = (2, 10): b* = 4 while V = 8', () => {
    const policy = { param: softmaxPolicy(2, 2), theta: Float64Array.of(0, Math.log(3), 0, 0) };
    const b = optimalStateBaseline(policy, Float64Array.of(2, 10, 0, 0));
    expect(b[0]).toBeCloseTo(4, 14);
    expect(b[1]).toBe(0);
    expect(Array.from(constantBaseline(3, 2.5))).toEqual([2.5, 2.5, 2.5]);
    expectError(() => constantBaseline(2, NaN), 'ESTIMATOR_ARGUMENT', 'NaN');
    expectError(() => optimalStateBaseline(policy, Float64Array.of(1, 2)), 'ESTIMATOR_ARGUMENT', 'Q');
  });
  it('one-step problems, exactly over every action: Var(b) = Var(b*) + (b − b*)² E‖∇log π‖², so b* has the least variance', () => {
    const bandit = arbitraryLayeredMDP(1, 1, 3).chain((mdp) => arbitraryPolicy(2, 3, { kinds: ['softmax', 'loglinear'] }).map((policy) => ({ mdp, policy })));
    fc.assert(fc.property(bandit, fc.integer({ min: -8, max: 8 }).map((x) => x / 2), ({ mdp, policy }, b) => {
      const pi = policy.param.probs(policy.theta), eps = enumerateEpisodes(mdp, pi, 1);
      const ev = evaluatePolicy(mdp, pi), bStar = optimalStateBaseline(policy, ev.Q)[0]!;
      const varOf = (x: number) => totalVariance(eps, (batch) => reinforceRewardToGo(batch, policy, mdp.gamma, constantBaseline(2, x)));
      const scratch = new Float64Array(policy.param.numParams);
      const en2 = [0, 1, 2].reduce((m, a) => m + pi[a]! * scoreNormSquared(policy, 0, a, scratch), 0);
      expect(varOf(b)).toBeCloseTo(varOf(bStar) + (b - bStar) ** 2 * en2, 10);
      expect(varOf(bStar)).toBeLessThanOrEqual(varOf(ev.V[0]!) + 1e-12);
    }));
  });
  it('the sample constant baseline minimizes the sample second moment of the per-episode REINFORCE terms', () => {
    const cases = fc.record({ episodes: arbitraryEpisodes(3, 2, { maxEpisodes: 5 }), policy: arbitraryPolicy(3, 2, { kinds: ['softmax', 'loglinear'] }), gamma: fc.constantFrom(0.5, 0.9, 1) });
    fc.assert(fc.property(cases, ({ episodes, policy, gamma }) => {
      const batch = buildBatch(3, 2, gamma, episodes), bHat = optimalConstantBaseline(batch, policy, gamma);
      const pieces = episodes.map((e) => buildBatch(3, 2, gamma, [e]));
      const m = (b: number) => pieces.reduce((acc, p) => acc + reinforceRewardToGo(p, policy, gamma, constantBaseline(3, b)).reduce((x, g) => x + g * g, 0), 0);
      const slope = derivative(m, bHat, 0.5).value;
      expect(Math.abs(slope)).toBeLessThan(1e-8 * Math.max(1, m(bHat)));
      expect(m(bHat)).toBeLessThanOrEqual(m(bHat + 0.5) + 1e-12);
      expect(m(bHat)).toBeLessThanOrEqual(m(bHat - 0.5) + 1e-12);
    }));
  });
  it('the sample form of b*(s) equals Σ‖g‖²G / Σ‖g‖² per visited state, and tends to the exact b*(s) with exact weights', () => {
    const cases = fc.record({ episodes: arbitraryEpisodes(3, 2), policy: arbitraryPolicy(3, 2, { kinds: ['softmax'] }), gamma: fc.constantFrom(0.5, 1) });
    fc.assert(fc.property(cases, ({ episodes, policy, gamma }) => {
      const batch = buildBatch(3, 2, gamma, episodes), G = rewardToGo(batch, gamma);
      const b = optimalStateBaselineFromSamples(batch, policy, G), scratch = new Float64Array(6);
      for (let s = 0; s < 3; s++) {
        let num = 0, den = 0, n = 0;
        for (let i = 0; i < batch.size; i++) if (batch.s_t[i] === s) { const w = scoreNormSquared(policy, s, batch.a_t[i]!, scratch); num += w * G[i]!; den += w; n++; }
        expect(b[s]).toBeCloseTo(n === 0 ? 0 : num / den, 12);
      }
    }));
    // population check: on a one-step problem the exact expectation of numerator and denominator give b*
    const [{ mdp, policy }] = fc.sample(arbitraryLayeredMDP(1, 1, 3).chain((mdp) => arbitraryPolicy(2, 3, { kinds: ['softmax'] }).map((policy) => ({ mdp, policy }))), { numRuns: 1, seed: 4 });
    const pi = policy!.param.probs(policy!.theta), eps = enumerateEpisodes(mdp!, pi, 1), scratch = new Float64Array(6);
    const [num, den] = expectation(eps, (batch) => { const w = scoreNormSquared(policy!, 0, batch.a_t[0]!, scratch); return [w * batch.r_t[0]!, w]; });
    expect(num! / den!).toBeCloseTo(optimalStateBaseline(policy!, evaluatePolicy(mdp!, pi).Q)[0]!, 12);
  });
});
