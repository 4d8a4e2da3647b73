/**
 * `npm run bench:check-power`: how `pgtruth check` sizes its checks, over seeds.
 *
 * For each correct example estimator (one per kind, and the declared PPO variants) and each
 * seed, runs every claim at default settings (resolution 5%, budget 120 s, 2 workers) and
 * prints the verdict, the weakest resolution over its checks (% of the target's scale), the
 * largest |z| against its threshold, and the wall time; then the median wall time and the
 * worst resolution per file. A correct estimator must PASS on every seed: a resolution
 * above 5% would be a spurious INCONCLUSIVE, a |z| above the threshold a spurious FAIL.
 *
 *     npm run bench:check-power                       # 5 seeds
 *     BENCH_SEEDS=20 npm run bench:check-power
 *     BENCH_FILES=gae.ts,kl.ts npm run bench:check-power
 *
 * There is no reference implementation to compare with: the figures are the sizing's own
 * (sample sizes, resolutions, wall time on this machine).
 */
import { checkModule } from '../src/verify/check.js';

const files = (process.env.BENCH_FILES ?? 'reinforce.ts,gae.ts,kl.ts,ppo.ts,ppo-regularized.ts,ppo-normalized.ts').split(',');
const seeds = Number(process.env.BENCH_SEEDS ?? 5);
const dir = new URL('../examples/estimators/', import.meta.url).pathname;

const median = (x: number[]) => { const s = [...x].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2; };

console.log('file                   seed  verdicts     weakest resolution   max |z| / threshold   wall s');
for (const f of files) {
  const walls: number[] = [], res: number[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const t0 = performance.now();
    const { results } = await checkModule(`${dir}${f}`, { seed, workers: 2 });
    const wall = (performance.now() - t0) / 1000;
    const checks = results.flatMap((r) => r.checks);
    const worstRes = Math.max(...checks.map((c) => c.stats?.resolution ?? 0));
    let zr = 0, z = '';
    for (const c of checks) { const q = c.discrepancy / c.tolerance; if (q >= zr) { zr = q; z = `${c.discrepancy.toFixed(2)} / ${c.tolerance.toFixed(2)}`; } }
    walls.push(wall); res.push(worstRes);
    console.log(`${f.padEnd(22)} ${String(seed).padStart(4)}  ${results.map((r) => r.verdict).join(',').padEnd(11)}  ${(100 * worstRes).toFixed(2).padStart(17)}%   ${z.padStart(19)}   ${wall.toFixed(1).padStart(6)}`);
  }
  console.log(`${f.padEnd(22)}  median wall ${median(walls).toFixed(1)} s; worst resolution over seeds ${(100 * Math.max(...res)).toFixed(2)}%\n`);
}
