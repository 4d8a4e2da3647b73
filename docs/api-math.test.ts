// Doc comments carry formulas in KaTeX: the API build renders them server-side, and a KaTeX
// error in a doc comment is collected (the docs build then fails), never swallowed.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import MarkdownIt from 'markdown-it';
import { buildApi } from './lib/api.js';
import { mathPlugin, texErrors } from './lib/tex.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'pgtruth-api-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('KaTeX in doc comments', () => {
  it('renders inline and display math, \\lbrace/\\rbrace included, with no error', async () => {
    texErrors.length = 0;
    const links = new Map([['discountedReturn', [{ key: 'x.y', label: 'a step', href: 'derivations/x.html#x.y' }]]]);
    const { urls, backlinked } = await buildApi(root, join(out, 'good'), links, { entryPoints: ['docs/fixtures/math-comment.ts'], tsconfig: 'docs/fixtures/tsconfig.json' });
    expect(texErrors).toEqual([]);
    const html = readFileSync(join(out, 'good', urls.get('discountedReturn')!.replace(/^api\//, '')), 'utf8');
    expect(html.match(/class="katex"/g)?.length).toBeGreaterThanOrEqual(3);
    expect(html).toContain('katex-display');
    expect(html).not.toContain('katex-error');
    expect(html).not.toContain('$G_t');
    expect(html).toContain('href="../../derivations/x.html#x.y"');
    expect(backlinked.has('discountedReturn')).toBe(true);
  }, 120_000);

  it('collects a KaTeX error in a doc comment instead of swallowing it', async () => {
    texErrors.length = 0;
    await buildApi(root, join(out, 'bad'), new Map(), { entryPoints: ['docs/fixtures/bad-math.ts'], tsconfig: 'docs/fixtures/tsconfig.json' });
    // each error once per place it is rendered: the entry's page and its one-line summary in the index
    expect(new Set(texErrors).size).toBe(2);
    expect(texErrors.join('\n')).toContain('\\undefinedmacro');
  }, 120_000);

  it('the Markdown math plugin renders $…$ and $$…$$ and leaves code alone', () => {
    texErrors.length = 0;
    const md = new MarkdownIt();
    md.use((m: MarkdownIt) => mathPlugin(m, 'test'));
    const html = md.render('A $x_1 + y_1$ and `$not math$`.\n\n$$\na_t = b_t\n$$\n');
    expect(html.match(/class="katex"/g)?.length).toBe(2);
    expect(html).toContain('<code>$not math$</code>');
    expect(html).not.toContain('<em>');
    md.render('$\\frac{1}{$', { where: 'here' });
    expect(texErrors).toEqual([expect.stringContaining('here')]);
  });
});
