/**
 * `npm run bench:learn` — the deep learners (PPO by default) on the classic-control and MuJoCo tasks against the published
 * results (issue 12, item 3; REFERENCES.md "Deep-RL reference results"):
 *
 * | task | budget | target (PPO) | reference |
 * | --- | --- | --- | --- |
 * | CartPole-v1 | 500k steps | mean return ≥ 475 on ≥ 4 of 5 seeds | CleanRL `ppo.py`: 490.04 ± 6.12 |
 * | Acrobot-v1 | 500k steps | mean return ≥ −100 | CleanRL `ppo.py`: −86.36 ± 1.32 |
 * | Pendulum-v1 (only with `--tasks=Pendulum-v1`) | 1M steps | mean return ≥ −250 | RL Zoo −172 (tuned, γ 0.9, gSDE) |
 *
 * The score of a run is the mean undiscounted return of its last 100 training episodes
 * (stochastic policy; CleanRL's figures are likewise training episodic returns). Runs are
 * interleaved by seed (CartPole seed 1, Acrobot seed 1, CartPole seed 2, …) so that a partial
 * run covers both tasks. Each result is printed as it finishes, with its target, met / not
 * met and wall time, and appended to `bench/out/learn.jsonl`; the verdict per task is
 * printed at the end.
 *
 * | HalfCheetah-v5 (only with `--tasks=…`) | 1M steps | mean return ≥ 1400 | CleanRL (v4) 1442.64 ± 46.03; Lehmann 2024: 4332 |
 * | Hopper-v5 (only with `--tasks=…`) | 1M steps | mean return ≥ 2000 | CleanRL (v4) 2382.86 ± 271.74; Lehmann 2024: 895 |
 *
 * Options: `--seeds=K` (default 5), `--first-seed=S` (seeds S … S+K−1, default 1; to split
 * the seeds over two processes), `--steps=N` (override every budget, e.g. for a quick
 * look), `--tasks=CartPole-v1,Acrobot-v1`, `--preset=cleanrl|lehmann2024` (default cleanrl),
 * `--algos=ppo,a2c,reinforce,trpo,vmpo` (default ppo; the targets are PPO's: the other
 * learners print their curve — the mean of the last 100 episodes at each tenth of the run —
 * and final return, with no target).
 *
 * @module
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeepAlgo } from '../src/algorithms/deep/config.js';
import { trainDeep } from '../src/algorithms/deep/train.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const opt = (name: string): string | undefined => process.argv.slice(2).find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

interface Task { readonly env: string; readonly steps: number; readonly threshold: number; readonly seedsNeeded: (k: number) => number; readonly reference: string; readonly byDefault: boolean }
const TASKS: readonly Task[] = [
  { env: 'CartPole-v1', steps: 500_000, threshold: 475, seedsNeeded: (k) => Math.ceil((4 * k) / 5), reference: 'CleanRL 490.04 ± 6.12', byDefault: true },
  { env: 'Acrobot-v1', steps: 500_000, threshold: -100, seedsNeeded: (k) => Math.ceil((4 * k) / 5), reference: 'CleanRL −86.36 ± 1.32', byDefault: true },
  { env: 'Pendulum-v1', steps: 1_000_000, threshold: -250, seedsNeeded: (k) => Math.ceil((4 * k) / 5), reference: 'issue 12 target; RL Zoo −172 (PPO, 100k, γ 0.9, gSDE)', byDefault: false },
  { env: 'HalfCheetah-v5', steps: 1_000_000, threshold: 1400, seedsNeeded: (k) => Math.ceil((4 * k) / 5), reference: 'CleanRL (v4) 1442.64 ± 46.03; Lehmann 2024 Table 3: 4332 at 1M', byDefault: false },
  { env: 'Hopper-v5', steps: 1_000_000, threshold: 2000, seedsNeeded: (k) => Math.ceil((4 * k) / 5), reference: 'CleanRL (v4) 2382.86 ± 271.74; Lehmann 2024 Table 3: 895 at 1M', byDefault: false },
];

const seeds = Number(opt('seeds') ?? 5);
const firstSeed = Number(opt('first-seed') ?? 1);
const stepsOverride = opt('steps') === undefined ? undefined : Number(opt('steps'));
const only = opt('tasks')?.split(',');
const presetName = opt('preset') ?? 'cleanrl';
const algos = (opt('algos') ?? 'ppo').split(',') as DeepAlgo[];
const tasks = TASKS.filter((t) => (only === undefined ? t.byDefault : only.includes(t.env)));
mkdirSync(join(HERE, 'out'), { recursive: true });
const jsonl = join(HERE, 'out', 'learn.jsonl');

const results = new Map<string, { seed: number; score: number | null; seconds: number }[]>();
console.log(`bench:learn — ${algos.join(', ')} (${presetName}), ${seeds} seed(s), tasks ${tasks.map((t) => t.env).join(', ')}; score = mean return of the last 100 training episodes; the targets are PPO's (other learners: curve and final return, no target)`);
for (let seed = firstSeed; seed < firstSeed + seeds; seed++) {
  for (const task of tasks) {
    for (const algo of algos) {
      const steps = stepsOverride ?? task.steps;
      const r = await trainDeep(task.env, { algo, steps, seed, preset: presetName });
      const score = r.finalReturn;
      const met = score !== null && score >= task.threshold;
      const sps = r.steps / r.seconds;
      const verdict = algo === 'ppo' ? `target ≥ ${task.threshold}  ${met ? 'met' : 'NOT met'}${steps < task.steps ? ` (budget ${steps} < the target's ${task.steps})` : ''}` : 'no target';
      // the curve: the mean of the last 100 episodes at each tenth of the run
      const curve = Array.from({ length: 10 }, (_, i) => r.updates[Math.min(r.updates.length - 1, Math.round(((i + 1) * r.updates.length) / 10) - 1)]!.recentReturn);
      console.log(`${task.env.padEnd(14)} ${algo.padEnd(9)} seed ${seed}  ${r.steps} steps  score ${score === null ? '—' : score.toFixed(1).padStart(7)}  ${verdict}  wall ${r.seconds.toFixed(0)} s (${sps.toFixed(0)} steps/s)  final KL(k3) ${r.updates.at(-1)!.klK3.toExponential(2)}  curve ${curve.map((x) => (x === null ? '—' : x.toFixed(0))).join(' ')}`);
      appendFileSync(jsonl, JSON.stringify({ env: task.env, algo, preset: presetName, seed, steps: r.steps, score, threshold: algo === 'ppo' ? task.threshold : null, met: algo === 'ppo' ? met : null, seconds: r.seconds, curve, at: new Date().toISOString() }) + '\n');
      if (algo !== 'ppo') continue;
      const list = results.get(task.env) ?? [];
      list.push({ seed, score, seconds: r.seconds });
      results.set(task.env, list);
    }
  }
}
console.log('\nverdicts (PPO)');
for (const task of tasks) {
  const list = results.get(task.env) ?? [];
  if (list.length === 0) continue;
  const k = list.length;
  const nMet = list.filter((x) => x.score !== null && x.score >= task.threshold).length;
  const need = task.seedsNeeded(k);
  const scores = list.map((x) => x.score ?? NaN);
  const mean = scores.reduce((a, b) => a + b, 0) / k;
  const sd = Math.sqrt(scores.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, k - 1));
  console.log(`${task.env.padEnd(12)} ${nMet}/${k} seeds ≥ ${task.threshold} (need ${need}): ${nMet >= need ? 'met' : 'NOT met'}; mean ${mean.toFixed(1)} ± ${sd.toFixed(1)} (sd over seeds); ${task.reference}; wall ${list.reduce((a, b) => a + b.seconds, 0).toFixed(0)} s`);
}
