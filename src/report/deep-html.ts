/**
 * The HTML page of deep-learner runs on environments (`pgtruth train --env … --html FILE`,
 * `npm run bench:findings`): on the page template of `html.ts`, per run the mean return of the
 * last 100 training episodes against environment steps, the per-update k3 estimate of
 * KL(π_old ‖ π_new) on a log axis (Lehmann 2024's Fig. 5 quantity; TRPO's and V-MPO's exact mean
 * KL dashed beside it), and a table of the final values. There is no exact truth on these tasks:
 * every number is a measurement of the run.
 *
 * @module
 */
import type { TrainResult } from '../algorithms/deep/run.js';
import { fail } from '../errors.js';
import { num, sci } from './format.js';
import { figure, htmlPage, htmlTable, writeHtml } from './html.js';
import { linePlotSVG, PALETTE, type Series } from './svg.js';

/** The page as an HTML string; `labels[i]` names run i (default `algo seed s`). */
export function deepRunsHtml(runs: readonly TrainResult[], options: { title?: string; subtitle?: string; labels?: readonly string[] } = {}): string {
  if (runs.length === 0) fail('REPORT_OUTPUT', 'no run to draw', { where: 'runs', value: 0 });
  const labels = runs.map((r, i) => options.labels?.[i] ?? `${r.algo} seed ${r.seed}`);
  const color = (i: number) => PALETTE[i % PALETTE.length]!;
  const x = (r: TrainResult) => r.updates.map((u) => u.steps);
  const retPlot = linePlotSVG({
    id: 'return', title: 'Mean return of the last 100 training episodes', xLabel: 'environment steps', yLabel: 'return',
    series: runs.map((r, i) => ({ label: labels[i]!, x: x(r), y: r.updates.map((u) => u.recentReturn), color: color(i) })),
  });
  const klSeries: Series[] = [];
  runs.forEach((r, i) => {
    klSeries.push({ label: `${labels[i]} k3`, x: x(r), y: r.updates.map((u) => u.klK3), color: color(i) });
    if (r.updates.some((u) => u.extras?.klExact !== undefined)) klSeries.push({ label: `${labels[i]} exact`, x: x(r), y: r.updates.map((u) => u.extras?.klExact ?? null), color: color(i), dashed: true });
  });
  const klPlot = linePlotSVG({ id: 'kl', title: 'Per-update KL(π_old ‖ π_new), log scale', xLabel: 'environment steps', yLabel: 'KL (log₁₀ axis)', series: klSeries, yLog: true });
  const rows = runs.map((r, i) => {
    const last = r.updates[r.updates.length - 1]!;
    const kls = r.updates.map((u) => u.klK3).sort((a, b) => a - b);
    return [labels[i]!, r.env, String(r.seed), String(r.steps), r.finalReturn === null ? '—' : num(r.finalReturn, 6), sci(kls[Math.floor(kls.length / 2)]!, 3), sci(last.klK3, 3), `${r.seconds.toFixed(0)} s`];
  });
  const sections = [
    `<section class="plots">
${figure(retPlot, 'The mean undiscounted return of the last 100 episodes that ended by each update (training episodes, stochastic policy).')}
${figure(klPlot, 'Solid: the k3 estimate (1/B) Σ_t (ρ_t − 1 − log ρ_t) of KL(π_old ‖ π_new) on the update\'s batch. Dashed: TRPO\'s and V-MPO\'s exact mean KL over the batch\'s states (V-MPO: the last minibatch\'s). Zero KLs are not drawn on the log axis.')}
</section>`,
    `<section><h2>Final values</h2>${htmlTable('final-values', ['run', 'task', 'seed', 'steps', 'return (last 100 episodes)', 'median k3 KL per update', 'k3 KL (last update)', 'wall'], rows, [0, 1])}</section>`,
  ];
  return htmlPage({ title: options.title ?? `Deep learners on ${[...new Set(runs.map((r) => r.env))].join(', ')}`, subtitle: options.subtitle ?? `${runs.length} run${runs.length > 1 ? 's' : ''}; measured, not exact: there is no closed form on these tasks.`, sections });
}

/** Writes {@link deepRunsHtml} to `file` (`REPORT_OUTPUT` naming the file on failure). */
export function writeDeepRunsHtml(file: string, runs: readonly TrainResult[], options?: { title?: string; subtitle?: string; labels?: readonly string[] }): void {
  writeHtml(file, deepRunsHtml(runs, options ?? {}));
}
