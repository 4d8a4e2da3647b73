/**
 * A persistent Python worker that runs a user's estimators, called synchronously.
 *
 * `pgtruth check my_gae.py` runs the estimate calls of the usual claims inside worker
 * threads that expect a function returning arrays. A {@link PythonBridge} gives them one:
 * it starts `python3 python/pgtruth_bridge.py serve …` once per thread, and each call writes
 * a request and blocks on the reply.
 *
 * **Wire.** Two named pipes (made with `mkfifo` in a private directory under `/dev/shm`, or
 * the temp directory where there is none) carry messages `u32 length (LE) · JSON header ·
 * payload`. The header names the estimator, the scalars (γ, λ, S, A) and the columns
 * (`{name, dtype: 'f8' | 'i4' | 'u1', count, offset}`); the payload holds the columns as
 * little-endian binary, 8-byte aligned. A payload over 64 KiB goes to a shared-memory file
 * instead (the Python side maps it with numpy, no copy) and only the header crosses the pipe.
 * Replies have the same form; float64 columns back.
 *
 * **Blocking I/O and time limits.** Reads and writes are `fs.readSync`/`fs.writeSync` on
 * blocking descriptors — fine in a worker thread. A call cannot hang forever: the Python side
 * arms `SIGALRM` with its default action for every call (`timeout` seconds), so the kernel
 * kills the process on a hang wherever it is (in Python, in C, holding the GIL); the pipe
 * then reads end-of-file and the call fails with `PYTHON_TIMEOUT` naming the estimator.
 * Startup (connecting the pipes) is polled with a deadline, so an interpreter that exits
 * at once (a missing numpy, not a Python at all) is reported, not waited on.
 *
 * **Threads.** One worker per thread. The calling thread starts one ({@link PythonBridge.start});
 * for the sampling pool's threads it forks copies ({@link PythonBridge.fork}) that have numpy,
 * torch and the user's module already imported, and each thread connects to one
 * ({@link PythonBridge.attach}) — one import instead of one per thread. A forked copy ends
 * when its parent does.
 *
 * @module
 */
import { spawn, execFileSync } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fail, PgTruthError, show, type ErrorCode } from '../../errors.js';
import type { AdvantageDefinition } from '../../exact/advantage-expectation.js';

/** Options of the Python worker. */
export interface PythonOptions {
  /** The interpreter: a path or a command on the PATH (default `/usr/bin/python3`, then `python3` on the PATH). */
  readonly python?: string;
  /** The time limit of one estimate call, in seconds (default 60; 0 = none). */
  readonly timeout?: number;
  /** The time limit of starting the worker and importing the user's module, in seconds (default 120). */
  readonly startupTimeout?: number;
  /** A directory where the worker records its process id, so that the thread that made the directory can stop it. */
  readonly registry?: string;
}

/** An estimator as the Python module declares it. */
export interface PythonEstimatorInfo {
  /** The function's name in the module. */
  readonly key: string;
  readonly name: string;
  readonly kind: 'policy-gradient' | 'advantage' | 'kl' | 'surrogate' | 'group' | 'value-loss' | 'actor-critic';
  readonly layout: 'flat' | 'time-major';
  readonly clip: number | null;
  /** True when the function returns a loss that the bridge differentiates. */
  readonly loss: boolean;
  readonly framework: 'torch' | 'jax' | null;
  /** An advantage estimator's declared definition (checked on the Python side), or null. */
  readonly definition: AdvantageDefinition | null;
  /** A group estimator's declared scale, evaluated in Python at the group sizes of the group kind ([G, κ(G)] pairs), or null. */
  readonly scale: Array<[number, number]> | null;
  /** A policy-gradient estimator's declared policy (absent: tabular); 'mlp' is the MLP policy view, 'gaussian-mlp' and 'tanh-gaussian-mlp' the MLP heads' view (./estimators.ts). */
  readonly policy?: 'tabular' | 'gaussian' | 'tanh-gaussian' | 'mlp' | 'gaussian-mlp' | 'tanh-gaussian-mlp';
  /** A surrogate's declared regularizers and advantage normalization (absent when not declared). */
  readonly entropyCoef?: number;
  readonly klCoef?: number;
  readonly normalizeAdvantages?: boolean;
  /** A value-loss or actor-critic estimator's declared fields, as given (checked on the Node side: LOSS_DECLARATION). */
  readonly reduction?: unknown;
  readonly half?: unknown;
  readonly valueClip?: unknown;
  readonly valueCoef?: unknown;
  /** A group estimator's declared objective (absent: 'J') and whether it declares a klPenalty function (../group-kind.ts). */
  readonly objective?: 'J' | 'length-normalized';
  readonly klPenalty?: boolean;
  /** A continuous surrogate's declared entropy estimate (absent: 'exact'). */
  readonly entropy?: 'exact' | 'sample';
}

/** A column of a request. */
export type Column = Int32Array | Float64Array | Uint8Array;

/** A reply: float64 columns and scalars. */
export interface Reply {
  readonly arrays: Record<string, Float64Array>;
  readonly scalars: Record<string, number>;
}

/** Payloads larger than this go through the shared-memory file. */
export const INLINE_LIMIT = 1 << 16;

/** The default time limit of one call, in seconds. */
export const DEFAULT_TIMEOUT = 60;

/** The shipped Python file (`python/pgtruth_bridge.py` at the package root). */
export function bridgeScript(): string {
  for (const rel of ['../../../python/pgtruth_bridge.py', '../../../../python/pgtruth_bridge.py']) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  return fail('PYTHON_UNAVAILABLE', `the Python side of the bridge (python/pgtruth_bridge.py) is missing next to ${import.meta.url}: reinstall pgtruth`, { where: 'python/pgtruth_bridge.py' });
}

function executable(p: string): boolean {
  try { accessSync(p, constants.X_OK); return statSync(p).isFile(); } catch { return false; }
}

/** The interpreter to run: `python` as given (a path, or a command looked up on the PATH), or the default. */
export function resolveInterpreter(python?: string): string {
  const onPath = (cmd: string) => (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, cmd)).find(executable);
  if (python !== undefined) {
    const found = python.includes('/') ? (executable(python) ? python : undefined) : onPath(python);
    return found ?? fail('PYTHON_UNAVAILABLE', `the Python interpreter ${show(python)} ${python.includes('/') ? 'does not exist or is not executable' : 'is not on the PATH'} (--python)`, { where: '--python', value: python });
  }
  if (executable('/usr/bin/python3')) return '/usr/bin/python3';
  return onPath('python3') ?? fail('PYTHON_UNAVAILABLE', 'no Python interpreter: neither /usr/bin/python3 nor python3 on the PATH; install python3 with numpy (apt-get install python3-numpy) or pass --python PATH', { where: '--python' });
}

/** A private directory with the two named pipes (under /dev/shm where there is one). */
function privateDir(): string {
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const dir = mkdtempSync(join(base, 'pgtruth-py-'));
  try {
    execFileSync('mkfifo', ['-m', '600', join(dir, 'req'), join(dir, 'resp')]);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    fail('PYTHON_UNAVAILABLE', `cannot make the named pipes of the Python bridge in ${base} (mkfifo: ${(e as Error).message})`, { where: base });
  }
  return dir;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
const sleep = (ms: number) => { Atomics.wait(sleeper, 0, 0, ms); };

const hasProc = existsSync('/proc/self/stat');
/** True while the process `pid` runs (Linux: a zombie counts as gone; elsewhere: assumed alive). */
function alive(pid: number): boolean {
  if (!hasProc) return true; // no /proc (macOS): the startup deadline decides
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

const DTYPE = (c: Column): 'f8' | 'i4' | 'u1' => (c instanceof Float64Array ? 'f8' : c instanceof Int32Array ? 'i4' : 'u1');
const align8 = (n: number) => (n + 7) & ~7;
const bytesOf = (c: Column) => new Uint8Array(c.buffer, c.byteOffset, c.byteLength);

/** A running Python worker with the user's module imported. */
export class PythonBridge {
  /** The estimators the module declares. */
  readonly estimators: readonly PythonEstimatorInfo[];
  /** The Python and numpy versions. */
  readonly versions: { python: string; numpy: string };
  readonly pid: number;
  private readonly dir: string;
  private req = -1;
  private resp = -1;
  private shmIn = -1;
  private shmOut = -1;
  private dead: PgTruthError | null = null;
  private readonly head = Buffer.alloc(4);
  private readonly limit: number;
  private readonly children: { dir: string; pid: number }[] = [];
  private reply = new Uint8Array(1 << 16);

  private constructor(readonly module: string, readonly interpreter: string, opts: PythonOptions, dir: string, pid: number) {
    this.limit = opts.timeout ?? DEFAULT_TIMEOUT;
    this.dir = dir;
    this.pid = pid;
    const reqPath = join(dir, 'req'), respPath = join(dir, 'resp'), errPath = join(dir, 'stderr');
    const startup = opts.startupTimeout ?? 120;
    if (opts.registry) try { writeFileSync(join(opts.registry, `python-${pid}`), dir); } catch { /* best effort */ }
    const deadline = performance.now() + startup * 1000;
    let respNB = -1;
    const died = (what: string): never => {
      let err = '';
      try { err = readFileSync(errPath, 'utf8').trim(); } catch { /* removed */ }
      if (respNB >= 0) closeSync(respNB);
      this.close();
      return fail('PYTHON_UNAVAILABLE', `${interpreter} did not start the Python bridge (${what})${err ? `: ${err.split('\n').slice(-6).join('\n')}` : ''}`, { where: interpreter });
    };
    respNB = openSync(respPath, constants.O_RDONLY | constants.O_NONBLOCK);
    // connect: the request pipe opens for writing once Python has opened it for reading
    let reqNB = -1;
    for (let wait = 0.05; reqNB < 0; wait = Math.min(wait * 1.5, 5)) {
      try { reqNB = openSync(reqPath, constants.O_WRONLY | constants.O_NONBLOCK); } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENXIO') throw e;
        if (pid < 0 || !alive(pid)) died('it exited at once; is it a Python 3 interpreter?');
        if (performance.now() > deadline) died(`no connection within ${startup} s`);
        sleep(wait);
      }
    }
    this.req = openSync(reqPath, 'w'); // blocking now that there is a reader
    closeSync(reqNB);
    // the hello: read without blocking until Python has opened the reply pipe and written
    const hello = Buffer.alloc(256);
    let got = 0, need = 4;
    for (let wait = 0.05; got < need; wait = Math.min(wait * 1.5, 5)) {
      let k = 0;
      try { k = readSync(respNB, hello, got, need - got, null); } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e; }
      if (k > 0) { got += k; if (got === 4) need = 4 + hello.readUInt32LE(0); continue; }
      if (!alive(pid)) died('it exited before connecting');
      if (performance.now() > deadline) died(`no reply within ${startup} s`);
      sleep(wait);
    }
    this.resp = openSync(respPath, 'r'); // blocking: a writer exists (Python waits for the acknowledgement below)
    closeSync(respNB);
    respNB = -1;
    this.shmIn = openSync(join(dir, 'in'), 'w+', 0o600);
    writeAll(this.req, Buffer.from('ack!'));
    const ready = this.receive('the Python bridge (starting)', 0);
    const h = ready.header as { estimators: PythonEstimatorInfo[]; python: string; numpy: string };
    this.estimators = h.estimators;
    this.versions = { python: h.python, numpy: h.numpy };
  }

  /** Starts the worker on `module` (`path.py` or `path.py:function`); throws the module's own error (import failure, no estimators, a missing numpy or torch). */
  static start(module: string, opts: PythonOptions = {}): PythonBridge {
    const interpreter = resolveInterpreter(opts.python);
    const limit = opts.timeout ?? DEFAULT_TIMEOUT;
    if (!(limit >= 0 && Number.isFinite(limit))) fail('CLI_USAGE', `the time limit is ${show(limit)} s: expected a non-negative number of seconds`, { where: '--timeout', value: limit });
    const script = bridgeScript();
    const dir = privateDir();
    const errFd = openSync(join(dir, 'stderr'), 'w');
    const args = [script, 'serve', '--req', join(dir, 'req'), '--resp', join(dir, 'resp'), '--module', module, '--shm-in', join(dir, 'in'), '--shm-out', join(dir, 'out'), '--timeout', String(limit), '--startup-timeout', String(opts.startupTimeout ?? 120)];
    const child = spawn(interpreter, args, { stdio: ['ignore', errFd, errFd], env: { ...process.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' } });
    child.on('error', () => { /* reported by the connection deadline */ });
    child.unref();
    closeSync(errFd);
    return new PythonBridge(module, interpreter, opts, dir, child.pid ?? -1);
  }

  /**
   * Copies of this worker for other threads: the Python process forks `n` children that have
   * numpy, torch and the user's module already imported, each waiting on its own pipes.
   * Another thread connects to one with {@link PythonBridge.attach}. Not for JAX modules
   * (JAX is multithreaded; forking it is unsafe): they get [] and each thread starts its own.
   */
  fork(n: number): { dir: string; pid: number }[] {
    if (n <= 0 || this.estimators.some((e) => e.framework === 'jax')) return [];
    const dirs = Array.from({ length: n }, () => privateDir());
    const children = dirs.map((d) => ({ req: join(d, 'req'), resp: join(d, 'resp'), shm_in: join(d, 'in'), shm_out: join(d, 'out'), stderr: join(d, 'stderr') }));
    const header = Buffer.from(JSON.stringify({ op: 'fork', children }));
    this.head.writeUInt32LE(header.length, 0);
    writeAll(this.req, Buffer.concat([this.head, header]));
    const pids = (this.receive('forking the Python worker', performance.now()).header.pids ?? []) as number[];
    this.children.push(...pids.map((pid, i) => ({ dir: dirs[i]!, pid })));
    return this.children.slice(-n);
  }

  /** Connects to a child made by {@link PythonBridge.fork} (from any thread of this process). */
  static attach(child: { dir: string; pid: number }, module: string, opts: PythonOptions = {}): PythonBridge {
    return new PythonBridge(module, 'the forked Python worker', { ...opts, registry: undefined }, child.dir, child.pid);
  }

  /**
   * Calls estimator `index` with `scalars` and `columns`; returns its float64 columns (views
   * into a buffer that the next call reuses: copy what must outlive it) and scalars. `what` names the call in errors. Throws the typed error the Python side
   * reports (`ESTIMATOR_INVALID`, `PYTHON_ERROR` with the traceback, …), or
   * `PYTHON_TIMEOUT` when the worker was killed at the time limit.
   */
  call(index: number, scalars: Record<string, number | string>, columns: Record<string, Column>, what: string): Reply {
    if (this.dead) throw this.dead;
    const cols: { name: string; dtype: string; count: number; offset: number }[] = [];
    let bytes = 0;
    for (const [name, c] of Object.entries(columns)) { cols.push({ name, dtype: DTYPE(c), count: c.length, offset: bytes }); bytes = align8(bytes + c.byteLength); }
    const shm = bytes > INLINE_LIMIT;
    const header = Buffer.from(JSON.stringify({ op: 'call', index, scalars, cols, bytes, shm }));
    const t0 = performance.now();
    try {
      if (shm) {
        for (let i = 0; i < cols.length; i++) { const c = Object.values(columns)[i]!; writeAll(this.shmIn, bytesOf(c), cols[i]!.offset); }
        this.head.writeUInt32LE(header.length, 0);
        writeAll(this.req, Buffer.concat([this.head, header]));
      } else {
        const msg = Buffer.alloc(4 + header.length + bytes);
        msg.writeUInt32LE(header.length, 0);
        header.copy(msg, 4);
        let i = 0;
        for (const c of Object.values(columns)) msg.set(bytesOf(c), 4 + header.length + cols[i++]!.offset);
        writeAll(this.req, msg);
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EPIPE') throw e;
      // the reader is gone: the receive below reports why
    }
    const r = this.receive(what, t0);
    return { arrays: r.arrays, scalars: (r.header.scalars ?? {}) as Record<string, number> };
  }

  /** Stops the worker (and the children it forked) and removes their files. */
  close(): void {
    if (!this.dead) this.dead = new PgTruthError('PYTHON_ERROR', `the Python bridge for ${this.module} is closed`);
    for (const fd of [this.req, this.resp, this.shmIn, this.shmOut]) if (fd !== undefined && fd >= 0) try { closeSync(fd); } catch { /* closed */ }
    this.req = this.resp = this.shmIn = this.shmOut = -1;
    this.kill();
    rmSync(this.dir, { recursive: true, force: true });
    for (const c of this.children.splice(0)) {
      try { process.kill(c.pid, 'SIGKILL'); } catch { /* gone */ }
      rmSync(c.dir, { recursive: true, force: true });
    }
  }

  private kill(): void {
    if (this.pid > 0) try { process.kill(this.pid, 'SIGKILL'); } catch { /* gone */ }
  }

  private readExact(buf: Uint8Array, n: number): boolean {
    let got = 0;
    while (got < n) {
      const k = readSync(this.resp, buf, got, n - got, null);
      if (k === 0) return false;
      got += k;
    }
    return true;
  }

  private receive(what: string, t0: number): { header: Record<string, unknown>; arrays: Record<string, Float64Array> } {
    const eof = (): never => {
      const seconds = (performance.now() - t0) / 1000;
      let err = '';
      try { err = readFileSync(join(this.dir, 'stderr'), 'utf8').trim(); } catch { /* removed */ }
      const timedOut = t0 > 0 && this.limit > 0 && seconds >= 0.95 * this.limit;
      this.dead = timedOut
        ? new PgTruthError('PYTHON_TIMEOUT', `${what} did not return within the time limit of ${this.limit} s (--timeout); the Python worker (${this.module}) was killed`, { where: what, value: this.limit })
        : new PgTruthError('PYTHON_ERROR', `the Python worker running ${this.module} died during ${what}${err ? `: ${err.split('\n').slice(-8).join('\n')}` : t0 === 0 ? ' (no message: a hang while importing the module is killed at the startup limit)' : ' (no message)'}`, { where: what });
      this.close();
      throw this.dead;
    };
    if (!this.readExact(this.head, 4)) eof();
    const n = this.head.readUInt32LE(0);
    const hb = Buffer.alloc(n);
    if (!this.readExact(hb, n)) eof();
    const header = JSON.parse(hb.toString('utf8')) as Record<string, unknown> & { ok: boolean; code?: string; message?: string; where?: string | null; cols?: { name: string; count: number; offset: number }[]; bytes?: number; shm?: boolean };
    const arrays: Record<string, Float64Array> = {};
    const bytes = header.bytes ?? 0;
    if (bytes > 0) {
      // one reply buffer, grown as needed and reused: allocating megabytes per call costs more than the copy
      if (this.reply.byteLength < bytes) this.reply = new Uint8Array(align8(Math.max(bytes, 2 * this.reply.byteLength)));
      if (header.shm) {
        if (this.shmOut < 0) this.shmOut = openSync(join(this.dir, 'out'), 'r');
        let got = 0;
        while (got < bytes) {
          const k = readSync(this.shmOut, this.reply, got, bytes - got, got);
          if (k === 0) fail('PYTHON_ERROR', `${what}: the shared-memory reply is short (${got} of ${bytes} bytes)`, { where: what });
          got += k;
        }
      } else if (!this.readExact(this.reply, bytes)) eof();
      for (const c of header.cols!) arrays[c.name] = new Float64Array(this.reply.buffer, c.offset, c.count);
    }
    if (!header.ok) {
      const code = (header.code ?? 'PYTHON_ERROR') as ErrorCode;
      const e = new PgTruthError(code, code === 'PYTHON_ERROR' ? `${what} raised ${header.message ?? ''}`.trimEnd() : header.message ?? '', { where: header.where ?? what });
      if (t0 === 0) { this.close(); throw e; } // startup failed: the worker has exited
      throw e;
    }
    return { header, arrays };
  }
}

function writeAll(fd: number, buf: Uint8Array, position?: number): void {
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off, position === undefined ? null : position + off);
}

/** Stops the workers recorded in `registry` (started by other threads) and removes their files. */
export function stopRegistered(registry: string): void {
  let entries: string[];
  try { entries = readdirSync(registry); } catch { return; }
  for (const f of entries) {
    const m = /^python-(\d+)$/.exec(f);
    if (!m) continue;
    try { process.kill(Number(m[1]), 'SIGKILL'); } catch { /* gone */ }
    try { rmSync(readFileSync(join(registry, f), 'utf8'), { recursive: true, force: true }); } catch { /* gone */ }
  }
}
