// The wording of `pgtruth check` for exact (non-sampled) claims — the machinery kinds,
// src/verify/machinery.ts — against sampled ones (src/report/check-table.ts): an exact check
// states its tolerance relative to the target's scale, never a power, a resolution, "± 0" or
// "standard errors"; a sampled one keeps the power guard's wording exactly; a module with
// both describes both. The claims run in this thread on the examples (cheap: exact, no
// sampling); one CLI run in process checks the JSON fields and one expectUnbiased run its message.
import { describe, expect, it } from 'vitest';
import { checkCommand } from '../../src/cli/commands/check.js';
import { checkDetail, checkFooter, checkHeader, checkTable, claimComparison, type CheckedEstimator } from '../../src/report/check-table.js';
import { expectUnbiased } from '../../src/verify/check.js';
import { exactCheck } from '../../src/verify/exact-compare.js';
import { checkComparison, machineryClaims, runMachinery } from '../../src/verify/machinery.js';
import { collectEstimators, type LoadedEstimator } from '../../src/verify/plugin.js';
import { runClaims, type ClaimResult } from '../../src/verify/runner.js';

const path = (f: string) => new URL(`../../examples/estimators/${f}.ts`, import.meta.url).pathname;
const example = async (f: string): Promise<LoadedEstimator> => collectEstimators(await import(`../../examples/estimators/${f}.ts`), f)[0]!;
const run = (e: LoadedEstimator): Promise<ClaimResult[]> => runClaims(machineryClaims(e, async (_k, p) => runMachinery(e, p, (g) => g()), {}));
const judged = (e: LoadedEstimator): CheckedEstimator => ({ name: e.name, kind: e.estimator.kind, ...checkComparison(e) });
const settings = { seed: 7, resolution: 0.05, power: 0.9, samples: 6400, budget: 120, seconds: 1.25 };
const sampledWords = /power|resolves|resolution|± |standard error|stochastic|Σα/;

describe('pgtruth check: how each estimator is judged', () => {
  it('the machinery kinds are exact with their declared tolerances; the sampled Fisher–vector product and the estimator kinds are sampled', async () => {
    expect(checkComparison(await example('trpo-fvp'))).toEqual({ comparison: 'exact', tolerance: 1e-9 });
    expect(checkComparison(await example('trpo-cg'))).toEqual({ comparison: 'exact', tolerance: 1e-7 });
    expect(checkComparison(await example('trpo-linesearch'))).toEqual({ comparison: 'exact', tolerance: 1e-12 });
    expect(checkComparison(await example('vmpo-losses'))).toEqual({ comparison: 'exact', tolerance: 1e-9 });
    expect(checkComparison(await example('trpo-fvp-batch'))).toEqual({ comparison: 'sampled' });
    expect(checkComparison(await example('gae'))).toEqual({ comparison: 'sampled' });
  });
});

describe('pgtruth check: the wording of exact claims', () => {
  it('a passing exact module: the header states the tolerance, the table its tolerance and discrepancy, the last line no false-alarm rate', async () => {
    const e = await example('trpo-cg'), results = await run(e), j = [judged(e)];
    expect(results.every((r) => r.verdict === 'pass')).toBe(true);
    const header = checkHeader('examples/estimators/trpo-cg.ts', j, settings);
    expect(header).toBe('pgtruth check examples/estimators/trpo-cg.ts — trpo-cg (trpo-cg); seed 7; exact comparison (no sampling): tolerance 1e-7 of the target\'s scale; 1.3 s');
    const text = checkTable(results, { seed: 7, estimators: j });
    expect(text).toContain('tolerance (of the target\'s scale)');
    expect(text).toContain('max discrepancy / tolerance');
    expect(text).toMatch(/^PASS +check\.trpo-cg\.conjugate-gradient +(\d+)\/\1 +exact: tolerance 1e-7 +\d\.\de[+-]\d\d \/ 1\.0e-07 +rejected \d+\/\d+$/m);
    expect(text).not.toMatch(sampledWords);
    const checks = results.reduce((n, r) => n + r.checks.length, 0);
    expect(checkFooter(results, j)).toBe(`${checks} exact checks (no sampling, so no false-alarm rate)`);
    expect(claimComparison(results[0]!, j)).toEqual({ comparison: 'exact', tolerance: 1e-7 });
  });

  it('a failing exact module: each failure states observed, expected, |difference| against the tolerance — no ± 0, no standard errors', async () => {
    const e = await example('trpo-fvp-uncentered-bug'), [bad] = await run(e);
    const text = checkTable([bad!], { seed: 7, estimators: [judged(e)] });
    expect(text).toMatch(/^FAIL +check\.trpo-fvp-uncentered\.fisher-vector-product +0\/6 +exact: tolerance 1e-9 +\d\.\de-\d\d \/ 1\.0e-09 +rejected 8\/8$/m);
    expect(text).not.toMatch(sampledWords);
    const lines = text.split('\n');
    const failed = lines.filter((l) => l.startsWith('  failed on '));
    expect(failed).toHaveLength(6);
    for (const [i, c] of bad!.checks.entries()) {
      expect(failed[i]).toContain(`failed on ${c.instance}: discrepancy `);
      expect(failed[i]).toMatch(/: discrepancy \d\.\de-\d\d > tolerance 1\.0e-09 \(exact, no sampling\) \[/);
      // the worst coordinate: its |difference| is |observed − expected| of the diagnosis, and that over the stated scale is the discrepancy
      const w = lines[lines.indexOf(failed[i]!) + 1]!;
      const m = /^ {4}worst: coordinate \(s=\d+, a=\d\): observed (\S+), expected (\S+), \|difference\| (\S+) \((\S+) of the scale\) > tolerance 1\.0e-09$/.exec(w);
      expect(m, w).not.toBeNull();
      const [observed, expected, diff, relative] = m!.slice(1).map(Number) as [number, number, number, number];
      // (printed to 4 and 2 significant digits)
      const d = c.diagnosis!;
      expect(Math.abs(observed - d.observed)).toBeLessThanOrEqual(5e-4 * Math.abs(d.observed));
      expect(Math.abs(expected - d.expected)).toBeLessThanOrEqual(5e-4 * Math.abs(d.expected));
      expect(Math.abs(diff - Math.abs(d.observed - d.expected))).toBeLessThanOrEqual(0.05 * diff);
      const scale = Number(/= ([\d.e+-]+)\)\]$/.exec(failed[i]!)![1]);
      expect(relative).toBeGreaterThan(1e-9);
      expect(Math.abs(relative - c.discrepancy)).toBeLessThanOrEqual(0.05 * c.discrepancy);
      expect(Math.abs(relative - Math.abs(d.observed - d.expected) / scale)).toBeLessThan(0.06 * relative);
      expect(lines[lines.indexOf(failed[i]!) + 2]).toMatch(/^ {4}looks like: the Fisher without the mean-score subtraction/);
    }
  });

  it('a failing exact check with no matching variant names the closest one by its exact distance, in units of the scale', () => {
    const c = exactCheck('toy', [1, 2], [1, 2.5], { scale: { name: 'scale', value: 2.5 }, tolerance: 1e-9, coordinate: (k) => `entry ${k}`, candidates: [{ id: 'off-by-one', description: 'one too many', output: [1, 3] }] });
    expect(checkDetail(c)).toEqual([
      '  failed on toy: discrepancy 2.0e-01 > tolerance 1.0e-09 (exact, no sampling) [‖observed − target‖∞ / scale (scale = 2.500)]',
      '    worst: entry 1: observed 2.000e+00, expected 2.500e+00, |difference| 5.0e-01 (2.0e-01 of the scale) > tolerance 1.0e-09',
      '    closest known bug: off-by-one (not it: its exact output differs by 4.0e-01 of the scale > tolerance 1.0e-09)',
    ]);
  });
});

describe('pgtruth check: sampled wording unchanged, and a module with both kinds describes both', () => {
  const gae: CheckedEstimator = { name: 'gae', kind: 'advantage', comparison: 'sampled' };
  it('sampled only: the header is the power guard\'s, word for word', () => {
    expect(checkHeader('m.ts', [gae], settings)).toBe('pgtruth check m.ts — gae (advantage); seed 7; each check resolves 5.0% of its target\'s scale at power 0.9 (≥ 6400 samples, budget 120 s); 1.3 s');
    expect(checkFooter([], [gae])).toBe('0 stochastic checks; Σα = 0.0e+0 (the chance that a correct estimator fails this run)');
  });
  it('sampled and exact: the header names which is which, each with its own terms; several tolerances each with its estimators', async () => {
    const fvp = judged(await example('trpo-fvp')), cg = judged(await example('trpo-cg'));
    expect(checkHeader('m.ts', [gae, fvp, cg], settings)).toBe('pgtruth check m.ts — gae (advantage), trpo-fvp (trpo-fvp), trpo-cg (trpo-cg); seed 7; sampled (gae): each check resolves 5.0% of its target\'s scale at power 0.9 (≥ 6400 samples, budget 120 s); exact comparison (trpo-fvp, trpo-cg): tolerance 1e-9 (trpo-fvp), 1e-7 (trpo-cg) of the target\'s scale; 1.3 s');
    const results = await run(await example('trpo-cg'));
    expect(checkFooter(results, [gae, cg])).toMatch(/^0 stochastic checks; Σα = 0\.0e\+0 \(the chance that a correct estimator fails this run\); \d+ exact checks \(no sampling, so no false-alarm rate\)$/);
    // a sampled claim beside the exact one (its check as the power guard leaves it): each row in its own terms
    const sampled: ClaimResult = {
      id: 'check.gae.unbiased', title: 'gae', statement: '', source: '', relation: 'unbiased', rule: '', verdict: 'pass', seconds: 0,
      checks: [{ instance: 'toy', passed: true, discrepancy: 1.2, tolerance: 5.3, stats: { effect: 0.01, standardError: 0.008, samples: 6400, falseAlarmRate: 1e-6, minDetectable: 0.03, resolution: 0.03, relativeTo: { name: 'max|A^π|', value: 1 } } }],
      control: { description: '', checks: [], rejected: 0 },
    };
    const text = checkTable([sampled, ...results], { estimators: [gae, cg] });
    expect(text).toContain('resolution (weakest, power 0.9) or tolerance');
    expect(text).toContain('max |z| or discrepancy / threshold');
    expect(text).toMatch(/^PASS +check\.gae\.unbiased +1\/1 +3\.0% max\|A\^π\| +1\.20 \/ 5\.30 /m);
    expect(text).toMatch(/^PASS +check\.trpo-cg\.conjugate-gradient +\d+\/\d+ +exact: tolerance 1e-7 +\d\.\de-\d\d \/ 1\.0e-07 /m);
    expect(checkFooter([sampled, ...results], [gae, cg])).toMatch(/^1 stochastic checks; Σα = 1\.0e-6 \(the chance that a correct estimator fails this run\); \d+ exact checks/);
  });
});

describe('pgtruth check: the exact wording through the CLI and the library', () => {
  it('--json states comparison and tolerance per estimator, per claim and for the run (additive: power and resolution stay)', async () => {
    let out = '';
    const code = await checkCommand([path('trpo-cg'), '--json', '--workers', '0'], (s) => { out += s; });
    expect(code).toBe(0);
    const j = JSON.parse(out);
    expect(j.comparison).toBe('exact');
    expect(j.estimators).toEqual([{ name: 'trpo-cg', kind: 'trpo-cg', export: 'default', comparison: 'exact', tolerance: 1e-7 }]);
    for (const c of j.claims) { expect(c.comparison).toBe('exact'); expect(c.tolerance).toBe(1e-7); }
    expect(j.power).toBe(0.9);
    expect(j.resolution).toBe(0.05);
  }, 60_000);
  it('expectUnbiased\'s CHECK_FAILED message for an exact failure: discrepancy against tolerance, no |z| and no ±', async () => {
    const err = await expectUnbiased(path('trpo-fvp-uncentered-bug'), { workers: 0 }).then(() => undefined, (x: Error) => x);
    expect(err?.message).toMatch(/\(exact: discrepancy [\d.e-]+ > tolerance 1\.0e-9; worst coordinate \(s=\d+, a=\d\): observed \S+, expected \S+, \|difference\| \S+; looks like the Fisher without/);
    expect(err?.message).not.toMatch(/\|z\||± /);
  }, 60_000);
});
