// The group-relative claims (GRPO, Dr. GRPO, RLOO, loss aggregation, the KL to a reference):
// each passes and its negative control is rejected on every instance; they are in the
// default suite; their stochastic checks spend a stated share of the false-alarm budget; and
// they run in a few seconds.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { drGrpoAdvantages, grpoAdvantages, rlooAdvantages } from '../../src/estimators/index.js';
import { contextualBandit } from '../../src/mdp/index.js';
import { softmaxPolicy } from '../../src/policy/index.js';
import { Rng } from '../../src/stats/index.js';
import { SUITE_FALSE_ALARM } from '../../src/stats/index.js';
import { defaultClaims, exactGroupMean, groupClaims, groupInstance, grpoPromptWeight, grpoReweightedGradient, runClaim } from '../../src/verify/index.js';
import { rel } from '../helpers.js';

describe('the group-relative claims', () => {
  it('are all in the default suite', () => {
    const ids = defaultClaims().map((c) => c.id);
    for (const c of groupClaims) expect(ids).toContain(c.id);
  });
  it('every claim passes, every control is rejected on every instance, in a few seconds in total', async () => {
    const t0 = performance.now();
    let alpha = 0, checks = 0;
    for (const claim of groupClaims) {
      const r = await runClaim(claim, { seed: 20240124, scale: 1 });
      expect(r.error, claim.id).toBeUndefined();
      expect(r.verdict, `${claim.id}: ${r.checks.filter((c) => !c.passed).map((c) => c.instance).join('; ')}`).toBe('pass');
      expect(r.control.rejected, `${claim.id}: ${r.control.checks.filter((c) => c.passed).map((c) => c.instance).join('; ')}`).toBe(r.control.checks.length);
      for (const c of r.checks) if (c.stats) { alpha += c.stats.falseAlarmRate; checks++; }
      // as the default suite demands (property-tests/cli): a stochastic control is rejected by ≥ 4 standard errors
      for (const c of r.control.checks) if (c.stats) expect(c.discrepancy - c.tolerance, `${claim.id}: ${c.instance}`).toBeGreaterThanOrEqual(4);
    }
    const seconds = (performance.now() - t0) / 1000;
    expect(checks).toBe(10);
    expect(alpha).toBeLessThanOrEqual(SUITE_FALSE_ALARM / 10); // this area's share: 10 checks × 1e-6
    expect(seconds).toBeLessThan(25); // about 2.5 s on an idle core
  });
  it('GRPO\'s prompt weight: constant (1/√2) for G = 2, symmetric in p ↔ 1 − p, growing toward p = 0 or 1 for larger G', () => {
    for (const p of [0.05, 0.3, 0.5, 0.9]) expect(grpoPromptWeight(p, 2)).toBeCloseTo(Math.SQRT1_2 / (1 + 1e-6 * Math.SQRT2), 6);
    for (const p of [0.1, 0.3]) expect(grpoPromptWeight(p, 8)).toBeCloseTo(grpoPromptWeight(1 - p, 8), 10);
    expect(grpoPromptWeight(0.05, 8)).toBeGreaterThan(1.3 * grpoPromptWeight(0.5, 8));
    expect(grpoPromptWeight(0, 4)).toBe(0);
    expect(grpoPromptWeight(1, 4)).toBe(0);
  });
});

describe('exact group means on random contextual bandits (every group enumerated)', () => {
  /** P prompts, K responses, rewards on a grid of quarters (Bernoulli noise, or 0/1 deterministic), a random softmax policy. */
  const bandit = (seed: number, binary: boolean) => {
    const rng = Rng.from(seed), P = 1 + rng.int(3), K = 2 + rng.int(3);
    const rewards = Array.from({ length: P }, () => Array.from({ length: K }, () => (binary ? rng.int(2) : rng.int(5) / 4)));
    const mdp = contextualBandit({ prompts: P, responses: K, rewards, ...(binary ? {} : { rewardNoise: { kind: 'bernoulli' } as const }) });
    return groupInstance(`random bandit ${seed}`, mdp, { param: softmaxPolicy(P + 1, K), theta: Float64Array.from({ length: (P + 1) * K }, () => rng.normal()) });
  };
  const constant = { mode: 'constant', perResponse: 1 } as const;
  it('RLOO = ∇J and Dr. GRPO = (1 − 1/G)∇J (Bernoulli rewards), GRPO = Σ ρ w_q ∇J_q (0/1 rewards)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 2, max: 3 }), (seed, G) => {
      const x = bandit(seed, false), scale = 1e-3; // an absolute floor: equal rewards give ∇J = 0 up to rounding
      expect(rel(exactGroupMean(x, G, rlooAdvantages, constant), x.grad, scale)).toBeLessThan(1e-10);
      expect(rel(exactGroupMean(x, G, drGrpoAdvantages, constant), x.grad.map((g) => (1 - 1 / G) * g), scale)).toBeLessThan(1e-10);
      const y = bandit(seed, true);
      expect(rel(exactGroupMean(y, G, (r, g) => grpoAdvantages(r, g), constant), grpoReweightedGradient(y, G), 1e-9)).toBeLessThan(1e-9);
    }), { numRuns: 30 });
  });
});
