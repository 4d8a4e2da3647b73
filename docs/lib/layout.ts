/**
 * The HTML shell of the site's own pages (the API reference is typedoc's).
 * @module
 */

export const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The entries of the site's navigation bar. */
export const NAV = [['home', 'index.html', 'pgtruth'], ['guide', 'guide/index.html', 'Guide'], ['reference', 'reference/index.html', 'Reference'], ['derivations', 'index.html#derivations', 'Derivations'], ['api', 'api/index.html', 'API'], ['examples', 'examples/index.html', 'Examples']] as const;
export type NavKey = (typeof NAV)[number][0];

/** The navigation bar's links, `up` being the path from the page to the site root. */
export function navLinks(up: string, active?: NavKey): string {
  return NAV.map(([k, href, label]) => `<a href="${up}${href}"${active === k ? ' class="active"' : ''}>${label}</a>`).join('\n      ');
}

/** A page at `depth` folders below the site root. */
export function page(opts: { title: string; depth: number; body: string; active?: NavKey }): string {
  const up = '../'.repeat(opts.depth);
  const nav = navLinks(up, opts.active);
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${esc(opts.title)} — pgtruth</title>
  <link rel="stylesheet" href="${up}katex/katex.min.css">
  <link rel="stylesheet" href="${up}site.css">
</head>
<body>
  <header class="site-header">
    <nav>
      ${nav}
    </nav>
  </header>
  <main>
${opts.body}
  </main>
  <footer class="site-footer">Built by <code>npm run docs</code>. Every step marked <em>exact</em> or <em>checked</em> was computed by the code during this build.</footer>
</body>
</html>
`;
}

/** A source listing with a line anchor `L<n>` on every line. */
export function sourceListing(text: string): string {
  const lines = text.replace(/\n$/, '').split('\n');
  const rows = lines.map((l, i) => `<tr id="L${i + 1}"><td class="ln"><a href="#L${i + 1}">${i + 1}</a></td><td class="code">${esc(l) || ' '}</td></tr>`);
  return `<table class="source"><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}
