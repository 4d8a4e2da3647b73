/**
 * `npm run bench:ppo-speed` — issue 12 item 5: environment steps per second of the whole PPO
 * training loop (rollout, GAE, epochs × minibatches, Adam), ours (`trainPpo`,
 * src/algorithms/deep/ppo.ts, preset `cleanrl`, float64) against a CleanRL-style loop in
 * PyTorch (`bench/reference/ppo_speed.py`: Debian's python3-torch via /usr/bin/python3, one
 * thread, float64 and float32) in the same run.
 *
 * Same sizes on both sides: separate 64×64 tanh actor and critic; CartPole with 4 copies ×
 * 128 steps, 4 epochs × 4 minibatches; "HalfCheetah shapes" with 1 × 2048 steps, 10 epochs ×
 * 32 minibatches, observations normalized and rewards scaled. The Python side has neither
 * Gymnasium nor MuJoCo: its CartPole is our own Python code from the specification, and for
 * HalfCheetah BOTH sides step a stand-in with HalfCheetah's shapes (17 observations, 6 actions
 * in [−1, 1], 1000-step episodes) and trivial dynamics — s ← 0.95 s + 0.1 a[i mod 6],
 * r = s₈ − 0.1 Σ a², reset U(±0.1) — so that only the learner loops differ. For information,
 * ours also runs the real HalfCheetah-v5 (MuJoCo through mujoco-js) when it is installed.
 *
 * Differences of the loops, both small next to the networks' cost: CleanRL clips the value
 * loss (ours does not); CleanRL's reward scaling and observation normalization are Gymnasium's
 * wrappers, ours are src/algorithms/deep/normalize.ts.
 *
 * Timing: rounds interleave (ours, PyTorch float64, PyTorch float32 for each task) so that the
 * shared machine's drifts hit all sides alike; CPU seconds of each run (`process.cpuUsage`,
 * Python's `time.process_time`) give steps per CPU second, the verdict's measure on a loaded
 * machine; wall-clock steps per second are printed beside. Medians over the repetitions.
 *
 * Target (issue 12): ours at least as fast as PyTorch float64 (ratio of steps/s ≥ 1).
 *
 * Options: `--quick` (1 repetition, 10 240 CartPole and 4096 HalfCheetah-shape steps),
 * `--reps=R`, `--cartpole-steps=N`, `--cheetah-steps=N`, `--no-mujoco`.
 *
 * @module
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trainPpo } from '../src/algorithms/deep/ppo.js';
import { BaseEnv } from '../src/env/env.js';
import { boxSpace } from '../src/env/spaces.js';
import { TimeLimit } from '../src/env/time-limit.js';
import { VectorEnv } from '../src/env/vector.js';
import { fmaActive } from '../src/linalg/simd.js';
import type { Rng } from '../src/stats/rng.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const PY = '/usr/bin/python3';
const REF = join(HERE, 'reference', 'ppo_speed.py');
const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const opt = (name: string, dflt: number): number => {
  const a = argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.slice(name.length + 3)) : dflt;
};
const REPS = opt('reps', QUICK ? 1 : 3);
const CARTPOLE_STEPS = opt('cartpole-steps', QUICK ? 10_240 : 51_200);
const CHEETAH_STEPS = opt('cheetah-steps', QUICK ? 4096 : 20_480);
const MUJOCO = !argv.includes('--no-mujoco');

/** The stand-in with HalfCheetah's shapes (the same formulas as the Python side's HalfCheetahShape). */
class HalfCheetahShapeEnv extends BaseEnv {
  readonly id = 'HalfCheetahShape';
  readonly observationSpace = boxSpace(new Array<number>(17).fill(-Infinity), new Array<number>(17).fill(Infinity));
  readonly actionSpace = boxSpace(new Array<number>(6).fill(-1), new Array<number>(6).fill(1));
  private readonly s = new Float64Array(17);
  private readonly a = new Float64Array(6);

  protected resetState(rng: Rng): void {
    for (let i = 0; i < 17; i++) this.s[i] = -0.1 + 0.2 * rng.uniform();
  }

  protected advance(action: ArrayLike<number>, offset: number): void {
    let cost = 0;
    for (let j = 0; j < 6; j++) { const aj = Math.min(1, Math.max(-1, action[offset + j]!)); this.a[j] = aj; cost += aj * aj; }
    for (let i = 0; i < 17; i++) this.s[i] = 0.95 * this.s[i]! + 0.1 * this.a[i % 6]!;
    this.rewardNow = this.s[8]! - 0.1 * cost;
  }

  protected writeObservation(out: Float64Array, offset: number): void {
    out.set(this.s, offset);
  }
}

const standIn = (numEnvs: number): VectorEnv => new VectorEnv(Array.from({ length: numEnvs }, (_, i) => new TimeLimit(new HalfCheetahShapeEnv(i), 1000)));

class Reference {
  private readonly proc: ChildProcessWithoutNullStreams;
  private buf = '';
  private readonly waiting: ((line: string) => void)[] = [];
  constructor() {
    // one thread really: torch.set_num_threads(1) does not bound the BLAS library's own threads
    const oneThread = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
    this.proc = spawn(PY, [REF], { stdio: ['pipe', 'pipe', 'pipe'], env: oneThread });
    this.proc.stdout.setEncoding('utf8');
    this.proc.stdout.on('data', (chunk: string) => {
      this.buf += chunk;
      let i;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        this.waiting.shift()?.(line);
      }
    });
    this.proc.stderr.on('data', (d) => process.stderr.write(d));
  }
  async call(cmd: Record<string, unknown>): Promise<Record<string, unknown>> {
    const line = await new Promise<string>((resolve) => { this.waiting.push(resolve); this.proc.stdin.write(JSON.stringify(cmd) + '\n'); });
    const reply = JSON.parse(line) as Record<string, unknown>;
    if (reply['error']) throw new Error(`reference: ${String(reply['error'])}`);
    return reply;
  }
}

interface Run { steps: number; cpu: number; wall: number; ret: number | null }

async function ours(task: 'CartPole' | 'HalfCheetahShape' | 'HalfCheetah-v5', steps: number, seed: number): Promise<Run> {
  const c0 = process.cpuUsage(), w0 = performance.now();
  const r = task === 'HalfCheetahShape'
    ? await trainPpo('HalfCheetahShape', { steps, seed, preset: 'cleanrl', makeVectorEnv: standIn })
    : await trainPpo(task === 'CartPole' ? 'CartPole-v1' : task, { steps, seed, preset: 'cleanrl' });
  const c = process.cpuUsage(c0);
  return { steps: r.steps, cpu: (c.user + c.system) / 1e6, wall: (performance.now() - w0) / 1000, ret: r.finalReturn };
}

const median = (xs: number[]): number => {
  const s = xs.slice().sort((a, b) => a - b), k = s.length >> 1;
  return s.length % 2 ? s[k]! : (s[k - 1]! + s[k]!) / 2;
};
const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

async function main(): Promise<void> {
  const probe = spawnSync(PY, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  if (probe.status !== 0) throw new Error(`torch and numpy are needed for ${PY} (Debian: apt-get install python3-torch python3-numpy): ${probe.stderr}`);
  const ref = new Reference();
  const info = await ref.call({ cmd: 'info' });
  const load0 = loadavg();
  console.log(`pgtruth bench:ppo-speed — node ${process.version} (product kernel: ${fmaActive() ? 'fused multiply–add' : 'unfused'}); reference: python ${String(info['python'])}, torch ${String(info['torch'])}, threads ${String(info['threads'])}`);
  console.log(`whole PPO training loops, ${REPS} interleaved repetition(s); load average at start ${load0.map((x) => x.toFixed(1)).join(' ')}`);
  console.log('HalfCheetah-shape: BOTH sides step a stand-in with HalfCheetah\'s shapes (17 obs, 6 actions, 1000-step episodes, trivial dynamics): only the learner loops differ\n');
  const tasks = [
    { task: 'CartPole' as const, steps: CARTPOLE_STEPS, label: 'CartPole-v1 (4×128, 4 epochs × 4 minibatches)' },
    { task: 'HalfCheetahShape' as const, steps: CHEETAH_STEPS, label: 'HalfCheetah shapes (1×2048, 10 epochs × 32 minibatches)' },
  ];
  const rows: string[][] = [];
  try {
    for (const { task, steps, label } of tasks) {
      const runs: Record<'ours' | 'f64' | 'f32', Run[]> = { ours: [], f64: [], f32: [] };
      for (let rep = 0; rep < REPS; rep++) {
        const seed = rep + 1;
        runs.ours.push(await ours(task, steps, seed));
        for (const [key, dtype] of [['f64', 'float64'], ['f32', 'float32']] as const) {
          const r = await ref.call({ cmd: 'run', env: task, dtype, steps, seed });
          runs[key].push({ steps: r['steps'] as number, cpu: r['cpu'] as number, wall: r['wall'] as number, ret: r['mean_return'] as number | null });
        }
        const last = (k: 'ours' | 'f64' | 'f32') => runs[k][runs[k].length - 1]!;
        console.log(`${label}, repetition ${rep + 1}: steps per CPU second ours ${fmt(last('ours').steps / last('ours').cpu)}, torch f64 ${fmt(last('f64').steps / last('f64').cpu)}, torch f32 ${fmt(last('f32').steps / last('f32').cpu)} (load ${loadavg()[0]!.toFixed(1)})`);
      }
      const sps = (k: 'ours' | 'f64' | 'f32', by: 'cpu' | 'wall') => median(runs[k].map((r) => r.steps / r[by]));
      const r64 = sps('ours', 'cpu') / sps('f64', 'cpu'), r32 = sps('ours', 'cpu') / sps('f32', 'cpu');
      const met = r64 >= 1 ? 'met' : 'not met';
      rows.push([label, String(runs.ours[0]!.steps), fmt(sps('ours', 'cpu')), fmt(sps('f64', 'cpu')), fmt(sps('f32', 'cpu')), r64.toFixed(2), r32.toFixed(2), met,
        `${fmt(sps('ours', 'wall'))} / ${fmt(sps('f64', 'wall'))} / ${fmt(sps('f32', 'wall'))}`]);
    }
    if (MUJOCO) {
      try {
        const r = await ours('HalfCheetah-v5', CHEETAH_STEPS, 1);
        rows.push(['HalfCheetah-v5 (MuJoCo, ours only, information)', String(r.steps), fmt(r.steps / r.cpu), '—', '—', '—', '—', '—', `${fmt(r.steps / r.wall)} / — / —`]);
      } catch (e) {
        console.log(`HalfCheetah-v5 not run: ${(e as Error).message}`);
      }
    }
  } finally {
    await ref.call({ cmd: 'quit' }).catch(() => undefined);
  }
  const head = ['task (same sizes both sides)', 'steps per run', 'ours steps/CPU-s', 'torch f64', 'torch f32', 'ours / f64', 'ours / f32', 'target ours ≥ f64', 'wall steps/s ours / f64 / f32'];
  console.log('\n| ' + head.join(' | ') + ' |\n|' + head.map(() => ' --- |').join(''));
  for (const r of rows) console.log('| ' + r.join(' | ') + ' |');
  console.log(`\nload average at the end ${loadavg().map((x) => x.toFixed(1)).join(' ')}; medians over ${REPS} repetition(s)`);
}

main().then(() => process.exit(0), (e: unknown) => {
  console.error(e);
  process.exit(1);
});
