// estimators.gae-critics: the library's GAE and n-step advantage under critics V ≠ V^π in the
// default report. It passes with the correct estimators, its control rejects every mutant it
// names (the four only another critic exposes among them) with a margin, and the report's
// mutation table marks them rejected by it.
import { describe, expect, it } from 'vitest';
import { mutationCoverage } from '../../src/report/verdicts.js';
import { GAE_CRITICS_ALPHA, defaultClaims, gaeCriticsClaim } from '../../src/verify/claims/index.js';
import { runClaim } from '../../src/verify/runner.js';

const INVISIBLE_UNDER_V_PI = ['mutant.gae-lambda-without-gamma', 'mutant.gae-future-weights-shifted', 'mutant.lambda-return-swapped-mix', 'mutant.bootstrap-through-termination'];

describe('estimators.gae-critics', () => {
  it('is in the default report', () => {
    expect(defaultClaims().map((c) => c.id)).toContain('estimators.gae-critics');
  });

  it('passes, rejects each control mutant by ≥ 4 standard errors beyond its threshold, and covers the mutants V^π cannot see', async () => {
    const r = await runClaim(gaeCriticsClaim, { seed: 7, scale: 1 });
    expect(r.error).toBeUndefined();
    expect(r.verdict).toBe('pass');
    // gae and nStepAdvantages on the six settings (the cut ones split), and gae's twin at λ = 1
    expect(r.checks.length).toBe(19);
    for (const c of r.checks) expect(c.stats?.falseAlarmRate, c.instance).toBe(GAE_CRITICS_ALPHA);
    expect(r.checks.some((c) => c.instance.includes('gae, λ = 1, complete episodes'))).toBe(true);
    expect(r.control.checks.length).toBe(7);
    for (const c of r.control.checks) {
      expect(c.passed, c.instance).toBe(false);
      expect(c.discrepancy - c.tolerance, c.instance).toBeGreaterThanOrEqual(4);
    }
    for (const id of INVISIBLE_UNDER_V_PI) expect(r.control.checks.some((c) => c.instance.includes(id)), id).toBe(true);
    const coverage = mutationCoverage([r]);
    for (const id of [...INVISIBLE_UNDER_V_PI, 'mutant.gae-no-reset', 'mutant.truncation-as-termination', 'mutant.nstep-bootstrap-off-by-one']) {
      const m = coverage.find((x) => x.id === id)!;
      expect(m.claims, id).toEqual(['estimators.gae-critics']);
      expect(m.rejected, id).toBe(true);
    }
  }, 30_000);
});
