/**
 * The entry point of a sampling worker thread (see ./worker-pool.ts). It keeps the prepared spec
 * of each live pool call, draws the chunks it is sent with the same functions the calling
 * thread uses, and posts results back with their buffers transferred. Errors travel back
 * as data with their code, so a typed error raised in a worker is re-raised in the pool's
 * thread with the same code.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isPgTruthError } from '../errors.js';
import { Rng } from '../stats/rng.js';
import { BatchBuilder } from './builder.js';
import { capacityGuess, rolloutEpisodes } from './episodes.js';
import { runBatchRange, type BatchTask } from './map.js';
import { installGuards } from './guard.js';
import { arrayBuffers, type ErrorWire, type FromWorker, type ToWorker, type WorkerSetup } from './protocol.js';
import { releasePlanBuilder, takePlanBuilder } from './plan.js';
import { prepareWire, type PreparedSampling } from './spec.js';

const port = parentPort!;
const calls = new Map<number, PreparedSampling | { readonly failed: unknown }>();
const tasks = new Map<string, Promise<BatchTask>>();

function errorToWire(e: unknown): ErrorWire {
  const primitive = (v: unknown) => (v === null || ['number', 'string', 'boolean'].includes(typeof v) ? v : undefined); // clonable
  if (isPgTruthError(e)) return { code: e.code, message: e.message.replace(/^\[[A-Z_]+\] /, ''), where: e.where, value: primitive(e.value) };
  const err = e as { stack?: string; message?: string };
  return { code: undefined, message: err?.stack ?? err?.message ?? String(e), where: undefined, value: undefined };
}

function prepared(call: number): PreparedSampling {
  const p = calls.get(call);
  if (p === undefined) throw new Error(`worker has no spec for call ${call}`);
  if ('failed' in p) throw p.failed;
  return p;
}

async function loadTask(href: string, name: string): Promise<BatchTask> {
  let t = tasks.get(`${href}#${name}`);
  if (t === undefined) {
    t = import(href).then((mod: Record<string, unknown>) => {
      const f = mod[name];
      if (typeof f !== 'function') throw new Error(`the task module ${href} has no exported function ${JSON.stringify(name)} (exports: ${Object.keys(mod).join(', ') || 'none'})`);
      return f as BatchTask;
    });
    tasks.set(`${href}#${name}`, t);
  }
  return t;
}

function episodes(m: Extract<ToWorker, { type: 'episodes' }>): void {
  const prep = prepared(m.call);
  const { numStates: S, numActions: A, gamma } = prep.mdp;
  const b = new BatchBuilder(S, A, gamma, capacityGuess(m.count, m.stop, gamma), m.maxTransitions);
  rolloutEpisodes(prep.tables, Rng.from(m.seed), m.first, m.count, m.stop, b);
  const arrays = b.take();
  const msg: FromWorker = { type: 'episodes', call: m.call, arrays };
  port.postMessage(msg, arrayBuffers(arrays));
}

async function map(m: Extract<ToWorker, { type: 'map' }>): Promise<void> {
  const prep = prepared(m.call);
  const task = await loadTask(m.module, m.name);
  const b = takePlanBuilder(prep, m.plan.source);
  const r = runBatchRange(prep, m.plan, m.lo, m.hi, task, m.options, b);
  releasePlanBuilder(b);
  const msg: FromWorker = { type: 'map', call: m.call, dim: r.dim, values: r.values, transitions: r.transitions };
  port.postMessage(msg, [r.values.buffer as ArrayBuffer]);
}

async function call(m: Extract<ToWorker, { type: 'call' }>): Promise<void> {
  const f = await loadTask(m.module, m.name) as unknown as (...args: unknown[]) => unknown;
  const value = await f(...m.args);
  const msg: FromWorker = { type: 'call', call: m.call, value };
  port.postMessage(msg, ArrayBuffer.isView(value) && value.buffer instanceof ArrayBuffer ? [value.buffer] : []);
}

async function handle(m: ToWorker): Promise<void> {
  try {
    if (m.type === 'call') await call(m);
    else if (m.type === 'setup') {
      try { calls.set(m.call, prepareWire(m.spec)); } catch (e) { calls.set(m.call, { failed: e }); }
    } else if (m.type === 'release') calls.delete(m.call);
    else if (m.type === 'episodes') episodes(m);
    else await map(m);
  } catch (e) {
    const msg: FromWorker = { type: 'error', call: m.call, error: errorToWire(e) };
    port.postMessage(msg);
  }
}

const setup = (workerData ?? {}) as WorkerSetup;
if (setup.sandbox) await installGuards((m) => port.postMessage(m), new Float64Array(setup.sandbox.clock));
port.on('message', (m: ToWorker) => { void handle(m); });
port.postMessage({ type: 'ready' } satisfies FromWorker);
