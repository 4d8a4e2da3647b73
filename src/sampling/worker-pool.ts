/**
 * A pool of `worker_threads` that samples — and runs per-batch tasks — on every core.
 *
 * **Determinism.** Work is cut into chunks of episode indices or batch indices; episode i
 * and batch k draw from streams named by the seed and their own index (never by a worker
 * id), and results are put back in index order. So one seed gives bit-identical batches
 * and estimates with 1, 2 or 16 workers, and the same as the in-thread functions
 * ({@link sampleEpisodes}, {@link mapBatchesSync}).
 *
 * **Loading the worker.** The worker's entry is `worker.js` next to this module when it
 * exists — the compiled package (dist/), plain Node. Running from the TypeScript sources
 * (vitest, tsx) there is only `worker.ts`: the worker then starts with a two-line bootstrap
 * that registers tsx's loader (`tsx/esm/api`, resolved from this package) and imports the
 * entry. The same bootstrap serves a compiled pool that must load TypeScript task modules
 * (`typescript: true`). When neither works the pool fails with `WORKER_FAILED` saying why.
 *
 * **Lifetime.** Idle workers do not keep the process alive (they are unref'd between
 * jobs), but call {@link SamplerPool.close} when done. A worker that crashes fails the
 * call it was working on and closes the pool (`WORKER_FAILED`); a typed error raised in a
 * worker (a bad estimate, say) is re-raised with its own code.
 *
 * **Sandbox.** A pool created with `sandbox: {timeout}` runs other people's code (see
 * ./guard.ts): a worker that exits inside user code fails the pool with `USER_CODE_EXIT`, and
 * a guarded call older than `timeout` seconds has its worker terminated (`USER_CODE_TIMEOUT`).
 * Code a user schedules to run after a call has returned (a timer, a promise callback) is
 * not timed: only guarded calls are.
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { fail, PgTruthError, show } from '../errors.js';
import { allocateBatch, type Batch } from './batch.js';
import { EPISODE_BLOCK, EPISODE_OPTION_KEYS, type EpisodeOptions } from './episodes.js';
import { mapBatchesSync, type BatchEstimates, type BatchTask, type TaskRef } from './map.js';
import { checkPlan, type BatchPlan } from './plan.js';
import type { BatchArrays, ErrorWire, FromWorker, ToWorker, WorkerSetup } from './protocol.js';
import { checkCount, checkEpisodesEnd, checkKeys, checkStopping, prepareWire, samplingWire, type SamplingSpec } from './spec.js';

/** Options of {@link SamplerPool.create}. */
export interface PoolOptions {
  /** The number of worker threads (default: the machine's available parallelism). */
  readonly workers?: number;
  /**
   * Register tsx in the workers so that task modules may be TypeScript. Default: only when
   * the pool itself runs from the TypeScript sources (where it is needed anyway).
   */
  readonly typescript?: boolean;
  /**
   * Seal the workers for other people's code (./guard.ts): an exit, `process.abort()` or a
   * self-aimed `process.kill` inside a guarded call ends only its worker and fails the pool
   * with `USER_CODE_EXIT` naming the call; a guarded call running longer than `timeout`
   * seconds is ended by terminating its worker (`USER_CODE_TIMEOUT`); what a guarded call
   * throws carries the thrower's file:line (`USER_CODE_THREW`).
   */
  readonly sandbox?: { readonly timeout: number };
}

/** The most workers a pool starts. */
export const MAX_WORKERS = 64;

/** How a worker is started: a file, or a bootstrap script evaluated as CommonJS. */
export interface WorkerEntry {
  readonly script: string | URL;
  readonly eval: boolean;
  /** Node options for the worker (undefined: inherit the parent's). */
  readonly execArgv: string[] | undefined;
  /** `js` (compiled entry, plain), `js+tsx` or `ts+tsx`. */
  readonly mode: 'js' | 'js+tsx' | 'ts+tsx';
}

/** The file URL of tsx's ESM API (`register`), or undefined when tsx is not installed. */
function tsxApiUrl(): string | undefined {
  try {
    const pkgPath = createRequire(import.meta.url).resolve('tsx/package.json');
    const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { exports?: Record<string, { import?: { default?: string } } | string> };
    const e = pkg.exports?.['./esm/api'];
    const rel = typeof e === 'object' ? e.import?.default : undefined;
    return rel === undefined ? undefined : pathToFileURL(join(dirname(pkgPath), rel)).href;
  } catch {
    return undefined;
  }
}

/** Decides how to start a worker (see the module comment). */
export function workerEntry(typescript = false): WorkerEntry {
  const js = new URL('./worker.js', import.meta.url);
  const ts = new URL('./worker.ts', import.meta.url);
  const hasJs = js.protocol === 'file:' && existsSync(fileURLToPath(js));
  if (hasJs && !typescript) return { script: js, eval: false, execArgv: undefined, mode: 'js' };
  const hasTs = ts.protocol === 'file:' && existsSync(fileURLToPath(ts));
  if (!hasJs && !hasTs) fail('WORKER_FAILED', `no worker entry next to ${import.meta.url} (neither worker.js nor worker.ts)`, { where: import.meta.url });
  const api = tsxApiUrl();
  if (api === undefined) {
    fail('WORKER_FAILED', hasJs
      ? 'TypeScript task modules need tsx in the workers, and tsx is not installed (npm install -D tsx), or compile the task module to JavaScript'
      : 'the sampling pool runs from TypeScript sources, so its workers need tsx, which is not installed; install tsx or use the compiled package (dist/)', { where: 'tsx' });
  }
  const entry = (hasJs ? js : ts).href;
  const script = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return { script, eval: true, execArgv: [], mode: hasJs ? 'js+tsx' : 'ts+tsx' };
}

/** A task module's specifier as a file URL string. */
export function taskModuleHref(module: string | URL): string {
  if (module instanceof URL) return module.href;
  if (typeof module !== 'string' || module.length === 0) fail('SAMPLING_OPTIONS', `task.module is ${show(module)}: expected a path or a file URL`, { where: 'task.module', value: module });
  return /^[a-z][a-z0-9+.-]*:/i.test(module) && !/^[a-z]:[\\/]/i.test(module) ? module : pathToFileURL(resolve(module)).href;
}

function errorFromWire(e: ErrorWire): PgTruthError {
  return e.code !== undefined
    ? new PgTruthError(e.code, e.message, { where: e.where, value: e.value })
    : new PgTruthError('WORKER_FAILED', `a worker failed: ${e.message}`);
}

interface Job {
  readonly message: ToWorker;
  readonly resolve: (m: FromWorker) => void;
  readonly reject: (e: unknown) => void;
}

interface Slot {
  readonly worker: Worker;
  job: Job | null;
  /** A sandboxed worker's shared clock: the start (ms since the epoch) of its guarded call, 0 outside one. */
  readonly clock: Float64Array | undefined;
  /** The label of its latest guarded call, and the exit its guards reported. */
  label: string | undefined;
  exiting: Extract<FromWorker, { type: 'exiting' }> | undefined;
}

async function startWorker(entry: WorkerEntry, workerData: WorkerSetup): Promise<Worker> {
  const w = new Worker(entry.script, { eval: entry.eval, workerData, ...(entry.execArgv ? { execArgv: entry.execArgv } : {}) });
  await new Promise<void>((res, rej) => {
    const onError = (e: unknown) => rej(new PgTruthError('WORKER_FAILED', `a sampling worker could not start (${entry.mode}): ${(e as Error)?.message ?? e}`));
    w.once('error', onError);
    w.once('exit', (code) => rej(new PgTruthError('WORKER_FAILED', `a sampling worker exited with code ${code} while starting (${entry.mode})`)));
    w.once('message', (m: FromWorker) => { w.off('error', onError); w.removeAllListeners('exit'); if (m.type === 'ready') res(); else rej(new PgTruthError('WORKER_FAILED', 'a sampling worker sent an unexpected first message')); });
  });
  w.unref();
  return w;
}

/** A pool of sampling workers. Create with {@link SamplerPool.create}. */
export class SamplerPool {
  private readonly slots: Slot[];
  private readonly queue: Job[] = [];
  private nextCall = 1;
  private closed: PgTruthError | null = null;
  private readonly watchdog: ReturnType<typeof setInterval> | undefined;
  /** How the workers were started. */
  readonly mode: WorkerEntry['mode'];

  private constructor(workers: { worker: Worker; clock: Float64Array | undefined }[], mode: WorkerEntry['mode'], timeout: number | undefined) {
    this.mode = mode;
    this.slots = workers.map(({ worker, clock }) => ({ worker, job: null, clock, label: undefined, exiting: undefined }));
    for (const slot of this.slots) {
      slot.worker.on('message', (m: FromWorker) => this.onMessage(slot, m));
      slot.worker.on('error', (e) => this.onCrash(slot, `a sampling worker crashed${this.inCall(slot) ? ` during ${slot.label}` : ''}: ${e?.message ?? e}`));
      slot.worker.on('exit', (code) => this.onExit(slot, code));
    }
    if (timeout !== undefined) {
      const ms = timeout * 1000;
      this.watchdog = setInterval(() => {
        for (const slot of this.slots) {
          const t0 = slot.clock![0]!;
          if (slot.job !== null && t0 > 0 && Date.now() - t0 > ms) {
            this.fail(slot, new PgTruthError('USER_CODE_TIMEOUT', `${slot.label ?? 'a call to user code'} did not return within ${timeout} s (--timeout); its worker was stopped`, { where: slot.label, value: timeout }));
          }
        }
      }, Math.min(1000, Math.max(10, ms / 4)));
      this.watchdog.unref();
    }
  }

  /** Starts the workers; `SAMPLING_COUNT` for a bad count, `WORKER_FAILED` when one cannot start. */
  static async create(opts: PoolOptions = {}): Promise<SamplerPool> {
    checkKeys(opts, ['workers', 'typescript', 'sandbox'], 'pool options');
    const n = checkCount(opts.workers ?? Math.min(availableParallelism(), MAX_WORKERS), 'workers', MAX_WORKERS);
    const timeout = opts.sandbox?.timeout;
    if (opts.sandbox !== undefined && !(typeof timeout === 'number' && timeout > 0 && timeout <= 1e6)) fail('SAMPLING_OPTIONS', `sandbox.timeout is ${show(timeout)}: expected seconds in (0, 1e6]`, { where: 'sandbox.timeout', value: timeout });
    const entry = workerEntry(opts.typescript ?? false);
    const clocks = Array.from({ length: n }, () => (opts.sandbox ? new SharedArrayBuffer(8) : undefined));
    const started = await Promise.allSettled(clocks.map((clock) => startWorker(entry, clock ? { sandbox: { clock } } : {})));
    const bad = started.find((r) => r.status === 'rejected');
    if (bad) {
      for (const r of started) if (r.status === 'fulfilled') void r.value.terminate();
      throw (bad as PromiseRejectedResult).reason;
    }
    return new SamplerPool(started.map((r, i) => ({ worker: (r as PromiseFulfilledResult<Worker>).value, clock: clocks[i] && new Float64Array(clocks[i]!) })), entry.mode, timeout);
  }

  /** The number of workers. */
  get size(): number { return this.slots.length; }

  /**
   * The same batch as `sampleEpisodes(spec, opts)` — bit for bit — drawn by the workers in
   * chunks of episodes. The seed must be a number or a string.
   */
  async sampleEpisodes(spec: SamplingSpec, opts: EpisodeOptions): Promise<Batch> {
    checkKeys(opts, EPISODE_OPTION_KEYS, 'options');
    const n = checkCount(opts.episodes, 'episodes');
    checkStopping(opts, 'options');
    const cap = opts.maxTransitions === undefined ? undefined : checkCount(opts.maxTransitions, 'maxTransitions');
    const seed = opts.seed;
    if (!(typeof seed === 'string' || (typeof seed === 'number' && Number.isSafeInteger(seed) && seed >= 0))) fail('SAMPLING_OPTIONS', `a pool needs a seed that is a non-negative integer or a string, got ${show(seed)}`, { where: 'seed', value: seed as unknown });
    const wire = samplingWire(spec);
    checkEpisodesEnd(prepareWire(wire), opts);
    const stop = { ...(opts.maxSteps !== undefined ? { maxSteps: opts.maxSteps } : {}), ...(opts.geometric !== undefined ? { geometric: opts.geometric } : {}) };
    const parts = await this.run(wire, chunks(n, this.size * 4, EPISODE_BLOCK), (call, lo, hi) => ({ type: 'episodes', call, seed, first: lo, count: hi - lo, stop, maxTransitions: cap }));
    return concatChunks(parts.map((m) => (m as Extract<FromWorker, { type: 'episodes' }>).arrays), wire.mdp.numStates, wire.mdp.numActions, wire.mdp.gamma, cap);
  }

  /**
   * Runs the task `task.name` of module `task.module` on every batch of `plan`, in the
   * workers, and returns the K×d estimates in batch order — bit-identical to
   * `mapBatchesSync(spec, plan, task, options)` with the same function. `options` is
   * structured-cloned to the workers and reaches the task as `context.options`.
   */
  async mapBatches<O = undefined>(spec: SamplingSpec, plan: BatchPlan, task: TaskRef, options?: O): Promise<BatchEstimates> {
    checkKeys(task, ['module', 'name'], 'task');
    if (typeof task.name !== 'string' || task.name.length === 0) fail('SAMPLING_OPTIONS', `task.name is ${show(task.name)}: expected the name of an exported function`, { where: 'task.name', value: task.name });
    const module = taskModuleHref(task.module);
    const wire = samplingWire(spec);
    checkPlan(plan, prepareWire(wire));
    const parts = await this.run(wire, chunks(plan.batches, this.size * 8, 1), (call, lo, hi) => ({ type: 'map', call, plan, lo, hi, module, name: task.name, options }));
    return concatEstimates(parts.map((m) => m as Extract<FromWorker, { type: 'map' }>), plan.batches);
  }

  /**
   * Calls the exported function `name` of `module` with `args` (structured-cloned) in one
   * worker and resolves to what it returns (awaited; a returned typed array's buffer is
   * transferred back).
   */
  async call(module: string | URL, name: string, args: readonly unknown[] = []): Promise<unknown> {
    const m = await this.submit({ type: 'call', call: this.nextCall++, module: taskModuleHref(module), name, args });
    return (m as Extract<FromWorker, { type: 'call' }>).value;
  }

  /** Stops the workers; pending calls fail with `WORKER_FAILED`. */
  async close(): Promise<void> {
    if (this.watchdog) clearInterval(this.watchdog);
    if (!this.closed) this.closed = new PgTruthError('WORKER_FAILED', 'the sampling pool is closed');
    this.failAll(this.closed);
    await Promise.all(this.slots.map((s) => { s.worker.removeAllListeners('exit'); return s.worker.terminate(); }));
  }

  /** Sends the spec to every worker, runs the chunks, releases the spec; results in chunk order. */
  private async run(wire: ReturnType<typeof samplingWire>, ranges: [number, number][], make: (call: number, lo: number, hi: number) => ToWorker): Promise<FromWorker[]> {
    if (this.closed) throw this.closed;
    const call = this.nextCall++;
    for (const s of this.slots) s.worker.postMessage({ type: 'setup', call, spec: wire } satisfies ToWorker);
    try {
      return await Promise.all(ranges.map(([lo, hi]) => this.submit(make(call, lo, hi))));
    } catch (e) {
      this.dropQueued(call); // one chunk failed: the call's chunks not yet started are not worth running
      throw e;
    } finally {
      if (!this.closed) for (const s of this.slots) s.worker.postMessage({ type: 'release', call } satisfies ToWorker);
    }
  }

  private submit(message: ToWorker): Promise<FromWorker> {
    return new Promise((resolve, reject) => {
      if (this.closed) { reject(this.closed); return; }
      this.queue.push({ message, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.job !== null) continue;
      const job = this.queue.shift();
      if (job === undefined) return;
      slot.job = job;
      slot.worker.ref();
      slot.worker.postMessage(job.message);
    }
  }

  private onMessage(slot: Slot, m: FromWorker): void {
    if (m.type === 'calling') { slot.label = m.label; return; }
    if (m.type === 'exiting') { slot.exiting = m; return; }
    const job = slot.job;
    if (job === null || m.type === 'ready') return;
    slot.job = null;
    slot.worker.unref();
    if (m.type === 'error') job.reject(errorFromWire(m.error)); else job.resolve(m);
    this.dispatch();
  }

  /** True while the slot's worker runs a guarded call. */
  private inCall(slot: Slot): boolean {
    return slot.clock !== undefined && slot.clock[0]! > 0;
  }

  private onExit(slot: Slot, code: number): void {
    const x = slot.exiting;
    if (x) {
      const what = x.label ?? slot.label ?? 'user code';
      this.fail(slot, new PgTruthError('USER_CODE_EXIT', `${what} called ${x.how}${x.at ? ` at ${x.at}` : ''}: user code may not end the process (its worker thread ended with code ${code})`, { where: x.at ?? what, value: code }));
    } else if (this.inCall(slot)) {
      this.fail(slot, new PgTruthError('USER_CODE_EXIT', `${slot.label ?? 'user code'} ended its worker thread (exit code ${code})`, { where: slot.label, value: code }));
    } else this.onCrash(slot, `a sampling worker exited with code ${code}`);
  }

  private onCrash(slot: Slot, why: string): void {
    this.fail(slot, new PgTruthError('WORKER_FAILED', `${why}; the pool is closed`));
  }

  /** Closes the pool with `error`: the slot's job and every other pending call fail with it. */
  private fail(slot: Slot, error: PgTruthError): void {
    if (this.closed) return;
    this.closed = error;
    if (slot.job) slot.job.reject(this.closed);
    slot.job = null;
    void this.close();
  }

  private dropQueued(call: number): void {
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i]!.message.call === call) this.queue.splice(i, 1)[0]!.reject(new PgTruthError('WORKER_FAILED', 'dropped after another chunk of the same call failed'));
  }

  private failAll(e: PgTruthError): void {
    for (const s of this.slots) { if (s.job) s.job.reject(e); s.job = null; }
    for (const j of this.queue.splice(0)) j.reject(e);
  }
}

/** Cuts 0…n−1 into at most about `parts` contiguous ranges whose starts are multiples of `align`. */
export function chunks(n: number, parts: number, align: number): [number, number][] {
  const size = align * Math.max(1, Math.ceil(n / parts / align));
  const out: [number, number][] = [];
  for (let lo = 0; lo < n; lo += size) out.push([lo, Math.min(n, lo + size)]);
  return out;
}

function concatChunks(parts: BatchArrays[], S: number, A: number, gamma: number, cap: number | undefined): Batch {
  let n = 0;
  for (const p of parts) n += p.size;
  if (cap !== undefined && n > cap) fail('TOO_LARGE', `a batch would exceed ${cap} transitions (raise maxTransitions, or set a time limit)`, { value: cap });
  const b = allocateBatch(n, S, A, gamma);
  let at = 0;
  for (const p of parts) {
    b.s_t.set(p.s_t, at); b.a_t.set(p.a_t, at); b.r_t.set(p.r_t, at); b.s_tp1.set(p.s_tp1, at);
    b.terminated_t.set(p.terminated_t, at); b.truncated_t.set(p.truncated_t, at); b.t_index.set(p.t_index, at);
    b.logp_t.set(p.logp_t, at); b.episode_t.set(p.episode_t, at);
    at += p.size;
  }
  return b;
}

function concatEstimates(parts: Extract<FromWorker, { type: 'map' }>[], K: number): BatchEstimates {
  const dim = parts[0]!.dim;
  const values = new Float64Array(K * dim);
  let at = 0, transitions = 0;
  parts.forEach((p, i) => {
    if (p.dim !== dim) fail('ESTIMATOR_INVALID', `the task returned ${p.dim} numbers per batch in chunk ${i} but ${dim} in chunk 0`, { where: `chunk ${i}`, value: p.dim });
    values.set(p.values, at);
    at += p.values.length;
    transitions += p.transitions;
  });
  return { batches: K, dim, values, transitions };
}

/** Options of {@link mapBatches}. */
export interface MapOptions<O> {
  /** Worker threads; 0 runs in this thread (default: a fresh pool of available parallelism). */
  readonly workers?: number;
  /** A pool to use instead of starting one (it is not closed). */
  readonly pool?: SamplerPool;
  /** Passed to the task as `context.options`. */
  readonly options?: O;
}

/**
 * Map-then-reduce over K batches in one call: with `pool`, on it; with `workers: 0`, in
 * this thread (the module is imported here); otherwise on a pool started for the call and
 * closed after it (TypeScript task modules make it load tsx). Same rows in every case.
 */
export async function mapBatches<O = undefined>(spec: SamplingSpec, plan: BatchPlan, task: TaskRef, opts: MapOptions<O> = {}): Promise<BatchEstimates> {
  checkKeys(opts, ['workers', 'pool', 'options'], 'map options');
  if (opts.pool) return opts.pool.mapBatches(spec, plan, task, opts.options);
  if (opts.workers === 0) {
    const href = taskModuleHref(task.module);
    const mod = (await import(href)) as Record<string, unknown>;
    const f = mod[task.name];
    if (typeof f !== 'function') fail('WORKER_FAILED', `the task module ${href} has no exported function ${JSON.stringify(task.name)}`, { where: 'task.name', value: task.name });
    return mapBatchesSync(spec, plan, f as BatchTask<O>, opts.options as O);
  }
  const pool = await SamplerPool.create({ ...(opts.workers !== undefined ? { workers: opts.workers } : {}), typescript: /\.[cm]?tsx?$/i.test(taskModuleHref(task.module)) });
  try {
    return await pool.mapBatches(spec, plan, task, opts.options);
  } finally {
    await pool.close();
  }
}
