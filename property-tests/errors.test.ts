// Every stable error code has a test that triggers it, with the index/place in the message.
// Adding a code to ERROR_CODES without a trigger here fails this test.
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, isPgTruthError, type ErrorCode } from '../src/errors.js';
import { chain, denseTransitions, benchmarkGridworld, createMDP, mdpFromJSON, builtinMDP, parseMDP, rationalMDPFromJSON } from '../src/mdp/index.js';
import { directPolicy, policyFromJSON, softmaxPolicy } from '../src/policy/index.js';
import { evaluatePolicy, expectOverGroups, fisherMatrix, klPerState, policyIteration } from '../src/exact/index.js';
import { FractionField, NumberField, rational } from '../src/field/index.js';
import { bicgstab, luFactor } from '../src/linalg/index.js';
import { validateBatch, allocateBatch } from '../src/sampling/batch.js';
import { mapBatches, mapBatchesSync, sampleEpisodes } from '../src/sampling/index.js';
import { main } from '../src/cli/main.js';
import { collectEstimators, expectUnbiased } from '../src/verify/index.js';
import { averageKLBall, checkStateDistribution, ppoDrift } from '../src/mirror/index.js';
import { trpoPenalty } from '../src/exact/bounds.js';
import { klK3, reinforceRewardToGo, tdErrors } from '../src/estimators/index.js';
import { conjugateGradient } from '../src/linalg/cg.js';
import { intOption, readJSONFile } from '../src/cli/io.js';
import { CartPoleEnv, makeClassicEnv, makeEnv, readModelXML, setMujocoLoader } from '../src/env/index.js';
import { Mlp } from '../src/policy/mlp.js';
import { Adam } from '../src/optim/adam.js';
import { runPpo } from '../src/algorithms/ppo.js';
import { checkGaussianRow } from '../src/policy/gaussian.js';
import { lqr, lqrCost } from '../src/exact/lqr.js';
import { quadraticReward } from '../src/exact/gaussian-bandit.js';
import { gaussHermite } from '../src/linalg/quadrature.js';
import { checkModule } from '../src/verify/check.js';
import { lossDeclaration } from '../src/verify/value-loss-kind.js';
import { guarded } from '../src/sampling/guard.js';
import { exactPGCurve } from '../src/algorithms/exact-pg.js';
import { learningCurvesHtml } from '../src/report/html.js';
import { preset, resolveConfig } from '../src/algorithms/deep/config.js';
import { enumerateBatches, vmpoInstances } from '../src/verify/vmpo-kind.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KLEstimator } from '../src/verify/plugin.js';
import { resolveInterpreter } from '../src/verify/python/bridge.js';
import { loadPythonEstimators } from '../src/verify/python/estimators.js';
import { declaredPolicy } from '../src/verify/continuous-kind.js';

const rangeOption = () => intOption('-3', '--seed', 0);

const S3 = { states: 2, actions: 1, transitions: [[[1, 0]], [[0, 1]]], rewards: [[0], [0]], gamma: 0.5, initial: [1, 0] };

/** One way to trigger each code. */
const chainSpec = () => ({ mdp: chain(), policy: { param: softmaxPolicy(5, 2), theta: new Float64Array(10) } });

export const TRIGGERS: Record<ErrorCode, () => unknown> = {
  MDP_SHAPE: () => createMDP({ ...S3, initial: [1] }),
  MDP_NOT_FINITE: () => createMDP({ ...S3, rewards: [[NaN], [0]] }),
  MDP_NEGATIVE_PROBABILITY: () => createMDP({ ...S3, transitions: [[[2, -1]], [[0, 1]]] }),
  MDP_ROW_SUM: () => createMDP({ ...S3, transitions: [[[0.5, 0]], [[0, 1]]] }),
  MDP_GAMMA_RANGE: () => createMDP({ ...S3, gamma: 2 }),
  MDP_INITIAL: () => createMDP({ ...S3, initial: [0.5, 0.4] }),
  MDP_TERMINAL_INDEX: () => createMDP({ ...S3, terminal: [5] }),
  MDP_TERMINAL_NOT_ABSORBING: () => createMDP({ ...S3, transitions: [[[0, 1]], [[1, 0]]], terminal: [1] }),
  MDP_NOT_TERMINATING: () => createMDP({ ...S3, gamma: 1 }),
  MDP_NO_DECISIONS: () => evaluatePolicy(createMDP({ ...S3, gamma: 1, transitions: [[[0, 1]], [[0, 1]]], initial: [0, 1], terminal: [1] }), Float64Array.of(1, 1)),
  MDP_NAMES: () => createMDP({ ...S3, states: ['x', 'x'] }),
  MDP_UNKNOWN: () => builtinMDP('no-such-mdp'),
  POLICY_SHAPE: () => evaluatePolicy(createMDP(S3), new Float64Array(3)),
  POLICY_NOT_FINITE: () => softmaxPolicy(1, 2).check(Float64Array.of(0, Infinity)),
  POLICY_NOT_DISTRIBUTION: () => directPolicy(1, 2).check(Float64Array.of(0.5, 0.6)),
  POLICY_KIND: () => policyFromJSON({ kind: 'nope' }, { numStates: 1, numActions: 1 }),
  ZERO_PROBABILITY: () => directPolicy(1, 2).logProb(Float64Array.of(1, 0), 0, 1),
  SOLVER_SINGULAR: () => luFactor(Float64Array.of(1, 2, 2, 4), 2),
  SOLVER_NOT_CONVERGED: () => {
    const A = { nRows: 2, nCols: 2, rowPtr: Int32Array.of(0, 2, 4), col: Int32Array.of(0, 1, 0, 1), val: Float64Array.of(1, 2, 3, 4) };
    return bicgstab(A, Float64Array.of(1, 1), { maxIter: 1, preconditioner: null, tol: 1e-300 });
  },
  DIVERGENCE_INFINITE: () => klPerState(Float64Array.of(0.5, 0.5), Float64Array.of(1, 0), 1, 2),
  TOO_LARGE: () => denseTransitions(benchmarkGridworld(70)),
  CONTROL_IMPROPER: () => policyIteration(createMDP({ states: 2, actions: 2, transitions: [[[1, 0], [0, 1]], [[0, 1], [0, 1]]], rewards: [[1, 0], [0, 0]], gamma: 1, initial: [1, 0], terminal: [1] })),
  FIELD_UNSUPPORTED: () => softmaxPolicy(1, 2).probsIn(FractionField, [rational(0), rational(1)]),
  RATIONAL_INPUT: () => rational(0.5),
  BATCH_INVALID: () => validateBatch({ ...allocateBatch(1, 2, 2, 0.9), s_t: Int32Array.of(7) }),
  ESTIMATOR_ARGUMENT: () => tdErrors(allocateBatch(1, 2, 2, 0.9), new Float64Array(2), 1.5),
  ESTIMATOR_EMPTY_BATCH: () => reinforceRewardToGo(allocateBatch(0, 2, 2, 0.9), { param: softmaxPolicy(2, 2), theta: new Float64Array(4) }, 0.9),
  ESTIMATOR_OVERFLOW: () => klK3(Float64Array.of(800)),
  SOLVER_INDEFINITE: () => conjugateGradient((v, out) => { out[0] = -v[0]!; }, Float64Array.of(1)),
  MIRROR_DRIFT: () => ppoDrift(0),
  MIRROR_NEIGHBOURHOOD: () => averageKLBall(-1),
  MIRROR_WEIGHT: () => checkStateDistribution([0.7, 0.7], 2),
  BOUND_GAMMA: () => trpoPenalty(1, 1),
  ESTIMATOR_INVALID: () => mapBatchesSync(chainSpec(), { source: { kind: 'episodes', episodes: 1, maxSteps: 3 }, batches: 2, seed: 1 }, () => [NaN]),
  SAMPLING_COUNT: () => sampleEpisodes(chainSpec(), { episodes: 0, seed: 1, maxSteps: 3 }),
  SAMPLING_HORIZON: () => sampleEpisodes(chainSpec(), { episodes: 1, seed: 1, maxSteps: 0 }),
  SAMPLING_POLICY: () => sampleEpisodes({ mdp: chain(), policy: { param: softmaxPolicy(2, 2), theta: new Float64Array(4) } }, { episodes: 1, seed: 1, maxSteps: 3 }),
  SAMPLING_OPTIONS: () => sampleEpisodes(chainSpec(), { episodes: 1, seed: 1, maxSteps: 3, bogus: 1 } as never),
  SAMPLING_UNBOUNDED: () => sampleEpisodes(chainSpec(), { episodes: 1, seed: 1 }),
  SAMPLING_INITIAL_TERMINAL: () => {
    const g = createMDP({ states: 2, actions: 1, transitions: [[[0, 1]], [[0, 1]]], rewards: [[1], [0]], gamma: 0.9, initial: [0.5, 0.5], terminal: [1] });
    return sampleEpisodes({ mdp: g, policy: { param: softmaxPolicy(2, 1), theta: new Float64Array(2) } }, { episodes: 1, seed: 1 });
  },
  WORKER_FAILED: () => mapBatches(chainSpec(), { source: { kind: 'episodes', episodes: 1, maxSteps: 3 }, batches: 1, seed: 1 }, { module: new URL('./helpers.ts', import.meta.url), name: 'noSuchTask' }, { workers: 0 }),
  PLUGIN_INVALID: () => collectEstimators({ x: 1 }, 'module.mjs'),
  CHECK_FAILED: () => expectUnbiased(new URL('../examples/estimators/kl-bug.ts', import.meta.url).pathname, { samples: 5000, workers: 0 }),
  GROUP_ENUMERATION: () => expectOverGroups([0.5, 0.5], 30, 1, () => {}),
  JSON_PARSE: () => parseMDP('{', 'x.json'),
  JSON_TYPE: () => mdpFromJSON({ ...S3, gama: 1 }),
  FILE_NOT_FOUND: () => readJSONFile('/nonexistent/pgtruth.json'),
  CLI_USAGE: () => rangeOption(),
  ENV_UNKNOWN_ID: () => makeClassicEnv('CartPole-v0'),
  ENV_OPTIONS: () => makeClassicEnv('CartPole-v1', { maxEpisodeSteps: 0 }),
  ENV_ACTION: () => { const e = makeClassicEnv('CartPole-v1'); e.reset(0); return e.step(2); },
  ENV_NEEDS_RESET: () => makeClassicEnv('CartPole-v1').step(0),
  ENV_DIVERGED: () => { const e = new CartPoleEnv(); e.reset(0); e.state.set([0, 0, 0, 1e200]); return e.step(0); },
  ENV_MUJOCO_UNAVAILABLE: async () => {
    setMujocoLoader(() => Promise.reject(new Error('simulated absence')));
    try { return await makeEnv('Hopper-v5'); } finally { setMujocoLoader(undefined); }
  },
  ENV_MUJOCO_MODEL: () => readModelXML('no-such-model.xml'),
  NN_ARCHITECTURE: () => new Mlp([3, 0, 2]),
  NN_INPUT: () => new Mlp([2, 1]).forward(new Float64Array(3), Float64Array.of(0, NaN), 1),
  NN_TAPE: () => new Mlp([2, 1]).jvp(new Float64Array(3), new Float64Array(3), new Float64Array(1)),
  OPTIM_ARGUMENT: () => new Adam(2, { beta2: 1.5 }),
  LEARNER_OPTIONS: () => runPpo(builtinMDP('short-corridor'), { clip: -1 }, { seed: 0 }),
  POLICY_SCALE: () => checkGaussianRow([0], 0, [60], 0, 1, 'row 0'),
  LQR_INVALID: () => lqr({ n: 1, m: 1, A: [1], B: [1], Q: [1], R: [-1], gamma: 0.9, sigma0: [1] }),
  BANDIT_INVALID: () => quadraticReward({ k: 1, r0: 0, g: [Infinity], H: [1] }),
  QUADRATURE_ORDER: () => gaussHermite(0),
  LQR_UNSTABLE: () => lqrCost(lqr({ n: 1, m: 1, A: [2], B: [1], Q: [1], R: [1], gamma: 0.9, sigma0: [1] }), [0], [0.1]),
  JSON_DUPLICATE_KEY: () => parseMDP('{"states": 1, "states": 2}', 'x.json'),
  JSON_TOO_DEEP: () => parseMDP(`{"states": ${'['.repeat(100)}${']'.repeat(100)}}`, 'x.json'),
  NUMERIC_OVERFLOW: () => evaluatePolicy(createMDP({ ...S3, rewards: [[1e308], [1e308]], gamma: 0.9 }), Float64Array.of(1, 1)),
  SOLVER_ILL_CONDITIONED: () => evaluatePolicy(createMDP({ ...S3, gamma: 1 - 1e-12 }), Float64Array.of(1, 1), { solver: 'dense' }),
  USER_CODE_EXIT: () => checkModule(new URL('./verify/fixtures/hostile/exit-at-load.mjs', import.meta.url).pathname, { workers: 0 }),
  USER_CODE_TIMEOUT: () => checkModule(new URL('./verify/fixtures/hostile/hang-at-load.mjs', import.meta.url).pathname, { workers: 0, timeout: 0.5 }),
  USER_CODE_THREW: () => guarded('mine.estimate', () => { throw 42; }),
  LOSS_DECLARATION: () => lossDeclaration({ estimator: { kind: 'value-loss', reduction: 'avg', estimate: () => ({ loss: 0, gradient: [] }) } as never, key: 'default', module: 'm.ts' }),
  CURVE_OPTIONS: () => exactPGCurve(chain(), { method: 'pg', step: -1, iterations: 3 }),
  REPORT_OUTPUT: () => learningCurvesHtml([]),
  TRAIN_OPTIONS: () => resolveConfig(preset('cleanrl', true), { minibatches: 3 }),
  PYTHON_UNAVAILABLE: () => resolveInterpreter('/nonexistent/python3'),
  PYTHON_ERROR: () => pythonKL('raise ValueError("no")', 60),
  PYTHON_TIMEOUT: () => pythonKL('import time; time.sleep(30)', 1),
  VMPO_ENUMERATION: () => enumerateBatches(vmpoInstances(benchmarkGridworld(4), 'gridworld')[0]!),
  PLUGIN_POLICY: () => declaredPolicy({ estimator: { kind: 'policy-gradient', policy: 'beta', estimate: () => [0] } as never, name: 'mine', module: 'module.mjs', key: 'default' }),
};

/** A Python KL estimator whose body is `body`, called once (its worker stops with this process). */
function pythonKL(body: string, timeout: number): unknown {
  const file = join(mkdtempSync(join(tmpdir(), 'pgtruth-errors-')), 'k.py');
  writeFileSync(file, `PGTRUTH = {'kind': 'kl', 'function': 'k'}\ndef k(log_ratio):\n    ${body}\n`);
  const { bridge, estimators } = loadPythonEstimators(file, { timeout });
  try { return (estimators[0]!.estimator as KLEstimator).estimate(Float64Array.of(0.5)); } finally { bridge.close(); }
}

describe('every error code is triggered and names its place', () => {
  for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
    const trigger = TRIGGERS[code];
    it(code, async () => {
      let err: unknown;
      try { await trigger(); } catch (e) { err = e; }
      expect(isPgTruthError(err, code), `${code}: got ${String(err)}`).toBe(true);
      expect((err as Error).message.startsWith(`[${code}] `)).toBe(true);
    });
  }
  it('CLI_USAGE: an unknown option', async () => {
    const errs: string[] = [];
    const code = await main(['exact', 'builtin:chain', '--policy', 'uniform', '--nope'], () => {}, (s) => errs.push(s));
    expect(code).toBe(2);
    expect(errs.join('')).toContain('[CLI_USAGE]');
  });
  it('the exact rational field refuses an unsupported operation and inexact input', () => {
    expect(() => rationalMDPFromJSON({ ...S3, gamma: 1e-30 })).toThrow(/RATIONAL_INPUT/);
    expect(NumberField.log(1)).toBe(0);
  });
});
