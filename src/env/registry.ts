/**
 * The environment registry: Gymnasium's ids, each with its time limit (applied as a
 * {@link TimeLimit} wrapper, as `gymnasium.make` does) and its reward threshold ("solved at").
 *
 * | id | observation | action | time limit | solved at |
 * | --- | --- | --- | --- | --- |
 * | `CartPole-v1` | Box(4) | Discrete(2) | 500 | 475 |
 * | `Acrobot-v1` | Box(6) | Discrete(3) | 500 | −100 |
 * | `Pendulum-v1` | Box(3) | Box(1) in [−2, 2] | 200 | — |
 * | `MountainCarContinuous-v0` | Box(2) | Box(1) in [−1, 1] | 999 | 90 |
 * | `HalfCheetah-v5` | Box(17) | Box(6) in [−1, 1] | 1000 | 4800 |
 * | `Hopper-v5` | Box(11) | Box(3) in [−1, 1] | 1000 | 3800 |
 *
 * `builtin:NAME` makes the built-in finite MDP NAME (src/mdp/library) a {@link TabularEnv}
 * (observation per `opts.observation`, default the state index; no time limit unless given).
 *
 * The MuJoCo tasks load the optional package `mujoco-js` on first use (./mujoco/loader.ts),
 * which is why {@link makeEnv} is asynchronous; {@link makeClassicEnv} makes the others
 * synchronously.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import { Rng } from '../stats/rng.js';
import { AcrobotEnv } from './acrobot.js';
import { CartPoleEnv } from './cartpole.js';
import type { Env } from './env.js';
import { MountainCarContinuousEnv } from './mountain-car.js';
import { HalfCheetahEnv, HALF_CHEETAH } from './mujoco/half-cheetah.js';
import { HopperEnv, HOPPER } from './mujoco/hopper.js';
import { compileModel, loadMujoco } from './mujoco/loader.js';
import { PendulumEnv } from './pendulum.js';
import { TabularEnv, type TabularObservation } from './tabular.js';
import { builtinMDP } from '../mdp/library/index.js';
import { TimeLimit } from './time-limit.js';
import { VectorEnv } from './vector.js';

/** What the registry knows of a task. */
export interface EnvSpec {
  readonly id: string;
  /** Gymnasium's time limit. */
  readonly maxEpisodeSteps: number;
  /** Gymnasium's `reward_threshold` (the return at which the task counts as solved), if any. */
  readonly rewardThreshold: number | undefined;
  /** True for the tasks simulated by MuJoCo (need `mujoco-js`). */
  readonly mujoco: boolean;
}

/** The registered tasks, by Gymnasium id. */
export const ENV_SPECS: Readonly<Record<string, EnvSpec>> = Object.freeze({
  'CartPole-v1': { id: 'CartPole-v1', maxEpisodeSteps: 500, rewardThreshold: 475, mujoco: false },
  'Acrobot-v1': { id: 'Acrobot-v1', maxEpisodeSteps: 500, rewardThreshold: -100, mujoco: false },
  'Pendulum-v1': { id: 'Pendulum-v1', maxEpisodeSteps: 200, rewardThreshold: undefined, mujoco: false },
  'MountainCarContinuous-v0': { id: 'MountainCarContinuous-v0', maxEpisodeSteps: 999, rewardThreshold: 90, mujoco: false },
  'HalfCheetah-v5': { id: 'HalfCheetah-v5', maxEpisodeSteps: 1000, rewardThreshold: 4800, mujoco: true },
  'Hopper-v5': { id: 'Hopper-v5', maxEpisodeSteps: 1000, rewardThreshold: 3800, mujoco: true },
});

/** The registered ids. */
export const ENV_IDS: readonly string[] = Object.freeze(Object.keys(ENV_SPECS));

/** Options of {@link makeEnv}. */
export interface MakeEnvOptions {
  /** The time limit; default the task's; `null` for none. */
  readonly maxEpisodeSteps?: number | null;
  /** The seed of resets without a seed (default 0). */
  readonly seed?: number;
  /** `builtin:NAME` only: the tabular observation (default `'index'`). */
  readonly observation?: TabularObservation;
}

const OPTION_KEYS = new Set(['maxEpisodeSteps', 'seed', 'observation']);
const BUILTIN = 'builtin:';

/** The registry entry of `id`; `ENV_UNKNOWN_ID` (listing the known ids) otherwise. */
export function envSpec(id: string): EnvSpec {
  const spec = typeof id === 'string' && Object.prototype.hasOwnProperty.call(ENV_SPECS, id) ? ENV_SPECS[id] : undefined;
  if (spec === undefined) fail('ENV_UNKNOWN_ID', `no environment has the id ${show(id)} (known: ${ENV_IDS.join(', ')})`, { where: 'id', value: id });
  return spec;
}

function checkOptions(opts: MakeEnvOptions): void {
  if (opts === null || typeof opts !== 'object') fail('ENV_OPTIONS', `environment options are ${show(opts)}: expected an object`, { where: 'options' });
  for (const k of Object.keys(opts)) if (!OPTION_KEYS.has(k)) fail('ENV_OPTIONS', `unknown environment option ${show(k)} (known: ${[...OPTION_KEYS].join(', ')})`, { where: k });
  const s = opts.seed;
  if (s !== undefined && (!Number.isSafeInteger(s) || s < 0)) fail('ENV_OPTIONS', `seed is ${show(s)}: expected a non-negative safe integer`, { where: 'seed', value: s });
}

function withLimit(env: Env, spec: EnvSpec, opts: MakeEnvOptions): Env {
  const T = opts.maxEpisodeSteps === undefined ? spec.maxEpisodeSteps : opts.maxEpisodeSteps;
  return T === null ? env : new TimeLimit(env, T);
}

/** A classic-control task by id, synchronously (`ENV_UNKNOWN_ID` for MuJoCo ids: use {@link makeEnv}). */
export function makeClassicEnv(id: string, opts: MakeEnvOptions = {}): Env {
  if (typeof id === 'string' && id.startsWith(BUILTIN)) {
    checkOptions(opts);
    const name = id.slice(BUILTIN.length);
    const mdp = builtinMDP(name);
    const env = new TabularEnv(mdp, opts.observation ?? 'index', opts.seed ?? 0, id);
    return opts.maxEpisodeSteps === undefined || opts.maxEpisodeSteps === null ? env : new TimeLimit(env, opts.maxEpisodeSteps);
  }
  const spec = envSpec(id);
  checkOptions(opts);
  if (opts.observation !== undefined) fail('ENV_OPTIONS', `${id}: the observation option is for builtin: tabular environments`, { where: 'observation' });
  const seed = opts.seed ?? 0;
  let env: Env;
  switch (spec.id) {
    case 'CartPole-v1': env = new CartPoleEnv(seed); break;
    case 'Acrobot-v1': env = new AcrobotEnv(seed); break;
    case 'Pendulum-v1': env = new PendulumEnv(seed); break;
    case 'MountainCarContinuous-v0': env = new MountainCarContinuousEnv(seed); break;
    default: fail('ENV_UNKNOWN_ID', `${spec.id} is simulated by MuJoCo and is made asynchronously: use makeEnv`, { where: 'id', value: id });
  }
  return withLimit(env, spec, opts);
}

/**
 * The task `id` with Gymnasium's time limit (or `opts.maxEpisodeSteps`; `null` for none).
 * MuJoCo tasks load `mujoco-js` on first use (`ENV_MUJOCO_UNAVAILABLE` when it is absent).
 */
export async function makeEnv(id: string, opts: MakeEnvOptions = {}): Promise<Env> {
  if (typeof id === 'string' && id.startsWith(BUILTIN)) return makeClassicEnv(id, opts);
  const spec = envSpec(id);
  checkOptions(opts);
  if (!spec.mujoco) return makeClassicEnv(id, opts);
  if (opts.observation !== undefined) fail('ENV_OPTIONS', `${id}: the observation option is for builtin: tabular environments`, { where: 'observation' });
  const mj = await loadMujoco();
  const seed = opts.seed ?? 0;
  const env = spec.id === 'HalfCheetah-v5'
    ? new HalfCheetahEnv(mj, compileModel(mj, HALF_CHEETAH.file), seed)
    : new HopperEnv(mj, compileModel(mj, HOPPER.file), seed);
  return withLimit(env, spec, opts);
}

/**
 * N copies of the task `id` (each with the time limit) in a {@link VectorEnv}, reset with
 * `seed`: copy i from `Rng.from(seed).split(i)`.
 */
export async function makeVectorEnv(id: string, numEnvs: number, opts: MakeEnvOptions = {}): Promise<VectorEnv> {
  if (!Number.isSafeInteger(numEnvs) || numEnvs < 1) fail('ENV_OPTIONS', `numEnvs is ${show(numEnvs)}: expected a positive integer`, { where: 'numEnvs', value: numEnvs });
  const envs: Env[] = [];
  for (let i = 0; i < numEnvs; i++) envs.push(await makeEnv(id, opts));
  const v = new VectorEnv(envs);
  v.reset(Rng.from(opts.seed ?? 0));
  return v;
}
