/**
 * `pgtruth report [--json] [--verbose] [--seed N] [--only PREFIX] [--list]` — the default suite.
 * @module
 */
import { progressBar } from '../../report/progress.js';
import { verdictJSON, verdictTable } from '../../report/verdicts.js';
import { defaultClaims } from '../../verify/claims/index.js';
import { allPassed, runClaims } from '../../verify/runner.js';
import { fail } from '../../errors.js';
import { table } from '../../report/format.js';
import { parse } from '../args.js';
import { intOption } from '../io.js';

export const REPORT_HELP = `pgtruth report [options]

Runs every claim of the default suite — the exact identities and the known answers from the
literature, each with its negative control — and prints the verdict table. Exits 1 when a
claim fails or its wrong variant is not rejected.

Options:
  --json           the verdicts as one JSON object
  --verbose        every check and every control check
  --seed N         the root seed (default 20240124)
  --only PREFIX    only the claims whose id starts with PREFIX (e.g. exact. or known.)
  --list           list the claims and exit
  -h, --help       this help`;

const OPTIONS = {
  json: { type: 'boolean' },
  verbose: { type: 'boolean' },
  seed: { type: 'string' },
  only: { type: 'string' },
  list: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs `pgtruth report`. */
export async function reportCommand(argv: string[], write: (s: string) => void): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS, 'report');
  if (values.help) { write(REPORT_HELP + '\n'); return 0; }
  if (positionals.length) fail('CLI_USAGE', `report takes no arguments, got ${positionals.join(' ')} (see pgtruth report --help)`);
  const seed = intOption(values.seed as string | undefined, '--seed', 20240124);
  let claims = defaultClaims();
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
  const results = await runClaims(claims, { seed, onProgress: (d, t, id) => bar.update(d, t, id) });
  bar.finish();
  const seconds = (performance.now() - t0) / 1000;
  if (values.json) write(verdictJSON(results, { seed, seconds }) + '\n');
  else write(`pgtruth report — ${claims.length} claims, seed ${seed}, ${seconds.toFixed(1)} s\n\n` + verdictTable(results, { verbose: values.verbose === true, seed }) + '\n');
  return allPassed(results) ? 0 : 1;
}
