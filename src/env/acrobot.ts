/**
 * Acrobot-v1 (Sutton 1996, "Generalization in reinforcement learning: successful examples
 * using sparse coarse coding", NIPS 8; the "book" dynamics of Sutton & Barto 1998 §11.3;
 * Gymnasium's constants and semantics), float64.
 *
 * State (θ1, θ2, θ̇1, θ̇2); action a ∈ {0, 1, 2} applies the torque τ = a − 1 at the joint.
 * Links: m1 = m2 = 1, l1 = 1, centres of mass lc1 = lc2 = 0.5, inertias I1 = I2 = 1,
 * g = 9.8, dt = 0.2. The equations of motion ("book" variant):
 *
 * $$d_1 = m_1 l_{c1}^2 + m_2 (l_1^2 + l_{c2}^2 + 2 l_1 l_{c2}\cos\theta_2) + I_1 + I_2,\quad
 *   d_2 = m_2 (l_{c2}^2 + l_1 l_{c2}\cos\theta_2) + I_2$$
 * $$\phi_2 = m_2 l_{c2} g \cos(\theta_1 + \theta_2 - \pi/2),\quad
 *   \phi_1 = -m_2 l_1 l_{c2}\dot\theta_2^2\sin\theta_2 - 2 m_2 l_1 l_{c2}\dot\theta_2\dot\theta_1\sin\theta_2
 *           + (m_1 l_{c1} + m_2 l_1) g\cos(\theta_1 - \pi/2) + \phi_2$$
 * $$\ddot\theta_2 = \frac{\tau + \frac{d_2}{d_1}\phi_1 - m_2 l_1 l_{c2}\dot\theta_1^2\sin\theta_2 - \phi_2}{m_2 l_{c2}^2 + I_2 - d_2^2/d_1},\qquad
 *   \ddot\theta_1 = -\frac{d_2\ddot\theta_2 + \phi_1}{d_1}$$
 *
 * One classical RK4 step of length dt with τ held; then θ1, θ2 wrapped into [−π, π]
 * (by adding or subtracting 2π until inside, so ±π stay as they are) and θ̇1, θ̇2 clipped to
 * ±4π and ±9π. Terminated when −cos θ1 − cos(θ1 + θ2) > 1 (the tip above the bar); reward −1,
 * and 0 on the terminating step. Time limit 500. Reset: each coordinate ∼ U(−0.1, 0.1), in
 * the order θ1, θ2, θ̇1, θ̇2. Observation (cos θ1, sin θ1, cos θ2, sin θ2, θ̇1, θ̇2).
 *
 * @module
 */
import type { Rng } from '../stats/rng.js';
import { BaseEnv } from './env.js';
import { boxSpace, discreteSpace } from './spaces.js';

/** Acrobot's constants (Gymnasium's values). */
export const ACROBOT = Object.freeze({
  dt: 0.2, l1: 1.0, m1: 1.0, m2: 1.0, lc1: 0.5, lc2: 0.5, I1: 1.0, I2: 1.0, g: 9.8,
  maxVel1: 4 * Math.PI, maxVel2: 9 * Math.PI, resetHalfWidth: 0.1,
});

const K = ACROBOT;

/** The time derivative of (θ1, θ2, θ̇1, θ̇2) under torque `tau`, written to `out`. */
export function acrobotDerivative(s: Float64Array, tau: number, out: Float64Array): void {
  const { m1, m2, l1, lc1, lc2, I1, I2, g } = K;
  const th1 = s[0]!, th2 = s[1]!, dth1 = s[2]!, dth2 = s[3]!;
  const d1 = m1 * lc1 * lc1 + m2 * (l1 * l1 + lc2 * lc2 + 2 * l1 * lc2 * Math.cos(th2)) + I1 + I2;
  const d2 = m2 * (lc2 * lc2 + l1 * lc2 * Math.cos(th2)) + I2;
  const phi2 = m2 * lc2 * g * Math.cos(th1 + th2 - Math.PI / 2);
  const phi1 = -m2 * l1 * lc2 * dth2 * dth2 * Math.sin(th2) - 2 * m2 * l1 * lc2 * dth2 * dth1 * Math.sin(th2)
    + (m1 * lc1 + m2 * l1) * g * Math.cos(th1 - Math.PI / 2) + phi2;
  const ddth2 = (tau + (d2 / d1) * phi1 - m2 * l1 * lc2 * dth1 * dth1 * Math.sin(th2) - phi2) / (m2 * lc2 * lc2 + I2 - (d2 * d2) / d1);
  const ddth1 = -(d2 * ddth2 + phi1) / d1;
  out[0] = dth1; out[1] = dth2; out[2] = ddth1; out[3] = ddth2;
}

/** x wrapped into [lo, hi] by whole periods hi − lo (values on the bounds stay). */
export function wrapInto(x: number, lo: number, hi: number): number {
  const period = hi - lo;
  while (x > hi) x -= period;
  while (x < lo) x += period;
  return x;
}

/** Acrobot-v1 without its time limit (wrap with `TimeLimit(…, 500)`, or use `makeEnv`). */
export class AcrobotEnv extends BaseEnv {
  readonly id = 'Acrobot-v1';
  readonly actionSpace = discreteSpace(3);
  readonly observationSpace = boxSpace([-1, -1, -1, -1, -K.maxVel1, -K.maxVel2], [1, 1, 1, 1, K.maxVel1, K.maxVel2]);
  /** The state (θ1, θ2, θ̇1, θ̇2). */
  readonly state = new Float64Array(4);
  private readonly k1 = new Float64Array(4);
  private readonly k2 = new Float64Array(4);
  private readonly k3 = new Float64Array(4);
  private readonly k4 = new Float64Array(4);
  private readonly y = new Float64Array(4);

  protected resetState(rng: Rng): void {
    const h = K.resetHalfWidth;
    for (let i = 0; i < 4; i++) this.state[i] = -h + 2 * h * rng.uniform();
  }

  protected advance(action: ArrayLike<number>, offset: number): void {
    const tau = action[offset]! - 1, dt = K.dt, s = this.state, y = this.y;
    const { k1, k2, k3, k4 } = this;
    acrobotDerivative(s, tau, k1);
    for (let i = 0; i < 4; i++) y[i] = s[i]! + (dt / 2) * k1[i]!;
    acrobotDerivative(y, tau, k2);
    for (let i = 0; i < 4; i++) y[i] = s[i]! + (dt / 2) * k2[i]!;
    acrobotDerivative(y, tau, k3);
    for (let i = 0; i < 4; i++) y[i] = s[i]! + dt * k3[i]!;
    acrobotDerivative(y, tau, k4);
    for (let i = 0; i < 4; i++) s[i] = s[i]! + (dt / 6) * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!);
    s[0] = wrapInto(s[0]!, -Math.PI, Math.PI);
    s[1] = wrapInto(s[1]!, -Math.PI, Math.PI);
    s[2] = Math.min(Math.max(s[2]!, -K.maxVel1), K.maxVel1);
    s[3] = Math.min(Math.max(s[3]!, -K.maxVel2), K.maxVel2);
    const terminated = -Math.cos(s[0]!) - Math.cos(s[1]! + s[0]!) > 1;
    this.terminatedNow = terminated;
    this.rewardNow = terminated ? 0 : -1;
  }

  protected writeObservation(out: Float64Array, offset: number): void {
    const s = this.state;
    out[offset] = Math.cos(s[0]!); out[offset + 1] = Math.sin(s[0]!);
    out[offset + 2] = Math.cos(s[1]!); out[offset + 3] = Math.sin(s[1]!);
    out[offset + 4] = s[2]!; out[offset + 5] = s[3]!;
  }
}
