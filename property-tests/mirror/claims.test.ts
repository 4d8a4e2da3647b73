// The mirror-learning claims of the default suite: each passes and its negative control is
// rejected on every instance; they are in defaultClaims(); their stochastic checks spend a
// stated share of the suite's false-alarm budget; and they run in a few seconds.
import { describe, expect, it } from 'vitest';
import { SUITE_FALSE_ALARM } from '../../src/stats/index.js';
import { defaultClaims, mirrorClaims, runClaim } from '../../src/verify/index.js';

describe('the mirror-learning claims', () => {
  it('are all in the default suite', () => {
    const ids = defaultClaims().map((c) => c.id);
    for (const c of mirrorClaims) expect(ids).toContain(c.id);
  });
  it('every claim passes, every control is rejected on every instance, in a few seconds in total', async () => {
    const t0 = performance.now();
    let alpha = 0;
    for (const claim of mirrorClaims) {
      const r = await runClaim(claim, { seed: 20240124, scale: 1 });
      expect(r.error, claim.id).toBeUndefined();
      expect(r.verdict, `${claim.id}: ${r.checks.filter((c) => !c.passed).map((c) => c.instance).join('; ')}`).toBe('pass');
      expect(r.control.rejected, claim.id).toBe(r.control.checks.length);
      for (const c of r.checks) if (c.stats) alpha += c.stats.falseAlarmRate;
    }
    const seconds = (performance.now() - t0) / 1000;
    expect(alpha).toBeLessThanOrEqual(SUITE_FALSE_ALARM / 10); // this area's share: 6 checks × 1e-6
    expect(seconds).toBeLessThan(60); // about 5 s on an idle core (the first claims include JIT warm-up and mathjs)
  });
});
