// `pgtruth check` as a user runs it: the resolution of every check, inconclusive checks,
// failures that say where, and the new options (built by `npm test`'s pretest step).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, [join(root, 'bin/pgtruth.js'), 'check', ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('pgtruth check: power and diagnoses', () => {
  it('--json: every check states its resolution, the required fraction and the power; a FAIL names its worst coordinate and the matching catalogue mutant', () => {
    const r = run('examples/estimators/kl-bug.ts', '--json');
    expect(r.code, r.err).toBe(1);
    const j = JSON.parse(r.out);
    expect(j.resolution).toBe(0.05);
    expect(j.power).toBe(0.9);
    expect(typeof j.budget).toBe('number');
    const checks = j.claims[0].checks;
    for (const c of checks) {
      expect(c.stats.power).toBe(0.9);
      expect(c.stats.requiredResolution).toBe(0.05);
      expect(c.stats.relativeTo.name).toBe('KL');
    }
    const diagnosed = checks.filter((c: { diagnosis?: unknown }) => c.diagnosis);
    expect(diagnosed.length).toBeGreaterThan(0);
    for (const c of diagnosed) {
      expect(c.diagnosis.coordinate).toBe('E[k̂]');
      expect(c.diagnosis.looksLike).toContain('mutant.k3-exp-of-ratio');
      expect(c.diagnosis.candidates[0].id).toBe('mutant.k3-exp-of-ratio');
      expect(Math.abs(c.diagnosis.observed - c.diagnosis.expected)).toBeGreaterThan(10 * c.diagnosis.standardError);
    }
    // the heavy-tailed pair cannot be resolved: inconclusive, with the samples that would resolve it
    const heavy = checks.find((c: { instance: string }) => c.instance.includes('N(1,1)'));
    expect(heavy.passed).toBe(false);
    expect(heavy.note).toContain('inconclusive');
  }, 120_000);
  it('the text report: resolution per claim, the statistic against its threshold, and where a FAIL failed', () => {
    const r = run('examples/estimators/gae-truncation-bug.ts', '--budget', '2', '--samples', '1000');
    expect(r.code, r.err).toBe(1);
    expect(r.out).toContain('resolution (weakest, power 0.9)');
    expect(r.out).toMatch(/FAIL +check\.gae-truncation-bug\.unbiased +\d+\/16 +\d+\.\d% max\|[AQ]\^π\| +[\d.]+ \/ [\d.]+/);
    expect(r.out).toMatch(/worst: the (advantage Â|value target) at \(s=\d+, a=\d\): expected -?[\d.]+e[+-]\d+, observed -?[\d.]+e[+-]\d+ ± /);
    expect(r.out).toContain('looks like: a time-limit or segment truncation treated as a termination');
  }, 120_000);
  it('a check that cannot reach --resolution within --budget is INCONCLUSIVE, exit 1, with the sample size that would resolve it', () => {
    const r = run('examples/estimators/reinforce.ts', '--resolution', '0.002', '--budget', '1');
    expect(r.code, r.err).toBe(1);
    expect(r.out).toMatch(/^INCONCLUSIVE +check\.reinforce\.unbiased/m);
    expect(r.out).toMatch(/INCONCLUSIVE on .*: resolves [\d.]+% of ‖∇J‖₂ \(needs 0\.2%\); about [\d.e+]+ episodes would resolve it/);
  }, 120_000);
  it('invalid --resolution and --budget are CLI_USAGE errors naming the option (exit 2)', () => {
    for (const [opt, v] of [['--resolution', '0'], ['--resolution', '1.5'], ['--budget', 'abc'], ['--budget', '-3']]) {
      const r = run('examples/estimators/kl.ts', opt!, v!);
      expect(r.code, `${opt} ${v}`).toBe(2);
      expect(r.err).toContain('CLI_USAGE');
      expect(r.err).toContain(opt!);
    }
  });
});
