/**
 * CartPole-v1 (Barto, Sutton & Anderson 1983, "Neuronlike adaptive elements that can solve
 * difficult learning control problems", IEEE SMC 13(5); Gymnasium's constants and semantics),
 * float64. State (x, ẋ, θ, θ̇); action 0 pushes left (F = −10 N), 1 right (F = +10 N).
 * With g = 9.8, m_c = 1, m_p = 0.1, M = m_c + m_p, l = 0.5 (half the pole), τ = 0.02:
 *
 * $$\text{temp} = \frac{F + m_p l\,\dot\theta^2 \sin\theta}{M},\qquad
 *   \ddot\theta = \frac{g\sin\theta - \cos\theta\,\text{temp}}{l\,(4/3 - m_p\cos^2\theta / M)},\qquad
 *   \ddot x = \text{temp} - \frac{m_p l\,\ddot\theta\cos\theta}{M}$$
 *
 * then one explicit Euler step, positions first from the old velocities:
 * x ← x + τẋ, ẋ ← ẋ + τẍ, θ ← θ + τθ̇, θ̇ ← θ̇ + τθ̈.
 *
 * Reward +1 on every step, the terminating one included. Terminated when |x| > 2.4 or
 * |θ| > 12° = 2π·12/360 rad; Gymnasium's time limit 500 (./registry.ts). Reset: each of the
 * four coordinates ∼ U(−0.05, 0.05), drawn in the order x, ẋ, θ, θ̇. Observation (x, ẋ, θ, θ̇).
 *
 * @module
 */
import type { Rng } from '../stats/rng.js';
import { BaseEnv } from './env.js';
import { boxSpace, discreteSpace } from './spaces.js';

/** CartPole's constants (Gymnasium's values). */
export const CARTPOLE = Object.freeze({
  gravity: 9.8, massCart: 1.0, massPole: 0.1, halfLength: 0.5, forceMag: 10.0, tau: 0.02,
  xThreshold: 2.4, thetaThreshold: (12 * 2 * Math.PI) / 360, resetHalfWidth: 0.05,
});

const C = CARTPOLE;
const TOTAL_MASS = C.massCart + C.massPole;
const POLE_MASS_LENGTH = C.massPole * C.halfLength;

/** CartPole-v1 without its time limit (wrap with `TimeLimit(…, 500)`, or use `makeEnv`). */
export class CartPoleEnv extends BaseEnv {
  readonly id = 'CartPole-v1';
  readonly actionSpace = discreteSpace(2);
  readonly observationSpace = boxSpace(
    [-2 * C.xThreshold, -Infinity, -2 * C.thetaThreshold, -Infinity],
    [2 * C.xThreshold, Infinity, 2 * C.thetaThreshold, Infinity],
  );
  /** The state (x, ẋ, θ, θ̇). */
  readonly state = new Float64Array(4);

  protected resetState(rng: Rng): void {
    const s = this.state, h = C.resetHalfWidth;
    for (let i = 0; i < 4; i++) s[i] = -h + 2 * h * rng.uniform();
  }

  protected advance(action: ArrayLike<number>, offset: number): void {
    const s = this.state;
    const x = s[0]!, xDot = s[1]!, theta = s[2]!, thetaDot = s[3]!;
    const force = action[offset] === 1 ? C.forceMag : -C.forceMag;
    const cos = Math.cos(theta), sin = Math.sin(theta);
    const temp = (force + POLE_MASS_LENGTH * thetaDot * thetaDot * sin) / TOTAL_MASS;
    const thetaAcc = (C.gravity * sin - cos * temp) / (C.halfLength * (4 / 3 - (C.massPole * cos * cos) / TOTAL_MASS));
    const xAcc = temp - (POLE_MASS_LENGTH * thetaAcc * cos) / TOTAL_MASS;
    s[0] = x + C.tau * xDot;
    s[1] = xDot + C.tau * xAcc;
    s[2] = theta + C.tau * thetaDot;
    s[3] = thetaDot + C.tau * thetaAcc;
    this.terminatedNow = s[0]! < -C.xThreshold || s[0]! > C.xThreshold || s[2]! < -C.thetaThreshold || s[2]! > C.thetaThreshold;
    this.rewardNow = 1;
  }

  protected writeObservation(out: Float64Array, offset: number): void {
    const s = this.state;
    out[offset] = s[0]!; out[offset + 1] = s[1]!; out[offset + 2] = s[2]!; out[offset + 3] = s[3]!;
  }
}
