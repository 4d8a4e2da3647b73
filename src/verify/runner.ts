/**
 * Runs claims and their negative controls, and turns checks into verdicts.
 *
 * A claim holds when every one of its checks passes and its negative control is rejected
 * on every instance (every control check fails). A claim whose control is not rejected is
 * reported as `control-not-rejected`: the check could not have told right from wrong.
 *
 * @module
 */
import { PgTruthError } from '../errors.js';
import type { SamplerPool } from '../sampling/worker-pool.js';
import type { Check, Claim, RunContext } from './claim.js';

/** The outcome of one claim. */
export type VerdictKind = 'pass' | 'fail' | 'control-not-rejected' | 'error';

/** One claim's result. */
export interface ClaimResult {
  readonly id: string;
  readonly title: string;
  readonly statement: string;
  readonly source: string;
  readonly relation: Claim['relation'];
  readonly rule: string;
  readonly verdict: VerdictKind;
  readonly checks: readonly Check[];
  readonly control: { readonly description: string; readonly checks: readonly Check[]; readonly rejected: number };
  readonly error?: string;
  readonly seconds: number;
}

/** Options of {@link runClaims}. */
export interface RunOptions {
  readonly seed?: number;
  readonly scale?: number;
  /** Called after each claim and within long ones: (claims done + fraction of the current, total, current id). */
  readonly onProgress?: (done: number, total: number, current: string) => void;
  /** Worker threads for the sampled claims (see {@link RunContext.pool}). */
  readonly pool?: SamplerPool;
}

/** Runs one claim with its control. Errors inside become an `error` verdict naming the message. */
export async function runClaim(claim: Claim, ctx: RunContext): Promise<ClaimResult> {
  const t0 = performance.now();
  const base = { id: claim.id, title: claim.title, statement: claim.statement, source: claim.source, relation: claim.relation, rule: claim.rule };
  try {
    const checks = await claim.run(ctx);
    const controlChecks = await claim.control.run(ctx);
    const rejected = controlChecks.filter((c) => !c.passed).length;
    const allPass = checks.length > 0 && checks.every((c) => c.passed);
    const controlOk = controlChecks.length > 0 && rejected === controlChecks.length;
    const verdict: VerdictKind = !allPass ? 'fail' : !controlOk ? 'control-not-rejected' : 'pass';
    return { ...base, verdict, checks, control: { description: claim.control.description, checks: controlChecks, rejected }, seconds: (performance.now() - t0) / 1000 };
  } catch (e) {
    const msg = e instanceof PgTruthError ? e.message : e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return { ...base, verdict: 'error', checks: [], control: { description: claim.control.description, checks: [], rejected: 0 }, error: msg, seconds: (performance.now() - t0) / 1000 };
  }
}

/** Runs claims in order. */
export async function runClaims(claims: readonly Claim[], opts: RunOptions = {}): Promise<ClaimResult[]> {
  const out: ClaimResult[] = [];
  const total = claims.length;
  for (let i = 0; i < total; i++) {
    const claim = claims[i]!;
    opts.onProgress?.(i, total, claim.id);
    const ctx: RunContext = {
      seed: opts.seed ?? 20240124,
      scale: opts.scale ?? 1,
      progress: (f) => opts.onProgress?.(i + Math.min(Math.max(f, 0), 1), total, claim.id),
      ...(opts.pool ? { pool: opts.pool } : {}),
    };
    out.push(await runClaim(claim, ctx));
  }
  opts.onProgress?.(total, total, '');
  return out;
}

/** True when every result passed. */
export function allPassed(results: readonly ClaimResult[]): boolean {
  return results.every((r) => r.verdict === 'pass');
}

/** Σ α over every stochastic check of the results (a Bonferroni bound on a spurious failure). */
export function falseAlarmBound(results: readonly ClaimResult[]): { checks: number; sum: number } {
  let checks = 0, sum = 0;
  for (const r of results) for (const c of r.checks) if (c.stats) { checks++; sum += c.stats.falseAlarmRate; }
  return { checks, sum };
}
