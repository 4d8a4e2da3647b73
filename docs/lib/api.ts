/**
 * The API reference: typedoc 0.28 run programmatically, with
 * - KaTeX in doc comments (our math plugin in typedoc's markdown-it, so errors are collected),
 * - the KaTeX stylesheet in every page,
 * - after the comment of every function that implements a derivation step, links back to
 *   those steps,
 * - the public entry's symbols grouped by the topic blocks of `src/index.ts` (page and sidebar),
 *   beside `pgtruth/arbitraries` and the internals the derivations name (docs/api-internals.ts),
 * and it reports the URL of every documented symbol, so that steps can link to their API entry.
 *
 * @module
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Application, DeclarationReflection, JSX, ProjectReflection, Reflection, ReflectionGroup, ReflectionKind, SignatureReflection } from 'typedoc';
import { apiTopics } from './api-topics.js';
import { mathPlugin } from './tex.js';
import { esc, navLinks } from './layout.js';

/** typedoc writes source links as `pgtruth-source:<path>#L<line>`; {@link buildApi} makes them relative links to the site's source pages. */
const SOURCE_SCHEME = 'pgtruth-source:';

/** A derivation step that a symbol implements: its label and URL relative to the site root. */
export interface StepLink { readonly key: string; readonly label: string; readonly href: string }

/** The name steps use for a reflection: `policyGradient`, or `Parameterization.addScore` for a member. */
function qualifiedName(r: Reflection): { name: string; decl: DeclarationReflection } | undefined {
  const decl = r instanceof SignatureReflection ? r.parent : r;
  if (!(decl instanceof DeclarationReflection)) return undefined;
  const owner = decl.parent;
  if (owner instanceof DeclarationReflection && owner.kindOf(ReflectionKind.ClassOrInterface)) return { name: `${owner.name}.${decl.name}`, decl };
  return { name: decl.name, decl };
}

/** The package's entry points and tsconfig: the public entry, the arbitraries, and the internals the derivations name. */
export const API_PROJECT = { entryPoints: ['src/index.ts', 'src/arbitraries/index.ts', 'docs/api-internals.ts'], tsconfig: 'docs/api-tsconfig.json' };

/**
 * Groups the children of the module built from `src/index.ts` by the topic blocks of that file,
 * in their order (typedoc's own groups are by kind: Functions, Interfaces, …). A child that no
 * block names is an error: the entry and its topics are one list.
 */
function groupByTopic(project: ProjectReflection, root: string, entry: string): void {
  const topics = apiTopics(readFileSync(join(root, entry), 'utf8'));
  // the entry's file comment names its module: `@module pgtruth`
  const target = (project.children ?? []).find((c) => c.kindOf(ReflectionKind.Module) && c.name === 'pgtruth');
  if (!target) throw new Error(`the API reference has no module for ${entry}`);
  const topicOf = new Map<string, number>();
  topics.forEach((t, i) => t.names.forEach((n) => topicOf.set(n, i)));
  const groups = topics.map((t) => {
    const g = new ReflectionGroup(t.title, target);
    g.description = [{ kind: 'text', text: t.description }];
    return g;
  });
  const unplaced: string[] = [];
  for (const child of target.children ?? []) {
    const i = topicOf.get(child.name);
    if (i === undefined) unplaced.push(child.name); else groups[i]!.children.push(child);
  }
  if (unplaced.length) throw new Error(`${entry}: ${unplaced.join(', ')} belong to no topic block`);
  for (const g of groups) g.children.sort((a, b) => a.name.localeCompare(b.name));
  target.groups = groups.filter((g) => g.children.length);
}

const upFrom = (url: string) => '../'.repeat(url.split('/').length - 1);

/**
 * Builds the API reference into `out` (`<site>/api`). `backlinks` maps symbol names to the
 * steps they implement. Returns, for each documented symbol, its URL relative to the site root.
 */
export async function buildApi(root: string, out: string, backlinks: ReadonlyMap<string, readonly StepLink[]>, sources: { entryPoints: string[]; tsconfig: string } = API_PROJECT): Promise<{ urls: Map<string, string>; backlinked: Set<string>; sourceFiles: Set<string> }> {
  const app = await Application.bootstrapWithPlugins({
    entryPoints: sources.entryPoints.map((e) => `${root}/${e}`),
    tsconfig: `${root}/${sources.tsconfig}`,
    out,
    name: 'pgtruth API reference',
    readme: 'none',
    logLevel: 'Warn',
    excludePrivate: true,
    hideGenerator: true,
    // "Defined in src/x.ts:NN" links to the site's own rendered source page, line NN
    disableGit: true,
    basePath: root,
    sourceLinkTemplate: `${SOURCE_SCHEME}{path}#L{line}`,
    lightHighlightTheme: 'github-light',
    darkHighlightTheme: 'github-light',
    markdownItLoader: (parser: unknown) => mathPlugin(parser as Parameters<typeof mathPlugin>[0], 'API doc comment'),
    useFirstParagraphOfCommentAsSummary: true,
    navigation: { includeGroups: true, includeCategories: false, includeFolders: false, compactFolders: false, excludeReferences: false },
  });
  const urls = new Map<string, string>();
  const backlinked = new Set<string>();
  const raw = (html: string) => JSX.createElement(JSX.Raw, { html });
  app.renderer.hooks.on('head.end', (ctx) => raw(`<link rel="stylesheet" href="${upFrom(ctx.page.url)}../katex/katex.min.css"><link rel="stylesheet" href="${upFrom(ctx.page.url)}../api-extra.css">`));
  // the site's own navigation bar above typedoc's toolbar
  app.renderer.hooks.on('body.begin', (ctx) => raw(`<header class="site-header pgtruth-site-links"><nav>${navLinks(`${upFrom(ctx.page.url)}../`, 'api')}</nav></header>`));
  app.renderer.hooks.on('comment.afterTags', (ctx, _comment, reflection) => {
    const q = qualifiedName(reflection);
    if (!q) return raw('');
    const onOwnPage = ctx.page.model === q.decl;
    const url = `api/${ctx.page.url}${onOwnPage ? '' : `#${q.decl.name.toLowerCase()}`}`;
    if (!urls.has(q.name)) urls.set(q.name, url);
    const steps = backlinks.get(q.name);
    const key = `${ctx.page.url}|${q.name}`;
    if (!steps?.length || backlinked.has(key)) return raw('');
    backlinked.add(key);
    const up = upFrom(ctx.page.url);
    const items = steps.map((s) => `<li><a class="derivation-backlink" href="${up}../${s.href}">${esc(s.label)}</a></li>`).join('');
    return raw(`<div class="derivation-steps"><h4>Derivation steps this implements</h4><ul>${items}</ul></div>`);
  });
  const project = await app.convert();
  if (!project) throw new Error('typedoc could not convert the project (see the messages above)');
  if (sources.entryPoints.includes('src/index.ts')) groupByTopic(project, root, 'src/index.ts');
  await app.generateDocs(project, out);
  if (app.logger.hasErrors()) throw new Error('typedoc reported errors (see above)');
  return { urls, backlinked: new Set([...backlinked].map((k) => k.split('|')[1]!)), sourceFiles: relinkSources(root, out) };
}

/** Rewrites every `pgtruth-source:` link under `out` to `<site>/source/<path>.html#L<n>`; returns the paths linked. */
function relinkSources(root: string, out: string): Set<string> {
  const files = new Set<string>();
  const walk = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : f.endsWith('.html') ? [join(dir, f)] : []));
  for (const file of walk(out)) {
    const html = readFileSync(file, 'utf8');
    if (!html.includes(SOURCE_SCHEME)) continue;
    const up = '../'.repeat(relative(out, file).split(/[\\/]/).length);
    // typedoc gives paths relative to the entry points' common folder (src/); only files of
    // the repository get a page — a symbol defined elsewhere (e.g. in @types/node) keeps its text, unlinked
    writeFileSync(file, html.replace(/href="pgtruth-source:([^"#]+)([^"]*)"/g, (_m, given: string, frag: string) => {
      const path = [given, `src/${given}`].find((p) => !p.startsWith('..') && !p.includes('node_modules') && existsSync(join(root, p)));
      if (!path) return `data-source="${given}${frag}"`;
      files.add(path);
      return `href="${up}source/${path}.html${frag}"`;
    }));
  }
  return files;
}
