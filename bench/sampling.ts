/**
 * `npm run bench:sampling`: transitions per second of rollout + reward-to-go + GAE + the
 * REINFORCE gradient, on a 20-state 4-action Garnet MDP and on Sutton & Barto's 5×5
 * gridworld, in one thread and on two workers, against a numpy vectorized reference of the
 * same pipeline (bench/reference/sampling.py) run in the same process tree.
 *
 * Each batch is N = 1000 episodes cut at T = 100 steps (10⁵ transitions) of a softmax policy
 * with N(0, 1) logits; GAE uses the exact V^π with λ = 0.95. Each round draws 20 batches
 * (2·10⁶ transitions); figures are medians over 11 rounds after a warm-up round. The stages
 * are the real estimators (./sampling-task.ts).
 *
 * A calibration block measures what bounds the figures on this machine: the cost of one
 * 32-bit random word and of a one-load-one-store typed-array loop, and two workers'
 * speed-up on a pure-spin task (no memory traffic) and on one that also touches memory.
 *
 * Environment: BENCH_ROUNDS, BENCH_BATCHES override the round and batch counts; BENCH_EPISODES
 * the episodes per batch, on both sides (100 instead of 1000 leaves our figures as they are —
 * the batch's arrays are not what bounds them — and makes numpy's ~3.5× slower, so the default
 * stays at the batch size numpy is best at).
 */
import { execFileSync, spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { evaluatePolicy, policyGradient } from '../src/exact/index.js';
import { denseTransitions, garnet, suttonBartoGridworld5x5, type FiniteMDP } from '../src/mdp/index.js';
import { softmaxPolicy, type Policy } from '../src/policy/index.js';
import { mapBatchesSync, SamplerPool, type Batch, type BatchPlan, type TaskContext } from '../src/sampling/index.js';
import { Rng } from '../src/stats/rng.js';
import { rolloutOnly, stages, type PipelineOptions } from './sampling-task.js';

const EPISODES = Number(process.env.BENCH_EPISODES ?? 1000), STEPS = 100, LAMBDA = 0.95;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 11), BATCHES = Number(process.env.BENCH_BATCHES ?? 20);
const TARGET_RATIO = 4, TARGET_RATE = 40e6;
const PYTHON = '/usr/bin/python3';
const TASK = new URL('./sampling-task.ts', import.meta.url);

interface Case { readonly name: string; readonly mdp: FiniteMDP; readonly policy: Policy; readonly values: Float64Array; readonly grad: Float64Array; readonly expectedReturn: number }

function makeCase(name: string, mdp: FiniteMDP): Case {
  const r = Rng.from(`bench-policy-${name}`);
  const policy = { param: softmaxPolicy(mdp.numStates, mdp.numActions), theta: Float64Array.from({ length: mdp.numStates * mdp.numActions }, () => r.normal()) };
  const ev = evaluatePolicy(mdp, policy.param.probs(policy.theta));
  return { name, mdp, policy, values: ev.V, grad: policyGradient(mdp, policy, ev), expectedReturn: expectedReturn(mdp, policy.param.probs(policy.theta), STEPS) };
}

/** Σ_{t<T} E[r_t]: the exact mean undiscounted return of an episode cut at T (a sanity check). */
function expectedReturn(mdp: FiniteMDP, pi: Float64Array, T: number): number {
  const S = mdp.numStates, A = mdp.numActions, P = denseTransitions(mdp);
  let p = Float64Array.from(mdp.initial), total = 0;
  for (let t = 0; t < T; t++) {
    const q = new Float64Array(S);
    for (let s = 0; s < S; s++) for (let a = 0; a < A; a++) {
      const w = p[s]! * pi[s * A + a]!;
      total += w * mdp.rewards[s * A + a]!;
      for (let s2 = 0; s2 < S; s2++) q[s2] = q[s2]! + w * P[(s * A + a) * S + s2]!;
    }
    p = q;
  }
  return total;
}

const median = (x: number[]) => { const y = [...x].sort((a, b) => a - b); const n = y.length; return n % 2 ? y[n >> 1]! : (y[n / 2 - 1]! + y[n / 2]!) / 2; };
const plan = (round: number): BatchPlan => ({ source: { kind: 'episodes', episodes: EPISODES, maxSteps: STEPS }, batches: BATCHES, seed: round });

/** One round in this thread: each stage timed around its call; the rollout is the rest of the wall time. */
function oneThreadRound(c: Case, round: number, rows: number[][]) {
  const st = [0, 0, 0];
  const task = (b: Batch, ctx: TaskContext<PipelineOptions>) => {
    const { values, gamma, lambda } = ctx.options;
    const t0 = performance.now();
    stages.rewardToGo(b, gamma);
    const t1 = performance.now();
    stages.gae(b, values, gamma, lambda);
    const t2 = performance.now();
    const g = stages.reinforce(b, ctx.policy, gamma);
    const t3 = performance.now();
    st[0]! += t1 - t0; st[1]! += t2 - t1; st[2]! += t3 - t2;
    return [rolloutOnly(b), ...g];
  };
  const t0 = performance.now();
  const est = mapBatchesSync({ mdp: c.mdp, policy: c.policy }, plan(round), task, { values: c.values, gamma: c.mdp.gamma, lambda: LAMBDA });
  const total = performance.now() - t0;
  if (round > 0) for (let k = 0; k < est.batches; k++) rows.push(Array.from(est.values.subarray(k * est.dim, (k + 1) * est.dim)));
  const perSec = (ms: number) => est.transitions / (ms / 1e3);
  return { rollout: perSec(total - st[0]! - st[1]! - st[2]!), rewardToGo: perSec(st[0]!), gae: perSec(st[1]!), reinforce: perSec(st[2]!), pipeline: perSec(total) };
}

/** One round on the workers: the wall time of the whole map call (rollout and stages in the workers). */
async function workerRound(c: Case, pool: SamplerPool, name: 'rolloutOnly' | 'pipeline', round: number): Promise<number> {
  const t0 = performance.now();
  const est = await pool.mapBatches({ mdp: c.mdp, policy: c.policy }, plan(round), { module: TASK, name }, { values: c.values, gamma: c.mdp.gamma, lambda: LAMBDA });
  return est.transitions / ((performance.now() - t0) / 1e3);
}

/** The mean of rows[k][j] over k, and the standard error of that mean. */
function meanAndSE(rows: number[][], j: number): [number, number] {
  const n = rows.length;
  const m = rows.reduce((a, r) => a + r[j]!, 0) / n;
  const v = rows.reduce((a, r) => a + (r[j]! - m) ** 2, 0) / (n - 1);
  return [m, Math.sqrt(v / n)];
}

/**
 * Mean return per episode against its exact value, and the relative error of the mean
 * gradient against ∇J, each with its standard error: √(Σ_k se_k²)/‖∇J‖.
 */
function sanity(c: Case, rows: number[][]) {
  const [meanReturn, meanReturnSE] = meanAndSE(rows, 0);
  let num = 0, den = 0, se2 = 0;
  for (let k = 0; k < c.grad.length; k++) {
    const [m, se] = meanAndSE(rows, k + 1);
    num += (m - c.grad[k]!) ** 2; den += c.grad[k]! ** 2; se2 += se * se;
  }
  return { meanReturn, meanReturnSE, gradRelativeError: Math.sqrt(num / den), gradRelativeSE: Math.sqrt(se2 / den) };
}

/**
 * Two spin kernels for the calibration, run in fresh workers: `spin` is xoshiro128** with its
 * state in registers (the generator of src/stats/rng.ts, written out here only to time it;
 * no memory traffic); `touch` adds a read-modify-write per word at a random place in a
 * private 4 MB table (the size of a batch's arrays), so it also depends on the caches and
 * memory the two cores share.
 */
const SPIN = `
  function spin(n, touch) {
    let s0 = 0x9e3779b9 | 0, s1 = 0x243f6a88, s2 = 0x85a308d3 | 0, s3 = 0x13198a2e, acc = 0;
    const table = new Int32Array(touch ? 1 << 20 : 1), mask = table.length - 1;
    for (let i = 0; i < n; i++) {
      const m = Math.imul(s1, 5), w = Math.imul((m << 7) | (m >>> 25), 9);
      if (touch) { const k = w & mask; table[k] = (table[k] + i) | 0; } else acc ^= w;
      const t = s1 << 9; let n2 = s2 ^ s0, n3 = s3 ^ s1; s1 ^= n2; s0 ^= n3; s2 = n2 ^ t; s3 = (n3 << 11) | (n3 >>> 21);
    }
    return acc + table[0];
  }`;

/** Two workers' speed-up over one on a spin kernel: what two cores give this kind of work. */
async function spinSpeedup(touch: boolean): Promise<{ one: number; two: number; speedup: number }> {
  const n = touch ? 5e7 : 2e8;
  const run = async (k: number) => {
    const t0 = performance.now();
    await Promise.all(Array.from({ length: k }, () => new Promise<void>((res, rej) => {
      const w = new Worker(`${SPIN}\nrequire('node:worker_threads').parentPort.postMessage(spin(${n / k}, ${touch}));`, { eval: true });
      w.once('message', () => { void w.terminate(); res(); });
      w.once('error', rej);
    })));
    return n / ((performance.now() - t0) / 1e3);
  };
  const ones: number[] = [], twos: number[] = [];
  for (let r = 0; r < 3; r++) { ones.push(await run(1)); twos.push(await run(2)); }
  return { one: median(ones), two: median(twos), speedup: median(twos.map((x, i) => x / ones[i]!)) };
}

/** ns per 32-bit word of `Rng.nextU32`, and per element of a one-load-one-store Float64Array loop. */
function unitCosts(): { wordNs: number; copyNs: number } {
  const rng = Rng.from(1), n = 1e7, src = new Float64Array(1e5), dst = new Float64Array(1e5);
  const words: number[] = [], copies: number[] = [];
  let acc = 0;
  for (let r = 0; r < 7; r++) {
    let t0 = performance.now();
    for (let i = 0; i < n; i++) acc ^= rng.nextU32();
    words.push((performance.now() - t0) * 1e6 / n);
    t0 = performance.now();
    for (let k = 0; k < 100; k++) for (let i = 0; i < src.length; i++) dst[i] = src[i]! + k;
    copies.push((performance.now() - t0) * 1e6 / (100 * src.length));
  }
  if (acc === 0.5) console.log(acc);
  return { wordNs: median(words), copyNs: median(copies) };
}

function ensureNumpy(): void {
  if (spawnSync(PYTHON, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0) return;
  console.log('numpy is missing for /usr/bin/python3: installing python3-numpy with apt-get …');
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', 'python3-numpy'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

interface NumpySanity { name: string; meanReturn: number; meanReturnSE: number; gradRelativeError: number; gradRelativeSE: number }

/** The numpy reference as a round server (bench/reference/sampling.py), so that its rounds alternate with ours. */
class NumpyReference {
  private readonly proc: ChildProcessByStdio<Writable, Readable, null>;
  private readonly lines: AsyncIterator<string>;

  constructor(cases: Case[]) {
    ensureNumpy();
    this.proc = spawn(PYTHON, [new URL('./reference/sampling.py', import.meta.url).pathname], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.lines = createInterface({ input: this.proc.stdout })[Symbol.asyncIterator]();
    const cfg = {
      episodes: EPISODES, steps: STEPS, lambda: LAMBDA, batches: Math.max(3, Math.round(BATCHES / 4)), seed: 1,
      mdps: cases.map((c) => ({
        name: c.name, S: c.mdp.numStates, A: c.mdp.numActions, gamma: c.mdp.gamma, P: Array.from(denseTransitions(c.mdp)),
        r: Array.from(c.mdp.rewards), p0: Array.from(c.mdp.initial), terminal: Array.from(c.mdp.terminal),
        pi: Array.from(c.policy.param.probs(c.policy.theta)), V: Array.from(c.values), grad: Array.from(c.grad),
      })),
    };
    this.proc.stdin.write(JSON.stringify(cfg) + '\n');
  }

  private async ask<T>(req: unknown): Promise<T> {
    this.proc.stdin.write(JSON.stringify(req) + '\n');
    const r = await this.lines.next();
    if (r.done) throw new Error('the numpy reference exited early');
    return JSON.parse(r.value) as T;
  }

  /** One round of `name`: seconds per batch of [rollout, rewardToGo, gae, reinforce]. */
  async round(name: string, warm: boolean): Promise<number[]> { return (await this.ask<{ seconds: number[] }>({ mdp: name, warm })).seconds; }

  /** The sanity figures of the warm rounds; ends the server. */
  async done(): Promise<{ numpy: string; results: NumpySanity[] }> {
    const out = await this.ask<{ numpy: string; results: NumpySanity[] }>('done');
    this.proc.stdin.end();
    return out;
  }
}


/** Per round and MDP: numpy's figures and ours, measured back to back. */
interface Round { numpy: { rollout: number; pipeline: number; stages: number[] }; one: ReturnType<typeof oneThreadRound>; two: { rollout: number; pipeline: number } }

/** Round r of every case: numpy's round, then ours in this thread, then on the two workers. */
async function runRounds(cases: Case[], py: NumpyReference, pool: SamplerPool, rows: Map<string, number[][]>): Promise<Map<string, Round[]>> {
  const out = new Map<string, Round[]>(cases.map((c) => [c.name, []]));
  const n = EPISODES * STEPS;
  for (let r = 0; r <= ROUNDS; r++) {
    for (const c of cases) {
      const sec = await py.round(c.name, r > 0);
      const one = oneThreadRound(c, r, rows.get(c.name)!);
      const two = { rollout: await workerRound(c, pool, 'rolloutOnly', r), pipeline: await workerRound(c, pool, 'pipeline', r) };
      if (r > 0) out.get(c.name)!.push({ numpy: { rollout: n / sec[0]!, pipeline: n / sec.reduce((a, b) => a + b, 0), stages: sec }, one, two });
    }
  }
  return out;
}

const M = (x: number) => (x / 1e6).toFixed(1).padStart(6);
const X = (x: number) => `${x.toFixed(1)}×`.padStart(6);
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

async function main(): Promise<void> {
  const cases = [makeCase('garnet-20x4', garnet({ states: 20, actions: 4, gamma: 0.9, seed: 1 })), makeCase('gridworld-5x5', suttonBartoGridworld5x5())];
  const loadBefore = loadavg();
  console.log(`pgtruth bench:sampling — ${cpus()[0]?.model ?? 'cpu'}, ${availableParallelism()} cores, load average ${load()}`);
  console.log(`batch: ${EPISODES} episodes × ${STEPS} steps; ${BATCHES} batches per round (numpy: ${Math.max(3, Math.round(BATCHES / 4))}), ${ROUNDS} rounds after a warm-up, numpy's and ours alternating`);
  console.log(`stages: rollout, ${stages.names.join(', ')} (src/estimators)`);
  const py = new NumpyReference(cases);
  const pool = await SamplerPool.create({ workers: 2 });
  const rows = new Map<string, number[][]>(cases.map((c) => [c.name, []]));
  let rounds: Map<string, Round[]>;
  try {
    rounds = await runRounds(cases, py, pool, rows);
  } finally {
    await pool.close();
  }
  const numpySanity = await py.done();
  const calibration = { ...unitCosts(), spin: await spinSpeedup(false), touch: await spinSpeedup(true) };
  const loadAfter = loadavg();

  const results = cases.map((c) => {
    const rs = rounds.get(c.name)!, med = (f: (r: Round) => number) => median(rs.map(f));
    return {
      name: c.name, expectedReturn: c.expectedReturn,
      one: { rollout: med((r) => r.one.rollout), rewardToGo: med((r) => r.one.rewardToGo), gae: med((r) => r.one.gae), reinforce: med((r) => r.one.reinforce), pipeline: med((r) => r.one.pipeline) },
      two: { rollout: med((r) => r.two.rollout), pipeline: med((r) => r.two.pipeline) },
      numpy: { rollout: med((r) => r.numpy.rollout), pipeline: med((r) => r.numpy.pipeline), stageSeconds: [0, 1, 2, 3].map((k) => med((r) => r.numpy.stages[k]!)) },
      // ratios: the median over rounds of the ratio within each round (both sides measured back to back)
      ratio: {
        oneRollout: med((r) => r.one.rollout / r.numpy.rollout), twoRollout: med((r) => r.two.rollout / r.numpy.rollout),
        onePipeline: med((r) => r.one.pipeline / r.numpy.pipeline), twoPipeline: med((r) => r.two.pipeline / r.numpy.pipeline),
        twoOverOne: med((r) => r.two.pipeline / r.one.pipeline), twoOverOneRollout: med((r) => r.two.rollout / r.one.rollout),
      },
      rounds: rs.map((r) => ({ onePipeline: r.one.pipeline, twoPipeline: r.two.pipeline, numpyPipeline: r.numpy.pipeline })),
      sanity: { pgtruth: sanity(c, rows.get(c.name)!), numpy: numpySanity.results.find((x) => x.name === c.name)! },
    };
  });

  console.log(`\nmillion transitions per second, medians over rounds (numpy ${numpySanity.numpy}); ratios: medians of the per-round ratios`);
  console.log('mdp             stage      1 thread  2 workers   numpy   1T/numpy  2W/numpy');
  for (const r of results) {
    console.log(`${r.name.padEnd(15)} rollout    ${M(r.one.rollout)}    ${M(r.two.rollout)}   ${M(r.numpy.rollout)}   ${X(r.ratio.oneRollout)}    ${X(r.ratio.twoRollout)}`);
    console.log(`${''.padEnd(15)} pipeline   ${M(r.one.pipeline)}    ${M(r.two.pipeline)}   ${M(r.numpy.pipeline)}   ${X(r.ratio.onePipeline)}    ${X(r.ratio.twoPipeline)}`);
  }
  console.log('\nns per transition by stage, one thread (medians over rounds)');
  console.log('mdp             rollout   G_t    GAE  REINFORCE  | numpy rollout   G_t    GAE  REINFORCE');
  const ns = (perSecond: number) => (1e9 / perSecond).toFixed(1).padStart(6);
  const nsPy = (sec: number) => (sec * 1e9 / (EPISODES * STEPS)).toFixed(1).padStart(6);
  for (const r of results) {
    const p = r.numpy.stageSeconds;
    console.log(`${r.name.padEnd(15)} ${ns(r.one.rollout)}  ${ns(r.one.rewardToGo)} ${ns(r.one.gae)}  ${ns(r.one.reinforce)}     |       ${nsPy(p[0]!)}  ${nsPy(p[1]!)} ${nsPy(p[2]!)}  ${nsPy(p[3]!)}`);
  }

  console.log('\nsanity: mean undiscounted return per episode against the exact Σ_{t<T} E r_t, and ‖mean ĝ − ∇J‖/‖∇J‖, ± standard errors');
  const pm = (x: number, se: number, d = 4) => `${x.toFixed(d)} ± ${se.toFixed(d)}`;
  for (const r of results) {
    const a = r.sanity.pgtruth, b = r.sanity.numpy;
    console.log(`${r.name.padEnd(15)} return: exact ${r.expectedReturn.toFixed(4)}, pgtruth ${pm(a.meanReturn, a.meanReturnSE)}, numpy ${pm(b.meanReturn, b.meanReturnSE)}`);
    console.log(`${''.padEnd(15)} gradient error: pgtruth ${pm(a.gradRelativeError, a.gradRelativeSE, 3)}, numpy ${pm(b.gradRelativeError, b.gradRelativeSE, 3)}`);
  }

  console.log('\ncalibration (what bounds the figures on this machine):');
  console.log(`  one 32-bit random word (Rng.nextU32): ${calibration.wordNs.toFixed(1)} ns; a one-load-one-store Float64Array loop: ${calibration.copyNs.toFixed(2)} ns per element`);
  console.log(`  two workers' speed-up over one: pure spin (xoshiro in registers) ${calibration.spin.speedup.toFixed(2)}×; spin with a random read-modify-write in a 4 MB table ${calibration.touch.speedup.toFixed(2)}×`);
  for (const r of results) console.log(`  ${r.name}: two workers over this thread, pipeline ${r.ratio.twoOverOne.toFixed(2)}×, rollout ${r.ratio.twoOverOneRollout.toFixed(2)}×`);

  console.log(`\ntargets (whole pipeline on two workers): ≥ ${TARGET_RATIO}× the numpy reference, ≥ ${TARGET_RATE / 1e6} M transitions/s`);
  const targets = results.map((r) => ({ name: r.name, ratio: r.ratio.twoPipeline, rate: r.two.pipeline, ratioMet: r.ratio.twoPipeline >= TARGET_RATIO, rateMet: r.two.pipeline >= TARGET_RATE }));
  for (const t of targets) console.log(`  ${t.name.padEnd(15)} ${t.ratio.toFixed(1)}× numpy: ${t.ratioMet ? 'met' : 'NOT met'}; ${(t.rate / 1e6).toFixed(1)} M/s: ${t.rateMet ? 'met' : 'NOT met'}`);
  console.log(`load average: ${loadBefore.map((x) => x.toFixed(2)).join(' ')} before, ${load()} after (this run's own processes count)`);
  mkdirSync(new URL('./out/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./out/sampling.json', import.meta.url), JSON.stringify({ date: new Date().toISOString(), load: { before: loadBefore, after: loadAfter }, episodes: EPISODES, steps: STEPS, rounds: ROUNDS, batches: BATCHES, estimators: stages.names, results, calibration, targets }, null, 1));
}

await main();
