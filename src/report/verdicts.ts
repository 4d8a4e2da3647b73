/**
 * The verdict table: one row per claim, its checks, the worst discrepancy against its
 * tolerance, and whether its negative control (a wrong variant) was rejected.
 *
 * @module
 */
import type { Check } from '../verify/claim.js';
import type { ClaimResult } from '../verify/runner.js';
import { MUTATIONS } from '../verify/mutations.js';
import { sci, table, toJSON } from './format.js';

const VERDICT_LABEL: Record<ClaimResult['verdict'], string> = {
  pass: 'PASS',
  fail: 'FAIL',
  'control-not-rejected': 'WEAK',
  error: 'ERROR',
};

/** The two lines under the table: what its columns mean. */
export const VERDICT_LEGEND: readonly string[] = [
  'claim: one statement, checked on several instances (checks = passed/run); relation: what it asserts — identity (floating point), exact-identity (rational, exactly 0), unbiased (mean = exact value), consistent, inequality, variance-order.',
  'worst: the check nearest its rule, in the rule\'s units — an error against ≤ tolerance, or an effect ± its standard error against min det. (the effect caught with probability 0.9; α = false-alarm rate); rejected n/m: a known wrong variant failed the same rule on n of its m instances.',
];

/** The check that decides the row: the worst failing one, else the one closest to its tolerance. */
function worstCheck(checks: readonly Check[]): Check | undefined {
  const failing = checks.filter((c) => !c.passed);
  const pool = failing.length ? failing : checks;
  let best: Check | undefined;
  let bestRatio = -Infinity;
  for (const c of pool) {
    const ratio = c.tolerance > 0 ? c.discrepancy / c.tolerance : c.discrepancy === 0 ? 0 : Infinity;
    if (ratio > bestRatio) { bestRatio = ratio; best = c; }
  }
  return best;
}

/** How a check's measurement reads in the table. */
export function measurement(c: Check | undefined): { value: string; bound: string } {
  if (!c) return { value: '—', bound: '—' };
  if (c.exact !== undefined) return { value: c.exact ? 'exactly 0' : `≠ 0 (${sci(c.discrepancy)})`, bound: 'exact 0' };
  if (c.stats) {
    const s = c.stats;
    let det = sci(s.minDetectable);
    if (s.relativeTo) {
      // in the effect's units, as in the "worst" column, and as a share of the scale
      const pct = (100 * s.minDetectable) / s.relativeTo.value;
      det = `${det} (${Math.abs(pct) < 1e4 ? pct.toFixed(1) : sci(pct)}% ${s.relativeTo.name})`;
    }
    return { value: `${sci(s.effect)} ± ${sci(s.standardError)}`, bound: `min det. ${det}, α ${sci(s.falseAlarmRate, 1)}` };
  }
  return { value: sci(c.discrepancy), bound: `≤ ${sci(c.tolerance)}` };
}

/** A WEAK claim's lines: the instances on which its wrong variant was accepted (the report's and `pgtruth check`'s tables). */
export function controlAcceptedLines(r: ClaimResult): string[] {
  const out: string[] = [];
  if (r.verdict === 'control-not-rejected') {
    out.push(`  control "${r.control.description}" was accepted on:`);
    for (const c of r.control.checks.filter((x) => x.passed)) out.push(`    ${c.instance}: ${measurement(c).value}`);
  }
  return out;
}

/** The lines under a verdict table: with `verbose`, every check and every control check of every claim; else a hint (and what WEAK means, when a claim is WEAK). */
export function verboseTail(results: readonly ClaimResult[], verbose: boolean, anyWeak: boolean): string[] {
  const out: string[] = [];
  if (verbose) {
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
    out.push(anyWeak ? 'WEAK = the check passed but its wrong variant was not rejected on every instance. Run with --verbose for every check.' : 'Run with --verbose for every check and every control.');
  }
  return out;
}

/** The verdict table as text. `verbose` adds every check and every control check. */
export function verdictTable(results: readonly ClaimResult[], opts: { verbose?: boolean; seed?: number } = {}): string {
  const rows = results.map((r) => {
    const passed = r.checks.filter((c) => c.passed).length;
    const m = measurement(worstCheck(r.checks));
    const control = r.verdict === 'error' ? '—' : `rejected ${r.control.rejected}/${r.control.checks.length}`;
    return [VERDICT_LABEL[r.verdict], r.id, r.relation, `${passed}/${r.checks.length}`, m.value, m.bound, control];
  });
  const head = ['verdict', 'claim', 'relation', 'checks', 'worst', 'decision rule', 'negative control'];
  const out: string[] = [table(head, rows, [false, false, false, true, true, false, false]), ...VERDICT_LEGEND];
  const counts = { pass: 0, fail: 0, 'control-not-rejected': 0, error: 0 };
  for (const r of results) counts[r.verdict]++;
  out.push('');
  out.push(`${results.length} claims: ${counts.pass} pass, ${counts.fail} fail, ${counts['control-not-rejected']} weak (control not rejected), ${counts.error} errors` + (opts.seed !== undefined ? `; seed ${opts.seed}` : ''));
  const problems = results.filter((r) => r.verdict !== 'pass');
  for (const r of problems) {
    out.push('');
    out.push(`${VERDICT_LABEL[r.verdict]} ${r.id}: ${r.title}`);
    if (r.error) out.push(`  error: ${r.error}`);
    for (const c of r.checks.filter((x) => !x.passed)) out.push(`  failed on ${c.instance}: ${measurement(c).value} (${measurement(c).bound})${c.note ? ` [${c.note}]` : ''}`);
    out.push(...controlAcceptedLines(r));
  }
  out.push(...verboseTail(results, opts.verbose === true, counts['control-not-rejected'] > 0));
  return out.join('\n');
}

/** One catalogue mutant and the claim whose negative control exercises it. */
export interface MutationCoverage {
  readonly id: string;
  readonly description: string;
  readonly detectedBy: 'mean' | 'variance';
  /** The claims whose control names the mutant. */
  readonly claims: readonly string[];
  /** Every such control rejected the mutant on every instance. */
  readonly rejected: boolean;
}

/** Which claim's control exercises each mutant of the catalogue, and whether it was rejected. */
export function mutationCoverage(results: readonly ClaimResult[]): MutationCoverage[] {
  return MUTATIONS.map((m) => {
    const hits = results.filter((r) => r.control.description.includes(m.id));
    return {
      id: m.id, description: m.description, detectedBy: m.detectedBy, claims: hits.map((r) => r.id),
      rejected: hits.length > 0 && hits.every((r) => r.control.checks.length > 0 && r.control.rejected === r.control.checks.length),
    };
  });
}

/** The mutation catalogue section of the report. */
export function mutationTable(results: readonly ClaimResult[]): string {
  const rows = mutationCoverage(results).map((m) => [m.rejected ? 'rejected' : m.claims.length ? 'NOT REJECTED' : 'not run', m.id, m.detectedBy, m.claims.join(', ') || '—']);
  return table(['mutant', 'id', 'caught by', 'in the control of'], rows);
}

/** The machine-readable report. */
export function verdictJSON(results: readonly ClaimResult[], meta: Record<string, unknown> = {}): string {
  return toJSON({ ...meta, passed: results.every((r) => r.verdict === 'pass'), claims: results });
}
