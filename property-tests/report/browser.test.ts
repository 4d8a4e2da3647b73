// The HTML report in a real browser: Debian's chromium driven by playwright-core (never a
// downloaded browser), as docs/browser.test.ts does. A learning-curve page (the exact PG and
// NPG curves of examples/exact-learning-curve.ts, and a sampled-looking curve with a k3
// estimate) and a `pgtruth mirror --html` page are opened from file:// URLs: every plot is an
// SVG with the right number of series and points, axes with labelled ticks, a legend entry per
// series; the page makes no request besides itself and logs no console error. Screenshots go
// to $TMPDIR/pgtruth-report-screenshots/.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeExample } from '../../examples/exact-learning-curve.js';
import { main } from '../../src/cli/main.js';
import { writeLearningCurvesHtml } from '../../src/report/html.js';
import { syntheticCurve } from './html-fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
// outside the repository: docs/site is wiped by the docs build, which may run at the same time
const shots = join(tmpdir(), 'pgtruth-report-screenshots');
const tmp = mkdtempSync(join(tmpdir(), 'pgtruth-report-browser-'));
let context: BrowserContext | undefined;
let profile = '';

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: the browser test needs Debian's chromium (apt-get install -y chromium). No browser is ever downloaded.`);
  profile = mkdtempSync(join(tmpdir(), 'pgtruth-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1240, height: 1000 },
  });
}, 60_000);

afterAll(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  rmSync(tmp, { recursive: true, force: true });
});

/** Opens `file`, recording every request, failed request and console error. */
async function open(file: string): Promise<{ page: Page; requests: string[]; problems: string[] }> {
  const page = await context!.newPage();
  const requests: string[] = [], problems: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.goto(pathToFileURL(file).href);
  await page.waitForLoadState('load');
  return { page, requests, problems };
}

/** What the browser sees of each plot. */
interface PlotView { id: string; width: number; height: number; series: { label: string; declared: number; drawn: number }[]; xTicks: string[]; yTicks: string[]; axisLabels: number; legend: number; references: number }

function plots(page: Page): Promise<PlotView[]> {
  return page.locator('svg.plot').evaluateAll((svgs) => svgs.map((svg) => {
    const box = svg.getBoundingClientRect();
    const labels = (cls: string) => [...svg.querySelectorAll(`g.${cls} text`)].map((t) => t.textContent ?? '');
    return {
      id: svg.getAttribute('data-plot') ?? '', width: box.width, height: box.height,
      series: [...svg.querySelectorAll('polyline.series')].map((p) => ({
        label: p.getAttribute('data-series') ?? '', declared: Number(p.getAttribute('data-points')),
        drawn: (p as SVGPolylineElement).points.numberOfItems,
      })),
      xTicks: labels('tick-x'), yTicks: labels('tick-y'),
      axisLabels: svg.querySelectorAll('text.axis-label').length,
      legend: svg.querySelectorAll('g.legend-entry').length,
      references: svg.querySelectorAll('line.reference').length,
    };
  }));
}

function expectAxes(p: PlotView): void {
  expect(p.width, p.id).toBeGreaterThan(200);
  expect(p.height, p.id).toBeGreaterThan(150);
  expect(p.xTicks.length, `${p.id} x ticks`).toBeGreaterThanOrEqual(3);
  expect(p.yTicks.length, `${p.id} y ticks`).toBeGreaterThanOrEqual(3);
  for (const t of [...p.xTicks, ...p.yTicks]) expect(t, p.id).toMatch(/^-?[\d.]+(e-?\d+)?$/);
  expect(p.axisLabels, p.id).toBe(2);
  expect(p.legend, p.id).toBe(p.series.length + p.references);
  for (const s of p.series) expect(s.drawn, `${p.id} ${s.label}`).toBe(s.declared);
}

describe('the HTML report in chromium', () => {
  it('a learning-curve page: J against J*, the KL on a log axis with k3 beside it, the entropy, the final values', async () => {
    const { curves } = writeExample(join(tmp, 'unused.html'), 40);
    const file = join(tmp, 'learning-curves.html');
    writeLearningCurvesHtml(file, [...curves, { ...syntheticCurve('ppo (synthetic)', 40, true), mdp: 'gridworld-5x5', JStar: curves[0]!.JStar }], { title: 'Learning curves' });
    const { page, requests, problems } = await open(file);
    const view = await plots(page);
    expect(view.map((p) => p.id)).toEqual(['J', 'kl', 'entropy']);
    for (const p of view) expectAxes(p);
    const [J, kl, H] = view as [PlotView, PlotView, PlotView];
    expect(J.series.map((s) => [s.label, s.drawn])).toEqual([['exact-pg', 41], ['exact-npg', 41], ['ppo (synthetic)', 41]]);
    expect(J.references).toBe(1);
    // exact curves: a KL for each of the 40 updates (all > 0); the synthetic one has a 0 at n = 3 (not drawable on a log axis)
    expect(kl.series.map((s) => [s.label, s.drawn])).toEqual([['exact-pg exact KL', 40], ['exact-npg exact KL', 40], ['ppo (synthetic) exact KL', 39], ['ppo (synthetic) k3 estimate', 40]]);
    expect(kl.yTicks.every((t) => /^1e-?\d+$/.test(t))).toBe(true);
    expect(H.series.map((s) => s.drawn)).toEqual([41, 41, 41]);
    expect(await page.locator('table.final-values tbody tr').count()).toBe(3);
    expect(requests).toEqual([pathToFileURL(file).href]);
    expect(problems).toEqual([]);
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, 'report-learning-curves.png'), fullPage: true });
    await page.close();
  });

  it('a pgtruth mirror --html page: J against J*, the gap on a log axis, the improvement against its bound, the table', async () => {
    const file = join(tmp, 'mirror.html');
    expect(await main(['mirror', 'builtin:gridworld-5x5', '--drift', 'ppo:0.2', '--iterations', '15', '--html', file], () => {})).toBe(0);
    const { page, requests, problems } = await open(file);
    const view = await plots(page);
    expect(view.map((p) => p.id)).toEqual(['J', 'gap', 'improvement']);
    for (const p of view) expectAxes(p);
    expect(view[0]!.series.map((s) => s.drawn)).toEqual([16]);
    expect(view[0]!.references).toBe(1);
    expect(view[2]!.series.map((s) => s.drawn)).toEqual([15, 15]);
    expect(await page.locator('table.iterations tbody tr').count()).toBe(16);
    expect(requests).toEqual([pathToFileURL(file).href]);
    expect(problems).toEqual([]);
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, 'report-mirror.png'), fullPage: true });
    await page.close();
  });
});
