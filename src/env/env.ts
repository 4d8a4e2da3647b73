/**
 * The environment interface, in Gymnasium's shape (Towers et al. 2024, "Gymnasium: A Standard
 * Interface for Reinforcement Learning Environments", `Env.reset` / `Env.step`):
 *
 *     s_0 = reset(seed)              (s_t, a_t) ↦ step(a_t) = (s_tp1, r_t, terminated_t, truncated_t)
 *
 * - `terminated_t`: s_tp1 is terminal — the MDP ended; a return or TD target uses V(s_tp1) = 0.
 * - `truncated_t`: the episode was cut although the MDP continues (a time limit, see
 *   ./time-limit.ts); estimators bootstrap from V(s_tp1). At most one of the two is set:
 *   where Gymnasium's `TimeLimit` reports both (a termination on the last allowed step),
 *   pgtruth reports `terminated` only — termination wins, as it does in every estimator, and
 *   the `Batch` holds one end flag per transition.
 *
 * Seeding: `reset(seed)` restarts the environment's random stream from `Rng.from(seed)` (or
 * from a given {@link Rng}, e.g. a split of a vector environment's seed); `reset()` without a
 * seed continues the current stream, and before any seeded reset uses the constructor's
 * `seed` (default 0). One seed → bit-identical trajectories on every machine.
 *
 * Two calling styles over the same state: `reset`/`step` allocate a fresh observation per call
 * (convenient), `resetInto`/`stepInto` write the observation into a caller's buffer and return
 * a {@link StepSignal} that the environment reuses — nothing is allocated per step (the
 * vectorized hot path, ./vector.ts).
 *
 * Errors: a bad action is `ENV_ACTION` (see ./spaces.ts); stepping before the first reset or
 * after `terminated`/`truncated` without a reset is `ENV_NEEDS_RESET`; a step whose reward or
 * observation is not finite (a diverged simulation) is `ENV_DIVERGED` — never a NaN handed on.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import { Rng } from '../stats/rng.js';
import { checkAction, spaceSize, type Space } from './spaces.js';

/** A discrete action (a number) or a continuous one (its numbers). */
export type Action = number | ArrayLike<number>;

/** The reward and end flags of the last step; an environment overwrites it on every step. */
export interface StepSignal {
  reward: number;
  terminated: boolean;
  truncated: boolean;
}

/** What {@link Env.step} returns: the observation s_tp1 (a fresh array), r_t and the end flags. */
export interface StepResult {
  readonly observation: Float64Array;
  readonly reward: number;
  readonly terminated: boolean;
  readonly truncated: boolean;
}

/** An environment. Observations are `Float64Array`s of length `observationSize`. */
export interface Env {
  /** The Gymnasium id (`CartPole-v1`) or a descriptive name. */
  readonly id: string;
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  /** Numbers per observation. */
  readonly observationSize: number;
  /** Numbers per action (1 for a discrete action). */
  readonly actionSize: number;
  /** The time limit applied by a `TimeLimit` wrapper (./time-limit.ts), or undefined. */
  readonly maxEpisodeSteps: number | undefined;
  /** Starts an episode; returns s_0 (a fresh array). */
  reset(seed?: number | Rng): Float64Array;
  /** Takes a_t; returns s_tp1 (a fresh array), r_t, terminated_t, truncated_t. */
  step(action: Action): StepResult;
  /** {@link reset}, writing s_0 at `obs[offset…]`. */
  resetInto(obs: Float64Array, offset: number, seed?: number | Rng): void;
  /** {@link step} with a_t at `action[actionOffset…]`, s_tp1 written at `obs[obsOffset…]`; the returned signal is reused. */
  stepInto(action: ArrayLike<number>, actionOffset: number, obs: Float64Array, obsOffset: number): StepSignal;
  /** Frees what the environment holds outside the JavaScript heap (a MuJoCo copy's simulation state); a no-op otherwise. */
  close(): void;
}

/** The stream a `reset(seed)` starts from. */
export function resetStream(seed: number | Rng): Rng {
  return seed instanceof Rng ? seed : Rng.from(seed);
}

const scalarAction = new Float64Array(1);

/** The numbers of an {@link Action} (a number becomes a shared one-entry buffer: copy before keeping). */
export function actionNumbers(action: Action): ArrayLike<number> {
  if (typeof action === 'number') { scalarAction[0] = action; return scalarAction; }
  return action;
}

/**
 * The base of every task: seeding, the reset-before-step rule, action checks, and the two
 * calling styles. A task supplies three methods:
 *
 * - `resetState(rng)`: draw s_0 with the task's reset distribution;
 * - `advance(action, offset)`: apply a_t (already checked), move to s_tp1, set `rewardNow` to
 *   r_t and `terminatedNow` (fields, not a return value: a returned double that is not inlined
 *   is boxed, one allocation per step);
 * - `writeObservation(out, offset)`: the observation of the current state.
 */
export abstract class BaseEnv implements Env {
  abstract readonly id: string;
  abstract readonly observationSpace: Space;
  abstract readonly actionSpace: Space;
  readonly maxEpisodeSteps: number | undefined = undefined;
  /** Set by `advance`: s_tp1 is terminal. */
  protected terminatedNow = false;
  /** Set by `advance`: r_t. */
  protected rewardNow = 0.5; // a double from the start, so V8 keeps the field unboxed-in-place
  /** The random stream of the current episode (resets and stochastic steps draw from it). */
  protected rng: Rng;
  private phase: 0 | 1 | 2 = 0; // 0 never reset, 1 running, 2 ended
  private readonly signal: StepSignal = { reward: 0, terminated: false, truncated: false };

  constructor(seed: number | Rng = 0) {
    this.rng = resetStream(seed);
  }

  get observationSize(): number { return spaceSize(this.observationSpace); }
  get actionSize(): number { return spaceSize(this.actionSpace); }

  protected abstract resetState(rng: Rng): void;
  protected abstract advance(action: ArrayLike<number>, offset: number): void;
  protected abstract writeObservation(out: Float64Array, offset: number): void;

  reset(seed?: number | Rng): Float64Array {
    const obs = new Float64Array(this.observationSize);
    this.resetInto(obs, 0, seed);
    return obs;
  }

  resetInto(obs: Float64Array, offset: number, seed?: number | Rng): void {
    if (seed !== undefined) this.rng = resetStream(seed);
    this.resetState(this.rng);
    this.phase = 1;
    this.writeObservation(obs, offset);
  }

  step(action: Action): StepResult {
    const a = actionNumbers(action);
    const obs = new Float64Array(this.observationSize);
    const sig = this.stepChecked(a, 0, typeof action === 'number' ? 1 : a.length, obs, 0);
    return { observation: obs, reward: sig.reward, terminated: sig.terminated, truncated: sig.truncated };
  }

  stepInto(action: ArrayLike<number>, actionOffset: number, obs: Float64Array, obsOffset: number): StepSignal {
    return this.stepChecked(action, actionOffset, Math.min(this.actionSize, action.length - actionOffset), obs, obsOffset);
  }

  close(): void { /* nothing outside the JavaScript heap */ }

  private stepChecked(action: ArrayLike<number>, offset: number, length: number, obs: Float64Array, obsOffset: number): StepSignal {
    if (this.phase !== 1) {
      fail('ENV_NEEDS_RESET', this.phase === 0
        ? `${this.id}: step was called before reset`
        : `${this.id}: the episode terminated; call reset before stepping again`, { where: 'step' });
    }
    checkAction(this.actionSpace, action, offset, length, this.id);
    this.terminatedNow = false;
    this.advance(action, offset);
    const r = this.rewardNow;
    if (!Number.isFinite(r)) fail('ENV_DIVERGED', `${this.id}: the step produced the reward ${show(r)}`, { where: 'reward', value: r });
    this.writeObservation(obs, obsOffset);
    for (let i = obsOffset, end = obsOffset + this.observationSize; i < end; i++) {
      if (!Number.isFinite(obs[i])) fail('ENV_DIVERGED', `${this.id}: the step produced the observation entry ${i - obsOffset} = ${show(obs[i])}`, { where: `observation[${i - obsOffset}]`, value: obs[i] });
    }
    const sig = this.signal;
    sig.reward = r;
    sig.terminated = this.terminatedNow;
    sig.truncated = false;
    if (this.terminatedNow) this.phase = 2;
    return sig;
  }
}
