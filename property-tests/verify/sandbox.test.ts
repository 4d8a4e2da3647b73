// The seal around users' modules (src/verify/sandbox.ts, src/sampling/guard.ts): hostile
// modules in property-tests/verify/fixtures/hostile/ end, hang and throw; `pgtruth check`
// must answer each with a typed error naming the module, the call and the line — never an
// exit 0, never a hang.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { thrownError, userFrame } from '../../src/sampling/guard.js';
import { checkModule } from '../../src/verify/check.js';
import { UserSandbox } from '../../src/verify/sandbox.js';

const H = fileURLToPath(new URL('./fixtures/hostile/', import.meta.url));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(['check', ...argv], (s) => { out += s; }, (s) => { err += s; });
  return { code, out, err };
}

describe('process.exit and friends from user code', () => {
  it('at load time: USER_CODE_EXIT naming the module and the line, exit 2', async () => {
    const r = await cli(H + 'exit-at-load.mjs');
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain('[USER_CODE_EXIT] loading ' + H + 'exit-at-load.mjs called process.exit(0) at ' + H + 'exit-at-load.mjs:2:9');
  });
  it('inside a KL estimate (which once ran on the main thread)', async () => {
    const r = await cli(H + 'exit-in-kl.ts', '--samples', '1000');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/\[USER_CODE_EXIT\] exits\.estimate in .*exit-in-kl\.ts called process\.exit\(0\) at .*exit-in-kl\.ts:6:/);
  });
  it('with --workers 0, on a later call of a policy-gradient estimate', async () => {
    const r = await cli(H + 'exit-in-pg.mjs', '--samples', '5000', '--workers', '0');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/\[USER_CODE_EXIT\] exits-later\.estimate in .*exit-in-pg\.mjs called process\.exit\(0\) at .*exit-in-pg\.mjs:7:/);
  });
  it('process.kill of its own process and process.abort() end only their worker', async () => {
    const k = await cli(H + 'kill-self.mjs', '--samples', '1000');
    expect(k.code).toBe(2);
    expect(k.err).toMatch(/\[USER_CODE_EXIT\] killer\.estimate in .*kill-self\.mjs called process\.kill\(\d+, "SIGKILL"\) at .*kill-self\.mjs:2:/);
    const a = await cli(H + 'abort.mjs', '--samples', '1000');
    expect(a.code).toBe(2);
    expect(a.err).toMatch(/\[USER_CODE_EXIT\] aborter\.estimate .* called process\.abort\(\) at .*abort\.mjs:2:/);
  });
  it('in a group estimator\'s declared scale (evaluated in the worker, at describe time)', async () => {
    const r = await cli(H + 'group-exit-scale.mjs', '--samples', '1000');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/\[USER_CODE_EXIT\] group-hostile\.scale in .*group-exit-scale\.mjs called process\.exit\(0\) at .*group-exit-scale\.mjs:5:/);
  });
  it('the library call rejects with the same error (expectUnbiased and checkModule share it)', async () => {
    await expect(checkModule(H + 'exit-in-kl.ts', { samples: 1000, workers: 0 })).rejects.toThrow(/USER_CODE_EXIT/);
  });
});

describe('hangs', () => {
  it('an estimate that never returns: USER_CODE_TIMEOUT naming the call after --timeout', async () => {
    const t0 = performance.now();
    const r = await cli(H + 'hang.mjs', '--timeout', '1', '--samples', '5000');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/\[USER_CODE_TIMEOUT\] spins\.estimate in .*hang\.mjs did not return within 1 s/);
    expect(performance.now() - t0).toBeLessThan(20_000);
  });
  it('a group estimate that never returns (the group kind runs in the workers too)', async () => {
    const r = await cli(H + 'group-hang.mjs', '--timeout', '1', '--samples', '5000');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/\[USER_CODE_TIMEOUT\] group-spins\.estimate in .*group-hang\.mjs did not return within 1 s/);
  });
  it('a module that never finishes loading', async () => {
    const r = await cli(H + 'hang-at-load.mjs', '--timeout', '1');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/\[USER_CODE_TIMEOUT\] loading .*hang-at-load\.mjs did not return within 1 s/);
  });
  it('--timeout must be positive seconds', async () => {
    for (const bad of ['0', '-1', 'x', 'Infinity']) {
      const r = await cli(H + 'hang.mjs', `--timeout=${bad}`);
      expect(r.code, bad).toBe(2);
      expect(r.err, bad).toContain('[CLI_USAGE] --timeout');
    }
  });
});

describe('exceptions show the thrower\'s file:line whatever was thrown', () => {
  it('throw undefined in TypeScript: the source line (source-mapped), exit 1 with an ERROR verdict', async () => {
    const r = await cli(H + 'throw-undefined.ts', '--samples', '1000');
    expect(r.code).toBe(1);
    expect(r.out).toContain(`[USER_CODE_THREW] throws-undefined.estimate in ${H}throw-undefined.ts threw a non-Error value, undefined at ${H}throw-undefined.ts:5:5`);
    expect(r.out).not.toContain('error: undefined');
  });
  it('a number, a string and a TypeError, each at its line', async () => {
    const r = await cli(H + 'throw-values.mjs', '--samples', '1000');
    expect(r.code).toBe(1);
    expect(r.out).toContain(`num.estimate in ${H}throw-values.mjs threw a non-Error value, 42 at ${H}throw-values.mjs:2:`);
    expect(r.out).toContain(`str.estimate in ${H}throw-values.mjs threw a non-Error value, "nope" at ${H}throw-values.mjs:3:`);
    expect(r.out).toMatch(new RegExp(`err\\.estimate in .* threw TypeError: Cannot read properties of null .* at ${H.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}throw-values\\.mjs:4:`));
  });
  it('userFrame skips Node\'s and pgtruth\'s frames; thrownError keeps a PgTruthError as it is', () => {
    const stack = `Error: x\n    at inner (node:internal/foo:1:2)\n    at f (${fileURLToPath(new URL('../../src/sampling/guard.ts', import.meta.url))}:10:3)\n    at g (file:///home/u/mine.ts:7:9)\n    at h (/home/u/other.js:1:1)`;
    expect(userFrame(stack)).toBe('/home/u/mine.ts:7:9');
    expect(userFrame('no frames')).toBeUndefined();
    const e = thrownError('mine.estimate', 'boom');
    expect(e.code).toBe('USER_CODE_THREW');
    expect(e.message).toContain('mine.estimate threw a non-Error value, "boom" (no place known)');
    expect(thrownError('x', e)).toBe(e);
  });
});

describe('declared data crosses the seal in the descriptions', () => {
  it('clip, entropyCoef, klCoef, an advantage definition and a group scale (evaluated in the worker) reach the main thread; estimate does not', async () => {
    const ex = (f: string) => fileURLToPath(new URL(`../../examples/estimators/${f}`, import.meta.url));
    for (const [file, want] of [
      ['ppo-regularized.ts', { kind: 'surrogate', clip: 0.2, entropyCoef: 0.1, klCoef: 0.5 }],
      ['ppo-normalized.ts', { kind: 'surrogate', normalizeAdvantages: true }],
      ['nstep.ts', { kind: 'advantage', definition: { nStep: 3 } }],
      ['gae.ts', { kind: 'advantage', definition: 'gae' }],
    ] as const) {
      const box = await UserSandbox.open(ex(file), { workers: 0 });
      try {
        expect(box.estimators[0]!.estimator, file).toMatchObject(want);
        expect(() => (box.estimators[0]!.estimator as { estimate: () => unknown }).estimate(), file).toThrow(/runs only in the sandbox's workers/);
      } finally { await box.close(); }
    }
    const box = await UserSandbox.open(ex('dr-grpo.ts'), { workers: 0 });
    try {
      const scale = (box.estimators[0]!.estimator as { scale: (G: number) => number }).scale;
      for (const G of [3, 4, 8]) expect(scale(G)).toBeCloseTo(1 - 1 / G, 15);
      expect(() => scale(5)).toThrow(/scale\(5\) was not evaluated/);
    } finally { await box.close(); }
  }, 60_000);
});
