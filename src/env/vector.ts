/**
 * N copies of an environment stepped together, with auto-reset (Gymnasium's `SyncVectorEnv`
 * in its same-step auto-reset mode). After `step(a_t)`, for every copy i:
 *
 * - `nextObservations[i]` is the true s_tp1 of the transition just taken — the *final*
 *   observation where the episode ended (what the `Batch` stores as s_tp1, so that a
 *   truncation can bootstrap from V(s_tp1));
 * - `observations[i]` is the state the next step acts from: s_tp1 where the episode goes on,
 *   the new episode's s_0 where it ended (terminated or truncated) and the copy was reset;
 * - `rewards[i]`, `terminated[i]`, `truncated[i]` are r_t and the end flags;
 * - where the episode ended, `episodeReturns[i]` and `episodeLengths[i]` hold the undiscounted
 *   return Σ_t r_t and the length of the episode that just ended.
 *
 * Seeding: `reset(seed)` resets copy i from the stream `Rng.from(seed).split(i)` and later
 * auto-resets continue that copy's stream — so copy i follows exactly the trajectory of a
 * single environment reset with `Rng.from(seed).split(i)` and given the same actions.
 *
 * Nothing is allocated per step: the buffers above are allocated once and overwritten.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import { Rng } from '../stats/rng.js';
import type { Env } from './env.js';
import { spaceSize, type Space } from './spaces.js';

/** N environments stepped in lockstep, with auto-reset. */
export class VectorEnv {
  readonly numEnvs: number;
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  readonly observationSize: number;
  readonly actionSize: number;
  /** s_t for the next step, copy i at `i*observationSize` (the reset observation after an episode ended). */
  readonly observations: Float64Array;
  /** s_tp1 of the last step, copy i at `i*observationSize` (the true final observation where the episode ended). */
  readonly nextObservations: Float64Array;
  /** r_t of the last step. */
  readonly rewards: Float64Array;
  /** terminated_t of the last step (1 or 0). */
  readonly terminated: Uint8Array;
  /** truncated_t of the last step (1 or 0). */
  readonly truncated: Uint8Array;
  /** Where the last step ended an episode: its return Σ_t r_t (else the running return so far). */
  readonly episodeReturns: Float64Array;
  /** Where the last step ended an episode: its length (else the running length so far). */
  readonly episodeLengths: Int32Array;
  private readonly running: Float64Array;
  private readonly runningLength: Int32Array;
  private started = false;

  constructor(readonly envs: readonly Env[]) {
    if (!Array.isArray(envs) || envs.length < 1) fail('ENV_OPTIONS', `a vector environment needs at least one copy, got ${show(envs?.length)}`, { where: 'envs' });
    const e0 = envs[0]!;
    envs.forEach((e, i) => {
      if (e.observationSize !== e0.observationSize || e.actionSize !== e0.actionSize || e.actionSpace.kind !== e0.actionSpace.kind) {
        fail('ENV_OPTIONS', `copy ${i} (${e.id}) has other spaces than copy 0 (${e0.id})`, { where: `envs[${i}]` });
      }
      if (envs.indexOf(e) !== i) fail('ENV_OPTIONS', `copy ${i} is the same object as copy ${envs.indexOf(e)}: each copy needs its own environment`, { where: `envs[${i}]` });
    });
    const N = envs.length;
    this.numEnvs = N;
    this.observationSpace = e0.observationSpace;
    this.actionSpace = e0.actionSpace;
    this.observationSize = spaceSize(e0.observationSpace);
    this.actionSize = spaceSize(e0.actionSpace);
    this.observations = new Float64Array(N * this.observationSize);
    this.nextObservations = new Float64Array(N * this.observationSize);
    this.rewards = new Float64Array(N);
    this.terminated = new Uint8Array(N);
    this.truncated = new Uint8Array(N);
    this.episodeReturns = new Float64Array(N);
    this.episodeLengths = new Int32Array(N);
    this.running = new Float64Array(N);
    this.runningLength = new Int32Array(N);
  }

  /** Resets copy i from `Rng.from(seed).split(i)`; returns `observations`. */
  reset(seed: number | Rng = 0): Float64Array {
    const root = seed instanceof Rng ? seed : Rng.from(seed);
    const d = this.observationSize;
    for (let i = 0; i < this.numEnvs; i++) {
      this.envs[i]!.resetInto(this.observations, i * d, root.split(i));
      this.running[i] = 0;
      this.runningLength[i] = 0;
    }
    this.started = true;
    return this.observations;
  }

  /** Closes every copy (frees MuJoCo simulation states). */
  close(): void {
    for (const e of this.envs) e.close();
  }

  /**
   * Steps every copy with its action, copy i's at `actions[i*actionSize…]`; fills the
   * buffers (see the module comment) and auto-resets the copies whose episode ended.
   */
  step(actions: ArrayLike<number>): void {
    if (!this.started) fail('ENV_NEEDS_RESET', 'vector environment: step was called before reset', { where: 'step' });
    const N = this.numEnvs, d = this.observationSize, m = this.actionSize;
    if (actions.length !== N * m) fail('ENV_ACTION', `vector environment: expected ${N}×${m} = ${N * m} action numbers, got ${actions.length}`, { where: 'actions', value: actions.length });
    const obs = this.observations, next = this.nextObservations;
    for (let i = 0; i < N; i++) {
      const env = this.envs[i]!;
      const sig = env.stepInto(actions, i * m, next, i * d);
      const r = sig.reward;
      this.rewards[i] = r;
      this.running[i] += r;
      this.runningLength[i]++;
      this.episodeReturns[i] = this.running[i]!;
      this.episodeLengths[i] = this.runningLength[i]!;
      const term = sig.terminated, trunc = sig.truncated;
      this.terminated[i] = term ? 1 : 0;
      this.truncated[i] = trunc ? 1 : 0;
      if (term || trunc) {
        env.resetInto(obs, i * d);
        this.running[i] = 0;
        this.runningLength[i] = 0;
      } else {
        for (let k = i * d, end = k + d; k < end; k++) obs[k] = next[k]!;
      }
    }
  }
}
