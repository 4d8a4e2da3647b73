// The sampled PPO drift: i.i.d. (s, a) ∼ d × π, per-sample drift with exact advantages.
// Non-negativity is deterministic; unbiasedness is a t-test at α = 1e-6 per check (this file
// makes 20 such checks over fixed seeds: a false-alarm rate ≤ 2e-5 for the file), and the
// negative control (Q in place of A) must be rejected by the same test.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryMDPAndPolicy, arbitraryPolicyTable } from '../../src/arbitraries/index.js';
import { evaluatePolicy } from '../../src/exact/index.js';
import { expectedPPODrift, samplePPODrift } from '../../src/mirror/index.js';
import { Rng, scalarMeanTest } from '../../src/stats/index.js';
import { sampledDriftCheck, sampledInstances, standardInstances } from '../../src/verify/index.js';

const ALPHA = 1e-6;
const cases = arbitraryMDPAndPolicy({ regime: 'any', maxStates: 5 }, { kinds: ['softmax'] })
  .chain(({ mdp, policy }) => fc.tuple(arbitraryPolicyTable(mdp.numStates, mdp.numActions, { allowZeros: true }), fc.integer({ min: 0, max: 1e6 }))
    .map(([other, seed]) => ({ mdp, pi: policy.param.probs(policy.theta), other, seed })));

describe('the sampled PPO drift', () => {
  it('is non-negative, and its mean passes the t-test against Σ_s d(s) D(π̄|s) at α = 1e-6', () => {
    fc.assert(fc.property(cases, ({ mdp, pi, other, seed }) => {
      const ev = evaluatePolicy(mdp, pi);
      const target = expectedPPODrift(ev.d, pi, other, ev.A, mdp.numStates, mdp.numActions, 0.2);
      const { drift, s } = samplePPODrift(Rng.from(seed), ev.d, pi, other, ev.A, mdp.numActions, 0.2, 5000);
      expect(drift.every((v) => v >= 0)).toBe(true);
      expect(s.every((x) => ev.d[x]! > 0)).toBe(true);
      if (target === 0) { expect(drift.every((v) => v === 0)).toBe(true); return; }
      const t = scalarMeanTest(drift, target, ALPHA);
      expect(t.passed, `effect ${t.effect} ± ${t.standardError}`).toBe(true);
    }), { numRuns: 20 });
  });
  it('control: with Q(s,a) in place of A(s,a) the same test rejects, on every claim instance, by far more than its resolution', () => {
    sampledInstances(20240124).forEach((x, i) => {
      const good = sampledDriftCheck(x, 20240124, i), bad = sampledDriftCheck(x, 20240124, i, true);
      expect(good.test.passed).toBe(true);
      expect(bad.test.passed).toBe(false);
      expect(Math.abs(bad.test.effect)).toBeGreaterThan(bad.test.minDetectable);
    });
  });
  it('the drawn states follow d (every frequency within 6 standard errors)', () => {
    const x = standardInstances(20240124)[1]!;
    const pi = x.policy.param.probs(x.policy.theta), ev = evaluatePolicy(x.mdp, pi);
    const n = 50_000;
    const { s } = samplePPODrift(Rng.from(7), ev.d, pi, pi, ev.A, x.mdp.numActions, 0.2, n);
    const counts = new Float64Array(x.mdp.numStates);
    for (const v of s) counts[v] = counts[v]! + 1;
    for (let k = 0; k < x.mdp.numStates; k++) {
      const se = Math.sqrt((ev.d[k]! * (1 - ev.d[k]!)) / n);
      expect(Math.abs(counts[k]! / n - ev.d[k]!)).toBeLessThanOrEqual(6 * se + 1e-12);
    }
  });
});
