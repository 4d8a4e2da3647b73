/**
 * Pendulum-v1 (Gymnasium's inverted-pendulum swing-up), float64. State (θ, θ̇), θ = 0 upright;
 * action u ∈ [−2, 2] (one number; out-of-range torques are clipped, as Gymnasium does).
 * With g = 10, m = l = 1, dt = 0.05, u_c = clip(u, ±2):
 *
 * $$r_t = -\big(\operatorname{norm}(\theta_t)^2 + 0.1\,\dot\theta_t^2 + 0.001\,u_c^2\big),\qquad
 *   \operatorname{norm}(\theta) = ((\theta + \pi) \bmod 2\pi) - \pi \in [-\pi, \pi)$$
 *
 * — the cost of the state the action is taken in — then the semi-implicit Euler step
 *
 * $$\dot\theta_{t+1} = \operatorname{clip}\Big(\dot\theta_t + \big(\tfrac{3g}{2l}\sin\theta_t + \tfrac{3}{ml^2}u_c\big)dt,\ \pm 8\Big),\qquad
 *   \theta_{t+1} = \theta_t + \dot\theta_{t+1}\,dt .$$
 *
 * θ itself is not wrapped (only the cost normalizes it). Never terminates; time limit 200.
 * Reset θ ∼ U(−π, π), then θ̇ ∼ U(−1, 1). Observation (cos θ, sin θ, θ̇).
 *
 * @module
 */
import type { Rng } from '../stats/rng.js';
import { BaseEnv } from './env.js';
import { boxSpace } from './spaces.js';

/** Pendulum's constants (Gymnasium's values). */
export const PENDULUM = Object.freeze({ g: 10.0, m: 1.0, l: 1.0, dt: 0.05, maxSpeed: 8, maxTorque: 2.0 });

const P = PENDULUM;

/** θ mapped into [−π, π) as ((θ + π) mod 2π) − π, with a non-negative remainder. */
export function normalizeAngle(theta: number): number {
  const period = 2 * Math.PI;
  let r = (theta + Math.PI) % period;
  if (r < 0) r += period;
  return r - Math.PI;
}

/** Pendulum-v1 without its time limit (wrap with `TimeLimit(…, 200)`, or use `makeEnv`). */
export class PendulumEnv extends BaseEnv {
  readonly id = 'Pendulum-v1';
  readonly actionSpace = boxSpace([-P.maxTorque], [P.maxTorque]);
  readonly observationSpace = boxSpace([-1, -1, -P.maxSpeed], [1, 1, P.maxSpeed]);
  /** The state (θ, θ̇). */
  readonly state = new Float64Array(2);

  protected resetState(rng: Rng): void {
    this.state[0] = -Math.PI + 2 * Math.PI * rng.uniform();
    this.state[1] = -1 + 2 * rng.uniform();
  }

  protected advance(action: ArrayLike<number>, offset: number): void {
    const s = this.state, th = s[0]!, thDot = s[1]!;
    const u = Math.min(Math.max(action[offset]!, -P.maxTorque), P.maxTorque);
    const n = normalizeAngle(th);
    const cost = n * n + 0.1 * thDot * thDot + 0.001 * u * u;
    let newThDot = thDot + ((3 * P.g) / (2 * P.l) * Math.sin(th) + (3 / (P.m * P.l * P.l)) * u) * P.dt;
    newThDot = Math.min(Math.max(newThDot, -P.maxSpeed), P.maxSpeed);
    s[0] = th + newThDot * P.dt;
    s[1] = newThDot;
    this.rewardNow = -cost;
  }

  protected writeObservation(out: Float64Array, offset: number): void {
    out[offset] = Math.cos(this.state[0]!); out[offset + 1] = Math.sin(this.state[0]!); out[offset + 2] = this.state[1]!;
  }
}
