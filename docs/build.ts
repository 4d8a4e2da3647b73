/**
 * `npm run docs`: builds the static site into docs/site/ — the derivations rendered with
 * KaTeX server-side (each step with the status its check just computed), the typedoc API
 * reference (KaTeX in doc comments, links back to the steps), the examples, and source
 * listings of the checks — fully offline (KaTeX's CSS and fonts are copied in).
 *
 * The build fails on any KaTeX error, a failing step, a step whose API symbol is missing or
 * undocumented, a doc comment that writes \{ or \} (typedoc strips the backslash: write
 * \lbrace and \rbrace), a `katex-error` anywhere in the output, or a broken relative link.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import MarkdownIt from 'markdown-it';
import { allChecks } from '../derivations/checks/index.js';
import { loadDerivations, type Derivation, type StepBlock } from '../derivations/framework/markdown.js';
import { describeResult, relationOf, runStep, type StepCheck, type StepResult } from '../derivations/framework/step.js';
import { buildApi, type StepLink } from './lib/api.js';
import { esc, page, sourceListing } from './lib/layout.js';
import { commandsPage, mutationsPage, ordered, renderSection, sitePlugin, type Section, type SectionPage } from './lib/pages.js';
import { mathPlugin, renderTex, texErrors } from './lib/tex.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const site = join(root, 'docs', 'site');
const errors: string[] = [];

const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
md.use((m: MarkdownIt) => mathPlugin(m, 'derivation'));
/** The guide's and the reference's Markdown: math, tables, heading ids, links rewritten to the site. */
const pagesMd = new MarkdownIt({ html: false, linkify: false, typographer: false });
pagesMd.use((m: MarkdownIt) => mathPlugin(m, 'docs page'));
pagesMd.use((m: MarkdownIt) => sitePlugin(m, root));

function write(rel: string, text: string): void {
  const f = join(site, rel);
  mkdirSync(dirname(f), { recursive: true });
  writeFileSync(f, text);
}

/** Doc comments in src/ must not write \{ or \}: typedoc drops the backslash. */
function checkBraces(): void {
  const walk = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : f.endsWith('.ts') ? [join(dir, f)] : []));
  for (const file of walk(join(root, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
      if (!/\\[{}]/.test(m[0])) continue;
      const line = text.slice(0, m.index).split('\n').length;
      errors.push(`${relative(root, file)}:${line}: a doc comment writes \\{ or \\}; typedoc strips the backslash before braces — write \\lbrace and \\rbrace`);
    }
  }
}

/** Where a check is defined: `derivations/checks/x.ts` and the line of `key: '…'`. */
function checkLocation(key: string): { file: string; line: number } {
  const dir = join(root, 'derivations', 'checks');
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.ts'))) {
    const text = readFileSync(join(dir, f), 'utf8');
    const i = text.indexOf(`key: '${key}'`);
    if (i >= 0) return { file: `derivations/checks/${f}`, line: text.slice(0, i).split('\n').length };
  }
  errors.push(`step check ${key}: its definition (key: '${key}') was not found in derivations/checks/`);
  return { file: 'derivations/checks/index.ts', line: 1 };
}

const sourcePage = (file: string) => `source/${file}.html`;

function stepHtml(d: Derivation, step: StepBlock, check: StepCheck<unknown>, r: StepResult, apiUrls: Map<string, string>): string {
  const where = `${relative(root, d.file)}:${step.line} (${step.key})`;
  const loc = checkLocation(step.key);
  const api = check.implementedBy.map((s) => (apiUrls.has(s) ? `<a class="api-link" href="../${apiUrls.get(s)}">${esc(s)}</a>` : `<code>${esc(s)}</code>`));
  const fmt = (x: number) => (x === 0 ? '0' : Number.isFinite(x) ? x.toExponential(2) : String(x));
  const ineq = relationOf(check) === 'atLeast';
  const cell = (o: StepResult['outcomes'][number]) => {
    if (ineq) return `${o.discrepancy === 0 ? 'no violation' : `violated by ${fmt(o.discrepancy)}`}; smallest margin ${fmt(o.margin ?? NaN)}`;
    return check.exact ? (o.exactZero ? 'exactly 0' : `≠ 0 (${fmt(o.discrepancy)})`) : fmt(o.discrepancy);
  };
  const rows = (xs: StepResult['outcomes']) => xs.map((o) => `<tr><td>${esc(o.label)}</td><td>${cell(o)}</td><td>${o.passed ? 'within rule' : 'rejected'}</td></tr>`).join('');
  return `<section class="step status-${r.status}" id="${step.key}">
  <div class="step-head"><a class="step-number" href="#${step.key}">Step ${step.number}</a> <span class="badge badge-${r.status}">${r.status}</span>${ineq ? ' <span class="relation">inequality</span>' : ''} <code class="step-key">${step.key}</code></div>
  <div class="step-math">${renderTex(step.tex, true, where)}</div>
  <div class="step-why">${md.render(step.why, { where })}</div>
  <p class="step-status">${esc(describeResult(r, check))}. Negative control — ${esc(r.control.description)}: rejected on ${r.control.rejected}/${r.control.outcomes.length}.</p>
  <p class="step-links"><span>Implemented by ${api.length ? api.join(', ') : '<em>no library function (an algebraic step; both sides computed in the check)</em>'}</span>
  <span>Check: <a class="check-link" href="../${sourcePage(loc.file)}#L${loc.line}">${esc(loc.file.split('/').pop()!)}:${loc.line}</a></span>
  <span>Test: <a class="test-link" href="../${sourcePage('derivations/derivations.test.ts')}">derivations.test.ts</a> <code>npx vitest run derivations -t "${step.key}"</code></span></p>
  <details class="step-details"><summary>What is computed, on which instances</summary>
    <p><strong>Left:</strong> ${esc(check.lhsIs)}.<br><strong>Right:</strong> ${esc(check.rhsIs)}.</p>
    <table class="instances"><thead><tr><th>instance</th><th>${ineq ? 'lhs ≥ rhs' : 'discrepancy'}</th><th></th></tr></thead><tbody>${rows(r.outcomes)}</tbody></table>
    <p>Negative control: ${esc(r.control.description)}.</p>
    <table class="instances"><thead><tr><th>control instance</th><th>${ineq ? 'lhs ≥ rhs' : 'discrepancy'}</th><th></th></tr></thead><tbody>${rows(r.control.outcomes)}</tbody></table>
  </details>
</section>`;
}

function derivationPage(d: Derivation, index: number, results: Map<string, StepResult>, checks: ReadonlyMap<string, StepCheck<unknown>>, apiUrls: Map<string, string>): string {
  const parts = d.blocks.map((b) => (b.kind === 'prose' ? md.render(b.text, { where: `${relative(root, d.file)}:${b.line}` }) : stepHtml(d, b, checks.get(b.key)!, results.get(b.key)!, apiUrls)));
  const counts = summary(d, results, checks);
  const body = `<article class="derivation">
<p class="kicker">Derivation ${index + 1}</p>
<h1>${md.renderInline(d.title, { where: d.file })}</h1>
<p class="source">Source: ${esc(d.source)}</p>
<p class="summary">${counts}</p>
${parts.join('\n')}
</article>`;
  return page({ title: d.title, depth: 1, body, active: 'derivations' });
}

function summary(d: Derivation, results: Map<string, StepResult>, checks: ReadonlyMap<string, StepCheck<unknown>>): string {
  const n = (s: string) => d.steps.filter((x) => results.get(x.key)!.status === s).length;
  const ineq = d.steps.filter((x) => relationOf(checks.get(x.key)!) === 'atLeast').length;
  return `${d.steps.length} steps: ${n('exact')} exact, ${n('checked')} checked in floating point, ${n('approximation')} approximation${n('approximation') === 1 ? '' : 's'}${ineq ? ` (${ineq} of them ${ineq === 1 ? 'an inequality' : 'inequalities'})` : ''}`;
}

function runExamples(): { file: string; source: string; output: string }[] {
  const dir = join(root, 'examples');
  return readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).sort().map((f) => {
    let output = '';
    try {
      output = execFileSync(process.execPath, ['--import', 'tsx', join(dir, f)], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    } catch (e) {
      errors.push(`example ${f} failed: ${(e as Error).message}`);
    }
    return { file: f, source: readFileSync(join(dir, f), 'utf8'), output };
  });
}

function examplesPage(examples: { file: string; source: string; output: string }[]): string {
  const data = ['mdps', 'policies'].flatMap((sub) => readdirSync(join(root, 'examples', sub)).sort().map((f) => {
    write(`examples/${sub}/${f}`, readFileSync(join(root, 'examples', sub, f), 'utf8'));
    return `<li><a href="${sub}/${f}">examples/${sub}/${f}</a></li>`;
  }));
  const sections = examples.map((e) => {
    const intro = e.source.split('\n').filter((l) => l.startsWith('//')).map((l) => l.replace(/^\/\/ ?/, '')).join(' ');
    return `<section class="example" id="${e.file.replace(/\.ts$/, '')}"><h2><code>examples/${e.file}</code></h2>
<p>${esc(intro)}</p>
<p>Run: <code>npx tsx examples/${e.file}</code>. Its output in this build:</p>
<pre class="output">${esc(e.output)}</pre>
<details><summary>Source</summary>${sourceListing(e.source)}</details></section>`;
  });
  return page({ title: 'Examples', depth: 1, active: 'examples', body: `<article><h1>Examples</h1>
<p>Runnable scripts (run by <code>npm test</code> as well), the estimator modules that <code>pgtruth check</code> checks, and the MDP and policy files they use, in the formats of the README.</p>
<ul><li><a href="#scripts">Scripts</a></li><li><a href="#estimator-modules">Estimator modules</a></li><li><a href="#files">Files</a></li></ul>
<h2 id="scripts">Scripts</h2>
${sections.join('\n')}
${estimatorExamples()}
<h2 id="files">Files</h2><ul>${data.join('')}</ul></article>` });
}

/** The leading `//` comment of a file (up to its first import), as one paragraph. */
const leadingComment = (source: string) => source.split('\n').filter((l, i, all) => l.startsWith('//') && all.slice(0, i).every((x) => x.startsWith('//'))).map((l) => l.replace(/^\/\/ ?/, '')).join(' ');

/**
 * The estimator modules of examples/estimators/ — every .ts file there, read at build time, so the
 * page lists exactly the files that exist: each with its own leading comment (which says when it
 * is buggy on purpose), the command that checks it, and its source. They are not run here (a
 * check takes seconds to minutes; examples/examples.test.ts runs them).
 */
function estimatorExamples(): string {
  const dir = join(root, 'examples', 'estimators');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).sort();
  const items = files.map((f) => {
    const source = readFileSync(join(dir, f), 'utf8');
    return `<section class="example estimator-example" id="estimators-${f.replace(/\.ts$/, '')}"><h3><code>examples/estimators/${f}</code></h3>
<p>${esc(leadingComment(source))}</p>
<p>Check it: <code>npx pgtruth check examples/estimators/${f}</code></p>
<details><summary>Source</summary>${sourceListing(source)}</details></section>`;
  });
  return `<h2 id="estimator-modules">Estimator modules</h2>
<p>Modules for <code>pgtruth check</code>, a correct and a buggy one of each kind (the <a href="../guide/checking-your-estimator.html">guide</a> says how to read the verdict). Each declares its kind with a type from <code>pgtruth</code>.</p>
${items.join('\n')}`;
}

const SECTION_TITLE: Record<Section, string> = { guide: 'User guide', reference: 'Reference' };
const SECTION_INTRO: Record<Section, string> = {
  guide: 'How to use pgtruth on your own code: check an estimator, read a verdict and a failure, add pgtruth to a test suite, compute exact learning curves.',
  reference: 'Every command, format, convention and statistic. The command-line help and the mutation catalogue are generated from the code, so they say what this build does.',
};

/** A section's index: its pages, each with its one-line summary. */
function sectionIndex(section: Section, pages: SectionPage[]): string {
  const items = pages.map((p) => `<li><a class="section-link" href="${p.slug}.html">${p.titleHtml}</a><br><span class="muted">${esc(p.summary)}</span></li>`).join('\n');
  return page({ title: SECTION_TITLE[section], depth: 1, active: section, body: `<article><h1>${SECTION_TITLE[section]}</h1><p>${SECTION_INTRO[section]}</p><ul class="derivation-list">${items}</ul></article>` });
}

/** A page of a section, with links to the previous and next pages. */
function sectionPage(p: SectionPage, i: number, pages: SectionPage[]): string {
  const prev = pages[i - 1], next = pages[i + 1];
  const pager = `<p class="pager">${prev ? `<a href="${prev.slug}.html">← ${prev.titleHtml}</a>` : ''}<a href="index.html">${SECTION_TITLE[p.section]}</a>${next ? `<a href="${next.slug}.html">${next.titleHtml} →</a>` : ''}</p>`;
  return page({ title: p.title, depth: 1, active: p.section, body: `<article class="md-page">\n${p.body}\n${pager}</article>` });
}

function indexPage(ds: Derivation[], results: Map<string, StepResult>, checks: ReadonlyMap<string, StepCheck<unknown>>, sections: Record<Section, SectionPage[]>): string {
  const list = (section: Section) => sections[section].map((p) => `<li><a href="${section}/${p.slug}.html">${p.titleHtml}</a></li>`).join('');
  const rows = ds.map((d, i) => `<li><a class="derivation-link" href="derivations/${d.slug}.html">${i + 1}. ${md.renderInline(d.title, { where: d.file })}</a><br><span class="muted">${summary(d, results, checks)} — ${esc(d.source)}</span></li>`).join('\n');
  return page({ title: 'pgtruth', depth: 0, active: 'home', body: `<article>
<h1>pgtruth — ground truth for policy gradients</h1>
<p>pgtruth is ground truth for policy-gradient reinforcement learning: exact quantities on small tabular MDPs, and checks of sample-based estimators against them, each with a negative control (a known bug the same check must reject).</p>
<div class="start-here">
<section><h2 id="guide"><a href="guide/index.html">User guide</a></h2><p class="muted">Start here: check your own estimator in five minutes.</p><ul>${list('guide')}</ul></section>
<section><h2 id="reference"><a href="reference/index.html">Reference</a></h2><p class="muted">Commands, formats, conventions, statistics, the mutation catalogue.</p><ul>${list('reference')}</ul></section>
<section><h2 id="api"><a href="api/index.html">API</a></h2><p class="muted">Every exported function and type, with KaTeX in its doc comment, a link to its source line, and links to the derivation steps it implements.</p></section>
</div>
<h2 id="derivations-beside-the-code">Derivations beside the code</h2>
<p>Each derivation is written next to the code, and <strong>every step is computed by the code</strong>: a check computes both sides of the step on seeded random tabular instances — in exact rational arithmetic wherever the step is rational — and a wrong variant of the step (its negative control) must be rejected. A typo in a step, or a bug in the function that implements it, shows as a failing step, and the build of this site fails.</p>
<p>Each step is marked <span class="badge badge-exact">exact</span> (difference exactly 0 in rational arithmetic), <span class="badge badge-checked">checked</span> (floating point: the largest discrepancy and the number of instances are shown) or <span class="badge badge-approximation">approximation</span> (exact only under a stated assumption, measurably off without it). A step marked <span class="relation">inequality</span> asserts lhs ≥ rhs: it holds when no entry is violated (in rational arithmetic, for exact steps), and its smallest margin shows how tight it is. Each links to the function that implements it in the <a href="api/index.html">API reference</a>, whose entries link back.</p>
<h3 id="derivations">Derivations</h3>
<ul class="derivation-list">
${rows}
</ul>
<h2>Also here</h2>
<ul><li><a href="api/index.html">API reference</a> (typedoc)</li><li><a href="examples/index.html">Examples</a></li><li><a href="guide/index.html">User guide</a> and <a href="reference/index.html">reference</a></li></ul>
</article>` });
}

/** Every relative href in our HTML must name an existing file, and every #fragment into our pages an existing id. */
function checkLinks(): void {
  const walk = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : f.endsWith('.html') ? [join(dir, f)] : []));
  const ids = new Map<string, Set<string>>();
  const idsOf = (f: string) => {
    if (!ids.has(f)) ids.set(f, new Set([...readFileSync(f, 'utf8').matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!)));
    return ids.get(f)!;
  };
  for (const file of walk(site)) {
    const html = readFileSync(file, 'utf8');
    if (html.includes('class="katex-error"')) errors.push(`${relative(root, file)} contains a katex-error element`);
    for (const m of html.matchAll(/href="([^"]*)"/g)) {
      const href = m[1]!;
      if (/^[a-z]+:/i.test(href) || href.startsWith('#') || href === '') continue;
      const [path, frag] = href.split('#');
      const target = resolve(dirname(file), path!);
      if (!existsSync(target)) { errors.push(`${relative(root, file)}: broken link ${href}`); continue; }
      const ours = !relative(site, target).startsWith('api');
      if (frag && ours && target.endsWith('.html') && !idsOf(target).has(decodeURIComponent(frag))) errors.push(`${relative(root, file)}: link ${href} names no element`);
    }
  }
}

async function main(): Promise<void> {
  const t0 = performance.now();
  rmSync(site, { recursive: true, force: true });
  mkdirSync(site, { recursive: true });
  checkBraces();
  const ds = loadDerivations(join(root, 'derivations'));
  const checks = allChecks();
  const results = new Map<string, StepResult>();
  const backlinks = new Map<string, StepLink[]>();
  for (const d of ds) {
    for (const s of d.steps) {
      const check = checks.get(s.key);
      if (!check) { errors.push(`${relative(root, d.file)}:${s.line}: step ${s.key} names no check in derivations/checks/`); continue; }
      const r = runStep(check);
      results.set(s.key, r);
      if (!r.passed) errors.push(`step ${s.key} (${relative(root, d.file)}:${s.line}) does not hold: ${describeResult(r, check)}`);
      for (const sym of check.implementedBy) {
        const list = backlinks.get(sym) ?? [];
        list.push({ key: s.key, label: `${d.title} — step ${s.number} (${s.key})`, href: `derivations/${d.slug}.html#${s.key}` });
        backlinks.set(sym, list);
      }
    }
  }
  for (const key of checks.keys()) if (!ds.some((d) => d.steps.some((s) => s.key === key))) errors.push(`check ${key} is used by no step`);
  if (errors.length) return finish(t0);
  console.log(`docs: ${results.size} steps checked (${((performance.now() - t0) / 1000).toFixed(1)} s); building the API reference…`);
  const { urls, backlinked, sourceFiles } = await buildApi(root, join(site, 'api'), backlinks);
  for (const [sym, steps] of backlinks) {
    if (!urls.has(sym)) errors.push(`${sym} (implements ${steps.map((s) => s.key).join(', ')}) is not in the API reference: export it and give it a doc comment`);
    else if (!backlinked.has(sym)) errors.push(`${sym}: its API entry did not get the links back to its steps`);
  }
  cpSync(join(root, 'node_modules', 'katex', 'dist', 'katex.min.css'), join(site, 'katex', 'katex.min.css'));
  cpSync(join(root, 'node_modules', 'katex', 'dist', 'fonts'), join(site, 'katex', 'fonts'), { recursive: true });
  for (const css of ['site.css', 'api-extra.css']) cpSync(join(root, 'docs', 'assets', css), join(site, css));
  ds.forEach((d, i) => write(`derivations/${d.slug}.html`, derivationPage(d, i, results, checks, urls)));
  const linked = new Set<string>(['src/verify/mutations.ts']);
  const sections: Record<Section, SectionPage[]> = {
    guide: ordered(renderSection(pagesMd, root, 'guide', linked, errors)),
    reference: ordered([...renderSection(pagesMd, root, 'reference', linked, errors), commandsPage(), mutationsPage()]),
  };
  for (const section of ['guide', 'reference'] as const) {
    write(`${section}/index.html`, sectionIndex(section, sections[section]));
    sections[section].forEach((p, i, all) => write(`${section}/${p.slug}.html`, sectionPage(p, i, all)));
  }
  const sources = [...new Set([...checks.keys()].map((k) => checkLocation(k).file).concat(['derivations/derivations.test.ts', 'derivations/mutations.test.ts', 'derivations/framework/step.ts'], [...sourceFiles].sort(), [...linked].sort()))];
  for (const f of sources) write(sourcePage(f), page({ title: f, depth: f.split('/').length, body: `<article><h1><code>${esc(f)}</code></h1>${sourceListing(readFileSync(join(root, f), 'utf8'))}</article>` }));
  write('examples/index.html', examplesPage(runExamples()));
  write('index.html', indexPage(ds, results, checks, sections));
  checkLinks();
  finish(t0);
}

function finish(t0: number): void {
  const all = [...texErrors.map((e) => `KaTeX: ${e}`), ...errors];
  if (all.length) {
    console.error(`docs: the build failed with ${all.length} error(s):\n- ${all.join('\n- ')}`);
    process.exitCode = 1;
    return;
  }
  console.log(`docs: built ${relative(root, site)}/ in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

await main();
