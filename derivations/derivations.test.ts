// Every step of every derivation is computed by the code: each `::: step KEY` names a check,
// each check runs on its instances (exact steps must give a difference of exactly zero) and
// its negative control must be rejected on every control instance.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { allChecks } from './checks/index.js';
import { DerivationFormatError, loadDerivations, parseDerivation } from './framework/markdown.js';
import { describeResult, runStep } from './framework/step.js';

const dir = fileURLToPath(new URL('.', import.meta.url));
const derivations = loadDerivations(dir);
const checks = allChecks();

describe('derivations ↔ checks', () => {
  it('there are derivations, each step names a check, and every check belongs to a step', () => {
    expect(derivations.length).toBeGreaterThanOrEqual(9);
    const keys = derivations.flatMap((d) => d.steps.map((s) => s.key));
    expect(keys.filter((k) => !checks.has(k)), 'steps without a check').toEqual([]);
    expect([...checks.keys()].filter((k) => !keys.includes(k)), 'checks without a step').toEqual([]);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

for (const d of derivations) {
  describe(d.title, () => {
    for (const step of d.steps) {
      it(step.key, () => {
        const check = checks.get(step.key)!;
        const r = runStep(check);
        expect(r.error, `${step.key} threw`).toBeUndefined();
        expect(r.outcomes.length).toBeGreaterThan(0);
        const bad = r.outcomes.filter((o) => !o.passed).map((o) => `${o.label}: ${o.discrepancy}`);
        expect(bad, `${step.key}: ${describeResult(r, check)}`).toEqual([]);
        if (check.exact) expect(r.outcomes.every((o) => o.exactZero)).toBe(true);
        expect(r.control.outcomes.length, `${step.key} control has instances`).toBeGreaterThan(0);
        expect(r.control.rejected, `${step.key}: control "${r.control.description}" not rejected on every instance`).toBe(r.control.outcomes.length);
        expect(r.passed).toBe(true);
      });
    }
  });
}

describe('the derivation format', () => {
  const ok = '---\ntitle: T\nsource: S\n---\nProse.\n::: step a.b\n$$ x = y $$\nBecause.\n:::\n';
  it('parses a step with its formula and justification', () => {
    const d = parseDerivation('x.md', ok);
    expect(d.steps).toEqual([expect.objectContaining({ key: 'a.b', tex: 'x = y', why: 'Because.', number: 1 })]);
  });
  it.each([
    ['no front matter', ok.replace('---\ntitle: T\nsource: S\n---\n', ''), 'front matter'],
    ['no formula', ok.replace('$$ x = y $$\n', ''), 'must begin with its display formula'],
    ['no justification', ok.replace('Because.\n', ''), 'no justification'],
    ['unclosed step', ok.replace(/:::\n$/, ''), 'not closed'],
    ['two formulas', ok.replace('Because.', () => 'Because $$z$$.'), 'more than one display formula'],
    ['bad key', ok.replace('a.b', 'AB'), 'not of the form'],
  ])('rejects %s', (_name, text, fragment) => {
    expect(() => parseDerivation('x.md', text)).toThrow(DerivationFormatError);
    expect(() => parseDerivation('x.md', text)).toThrow(fragment);
  });
});
