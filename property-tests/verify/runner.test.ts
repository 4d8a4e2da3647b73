import { describe, expect, it } from 'vitest';
import { decide, exactSuite, runClaim, runClaims, type Claim } from '../../src/verify/index.js';
import { verdictTable } from '../../src/report/index.js';

const ctx = { seed: 1, scale: 1 };
const claim = (run: Claim['run'], control: Claim['run']): Claim => ({
  id: 'test.claim', title: 't', statement: 'x = y', source: 'test', relation: 'identity', rule: '≤ 1e-9',
  run, control: { description: 'wrong', run: control },
});

describe('the claim runner', () => {
  it('a claim passes only if every check passes and every control check fails', async () => {
    expect((await runClaim(claim(() => [decide('a', 0, 1e-9)], () => [decide('a', 1, 1e-9)]), ctx)).verdict).toBe('pass');
    expect((await runClaim(claim(() => [decide('a', 1, 1e-9)], () => [decide('a', 1, 1e-9)]), ctx)).verdict).toBe('fail');
  });
  it('a check that cannot fail is reported: its wrong variant was not rejected (WEAK)', async () => {
    const r = await runClaim(claim(() => [decide('a', 0, 1e-9)], () => [decide('a', 0, 1e-9), decide('b', 1, 1e-9)]), ctx);
    expect(r.verdict).toBe('control-not-rejected');
    expect(verdictTable([r])).toContain('WEAK');
    expect(verdictTable([r])).toContain('was accepted on');
  });
  it('an exception inside a claim is an error verdict with the message, not a crash', async () => {
    const r = await runClaim(claim(() => { throw new Error('boom'); }, () => []), ctx);
    expect(r.verdict).toBe('error');
    expect(r.error).toContain('boom');
  });
  it('NaN discrepancies fail', () => {
    expect(decide('a', NaN, 1).passed).toBe(false);
  });
  it('the exact suite passes with every control rejected on another seed, and is deterministic', async () => {
    const a = await runClaims(exactSuite(), { seed: 7 });
    for (const r of a) expect(r.verdict, `${r.id}: ${r.error ?? ''}`).toBe('pass');
    const b = await runClaims(exactSuite(), { seed: 7 });
    expect(a.map((r) => r.checks.map((c) => c.discrepancy))).toEqual(b.map((r) => r.checks.map((c) => c.discrepancy)));
  });
});

describe('the verdict table\'s legend', () => {
  it('two lines right under the table say what a claim, a relation, worst and rejected n/m mean', async () => {
    const r = await runClaim(claim(() => [decide('a', 0, 1e-9)], () => [decide('a', 1, 1e-9)]), ctx);
    const lines = verdictTable([r]).split('\n');
    const at = lines.findIndex((l) => l.startsWith('claim: '));
    expect(at).toBe(3); // header, rule, one row
    expect(lines[at]).toMatch(/relation: what it asserts/);
    expect(lines[at + 1]).toMatch(/^worst: .*rejected n\/m: /);
  });
});
