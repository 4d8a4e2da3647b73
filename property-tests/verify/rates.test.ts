// The rate claims (src/verify/claims/rates.ts) pass and their negative controls are rejected
// on every instance; the published sequence's digits are read the way they are printed.
import { describe, expect, it } from 'vitest';
import { defaultClaims } from '../../src/verify/claims/index.js';
import { halfUlpOfPrinted, meiBoundRatio, npgBound, rateClaims } from '../../src/verify/claims/rates.js';
import { runClaim } from '../../src/verify/runner.js';

describe('the rate claims', () => {
  for (const claim of rateClaims) {
    it(`${claim.id}: every check passes, every control check is rejected`, async () => {
      const r = await runClaim(claim, { seed: 1, scale: 1 });
      expect(r.error).toBeUndefined();
      expect(r.checks.filter((c) => !c.passed).map((c) => c.instance)).toEqual([]);
      expect(r.control.checks.length).toBeGreaterThan(0);
      expect(r.control.checks.filter((c) => c.passed).map((c) => c.instance)).toEqual([]);
      expect(r.verdict).toBe('pass');
    });
  }
  it('are in the default report', () => {
    const ids = defaultClaims().map((c) => c.id);
    for (const c of rateClaims) expect(ids).toContain(c.id);
  });
  it('printed digits: half a unit of the last digit', () => {
    expect(halfUlpOfPrinted('0.1861')).toBeCloseTo(5e-5, 18);
    expect(halfUlpOfPrinted('0.02700')).toBeCloseTo(5e-6, 18);
    expect(halfUlpOfPrinted('1.831e-3')).toBeCloseTo(5e-7, 18);
    expect(halfUlpOfPrinted('1.670e-5')).toBeCloseTo(5e-9, 20);
  });
  it('steps above 2/5 do not break the 5/(c²t) bound from the uniform start (they converge faster): what the control had to use instead', () => {
    for (const step of [4, 40, 400]) expect(meiBoundRatio([1, 0.9, 0.1], step, 2000).ratio).toBeLessThan(1);
  });
  it('the AJKS bound at T = 1 for |A| = 4, γ = 0.9, η = 1 is log 4 + 100', () => {
    expect(npgBound(4, 0.9, 1, 1)).toBeCloseTo(Math.log(4) + 100, 10);
  });
});
