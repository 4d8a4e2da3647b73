// The built site in a real browser: Debian's chromium driven by playwright-core (never a
// downloaded browser). Every derivation page has rendered formulas, no KaTeX error element
// and no formula wider than its column; the link from a step to its API entry and the link
// back work; a screenshot of every derivation page (its top, and its first inequality step
// or else its first step) is saved to docs/site/screenshots/. The pages opened are those of derivations/NN-*.md, and a
// test checks that they are exactly the derivation pages the site has (the home page's links
// and the files in docs/site/derivations/), so no page of the site goes unopened. The guide,
// the reference, the examples and the index pages are reached from the home page and opened
// too; every link on them (API and source pages included) must answer; and an API entry's
// "Defined in" link leads to the source line on the site's own source page, and back.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDerivations } from '../derivations/framework/markdown.js';
import { apiTopics } from './lib/api-topics.js';

const CHROMIUM = '/usr/bin/chromium';
const root = fileURLToPath(new URL('..', import.meta.url));
const site = join(root, 'docs', 'site');
const derivations = loadDerivations(join(root, 'derivations'));

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript', '.woff2': 'font/woff2', '.woff': 'font/woff', '.ttf': 'font/ttf', '.svg': 'image/svg+xml', '.json': 'application/json', '.png': 'image/png' };

/** A static file server for docs/site on 127.0.0.1 (an ephemeral port). */
function serve(dir: string): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    let file = join(dir, path);
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!file.startsWith(dir) || !existsSync(file)) { res.writeHead(404); res.end('not found'); return; }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => {
    const addr = server.address();
    ok({ server, base: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}` });
  }));
}

let context: BrowserContext | undefined;
let server: Server | undefined;
let base = '';
let profile = '';
const failedRequests: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the browser test needs Debian's chromium (apt-get install -y chromium; .ci/run installs it). No browser is ever downloaded.`);
  }
  execFileSync('npm', ['run', 'docs'], { cwd: root, stdio: 'inherit', timeout: 400_000 });
  ({ server, base } = await serve(site));
  profile = mkdtempSync(join(tmpdir(), 'pgtruth-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1100, height: 900 },
  });
  context.on('requestfailed', (r) => failedRequests.push(`${r.url()}: ${r.failure()?.errorText}`));
  context.on('response', (r) => { if (r.status() >= 400) failedRequests.push(`${r.url()}: HTTP ${r.status()}`); });
}, 500_000);

afterAll(async () => {
  await context?.close();
  server?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe('the documentation site in chromium', () => {
  it('the site\'s derivation pages — linked from the home page, and on disk — are exactly the ones opened below', async () => {
    const page = await context!.newPage();
    await page.goto(`${base}/index.html`);
    const linked = await page.locator('a.derivation-link').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    const opened = derivations.map((d) => `derivations/${d.slug}.html`);
    expect(linked).toEqual(opened);
    expect(readdirSync(join(site, 'derivations')).filter((f) => f.endsWith('.html')).sort()).toEqual(opened.map((f) => f.slice('derivations/'.length)).sort());
    expect(derivations.length).toBeGreaterThanOrEqual(9);
    expect(await page.locator('text=Planned').count()).toBe(0);
    await page.close();
  });

  for (const d of derivations) {
    it(`${d.slug}: formulas render, no KaTeX error, a step links to its API entry and back`, async () => {
      const page = await context!.newPage();
      await page.goto(`${base}/derivations/${d.slug}.html`);
      await page.waitForLoadState('load');
      await page.evaluate(() => document.fonts.ready);
      expect(await page.locator('.katex').count()).toBeGreaterThan(d.steps.length);
      expect(await page.locator('.katex-error').count()).toBe(0);
      expect(await page.locator('section.step').count()).toBe(d.steps.length);
      for (const s of d.steps) {
        const step = page.locator(`section.step[id="${s.key}"]`);
        await expect(step.locator('.step-math .katex-display').count()).resolves.toBe(1);
        expect(await step.locator('.badge').innerText()).toMatch(/^(exact|checked|approximation)$/i);
      }
      // no display formula is wider than its column (it would be cut off behind a scroll bar)
      expect(await page.evaluate(() => [...document.querySelectorAll('.step-math, .katex-display')].filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.closest('section')?.id ?? 'prose'))).toEqual([]);
      // KaTeX's fonts are loaded from the site itself (offline)
      expect(await page.evaluate(() => [...document.fonts].some((f) => f.family.includes('KaTeX') && f.status === 'loaded'))).toBe(true);
      mkdirSync(join(site, 'screenshots'), { recursive: true });
      await page.screenshot({ path: join(site, 'screenshots', `${d.slug}.png`), fullPage: false });
      const shown = (await page.locator('section.step:has(.relation)').count()) > 0 ? page.locator('section.step:has(.relation)').first() : page.locator('section.step').first();
      await shown.screenshot({ path: join(site, 'screenshots', `${d.slug}-step.png`) });
      // a step with an API link: to the API entry, and back to the same step
      const withApi = d.steps.find((s) => /class="api-link"/.test(readFileSync(join(site, 'derivations', `${d.slug}.html`), 'utf8').split(`id="${s.key}"`)[1]?.split('</section>')[0] ?? ''));
      expect(withApi, `${d.slug} has a step that links to the API`).toBeDefined();
      const key = withApi!.key;
      await page.locator(`section.step[id="${key}"] a.api-link`).first().click();
      await page.waitForLoadState('load');
      expect(page.url()).toContain('/api/');
      const back = page.locator(`a.derivation-backlink[href$="#${key}"]`).first();
      await expect(back.isVisible()).resolves.toBe(true);
      await back.click();
      await page.waitForLoadState('load');
      expect(page.url()).toBe(`${base}/derivations/${d.slug}.html#${key}`);
      expect(await page.evaluate(() => document.querySelector(':target')?.id)).toBe(key);
      await page.close();
    });
  }

  it('an API page renders with the site\'s navigation bar, its colours and the KaTeX stylesheet', async () => {
    const page = await context!.newPage();
    await page.goto(`${base}/api/index.html`);
    await expect(page.locator('header.site-header nav a').count()).resolves.toBeGreaterThanOrEqual(6);
    expect(await page.locator('header.site-header a.active').innerText()).toBe('API');
    expect(await page.locator('link[href$="katex/katex.min.css"]').count()).toBe(1);
    // the site's background and link colour, not typedoc's (#f2f4f8, #1f70c2)
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(251, 251, 250)');
    await page.close();
  });

  // Every page reachable from the home page through the site's own pages (the guide, the
  // reference, the derivations, the examples, and the API's and the sources' entry points):
  // the site's own pages are opened in chromium (no KaTeX error, a title, no failed request);
  // every link on them, API and source pages included, answers 200 and names an existing id.
  it('every page reachable from the home page renders; no link from them is broken', async () => {
    const own = (path: string) => !path.startsWith('api/') && !path.startsWith('source/') && !path.startsWith('derivations/');
    const seen = new Set<string>(['index.html']);
    const queue = ['index.html'];
    const links = new Map<string, string>(); // target URL → the page that links to it
    const page = await context!.newPage();
    const opened: string[] = [];
    while (queue.length) {
      const path = queue.shift()!;
      await page.goto(`${base}/${path}`);
      opened.push(path);
      expect(await page.locator('.katex-error').count(), path).toBe(0);
      expect((await page.locator('h1').first().innerText()).length, path).toBeGreaterThan(0);
      expect(await page.locator('header.site-header nav a').count(), path).toBeGreaterThanOrEqual(6);
      const hrefs = await page.locator('a[href]').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
      for (const href of hrefs) {
        if (!href.startsWith(base)) continue;
        const url = new URL(href);
        const target = url.pathname.slice(1) || 'index.html';
        if (!links.has(href)) links.set(href, path);
        if (target.endsWith('.html') && own(target) && !seen.has(target)) { seen.add(target); queue.push(target); }
      }
    }
    await page.close();
    for (const must of ['guide/index.html', 'reference/index.html', 'guide/checking-your-estimator.html', 'guide/vitest.html', 'guide/exact-learning-curves.html', 'reference/commands.html', 'reference/mutations.html', 'reference/cli.html', 'reference/benchmarks.html', 'examples/index.html']) expect(opened).toContain(must);
    // the derivation pages reached are exactly those the tests above open
    const reachedDerivations = [...links.keys()].map((h) => new URL(h).pathname.slice(1)).filter((p) => p.startsWith('derivations/') && p.endsWith('.html'));
    expect(new Set(reachedDerivations)).toEqual(new Set(derivations.map((d) => `derivations/${d.slug}.html`)));
    // every link answers, and every #fragment into a page of ours names an element of it
    const ids = new Map<string, Set<string>>();
    const broken: string[] = [];
    for (const [href, from] of links) {
      const url = new URL(href);
      const key = url.origin + url.pathname;
      if (!ids.has(key)) {
        const res = await fetch(key);
        if (res.status !== 200) { broken.push(`${from}: ${href} (HTTP ${res.status})`); ids.set(key, new Set()); continue; }
        const text = await res.text();
        ids.set(key, new Set([...text.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!)));
      }
      const frag = decodeURIComponent(url.hash.slice(1));
      if (frag && !url.pathname.startsWith('/api/') && !ids.get(key)!.has(frag)) broken.push(`${from}: ${href} names no element`);
    }
    expect(broken).toEqual([]);
    // the API's and the sources' entry points were among the links checked
    const paths = [...links.keys()].map((h) => new URL(h).pathname);
    expect(paths).toContain('/api/index.html');
    expect(paths.some((p) => p.startsWith('/source/'))).toBe(true);
  });

  it('the examples page shows every estimator module of examples/estimators/, each with its comment, its check command and its source', async () => {
    const files = readdirSync(join(root, 'examples', 'estimators')).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).sort();
    expect(files.length).toBeGreaterThanOrEqual(10);
    const page = await context!.newPage();
    await page.goto(`${base}/examples/index.html`);
    const ids = await page.locator('section.estimator-example').evaluateAll((xs) => xs.map((x) => x.id));
    expect(ids).toEqual(files.map((f) => `estimators-${f.replace(/\.ts$/, '')}`));
    for (const f of files) {
      const section = page.locator(`section#estimators-${f.replace(/\.ts$/, '')}`);
      const firstComment = readFileSync(join(root, 'examples', 'estimators', f), 'utf8').split('\n')[0]!.replace(/^\/\/ ?/, '');
      expect(await section.innerText()).toContain(firstComment);
      expect(await section.innerText()).toContain(`npx pgtruth check examples/estimators/${f}`);
    }
    await page.close();
  });

  it('the API reference groups the public entry by the topic blocks of src/index.ts, in their order, page and sidebar', async () => {
    const topics = apiTopics(readFileSync(join(root, 'src', 'index.ts'), 'utf8'));
    const page = await context!.newPage();
    await page.goto(`${base}/api/modules/pgtruth.html`);
    const headings = await page.locator('.col-content details.tsd-member-group > summary h2').allInnerTexts();
    expect(headings.map((h) => h.trim())).toEqual(topics.map((t) => t.title));
    // each topic's section has its description and lists exactly its names (gae under Estimators, …)
    for (const t of topics) {
      const section = page.locator('.col-content details.tsd-member-group', { has: page.locator(`summary h2:text-is("${t.title}")`) });
      await expect(section.locator(':scope > .tsd-comment').innerText()).resolves.toBe(t.description.replace(/`/g, ''));
      const names = (await section.locator('dt.tsd-member-summary .tsd-member-summary-name > a:first-of-type').allInnerTexts()).map((n) => n.trim());
      expect(new Set(names)).toEqual(new Set(t.names));
    }
    // the sidebar's navigation (built by script) shows the topics as folders of the module
    await page.waitForSelector('.site-menu nav.tsd-navigation li');
    const nav = await page.locator('.site-menu nav.tsd-navigation').innerText();
    for (const t of topics) expect(nav).toContain(t.title);
    await page.close();
  });

  it('an API entry links to its source line in the site, and back', async () => {
    const page = await context!.newPage();
    await page.goto(`${base}/api/functions/pgtruth.gae.html`);
    const link = page.locator('a[href*="source/src/estimators/"][href*="#L"]').first();
    const href = await link.getAttribute('href');
    const line = /#L(\d+)$/.exec(href ?? '')?.[1];
    expect(line, `an API source link (${href})`).toBeDefined();
    await link.click();
    await page.waitForLoadState('load');
    expect(page.url()).toMatch(new RegExp(`/source/src/estimators/[a-z-]+\\.ts\\.html#L${line}$`));
    expect(await page.evaluate(() => document.querySelector(':target')?.id)).toBe(`L${line}`);
    // the line shown is gae's declaration
    expect(await page.locator(`tr[id="L${line}"] td.code`).innerText()).toMatch(/export function gae\b/);
    await page.goBack();
    await page.waitForLoadState('load');
    expect(page.url()).toBe(`${base}/api/functions/pgtruth.gae.html`);
    await page.close();
  });

  it('no request failed (every stylesheet, font and script is served by the site itself)', () => {
    expect(failedRequests).toEqual([]);
  });
});
