/**
 * `npm run bench:env`: environment steps per second of every registered task, one copy
 * (`stepInto` into a reused buffer, reset on episode end) and vectorized (`VectorEnv` of 8
 * copies, auto-reset; steps counted per copy), on one thread; and the tabular environment of
 * Sutton & Barto's 4×4 gridworld (random actions, 100-step limit).
 *
 * Actions come from a pre-drawn table of uniform random actions (cycled), so the figures are
 * the environment's cost, not the action sampler's. Each figure is the median of BENCH_ROUNDS
 * rounds (default 5) after a warm-up round; a round runs BENCH_STEPS environment steps
 * (default 200 000 for classic control, 20 000 for MuJoCo).
 *
 * GCs: garbage collections observed during all vector rounds of a task (the vector hot path
 * allocates nothing per step, so a task with 0 shows it; an episode reset may allocate).
 *
 * No reference run: Gymnasium cannot be installed here (no PyPI access), so the figures are
 * absolute, with the machine's load average printed beside them.
 */
import { cpus, loadavg } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { compileModel, ENV_IDS, ENV_SPECS, HALF_CHEETAH, HOPPER, loadMujoco, makeEnv, makeVectorEnv, sampleSpace, type Env, type VectorEnv } from '../src/env/index.js';
import { Rng } from '../src/stats/rng.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const VEC = 8;

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function actionTable(env: { actionSpace: Env['actionSpace']; actionSize: number }, rows: number): Float64Array {
  const t = new Float64Array(rows * env.actionSize), rng = Rng.from(99);
  for (let i = 0; i < rows; i++) sampleSpace(env.actionSpace, rng, t, i * env.actionSize);
  return t;
}

function singleRound(env: Env, actions: Float64Array, steps: number): number {
  const obs = new Float64Array(env.observationSize), m = env.actionSize, rows = actions.length / m;
  env.resetInto(obs, 0);
  const t0 = process.hrtime.bigint();
  for (let t = 0; t < steps; t++) {
    const sig = env.stepInto(actions, (t % rows) * m, obs, 0);
    if (sig.terminated || sig.truncated) env.resetInto(obs, 0);
  }
  return steps / (Number(process.hrtime.bigint() - t0) / 1e9);
}

let gcCount = 0;
new PerformanceObserver((list) => { gcCount += list.getEntries().length; }).observe({ entryTypes: ['gc'] });

function vectorRound(vec: VectorEnv, actions: Float64Array, steps: number): number {
  const per = vec.numEnvs * vec.actionSize, rows = actions.length / per, calls = Math.ceil(steps / vec.numEnvs);
  const views = Array.from({ length: rows }, (_, k) => actions.subarray(k * per, (k + 1) * per)); // no allocation in the timed loop
  const t0 = process.hrtime.bigint();
  for (let t = 0; t < calls; t++) vec.step(views[t % rows]!);
  return (calls * vec.numEnvs) / (Number(process.hrtime.bigint() - t0) / 1e9);
}

/**
 * The same physics without pgtruth around it, for an in-process A/B: write ctrl, call mj_step
 * frameSkip times, read nothing — the floor of any MuJoCo environment step (no reset, so the
 * model runs on from one state; the physics cost per step is about the same).
 */
async function rawMujocoRound(id: string, actions: Float64Array, steps: number): Promise<number> {
  const mj = await loadMujoco();
  const spec = id === 'HalfCheetah-v5' ? HALF_CHEETAH : HOPPER;
  const model = compileModel(mj, spec.file), data = new mj.MjData(model), nu = model.nu, rows = actions.length / nu;
  mj.mj_resetData(model, data);
  const ctrl = data.ctrl;
  const t0 = process.hrtime.bigint();
  for (let t = 0; t < steps; t++) {
    for (let i = 0; i < nu; i++) ctrl[i] = actions[(t % rows) * nu + i]!;
    for (let k = 0; k < spec.frameSkip; k++) mj.mj_step(model, data);
  }
  const rate = steps / (Number(process.hrtime.bigint() - t0) / 1e9);
  data.delete();
  return rate;
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

async function main(): Promise<void> {
  console.log(`bench:env — environment steps/s, one thread, median of ${ROUNDS} rounds (${cpus()[0]?.model ?? '?'}; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')})`);
  console.log('No reference: Gymnasium is not installable here (no PyPI), so these are absolute figures.\n');
  console.log(`${'task'.padEnd(26)} ${'single'.padStart(12)} ${`vector ×${VEC}`.padStart(12)}  ${'steps'.padStart(7)} ${'GCs'.padStart(4)}`);
  for (const id of [...ENV_IDS, 'builtin:gridworld-4x4']) {
    const mujoco = ENV_SPECS[id]?.mujoco ?? false;
    const steps = Number(process.env.BENCH_STEPS ?? (mujoco ? 20_000 : 200_000));
    let env: Env, vec: VectorEnv;
    try {
      const opts = id.startsWith('builtin:') ? { maxEpisodeSteps: 100 } : {}; // the tabular row: Sutton & Barto's 4×4 gridworld, index observations
      env = await makeEnv(id, opts);
      vec = await makeVectorEnv(id, VEC, { seed: 1, ...opts });
    } catch (e) {
      console.log(`${id.padEnd(26)} skipped: ${(e as Error).message}`);
      continue;
    }
    env.reset(1);
    const single = actionTable(env, 4096), multi = actionTable(env, 4096 * VEC);
    singleRound(env, single, Math.min(steps, 5000));
    vectorRound(vec, multi, Math.min(steps, 5000));
    const s: number[] = [], v: number[] = [], b: number[] = [];
    let gcs = 0;
    for (let r = 0; r < ROUNDS; r++) { // interleaved, so that a change of machine load hits all three alike
      s.push(singleRound(env, single, steps));
      await new Promise((r) => setTimeout(r, 20)); // deliver earlier GC entries first
      const g0 = gcCount;
      v.push(vectorRound(vec, multi, steps));
      await new Promise((r) => setTimeout(r, 20));
      gcs += gcCount - g0;
      if (mujoco) b.push(await rawMujocoRound(id, single, steps));
    }
    const raw = mujoco ? `   bare mj_step loop: ${fmt(median(b))} (ours = ${(median(s) / median(b)).toFixed(2)}× of it)` : '';
    console.log(`${id.padEnd(26)} ${fmt(median(s)).padStart(12)} ${fmt(median(v)).padStart(12)}  ${String(steps).padStart(7)} ${String(gcs).padStart(4)}${raw}`);
  }
  console.log(`\nload average after: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
}

await main();
