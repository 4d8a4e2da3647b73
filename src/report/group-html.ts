/**
 * The learning-curve page of the group-relative learners (`pgtruth train … --algo grpo
 * --html FILE`): on the page template of ./html.ts, J_n against J*, the exact KL of π_n to
 * the reference policy (the `klRef` of each record's `extra`, written by
 * `src/algorithms/grpo.ts`), the exact value of every prompt, and a table of the final values.
 * One curve per variant (GRPO, Dr. GRPO, RLOO side by side) or per seed.
 *
 * @module
 */
import type { Curve } from '../algorithms/curve.js';
import { fail } from '../errors.js';
import { num, sci } from './format.js';
import { checkCurves, curveAxis, figure, htmlPage, htmlTable, writeHtml } from './html.js';
import { linePlotSVG, PALETTE, type Series } from './svg.js';

const label = (c: Curve, curves: readonly Curve[]) => (new Set(curves.map((x) => x.seed)).size > 1 ? `${c.algo} · seed ${c.seed}` : c.algo);

/** The page as an HTML string. Throws `REPORT_OUTPUT` for a curve without the exact KL to the reference in its records. */
export function groupCurvesHtml(curves: readonly Curve[], options: { title?: string } = {}): string {
  checkCurves(curves);
  curves.forEach((c, i) => c.records.forEach((r, k) => {
    if (!Number.isFinite(r.extra?.['klRef'])) fail('REPORT_OUTPUT', `curves[${i}].records[${k}] has no finite extra.klRef (the exact KL to the reference policy): is it a group learner's curve?`, { where: `curves[${i}].records[${k}].extra.klRef`, value: r.extra?.['klRef'] });
  }));
  const axis = curveAxis(curves), xLabel = axis === 'samples' ? 'tokens sampled' : 'update n';
  const x = (c: Curve) => c.records.map((r) => r[axis]);
  const color = (i: number) => PALETTE[i % PALETTE.length]!;
  const jPlot = linePlotSVG({
    id: 'J', title: 'Exact J(θₙ) against J*', xLabel, yLabel: 'J(θₙ)',
    series: curves.map((c, i) => ({ label: label(c, curves), x: x(c), y: c.records.map((r) => r.J), color: color(i) })),
    references: [{ label: 'J*', y: curves[0]!.JStar, color: '#c0392b' }],
  });
  const klSeries: Series[] = [];
  curves.forEach((c, i) => {
    klSeries.push({ label: `${label(c, curves)} KL(π‖π_ref)`, x: x(c), y: c.records.map((r) => r.extra!['klRef']!), color: color(i) });
    klSeries.push({ label: `${label(c, curves)} KL(π_ref‖π)`, x: x(c), y: c.records.map((r) => r.extra!['klRefReverse'] ?? null), color: color(i), dashed: true });
  });
  const klPlot = linePlotSVG({ id: 'klref', title: 'Exact KL of πₙ to the reference π_ref = π₀', xLabel, yLabel: 'Σ_s η(s) KL', series: klSeries });
  const promptKeys = [...new Set(curves.flatMap((c) => Object.keys(c.records[0]!.extra ?? {}).filter((k) => k.startsWith('J:'))))];
  const promptSeries: Series[] = [];
  curves.forEach((c, i) => promptKeys.forEach((key, j) => promptSeries.push({ label: `${label(c, curves)} ${key.slice(2)}`, x: x(c), y: c.records.map((r) => r.extra?.[key] ?? null), color: color(i), dashed: j % 2 === 1 })));
  const pPlot = linePlotSVG({ id: 'prompts', title: 'Exact value V(q) of every prompt', xLabel, yLabel: 'V^πₙ(q)', series: promptSeries });
  const rows = curves.map((c) => {
    const last = c.records[c.records.length - 1]!;
    return [label(c, curves), c.mdp, String(c.seed), String(last.update), String(last.samples), num(last.J, 6), num(c.JStar, 6), sci(last.gap, 3), sci(last.extra!['klRef']!, 3), ...promptKeys.map((k) => num(last.extra?.[k] ?? NaN, 4))];
  });
  const sections = [
    `<section class="plots">
${figure(jPlot, 'The exact objective J(θₙ) = Σ_q ρ(q) V^πₙ(q) after every update; dotted: J*.')}
${figure(klPlot, 'Solid: the exact sequence-level KL(πₙ‖π_ref) = Σ_s η_πₙ(s) KL(πₙ(·|s)‖π_ref(·|s)), the KL whose value GRPO\'s k3 term estimates (on a bandit, the prompt-weighted KL). Dashed: Σ_s η_πₙ(s) KL(π_ref(·|s)‖πₙ(·|s)), the KL whose per-state gradient the k3 loss term follows.')}
${figure(pPlot, 'The exact value of each prompt (solid and dashed alternate by prompt, colours by curve): where a variant spends its updates.')}
</section>`,
    `<section><h2>Final values</h2>${htmlTable('final-values', ['curve', 'MDP', 'seed', 'updates', 'tokens', 'J', 'J*', 'gap J* − J', 'KL(π‖π_ref)', ...promptKeys.map((k) => `V(${k.slice(2)})`)], rows, [0, 1])}</section>`,
  ];
  return htmlPage({ title: options.title ?? `Group-relative learners on ${curves[0]!.mdp}`, subtitle: `${curves.length} curve${curves.length > 1 ? 's' : ''}; every point is an exact quantity of the policy after that update.`, sections });
}

/** Writes {@link groupCurvesHtml} to `file` (`REPORT_OUTPUT` when it cannot). */
export function writeGroupCurvesHtml(file: string, curves: readonly Curve[], options?: { title?: string }): void {
  writeHtml(file, groupCurvesHtml(curves, options ?? {}));
}
