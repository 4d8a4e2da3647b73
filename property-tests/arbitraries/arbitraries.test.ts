import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryMDP, arbitraryMDPAndPolicy, arbitraryProbabilityVector } from '../../src/arbitraries/index.js';
import { evaluatePolicy } from '../../src/exact/index.js';

describe('exported arbitraries', () => {
  it('probability vectors sum to 1 and are not denormal dust', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 8 }).chain((n) => arbitraryProbabilityVector(n)), (p) => {
      expect(Math.abs(p.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
      for (const x of p) expect(x === 0 || x >= 1 / 200).toBe(true);
    }));
  });
  it('episodic MDPs terminate under every policy, so γ = 1 evaluation always succeeds', () => {
    fc.assert(fc.property(arbitraryMDPAndPolicy({ regime: 'episodic' }), ({ mdp, policy }) => {
      expect(mdp.gamma).toBe(1);
      expect(mdp.terminalStates.length).toBeGreaterThan(0);
      expect(Number.isFinite(evaluatePolicy(mdp, policy.param.probs(policy.theta)).J)).toBe(true);
    }));
  });
  it('the discounted regime covers γ = 0 and γ close to 1', () => {
    const gammas = new Set(fc.sample(arbitraryMDP(), { numRuns: 300, seed: 1 }).map((m) => m.gamma));
    expect(gammas.has(0)).toBe(true);
    expect(gammas.has(0.99)).toBe(true);
  });
});
