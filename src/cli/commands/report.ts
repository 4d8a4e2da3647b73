/**
 * `pgtruth report [--json] [--verbose] [--seed N] [--only PREFIX] [--list]` — the default suite.
 * @module
 */
import { progressBar } from '../../report/progress.js';
import { mutationCoverage, mutationTable, verdictJSON, verdictTable } from '../../report/verdicts.js';
import { availableParallelism } from 'node:os';
import { SamplerPool } from '../../sampling/worker-pool.js';
import { SUITE_FALSE_ALARM } from '../../stats/tests.js';
import { defaultClaims, exactSuite, statisticalSuite } from '../../verify/claims/index.js';
import { allPassed, falseAlarmBound, runClaims } from '../../verify/runner.js';
import { fail } from '../../errors.js';
import { table } from '../../report/format.js';
import { parse } from '../args.js';
import { intOption } from '../io.js';

export const REPORT_HELP = `pgtruth report [options]

Runs every claim of the default suite — the known answers from the literature, the exact
identities, mirror learning, and the statistical checks of the estimators — each with its
negative control, and prints the verdict table. Sampled checks state their false-alarm rate,
effect, standard error and resolution. Exits 1 when a claim fails or its wrong variant is not
rejected.

Options:
  --json           the verdicts as one JSON object
  --verbose        every check and every control check
  --seed N         the root seed (default 20240124)
  --only PREFIX    only the claims whose id starts with PREFIX (e.g. exact., known., estimators.)
  --exact          only the exact (deterministic) claims
  --scale X        multiply every sampled check's batch count by X (default 1; smaller is faster and coarser)
  --workers N      worker threads for the sampled claims (default: 2, or the cores available; 0 = this thread)
  --list           list the claims and exit
  -h, --help       this help`;

const OPTIONS = {
  json: { type: 'boolean' },
  verbose: { type: 'boolean' },
  seed: { type: 'string' },
  only: { type: 'string' },
  list: { type: 'boolean' },
  exact: { type: 'boolean' },
  scale: { type: 'string' },
  workers: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs `pgtruth report`. */
export async function reportCommand(argv: string[], write: (s: string) => void): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS, 'report');
  if (values.help) { write(REPORT_HELP + '\n'); return 0; }
  if (positionals.length) fail('CLI_USAGE', `report takes no arguments, got ${positionals.join(' ')} (see pgtruth report --help)`);
  const seed = intOption(values.seed as string | undefined, '--seed', 20240124);
  let claims = values.exact ? exactSuite() : defaultClaims();
  const scale = values.scale === undefined ? 1 : Number(values.scale);
  if (!(scale > 0 && scale <= 100)) fail('CLI_USAGE', `--scale must be a number in (0, 100], got ${JSON.stringify(values.scale)}`, { where: '--scale', value: values.scale });
  const workers = intOption(values.workers as string | undefined, '--workers', Math.min(2, availableParallelism()));
  const only = values.only as string | undefined;
  if (only !== undefined) {
    claims = claims.filter((c) => c.id.startsWith(only));
    if (!claims.length) fail('CLI_USAGE', `no claim id starts with "${only}"`, { where: '--only', value: only });
  }
  if (values.list) {
    write(table(['claim', 'relation', 'title'], claims.map((c) => [c.id, c.relation, c.title])) + '\n');
    return 0;
  }
  const bar = progressBar(process.stderr, !values.json || process.stderr.isTTY === true);
  const t0 = performance.now();
  const sampled = claims.some((c) => statisticalSuite().some((x) => x.id === c.id));
  const pool = sampled && workers > 0 ? await SamplerPool.create({ workers }) : undefined;
  let results;
  try {
    results = await runClaims(claims, { seed, scale, ...(pool ? { pool } : {}), onProgress: (d, t, id) => bar.update(d, t, id) });
  } finally {
    await pool?.close();
  }
  bar.finish();
  const seconds = (performance.now() - t0) / 1000;
  const budget = falseAlarmBound(results);
  if (values.json) write(verdictJSON(results, { seed, scale, workers, seconds, falseAlarm: { ...budget, bound: SUITE_FALSE_ALARM }, mutations: mutationCoverage(results) }) + '\n');
  else {
    write(`pgtruth report — ${claims.length} claims, seed ${seed}, scale ${scale}, ${workers} worker${workers === 1 ? '' : 's'}, ${seconds.toFixed(1)} s\n\n` + verdictTable(results, { verbose: values.verbose === true, seed }) + '\n');
    if (mutationCoverage(results).some((m) => m.claims.length > 0)) write(`\nThe mutation catalogue (wrong estimators modelled on shipped bugs; src/verify/mutations.ts):\n\n${mutationTable(results)}\n`);
    if (budget.checks > 0) write(`\n${budget.checks} stochastic checks; Σα = ${budget.sum.toExponential(1)} (a Bonferroni bound on a spurious failure of this run${scale === 1 ? `; the default suite's budget is ${SUITE_FALSE_ALARM}` : ''})\n`);
  }
  return allPassed(results) ? 0 : 1;
}
