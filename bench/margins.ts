/**
 * `npm run bench:margins`: how far every negative control of the default report clears its
 * threshold, in standard errors, over 20 seeds.
 *
 * A stochastic control check is rejected when its statistic exceeds its threshold; both are
 * in standard-error units (a studentized max, a z), so statistic − threshold is the margin
 * in SE. The README promises a margin of at least 4 SE: a control that clears its threshold
 * by less could, on another seed, fail to be rejected — a spurious failure of a correct
 * claim. This script runs the sampled claims of the default suite (the same claims as
 * `pgtruth report`) over seeds first … first+19 and prints each claim's worst control
 * margin and the seed where it occurred, with met / not met against 4 SE.
 *
 *     npm run bench:margins                                   # 20 seeds, every sampled claim
 *     npm run bench:margins -- --only estimators.whole-return # the claims whose id starts so
 *     npm run bench:margins -- --seeds 5 --first 1001 --workers 2 --json out.json
 *
 * Exits 1 when some margin is below 4 SE (or a claim did not pass).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SamplerPool } from '../src/sampling/worker-pool.js';
import { statisticalSuite } from '../src/verify/claims/index.js';
import { runClaims } from '../src/verify/runner.js';

const PROMISE = 4;
const { values } = parseArgs({ options: { seeds: { type: 'string' }, first: { type: 'string' }, only: { type: 'string' }, workers: { type: 'string' }, json: { type: 'string' } } });
const seeds = Number(values.seeds ?? 20), first = Number(values.first ?? 1001), workers = Number(values.workers ?? 2);
const claims = statisticalSuite().filter((c) => values.only === undefined || c.id.startsWith(values.only));
if (!claims.length) throw new Error(`no sampled claim id starts with ${values.only}`);

interface Worst { margin: number; seed: number; instance: string; verdicts: string[] }
const worst = new Map<string, Worst>();
const t0 = performance.now();
const pool = workers > 0 ? await SamplerPool.create({ workers }) : undefined;
try {
  for (let seed = first; seed < first + seeds; seed++) {
    const t = performance.now();
    const results = await runClaims(claims, { seed, ...(pool ? { pool } : {}) });
    for (const r of results) {
      const w = worst.get(r.id) ?? { margin: Infinity, seed, instance: '', verdicts: [] };
      if (r.verdict !== 'pass') w.verdicts.push(`seed ${seed}: ${r.verdict}${r.error ? ` (${r.error})` : ''}`);
      for (const k of r.control.checks) {
        if (!k.stats) continue;
        const margin = (Number.isFinite(k.discrepancy) ? k.discrepancy : Infinity) - k.tolerance;
        if (margin < w.margin) Object.assign(w, { margin, seed, instance: k.instance });
      }
      worst.set(r.id, w);
    }
    process.stderr.write(`seed ${seed}: ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
  }
} finally {
  await pool?.close();
}

const rows = [...worst].map(([id, w]) => ({ id, ...w, met: w.margin >= PROMISE && w.verdicts.length === 0 }));
const pad = (s: string, n: number) => s.padEnd(n);
console.log(`control margins over seeds ${first}–${first + seeds - 1} (statistic − threshold, in SE; promised ≥ ${PROMISE}), ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
console.log(`${pad('claim', 44)} ${pad('worst margin', 13)} ${pad('seed', 6)} ${pad('', 8)} instance`);
for (const r of rows) console.log(`${pad(r.id, 44)} ${pad(Number.isFinite(r.margin) ? r.margin.toFixed(2) : r.margin === Infinity ? '∞ (no SE)' : String(r.margin), 13)} ${pad(String(r.seed), 6)} ${pad(r.met ? 'met' : 'NOT MET', 8)} ${r.instance}${r.verdicts.length ? `\n    ${r.verdicts.join('\n    ')}` : ''}`);
if (values.json) writeFileSync(values.json, JSON.stringify({ first, seeds, promise: PROMISE, rows }, null, 2));
process.exitCode = rows.every((r) => r.met) ? 0 : 1;
