// The HTML report (src/report/html.ts, svg.ts) read as text: one plot per quantity with one
// polyline per series and one point per record (thinned to 600 beyond that), the log axis
// leaving out what it cannot draw, escaping, no external reference, the typed errors; and
// `pgtruth mirror --html` on the same page template. The browser test beside this file opens
// the pages in chromium.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { curveAxis, learningCurvesHtml, writeLearningCurvesHtml } from '../../src/report/html.js';
import { MAX_PLOT_POINTS, niceTicks, thinIndices } from '../../src/report/index.js';
import { main } from '../../src/cli/main.js';
import { expectError } from '../helpers.js';
import { syntheticCurve } from './html-fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'pgtruth-html-'));

/** The inline SVG of plot `id`. */
export function plotOf(html: string, id: string): string {
  const start = html.indexOf(`<svg class="plot" data-plot="${id}"`);
  expect(start, `plot ${id}`).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf('</svg>', start) + 6);
}
const seriesPoints = (svg: string) => [...svg.matchAll(/<polyline class="series" data-series="([^"]*)" data-points="(\d+)"[^>]* points="([^"]*)"/g)].map((m) => ({ label: m[1]!, points: Number(m[2]), drawn: m[3]!.trim() === '' ? 0 : m[3]!.trim().split(/\s+/).length }));

describe('the learning-curve page', () => {
  const curves = [syntheticCurve('ppo', 20, true), syntheticCurve('a2c', 20, false)];
  const html = learningCurvesHtml(curves, { title: 'Two <learners> & a test' });
  it('J: one series per curve with every record, and the J* line', () => {
    const s = seriesPoints(plotOf(html, 'J'));
    expect(s.map((x) => [x.label, x.points, x.drawn])).toEqual([['ppo', 21, 21], ['a2c', 21, 21]]);
    expect(plotOf(html, 'J')).toMatch(/<line class="reference" data-reference="J\*"/);
  });
  it('KL on a log axis: the exact KL of each curve and the k3 estimate where one is logged; null and 0 left out', () => {
    const s = seriesPoints(plotOf(html, 'kl'));
    // 20 updates with a KL, of which one (n = 3) is 0
    expect(s.map((x) => [x.label, x.points, x.drawn])).toEqual([['ppo exact KL', 19, 19], ['ppo k3 estimate', 20, 20], ['a2c exact KL', 19, 19]]);
    expect(plotOf(html, 'kl')).toMatch(/stroke-dasharray="6 4" points=/);
    expect(plotOf(html, 'kl')).toContain('>1e-11<');
  });
  it('entropy, axis labels, ticks, legends, the final-values table', () => {
    const h = plotOf(html, 'entropy');
    expect(seriesPoints(h).map((x) => x.points)).toEqual([21, 21]);
    for (const id of ['J', 'kl', 'entropy']) {
      const p = plotOf(html, id);
      expect(p.match(/class="tick tick-x"/g)!.length).toBeGreaterThanOrEqual(3);
      expect(p.match(/class="tick tick-y"/g)!.length).toBeGreaterThanOrEqual(3);
      expect(p).toContain('environment samples');
      expect(p).toMatch(/class="axis-label axis-label-y"/);
    }
    expect(plotOf(html, 'J').match(/class="legend-entry"/g)).toHaveLength(3);
    expect(html.match(/<tr>/g)).toHaveLength(3); // header + one row per curve
    expect(html).toContain('lr=0.1, note=test');
  });
  it('is self-contained and escaped: no script, no link, no URL but the SVG namespace', () => {
    expect(html).not.toMatch(/<script|<link|src=|href=|url\(/i);
    expect([...html.matchAll(/https?:\/\/[^"\s]*/g)].map((m) => m[0])).toEqual(Array(3).fill('http://www.w3.org/2000/svg'));
    expect(html).toContain('<title>Two &lt;learners&gt; &amp; a test</title>');
  });
  it('thins long curves to 600 points, first and last kept; the x axis is updates when a curve did not sample', () => {
    const long = syntheticCurve('long', 1500, false);
    expect(seriesPoints(plotOf(learningCurvesHtml([long]), 'J'))[0]!.points).toBe(MAX_PLOT_POINTS);
    expect(curveAxis([long])).toBe('samples');
    const exact = { ...long, records: long.records.map((r) => ({ ...r, samples: 0 })) };
    expect(curveAxis([long, exact])).toBe('update');
    expect(plotOf(learningCurvesHtml([exact]), 'J')).toContain('>update n<');
    fc.assert(fc.property(fc.integer({ min: 1, max: 5000 }), (n) => {
      const k = thinIndices(n);
      expect(k.length).toBe(Math.min(n, MAX_PLOT_POINTS));
      expect(k[0]).toBe(0);
      expect(k[k.length - 1]).toBe(n - 1);
      for (let i = 1; i < k.length; i++) expect(k[i]!).toBeGreaterThan(k[i - 1]!);
    }));
  });
  it('writes the file', () => {
    const f = join(tmp, 'lc.html');
    writeLearningCurvesHtml(f, curves, { title: 'x' });
    expect(readFileSync(f, 'utf8')).toBe(learningCurvesHtml(curves, { title: 'x' }));
  });
  it('invalid input is REPORT_OUTPUT naming the place', () => {
    expectError(() => learningCurvesHtml([]), 'REPORT_OUTPUT', 'at least one curve');
    expectError(() => learningCurvesHtml([{ ...curves[0]!, records: [] }]), 'REPORT_OUTPUT', 'curves[0]', 'no record');
    const bad = { ...curves[0]!, records: curves[0]!.records.map((r, k) => (k === 4 ? { ...r, J: NaN } : r)) };
    expectError(() => learningCurvesHtml([curves[1]!, bad]), 'REPORT_OUTPUT', 'curves[1].records[4].J', 'NaN');
    const badKl = { ...curves[0]!, records: curves[0]!.records.map((r, k) => (k === 2 ? { ...r, klK3: Infinity } : r)) };
    expectError(() => learningCurvesHtml([badKl]), 'REPORT_OUTPUT', 'curves[0].records[2].klK3', 'Infinity');
    expectError(() => writeLearningCurvesHtml(join(tmp, 'no-such-dir', 'x.html'), curves), 'REPORT_OUTPUT', 'no-such-dir', 'ENOENT');
  });
});

describe('nice ticks', () => {
  it('lie in the range, are evenly spaced by 1, 2 or 5 × 10^k, and there are 2 to 13 of them', () => {
    fc.assert(fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 1e-6, max: 1e6, noNaN: true }), (lo, width) => {
      const hi = lo + width;
      fc.pre(hi > lo);
      const t = niceTicks(lo, hi, 5);
      expect(t.length).toBeGreaterThanOrEqual(2);
      expect(t.length).toBeLessThanOrEqual(13);
      for (const x of t) { expect(x).toBeGreaterThanOrEqual(lo - 1e-9 * width); expect(x).toBeLessThanOrEqual(hi + 1e-9 * width); }
      const step = t[1]! - t[0]!;
      const mant = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
      // the spacing is measured by a subtraction at magnitude max|t|: allow its rounding, a few ulps relative to the step
      const tol = 1e-9 + (8 * Number.EPSILON * Math.max(Math.abs(lo), Math.abs(hi))) / step;
      expect([1, 2, 5, 10].some((m) => Math.abs(mant - m) < m * tol)).toBe(true);
    }));
  });
});

describe('pgtruth mirror --html', () => {
  it('writes the page template with the J, gap and improvement plots and one table row per iterate', async () => {
    const f = join(tmp, 'mirror.html');
    const out: string[] = [];
    expect(await main(['mirror', 'builtin:chain', '--drift', 'kl:0.1', '--iterations', '12', '--html', f], (s) => out.push(s))).toBe(0);
    const html = readFileSync(f, 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(seriesPoints(plotOf(html, 'J')).map((x) => x.points)).toEqual([13]);
    expect(seriesPoints(plotOf(html, 'improvement')).map((x) => x.points)).toEqual([12, 12]);
    expect(plotOf(html, 'gap')).toMatch(/class="tick tick-y"/);
    expect(html.match(/<tr>/g)).toHaveLength(14);
    expect(html).toContain('held at every step');
    expect(out.join('')).toContain('J* = '); // the text report is still printed
  });
  it('an empty or unwritable --html is CLI_USAGE naming --html', async () => {
    const errs: string[] = [];
    expect(await main(['mirror', 'builtin:chain', '--html', ''], () => {}, (s) => errs.push(s))).toBe(2);
    expect(errs.join('')).toMatch(/\[CLI_USAGE\] --html needs a file name/);
    errs.length = 0;
    expect(await main(['mirror', 'builtin:chain', '--html', join(tmp, 'nope', 'x.html')], () => {}, (s) => errs.push(s))).toBe(2);
    expect(errs.join('')).toMatch(/\[CLI_USAGE\] --html ".*nope.*": cannot write/);
  });
  it('--svg keeps working (the built binary)', () => {
    const root = new URL('../../', import.meta.url).pathname;
    const f = join(tmp, 'j.svg');
    const r = spawnSync(process.execPath, [join(root, 'bin/pgtruth.js'), 'mirror', 'builtin:chain', '--iterations', '3', '--svg', f], { cwd: root, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(f, 'utf8')).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  });
});
