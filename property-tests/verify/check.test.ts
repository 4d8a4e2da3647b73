// Loading users' estimator modules, and the checks on them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkedResult, collectEstimators, expectUnbiased, loadEstimators } from '../../src/verify/index.js';
import { expectError } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'pgtruth-plugin-'));
const mod = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };
const examples = new URL('../../examples/estimators/', import.meta.url).pathname;

describe('loading estimator modules', () => {
  it('reads default, array and named exports, in TypeScript and JavaScript', async () => {
    const ts = await loadEstimators(join(examples, 'gae.ts'));
    expect(ts.map((e) => [e.name, e.estimator.kind, e.key])).toEqual([['gae', 'advantage', 'default']]);
    const js = await loadEstimators(mod('many.mjs', `export default [{ kind: 'kl', estimate: (x) => x }, { kind: 'kl', name: 'two', estimate: (x) => x }];\nexport const named = { kind: 'kl', estimate: (x) => x };`));
    expect(js.map((e) => e.name)).toEqual(['default[0]', 'two', 'named']);
  });
  it('invalid modules are PLUGIN_INVALID naming the export; a missing file is FILE_NOT_FOUND', async () => {
    await expect(loadEstimators(mod('none.mjs', 'export const x = 1;'))).rejects.toThrow(/\[PLUGIN_INVALID\].*exports no estimator/);
    await expect(loadEstimators(mod('kind.mjs', `export default { kind: 'value', estimate() {} };`))).rejects.toThrow(/\[PLUGIN_INVALID\].*export default has kind "value"/);
    await expect(loadEstimators(mod('fn.mjs', `export default { kind: 'kl', estimate: 3 };`))).rejects.toThrow(/\[PLUGIN_INVALID\].*default\.estimate/);
    await expect(loadEstimators(mod('syntax.mjs', 'export default {'))).rejects.toThrow(/\[PLUGIN_INVALID\].*cannot load/);
    await expect(loadEstimators(join(dir, 'absent.ts'))).rejects.toThrow(/\[FILE_NOT_FOUND\]/);
    expectError(() => collectEstimators({ default: { kind: 'surrogate', clip: 2, estimate() {} } }, 'm'), 'PLUGIN_INVALID', 'clip', '2');
  });
  it('an estimate of the wrong length or with NaN is ESTIMATOR_INVALID naming the entry', () => {
    expectError(() => checkedResult([1, 2], 3, 'mine.estimate'), 'ESTIMATOR_INVALID', 'mine.estimate', '2 numbers', 'expected 3');
    expectError(() => checkedResult([1, NaN], 2, 'mine.estimate'), 'ESTIMATOR_INVALID', 'mine.estimate[1]', 'NaN');
  });
});

describe('expectUnbiased (for users\' own test suites)', () => {
  it('passes a correct estimator and throws CHECK_FAILED naming the failing instances for a buggy one', async () => {
    const ok = await expectUnbiased(join(examples, 'kl.ts'), { samples: 50_000, workers: 0 });
    expect(ok.every((r) => r.verdict === 'pass')).toBe(true);
    await expect(expectUnbiased(join(examples, 'kl-bug.ts'), { samples: 50_000, workers: 0 })).rejects.toThrow(/\[CHECK_FAILED\][\s\S]*k3-bug[\s\S]*N\(0\.1,1\)/);
  });
  it('a user estimator that returns the wrong shape fails the check with the typed error', async () => {
    const p = mod('bad-pg.mjs', `export default { kind: 'policy-gradient', name: 'short', estimate: () => [1, 2, 3] };`);
    await expect(expectUnbiased(p, { samples: 5000, workers: 0 })).rejects.toThrow(/ESTIMATOR_INVALID.*short\.estimate returned 3 numbers/);
  });
});
