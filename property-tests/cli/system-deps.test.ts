// scripts/system-deps.mjs (npm test's pretest step): the decision from the facts, and the
// script end to end with --dry-run (nothing is installed) and simulated missing packages.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain .mjs script without types
import { decide, SYSTEM_PACKAGES } from '../../scripts/system-deps.mjs';

const SCRIPT = fileURLToPath(new URL('../../scripts/system-deps.mjs', import.meta.url));
const run = (env: Record<string, string>) => spawnSync(process.execPath, [SCRIPT, '--dry-run'], { encoding: 'utf8', env: { ...process.env, ...env } });

describe('system-deps decision', () => {
  it('one list: chromium, python3-numpy, python3-torch', () => {
    expect(SYSTEM_PACKAGES.map((p: { name: string }) => p.name)).toEqual(['chromium', 'python3-numpy', 'python3-torch']);
  });
  it('nothing missing: nothing to do, whoever runs it', () => {
    for (const root of [true, false]) for (const apt of [true, false]) expect(decide({ missing: [], root, apt })).toEqual({ action: 'none' });
  });
  it('root with apt-get: apt-get update, then one install line with every missing package', () => {
    expect(decide({ missing: ['chromium', 'python3-numpy'], root: true, apt: true })).toEqual({ action: 'install', commands: [['apt-get', 'update'], ['apt-get', 'install', '-y', 'chromium', 'python3-numpy']] });
  });
  it('not root, or no apt-get: one line naming what to install, and a failure', () => {
    for (const [root, apt] of [[false, true], [true, false], [false, false]] as const) {
      const d = decide({ missing: ['chromium', 'python3-torch'], root, apt });
      expect(d.action).toBe('fail');
      expect(d.message).toContain('apt-get install -y chromium python3-torch');
      expect(d.message).not.toContain('\n');
    }
  });
});

describe('system-deps script (--dry-run)', () => {
  it.skipIf(process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get'))('root, packages missing: prints the apt-get commands and succeeds without running them', () => {
    const r = run({ PGTRUTH_DEPS_ASSUME_MISSING: 'chromium,python3-numpy' });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('apt-get update');
    expect(r.stderr).toMatch(/apt-get install -y chromium python3-numpy(\n|$)/);
  });
  it('not root: one line on stderr and exit 1', () => {
    const r = run({ PGTRUTH_DEPS_ASSUME_MISSING: 'chromium', PGTRUTH_DEPS_ASSUME_USER: '1' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('sudo apt-get install -y chromium');
  });
  it('no apt-get: one line naming the files to provide, exit 1', () => {
    const r = run({ PGTRUTH_DEPS_ASSUME_MISSING: 'python3-torch', PGTRUTH_DEPS_ASSUME_NO_APT: '1' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('python3-torch');
  });
});
