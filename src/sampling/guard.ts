/**
 * Guards around other people's code running in a pool worker (a sandboxed
 * {@link SamplerPool}): the worker side of `pgtruth check`'s seal.
 *
 * - **Exits.** `process.exit(code)` in a worker thread ends only that thread. Before it does,
 *   the guard posts `{type: 'exiting'}` with the call under way and the file:line of the exit
 *   call, and the pool turns the thread's end into `USER_CODE_EXIT` naming both.
 *   `process.abort()` and `process.kill` aimed at this process (its pid, 0, or a negative
 *   pid: a process group) are reported and end the thread the same way, never the process.
 * - **Hangs.** While a guarded call runs, its start time (ms since the epoch) sits in a
 *   shared clock the pool reads; a call older than the pool's `timeout` is ended by
 *   terminating the worker (`USER_CODE_TIMEOUT`). The call's label is posted when it changes
 *   (`{type: 'calling'}`), so the pool can name the call that hung.
 * - **Exceptions.** Whatever a guarded call throws becomes `USER_CODE_THREW` with the label
 *   and a file:line: from the stack of an `Error` (source-mapped under tsx), or — for a thrown
 *   non-Error (`throw undefined`, `throw 42`, a string), which carries no stack — from the
 *   debugger's pause-on-exception record of where the last throw happened (an in-thread
 *   `node:inspector` session; the location is mapped through the module's source map when
 *   there is one). A PgTruthError passes through unchanged.
 *
 * Outside a sandboxed worker (no {@link installGuards}), {@link guarded} only converts what
 * is thrown.
 *
 * @module
 */
import { findSourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import { PgTruthError, isPgTruthError, show } from '../errors.js';

/** Messages the guard posts to the pool. */
export type GuardMessage =
  | { readonly type: 'calling'; readonly label: string }
  | { readonly type: 'exiting'; readonly how: string; readonly code: number; readonly label: string | undefined; readonly at: string | undefined };

interface Location { url: string; line: number; column: number }

interface GuardState {
  post: ((m: GuardMessage) => void) | undefined;
  clock: Float64Array | undefined;
  label: string | undefined;
  posted: string | undefined;
  lastThrow: Location | undefined;
  scripts: Map<string, string>;
}

// one state per thread, whichever copy of this module (src via tsx, or dist) a task imports
const KEY = Symbol.for('pgtruth.sampling.guard');
function state(): GuardState {
  const g = globalThis as unknown as Record<symbol, GuardState | undefined>;
  return (g[KEY] ??= { post: undefined, clock: undefined, label: undefined, posted: undefined, lastThrow: undefined, scripts: new Map() });
}

// this package's own files (src/ or dist/src/) and tsx's: not the user's place in a stack
const OWN = [fileURLToPath(new URL('../', import.meta.url)), '/node_modules/tsx/', '/node_modules/.pnpm/tsx'];
const isOwn = (file: string) => file.startsWith('node:') || OWN.some((p) => file.includes(p)) || file.startsWith('[worker eval]');

/** The first frame of a V8 stack that is neither Node's nor this package's: `file:line:column`. */
export function userFrame(stack: string | undefined): string | undefined {
  if (!stack) return undefined;
  for (const line of stack.split('\n')) {
    const m = /^\s*at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/.exec(line);
    if (!m) continue;
    const file = m[1]!.startsWith('file://') ? fileURLToPath(m[1]!) : m[1]!;
    if (!isOwn(file)) return `${file}:${m[2]}:${m[3]}`;
  }
  return undefined;
}

/** A debugger location as `file:line:column`, mapped through the script's source map when it has one. */
function mapped(loc: Location): string {
  let { url, line, column } = loc;
  try {
    const entry = findSourceMap(url)?.findEntry(line - 1, column - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number } | undefined;
    if (entry?.originalSource !== undefined && entry.originalLine !== undefined) {
      url = entry.originalSource; line = entry.originalLine + 1; column = (entry.originalColumn ?? 0) + 1;
    }
  } catch { /* no source map: the generated location */ }
  return `${url.startsWith('file://') ? fileURLToPath(url) : url}:${line}:${column}`;
}

/**
 * Installs the exit hooks and the throw recorder in this worker thread. `post` sends a
 * message to the pool; `clock` is the shared start time of the guarded call under way.
 */
export async function installGuards(post: (m: GuardMessage) => void, clock: Float64Array | undefined): Promise<void> {
  const st = state();
  st.post = post;
  st.clock = clock;
  const exit = process.exit.bind(process);
  const end = (how: string, code: number): never => {
    post({ type: 'exiting', how, code, label: st.label, at: userFrame(new Error().stack) });
    return exit(code);
  };
  process.exit = ((code?: number | string | null) => end(`process.exit(${code === undefined ? '' : show(code)})`, typeof code === 'number' ? code : Number(code ?? process.exitCode ?? 0) || 0)) as typeof process.exit;
  process.abort = (() => end('process.abort()', 134)) as typeof process.abort;
  const kill = process.kill.bind(process);
  process.kill = ((pid: number, signal?: string | number) => {
    const p = Number(pid);
    if (p === process.pid || p === 0 || p < 0) return end(`process.kill(${show(pid)}${signal === undefined ? '' : `, ${show(signal)}`})`, 1);
    return kill(pid, signal);
  }) as typeof process.kill;
  try {
    const { Session } = await import('node:inspector');
    const session = new Session();
    session.connect();
    session.on('Debugger.scriptParsed', (m) => { if (m.params.url) st.scripts.set(m.params.scriptId, m.params.url); });
    session.on('Debugger.paused', (m) => {
      const f = m.params.callFrames[0];
      if (f && st.label !== undefined) st.lastThrow = { url: f.url || st.scripts.get(f.location.scriptId) || '(unknown script)', line: f.location.lineNumber + 1, column: (f.location.columnNumber ?? 0) + 1 };
      session.post('Debugger.resume');
    });
    session.post('Debugger.enable');
    session.post('Debugger.setPauseOnExceptions', { state: 'all' });
  } catch { /* no inspector in this build of Node: a non-Error's place is then the call's */ }
}

function begin(label: string): GuardState {
  const st = state();
  if (st.post && st.posted !== label) { st.post({ type: 'calling', label }); st.posted = label; }
  st.label = label;
  st.lastThrow = undefined;
  if (st.clock) st.clock[0] = Date.now();
  return st;
}

function end(st: GuardState): void {
  st.label = undefined;
  if (st.clock) st.clock[0] = 0;
}

/** What a guarded call threw, as `USER_CODE_THREW` naming the call and the place. */
export function thrownError(label: string, e: unknown, lastThrow?: Location): PgTruthError {
  if (isPgTruthError(e)) return e;
  const err = e instanceof Error || (typeof e === 'object' && e !== null && typeof (e as { stack?: unknown }).stack === 'string') ? (e as Error) : undefined;
  const what = err ? `${err.name ?? 'Error'}: ${err.message}` : `a non-Error value, ${typeof e === 'string' ? JSON.stringify(e) : typeof e === 'object' && e !== null ? show(e) : String(e)}`;
  const at = (err && userFrame(err.stack)) ?? (lastThrow ? mapped(lastThrow) : undefined);
  return new PgTruthError('USER_CODE_THREW', `${label} threw ${what}${at ? ` at ${at}` : ' (no place known)'}`, { where: at ?? label, value: err ? err.message : typeof e === 'object' ? undefined : (e as unknown) });
}

/** Runs `f` as the guarded call `label` (timed by the pool; what it throws becomes USER_CODE_THREW). */
export function guarded<T>(label: string, f: () => T): T {
  const st = begin(label);
  try {
    return f();
  } catch (e) {
    throw thrownError(label, e, st.lastThrow);
  } finally {
    end(st);
  }
}

/** {@link guarded} for a promise-returning `f` (a module's loading). */
export async function guardedAsync<T>(label: string, f: () => Promise<T>): Promise<T> {
  const st = begin(label);
  try {
    return await f();
  } catch (e) {
    throw thrownError(label, e, st.lastThrow);
  } finally {
    end(st);
  }
}
