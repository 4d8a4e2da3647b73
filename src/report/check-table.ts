/**
 * The verdict table of `pgtruth check`: per claim, the weakest instance's resolution (as a
 * percentage of its target's scale, at power 0.9) and the worst test statistic against its
 * threshold; below it, each failing check with its worst coordinate (expected against
 * observed ± standard error) and the catalogue mutants its bias matches, and each
 * inconclusive check with the sample size that would resolve it.
 *
 * @module
 */
import type { Check } from '../verify/claim.js';
import type { ClaimResult } from '../verify/runner.js';
import { sci, table } from './format.js';
import { measurement } from './verdicts.js';

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

/** The lines that say where a check failed. */
export function checkDetail(c: Check, indent = '  '): string[] {
  const out: string[] = [];
  if (c.inconclusive && c.discrepancy <= c.tolerance) {
    out.push(`${indent}INCONCLUSIVE on ${c.instance}: resolves ${pct(c.stats?.resolution ?? Infinity)} of ${c.stats?.relativeTo?.name ?? 'its scale'} (needs ${pct(c.stats?.requiredResolution ?? 0)}); about ${fmt(c.inconclusive.needed)} ${c.inconclusive.unit} would resolve it`);
    return out;
  }
  out.push(`${indent}failed on ${c.instance}: ${measurement(c).value} (${measurement(c).bound})${c.note ? ` [${c.note}]` : ''}`);
  const d = c.diagnosis;
  if (d) {
    out.push(`${indent}  worst: ${d.coordinate}: expected ${sci(d.expected, 4)}, observed ${sci(d.observed, 4)} ± ${sci(d.standardError)}`);
    if (d.looksLike) out.push(`${indent}  looks like: ${d.looksLike}`);
    else if (d.candidates.length) out.push(`${indent}  closest known bug: ${d.candidates[0]!.id} (not consistent with the data: ${d.candidates[0]!.distance.toFixed(1)} > ${d.candidates[0]!.threshold.toFixed(1)} standard errors)`);
  }
  return out;
}

const fmt = (n: number) => (!Number.isFinite(n) ? 'no finite number of' : n < 1e7 ? String(Math.ceil(n)) : n.toExponential(1));

/** The verdict table of `pgtruth check` as text. */
export function checkTable(results: readonly ClaimResult[], opts: { verbose?: boolean; seed?: number } = {}): string {
  const rows = results.map((r) => {
    const passed = r.checks.filter((c) => c.passed).length;
    const control = r.verdict === 'error' ? '—' : `rejected ${r.control.rejected}/${r.control.checks.length}`;
    return [checkVerdict(r), r.id, `${passed}/${r.checks.length}`, weakest(r.checks), worstStatistic(r.checks), control];
  });
  const out: string[] = [table(['verdict', 'claim', 'checks', 'resolution (weakest, power 0.9)', 'max |z| / threshold', 'negative control'], rows, [false, false, true, true, true, false])];
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
    for (const c of r.checks.filter((x) => !x.passed)) out.push(...checkDetail(c));
    if (r.verdict === 'control-not-rejected') {
      out.push(`  control "${r.control.description}" was accepted on:`);
      for (const c of r.control.checks.filter((x) => x.passed)) out.push(`    ${c.instance}: ${measurement(c).value}`);
    }
  }
  if (opts.verbose) {
    for (const r of results) {
      out.push('');
      out.push(`${r.id} — ${r.title}`);
      out.push(`  source: ${r.source}; rule: ${r.rule}`);
      for (const c of r.checks) out.push(`  ${c.passed ? 'ok  ' : 'FAIL'} ${c.instance}: ${measurement(c).value} (${measurement(c).bound})${c.note ? ` [${c.note}]` : ''}`);
      out.push(`  control: ${r.control.description}`);
      for (const c of r.control.checks) out.push(`  ${c.passed ? 'NOT REJECTED' : 'rejected'} ${c.instance}: ${measurement(c).value}`);
    }
  } else {
    out.push('');
    out.push(counts['control-not-rejected'] ? 'WEAK = the check passed but its wrong variant was not rejected on every instance. Run with --verbose for every check.' : 'Run with --verbose for every check and every control.');
  }
  return out.join('\n');
}
