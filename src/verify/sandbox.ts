/**
 * The seal around a user's module for `pgtruth check` and `expectUnbiased`: the module is
 * loaded, and every one of its calls runs, in worker threads of a sandboxed
 * {@link SamplerPool} (../sampling/guard.ts) — never on the calling thread, whatever the
 * number of workers (`workers: 0` means one worker here: the same numbers, since batches
 * and estimates do not depend on the worker count).
 *
 * | what the user's code does | what the check reports |
 * | --- | --- |
 * | `process.exit(n)`, `process.abort()`, `process.kill(process.pid)` — at load time or in a call | `USER_CODE_EXIT` naming the module, the call and the file:line of the exit |
 * | never returns (an infinite loop) | after `timeout` seconds (default {@link DEFAULT_TIMEOUT}): `USER_CODE_TIMEOUT` naming the call; its worker is stopped |
 * | throws anything (`throw undefined`, `throw 42`, an Error) | `USER_CODE_THREW` naming the call, what was thrown, and the thrower's file:line |
 *
 * A Python module's calls run in a Python worker per thread (./python/): there an exception is
 * `PYTHON_ERROR` with the traceback and a hang `PYTHON_TIMEOUT` (the Python worker is killed).
 *
 * A worker thread is not a process: code that deliberately ends the process some other way
 * (a native addon, a child process that signals its parent) is not sealed off.
 *
 * @module
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fail, show } from '../errors.js';
import { SamplerPool } from '../sampling/worker-pool.js';
import { isTypeScript, moduleURL, type LoadedEstimator, type UserEstimator } from './plugin.js';
import type { GroupBatch } from '../sampling/groups.js';
import { scaleFromTable, type GroupPart } from './group-kind.js';
import type { ContinuousBatch, GaussianViewSpec } from './continuous-kind.js';
import type { GaussianMlpViewSpec } from './gaussian-mlp-kind.js';
import { isPython, preparePythonCheck } from './python/estimators.js';
import { USER_TASKS, type EstimatorDescription } from './user-tasks.js';

/** The default time limit of one call into user code, in seconds. */
export const DEFAULT_TIMEOUT = 60;

export { USER_TASKS };

/** Writes the module that loads the user's module (a guarded call) and re-exports its tasks, for the workers. */
export function writeTaskModule(userHref: string): string {
  const here = new URL('./user-tasks.js', import.meta.url);
  const tasksHref = existsSync(fileURLToPath(here)) ? here.href : new URL('./user-tasks.ts', import.meta.url).href;
  const dir = mkdtempSync(join(tmpdir(), 'pgtruth-check-'));
  const file = join(dir, 'tasks.mjs');
  writeFileSync(file, [
    `import { loadUserTasks } from ${JSON.stringify(tasksHref)};`,
    `const t = await loadUserTasks(${JSON.stringify(userHref)});`,
    ...USER_TASKS.map((n) => `export const ${n} = t.${n};`),
    '',
  ].join('\n'));
  return file;
}

/** Options of {@link UserSandbox.open}. */
export interface SandboxOptions {
  /** Worker threads (default 2; 0 runs one: user code never runs on the calling thread). */
  readonly workers?: number;
  /** Seconds one call into user code may take (default {@link DEFAULT_TIMEOUT}). */
  readonly timeout?: number;
  /** Python modules: the interpreter (default /usr/bin/python3, then python3 on the PATH). */
  readonly python?: string;
}

/** Seconds a Python module's thread may run past the Python side's own limit before the thread is stopped. */
export const PYTHON_GRACE = 10;

/** A user's module loaded in sandboxed workers. */
export class UserSandbox {
  private constructor(
    /** The user module's file URL. */
    readonly module: string,
    /** The generated task module the workers load. */
    readonly taskFile: string,
    /** The sandboxed pool: user tasks by name from {@link taskFile}, built-in tasks as usual. */
    readonly pool: SamplerPool,
    /** The module's estimators, as descriptions: their `estimate` runs only in the workers. */
    readonly estimators: LoadedEstimator[],
    /** Stops what the module needs besides the pool (a Python module's workers). */
    private readonly cleanup?: () => void,
  ) {}

  /**
   * Loads the module at `path` in the workers and describes its estimators. A Python module
   * (`path.py[:function]`, ./python/) is imported once by a Python worker that forks one copy
   * per thread; each thread's user tasks call its copy. The Python side's own time limit
   * (SIGALRM: `PYTHON_TIMEOUT`) is the one a hang meets; the thread's limit is
   * {@link PYTHON_GRACE} seconds longer, as a backstop.
   */
  static async open(path: string, opts: SandboxOptions = {}): Promise<UserSandbox> {
    const timeout = opts.timeout ?? DEFAULT_TIMEOUT;
    if (!(typeof timeout === 'number' && timeout > 0 && timeout <= 1e6)) fail('CLI_USAGE', `the time limit is ${show(timeout)}: expected seconds in (0, 1e6]`, { where: '--timeout', value: timeout });
    const workers = Math.max(1, opts.workers ?? 2);
    const py = isPython(path) ? preparePythonCheck(path, { timeout, ...(opts.python !== undefined ? { python: opts.python } : {}) }, workers) : undefined;
    const module = py ? py.spec : moduleURL(path);
    const taskFile = py ? py.taskFile : writeTaskModule(module);
    let pool: SamplerPool;
    try {
      pool = await SamplerPool.create({ workers, typescript: isTypeScript(module) || isTypeScript(import.meta.url), sandbox: { timeout: py ? timeout + PYTHON_GRACE : timeout } });
    } catch (e) {
      py?.close();
      throw e;
    }
    try {
      const described = (await pool.call(taskFile, 'userDescribe')) as EstimatorDescription[];
      const estimators = described.map((d): LoadedEstimator => {
        // the declared data, as described; `scale` back as a function of its evaluated values
        const estimator = {
          kind: d.kind, name: d.name,
          ...(d.clip !== undefined ? { clip: d.clip } : {}),
          ...(d.definition !== undefined ? { definition: d.definition } : {}),
          ...(d.entropyCoef !== undefined ? { entropyCoef: d.entropyCoef } : {}),
          ...(d.klCoef !== undefined ? { klCoef: d.klCoef } : {}),
          ...(d.normalizeAdvantages !== undefined ? { normalizeAdvantages: d.normalizeAdvantages } : {}),
          ...(d.scale !== undefined ? { scale: scaleFromTable(d.name, d.scale) } : {}),
          ...(d.loss ?? {}),
          ...(d.declared ?? {}),
          ...(d.objective !== undefined ? { objective: d.objective } : {}),
          ...(d.klPenalty ? { klPenalty: () => fail('PLUGIN_INVALID', `${d.name}.klPenalty runs only in the sandbox's workers`) } : {}),
          ...(d.policy !== undefined ? { policy: d.policy } : {}),
          ...(d.entropy !== undefined ? { entropy: d.entropy } : {}),
          estimate: () => fail('PLUGIN_INVALID', `${d.name}.estimate runs only in the sandbox's workers`),
        } as unknown as UserEstimator;
        return { estimator, name: d.name, module, key: d.key };
      });
      return new UserSandbox(module, taskFile, pool, estimators, py ? () => py.close() : undefined);
    } catch (e) {
      await pool.close();
      py?.close();
      throw e;
    }
  }

  /** The KL estimator `key`'s per-sample estimates, computed in a worker. */
  async kl(key: string, logRatio: Float64Array): Promise<Float64Array> {
    return (await this.pool.call(this.taskFile, 'userKLTask', [key, logRatio])) as Float64Array;
  }

  /** The group estimator `key`'s estimates on each batch (n × S·A) under the softmax policy θ, computed in a worker. */
  async group(key: string, batches: GroupBatch[], theta: Float64Array, part: GroupPart = 'estimate'): Promise<Float64Array> {
    return (await this.pool.call(this.taskFile, 'userGroupTask', [key, batches, theta, part])) as Float64Array;
  }

  /** A TRPO or V-MPO kind's outputs on a payload of cases (./machinery.ts), computed in a worker. */
  async machinery(key: string, payload: unknown): Promise<Float64Array> {
    return (await this.pool.call(this.taskFile, 'userMachineryTask', [key, payload])) as Float64Array;
  }

  /** The continuous estimator `key`'s estimates on each batch (n × P) with the Gaussian view of `spec` at θ, computed in a worker (./continuous-kind.ts). */
  async continuous(key: string, batches: ContinuousBatch[], spec: GaussianViewSpec | GaussianMlpViewSpec, theta: Float64Array): Promise<Float64Array> {
    return (await this.pool.call(this.taskFile, 'userContinuousTask', [key, batches, spec, theta])) as Float64Array;
  }

  /** The continuous surrogate `key`'s −∇loss on each batch (n × P) with the Gaussian view of `spec` at θ and each batch's advantages, computed in a worker (./continuous-surrogate.ts). */
  async continuousSurrogate(key: string, batches: ContinuousBatch[], spec: GaussianViewSpec | GaussianMlpViewSpec, theta: Float64Array, advantages: Float64Array[]): Promise<Float64Array> {
    return (await this.pool.call(this.taskFile, 'userContinuousSurrogateTask', [key, batches, spec, theta, advantages])) as Float64Array;
  }

  /** Stops the workers (and a Python module's). */
  async close(): Promise<void> {
    try { await this.pool.close(); } finally { this.cleanup?.(); }
  }
}
