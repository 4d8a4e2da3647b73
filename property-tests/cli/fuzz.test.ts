// A small fixed-seed fuzz of the inputs that once broke pgtruth (issue 9, item 7), through the
// library and through `pgtruth exact` (exit 2 and one line `[CODE] file: place …`):
// rewards near the top of double precision, JSON nested 10⁴ deep, duplicate keys, policies
// with non-finite entries, rational-mode errors, and γ within 1e-12 of 1.
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { isPgTruthError } from '../../src/errors.js';
import { evaluateExact, evaluatePolicy, exactPolicyGradient, policyGradient } from '../../src/exact/index.js';
import { mdpFromJSON, parseMDP, rationalMDPFromJSON } from '../../src/mdp/index.js';
import { directPolicy, policyFromJSON } from '../../src/policy/index.js';
import { rationalPolicyFromJSON } from '../../src/exact/rational.js';

const dir = mkdtempSync(join(tmpdir(), 'pgtruth-fuzz-'));
let files = 0;
const file = (text: string) => { const p = join(dir, `f${files++}.json`); writeFileSync(p, text); return p; };

/** `pgtruth exact` in this process: exit code, stdout, stderr. */
async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(['exact', ...argv], (s) => { out += s; }, (s) => { err += s; });
  return { code, out, err };
}

/** Exit 2 with exactly one line `pgtruth: [CODE] <path>: <place> …`. */
function expectTyped(r: { code: number; out: string; err: string }, code: string, path: string, place: string): void {
  expect(r.code, r.err).toBe(2);
  expect(r.err.trim().split('\n'), r.err).toHaveLength(1);
  expect(r.err.startsWith(`pgtruth: [${code}] ${path}: ${place}`), r.err).toBe(true);
}

const twoState = (rewards: number[][], gamma: number) => ({ states: 2, actions: 2, transitions: [[[0.5, 0.5], [1, 0]], [[0.25, 0.75], [0, 1]]], rewards, gamma, initial: [1, 0] });
const allFinite = (x: unknown): boolean => Array.isArray(x) ? x.every(allFinite) : typeof x === 'number' ? Number.isFinite(x) : typeof x === 'object' && x !== null ? Object.values(x).every(allFinite) : true;

describe('rewards near the top of double precision', () => {
  const big = fc.record({
    rewards: fc.array(fc.array(fc.tuple(fc.double({ min: 1e305, max: 1.7976931348623157e308, noNaN: true }), fc.boolean()).map(([m, neg]) => (neg ? -m : m)), { minLength: 2, maxLength: 2 }), { minLength: 2, maxLength: 2 }),
    gamma: fc.double({ min: 0.5, max: 0.999, noNaN: true }),
  });
  it('library: every output finite, or NUMERIC_OVERFLOW naming the entry — never SOLVER_SINGULAR', () => {
    let overflows = 0;
    fc.assert(fc.property(big, ({ rewards, gamma }) => {
      const mdp = mdpFromJSON(twoState(rewards, gamma));
      const policy = policyFromJSON({ kind: 'softmax', logits: [[0, 0.5], [-0.5, 0]] }, mdp);
      try {
        const ev = evaluatePolicy(mdp, policy.param.probs(policy.theta));
        const g = policyGradient(mdp, policy, ev);
        expect(allFinite([...ev.V, ...ev.Q, ...ev.A, ...ev.d, ...ev.eta, ev.J, ...g])).toBe(true);
      } catch (e) {
        expect(isPgTruthError(e, 'NUMERIC_OVERFLOW'), String(e)).toBe(true);
        expect((e as Error).message).toMatch(/^\[NUMERIC_OVERFLOW\] (V|Q|A|J|∇J)\[\d+\](\[\d+\])? is (-?Infinity|NaN)/);
        overflows++;
      }
    }), { seed: 9071, numRuns: 300 });
    expect(overflows).toBeGreaterThan(50); // the fuzz reaches the overflow, not only the safe side
  });
  it('CLI: exit 0 with finite JSON, or exit 2 with one NUMERIC_OVERFLOW line naming the file', async () => {
    await fc.assert(fc.asyncProperty(big, async ({ rewards, gamma }) => {
      const p = file(JSON.stringify(twoState(rewards, gamma)));
      const r = await run(p, '--policy', 'uniform', '--json');
      if (r.code === 0) expect(allFinite(JSON.parse(r.out))).toBe(true);
      else expectTyped(r, 'NUMERIC_OVERFLOW', p, '');
    }), { seed: 9072, numRuns: 40 });
  });
  it('±1e308 with γ = 0.9 is an overflow, not a singular system (the reported case)', async () => {
    const p = file(JSON.stringify({ ...twoState([[1e308, 1e308], [1e308, 1e308]], 0.99) }));
    expectTyped(await run(p, '--policy', 'uniform'), 'NUMERIC_OVERFLOW', p, 'V[0] is Infinity');
  });
});

describe('JSON nesting and duplicate keys', () => {
  const ok = twoState([[1, 0], [0, 2]], 0.9);
  it('a value nested up to 10⁴ deep anywhere: JSON_TOO_DEEP naming its path, exit 2 (library and CLI)', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 65, max: 10_000 }), fc.constantFrom('states', 'rewards', 'name', 'transitions'), async (depth, key) => {
      const deep = '['.repeat(depth) + ']'.repeat(depth);
      const text = JSON.stringify({ ...ok, [key]: 0 }).replace(`"${key}":0`, `"${key}":${deep}`);
      expect(() => parseMDP(text, 'x.json')).toThrow(/^\[JSON_TOO_DEEP\] x\.json: /);
      const p = file(text);
      expectTyped(await run(p, '--policy', 'uniform'), 'JSON_TOO_DEEP', p, `${key}[0]`);
    }), { seed: 9073, numRuns: 12 });
    // the library's object route (no text): a typed error, not a RangeError
    let d: unknown = 0;
    for (let i = 0; i < 10_000; i++) d = [d];
    expect(() => mdpFromJSON({ ...ok, rewards: [[1, 0], d] })).toThrow(/^\[MDP_SHAPE\]|^\[MDP_NOT_FINITE\]/);
  });
  it('a key written twice — at the top, or in a sparse row — is JSON_DUPLICATE_KEY naming the key and its path', async () => {
    const keys = Object.keys(ok);
    await fc.assert(fc.asyncProperty(fc.constantFrom(...keys), async (key) => {
      const text = JSON.stringify(ok).replace(/}$/, `,${JSON.stringify(key)}:${JSON.stringify((ok as Record<string, unknown>)[key])}}`);
      expect(() => parseMDP(text, 'x.json')).toThrow(new RegExp(`^\\[JSON_DUPLICATE_KEY\\] x\\.json: ${key}: the key "${key}" appears twice`));
      const p = file(text);
      expectTyped(await run(p, '--policy', 'uniform'), 'JSON_DUPLICATE_KEY', p, `${key}: the key "${key}"`);
    }), { seed: 9074, numRuns: keys.length * 2 });
    const sparse = '{"states":2,"actions":1,"transitions":[[{"0":0.5,"1":0.25,"1":0.25}],[{"1":1}]],"rewards":[[1],[0]],"gamma":0.5,"initial":[1,0]}';
    const p = file(sparse);
    expectTyped(await run(p, '--policy', 'uniform'), 'JSON_DUPLICATE_KEY', p, 'transitions[0][0][\"1\"]: the key "1"');
    // without duplicates the same texts are read (the check rejects only what it should)
    expect(parseMDP(JSON.stringify(ok)).numStates).toBe(2);
  });
});

describe('policies name their bad entry as [s][a]', () => {
  it('a non-finite logit or probability (1e309, "1/0") anywhere: POLICY_NOT_FINITE at [s][a], in the file', async () => {
    const mdp = JSON.stringify({ states: 3, actions: 2, transitions: [[[1, 0, 0], [0, 1, 0]], [[0, 0, 1], [1, 0, 0]], [[0, 1, 0], [0, 0, 1]]], rewards: [[1, 0], [0, 1], [1, 1]], gamma: 0.9, initial: [1, 0, 0] });
    const m = file(mdp);
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 1 }), fc.constantFrom('1e309', '"1/0"', '-1e999'), fc.constantFrom('softmax', 'direct'), async (s, a, bad, kind) => {
      const table = [[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]].map((row, i) => row.map((x, j) => (i === s && j === a ? '@' : x)));
      const key = kind === 'softmax' ? 'logits' : 'probs';
      const p = file(JSON.stringify({ kind, [key]: table }).replace('"@"', bad));
      expectTyped(await run(m, '--policy', p), 'POLICY_NOT_FINITE', p, `${key}[${s}][${a}] is`);
    }), { seed: 9075, numRuns: 24 });
    // the library's own check of a θ vector names [s][a] too
    expect(() => directPolicy(3, 2).check(Float64Array.of(0.5, 0.5, 0.5, 0.5, 0.5, NaN))).toThrow(/probs\[2\]\[1\]/);
  });
  it('rational mode names the file of the bad entry (MDP or policy)', async () => {
    const mdp = file(JSON.stringify({ ...twoState([[1, 0], [0, 2]], 0.5), rewards: [[1e-300, 0], [0, 2]] }));
    const pol = file(JSON.stringify({ kind: 'direct', probs: [['1/2', '1/2'], ['1/2', '1/2']] }));
    expectTyped(await run(mdp, '--policy', pol, '--rational'), 'RATIONAL_INPUT', mdp, 'rewards[0][0]');
    const good = file(JSON.stringify(twoState([[1, 0], [0, 2]], 0.5)));
    const soft = file(JSON.stringify({ kind: 'softmax', logits: [[0, 0], [0, 0]] }));
    expectTyped(await run(good, '--policy', soft, '--rational'), 'POLICY_KIND', soft, 'exact rational mode');
  });
});

describe('γ within 1e-12 of 1', () => {
  // probabilities k/10 (not binary fractions) and γ = 1 − 2^−k (exact in both modes): the
  // floating-point answer must match the exact rational one to 1e-9 — unrefined, the
  // rounding of M alone put V off by ~1e-5 and Σd off 1 by as much
  const arb = fc.record({
    p: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 4, maxLength: 4 }),
    r: fc.array(fc.integer({ min: -4, max: 4 }), { minLength: 4, maxLength: 4 }),
    pi: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 2, maxLength: 2 }),
    k: fc.integer({ min: 20, max: 42 }),
  });
  it('V, d, A and ∇J agree with exact rational arithmetic to 1e-9 relative; Σd = 1', () => {
    fc.assert(fc.property(arb, ({ p, r, pi, k }) => {
      const gamma = 1 - 2 ** -k;
      const json = {
        states: 2, actions: 2, gamma: `${2 ** k - 1}/${2 ** k}`, initial: ['1', '0'],
        transitions: [[[`${p[0]}/10`, `${10 - p[0]!}/10`], [`${p[1]}/10`, `${10 - p[1]!}/10`]], [[`${p[2]}/10`, `${10 - p[2]!}/10`], [`${p[3]}/10`, `${10 - p[3]!}/10`]]],
        rewards: [[String(r[0]), String(r[1])], [String(r[2]), String(r[3])]],
      };
      const probs = { kind: 'direct', probs: [[`${pi[0]}/10`, `${10 - pi[0]!}/10`], [`${pi[1]}/10`, `${10 - pi[1]!}/10`]] };
      const mdp = mdpFromJSON(json);
      expect(mdp.gamma).toBe(gamma);
      const policy = policyFromJSON(probs, mdp);
      const ev = evaluatePolicy(mdp, policy.param.probs(policy.theta));
      const g = policyGradient(mdp, policy, ev);
      const m = rationalMDPFromJSON(json), q = rationalPolicyFromJSON(probs, 2, 2);
      const ex = evaluateExact(m, q), gx = exactPolicyGradient(m, q, ex);
      const close = (a: ArrayLike<number>, b: readonly { valueOf(): number }[], what: string) => {
        const scale = Math.max(...Array.from(b, (x) => Math.abs(x.valueOf())));
        for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!.valueOf()), `${what}[${i}]`).toBeLessThanOrEqual(1e-9 * scale);
      };
      close(ev.V, ex.V, 'V'); close(ev.d, ex.d, 'd'); close(ev.A, ex.A, 'A'); close(g, gx, '∇J');
      expect(Math.abs(ev.d[0]! + ev.d[1]! - 1)).toBeLessThanOrEqual(1e-12);
    }), { seed: 9076, numRuns: 60 });
  });
  it('beyond the refined path (200 states, γ = 1 − 1e-12) the solver refuses: SOLVER_ILL_CONDITIONED naming gamma', () => {
    const S = 200;
    const transitions = Array.from({ length: S }, (_, s) => [Array.from({ length: S }, (_, t) => (t === (s + 1) % S ? 0.7 : t === s ? 0.3 : 0))]);
    const mdp = mdpFromJSON({ states: S, actions: 1, transitions, rewards: Array.from({ length: S }, (_, s) => [s % 3]), gamma: 1 - 1e-12, initial: [1, ...Array(S - 1).fill(0)] });
    let err: unknown;
    try { evaluatePolicy(mdp, new Float64Array(S).fill(1)); } catch (e) { err = e; }
    expect(isPgTruthError(err, 'SOLVER_ILL_CONDITIONED'), String(err)).toBe(true);
    expect((err as Error).message).toMatch(/gamma = 0\.999999999999/);
    // the control: the same chain at γ = 0.999 is solved
    expect(evaluatePolicy(mdpFromJSON({ states: S, actions: 1, transitions, rewards: Array.from({ length: S }, (_, s) => [s % 3]), gamma: 0.999, initial: [1, ...Array(S - 1).fill(0)] }), new Float64Array(S).fill(1)).V.every(Number.isFinite)).toBe(true);
  });
});
