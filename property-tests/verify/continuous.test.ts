// The continuous-action claim group (src/verify/claims/continuous.ts): on a seed other than the
// report's, every claim passes with its stated α, every control is rejected by at least 4
// standard errors beyond the threshold (the margin the CLI test asks of the default suite), and
// the group's Σα and resolutions are what its documentation says.
import { describe, expect, it } from 'vitest';
import { CONTINUOUS_ALPHA, continuousClaims, continuousLqrInstance } from '../../src/verify/claims/continuous.js';
import { defaultClaims } from '../../src/verify/claims/index.js';
import { runClaims } from '../../src/verify/runner.js';
import { lqrEvaluate } from '../../src/exact/lqr.js';

describe('continuous-action claims', () => {
  it('pass on seed 7 with every control rejected by ≥ 4 standard errors; α per check as stated', async () => {
    const results = await runClaims(continuousClaims, { seed: 7 });
    let checks = 0;
    for (const r of results) {
      expect(r.verdict, `${r.id}: ${r.error ?? ''}`).toBe('pass');
      for (const c of r.checks) { expect(c.stats?.falseAlarmRate).toBe(CONTINUOUS_ALPHA); checks++; }
      for (const c of r.control.checks) expect(c.discrepancy - c.tolerance, `${r.id}: ${c.instance}`).toBeGreaterThanOrEqual(4);
    }
    expect(checks).toBe(14);
    // the LQR checks resolve a bias of ≤ 10% (REINFORCE) and ≤ 4% (GAE) of ‖∇J‖₂
    const res = (id: string) => results.find((r) => r.id === id)!.checks.map((c) => Number(/resolution ([0-9.]+)%/.exec(c.note ?? '')![1]));
    for (const x of res('continuous.lqr-reinforce')) expect(x).toBeLessThanOrEqual(10);
    for (const x of res('continuous.lqr-actor-critic')) expect(x).toBeLessThanOrEqual(4);
  }, 60_000);

  it('the LQR instance is stable and its target is −(∇_K C, σ ∂C/∂σ) of the closed forms', () => {
    const x = continuousLqrInstance(), ev = lqrEvaluate(x.problem, x.K, x.logSigma.map(Math.exp));
    expect(ev.stabilityRadius).toBeLessThan(1);
    expect(Array.from(x.grad)).toEqual([...ev.gradK, ...ev.gradLogSigma].map((v) => -v));
  });

  it('the group is in the default report, after the other sampled claims', () => {
    const ids = defaultClaims().map((c) => c.id);
    for (const c of continuousClaims) expect(ids).toContain(c.id);
    expect(ids.indexOf('continuous.lqr-reinforce')).toBeGreaterThan(ids.indexOf('estimators.reinforce-unbiased'));
  });
});
