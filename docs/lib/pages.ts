/**
 * The site's Markdown sections — the reference (docs/reference/*.md, and the benchmarks of
 * bench/README.md) and the user guide (docs/guide/*.md) — and the generated reference pages that cannot drift from the code:
 * the command-line help (the very constants the CLI prints) and the mutation catalogue
 * (src/verify/mutations.ts).
 *
 * Links between Markdown pages are rewritten from `x.md` to `x.html`; a link to any other
 * file of the repository becomes a link to its rendered source listing (`source/<path>.html`),
 * which the build then writes. Headings get GitHub-style ids, so `page.md#a-heading` works.
 *
 * @module
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type MarkdownIt from 'markdown-it';
import { MAIN_HELP } from '../../src/cli/main.js';
import { CHECK_HELP } from '../../src/cli/commands/check.js';
import { EXACT_HELP } from '../../src/cli/commands/exact.js';
import { MDP_HELP } from '../../src/cli/commands/mdp.js';
import { MIRROR_HELP } from '../../src/cli/commands/mirror.js';
import { REPORT_HELP } from '../../src/cli/commands/report.js';
import { trainHelpText } from '../../src/cli/commands/train.js';
import { builtinNames } from '../../src/cli/io.js';
import { defaultClaims } from '../../src/verify/claims/index.js';
import { MUTATIONS } from '../../src/verify/mutations.js';
import { esc } from './layout.js';

/** A section of Markdown pages: its folder under docs/ (and under the site), its title. */
export type Section = 'reference' | 'guide';

/** The order pages are listed in; pages not named here follow, alphabetically. */
export const PAGE_ORDER: Record<Section, readonly string[]> = {
  guide: ['checking-your-estimator', 'python', 'vitest', 'exact-learning-curves'],
  reference: ['cli', 'commands', 'formats', 'sampling', 'statistics', 'library', 'mutations', 'derivations', 'tests', 'benchmarks', 'environments', 'continuous', 'neural', 'learners', 'check', 'group'],
};

/** One page of a section, rendered: its slug, title, one-line summary and HTML body. */
export interface SectionPage { readonly section: Section; readonly slug: string; readonly title: string; readonly titleHtml: string; readonly summary: string; readonly body: string }

/** GitHub-style heading slug: lower case, punctuation dropped, spaces to hyphens. */
export function slugify(text: string): string {
  return text.trim().toLowerCase().replace(/<[^>]+>/g, '').replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

/**
 * Adds heading ids and rewrites relative links. `env.file` is the Markdown file being
 * rendered, `env.depth` the output page's depth below the site root; files linked outside
 * the two sections are added to `env.sources` (paths relative to the repository root).
 */
export function sitePlugin(md: MarkdownIt, root: string): void {
  md.core.ruler.push('heading_ids', (state) => {
    const seen = new Map<string, number>();
    const ts = state.tokens;
    for (let i = 0; i < ts.length; i++) {
      if (ts[i]!.type !== 'heading_open') continue;
      const base = slugify(ts[i + 1]!.children?.filter((t) => t.type === 'text' || t.type === 'code_inline').map((t) => t.content).join('') ?? '');
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      ts[i]!.attrSet('id', n ? `${base}-${n}` : base);
    }
  });
  const defaultLink = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
  md.renderer.rules.link_open = (tokens, idx, options, env: LinkEnv, self) => {
    const href = tokens[idx]!.attrGet('href');
    if (href && env?.file && !/^[a-z]+:/i.test(href) && !href.startsWith('#')) tokens[idx]!.attrSet('href', rewriteLink(root, env, href));
    return defaultLink(tokens, idx, options, env, self);
  };
}

/** What the link rewriter needs to know about the page being rendered. */
export interface LinkEnv { readonly file?: string; readonly depth?: number; readonly sources?: Set<string>; readonly where?: string; readonly errors?: string[] }

function rewriteLink(root: string, env: LinkEnv, href: string): string {
  const [path, frag] = href.split('#') as [string, string | undefined];
  const target = resolve(dirname(env.file!), path);
  const rel = relative(root, target).replaceAll('\\', '/');
  const up = '../'.repeat(env.depth ?? 0);
  const hash = frag ? `#${frag}` : '';
  const m = /^docs\/(reference|guide)\/([^/]+)\.md$/.exec(rel);
  if (m) return `${up}${m[1]}/${m[2]}.html${hash}`;
  const extra = Object.entries(EXTRA_REFERENCE).find(([, p]) => p === rel);
  if (extra) return `${up}reference/${extra[0]}.html${hash}`;
  if (!existsSync(target) || rel.startsWith('..')) {
    env.errors?.push(`${env.where ?? env.file}: the link ${href} names no file of the repository`);
    return href;
  }
  if (statSync(target).isDirectory()) return href;
  env.sources?.add(rel);
  return `${up}source/${rel}.html${hash}`;
}

/** The first paragraph's first sentence, as plain text (for the section's index). */
function summaryOf(text: string): string {
  const para = text.split(/\n\s*\n/).map((p) => p.trim()).find((p) => p && !p.startsWith('#') && !p.startsWith('```') && !p.startsWith('|') && !p.startsWith('-') && !p.startsWith('$$')) ?? '';
  const plain = para.replace(/\s+/g, ' ').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[`*]/g, '');
  const sentence = /^(.*?[.:])(\s|$)/.exec(plain)?.[1] ?? plain;
  return sentence.length > 220 ? `${sentence.slice(0, 217)}…` : sentence;
}

/** Markdown files kept elsewhere in the repository that the reference shows as pages: slug → path. */
export const EXTRA_REFERENCE: Readonly<Record<string, string>> = { benchmarks: 'bench/README.md' };

/** Renders every docs/<section>/*.md file (in {@link PAGE_ORDER}), collecting linked source files. */
export function renderSection(md: MarkdownIt, root: string, section: Section, sources: Set<string>, errors: string[]): SectionPage[] {
  const dir = join(root, 'docs', section);
  if (!existsSync(dir)) return [];
  const files: [string, string][] = readdirSync(dir).filter((f) => f.endsWith('.md')).map((f) => [f, join(dir, f)]);
  if (section === 'reference') for (const [slug, path] of Object.entries(EXTRA_REFERENCE)) files.push([`${slug}.md`, join(root, path)]);
  return files.map(([f, file]) => {
    const text = readFileSync(file, 'utf8');
    const heading = /^#\s+(.*)$/m.exec(text)?.[1]?.trim() ?? f;
    const env: LinkEnv = { file, depth: 1, sources, where: relative(root, file), errors };
    return { section, slug: f.slice(0, -3), title: heading.replace(/`/g, ''), titleHtml: md.renderInline(heading, { where: relative(root, file) }), summary: summaryOf(text.replace(/^#\s+.*$/m, '')), body: md.render(text, env) };
  });
}

/** Sorts pages into {@link PAGE_ORDER}, unknown ones last and alphabetically. */
export function ordered(pages: SectionPage[]): SectionPage[] {
  const rank = (p: SectionPage) => { const i = PAGE_ORDER[p.section].indexOf(p.slug); return i < 0 ? PAGE_ORDER[p.section].length : i; };
  return [...pages].sort((a, b) => rank(a) - rank(b) || a.slug.localeCompare(b.slug));
}

/** The help texts, as the CLI prints them for `--help` (the same substitutions). */
export function helpTexts(): { command: string; text: string }[] {
  const builtin = builtinNames();
  return [
    { command: 'pgtruth --help', text: MAIN_HELP },
    { command: 'pgtruth report --help', text: REPORT_HELP },
    { command: 'pgtruth exact --help', text: EXACT_HELP.replace('${BUILTIN}', builtin) },
    { command: 'pgtruth check --help', text: CHECK_HELP },
    { command: 'pgtruth mirror --help', text: MIRROR_HELP.replace('${BUILTIN}', builtin) },
    { command: 'pgtruth train --help', text: trainHelpText() },
    { command: 'pgtruth mdp --help', text: MDP_HELP },
  ];
}

/** The generated page of every command's help text. */
export function commandsPage(): SectionPage {
  const helps = helpTexts();
  const body = `<h1 id="command-line-help">Command-line help</h1>
<p>This page is generated from the help texts the CLI prints (<code>MAIN_HELP</code> in <code>src/cli/main.ts</code> and each command's <code>*_HELP</code> in <code>src/cli/commands/</code>), so it says what <code>pgtruth &lt;command&gt; --help</code> says in this build. The <code>pgtruth check</code> interface, the formats and worked examples are in <a href="cli.html">The command line</a>.</p>
<ul>${helps.map((h) => `<li><a href="#${slugify(h.command)}"><code>${esc(h.command)}</code></a></li>`).join('')}</ul>
${helps.map((h) => `<h2 id="${slugify(h.command)}"><code>${esc(h.command)}</code></h2>\n<pre class="help">${esc(h.text)}</pre>`).join('\n')}`;
  return { section: 'reference', slug: 'commands', title: 'Command-line help', titleHtml: 'Command-line help', summary: 'every command\'s --help, generated from the text the CLI prints.', body };
}

/**
 * The generated mutation catalogue. "In the control of" names the default suite's claims
 * whose negative control names the mutant's id — the rule of the report's mutation table
 * (`mutationCoverage` in src/report/verdicts.ts), applied to the claims' stated controls
 * without running them.
 */
export function mutationsPage(): SectionPage {
  const claims = defaultClaims();
  const rows = MUTATIONS.map((m) => {
    const by = claims.filter((c) => c.control.description.includes(m.id)).map((c) => `<code>${esc(c.id)}</code>`);
    return `<tr id="${esc(m.id)}"><td><code>${esc(m.id)}</code><br><span class="muted">${esc(m.kind)}; twin <code>${esc(m.twin)}</code></span></td><td>${esc(m.description)}${m.seenIn ? `<br><span class="muted">seen in: ${esc(m.seenIn)}</span>` : ''}</td><td>${esc(m.where)}</td><td>${m.detectedBy === 'mean' ? 'a mean test (bias)' : 'a variance-order test'}</td><td>${by.join(', ') || '—'}</td></tr>`;
  });
  const nMean = MUTATIONS.filter((m) => m.detectedBy === 'mean').length;
  const body = `<h1 id="the-mutation-catalogue">The mutation catalogue</h1>
<p>Generated from <a href="../source/src/verify/mutations.ts.html"><code>src/verify/mutations.ts</code></a>: ${MUTATIONS.length} wrong estimators modelled on bugs public RL libraries have shipped, each beside its correct twin with the same signature, so that a check runs both on the same batches and must reject the mutant and pass the twin. ${nMean} are biased (a mean test must catch them); ${MUTATIONS.length - nMean} are unbiased with a larger variance (only a variance-order test can tell them apart). Each shows only where the third column says; elsewhere it equals its twin exactly.</p>
<p>The last column lists the claims of the default suite (<code>npm start</code>) whose negative control names the mutant; <code>pgtruth report</code> prints whether each was rejected. A "—" would mean that no control names it.</p>
<div class="wide"><table class="md-table catalogue"><thead><tr><th>id, kind, correct twin</th><th>the bug</th><th>where it shows</th><th>detected by</th><th>in the control of</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></div>`;
  return { section: 'reference', slug: 'mutations', title: 'The mutation catalogue', titleHtml: 'The mutation catalogue', summary: `the ${MUTATIONS.length} mutants of src/verify/mutations.ts, generated: the bug, its twin, what detects it, where it shows.`, body };
}
