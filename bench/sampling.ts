/**
 * `npm run bench:sampling`: transitions per second of rollout + reward-to-go + GAE + the
 * REINFORCE gradient, on a 20-state 4-action Garnet MDP and on Sutton & Barto's 5×5
 * gridworld, in one thread and on two workers, against a numpy vectorized reference of the
 * same pipeline (bench/reference/sampling.py) run in the same process tree.
 *
 * Each batch is N = 1000 episodes cut at T = 100 steps (10⁵ transitions) of a softmax policy
 * with N(0, 1) logits; GAE uses the exact V^π with λ = 0.95. Each round draws 20 batches
 * (2·10⁶ transitions); figures are medians over 7 rounds after a warm-up round. The stages
 * are the real estimators (./sampling-task.ts); without them, the rollout is measured alone.
 *
 * Environment: BENCH_ROUNDS, BENCH_BATCHES override the round and batch counts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { evaluatePolicy, policyGradient } from '../src/exact/index.js';
import { denseTransitions, garnet, suttonBartoGridworld5x5, type FiniteMDP } from '../src/mdp/index.js';
import { softmaxPolicy, type Policy } from '../src/policy/index.js';
import { mapBatchesSync, SamplerPool, type Batch, type BatchPlan, type TaskContext } from '../src/sampling/index.js';
import { Rng } from '../src/stats/rng.js';
import { pipeline, rolloutOnly, stages, type PipelineOptions } from './sampling-task.js';

const EPISODES = 1000, STEPS = 100, LAMBDA = 0.95;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7), BATCHES = Number(process.env.BENCH_BATCHES ?? 20);
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

/** One thread: each stage timed around its call; the rollout is the rest of the wall time. */
function oneThread(c: Case) {
  const opts: PipelineOptions = { values: c.values, gamma: c.mdp.gamma, lambda: LAMBDA };
  const rounds: { rollout: number; stages: number[]; total: number; n: number }[] = [];
  const rows: number[][] = [];
  for (let r = 0; r <= ROUNDS; r++) {
    const st = [0, 0, 0];
    const task = (b: Batch, ctx: TaskContext<PipelineOptions>) => {
      if (stages === null) { const t0 = performance.now(); const x = rolloutOnly(b); st[0]! += performance.now() - t0; return x; }
      const t0 = performance.now();
      const G = stages.rewardToGo(b, ctx.options.gamma);
      const t1 = performance.now();
      stages.gae(b, ctx.options.values, ctx.options.gamma, ctx.options.lambda);
      const t2 = performance.now();
      const g = stages.reinforce(b, ctx.policy, G, ctx.options.gamma);
      const t3 = performance.now();
      st[0]! += t1 - t0; st[1]! += t2 - t1; st[2]! += t3 - t2;
      return [rolloutOnly(b), ...g];
    };
    const t0 = performance.now();
    const est = mapBatchesSync({ mdp: c.mdp, policy: c.policy }, plan(r), task, opts);
    const total = performance.now() - t0;
    const inStages = st.reduce((a, b) => a + b, 0);
    if (r > 0) {
      rounds.push({ rollout: total - inStages, stages: st, total, n: est.transitions });
      for (let k = 0; k < est.batches; k++) rows.push(Array.from(est.values.subarray(k * est.dim, (k + 1) * est.dim)));
    }
  }
  const perSec = (f: (x: (typeof rounds)[number]) => number) => median(rounds.map((x) => x.n / (f(x) / 1e3)));
  return {
    rolloutPerSecond: perSec((x) => x.rollout),
    stagePerSecond: stages ? { rewardToGo: perSec((x) => x.stages[0]!), gae: perSec((x) => x.stages[1]!), reinforce: perSec((x) => x.stages[2]!) } : null,
    pipelinePerSecond: perSec((x) => x.total),
    rounds: rounds.map((x) => x.n / (x.total / 1e3)),
    ...sanity(c, rows),
  };
}

/** Two workers: wall time of the whole map call (rollout and stages in the workers). */
async function workers(c: Case, pool: SamplerPool) {
  const opts: PipelineOptions = { values: c.values, gamma: c.mdp.gamma, lambda: LAMBDA };
  const timed = async (name: string) => {
    const per: number[] = [];
    for (let r = 0; r <= ROUNDS; r++) {
      const t0 = performance.now();
      const est = await pool.mapBatches({ mdp: c.mdp, policy: c.policy }, plan(r), { module: TASK, name }, opts);
      if (r > 0) per.push(est.transitions / ((performance.now() - t0) / 1e3));
    }
    return per;
  };
  const rollout = await timed('rolloutOnly');
  const whole = await timed('pipeline');
  return { rolloutPerSecond: median(rollout), pipelinePerSecond: median(whole), rounds: whole };
}

/** The mean of rows[k][j] over k, and the standard error of that mean. */
function meanAndSE(rows: number[][], j: number): [number, number] {
  const n = rows.length;
  const m = rows.reduce((a, r) => a + r[j]!, 0) / n;
  const v = rows.reduce((a, r) => a + (r[j]! - m) ** 2, 0) / (n - 1);
  return [m, Math.sqrt(v / n)];
}

/**
 * Mean return per episode against its exact value, and (with the estimators) the relative
 * error of the mean gradient against ∇J, each with its standard error: √(Σ_k se_k²)/‖∇J‖.
 */
function sanity(c: Case, rows: number[][]) {
  const [meanReturn, meanReturnSE] = meanAndSE(rows, 0);
  if (rows[0]!.length === 1) return { meanReturn, meanReturnSE, gradRelativeError: null, gradRelativeSE: null };
  let num = 0, den = 0, se2 = 0;
  for (let k = 0; k < c.grad.length; k++) {
    const [m, se] = meanAndSE(rows, k + 1);
    num += (m - c.grad[k]!) ** 2; den += c.grad[k]! ** 2; se2 += se * se;
  }
  return { meanReturn, meanReturnSE, gradRelativeError: Math.sqrt(num / den), gradRelativeSE: Math.sqrt(se2 / den) };
}

function ensureNumpy(): void {
  if (spawnSync(PYTHON, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0) return;
  console.log('numpy is missing for /usr/bin/python3: installing python3-numpy with apt-get …');
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', 'python3-numpy'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

interface NumpyResult { name: string; rolloutPerSecond: number; pipelinePerSecond: number; meanReturn: number; meanReturnSE: number; gradRelativeError: number; gradRelativeSE: number; secondsPerBatch: Record<string, number> }

function numpyReference(cases: Case[]): { numpy: string; results: NumpyResult[] } {
  ensureNumpy();
  const cfg = {
    episodes: EPISODES, steps: STEPS, lambda: LAMBDA, rounds: ROUNDS, batches: Math.max(3, Math.round(BATCHES / 4)), seed: 1,
    mdps: cases.map((c) => ({
      name: c.name, S: c.mdp.numStates, A: c.mdp.numActions, gamma: c.mdp.gamma, P: Array.from(denseTransitions(c.mdp)),
      r: Array.from(c.mdp.rewards), p0: Array.from(c.mdp.initial), terminal: Array.from(c.mdp.terminal),
      pi: Array.from(c.policy.param.probs(c.policy.theta)), V: Array.from(c.values), grad: Array.from(c.grad),
    })),
  };
  const out = execFileSync(PYTHON, [new URL('./reference/sampling.py', import.meta.url).pathname], { input: JSON.stringify(cfg), maxBuffer: 1 << 26 });
  return JSON.parse(out.toString()) as { numpy: string; results: NumpyResult[] };
}

const M = (x: number) => (x / 1e6).toFixed(1).padStart(6);
const ratio = (a: number, b: number) => `${(a / b).toFixed(1)}×`.padStart(6);

async function main(): Promise<void> {
  const cases = [makeCase('garnet-20x4', garnet({ states: 20, actions: 4, gamma: 0.9, seed: 1 })), makeCase('gridworld-5x5', suttonBartoGridworld5x5())];
  console.log(`pgtruth bench:sampling — ${cpus()[0]?.model ?? 'cpu'}, ${availableParallelism()} cores, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(`batch: ${EPISODES} episodes × ${STEPS} steps; ${BATCHES} batches per round, median of ${ROUNDS} rounds`);
  console.log(stages ? `stages: rollout, ${stages.names.join(', ')} (src/estimators)` : 'stages: rollout only — src/estimators is not on this branch, so reward-to-go, GAE and the REINFORCE gradient are not measured on the TypeScript side');
  const py = numpyReference(cases);
  const pool = await SamplerPool.create({ workers: 2 });
  const results = [];
  try {
    for (const c of cases) results.push({ name: c.name, expectedReturn: c.expectedReturn, one: oneThread(c), two: await workers(c, pool), numpy: py.results.find((x) => x.name === c.name)! });
  } finally {
    await pool.close();
  }
  console.log(`\nmillion transitions per second (numpy ${py.numpy})`);
  console.log('mdp             stage      1 thread  2 workers   numpy   1T/numpy  2W/numpy');
  for (const r of results) {
    console.log(`${r.name.padEnd(15)} rollout    ${M(r.one.rolloutPerSecond)}    ${M(r.two.rolloutPerSecond)}   ${M(r.numpy.rolloutPerSecond)}   ${ratio(r.one.rolloutPerSecond, r.numpy.rolloutPerSecond)}    ${ratio(r.two.rolloutPerSecond, r.numpy.rolloutPerSecond)}`);
    if (stages) console.log(`${''.padEnd(15)} pipeline   ${M(r.one.pipelinePerSecond)}    ${M(r.two.pipelinePerSecond)}   ${M(r.numpy.pipelinePerSecond)}   ${ratio(r.one.pipelinePerSecond, r.numpy.pipelinePerSecond)}    ${ratio(r.two.pipelinePerSecond, r.numpy.pipelinePerSecond)}`);
    else console.log(`${''.padEnd(15)} pipeline   (not measured: no estimators)   ${M(r.numpy.pipelinePerSecond)}`);
  }
  console.log('\nsanity: mean undiscounted return per episode against the exact Σ_{t<T} E r_t, and ‖mean ĝ − ∇J‖/‖∇J‖, ± standard errors');
  const pm = (x: number, se: number, d = 4) => `${x.toFixed(d)} ± ${se.toFixed(d)}`;
  for (const r of results) {
    const g = r.one.gradRelativeError === null ? 'n/a' : pm(r.one.gradRelativeError, r.one.gradRelativeSE!, 3);
    console.log(`${r.name.padEnd(15)} return: exact ${r.expectedReturn.toFixed(4)}, pgtruth ${pm(r.one.meanReturn, r.one.meanReturnSE)}, numpy ${pm(r.numpy.meanReturn, r.numpy.meanReturnSE)}`);
    console.log(`${''.padEnd(15)} gradient error: pgtruth ${g}, numpy ${pm(r.numpy.gradRelativeError, r.numpy.gradRelativeSE, 3)}`);
  }
  console.log('\ntargets: ≥ 4× the numpy reference, ≥ 40 M transitions/s on two cores (whole pipeline)');
  mkdirSync(new URL('./out/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./out/sampling.json', import.meta.url), JSON.stringify({ date: new Date().toISOString(), load: loadavg(), episodes: EPISODES, steps: STEPS, rounds: ROUNDS, batches: BATCHES, estimators: stages?.names ?? null, results }, null, 1));
}

await main();
