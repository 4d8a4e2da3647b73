#!/usr/bin/env node
/**
 * `npm test`'s first step (the `pretest` script): brings the Debian packages the test suite
 * needs, so that `npm install && npm test` is the whole setup on a fresh Debian machine.
 *
 * | package | needed by | present when |
 * | --- | --- | --- |
 * | chromium | the docs browser test (docs/browser.test.ts, playwright-core drives it; never a downloaded browser) | /usr/bin/chromium is executable |
 * | python3-numpy | the Python bridge and the numpy references of bench/ | /usr/bin/python3 finds the module numpy |
 * | python3-torch | the Python bridge's PyTorch cases | /usr/bin/python3 finds the module torch |
 *
 * When something is missing and the process runs as root on a machine with apt-get, it runs
 * `apt-get update && apt-get install -y <missing>` (DEBIAN_FRONTEND=noninteractive; Debian's
 * packages only, never PyPI). Otherwise it prints one line saying what to install and exits 1.
 *
 *     node scripts/system-deps.mjs             # check, install if root, else fail with one line
 *     node scripts/system-deps.mjs --dry-run   # print the decision (and the command) only
 *
 * For tests of the decision: PGTRUTH_DEPS_ASSUME_MISSING=chromium,python3-numpy treats those
 * packages as missing, PGTRUTH_DEPS_ASSUME_USER=1 as not root, PGTRUTH_DEPS_ASSUME_NO_APT=1 as
 * a machine without apt-get.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { pathToFileURL } from 'node:url';

const PYTHON = '/usr/bin/python3';

/** The Debian packages the suite needs: name, what needs it, and how to tell it is there. */
export const SYSTEM_PACKAGES = [
  { name: 'chromium', why: 'the docs browser test', probe: { file: '/usr/bin/chromium' } },
  { name: 'python3-numpy', why: 'the Python bridge (numpy)', probe: { python: 'numpy' } },
  { name: 'python3-torch', why: 'the Python bridge (PyTorch)', probe: { python: 'torch' } },
];

function executable(file) {
  try { accessSync(file, constants.X_OK); return true; } catch { return false; }
}

/** The Python modules of `names` that /usr/bin/python3 finds (without importing them: find_spec). */
function pythonFinds(names) {
  if (!names.length || !executable(PYTHON)) return new Set();
  const code = `import importlib.util as u\nfor n in ${JSON.stringify(names)}:\n    print(n if u.find_spec(n) is not None else '')`;
  const r = spawnSync(PYTHON, ['-c', code], { encoding: 'utf8' });
  return new Set(r.status === 0 ? r.stdout.split('\n').filter(Boolean) : []);
}

/** The packages that are missing on this machine. */
export function missingPackages(env = process.env) {
  const assumed = new Set((env.PGTRUTH_DEPS_ASSUME_MISSING ?? '').split(',').filter(Boolean));
  const found = pythonFinds(SYSTEM_PACKAGES.filter((p) => p.probe.python).map((p) => p.probe.python));
  return SYSTEM_PACKAGES.filter((p) => assumed.has(p.name) || (p.probe.file ? !executable(p.probe.file) : !found.has(p.probe.python))).map((p) => p.name);
}

/**
 * What to do, from the facts: nothing; install (root with apt-get); or fail with one line.
 * @param {{ missing: string[], root: boolean, apt: boolean }} facts
 * @returns {{ action: 'none' } | { action: 'install', commands: string[][] } | { action: 'fail', message: string }}
 */
export function decide({ missing, root, apt }) {
  if (!missing.length) return { action: 'none' };
  if (root && apt) return { action: 'install', commands: [['apt-get', 'update'], ['apt-get', 'install', '-y', ...missing]] };
  const why = missing.map((m) => `${m} (${SYSTEM_PACKAGES.find((p) => p.name === m)?.why ?? 'needed'})`).join(', ');
  return {
    action: 'fail',
    message: `pgtruth: npm test needs the Debian packages ${why}; install them with \`sudo apt-get install -y ${missing.join(' ')}\`${apt ? '' : ' (or your system\'s equivalents: chromium at /usr/bin/chromium, numpy and torch for /usr/bin/python3)'} and run npm test again`,
  };
}

function facts(env = process.env) {
  return {
    missing: missingPackages(env),
    root: env.PGTRUTH_DEPS_ASSUME_USER ? false : process.getuid?.() === 0,
    apt: env.PGTRUTH_DEPS_ASSUME_NO_APT ? false : executable('/usr/bin/apt-get'),
  };
}

function run(argv) {
  const dry = argv.includes('--dry-run');
  const d = decide(facts());
  if (d.action === 'none') { if (dry) console.log('system packages: all present'); return 0; }
  if (d.action === 'fail') { console.error(d.message); return 1; }
  for (const cmd of d.commands) {
    console.error(`pgtruth: installing the test suite's Debian packages: ${cmd.join(' ')}`);
    if (dry) continue;
    const r = spawnSync(cmd[0], cmd.slice(1), { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.status !== 0) { console.error(`pgtruth: \`${cmd.join(' ')}\` failed (exit ${r.status ?? r.signal}); install ${d.commands.at(-1).slice(3).join(' ')} by hand and run npm test again`); return 1; }
  }
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = run(process.argv.slice(2));
