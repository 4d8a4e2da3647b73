/**
 * `npm run bench:exact` — exact evaluation + ∇J, pgtruth against a numpy/scipy reference
 * doing the same computation on the same MDPs in the same run (see bench/README.md).
 *
 * For each case this script builds the MDP with a fixed seed, writes it (raw little-endian
 * Float64/Int32 files and a JSON header) to a temporary directory, and starts
 * `bench/reference/exact_ref.py` once as a server. Timing rounds alternate: a block of
 * pgtruth calls, then a block of reference calls, several times, so that drifts of the
 * shared machine hit both sides alike. Medians of per-call times are quoted, and ratios
 * of medians. Accuracy: the largest relative difference max|x − y| / max|y| between
 * pgtruth's and the reference's V, η and ∇J.
 *
 * The 10⁶-state gridworld runs in a child process (so that its peak RSS is its own): the
 * MDP is built (timed separately), then evaluation + ∇J is timed on a first call (which
 * also builds the per-MDP plan) and on repeated calls. scipy's sparse direct solve is not
 * run at that size (see bench/README.md for the measured scaling); scipy's BiCGSTAB runs
 * once as a clearly labelled extra, for the accuracy comparison.
 *
 * Options: `--quick` (fewer rounds), `--skip-large` (no 10⁶-state case),
 * `--skip-large-reference` (no scipy run at 10⁶), `--cases=a,b` (only these case names).
 *
 * @module
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluatePolicy, forgetSystemPlan, type Evaluation } from '../src/exact/evaluate.js';
import { policyGradient } from '../src/exact/gradient.js';
import { benchmarkGridworld, garnet } from '../src/mdp/library/index.js';
import type { FiniteMDP } from '../src/mdp/model.js';
import { softmaxPolicy } from '../src/policy/softmax.js';
import type { Policy } from '../src/policy/types.js';
import { Rng } from '../src/stats/rng.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const PY = '/usr/bin/python3';
const REF = join(HERE, 'reference', 'exact_ref.py');
const args = new Set(process.argv.slice(2));
const QUICK = args.has('--quick');
const only = [...args].find((a) => a.startsWith('--cases='))?.slice(8).split(',');
const LARGE_N = 1000;
const LARGE_NAME = 'grid 1000×1000';

// ---------------------------------------------------------------- the cases

interface CaseSpec {
  readonly name: string;
  readonly kind: 'dense' | 'sparse';
  readonly build: () => FiniteMDP;
  /** The target, as a bound on pgtruth median / reference median. */
  readonly target?: { readonly maxRatio: number; readonly text: string };
}

const GAMMA = 0.99;
const CASES: CaseSpec[] = [
  { name: 'dense S=10', kind: 'dense', build: () => garnet({ states: 10, actions: 4, branching: 10, gamma: GAMMA, seed: 10 }), target: { maxRatio: 1 / 5, text: '≥ 5× faster' } },
  { name: 'dense S=100', kind: 'dense', build: () => garnet({ states: 100, actions: 4, branching: 100, gamma: GAMMA, seed: 100 }) },
  { name: 'dense S=500', kind: 'dense', build: () => garnet({ states: 500, actions: 4, branching: 500, gamma: GAMMA, seed: 500 }), target: { maxRatio: 4, text: 'within 4×' } },
  { name: 'grid 100×100', kind: 'sparse', build: () => benchmarkGridworld(100, GAMMA), target: { maxRatio: 1, text: 'no slower' } },
];

/** Logits θ ~ N(0, 1), seeded per case. */
function logits(mdp: FiniteMDP, seed: string): Float64Array {
  const rng = Rng.from(seed);
  const th = new Float64Array(mdp.numStates * mdp.numActions);
  for (let i = 0; i < th.length; i++) th[i] = rng.normal();
  return th;
}

/** One call: evaluation and ∇J from θ (softmax, validation, both solves, Q, A, d, ∇J). */
function evalAndGrad(mdp: FiniteMDP, policy: Policy): { ev: Evaluation; grad: Float64Array } {
  const ev = evaluatePolicy(mdp, policy.param.probs(policy.theta));
  return { ev, grad: policyGradient(mdp, policy, ev) };
}

// ---------------------------------------------------------------- the reference server

function ensureReference(): void {
  const probe = spawnSync(PY, ['-c', 'import numpy, scipy'], { encoding: 'utf8' });
  if (probe.status === 0) return;
  console.log('numpy/scipy missing for /usr/bin/python3: installing Debian python3-numpy python3-scipy …');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'python3-numpy', 'python3-scipy'], { stdio: 'inherit', env });
  let r = install();
  if (r.status !== 0) {
    spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
    r = install();
  }
  const again = spawnSync(PY, ['-c', 'import numpy, scipy'], { encoding: 'utf8' });
  if (again.status !== 0) throw new Error(`cannot provide numpy/scipy for ${PY} (apt-get exit ${r.status}): ${again.stderr}`);
}

class Reference {
  private readonly proc: ChildProcessWithoutNullStreams;
  private buf = '';
  private waiting: ((line: string) => void)[] = [];

  constructor() {
    this.proc = spawn(PY, [REF], { stdio: ['pipe', 'pipe', 'pipe'] });
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
    const line = await new Promise<string>((resolve) => {
      this.waiting.push(resolve);
      this.proc.stdin.write(JSON.stringify(cmd) + '\n');
    });
    const reply = JSON.parse(line) as Record<string, unknown>;
    if (reply['error']) throw new Error(`reference: ${String(reply['error'])}`);
    return reply;
  }

  async close(): Promise<void> {
    await this.call({ cmd: 'quit' });
  }
}

// ---------------------------------------------------------------- helpers

function writeRaw(dir: string, name: string, a: ArrayBufferView): void {
  writeFileSync(join(dir, name), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}

function writeCase(dir: string, mdp: FiniteMDP, theta: Float64Array, kind: string): void {
  const T = mdp.transitions;
  writeRaw(dir, 'rowPtr.i32', T.rowPtr);
  writeRaw(dir, 'col.i32', T.col);
  writeRaw(dir, 'val.f64', T.val);
  writeRaw(dir, 'rewards.f64', mdp.rewards);
  writeRaw(dir, 'initial.f64', mdp.initial);
  writeRaw(dir, 'terminal.u8', mdp.terminal);
  writeRaw(dir, 'theta.f64', theta);
  writeFileSync(join(dir, 'case.json'), JSON.stringify({ S: mdp.numStates, A: mdp.numActions, gamma: mdp.gamma, kind }));
}

function readF64(path: string): Float64Array {
  const b = readFileSync(path);
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** max_i |x_i − y_i| / max_i |y_i|. */
function relDiff(x: Float64Array, y: Float64Array): number {
  let d = 0, m = 0;
  for (let i = 0; i < y.length; i++) { d = Math.max(d, Math.abs(x[i]! - y[i]!)); m = Math.max(m, Math.abs(y[i]!)); }
  return d / (m || 1);
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const k = s.length >> 1;
  return s.length % 2 ? s[k]! : (s[k - 1]! + s[k]!) / 2;
}

/** Calls per timing sample, so that a sample lasts ≳ 2 ms (timer resolution and overhead). */
function batchFor(seconds: number): number {
  return Math.max(1, Math.min(2000, Math.ceil(0.002 / Math.max(seconds, 1e-7))));
}

function fmtTime(s: number): string {
  if (s < 1e-3) return `${(s * 1e6).toFixed(1)} µs`;
  if (s < 1) return `${(s * 1e3).toFixed(2)} ms`;
  return `${s.toFixed(2)} s`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Times `f` in `samples` samples of `batch` calls; per-call seconds. */
function timeTS(f: () => void, samples: number, batch: number): number[] {
  const out: number[] = [];
  for (let s = 0; s < samples; s++) {
    const t0 = process.hrtime.bigint();
    for (let b = 0; b < batch; b++) f();
    out.push(Number(process.hrtime.bigint() - t0) / 1e9 / batch);
  }
  return out;
}

// ---------------------------------------------------------------- main

interface Row {
  readonly name: string;
  readonly pg: number;
  readonly ref: number | undefined;
  readonly refLabel: string;
  readonly target: string;
  readonly met: string;
  readonly dV: string;
  readonly dEta: string;
  readonly dGrad: string;
  readonly note: string;
}

async function main(): Promise<void> {
  ensureReference();
  const ref = new Reference();
  const info = await ref.call({ cmd: 'info' });
  const dir = mkdtempSync(join(tmpdir(), 'pgtruth-bench-'));
  const rows: Row[] = [];
  const rounds = QUICK ? 3 : 7;
  console.log(`pgtruth bench:exact — node ${process.version}; reference: python ${String(info['python'])}, numpy ${String(info['numpy'])}, scipy ${String(info['scipy'])}, BLAS ${String(info['blas'])}, BLAS threads ${String(info['threads'])}`);
  console.log(`each case: ${rounds} alternating rounds (pgtruth block, reference block); medians of per-call times; γ = ${GAMMA}, A = 4, θ ~ N(0,1) logits of a tabular softmax\n`);
  try {
    for (const spec of CASES) {
      if (only && !only.includes(spec.name)) continue;
      const mdp = spec.build();
      const theta = logits(mdp, spec.name);
      const policy: Policy = { param: softmaxPolicy(mdp.numStates, mdp.numActions), theta };
      const cdir = join(dir, spec.name.replace(/[^a-z0-9]+/gi, '_'));
      spawnSync('mkdir', ['-p', cdir]);
      writeCase(cdir, mdp, theta, spec.kind);
      await ref.call({ cmd: 'load', name: spec.name, dir: cdir });
      const variants = ((await ref.call({ cmd: 'variants', name: spec.name }))['variants'] as string[]).filter((v) => !v.includes('iterative'));
      // warm-up both sides and size the batches
      const t0 = performance.now();
      let warm = 0;
      while (warm < 5 || (performance.now() - t0 < 1500 && warm < 2000)) { evalAndGrad(mdp, policy); warm++; }
      const pgOnce = median(timeTS(() => evalAndGrad(mdp, policy), 5, 1));
      const pgBatch = batchFor(pgOnce);
      const refOnce: Record<string, number> = {};
      for (const v of variants) refOnce[v] = median((await ref.call({ cmd: 'time', name: spec.name, variant: v, reps: 5, warmup: 3 }))['times'] as number[]);
      // alternate
      const pgTimes: number[] = [];
      const refTimes: Record<string, number[]> = Object.fromEntries(variants.map((v) => [v, []]));
      const samples = spec.kind === 'dense' && mdp.numStates <= 100 ? 15 : 5;
      for (let r = 0; r < rounds; r++) {
        pgTimes.push(...timeTS(() => evalAndGrad(mdp, policy), samples, pgBatch));
        await sleep(50);
        for (const v of variants) {
          const reply = await ref.call({ cmd: 'time', name: spec.name, variant: v, reps: samples, warmup: 1, batch: batchFor(refOnce[v]!) });
          refTimes[v]!.push(...(reply['times'] as number[]));
        }
        await sleep(50);
      }
      // the reference is its fastest variant
      let best = variants[0]!;
      for (const v of variants) if (median(refTimes[v]!) < median(refTimes[best]!)) best = v;
      const pgMed = median(pgTimes), refMed = median(refTimes[best]!);
      // accuracy
      const out = join(cdir, 'out');
      await ref.call({ cmd: 'write', name: spec.name, variant: best, dir: out });
      const { ev, grad } = evalAndGrad(mdp, policy);
      const dV = relDiff(ev.V, readF64(join(out, 'V.f64')));
      const dEta = relDiff(ev.eta, readF64(join(out, 'eta.f64')));
      const dGrad = relDiff(grad, readF64(join(out, 'grad.f64')));
      const ratio = pgMed / refMed;
      const others = variants.filter((v) => v !== best).map((v) => `${v} ${fmtTime(median(refTimes[v]!))}`).join('; ');
      rows.push({
        name: spec.name, pg: pgMed, ref: refMed, refLabel: best,
        target: spec.target ? `${spec.target.text} (ratio ≤ ${spec.target.maxRatio})` : '—',
        met: spec.target ? (ratio <= spec.target.maxRatio ? 'met' : 'NOT met') : '',
        dV: dV.toExponential(1), dEta: dEta.toExponential(1), dGrad: dGrad.toExponential(1),
        note: `method ${ev.solve.method}${ev.solve.iterations.some((x) => x > 0) ? ` [${ev.solve.iterations.join(', ')}]` : ''}, residual ${ev.solve.residual.toExponential(1)}; other reference: ${others}`,
      });
      console.log(`  ${spec.name}: pgtruth ${fmtTime(pgMed)}, reference ${fmtTime(refMed)} (${best}), ratio ${ratio.toFixed(3)}`);
      // sparse cases: the first call on a pattern (plan and sparse-LU analysis not cached)
      if (spec.kind === 'sparse') {
        const first: number[] = [];
        const refFirst: number[] = [];
        // warm the JIT on this path too (the analysis code runs only on first calls)
        const tw = performance.now();
        let nw = 0;
        while (nw < 5 || (performance.now() - tw < 1500 && nw < 200)) { forgetSystemPlan(mdp); evalAndGrad(mdp, policy); nw++; }
        for (let r = 0; r < rounds; r++) {
          for (let q = 0; q < 3; q++) { forgetSystemPlan(mdp); first.push(...timeTS(() => evalAndGrad(mdp, policy), 1, 1)); }
          await sleep(50);
          refFirst.push(...((await ref.call({ cmd: 'time', name: spec.name, variant: best, reps: 3, warmup: 0 }))['times'] as number[]));
          await sleep(50);
        }
        const fm = median(first), rm = median(refFirst);
        rows.push({
          name: `${spec.name}, first call`, pg: fm, ref: rm, refLabel: best,
          target: spec.target ? `${spec.target.text} (ratio ≤ ${spec.target.maxRatio})` : '—',
          met: spec.target ? (fm / rm <= spec.target.maxRatio ? 'met' : 'NOT met') : '',
          dV: dV.toExponential(1), dEta: dEta.toExponential(1), dGrad: dGrad.toExponential(1),
          note: 'no cached plan, ordering or symbolic analysis (forgetSystemPlan before each call), after a JIT warm-up of this path; the reference analyses on every call anyway',
        });
      }
      // dense S=500: LU forced, for the record
      if (spec.kind === 'dense' && mdp.numStates >= 500) {
        const lu = median(timeTS(() => { const e = evaluatePolicy(mdp, policy.param.probs(theta), { solver: 'dense' }); policyGradient(mdp, policy, e); }, QUICK ? 3 : 7, 1));
        rows.push({ name: `${spec.name}, LU forced`, pg: lu, ref: refMed, refLabel: best, target: '(extra, no target)', met: '', dV: '', dEta: '', dGrad: '', note: "solver: 'dense' — dense LU with partial pivoting instead of GMRES" });
      }
      await ref.call({ cmd: 'drop', name: spec.name });
    }
    if (!args.has('--skip-large') && (!only || only.includes(LARGE_NAME))) await largeCase(ref, dir, rows);
  } finally {
    await ref.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
  printTable(rows);
}

// ---------------------------------------------------------------- the 10⁶-state case

/** What the child process reports. */
interface LargeReport {
  readonly build: number;
  readonly times: number[];
  readonly method: string;
  readonly iterations: readonly number[];
  readonly residual: number;
  /** Peak resident set size of the child, bytes. */
  readonly maxRSS: number;
}

/** Child: build the 10⁶-state gridworld, time evaluation + ∇J, write the case and the results. */
async function largeChild(dir: string): Promise<void> {
  const t0 = process.hrtime.bigint();
  const mdp = benchmarkGridworld(LARGE_N, GAMMA);
  const build = Number(process.hrtime.bigint() - t0) / 1e9;
  const theta = logits(mdp, LARGE_NAME);
  const policy: Policy = { param: softmaxPolicy(mdp.numStates, mdp.numActions), theta };
  const times: number[] = [];
  let last: { ev: Evaluation; grad: Float64Array } | undefined;
  for (let r = 0; r < (QUICK ? 2 : 3); r++) {
    const t = process.hrtime.bigint();
    last = evalAndGrad(mdp, policy);
    times.push(Number(process.hrtime.bigint() - t) / 1e9);
  }
  const { ev, grad } = last!;
  writeRaw(dir, 'pg_V.f64', ev.V);
  writeRaw(dir, 'pg_eta.f64', ev.eta);
  writeRaw(dir, 'pg_grad.f64', grad);
  const maxRSS = process.resourceUsage().maxRSS * 1024;
  writeCase(dir, mdp, theta, 'sparse');
  const rep: LargeReport = { build, times, method: ev.solve.method, iterations: ev.solve.iterations, residual: ev.solve.residual, maxRSS };
  process.stdout.write(JSON.stringify(rep) + '\n');
}

async function largeCase(ref: Reference, dir: string, rows: Row[]): Promise<void> {
  const cdir = join(dir, 'large');
  spawnSync('mkdir', ['-p', cdir]);
  const self = fileURLToPath(import.meta.url);
  const child = spawnSync(process.execPath, [...process.execArgv, self, '--large-child', cdir, ...(QUICK ? ['--quick'] : [])], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`10⁶-state child failed (${child.status}): ${child.stderr}`);
  const rep = JSON.parse(child.stdout.trim().split('\n').pop()!) as LargeReport;
  const first = rep.times[0]!, repeated = rep.times.slice(1);
  console.log(`  ${LARGE_NAME}: build ${fmtTime(rep.build)}, eval+∇J ${rep.times.map(fmtTime).join(', ')}, peak RSS ${(rep.maxRSS / 2 ** 30).toFixed(2)} GB`);
  const gb = rep.maxRSS / 2 ** 30;
  let dV = '—', dEta = '—', dGrad = '—', refTime: number | undefined;
  let refNote = 'scipy reference skipped (--skip-large-reference)';
  if (!args.has('--skip-large-reference')) {
    try {
      await ref.call({ cmd: 'load', name: LARGE_NAME, dir: cdir });
      const out = join(cdir, 'ref');
      const w = await ref.call({ cmd: 'write', name: LARGE_NAME, variant: 'bicgstab (iterative)', dir: out });
      refTime = w['seconds'] as number;
      dV = relDiff(readF64(join(cdir, 'pg_V.f64')), readF64(join(out, 'V.f64'))).toExponential(1);
      dEta = relDiff(readF64(join(cdir, 'pg_eta.f64')), readF64(join(out, 'eta.f64'))).toExponential(1);
      dGrad = relDiff(readF64(join(cdir, 'pg_grad.f64')), readF64(join(out, 'grad.f64'))).toExponential(1);
      refNote = `reference = scipy BiCGSTAB (unpreconditioned, rtol 1e-12, restarted after breakdowns), one run, an extra with no target; Δ then include the reference's own iteration error (~κ·1e-12)`;
    } catch (e) {
      refNote = `scipy reference failed: ${(e as Error).message}`;
    } finally {
      await ref.call({ cmd: 'drop', name: LARGE_NAME }).catch(() => undefined);
    }
  }
  const note = `${rep.method} [${rep.iterations.join(', ')}], residual ${rep.residual.toExponential(1)}; MDP build ${fmtTime(rep.build)} (not in the target); peak RSS of the child process (build included) ${gb.toFixed(2)} GB; scipy splu not run at 10⁶ (too slow and too big: see bench/README.md); ${refNote}`;
  const met = (t: number) => (t < 10 && gb < 2 ? 'met' : 'NOT met');
  rows.push({ name: `${LARGE_NAME}, first call`, pg: first, ref: refTime, refLabel: 'scipy bicgstab, extra', target: '< 10 s and < 2 GB (eval+∇J)', met: met(first), dV, dEta, dGrad, note });
  if (repeated.length) {
    const m = median(repeated);
    rows.push({ name: `${LARGE_NAME}, repeated`, pg: m, ref: refTime, refLabel: 'scipy bicgstab, extra', target: '< 10 s and < 2 GB (eval+∇J)', met: met(m), dV, dEta, dGrad, note: `median of ${repeated.length} calls after the first; peak RSS ${gb.toFixed(2)} GB` });
  }
}

function printTable(rows: Row[]): void {
  const head = ['case', 'pgtruth', 'reference', 'pg/ref', 'target', 'met?', 'Δ V', 'Δ η', 'Δ ∇J'];
  const body = rows.map((r) => [r.name, fmtTime(r.pg), r.ref === undefined ? '—' : `${fmtTime(r.ref)} (${r.refLabel})`, r.ref === undefined ? '—' : (r.pg / r.ref).toFixed(3), r.target, r.met, r.dV, r.dEta, r.dGrad]);
  console.log('');
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(w[i]!)).join(' | ') + ' |';
  console.log(line(head));
  console.log('|' + w.map((x) => '-'.repeat(x + 2)).join('|') + '|');
  for (const b of body) console.log(line(b));
  console.log('\nnotes:');
  for (const r of rows) console.log(`  ${r.name}: ${r.note}`);
  console.log('  Δ = max_i |pgtruth_i − reference_i| / max_i |reference_i| on the same MDP and θ.');
}

const childAt = process.argv.indexOf('--large-child');
if (childAt >= 0) await largeChild(process.argv[childAt + 1]!);
else await main();
