/**
 * Python estimators as {@link LoadedEstimator}s: `pgtruth check my_gae.py` (or
 * `path.py:function`) turns each estimator the module declares into an object of the
 * TypeScript interface whose `estimate` calls the Python worker (./bridge.ts), so that every
 * claim, statistic, control, verdict, `--json` field and exit code is the one TypeScript
 * modules get. The sampling pool's threads each start their own worker through a generated
 * task module ({@link writePythonTaskModule}); the calling thread keeps one for the module's
 * description and the KL kind.
 *
 * @module
 */
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fail } from '../../errors.js';
import type { Batch } from '../../sampling/batch.js';
import type { GroupBatch } from '../../sampling/groups.js';
import { scaleFromTable, type GroupEstimator, type ReferenceGroupBatch } from '../group-kind.js';
import type { ContinuousBatch, GaussianPolicyGradientEstimator, GaussianPolicyView } from '../continuous-kind.js';
import type { GaussianSurrogateEstimator } from '../continuous-surrogate.js';
import type { MlpPolicyGradientEstimator, MlpPolicyView } from '../mlp-kind.js';
import type { GaussianMlpPolicyGradientEstimator, GaussianMlpPolicyView, GaussianMlpSurrogateEstimator } from '../gaussian-mlp-kind.js';
import type { AdvantageEstimator, KLEstimator, LoadedEstimator, PolicyGradientEstimator, PolicyView, SurrogateEstimator, UserEstimator } from '../plugin.js';
import { USER_TASKS } from '../user-tasks.js';
import type { ActorCriticEstimator, ValueLossEstimator } from '../value-loss-kind.js';
import { PythonBridge, stopRegistered, type Column, type PythonEstimatorInfo, type PythonOptions } from './bridge.js';

/** True for a Python module path, `path.py` or `path.py:function`. */
export const isPython = (path: string) => /\.py(:[A-Za-z_][A-Za-z0-9_]*)?$/.test(path);

/** `path.py[:function]` with the path made absolute; `FILE_NOT_FOUND` when the file does not exist. */
export function pythonModuleSpec(path: string): string {
  const m = /^(.*\.py)(:[A-Za-z_][A-Za-z0-9_]*)?$/.exec(path);
  if (!m) fail('CLI_USAGE', `${path} is not a Python module path (path.py or path.py:function)`, { where: path });
  const file = isAbsolute(m[1]!) ? m[1]! : resolve(m[1]!);
  if (!existsSync(file)) fail('FILE_NOT_FOUND', `cannot read ${m[1]}: no such file`, { where: m[1] });
  return file + (m[2] ?? '');
}

function batchColumns(b: Batch): Record<string, Column> {
  return { s_t: b.s_t, a_t: b.a_t, r_t: b.r_t, s_tp1: b.s_tp1, terminated_t: b.terminated_t, truncated_t: b.truncated_t, t_index: b.t_index, logp_t: b.logp_t, episode_t: b.episode_t };
}

/**
 * The MLP view's network as columns for the Python side: w (`weights`, length P, in the
 * layout of ../../policy/mlp.ts: per layer W_l row-major n_{l+1} × n_l, then b_l), the
 * widths (`sizes`) and φ(s) for every state (`features`, S × n_0 row-major). Built once per
 * view (the view's network does not change within a check).
 */
const mlpColumns = new WeakMap<MlpPolicyView, { weights: Float64Array; sizes: Int32Array; features: Float64Array }>();
function mlpColumnsOf(view: MlpPolicyView) {
  let c = mlpColumns.get(view);
  if (!c) {
    const S = view.numStates, n0 = view.sizes[0]!, features = new Float64Array(S * n0);
    for (let s = 0; s < S; s++) features.set(view.features(s), s * n0);
    c = { weights: view.weights, sizes: Int32Array.from(view.sizes), features };
    mlpColumns.set(view, c);
  }
  return c;
}

/**
 * A continuous batch and the view of a Gaussian or tanh-Gaussian MLP head as a request: the
 * batch's columns, w (`theta`: the network's parameters in ../../policy/mlp.ts's layout, then a
 * state-independent log σ), the widths (`sizes`), the activation and whether log σ is the
 * second half of the network's output row (`stateDependent`), and the family (`tanh`).
 */
function gaussianMlpRequest(batch: ContinuousBatch, policy: GaussianMlpPolicyView, gamma: number): { scalars: Record<string, number | string>; columns: Record<string, Column> } {
  return {
    scalars: { ...batchScalars(batch), gamma, obsDim: batch.obsDim, actionDim: batch.actionDim, activation: policy.activation, stateDependent: policy.logStdMode === 'state-dependent' ? 1 : 0, tanh: policy.family === 'tanh-gaussian' ? 1 : 0 },
    columns: { ...batchColumns(batch), obs_t: batch.obs_t, obs_tp1: batch.obs_tp1, a_cont_t: batch.a_cont_t, a_env_t: batch.a_env_t, v_t: batch.v_t, v_tp1: batch.v_tp1, theta: policy.theta, sizes: Int32Array.from(policy.sizes) },
  };
}

function batchScalars(b: Batch): Record<string, number> {
  return { size: b.size, numStates: b.numStates, numActions: b.numActions, batchGamma: b.gamma };
}

/**
 * The estimator object of the TypeScript interface that calls Python estimator `index` of
 * `bridge` (started lazily). Its arrays are views into the bridge's reply buffer, valid until
 * the next call (./user-tasks.ts and the KL claim copy them at once).
 */
export function pythonEstimator(info: PythonEstimatorInfo, index: number, bridge: () => PythonBridge): UserEstimator {
  const name = info.name;
  switch (info.kind) {
    case 'policy-gradient':
      if (info.policy === 'gaussian' || info.policy === 'tanh-gaussian') return { kind: 'policy-gradient', policy: info.policy, name, estimate(batch: ContinuousBatch, policy: GaussianPolicyView, gamma: number) {
        const scalars = { ...batchScalars(batch), gamma, obsDim: batch.obsDim, actionDim: batch.actionDim, linearHead: policy.head === 'linear' ? 1 : 0 };
        const columns = { ...batchColumns(batch), obs_t: batch.obs_t, obs_tp1: batch.obs_tp1, a_cont_t: batch.a_cont_t, a_env_t: batch.a_env_t, v_t: batch.v_t, v_tp1: batch.v_tp1, theta: policy.theta };
        return bridge().call(index, scalars, columns, `${name}(batch, policy, gamma)`).arrays.gradient!;
      } } satisfies GaussianPolicyGradientEstimator;
      if (info.policy === 'gaussian-mlp' || info.policy === 'tanh-gaussian-mlp') return { kind: 'policy-gradient', policy: info.policy, name, estimate(batch: ContinuousBatch, policy: GaussianMlpPolicyView, gamma: number) {
        const { scalars, columns } = gaussianMlpRequest(batch, policy, gamma);
        return bridge().call(index, scalars, columns, `${name}(batch, policy, gamma)`).arrays.gradient!;
      } } satisfies GaussianMlpPolicyGradientEstimator;
      if (info.policy === 'mlp') return { kind: 'policy-gradient', policy: 'mlp', name, estimate(batch: Batch, policy: MlpPolicyView, gamma: number) {
        return bridge().call(index, { ...batchScalars(batch), gamma, activation: policy.activation }, { ...batchColumns(batch), ...mlpColumnsOf(policy) }, `${name}(batch, policy, gamma)`).arrays.gradient!;
      } } satisfies MlpPolicyGradientEstimator;
      return { kind: 'policy-gradient', name, estimate(batch: Batch, policy: PolicyView, gamma: number) {
        return bridge().call(index, { ...batchScalars(batch), gamma }, { ...batchColumns(batch), theta: policy.logits }, `${name}(batch, policy, gamma)`).arrays.gradient!;
      } } satisfies PolicyGradientEstimator;
    case 'advantage':
      return { kind: 'advantage', name, ...(info.definition !== null && info.definition !== undefined ? { definition: info.definition } : {}), estimate(batch: Batch, values: Float64Array, gamma: number, lambda: number) {
        const r = bridge().call(index, { ...batchScalars(batch), gamma, lambda }, { ...batchColumns(batch), values }, `${name}(batch, values, gamma, lam)`);
        return { advantages: r.arrays.advantages!, targets: r.arrays.targets! };
      } } satisfies AdvantageEstimator;
    case 'kl':
      return { kind: 'kl', name, estimate(logRatio: Float64Array) {
        return bridge().call(index, {}, { log_ratio: logRatio }, `${name}(log_ratio)`).arrays.estimates!;
      } } satisfies KLEstimator;
    case 'surrogate':
      if (info.policy === 'gaussian-mlp' || info.policy === 'tanh-gaussian-mlp') return { kind: 'surrogate', policy: info.policy, name, ...(info.clip !== null ? { clip: info.clip } : {}),
        ...(info.entropyCoef !== undefined ? { entropyCoef: info.entropyCoef } : {}), ...(info.klCoef !== undefined ? { klCoef: info.klCoef } : {}), ...(info.normalizeAdvantages !== undefined ? { normalizeAdvantages: info.normalizeAdvantages } : {}), ...(info.entropy !== undefined ? { entropy: info.entropy } : {}),
        estimate(batch: ContinuousBatch, policy: GaussianMlpPolicyView, advantages: Float64Array) {
          const { scalars, columns } = gaussianMlpRequest(batch, policy, batch.gamma);
          const r = bridge().call(index, scalars, { ...columns, advantages }, `${name}(batch, policy, advantages)`);
          return { loss: r.scalars.loss!, gradient: r.arrays.gradient! };
        } } as GaussianMlpSurrogateEstimator;
      if (info.policy === 'gaussian' || info.policy === 'tanh-gaussian') return { kind: 'surrogate', policy: info.policy, name, ...(info.clip !== null ? { clip: info.clip } : {}),
        ...(info.entropyCoef !== undefined ? { entropyCoef: info.entropyCoef } : {}), ...(info.klCoef !== undefined ? { klCoef: info.klCoef } : {}), ...(info.normalizeAdvantages !== undefined ? { normalizeAdvantages: info.normalizeAdvantages } : {}), ...(info.entropy !== undefined ? { entropy: info.entropy } : {}),
        estimate(batch: ContinuousBatch, policy: GaussianPolicyView, advantages: Float64Array) {
          const scalars = { ...batchScalars(batch), gamma: batch.gamma, obsDim: batch.obsDim, actionDim: batch.actionDim, linearHead: policy.head === 'linear' ? 1 : 0 };
          const columns = { ...batchColumns(batch), obs_t: batch.obs_t, obs_tp1: batch.obs_tp1, a_cont_t: batch.a_cont_t, a_env_t: batch.a_env_t, v_t: batch.v_t, v_tp1: batch.v_tp1, theta: policy.theta, advantages };
          const r = bridge().call(index, scalars, columns, `${name}(batch, policy, advantages)`);
          return { loss: r.scalars.loss!, gradient: r.arrays.gradient! };
        } } satisfies GaussianSurrogateEstimator;
      return { kind: 'surrogate', name, ...(info.clip !== null ? { clip: info.clip } : {}),
        ...(info.entropyCoef !== undefined ? { entropyCoef: info.entropyCoef } : {}), ...(info.klCoef !== undefined ? { klCoef: info.klCoef } : {}), ...(info.normalizeAdvantages !== undefined ? { normalizeAdvantages: info.normalizeAdvantages } : {}),
        estimate(batch: Batch, policy: PolicyView, advantages: Float64Array) {
        const r = bridge().call(index, batchScalars(batch), { ...batchColumns(batch), theta: policy.logits, advantages }, `${name}(batch, policy, advantages)`);
        return { loss: r.scalars.loss!, gradient: r.arrays.gradient! };
      } } satisfies SurrogateEstimator;
    case 'group':
    {
      // estimate and the declared klPenalty call the same worker; `part` says which (its batch carries logpRef_t)
      const groupCall = (batch: GroupBatch, policy: PolicyView, part: 'estimate' | 'klPenalty') => {
        const scalars = { numPrompts: batch.numPrompts, groupSize: batch.groupSize, maxTokens: batch.maxTokens, numStates: batch.numStates, numActions: batch.numActions, part };
        const columns = { prompts: batch.prompts, mask: batch.mask, s_t: batch.s_t, a_t: batch.a_t, logp_t: batch.logp_t, r_t: batch.r_t, rewards: batch.rewards, lengths: batch.lengths, theta: policy.logits, ...(part === 'klPenalty' ? { logpRef_t: (batch as ReferenceGroupBatch).logpRef_t } : {}) };
        const r = bridge().call(index, scalars, columns, part === 'klPenalty' ? `${name}.klPenalty(batch, policy)` : `${name}(batch, policy)`);
        return info.loss ? { loss: r.scalars.loss!, gradient: r.arrays.gradient! } : r.arrays.advantages!;
      };
      return { kind: 'group', name, ...(info.scale ? { scale: scaleFromTable(name, info.scale) } : {}), ...(info.objective ? { objective: info.objective } : {}),
        estimate: (batch: GroupBatch, policy: PolicyView) => groupCall(batch, policy, 'estimate'),
        ...(info.klPenalty ? { klPenalty: (batch: ReferenceGroupBatch, policy: PolicyView) => groupCall(batch, policy, 'klPenalty') } : {}),
      } satisfies GroupEstimator;
    }
    case 'value-loss':
      return { kind: 'value-loss', name, ...lossFields(info), estimate(batch: Batch, values: Float64Array, valuesOld: Float64Array, gamma: number, lambda: number) {
        const r = bridge().call(index, { ...batchScalars(batch), gamma, lambda }, { ...batchColumns(batch), values, values_old: valuesOld }, `${name}(batch, values, values_old, gamma, lam)`);
        return { loss: r.scalars.loss!, gradient: r.arrays.gradient! };
      } } as ValueLossEstimator;
    case 'actor-critic':
      return { kind: 'actor-critic', name, ...lossFields(info), estimate(batch: Batch, policy: PolicyView, values: Float64Array, gamma: number, lambda: number) {
        const r = bridge().call(index, { ...batchScalars(batch), gamma, lambda }, { ...batchColumns(batch), theta: policy.logits, values }, `${name}(batch, policy, values, gamma, lam)`);
        return { loss: r.scalars.loss!, gradTheta: r.arrays.gradTheta!, gradV: r.arrays.gradV! };
      } } as unknown as ActorCriticEstimator;
    default:
      return fail('PLUGIN_INVALID', `the Python estimator ${name} has kind ${String((info as { kind: unknown }).kind)}`);
  }
}

/** The declared fields of a value-loss or actor-critic estimator, as given (../value-loss-kind.ts checks them: LOSS_DECLARATION). */
function lossFields(info: PythonEstimatorInfo): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of ['definition', 'reduction', 'half', 'valueClip', 'valueCoef', 'entropyCoef'] as const) if (info[f] !== undefined && info[f] !== null) out[f] = info[f];
  return out;
}

/** A bridge and the {@link LoadedEstimator}s of the module `spec` (`path.py[:function]`, absolute). */
export function loadPythonEstimators(spec: string, opts: PythonOptions = {}): { bridge: PythonBridge; estimators: LoadedEstimator[] } {
  const bridge = PythonBridge.start(spec, opts);
  const estimators = bridge.estimators.map((info, i) => ({ estimator: pythonEstimator(info, i, () => bridge), name: info.name, module: spec, key: info.key }));
  return { bridge, estimators };
}

const started = new Set<PythonBridge>();
process.on('exit', () => { for (const b of started) b.close(); });

/**
 * A module namespace for ./user-tasks.ts: one named export per estimator of the Python
 * module, each calling this thread's own worker — a forked copy of the calling thread's
 * worker when one is free (claimed with an exclusive-create file), else a new one — started
 * on first use.
 */
export function pythonNamespace(spec: string, opts: PythonOptions, infos: readonly PythonEstimatorInfo[], children: readonly { dir: string; pid: number }[] = []): Record<string, unknown> {
  let bridge: PythonBridge | undefined;
  const get = () => {
    if (!bridge) {
      const free = children.find((c) => { try { closeSync(openSync(join(c.dir, 'claimed'), 'wx')); return true; } catch { return false; } });
      bridge = free ? PythonBridge.attach(free, spec, opts) : PythonBridge.start(spec, opts);
      started.add(bridge);
    }
    return bridge;
  };
  return Object.fromEntries(infos.map((info, i) => [info.key, pythonEstimator(info, i, get)]));
}

/** Writes the task module the pool's threads load for a Python module (see ../check.ts's writeTaskModule). */
export function writePythonTaskModule(spec: string, opts: PythonOptions, infos: readonly PythonEstimatorInfo[], children: readonly { dir: string; pid: number }[]): { file: string; dir: string } {
  const near = (name: string) => {
    const js = new URL(`${name}.js`, import.meta.url);
    return existsSync(fileURLToPath(js)) ? js.href : new URL(`${name}.ts`, import.meta.url).href;
  };
  const dir = mkdtempSync(join(tmpdir(), 'pgtruth-check-py-'));
  const file = join(dir, 'tasks.mjs');
  writeFileSync(file, [
    `import { pythonNamespace } from ${JSON.stringify(near('./estimators'))};`,
    `import { userTasks } from ${JSON.stringify(near('../user-tasks'))};`,
    `const ns = pythonNamespace(${JSON.stringify(spec)}, ${JSON.stringify({ ...opts, registry: dir })}, ${JSON.stringify(infos)}, ${JSON.stringify(children)});`,
    `const t = userTasks(ns, ${JSON.stringify(spec)});`,
    ...USER_TASKS.map((n) => `export const ${n} = t.${n};`),
    '',
  ].join('\n'));
  return { file, dir };
}

/**
 * What `checkModule` needs for a Python module: its estimators (this thread's worker), the
 * pool's task module with `workers` forked copies of the worker waiting for the pool's
 * threads, and the cleanup.
 */
export function preparePythonCheck(path: string, opts: PythonOptions, workers: number): { spec: string; estimators: LoadedEstimator[]; taskFile: string; close(): void } {
  const spec = pythonModuleSpec(path);
  const { bridge, estimators } = loadPythonEstimators(spec, opts);
  try {
    // every estimate runs in the sandbox's threads (./sandbox.ts), the KL kind's too: one forked copy per thread
    const children = bridge.fork(Math.max(1, workers));
    const { file, dir } = writePythonTaskModule(spec, opts, bridge.estimators, children);
    return { spec, estimators, taskFile: file, close() { bridge.close(); stopRegistered(dir); rmSync(dir, { recursive: true, force: true }); } };
  } catch (e) {
    bridge.close();
    throw e;
  }
}
