/**
 * The API reference: typedoc 0.28 run programmatically, with
 * - KaTeX in doc comments (our math plugin in typedoc's markdown-it, so errors are collected),
 * - the KaTeX stylesheet in every page,
 * - after the comment of every function that implements a derivation step, links back to
 *   those steps,
 * and it reports the URL of every documented symbol, so that steps can link to their API entry.
 *
 * @module
 */
import { Application, DeclarationReflection, JSX, Reflection, ReflectionKind, SignatureReflection } from 'typedoc';
import { mathPlugin } from './tex.js';
import { esc } from './layout.js';

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

/** The package's entry points and tsconfig. */
export const API_PROJECT = { entryPoints: ['src/index.ts', 'src/arbitraries/index.ts'], tsconfig: 'tsconfig.json' };

const upFrom = (url: string) => '../'.repeat(url.split('/').length - 1);

/**
 * Builds the API reference into `out` (`<site>/api`). `backlinks` maps symbol names to the
 * steps they implement. Returns, for each documented symbol, its URL relative to the site root.
 */
export async function buildApi(root: string, out: string, backlinks: ReadonlyMap<string, readonly StepLink[]>, sources: { entryPoints: string[]; tsconfig: string } = API_PROJECT): Promise<{ urls: Map<string, string>; backlinked: Set<string> }> {
  const app = await Application.bootstrapWithPlugins({
    entryPoints: sources.entryPoints.map((e) => `${root}/${e}`),
    tsconfig: `${root}/${sources.tsconfig}`,
    out,
    name: 'pgtruth API reference',
    readme: 'none',
    logLevel: 'Warn',
    excludePrivate: true,
    hideGenerator: true,
    markdownItLoader: (parser: unknown) => mathPlugin(parser as Parameters<typeof mathPlugin>[0], 'API doc comment'),
  });
  const urls = new Map<string, string>();
  const backlinked = new Set<string>();
  const raw = (html: string) => JSX.createElement(JSX.Raw, { html });
  app.renderer.hooks.on('head.end', (ctx) => raw(`<link rel="stylesheet" href="${upFrom(ctx.page.url)}../katex/katex.min.css"><link rel="stylesheet" href="${upFrom(ctx.page.url)}../api-extra.css">`));
  app.renderer.hooks.on('content.begin', (ctx) => raw(`<p class="pgtruth-site-links"><a href="${upFrom(ctx.page.url)}../index.html">pgtruth</a> · <a href="${upFrom(ctx.page.url)}../index.html#derivations">Derivations</a> · <a href="${upFrom(ctx.page.url)}../examples/index.html">Examples</a></p>`));
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
  await app.generateDocs(project, out);
  if (app.logger.hasErrors()) throw new Error('typedoc reported errors (see above)');
  return { urls, backlinked: new Set([...backlinked].map((k) => k.split('|')[1]!)) };
}
