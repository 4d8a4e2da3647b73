/**
 * `npm run bench:bridge`: what checking a Python estimator costs.
 *
 * 1. **Round trip** of a 100k-transition batch (100 environments × 1000 steps of the 5×5
 *    gridworld, 9 columns, 3.8 MB in, 1.6 MB out) through the Python worker to an
 *    advantage estimator that returns (r_t, r_t) — the wire alone; the reply is checked
 *    against the batch. Median (and fastest) of BENCH_CALLS calls (default 101) after 3 warm-up
 *    calls.
 *    Target: ≤ 10 ms. Also the round trip of a 256-transition batch (the per-call overhead
 *    that the checks' small batches pay).
 * 2. **A whole check**: `pgtruth check examples/python/gae.py` (numpy, [T, N]) against
 *    `pgtruth check examples/estimators/gae.ts` (the same GAE in TypeScript), in this process,
 *    2 worker threads, BENCH_SAMPLES samples per check (default 96 000), alternating, median
 *    of BENCH_ROUNDS rounds (default 3). Target: Python within 2× of TypeScript.
 *
 * Python: /usr/bin/python3 (or BENCH_PYTHON) with numpy.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluatePolicy } from '../src/exact/index.js';
import { suttonBartoGridworld5x5 } from '../src/mdp/index.js';
import { softmaxPolicy } from '../src/policy/index.js';
import { SegmentCollector, type Batch } from '../src/sampling/index.js';
import { Rng } from '../src/stats/rng.js';
import { checkModule } from '../src/verify/check.js';
import { PythonBridge } from '../src/verify/python/bridge.js';
import { pythonEstimator } from '../src/verify/python/estimators.js';
import type { AdvantageEstimator } from '../src/verify/plugin.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 101);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 96_000);
const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const TARGET_MS = 10, TARGET_RATIO = 2;

const median = (x: number[]) => { const s = [...x].sort((a, b) => a - b); return s[(s.length - 1) >> 1]!; };
const met = (ok: boolean) => (ok ? 'met' : 'NOT met');

function segmentBatch(envs: number, length: number): { batch: Batch; values: Float64Array } {
  const mdp = suttonBartoGridworld5x5();
  const r = Rng.from('bench/bridge');
  const policy = { param: softmaxPolicy(mdp.numStates, mdp.numActions), theta: Float64Array.from({ length: mdp.numStates * mdp.numActions }, () => r.normal()) };
  const values = evaluatePolicy(mdp, policy.param.probs(policy.theta)).V;
  return { batch: new SegmentCollector({ mdp, policy }, { envs, length, seed: 'bench/bridge', maxSteps: 50 }).next(), values };
}

function roundTrip(bridge: PythonBridge, envs: number, length: number, calls: number): { median: number; min: number } {
  const { batch, values } = segmentBatch(envs, length);
  const est = pythonEstimator(bridge.estimators[0]!, 0, () => bridge) as AdvantageEstimator;
  const times: number[] = [];
  for (let k = 0; k < calls + 3; k++) {
    const t0 = performance.now();
    const r = est.estimate(batch, values, 0.99, 0.95);
    const dt = performance.now() - t0;
    if (k >= 3) times.push(dt);
    const adv = r.advantages as Float64Array;
    if (adv.length !== batch.size) throw new Error(`round trip returned ${adv.length} numbers for ${batch.size}`);
    for (let i = 0; i < batch.size; i += 997) if (adv[i] !== batch.r_t[i]) throw new Error(`round trip changed r_t[${i}]: ${adv[i]} ≠ ${batch.r_t[i]}`);
  }
  return { median: median(times), min: Math.min(...times) };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pgtruth-bench-bridge-'));
  const echo = join(dir, 'echo.py');
  writeFileSync(echo, "PGTRUTH = {'kind': 'advantage', 'function': 'echo'}\ndef echo(batch, values, gamma, lam):\n    return batch.r_t, batch.r_t\n");
  const bridge = PythonBridge.start(echo, { python: PYTHON });
  console.log(`pgtruth bench:bridge — Python ${bridge.versions.python}, numpy ${bridge.versions.numpy} (${PYTHON}); node ${process.version}; ${cpus().length} cores, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
  const big = roundTrip(bridge, 100, 1000, CALLS);
  const small = roundTrip(bridge, 8, 32, CALLS * 10);
  bridge.close();
  console.log(`round trip, 100 000 transitions (3.8 MB in, 1.6 MB out, via /dev/shm): median ${big.median.toFixed(2)} ms (fastest ${big.min.toFixed(2)}) over ${CALLS} calls — target ≤ ${TARGET_MS} ms: ${met(big.median <= TARGET_MS)}`);
  console.log(`round trip, 256 transitions (inline over the pipe):                  median ${(small.median * 1000).toFixed(0)} µs (fastest ${(small.min * 1000).toFixed(0)}) over ${CALLS * 10} calls\n`);

  const root = new URL('../', import.meta.url).pathname;
  const run = async (path: string) => {
    const t0 = performance.now();
    const { results } = await checkModule(join(root, path), { samples: SAMPLES, workers: 2, python: PYTHON });
    if (results.some((r) => r.verdict === 'error')) throw new Error(`${path}: ${results.map((r) => `${r.verdict} ${r.error ?? ''}`).join('; ')}`);
    return (performance.now() - t0) / 1000;
  };
  const py: number[] = [], ts: number[] = [];
  for (let k = 0; k < ROUNDS; k++) {
    ts.push(await run('examples/estimators/gae.ts'));
    py.push(await run('examples/python/gae.py'));
  }
  const ratio = median(py) / median(ts);
  console.log(`pgtruth check, GAE, ${SAMPLES} samples per check, 2 workers, median of ${ROUNDS}:`);
  console.log(`  examples/estimators/gae.ts (TypeScript): ${median(ts).toFixed(2)} s   [${ts.map((x) => x.toFixed(2)).join(', ')}]`);
  console.log(`  examples/python/gae.py (numpy, [T, N]):  ${median(py).toFixed(2)} s   [${py.map((x) => x.toFixed(2)).join(', ')}]`);
  console.log(`  ratio ${ratio.toFixed(2)}× — target ≤ ${TARGET_RATIO}×: ${met(ratio <= TARGET_RATIO)}`);
}

await main();
