// `pgtruth check` on the Python examples: the correct ones pass (exit 0), the buggy ones fail
// (exit 1) — numpy GAE on [T, N], numpy REINFORCE, PyTorch PPO losses differentiated by
// autograd, a numpy RLOO and a PyTorch GRPO loss (the group kind). Needs /usr/bin/python3 with numpy and torch (Debian: python3-numpy, python3-torch).
// Sample sizes: the smallest at which, with the fixed seed, each correct estimator passes with
// its control rejected and each bug fails (the GAE truncation bug needs 96 000: it acts only at
// segment cuts).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const check = (file: string, samples: number) => spawnSync(process.execPath, ['bin/pgtruth.js', 'check', `examples/python/${file}`, '--samples', String(samples), '--json'], { cwd: root, encoding: 'utf8' });

describe('examples/python: pgtruth check passes the correct estimators and fails the buggy ones', () => {
  for (const [file, samples, passes] of [
    ['gae.py', 96_000, true], ['gae_truncation_bug.py', 96_000, false],
    ['reinforce.py', 6_400, true],
    ['ppo.py', 9_600, true], ['ppo_min_bug.py', 9_600, false], ['ppo_regularized.py', 9_600, true],
    ['rloo.py', 64_000, true], ['grpo_bug.py', 64_000, false],
  ] as const) {
    it(`${file} ${passes ? 'passes (exit 0)' : 'fails (exit 1)'}`, () => {
      const r = check(file, samples);
      expect(r.status, r.stdout + r.stderr).toBe(passes ? 0 : 1);
      const report = JSON.parse(r.stdout) as { passed: boolean; claims: { verdict: string; checks: { passed: boolean; instance: string }[]; control: { rejected: number; checks: unknown[] } }[] };
      expect(report.passed).toBe(passes);
      for (const c of report.claims) {
        expect(c.verdict).toBe(passes ? 'pass' : 'fail');
        expect(c.control.rejected).toBe(c.control.checks.length); // the control was caught at this sample size
      }
      if (file === 'gae_truncation_bug.py') expect(report.claims[0]!.checks.filter((c) => !c.passed).every((c) => /segments cut by truncation/.test(c.instance))).toBe(true);
      if (file === 'grpo_bug.py') for (const c of report.claims[0]!.checks) expect(c.passed, c.instance).toBe(false); // biased on every instance
      if (file === 'ppo_min_bug.py') expect(report.claims[0]!.checks.filter((c) => !c.passed).every((c) => /θ ≠ θ_old/.test(c.instance))).toBe(true);
    }, 120_000);
  }
});
