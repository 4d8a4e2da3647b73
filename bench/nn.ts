/**
 * `npm run bench:nn` — one training step of an MLP (forward over a batch, backward to the
 * parameters, one Adam step) in pgtruth against PyTorch doing the same step on the same
 * numbers in the same run (Debian's python3-torch via /usr/bin/python3, one thread,
 * float64 and float32; `bench/reference/nn.py`).
 *
 * One step, both sides: out = f_θ(x) for T inputs; the gradient of Σ_t ⟨g_t, out_t⟩ in θ
 * for fixed cotangents g; Adam (α = 3e-4, β 0.9/0.999, ε 1e-8). pgtruth: `Mlp.forward`,
 * `Mlp.vjp`, `Adam.step`. PyTorch: `net(x)`, `out.backward(g)`, `opt.step()`,
 * `opt.zero_grad(set_to_none=True)`.
 *
 * Timing rounds alternate (a block of pgtruth steps, a block of PyTorch float64 steps, a
 * block of float32 steps) so that drifts of the shared machine hit all sides alike; medians
 * of per-step times are quoted, and the median (and range) of the per-round ratios, for CPU
 * time (`process.cpuUsage`, Python's `time.process_time`) and wall time; the verdict is on CPU
 * time, which a loaded shared machine disturbs far less (wall time there includes waiting for a
 * core). Accuracy: θ, x and g are written as
 * raw float64 and read by the reference, and the float64 gradients and outputs of both
 * sides are compared (max |x − y| / max |y|) before any timing.
 *
 * Target (issue 10): within 2× of PyTorch float64 on one thread.
 *
 * Options: `--quick` (3 rounds instead of 7), `--cases=a;b` (only the cases whose names
 * contain a or b, e.g. `--cases=T=64` or `--cases=value`), `--baseline=DIR` (also time the
 * `Mlp` and `Adam` of another checkout's sources in DIR — e.g. an earlier commit extracted with
 * `git archive` — in the same alternating rounds, and print its ratio to PyTorch float64 and
 * the speed-up: a before/after comparison under the same load).
 *
 * @module
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmaActive } from '../src/linalg/simd.js';
import { Adam } from '../src/optim/adam.js';
import { initMlp, Mlp, type ActivationName } from '../src/policy/mlp.js';
import { Rng } from '../src/stats/rng.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const PY = '/usr/bin/python3';
const REF = join(HERE, 'reference', 'nn.py');
const args = new Set(process.argv.slice(2));
const QUICK = args.has('--quick');
const only = [...args].find((a) => a.startsWith('--cases='))?.slice(8).split(';');
const BASELINE = [...args].find((a) => a.startsWith('--baseline='))?.slice(11);

interface Case {
  readonly name: string;
  readonly sizes: number[];
  readonly activation: ActivationName;
  readonly T: number;
}

// observation width 17 and 6 actions: HalfCheetah's (Lehmann 2024's first task)
const CASES: Case[] = [
  { name: 'policy 2×64 tanh, T=64', sizes: [17, 64, 64, 6], activation: 'tanh', T: 64 },
  { name: 'policy 2×64 tanh, T=2048', sizes: [17, 64, 64, 6], activation: 'tanh', T: 2048 },
  { name: 'value 5×256 swish, T=2048', sizes: [17, 256, 256, 256, 256, 256, 1], activation: 'swish', T: 2048 },
];
const TARGET = 2;

function ensureTorch(): void {
  const probe = spawnSync(PY, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  if (probe.status === 0) return;
  console.log('torch missing for /usr/bin/python3: installing Debian python3-torch …');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'python3-torch', 'python3-numpy'], { stdio: 'inherit', env });
  const again = spawnSync(PY, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  if (again.status !== 0) throw new Error(`cannot provide torch for ${PY} (apt-get exit ${r.status}): ${again.stderr}`);
}

class Reference {
  private readonly proc: ChildProcessWithoutNullStreams;
  private buf = '';
  private waiting: ((line: string) => void)[] = [];

  constructor() {
    // one thread really: torch.set_num_threads(1) does not bound the BLAS library's own threads
    // (Debian's torch calls OpenBLAS, which otherwise runs large products on every core)
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
    const line = await new Promise<string>((resolve) => {
      this.waiting.push(resolve);
      this.proc.stdin.write(JSON.stringify(cmd) + '\n');
    });
    const reply = JSON.parse(line) as Record<string, unknown>;
    if (reply['error']) throw new Error(`reference: ${String(reply['error'])}`);
    return reply;
  }
}

function writeRaw(dir: string, name: string, a: Float64Array): void {
  writeFileSync(join(dir, name), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}

function readF64(path: string): Float64Array {
  const b = readFileSync(path);
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

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

function fmtTime(s: number): string {
  if (s < 1e-3) return `${(s * 1e6).toFixed(1)} µs`;
  if (s < 1) return `${(s * 1e3).toFixed(2)} ms`;
  return `${s.toFixed(2)} s`;
}

/** Per-step wall and CPU seconds of `samples` samples of `batch` steps. */
function timeTS(f: () => void, samples: number, batch: number): { times: number[]; cpu: number[] } {
  const times: number[] = [], cpu: number[] = [];
  for (let s = 0; s < samples; s++) {
    const t0 = process.hrtime.bigint(), c0 = process.cpuUsage();
    for (let b = 0; b < batch; b++) f();
    times.push(Number(process.hrtime.bigint() - t0) / 1e9 / batch);
    const c1 = process.cpuUsage(c0);
    cpu.push((c1.user + c1.system) / 1e6 / batch);
  }
  return { times, cpu };
}

async function main(): Promise<void> {
  ensureTorch();
  const ref = new Reference();
  const info = await ref.call({ cmd: 'info' });
  const rounds = QUICK ? 3 : 7;
  const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');
  console.log(`pgtruth bench:nn — node ${process.version} (product kernel: ${fmaActive() ? 'fused multiply–add' : 'unfused'}; load average ${load()}); reference: python ${String(info['python'])}, torch ${String(info['torch'])}, threads ${String(info['threads'])}`);
  console.log(`one step = forward + backward (gradient of Σ⟨g, f(x)⟩ in θ) + Adam; ${rounds} alternating rounds (pgtruth, torch float64, torch float32); medians of per-step times\n`);
  const dir = mkdtempSync(join(tmpdir(), 'pgtruth-bench-nn-'));
  const rows: string[][] = [];
  try {
    for (const c of CASES) {
      if (only && !only.some((o) => c.name.includes(o))) continue;
      const rng = Rng.from(c.name);
      const mlp = new Mlp(c.sizes, c.activation);
      const theta = initMlp(mlp, rng, { lastGain: 1 });
      const x = Float64Array.from({ length: c.T * mlp.inputDim }, () => rng.normal());
      const g = Float64Array.from({ length: c.T * mlp.outputDim }, () => rng.normal() / c.T);
      const cdir = join(dir, c.name.replace(/[^a-z0-9]+/gi, '_'));
      spawnSync('mkdir', ['-p', cdir]);
      writeRaw(cdir, 'theta.f64', theta);
      writeRaw(cdir, 'x.f64', x);
      writeRaw(cdir, 'g.f64', g);
      writeFileSync(join(cdir, 'case.json'), JSON.stringify({ sizes: c.sizes, activation: c.activation, T: c.T }));
      await ref.call({ cmd: 'load', name: c.name, dir: cdir });

      // accuracy at the initial θ, float64 against float64
      await ref.call({ cmd: 'grad', name: c.name, dir: cdir });
      const out = Float64Array.from(mlp.forward(theta, x, c.T));
      const grad = new Float64Array(mlp.numParams);
      mlp.vjp(theta, g, grad);
      const dOut = relDiff(out, readF64(join(cdir, 'out.f64')));
      const dGrad = relDiff(grad, readF64(join(cdir, 'grad.f64')));

      const th = Float64Array.from(theta);
      const opt = new Adam(mlp.numParams, { lr: 3e-4 });
      const stepTS = () => { mlp.forward(th, x, c.T); mlp.vjp(th, g, grad); opt.step(th, grad); };
      let stepBase: (() => void) | null = null;
      if (BASELINE) {
        const bm = await import(join(BASELINE, 'src', 'policy', 'mlp.ts')) as typeof import('../src/policy/mlp.js');
        const ba = await import(join(BASELINE, 'src', 'optim', 'adam.ts')) as typeof import('../src/optim/adam.js');
        const bmlp = new bm.Mlp(c.sizes, c.activation), bth = Float64Array.from(theta), bgrad = new Float64Array(bmlp.numParams);
        const bopt = new ba.Adam(bmlp.numParams, { lr: 3e-4 });
        stepBase = () => { bmlp.forward(bth, x, c.T); bmlp.vjp(bth, g, bgrad); bopt.step(bth, bgrad); };
      }
      const base = { cpu: [] as number[], r64: [] as number[], speedup: [] as number[] };
      const once = median(timeTS(stepTS, 3, 1).times);
      const batch = Math.max(1, Math.min(500, Math.ceil(0.02 / once)));
      const samples = 3;
      const wall = { pg: [] as number[], t64: [] as number[], t32: [] as number[], r64: [] as number[], r32: [] as number[] };
      const cpu = { pg: [] as number[], t64: [] as number[], t32: [] as number[], r64: [] as number[], r32: [] as number[] };
      for (let r = 0; r < rounds; r++) {
        const a = timeTS(stepTS, samples, batch);
        if (stepBase) {
          const bt = timeTS(stepBase, samples, batch);
          base.cpu.push(...bt.cpu); base.speedup.push(median(bt.cpu) / median(a.cpu));
        }
        const b = await ref.call({ cmd: 'time', name: c.name, dtype: 'float64', samples, batch });
        if (stepBase) base.r64.push(median(base.cpu.slice(-samples)) / median(b['cpu'] as number[]));
        const d = await ref.call({ cmd: 'time', name: c.name, dtype: 'float32', samples, batch });
        for (const [acc, key] of [[wall, 'times'], [cpu, 'cpu']] as const) {
          const pa = key === 'times' ? a.times : a.cpu, pb = b[key] as number[], pd = d[key] as number[];
          acc.pg.push(...pa); acc.t64.push(...pb); acc.t32.push(...pd);
          acc.r64.push(median(pa) / median(pb)); acc.r32.push(median(pa) / median(pd));
        }
      }
      // ratios: the median (and range) of the per-round ratios, each round's sides back to back;
      // the verdict is on CPU time, which a loaded shared machine disturbs far less than wall time
      const fmt = (acc: typeof wall) => {
        const ratio = median(acc.r64);
        return { ratio, text: `${ratio.toFixed(2)} [${Math.min(...acc.r64).toFixed(2)}–${Math.max(...acc.r64).toFixed(2)}]`, r32: median(acc.r32).toFixed(2) };
      };
      const W = fmt(wall), Cc = fmt(cpu);
      const met = Cc.ratio <= TARGET ? 'met' : 'not met';
      rows.push([c.name, String(mlp.numParams), fmtTime(median(cpu.pg)), fmtTime(median(cpu.t64)), fmtTime(median(cpu.t32)), Cc.text, Cc.r32, met, W.text, dOut.toExponential(1), dGrad.toExponential(1)]);
      if (stepBase) {
        const r = median(base.r64);
        console.log(`${c.name}: baseline (${BASELINE}) CPU per step ${fmtTime(median(base.cpu))} — ratio to torch f64 ${r.toFixed(2)} [${Math.min(...base.r64).toFixed(2)}–${Math.max(...base.r64).toFixed(2)}] (${r <= TARGET ? 'met' : 'not met'}); this tree's speed-up over it ${median(base.speedup).toFixed(2)}× [${Math.min(...base.speedup).toFixed(2)}–${Math.max(...base.speedup).toFixed(2)}]`);
      }
      console.log(`${c.name}: CPU per step pgtruth ${fmtTime(median(cpu.pg))}, torch f64 ${fmtTime(median(cpu.t64))}, torch f32 ${fmtTime(median(cpu.t32))} — ratio to f64 ${Cc.text} (${met}; target ≤ ${TARGET}), to f32 ${Cc.r32}; wall: pgtruth ${fmtTime(median(wall.pg))}, torch f64 ${fmtTime(median(wall.t64))}, ratio ${W.text}; |Δout| ${dOut.toExponential(1)}, |Δgrad| ${dGrad.toExponential(1)}`);
    }
  } finally {
    await ref.call({ cmd: 'quit' }).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
  const head = ['case', 'params', 'pgtruth (CPU)', 'torch f64 (CPU)', 'torch f32 (CPU)', 'ratio f64 [rounds]', 'ratio f32', `target ≤ ${TARGET}× f64`, 'wall ratio f64 [rounds]', 'rel Δ out', 'rel Δ grad'];
  console.log('\n| ' + head.join(' | ') + ' |\n|' + head.map(() => ' --- |').join(''));
  for (const r of rows) console.log('| ' + r.join(' | ') + ' |');
  console.log(`\nload average at the end ${load()}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
