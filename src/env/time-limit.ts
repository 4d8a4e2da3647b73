/**
 * The time limit as a wrapper, as Gymnasium's `TimeLimit`: the step that brings the episode's
 * step count to T sets `truncated_t = 1` unless it terminated (then `terminated_t` alone, see
 * ./env.ts):
 *
 * $$\mathrm{truncated}_t = \neg\,\mathrm{terminated}_t \wedge (t + 1 \ge T)$$
 *
 * with t the 0-based index of the step in its episode. After a truncation the wrapper
 * refuses further steps until `reset` (`ENV_NEEDS_RESET`).
 *
 * @module
 */
import { fail, show } from '../errors.js';
import type { Rng } from '../stats/rng.js';
import { checkAction } from './spaces.js';
import { actionNumbers, type Action, type Env, type StepResult, type StepSignal } from './env.js';

/** Wraps `env` with the time limit T = `maxEpisodeSteps`. */
export class TimeLimit implements Env {
  readonly maxEpisodeSteps: number;
  /** Steps taken in the current episode. */
  elapsedSteps = 0;
  private truncatedEnd = false;

  constructor(readonly inner: Env, maxEpisodeSteps: number) {
    if (!Number.isSafeInteger(maxEpisodeSteps) || maxEpisodeSteps < 1) {
      fail('ENV_OPTIONS', `maxEpisodeSteps is ${show(maxEpisodeSteps)}: expected a positive integer`, { where: 'maxEpisodeSteps', value: maxEpisodeSteps });
    }
    this.maxEpisodeSteps = maxEpisodeSteps;
  }

  get id(): string { return this.inner.id; }
  get observationSpace() { return this.inner.observationSpace; }
  get actionSpace() { return this.inner.actionSpace; }
  get observationSize(): number { return this.inner.observationSize; }
  get actionSize(): number { return this.inner.actionSize; }

  reset(seed?: number | Rng): Float64Array {
    const obs = new Float64Array(this.observationSize);
    this.resetInto(obs, 0, seed);
    return obs;
  }

  resetInto(obs: Float64Array, offset: number, seed?: number | Rng): void {
    this.inner.resetInto(obs, offset, seed);
    this.elapsedSteps = 0;
    this.truncatedEnd = false;
  }

  step(action: Action): StepResult {
    const a = actionNumbers(action);
    checkAction(this.actionSpace, a, 0, typeof action === 'number' ? 1 : a.length, this.id);
    const obs = new Float64Array(this.observationSize);
    const sig = this.stepInto(a, 0, obs, 0);
    return { observation: obs, reward: sig.reward, terminated: sig.terminated, truncated: sig.truncated };
  }

  close(): void { this.inner.close(); }

  stepInto(action: ArrayLike<number>, actionOffset: number, obs: Float64Array, obsOffset: number): StepSignal {
    if (this.truncatedEnd) fail('ENV_NEEDS_RESET', `${this.id}: the episode was truncated at its time limit of ${this.maxEpisodeSteps} steps; call reset before stepping again`, { where: 'step' });
    const sig = this.inner.stepInto(action, actionOffset, obs, obsOffset);
    this.elapsedSteps++;
    if (!sig.terminated && this.elapsedSteps >= this.maxEpisodeSteps) {
      sig.truncated = true;
      this.truncatedEnd = true;
    }
    return sig;
  }
}
