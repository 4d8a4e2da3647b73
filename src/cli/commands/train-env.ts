/**
 * `pgtruth train --env ID --algo ppo|a2c|reinforce|trpo|vmpo [--steps N] [--seed N] [--seeds K] [--preset cleanrl|lehmann2024] [--json] [--html FILE]`
 * — a deep learner on an environment of the registry (src/algorithms/deep).
 * @module
 */
import type { TrainResult, UpdateLog } from '../../algorithms/deep/run.js';
import { trainDeep } from '../../algorithms/deep/train.js';
import { DEEP_ALGOS, PRESET_NAMES, type DeepAlgo } from '../../algorithms/deep/config.js';
import { ENV_IDS } from '../../env/registry.js';
import { fail, show } from '../../errors.js';
import { writeDeepRunsHtml } from '../../report/deep-html.js';
import { progressBar } from '../../report/progress.js';
import { parse } from '../args.js';
import { intOption } from '../io.js';

export const TRAIN_ENV_HELP = `pgtruth train --env ID [--algo ppo|a2c|reinforce|trpo|vmpo] [options]

Trains a deep learner (separate MLP actor and critic, Adam with global gradient clipping and a
linearly decaying step size) on an environment and prints, per seed, the mean return of the
last 100 training episodes. On a terminal, a progress bar on stderr shows the steps, the mean
return of the episodes of the last update and the k3 estimate of KL(π_old ‖ π_new).

Options:
  --env ID                ${ENV_IDS.join(', ')}
  --algo NAME             ppo | a2c | reinforce | trpo | vmpo (default ppo; Lehmann 2024
                          Algorithms 5, 2, 1, §4.3, §4.5)
  --steps N               environment steps per seed (default 500000)
  --seed N                the first seed (default 1)
  --seeds K               run seeds N, N+1, …, N+K−1 (default 1)
  --preset NAME           ${PRESET_NAMES.join(' | ')} (default cleanrl): see README "Deep learners"
  --html FILE             also write a self-contained HTML page: the return and the per-update
                          KL of every seed against steps, and a table of the final values
  --json                  one JSON line per update (the update log), then one per seed (the summary)
  -h, --help              this help`;

const OPTIONS = {
  env: { type: 'string' },
  algo: { type: 'string' },
  steps: { type: 'string' },
  seed: { type: 'string' },
  seeds: { type: 'string' },
  preset: { type: 'string' },
  json: { type: 'boolean' },
  html: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;


/** Runs `pgtruth train --env …`; resolves to the exit code. */
export async function trainEnv(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s), stderr: NodeJS.WriteStream = process.stderr): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS, 'train');
  if (values.help) { out(TRAIN_ENV_HELP + '\n'); return 0; }
  if (positionals.length > 0) fail('CLI_USAGE', `train --env takes no positional argument, got ${show(positionals[0])} (see pgtruth train --help)`, { where: 'argv', value: positionals[0] });
  const env = values.env as string | undefined;
  if (env === undefined) fail('CLI_USAGE', 'train: --env ID is required for a deep learner (see pgtruth train --help)', { where: '--env' });
  const algo = (values.algo as string | undefined) ?? 'ppo';
  if (!(DEEP_ALGOS as readonly string[]).includes(algo)) fail('TRAIN_OPTIONS', `--algo is ${show(algo)}: expected one of ${DEEP_ALGOS.join(', ')} on an environment`, { where: '--algo', value: algo });
  const steps = intOption(values.steps as string | undefined, '--steps', 500_000);
  const seed0 = intOption(values.seed as string | undefined, '--seed', 1);
  const seeds = intOption(values.seeds as string | undefined, '--seeds', 1);
  if (steps < 1) fail('TRAIN_OPTIONS', `--steps is ${steps}: expected a positive integer`, { where: '--steps', value: steps });
  if (seeds < 1) fail('TRAIN_OPTIONS', `--seeds is ${seeds}: expected a positive integer`, { where: '--seeds', value: seeds });
  const presetName = (values.preset as string | undefined) ?? 'cleanrl';
  const json = values.json === true;
  const html = values.html as string | undefined;
  if (html !== undefined && html.trim() === '') fail('CLI_USAGE', '--html needs a file name', { where: '--html', value: html });
  const bar = progressBar(stderr, stderr.isTTY === true);
  const results: TrainResult[] = [];
  for (let s = 0; s < seeds; s++) {
    const seed = seed0 + s;
    const onUpdate = (log: UpdateLog): void => {
      if (json) out(JSON.stringify({ type: 'update', env, algo, seed, ...log }) + '\n');
      const ret = log.meanReturn === null ? '—' : log.meanReturn.toFixed(1);
      bar.update(log.steps, steps, `seed ${seed}  return ${ret}  KL ${log.klK3.toExponential(1)}`);
    };
    const r = await trainDeep(env, { algo: algo as DeepAlgo, steps, seed, preset: presetName, onUpdate });
    bar.finish();
    results.push(r);
    const summary = { type: 'summary', env, algo, preset: presetName, seed, steps: r.steps, finalReturn: r.finalReturn, episodes: r.episodeReturns.length, seconds: r.seconds };
    if (json) out(JSON.stringify(summary) + '\n');
    else out(`${env} ${algo} (${presetName}) seed ${seed}: mean return of the last 100 episodes ${r.finalReturn === null ? '— (no episode ended)' : r.finalReturn.toFixed(2)} after ${r.steps} steps, ${r.episodeReturns.length} episodes, ${r.seconds.toFixed(1)} s\n`);
  }
  if (html !== undefined) {
    writeDeepRunsHtml(html, results, { title: `${algo} (${presetName}) on ${env}` });
    if (!json) out(`page → ${html}\n`);
  }
  if (!json && seeds > 1) {
    const f = results.map((r) => r.finalReturn).filter((x): x is number => x !== null);
    const mean = f.reduce((a, b) => a + b, 0) / Math.max(1, f.length);
    const sd = Math.sqrt(f.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, f.length - 1));
    out(`over ${seeds} seeds: ${mean.toFixed(2)} ± ${sd.toFixed(2)} (mean ± sd)\n`);
  }
  return 0;
}
