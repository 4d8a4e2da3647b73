/**
 * `pgtruth mirror <mdp.json|builtin:NAME> --drift trivial|ppo:ε|kl:c|tv:c
 * --neighbourhood none|kl:δ|maxkl:δ|tv:δ --iterations N [--policy FILE|uniform] [--json] [--svg FILE] [--html FILE]`
 * @module
 */
import { writeFileSync } from 'node:fs';
import { fail, show } from '../../errors.js';
import { stateLabel, actionLabel } from '../../mdp/model.js';
import type { Drift } from '../../mirror/drift-functional.js';
import { klDrift, trivialDrift, tvDrift } from '../../mirror/builtin-drifts.js';
import { describeConfig } from '../../mirror/instances.js';
import { mirrorLearning, type MirrorRun } from '../../mirror/iterate.js';
import { averageKLBall, maxKLBall, noNeighbourhood, tvNeighbourhood, type Neighbourhood } from '../../mirror/neighbourhood.js';
import { ppoDrift } from '../../mirror/ppo.js';
import { nest } from '../../policy/json.js';
import { num, sci, table, toJSON } from '../../report/format.js';
import { figure, htmlPage, htmlTable, writeHtml } from '../../report/html.js';
import { linePlotSVG, PALETTE, xmlEscape } from '../../report/svg.js';
import { parse } from '../args.js';
import { builtinNames, inFile, intOption, loadMDP, loadPolicy } from '../io.js';
import { jPlotSVG } from './mirror-plot.js';

export const MIRROR_HELP = `pgtruth mirror <mdp.json | builtin:NAME> [options]

Runs exact mirror learning (Kuba et al. 2022; Lehmann 2024, Definition 5.3, eq. 26) from a
policy and prints, per iteration n: J(π_n), the drift D^ν(π_n) of the step into π_n, the
improvement bound E_p0[(ν/d) D] of Theorem 5.4 and whether J(π_n) − J(π_{n−1}) ≥ bound held,
whether V improved in every state, the neighbourhood distance, and the gap J* − J(π_n).
ν = d (so ν/d = 1). Exits 1 if Theorem 5.4's inequalities were violated at some step.

Options:
  --drift trivial|ppo:ε|kl:c|tv:c   the drift (default trivial): PPO's with clip ε, MDPO's
                          c·KL(π̄‖π), or c·TV (not a drift of Definition 5.1: its derivative at
                          π̄ = π is not zero — it can stop at a suboptimal policy)
  --neighbourhood none|kl:δ|maxkl:δ|tv:δ   the neighbourhood (default none): TRPO's average-KL
                          ball Σ_s d(s) KL(π‖π̄) ≤ δ, the max-KL ball, or the TV ball
  --iterations N          number of updates (default 20)
  --policy FILE|uniform   the start policy (default uniform); as for pgtruth exact
  --json                  one JSON object: the settings, J*, V*, and every iterate's record
  --svg FILE              also write a self-contained SVG plot of J(π_n) against J*
  --html FILE             also write a self-contained HTML page (the report's page template):
                          plots of J(π_n) against J*, the gap J* − J(π_n) on a log axis, the
                          drift against Theorem 5.4's bound, and the per-iteration table
  -h, --help              this help

Instances (Lehmann 2024, §5.2.2): REINFORCE/A3C = --drift trivial --neighbourhood none (policy
iteration); TRPO = --drift trivial --neighbourhood kl:δ; PPO = --drift ppo:ε; MDPO = --drift kl:c.

Built-in MDPs: \${BUILTIN}`;

const OPTIONS = {
  drift: { type: 'string' },
  neighbourhood: { type: 'string' },
  iterations: { type: 'string' },
  policy: { type: 'string' },
  json: { type: 'boolean' },
  svg: { type: 'string' },
  html: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `name:value` with a positive finite value, or `CLI_USAGE` naming the option and value. */
function parameter(option: string, spec: string, what: string): number {
  const text = spec.slice(spec.indexOf(':') + 1);
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || !(v > 0)) fail('CLI_USAGE', `${option} ${spec}: ${what} must be a positive number, got ${show(text)}`, { where: option, value: spec });
  return v;
}

/** The drift named by `--drift`. */
export function parseDrift(spec: string): Drift {
  if (spec === 'trivial') return trivialDrift;
  const kind = spec.split(':')[0];
  if (spec.includes(':') && kind === 'ppo') return ppoDrift(parameter('--drift', spec, 'the clip ε'));
  if (spec.includes(':') && kind === 'kl') return klDrift(parameter('--drift', spec, 'the coefficient c'));
  if (spec.includes(':') && kind === 'tv') return tvDrift(parameter('--drift', spec, 'the coefficient c'));
  return fail('CLI_USAGE', `--drift ${show(spec)}: expected trivial, ppo:ε, kl:c or tv:c`, { where: '--drift', value: spec });
}

/** The neighbourhood named by `--neighbourhood`. */
export function parseNeighbourhood(spec: string): Neighbourhood {
  if (spec === 'none') return noNeighbourhood;
  const kind = spec.split(':')[0];
  if (spec.includes(':') && kind === 'kl') return averageKLBall(parameter('--neighbourhood', spec, 'the radius δ'));
  if (spec.includes(':') && kind === 'maxkl') return maxKLBall(parameter('--neighbourhood', spec, 'the radius δ'));
  if (spec.includes(':') && kind === 'tv') return tvNeighbourhood(parameter('--neighbourhood', spec, 'the radius δ'));
  return fail('CLI_USAGE', `--neighbourhood ${show(spec)}: expected none, kl:δ, maxkl:δ or tv:δ`, { where: '--neighbourhood', value: spec });
}

/** The per-iteration table. */
function iterationTable(run: MirrorRun): string {
  const rows = run.records.map((r) => [
    String(r.n), num(r.J, 8), r.n ? sci(r.drift, 3) : '—', r.n ? sci(r.bound, 3) : '—', r.n ? sci(r.improvement, 3) : '—',
    r.n ? (r.held ? 'yes' : 'NO') : '—', r.n ? (r.valueMonotone ? 'yes' : 'NO') : '—', r.n && run.config.neighbourhood.kind === 'ball' ? sci(r.distance, 3) : '—', sci(r.gap, 3),
  ]);
  return table(['n', 'J(πₙ)', 'drift D^ν', 'bound E_p0[(ν/d)D]', 'ΔJ', 'held', 'V↑', 'distance', 'gap J*−J'], rows, [true, true, true, true, true, false, false, true, true]);
}

/** The text report. */
function textReport(label: string, run: MirrorRun, mdpInfo: string, start: string): string {
  const out: string[] = [];
  out.push(`MDP     ${label}: ${mdpInfo}`);
  out.push(`update  ${describeConfig(run.config)}; ν = d (ν/d = 1); start ${start}`);
  out.push(`J* = ${num(run.JStar, 10)} (policy iteration)`);
  out.push('');
  out.push(iterationTable(run));
  out.push('');
  const bad = run.records.filter((r) => !r.held || !r.valueMonotone).map((r) => r.n);
  out.push(bad.length ? `Theorem 5.4 VIOLATED at n = ${bad.join(', ')}` : `Theorem 5.4: J(π_n) − J(π_{n−1}) ≥ E_p0[(ν/d)D] and V_{π_n} ≥ V_{π_{n−1}} held at every step (rounding allowance ${sci(run.tolerance)})`);
  if (run.stationaryAt !== undefined) out.push(`stationary from n = ${run.stationaryAt}: π_n = π_{n−1}${Math.abs(run.records[run.records.length - 1]!.gap) > 1e-8 * Math.max(1, Math.abs(run.JStar)) ? ' — a suboptimal fixed point' : ''}`);
  return out.join('\n');
}

/** The JSON report: settings, J*, V*, every record, the final policy. */
function jsonReport(label: string, run: MirrorRun, S: number, A: number): string {
  const last = run.records[run.records.length - 1]!;
  return toJSON({
    mdp: label, drift: run.config.drift.name, neighbourhood: run.config.neighbourhood.name, nu: 'visitation',
    iterations: run.records.length - 1, JStar: run.JStar, VStar: run.VStar, tolerance: run.tolerance, allHeld: run.allHeld,
    stationaryAt: run.stationaryAt ?? null,
    records: run.records.map((r) => ({
      n: r.n, J: r.J, V: r.V, drift: r.drift, bound: r.bound, improvement: r.improvement, held: r.held,
      minValueChange: r.minValueChange, valueMonotone: r.valueMonotone, distance: r.distance, multiplier: r.multiplier,
      stationary: r.stationary, gap: r.gap, valueGap: r.valueGap, suboptimalMass: r.suboptimalMass,
    })),
    policy: nest(last.policy, S, A),
  });
}

/** Writes the SVG plot; a failure is a `CLI_USAGE` error naming --svg and the path. */
function writePlot(path: string, title: string, run: MirrorRun): void {
  try {
    writeFileSync(path, jPlotSVG({ title, J: run.records.map((r) => r.J), JStar: run.JStar }));
  } catch (e) {
    fail('CLI_USAGE', `--svg ${show(path)}: cannot write the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { where: '--svg', value: path });
  }
}

/** The `--html` page: the report's page template with the plots and the per-iteration table. */
export function mirrorHtml(label: string, run: MirrorRun, mdpInfo: string, start: string): string {
  const n = run.records.map((r) => r.n);
  const later = run.records.filter((r) => r.n > 0);
  const jPlot = linePlotSVG({
    id: 'J', title: 'J(πₙ) against J*', xLabel: 'iteration n', yLabel: 'J(πₙ)',
    series: [{ label: 'J(πₙ)', x: n, y: run.records.map((r) => r.J), color: PALETTE[0]! }],
    references: [{ label: 'J*', y: run.JStar, color: '#c0392b' }],
  });
  const gapPlot = linePlotSVG({
    id: 'gap', title: 'Gap J* − J(πₙ), log scale', xLabel: 'iteration n', yLabel: 'J* − J(πₙ) (log₁₀ axis)', yLog: true,
    series: [{ label: 'J* − J(πₙ)', x: n, y: run.records.map((r) => r.gap), color: PALETTE[0]! }],
  });
  const driftPlot = linePlotSVG({
    id: 'improvement', title: 'Improvement against Theorem 5.4\'s bound', xLabel: 'iteration n', yLabel: 'value',
    series: [
      { label: 'ΔJ = J(πₙ) − J(πₙ₋₁)', x: later.map((r) => r.n), y: later.map((r) => r.improvement), color: PALETTE[0]! },
      { label: 'bound E_p0[(ν/d)D]', x: later.map((r) => r.n), y: later.map((r) => r.bound), color: PALETTE[1]!, dashed: true },
    ],
  });
  const rows = run.records.map((r) => [
    String(r.n), num(r.J, 8), r.n ? sci(r.drift, 3) : '—', r.n ? sci(r.bound, 3) : '—', r.n ? sci(r.improvement, 3) : '—',
    r.n ? (r.held ? 'yes' : 'NO') : '—', r.n ? (r.valueMonotone ? 'yes' : 'NO') : '—', r.n && run.config.neighbourhood.kind === 'ball' ? sci(r.distance, 3) : '—', sci(r.gap, 3),
  ]);
  const bad = run.records.filter((r) => !r.held || !r.valueMonotone).map((r) => r.n);
  const verdict = bad.length ? `Theorem 5.4 VIOLATED at n = ${bad.join(', ')}.` : `Theorem 5.4: J(πₙ) − J(πₙ₋₁) ≥ E_p0[(ν/d)D] and V_πₙ ≥ V_πₙ₋₁ held at every step (rounding allowance ${sci(run.tolerance)}).`;
  return htmlPage({
    title: `Mirror learning: ${label}`,
    subtitle: `${describeConfig(run.config)}; ν = d; start ${start}. MDP: ${mdpInfo}. J* = ${num(run.JStar, 10)} (policy iteration).`,
    sections: [
      `<section class="plots">\n${figure(jPlot, 'The exact J(πₙ) of every mirror-learning iterate; dotted: J*.')}\n${figure(gapPlot, 'The gap to J*; zero gaps are not drawn on the log axis.')}\n${figure(driftPlot, 'Theorem 5.4 (Lehmann 2024): the improvement is at least the bound at every step.')}\n</section>`,
      `<section><h2>Iterations</h2><p class="verdict">${xmlEscape(verdict)}</p>${htmlTable('iterations', ['n', 'J(πₙ)', 'drift D^ν', 'bound E_p0[(ν/d)D]', 'ΔJ', 'held', 'V↑', 'distance', 'gap J*−J'], rows, [5, 6])}</section>`,
    ],
  });
}

/** Runs `pgtruth mirror`. */
export function mirrorCommand(argv: string[], write: (s: string) => void): number {
  const { values, positionals } = parse(argv, OPTIONS, 'mirror');
  if (values.help) { write(MIRROR_HELP.replace('${BUILTIN}', builtinNames()) + '\n'); return 0; }
  if (positionals.length !== 1) fail('CLI_USAGE', `mirror takes one MDP (a JSON file or builtin:NAME), got ${positionals.length} arguments (see pgtruth mirror --help)`);
  const drift = parseDrift((values.drift as string | undefined) ?? 'trivial');
  const neighbourhood = parseNeighbourhood((values.neighbourhood as string | undefined) ?? 'none');
  const iterations = intOption(values.iterations as string | undefined, '--iterations', 20);
  const svg = values.svg as string | undefined;
  if (svg !== undefined && svg.trim() === '') fail('CLI_USAGE', '--svg needs a file name', { where: '--svg', value: svg });
  const html = values.html as string | undefined;
  if (html !== undefined && html.trim() === '') fail('CLI_USAGE', '--html needs a file name', { where: '--html', value: html });
  const { mdp, label } = loadMDP(positionals[0]!);
  const policyArg = (values.policy as string | undefined) ?? 'uniform';
  const { policy } = loadPolicy(policyArg, mdp);
  let run: MirrorRun;
  try { run = mirrorLearning(mdp, policy.param.probs(policy.theta), { drift, neighbourhood }, { iterations }); } catch (e) { throw inFile(e, positionals[0]!); } // overflow, conditioning: name the MDP
  const S = mdp.numStates, A = mdp.numActions;
  if (svg !== undefined) writePlot(svg, `${label}: ${describeConfig(run.config)}`, run);
  const info = `${S} states × ${A} actions (${Array.from({ length: Math.min(A, 6) }, (_, a) => actionLabel(mdp, a)).join(', ')}${A > 6 ? ', …' : ''}), γ = ${mdp.gamma}${mdp.terminalStates.length ? `, terminal: ${mdp.terminalStates.map((s) => stateLabel(mdp, s)).join(', ')}` : ''}`;
  if (html !== undefined) {
    try {
      writeHtml(html, mirrorHtml(label, run, info, policyArg));
    } catch (e) {
      fail('CLI_USAGE', `--html ${show(html)}: ${(e as Error).message.replace(/^\[REPORT_OUTPUT\] /, '')}`, { where: '--html', value: html });
    }
  }
  write((values.json ? jsonReport(label, run, S, A) : textReport(label, run, info, policyArg)) + '\n');
  return run.allHeld ? 0 : 1;
}
