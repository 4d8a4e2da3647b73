/**
 * MountainCarContinuous-v0 (Moore 1990, PhD thesis, Cambridge; Gymnasium's continuous
 * variant), float64. State (x, v); action a (one number). With power 0.0015:
 *
 * $$f = \operatorname{clip}(a, \pm 1),\quad v \leftarrow \operatorname{clip}(v + 0.0015 f - 0.0025\cos 3x,\ \pm 0.07),\quad
 *   x \leftarrow \operatorname{clip}(x + v,\ [-1.2, 0.6])$$
 *
 * and v ← 0 when the car sits on the left wall (x = −1.2) moving left (v < 0).
 * Terminated when x ≥ 0.45 and v ≥ 0. Reward r_t = 100·terminated_t − 0.1a² with the
 * *unclipped* a (Gymnasium's choice). Time limit 999. Reset x ∼ U(−0.6, −0.4), v = 0.
 * Observation (x, v).
 *
 * @module
 */
import type { Rng } from '../stats/rng.js';
import { BaseEnv } from './env.js';
import { boxSpace } from './spaces.js';

/** MountainCarContinuous's constants (Gymnasium's values). */
export const MOUNTAIN_CAR = Object.freeze({
  minAction: -1.0, maxAction: 1.0, minPosition: -1.2, maxPosition: 0.6, maxSpeed: 0.07,
  goalPosition: 0.45, goalVelocity: 0.0, power: 0.0015,
});

const M = MOUNTAIN_CAR;

/** MountainCarContinuous-v0 without its time limit (wrap with `TimeLimit(…, 999)`, or use `makeEnv`). */
export class MountainCarContinuousEnv extends BaseEnv {
  readonly id = 'MountainCarContinuous-v0';
  readonly actionSpace = boxSpace([M.minAction], [M.maxAction]);
  readonly observationSpace = boxSpace([M.minPosition, -M.maxSpeed], [M.maxPosition, M.maxSpeed]);
  /** The state (x, v). */
  readonly state = new Float64Array(2);

  protected resetState(rng: Rng): void {
    this.state[0] = -0.6 + 0.2 * rng.uniform();
    this.state[1] = 0;
  }

  protected advance(action: ArrayLike<number>, offset: number): void {
    const a = action[offset]!;
    const force = Math.min(Math.max(a, M.minAction), M.maxAction);
    let x = this.state[0]!, v = this.state[1]!;
    v += force * M.power - 0.0025 * Math.cos(3 * x);
    v = Math.min(Math.max(v, -M.maxSpeed), M.maxSpeed);
    x += v;
    x = Math.min(Math.max(x, M.minPosition), M.maxPosition);
    if (x === M.minPosition && v < 0) v = 0;
    this.state[0] = x; this.state[1] = v;
    const terminated = x >= M.goalPosition && v >= M.goalVelocity;
    this.terminatedNow = terminated;
    this.rewardNow = (terminated ? 100 : 0) - 0.1 * a * a;
  }

  protected writeObservation(out: Float64Array, offset: number): void {
    out[offset] = this.state[0]!; out[offset + 1] = this.state[1]!;
  }
}
