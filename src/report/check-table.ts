/**
 * The verdict table of `pgtruth check`: per claim, the weakest instance's resolution (as a
 * percentage of its target's scale, at power 0.9) and the worst test statistic against its
 * threshold; below it, each failing check with its worst coordinate (expected against
 * observed ± standard error) and the catalogue mutants its bias matches, and each
 * inconclusive check with the sample size that would resolve it.
 *
 * Exact (non-sampled) claims — the machinery kinds, ../verify/machinery.ts — state what they
 * are instead: the tolerance of their discrepancy relative to the target's scale in place of a
 * resolution and a power, and "observed X, expected Y, |difference| D > tolerance T" in place
 * of a standard error. The header ({@link checkHeader}) and the closing line
 * ({@link checkFooter}) describe both when a module declares both.
 *
 * @module
 */
import type { Check } from '../verify/claim.js';
import { falseAlarmBound, type ClaimResult } from '../verify/runner.js';
import { sci, table } from './format.js';
import { controlAcceptedLines, measurement, verboseTail } from './verdicts.js';

/** One estimator as `pgtruth check` judges it (../verify/machinery.ts, `checkComparison`). */
export interface CheckedEstimator {
  readonly name: string;
  readonly kind: string;
  /** `exact`: no sampling, the discrepancy relative to the target's scale against `tolerance`; `sampled`: the power guard. */
  readonly comparison: 'exact' | 'sampled';
  /** For `exact`: the tolerance, as a fraction of the target's scale. */
  readonly tolerance?: number;
}

/** What the header of a sampled check states. */
export interface CheckHeaderSettings {
  readonly seed: number;
  readonly resolution: number;
  readonly power: number;
  readonly samples: number;
  readonly budget: number;
  readonly seconds: number;
}

/** A tolerance as written in a declaration: 1e-9, 1e-12, 2.5e-7. */
const tol = (x: number) => x.toExponential();

/** The estimator whose claim this is (claim ids are `check.<name>.<claim>`; the longest matching name). */
function estimatorOf(id: string, estimators: readonly CheckedEstimator[]): CheckedEstimator | undefined {
  let best: CheckedEstimator | undefined;
  for (const e of estimators) if (id.startsWith(`check.${e.name}.`) && (!best || e.name.length > best.name.length)) best = e;
  return best;
}

/** How a claim was judged: exact with its tolerance, or sampled (also when its estimator is unknown). */
export function claimComparison(r: Pick<ClaimResult, 'id'>, estimators: readonly CheckedEstimator[] = []): { comparison: 'exact'; tolerance: number } | { comparison: 'sampled' } {
  const e = estimatorOf(r.id, estimators);
  return e?.comparison === 'exact' ? { comparison: 'exact', tolerance: e.tolerance ?? 0 } : { comparison: 'sampled' };
}

/** "tolerance 1e-9 of the target's scale", or with several: "tolerance 1e-9 (a, b), 1e-7 (c) of the target's scale". */
function tolerances(exact: readonly CheckedEstimator[]): string {
  const groups = new Map<number, string[]>();
  for (const e of exact) groups.set(e.tolerance ?? 0, [...(groups.get(e.tolerance ?? 0) ?? []), e.name]);
  const parts = [...groups].map(([t, names]) => (groups.size === 1 ? tol(t) : `${tol(t)} (${names.join(', ')})`));
  return `tolerance ${parts.join(', ')} of the target's scale`;
}

/**
 * The first line of `pgtruth check`'s report: the module, its estimators, and how they are
 * judged — sampled ones by the resolution they guarantee at the stated power, exact ones by
 * their tolerance relative to the target's scale (both, each naming its estimators, when the
 * module declares both).
 */
export function checkHeader(module: string, estimators: readonly CheckedEstimator[], o: CheckHeaderSettings): string {
  const sampled = estimators.filter((e) => e.comparison === 'sampled'), exact = estimators.filter((e) => e.comparison === 'exact');
  const power = `resolves ${(100 * o.resolution).toFixed(1)}% of its target's scale at power ${o.power} (≥ ${o.samples} samples, budget ${o.budget} s)`;
  const how = !exact.length ? `each check ${power}`
    : !sampled.length ? `exact comparison (no sampling): ${tolerances(exact)}`
      : `sampled (${sampled.map((e) => e.name).join(', ')}): each check ${power}; exact comparison (${exact.map((e) => e.name).join(', ')}): ${tolerances(exact)}`;
  return `pgtruth check ${module} — ${estimators.map((e) => `${e.name} (${e.kind})`).join(', ')}; seed ${o.seed}; ${how}; ${o.seconds.toFixed(1)} s`;
}

/** The last line: the stochastic checks' Σα, and the exact checks, which have no false-alarm rate. */
export function checkFooter(results: readonly ClaimResult[], estimators: readonly CheckedEstimator[] = []): string {
  const alarm = falseAlarmBound(results);
  const exact = results.filter((r) => claimComparison(r, estimators).comparison === 'exact').reduce((n, r) => n + r.checks.length, 0);
  const sampledLine = `${alarm.checks} stochastic checks; Σα = ${alarm.sum.toExponential(1)} (the chance that a correct estimator fails this run)`;
  if (!exact) return sampledLine;
  const exactLine = `${exact} exact checks (no sampling, so no false-alarm rate)`;
  return estimators.some((e) => e.comparison === 'sampled') ? `${sampledLine}; ${exactLine}` : exactLine;
}

/** PASS, FAIL, INCONCLUSIVE (every failing check could not resolve the required bias), WEAK, ERROR. */
export function checkVerdict(r: ClaimResult): string {
  if (r.verdict === 'fail') {
    const failing = r.checks.filter((c) => !c.passed);
    return failing.length && failing.every((c) => c.inconclusive && c.discrepancy <= c.tolerance) ? 'INCONCLUSIVE' : 'FAIL';
  }
  return { pass: 'PASS', 'control-not-rejected': 'WEAK', error: 'ERROR', fail: 'FAIL' }[r.verdict];
}

const pct = (x: number) => (!Number.isFinite(x) ? '∞' : x < 100 ? `${(100 * x).toFixed(1)}%` : `${sci(100 * x)}%`);

/** The weakest resolution over a claim's checks: the check, its percentage and its scale. */
function weakest(checks: readonly Check[]): string {
  let worst: Check | undefined;
  for (const c of checks) if (c.stats?.resolution !== undefined && (!worst || c.stats.resolution > worst.stats!.resolution!)) worst = c;
  if (!worst) return '—';
  return `${pct(worst.stats!.resolution!)} ${worst.stats!.relativeTo?.name ?? ''}`.trim();
}

/** The largest statistic/threshold ratio among a claim's checks, as `z / c`. */
function worstStatistic(checks: readonly Check[]): string {
  let best: Check | undefined, ratio = -Infinity;
  for (const c of checks) {
    const q = c.tolerance > 0 ? c.discrepancy / c.tolerance : c.discrepancy > 0 ? Infinity : 0;
    if (q > ratio) { ratio = q; best = c; }
  }
  // exact (non-sampled) checks state a relative discrepancy and a tolerance like 1e-9: in scientific notation
  const f = (x: number) => (best?.stats ? x.toFixed(2) : sci(x, 2));
  return best ? `${Number.isFinite(best.discrepancy) ? f(best.discrepancy) : '∞'} / ${f(best.tolerance)}` : '—';
}

/**
 * The lines that say where a check failed. An exact check (`exact`; by default, one without
 * sampling statistics) states its discrepancy against its tolerance, both relative to the
 * target's scale, and its worst coordinate as observed, expected and |difference|.
 */
export function checkDetail(c: Check, indent = '  ', exact = c.stats === undefined && c.inconclusive === undefined): string[] {
  const out: string[] = [];
  if (c.inconclusive && c.discrepancy <= c.tolerance) {
    out.push(`${indent}INCONCLUSIVE on ${c.instance}: resolves ${pct(c.stats?.resolution ?? Infinity)} of ${c.stats?.relativeTo?.name ?? 'its scale'} (needs ${pct(c.stats?.requiredResolution ?? 0)}); about ${fmt(c.inconclusive.needed)} ${c.inconclusive.unit} would resolve it`);
    return out;
  }
  const note = c.note ? ` [${c.note}]` : '';
  if (exact) out.push(`${indent}failed on ${c.instance}: discrepancy ${Number.isFinite(c.discrepancy) ? sci(c.discrepancy) : '∞'} > tolerance ${sci(c.tolerance)} (exact, no sampling)${note}`);
  else out.push(`${indent}failed on ${c.instance}: ${measurement(c).value} (${measurement(c).bound})${note}`);
  const d = c.diagnosis;
  if (d) {
    if (exact) {
      const diff = Math.abs(d.observed - d.expected);
      out.push(`${indent}  worst: ${d.coordinate}: observed ${sci(d.observed, 4)}, expected ${sci(d.expected, 4)}, |difference| ${Number.isFinite(diff) ? sci(diff) : '∞'} (${Number.isFinite(c.discrepancy) ? sci(c.discrepancy) : '∞'} of the scale) > tolerance ${sci(c.tolerance)}`);
    } else out.push(`${indent}  worst: ${d.coordinate}: expected ${sci(d.expected, 4)}, observed ${sci(d.observed, 4)} ± ${sci(d.standardError)}`);
    if (d.looksLike) out.push(`${indent}  looks like: ${d.looksLike}`);
    else if (d.candidates.length) {
      const k = d.candidates[0]!;
      out.push(exact
        ? `${indent}  closest known bug: ${k.id} (not it: its exact output differs by ${Number.isFinite(k.distance) ? sci(k.distance) : '∞'} of the scale > tolerance ${sci(k.threshold)})`
        : `${indent}  closest known bug: ${k.id} (not consistent with the data: ${k.distance.toFixed(1)} > ${k.threshold.toFixed(1)} standard errors)`);
    }
  }
  return out;
}

const fmt = (n: number) => (!Number.isFinite(n) ? 'no finite number of' : n < 1e7 ? String(Math.ceil(n)) : n.toExponential(1));

/**
 * The verdict table of `pgtruth check` as text. With `estimators` (how each is judged), the
 * claims of exact estimators state their tolerance and their discrepancy; without, every
 * claim reads as sampled.
 */
export function checkTable(results: readonly ClaimResult[], opts: { verbose?: boolean; seed?: number; estimators?: readonly CheckedEstimator[] } = {}): string {
  const how = results.map((r) => claimComparison(r, opts.estimators));
  const rows = results.map((r, i) => {
    const passed = r.checks.filter((c) => c.passed).length;
    const control = r.verdict === 'error' ? '—' : `rejected ${r.control.rejected}/${r.control.checks.length}`;
    const h = how[i]!;
    return [checkVerdict(r), r.id, `${passed}/${r.checks.length}`, h.comparison === 'exact' ? `exact: tolerance ${tol(h.tolerance)}` : weakest(r.checks), worstStatistic(r.checks), control];
  });
  const exactClaims = how.filter((h) => h.comparison === 'exact').length;
  const head = exactClaims === 0 ? ['resolution (weakest, power 0.9)', 'max |z| / threshold']
    : exactClaims === results.length ? ['tolerance (of the target\'s scale)', 'max discrepancy / tolerance']
      : ['resolution (weakest, power 0.9) or tolerance', 'max |z| or discrepancy / threshold'];
  const out: string[] = [table(['verdict', 'claim', 'checks', ...head, 'negative control'], rows, [false, false, true, true, true, false])];
  const counts = { pass: 0, fail: 0, 'control-not-rejected': 0, error: 0 };
  for (const r of results) counts[r.verdict]++;
  const inconclusive = results.filter((r) => checkVerdict(r) === 'INCONCLUSIVE').length;
  out.push('');
  out.push(`${results.length} claims: ${counts.pass} pass, ${counts.fail} fail${inconclusive ? ` (${inconclusive} inconclusive)` : ''}, ${counts['control-not-rejected']} weak (control not rejected), ${counts.error} errors` + (opts.seed !== undefined ? `; seed ${opts.seed}` : ''));
  for (const r of results) {
    if (r.verdict === 'pass' && !r.title.includes('BIASED')) continue;
    out.push('');
    out.push(`${checkVerdict(r)} ${r.id}: ${r.title}`);
    if (r.error) out.push(`  error: ${r.error}`);
    const exact = claimComparison(r, opts.estimators).comparison === 'exact';
    for (const c of r.checks.filter((x) => !x.passed)) out.push(...checkDetail(c, '  ', exact || (c.stats === undefined && c.inconclusive === undefined && c.diagnosis !== undefined)));
    out.push(...controlAcceptedLines(r));
  }
  out.push(...verboseTail(results, opts.verbose === true, counts['control-not-rejected'] > 0));
  return out.join('\n');
}
