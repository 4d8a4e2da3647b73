// The site's Markdown sections and generated pages, without a browser: the CLI page says
// exactly what the CLI prints for --help, the catalogue page has one row per mutant, and
// links are rewritten (x.md → x.html; other repository files → their source pages; a link
// to a missing file is an error).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { MUTATIONS } from '../src/verify/mutations.js';
import { allChecks } from '../derivations/checks/index.js';
import { apiTopics } from './lib/api-topics.js';
import { esc } from './lib/layout.js';
import { commandsPage, helpTexts, mutationsPage, sitePlugin, slugify, type LinkEnv } from './lib/pages.js';

const root = fileURLToPath(new URL('..', import.meta.url));

async function printed(argv: string[]): Promise<string> {
  let out = '';
  await main(argv, (s) => { out += s; }, () => {});
  return out;
}

describe('the generated reference pages', () => {
  it('the command-line page holds, for each command, exactly what `pgtruth … --help` prints', async () => {
    const page = commandsPage().body;
    for (const h of helpTexts()) {
      const argv = h.command.split(' ').slice(1);
      expect((await printed(argv)).trimEnd(), h.command).toBe(h.text);
      expect(page).toContain(`<pre class="help">${esc(h.text)}</pre>`);
    }
    expect(helpTexts().map((h) => h.command.split(' ')[1])).toEqual(['--help', 'report', 'exact', 'check', 'mirror', 'train', 'mdp']);
  });

  it('the mutation catalogue page has one row per mutant, each with its twin and where it shows', () => {
    const body = mutationsPage().body;
    expect([...body.matchAll(/<tr id="mutant\./g)].length).toBe(MUTATIONS.length);
    for (const m of MUTATIONS) {
      const row = body.split(`<tr id="${m.id}">`)[1]!.split('</tr>')[0]!;
      expect(row).toContain(`<code>${esc(m.twin)}</code>`);
      expect(row).toContain(esc(m.where));
      expect(row).not.toContain('<td>—</td>'); // every mutant is named by some claim's control
    }
  });
});

describe('links in the guide and the reference', () => {
  const md = new MarkdownIt();
  md.use((m: MarkdownIt) => sitePlugin(m, root));
  const render = (text: string) => {
    const env = { file: join(root, 'docs', 'guide', 'x.md'), depth: 1, sources: new Set<string>(), errors: [] as string[] } satisfies LinkEnv;
    return { html: md.render(text, env), env };
  };

  it('x.md becomes x.html (fragment kept); another repository file becomes its source page', () => {
    const { html, env } = render('[a](../reference/cli.md#pgtruth-check) [b](vitest.md) [c](../../src/errors.ts) [d](https://example.org/x.md) [e](#here) [f](../../bench/README.md)');
    expect(html).toContain('href="../reference/benchmarks.html"');
    expect(html).toContain('href="../reference/cli.html#pgtruth-check"');
    expect(html).toContain('href="../guide/vitest.html"');
    expect(html).toContain('href="../source/src/errors.ts.html"');
    expect(html).toContain('href="https://example.org/x.md"');
    expect(html).toContain('href="#here"');
    expect([...env.sources]).toEqual(['src/errors.ts']);
    expect(env.errors).toEqual([]);
  });

  it('a link to a file that does not exist is an error', () => {
    const { env } = render('[x](../../src/no-such-file.ts)');
    expect(env.errors).toHaveLength(1);
    expect(env.errors[0]).toContain('no-such-file.ts');
  });

  it('headings get GitHub-style ids, numbered when repeated', () => {
    const { html } = render('## `pgtruth check` — your own estimator\n\n## Options\n\n## Options');
    expect(html).toContain('<h2 id="pgtruth-check--your-own-estimator">');
    expect(html).toContain('<h2 id="options">');
    expect(html).toContain('<h2 id="options-1">');
    expect(slugify('pgtruth mirror --help')).toBe('pgtruth-mirror---help');
  });
});

describe('the API reference\'s modules', () => {
  it('docs/api-internals.ts documents exactly the symbols derivation steps implement that the public entry leaves out', () => {
    const publicNames = new Set(apiTopics(readFileSync(join(root, 'src', 'index.ts'), 'utf8')).flatMap((t) => t.names));
    const implemented = new Set([...allChecks().values()].flatMap((c) => c.implementedBy.map((s) => s.split('.')[0]!)));
    const internals = [...readFileSync(join(root, 'docs', 'api-internals.ts'), 'utf8').matchAll(/^export \{([^}]*)\}/gm)].flatMap((m) => m[1]!.split(',').map((x) => x.trim()));
    expect(internals.filter((n) => publicNames.has(n)), 'public names need no internal entry').toEqual([]);
    expect(new Set(internals)).toEqual(new Set([...implemented].filter((n) => !publicNames.has(n))));
  });
});
