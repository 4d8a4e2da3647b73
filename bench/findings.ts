/**
 * `npm run bench:findings` — Lehmann 2024's findings on HalfCheetah (§6, Figs. 5–7; issue 12,
 * item 4), measured at the budget given:
 *
 * - Fig. 5: the per-update k3 KL(π_old ‖ π_new) of REINFORCE and A2C against PPO, TRPO and
 *   V-MPO (the paper: A2C and REINFORCE orders of magnitude lower; TRPO flattest, near δ);
 * - Fig. 6: A2C with entropy coefficient 0 against 0.1 (both set explicitly, whatever the preset's) (the paper: 0 collapses, its KL explodes);
 * - Fig. 7: A2C and REINFORCE with 5 epochs per batch against 1 (the paper: 5 collapses within 1M
 *   steps).
 *
 * Each run prints its final return (mean of the last 100 episodes), the median, 90th
 * percentile and maximum of its per-update k3 KL, and its wall time; the page
 * `bench/out/findings.html` plots every run's return and KL (src/report/deep-html.ts). These are
 * measurements of one seed at the stated budget, not the paper's 3 seeds × 8M steps.
 *
 * Options: `--steps=N` (default 1 000 000, the issue's budget), `--seed=S` (default 1),
 * `--preset=lehmann2024|cleanrl` (default lehmann2024, the paper's settings),
 * `--env=HalfCheetah-v5`, `--only=fig5,fig6,fig7`, `--part=i/n` (run only every n-th of the
 * runs, starting at the i-th: to spread the runs over n processes), `--algos=ppo,trpo` (only the
 * runs of these learners).
 *
 * Every finished run is kept in `bench/out/findings-cache/` under a key of its environment,
 * seed, budget, learner and resolved configuration, and is read back instead of re-run: run
 * `--part=1/2` and `--part=2/2` side by side, then once without `--part` to print all the runs
 * and draw the page from the cache. Delete the folder to measure afresh.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { preset, resolveConfig, type DeepAlgo, type DeepConfig } from '../src/algorithms/deep/config.js';
import type { TrainResult } from '../src/algorithms/deep/run.js';
import { trainDeep } from '../src/algorithms/deep/train.js';
import { writeDeepRunsHtml } from '../src/report/deep-html.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const opt = (name: string): string | undefined => process.argv.slice(2).find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const steps = Number(opt('steps') ?? 1_000_000);
const seed = Number(opt('seed') ?? 1);
const presetName = opt('preset') ?? 'lehmann2024';
const env = opt('env') ?? 'HalfCheetah-v5';
const only = (opt('only') ?? 'fig5,fig6,fig7').split(',');
const part = (opt('part') ?? '1/1').split('/').map(Number) as [number, number];
if (!(Number.isInteger(part[0]) && Number.isInteger(part[1]) && part[0] >= 1 && part[0] <= part[1])) throw new Error(`--part=${opt('part')}: expected i/n with 1 ≤ i ≤ n`);
const algosOnly = opt('algos')?.split(',');
const cacheDir = join(HERE, 'out', 'findings-cache');

interface Run { readonly label: string; readonly figs: readonly string[]; readonly algo: DeepAlgo; readonly overrides?: Partial<DeepConfig> }
const RUNS: readonly Run[] = [
  { label: 'REINFORCE', figs: ['fig5', 'fig7'], algo: 'reinforce' },
  { label: 'A2C', figs: ['fig5', 'fig6', 'fig7'], algo: 'a2c' },
  { label: 'PPO', figs: ['fig5'], algo: 'ppo' },
  { label: 'TRPO', figs: ['fig5'], algo: 'trpo' },
  { label: 'V-MPO', figs: ['fig5'], algo: 'vmpo' },
  { label: 'A2C', figs: ['fig6'], algo: 'a2c', overrides: { entCoef: 0.1 } },
  { label: 'A2C', figs: ['fig6'], algo: 'a2c', overrides: { entCoef: 0 } },
  { label: 'A2C', figs: ['fig7'], algo: 'a2c', overrides: { epochs: 5 } },
  { label: 'REINFORCE 5 epochs', figs: ['fig7'], algo: 'reinforce', overrides: { epochs: 5 } },
];

const quantile = (xs: readonly number[], q: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(q * s.length))]!; };
mkdirSync(join(HERE, 'out'), { recursive: true });
console.log(`bench:findings — ${env}, ${presetName}, seed ${seed}, ${steps} steps per run; KL = per-update k3 estimate of KL(π_old ‖ π_new)`);
const results: TrainResult[] = [], labels: string[] = [];
const discrete = env === 'CartPole-v1' || env === 'Acrobot-v1';
const done = new Set<string>();
mkdirSync(cacheDir, { recursive: true });
let index = 0;
for (const run of RUNS.filter((r) => r.figs.some((f) => only.includes(f)))) {
  // a run whose resolved configuration was already run (e.g. lehmann2024's A2C has entropy 0.1) is not repeated
  const key = run.algo + JSON.stringify(resolveConfig(preset(presetName, discrete, run.algo), run.overrides));
  if (done.has(key)) continue;
  done.add(key);
  if (algosOnly !== undefined && !algosOnly.includes(run.algo)) continue;
  if (index++ % part[1] !== part[0] - 1) continue;
  const cacheFile = join(cacheDir, createHash('sha256').update(JSON.stringify([env, seed, steps, key])).digest('hex').slice(0, 16) + '.json');
  const cached = existsSync(cacheFile);
  const r: TrainResult = cached
    ? { ...(JSON.parse(readFileSync(cacheFile, 'utf8')) as TrainResult), params: new Float64Array(0) }
    : await trainDeep(env, { algo: run.algo, steps, seed, preset: presetName, overrides: run.overrides });
  if (!cached) writeFileSync(cacheFile, JSON.stringify({ ...r, params: [] }));
  const kl = r.updates.map((u) => u.klK3);
  const label = run.algo === 'a2c' ? `${run.label} (entropy ${r.config.entCoef}, ${r.config.epochs} epoch${r.config.epochs > 1 ? 's' : ''})` : run.label;
  console.log(`${label.padEnd(34)} [${run.figs.join(' ')}]  return ${r.finalReturn === null ? '—' : r.finalReturn.toFixed(1).padStart(8)}  KL median ${quantile(kl, 0.5).toExponential(2)}  p90 ${quantile(kl, 0.9).toExponential(2)}  max ${Math.max(...kl).toExponential(2)}  wall ${r.seconds.toFixed(0)} s${cached ? ' (from the cache)' : ''}`);
  if (!cached) appendFileSync(join(HERE, 'out', 'findings.jsonl'), JSON.stringify({ env, preset: presetName, seed, steps: r.steps, label, figs: run.figs, score: r.finalReturn, klMedian: quantile(kl, 0.5), klP90: quantile(kl, 0.9), klMax: Math.max(...kl), seconds: r.seconds, at: new Date().toISOString() }) + '\n');
  results.push(r); labels.push(label);
}
if (part[1] > 1 || algosOnly !== undefined) { console.log(`part ${part[0]}/${part[1]}${algosOnly === undefined ? '' : ` of ${algosOnly.join(', ')}`} done; run once more without --part and --algos for the page`); process.exit(0); }
const page = join(HERE, 'out', 'findings.html');
writeDeepRunsHtml(page, results, { title: `Lehmann 2024 Figs. 5–7 on ${env} (${presetName}, seed ${seed}, ${steps} steps per run)`, labels });
console.log(`page → ${page}`);
