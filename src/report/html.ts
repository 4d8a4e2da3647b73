/**
 * The HTML report: one self-contained page template (inline CSS, inline SVG, no script, no
 * external request — it opens from a file, offline) used by every HTML output of pgtruth, and
 * the learning-curve page that `pgtruth train --html` and `examples/exact-learning-curve.ts`
 * write: J_n against J*, the per-update exact KL on a log axis beside the learner's k3
 * estimate, the exact entropy, and a table of the final values (issue 11, items 3 and 5).
 *
 * @module
 */
import { writeFileSync } from 'node:fs';
import type { Curve, CurveRecord } from '../algorithms/curve.js';
import { fail, show } from '../errors.js';
import { num, sci } from './format.js';
import { linePlotSVG, PALETTE, xmlEscape, type Series } from './svg.js';

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d1d1d;margin:0;background:#fafafa}
main{max-width:1200px;margin:0 auto;padding:20px 28px 48px}
h1{font-size:22px;margin:8px 0 4px}h2{font-size:17px;margin:28px 0 8px}
p.subtitle{color:#555;margin:0 0 16px}
.plots{display:flex;flex-wrap:wrap;gap:16px}
figure{margin:0;background:#fff;border:1px solid #ddd;border-radius:4px;padding:6px}
figcaption{font-size:12px;color:#555;max-width:560px;padding:4px 6px}
table{border-collapse:collapse;background:#fff;font-size:13px}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:right;vertical-align:top}
th{background:#f0f0f0}td.text,th.text{text-align:left}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
footer{margin-top:32px;color:#777;font-size:12px}
`;

/** What the page template holds: a title, an optional subtitle (plain text), and HTML sections. */
export interface PageSpec {
  readonly title: string;
  readonly subtitle?: string;
  /** HTML fragments (already escaped), one after the other inside `<main>`. */
  readonly sections: readonly string[];
}

/** The page template of every HTML output: a complete, self-contained HTML5 document. */
export function htmlPage(p: PageSpec): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${xmlEscape(p.title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>${xmlEscape(p.title)}</h1>
${p.subtitle ? `<p class="subtitle">${xmlEscape(p.subtitle)}</p>` : ''}
${p.sections.join('\n')}
<footer>Written by pgtruth: exact quantities on tabular MDPs. Self-contained: no script, no external request.</footer>
</main>
</body>
</html>
`;
}

/** A figure: an inline SVG with a caption. */
export function figure(svg: string, caption: string): string {
  return `<figure>${svg}<figcaption>${xmlEscape(caption)}</figcaption></figure>`;
}

/** An HTML table; cells are plain text (escaped); `textColumns` are left-aligned. */
export function htmlTable(cls: string, header: readonly string[], rows: readonly (readonly string[])[], textColumns: readonly number[] = []): string {
  const cell = (tag: 'td' | 'th', s: string, j: number) => `<${tag}${textColumns.includes(j) ? ' class="text"' : ''}>${xmlEscape(s)}</${tag}>`;
  return `<table class="${xmlEscape(cls)}"><thead><tr>${header.map((h, j) => cell('th', h, j)).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c, j) => cell('td', c, j)).join('')}</tr>`).join('')}</tbody></table>`;
}

/** Throws `REPORT_OUTPUT` unless there is a curve, every curve has records, and every number that is drawn is finite. */
export function checkCurves(curves: readonly Curve[]): void {
  if (!Array.isArray(curves) || curves.length === 0) fail('REPORT_OUTPUT', 'a learning-curve report needs at least one curve, got none', { where: 'curves', value: Array.isArray(curves) ? 0 : curves });
  curves.forEach((c, i) => {
    if (!c || !Array.isArray(c.records) || c.records.length === 0) fail('REPORT_OUTPUT', `curves[${i}] (${show(c?.algo)}) has no record`, { where: `curves[${i}].records` });
    if (!Number.isFinite(c.JStar)) fail('REPORT_OUTPUT', `curves[${i}].JStar is ${show(c.JStar)}: expected a finite number`, { where: `curves[${i}].JStar`, value: c.JStar });
    c.records.forEach((r: CurveRecord, k: number) => {
      for (const key of ['update', 'samples', 'J', 'gap', 'entropy'] as const) {
        if (!Number.isFinite(r[key])) fail('REPORT_OUTPUT', `curves[${i}].records[${k}].${key} is ${show(r[key])}: expected a finite number`, { where: `curves[${i}].records[${k}].${key}`, value: r[key] });
      }
      for (const key of ['klExact', 'klK3'] as const) {
        const v = r[key];
        if (v !== null && v !== undefined && !Number.isFinite(v)) fail('REPORT_OUTPUT', `curves[${i}].records[${k}].${key} is ${show(v)}: expected a finite number or null`, { where: `curves[${i}].records[${k}].${key}`, value: v });
      }
    });
  });
}

/** The x axis of the plots: environment samples when every curve sampled, else the update count. */
export function curveAxis(curves: readonly Curve[]): 'samples' | 'update' {
  return curves.every((c) => c.records[c.records.length - 1]!.samples > 0) ? 'samples' : 'update';
}

/** A curve's legend label: the algorithm, and the MDP and seed where they tell curves apart. */
function curveLabel(c: Curve, curves: readonly Curve[]): string {
  const mdps = new Set(curves.map((x) => x.mdp)).size, seeds = new Set(curves.map((x) => x.seed)).size;
  return [c.algo, mdps > 1 ? c.mdp : '', seeds > 1 ? `seed ${c.seed}` : ''].filter(Boolean).join(' · ');
}

/** The compact hyperparameter list of a curve, `key=value, …`. */
function hyperparameterText(h: Readonly<Record<string, unknown>>): string {
  return Object.entries(h).map(([k, v]) => `${k}=${typeof v === 'number' ? num(v, 6) : typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ');
}

/** The learning-curve page as an HTML string (see {@link writeLearningCurvesHtml}). */
export function learningCurvesHtml(curves: readonly Curve[], options: { title?: string } = {}): string {
  checkCurves(curves);
  const axis = curveAxis(curves);
  const xLabel = axis === 'samples' ? 'environment samples' : 'update n';
  const x = (c: Curve) => c.records.map((r) => r[axis]);
  const labels = curves.map((c) => curveLabel(c, curves));
  const color = (i: number) => PALETTE[i % PALETTE.length]!;
  // one J* line per distinct J* (curves on the same MDP share it)
  const stars = [...new Map(curves.map((c, i) => [c.JStar, i])).entries()];
  const jPlot = linePlotSVG({
    id: 'J', title: 'Exact J(θₙ) against J*', xLabel, yLabel: 'J(θₙ)',
    series: curves.map((c, i) => ({ label: labels[i]!, x: x(c), y: c.records.map((r) => r.J), color: color(i) })),
    references: stars.map(([J, i]) => ({ label: stars.length > 1 ? `J* (${curves[i]!.mdp})` : 'J*', y: J, color: stars.length > 1 ? color(i) : '#c0392b' })),
  });
  const klSeries: Series[] = [];
  curves.forEach((c, i) => {
    klSeries.push({ label: `${labels[i]} exact KL`, x: x(c), y: c.records.map((r) => r.klExact), color: color(i) });
    if (c.records.some((r) => r.klK3 !== null && r.klK3 !== undefined)) klSeries.push({ label: `${labels[i]} k3 estimate`, x: x(c), y: c.records.map((r) => r.klK3 ?? null), color: color(i), dashed: true });
  });
  const klPlot = linePlotSVG({ id: 'kl', title: 'Per-update KL(πₙ₋₁ ‖ πₙ), log scale', xLabel, yLabel: 'KL (log₁₀ axis)', series: klSeries, yLog: true });
  const hPlot = linePlotSVG({
    id: 'entropy', title: 'Exact entropy of πₙ', xLabel, yLabel: 'Σ_s d(s) H(πₙ(·|s))',
    series: curves.map((c, i) => ({ label: labels[i]!, x: x(c), y: c.records.map((r) => r.entropy), color: color(i) })),
  });
  const rows = curves.map((c, i) => {
    const last = c.records[c.records.length - 1]!;
    const fmt = (v: number | null | undefined) => (v === null || v === undefined ? '—' : sci(v, 3));
    return [labels[i]!, c.mdp, String(c.seed), String(last.update), String(last.samples), num(last.J, 8), num(c.JStar, 8), sci(last.gap, 3), fmt(last.klExact), fmt(last.klK3), num(last.entropy, 6), hyperparameterText(c.hyperparameters)];
  });
  const sections = [
    `<section class="plots">
${figure(jPlot, 'The exact objective J(θₙ) = Σ_s p0(s) V^πₙ(s) after every update; dotted: J* from policy iteration.')}
${figure(klPlot, 'Solid: the exact d-weighted KL Σ_s d_πₙ₋₁(s) KL(πₙ₋₁(·|s) ‖ πₙ(·|s)) of update n. Dashed: the learner\'s sampled k3 estimate of the same KL, where it logs one. Zero KLs are not drawn on the log axis.')}
${figure(hPlot, 'The exact d-weighted entropy Σ_s d_πₙ(s) H(πₙ(·|s)) of the policy after update n.')}
</section>`,
    `<section><h2>Final values</h2>${htmlTable('final-values', ['curve', 'MDP', 'seed', 'updates', 'samples', 'J', 'J*', 'gap J* − J', 'exact KL (last update)', 'k3 (last update)', 'entropy', 'hyperparameters'], rows, [0, 1, 11])}</section>`,
  ];
  const mdps = [...new Set(curves.map((c) => c.mdp))].join(', ');
  return htmlPage({ title: options.title ?? `Exact learning curves: ${mdps}`, subtitle: `${curves.length} curve${curves.length > 1 ? 's' : ''}; every point is an exact quantity of the policy after that update (x axis: ${xLabel}).`, sections });
}

/**
 * Writes the learning-curve page to `file`: one self-contained HTML page with SVG plots of
 * J_n against J*, the per-update exact KL on a log axis beside the learner's k3 estimate,
 * the exact entropy, with legends and ticks, and a table of the final values. Throws
 * `REPORT_OUTPUT` for no curve, an empty curve, a non-finite number, or a file that cannot
 * be written.
 */
export function writeLearningCurvesHtml(file: string, curves: readonly Curve[], options?: { title?: string }): void {
  const html = learningCurvesHtml(curves, options ?? {});
  writeHtml(file, html);
}

/** Writes an HTML page; a failure is `REPORT_OUTPUT` naming the file. */
export function writeHtml(file: string, html: string): void {
  if (typeof file !== 'string' || file.trim() === '') fail('REPORT_OUTPUT', `the report file name is ${show(file)}: expected a path`, { where: 'file', value: file });
  try {
    writeFileSync(file, html);
  } catch (e) {
    fail('REPORT_OUTPUT', `cannot write the report to ${show(file)} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { where: 'file', value: file });
  }
}
