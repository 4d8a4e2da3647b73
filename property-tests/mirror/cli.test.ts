// `pgtruth mirror` as a user runs it (the built binary): the per-iteration table, --json,
// --svg (written and well-formed), known answers (J* of the corridor and of Sutton & Barto's
// 5×5 gridworld), and a typed error naming the option and value for every invalid input.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GRID5_V_STAR } from '../../src/verify/claims/known.js';
import { jPlotSVG, xmlEscape } from '../../src/cli/commands/mirror-plot.js';

const root = new URL('../../', import.meta.url).pathname;
const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, [join(root, 'bin/pgtruth.js'), 'mirror', ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const tmp = mkdtempSync(join(tmpdir(), 'pgtruth-mirror-'));

/**
 * A small XML well-formedness check (no dependency): every tag closes in order, attributes
 * are name="value" with no raw < or stray &, text has no raw < or stray &, one root element.
 */
export function wellFormedXML(text: string): { ok: boolean; root: string; why?: string } {
  const entity = /&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;
  const cleanText = (t: string) => !/[<]/.test(t) && !/&/.test(t.replace(entity, ''));
  const stack: string[] = [];
  let root = '', i = 0, roots = 0;
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const chunk = lt < 0 ? text.slice(i) : text.slice(i, lt);
    if (!cleanText(chunk)) return { ok: false, root, why: `text ${JSON.stringify(chunk.slice(0, 40))}` };
    if (stack.length === 0 && chunk.trim() !== '') return { ok: false, root, why: 'text outside the root' };
    if (lt < 0) break;
    const gt = text.indexOf('>', lt);
    if (gt < 0) return { ok: false, root, why: 'unclosed tag' };
    const tag = text.slice(lt + 1, gt);
    i = gt + 1;
    if (tag.startsWith('?') || tag.startsWith('!--')) continue;
    if (tag.startsWith('/')) {
      if (stack.pop() !== tag.slice(1).trim()) return { ok: false, root, why: `mismatched </${tag.slice(1)}>` };
      continue;
    }
    const m = /^([A-Za-z][\w:-]*)((?:\s+[A-Za-z_:][\w:.-]*="[^"<]*")*)\s*(\/?)$/.exec(tag);
    if (!m) return { ok: false, root, why: `bad tag <${tag.slice(0, 60)}>` };
    for (const [, v] of m[2]!.matchAll(/="([^"]*)"/g)) if (!cleanText(v!)) return { ok: false, root, why: `attribute value ${v}` };
    if (stack.length === 0) { roots++; root = m[1]!; }
    if (m[3] !== '/') stack.push(m[1]!);
  }
  return stack.length === 0 && roots === 1 ? { ok: true, root } : { ok: false, root, why: `unclosed ${stack.join(',')} or ${roots} roots` };
}

describe('pgtruth mirror', () => {
  it('--help describes the options and the instances', () => {
    const r = run('--help');
    expect(r.code).toBe(0);
    for (const s of ['--drift', '--neighbourhood', '--iterations', '--svg', 'TRPO', 'PPO', 'MDPO']) expect(r.out).toContain(s);
  });
  it('prints one row per iteration: J, the drift, the bound and whether it held, the gap to J*', () => {
    const r = run('builtin:short-corridor', '--drift', 'ppo:0.2', '--iterations', '5');
    expect(r.code).toBe(0);
    for (const s of ['J(π_n)', 'drift D^ν', 'bound E_p0[(ν/d)D]', 'held', 'gap J*−J', 'J* = -3 ', 'held at every step']) expect(r.out).toContain(s);
    expect(r.out.split('\n').filter((l) => /^\s*\d+\s/.test(l))).toHaveLength(6);
  });
  it('--json: every record, and J* = −3 on the corridor (the optimal tabular policy takes 3 steps)', () => {
    const j = JSON.parse(run('builtin:short-corridor', '--neighbourhood', 'kl:0.05', '--iterations', '8', '--json').out);
    expect(Object.keys(j)).toEqual(['mdp', 'drift', 'neighbourhood', 'nu', 'iterations', 'JStar', 'VStar', 'tolerance', 'allHeld', 'stationaryAt', 'records', 'policy']);
    expect(j.JStar).toBeCloseTo(-3, 12);
    expect(j.records).toHaveLength(9);
    for (const r of j.records) {
      expect(r.V).toHaveLength(4);
      expect(r.distance).toBeLessThanOrEqual(0.05 * (1 + 1e-9));
      expect(r.held && r.valueMonotone).toBe(true);
    }
    expect(j.policy).toHaveLength(4);
  });
  it("generalized policy iteration on Sutton & Barto's 5×5 gridworld reaches J* = the mean of the published v* (uniform p0)", () => {
    const j = JSON.parse(run('builtin:gridworld-5x5', '--iterations', '6', '--json').out);
    const published = GRID5_V_STAR.reduce((a, b) => a + b, 0) / 25;
    expect(Math.abs(j.JStar - published)).toBeLessThan(1e-4); // the book's 4 decimals
    expect(Math.abs(j.records[6].gap)).toBeLessThan(1e-12);
  });
  it('tv:0.5 on the garnet stops at a suboptimal fixed point, and says so', () => {
    const r = run('builtin:garnet', '--drift', 'tv:0.5', '--iterations', '6');
    expect(r.code).toBe(0);
    expect(r.out).toContain('a suboptimal fixed point');
  });
  it('--svg writes a well-formed, self-contained SVG with J_n and the J* line', () => {
    const path = join(tmp, 'j.svg');
    const r = run('builtin:chain', '--drift', 'kl:0.1', '--iterations', '12', '--svg', path);
    expect(r.code).toBe(0);
    expect(existsSync(path)).toBe(true);
    const svg = readFileSync(path, 'utf8');
    const xml = wellFormedXML(svg);
    expect(xml, xml.why).toMatchObject({ ok: true, root: 'svg' });
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(svg).not.toMatch(/href|<script|url\(/);
    const points = /<polyline[^>]*points="([^"]*)"/.exec(svg)![1]!.trim().split(/\s+/);
    expect(points).toHaveLength(13);
    expect(svg).toContain('J* = ');
  });
  it('the XML check has teeth: it rejects unbalanced tags, raw & and < in text, and unquoted attributes', () => {
    expect(wellFormedXML('<svg><g></svg>').ok).toBe(false);
    expect(wellFormedXML('<svg><text>a & b</text></svg>').ok).toBe(false);
    expect(wellFormedXML('<svg><text>a < b</text></svg>').ok).toBe(false);
    expect(wellFormedXML('<svg width=3></svg>').ok).toBe(false);
    expect(wellFormedXML('<svg/><svg/>').ok).toBe(false);
    expect(wellFormedXML(jPlotSVG({ title: `a & b < "c" 'd'`, J: [1, 2, 2.5], JStar: 3 })).ok).toBe(true);
    expect(xmlEscape(`<&>"'`)).toBe('&lt;&amp;&gt;&quot;&apos;');
    expect(wellFormedXML(jPlotSVG({ title: 'flat', J: [2, 2], JStar: 2 })).ok).toBe(true);
  });
  it('every invalid option: exit 2, one line naming the code, the option and the value', () => {
    const cases: [string[], string[]][] = [
      [['builtin:chain', '--drift', 'ppo:abc'], ['CLI_USAGE', '--drift', 'ppo:abc']],
      [['builtin:chain', '--drift', 'ppo:0'], ['CLI_USAGE', '--drift', 'ppo:0']],
      [['builtin:chain', '--drift', 'sinkhorn'], ['CLI_USAGE', '--drift', 'sinkhorn']],
      [['builtin:chain', '--drift', 'kl:'], ['CLI_USAGE', '--drift', 'kl:']],
      [['builtin:chain', '--neighbourhood', 'kl:-1'], ['CLI_USAGE', '--neighbourhood', 'kl:-1']],
      [['builtin:chain', '--neighbourhood', 'maxkl:0'], ['CLI_USAGE', '--neighbourhood', 'maxkl:0']],
      [['builtin:chain', '--neighbourhood', 'ball'], ['CLI_USAGE', '--neighbourhood', 'ball']],
      [['builtin:chain', '--iterations=-3'], ['CLI_USAGE', '--iterations', '-3']],
      [['builtin:chain', '--iterations', '2.5'], ['CLI_USAGE', '--iterations', '2.5']],
      [['builtin:chain', '--svg', join(tmp, 'no-such-dir', 'x.svg')], ['CLI_USAGE', '--svg', 'no-such-dir']],
      [['builtin:chain', '--frobnicate'], ['CLI_USAGE', 'frobnicate']],
      [[], ['CLI_USAGE', 'one MDP']],
      [['builtin:nope'], ['MDP_UNKNOWN', 'nope']],
      [['builtin:chain', '--policy', join(tmp, 'missing.json')], ['FILE_NOT_FOUND', 'missing.json']],
    ];
    for (const [args, fragments] of cases) {
      const r = run(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.out).toBe('');
      expect(r.err.trim().split('\n'), r.err).toHaveLength(1);
      for (const f of fragments) expect(r.err, args.join(' ')).toContain(f);
    }
  });
});
