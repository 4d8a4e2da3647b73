/**
 * Hopper-v5 (Erez, Tassa & Todorov 2011, "Infinite-horizon model predictive control for
 * periodic tasks with contacts", RSS; Gymnasium's v5 semantics; the model is Gymnasium's
 * hopper.xml, see ./assets/NOTICE). A planar one-legged hopper: nq = nv = 6 (rootx, rootz,
 * rooty, thigh, leg, foot), three actuators in [−1, 1]; timestep 0.002, frame skip 4, so
 * dt = 0.008.
 *
 * Healthy after the step when all of: every entry of (qpos[2:], qvel) lies strictly inside
 * (−100, 100); the height z = qpos[1] > 0.7; the torso angle qpos[2] lies strictly inside
 * (−0.2, 0.2). Then
 *
 * $$r_t = \frac{x_{t+1} - x_t}{dt} + 1[\text{healthy}_{t+1}] - 0.001\sum_i a_{t,i}^2,\qquad
 *   \mathrm{terminated}_t = \neg\,\text{healthy}_{t+1}$$
 *
 * (v5: the healthy reward 1 is paid only while healthy, so not on the terminating step.)
 * Time limit 1000. Observation: qpos[1:] ++ clip(qvel, ±10) (11 numbers). Reset:
 * qpos = qpos0 + U(−0.005, 0.005)^nq, then qvel = U(−0.005, 0.005)^nv.
 *
 * @module
 */
import type { Rng } from '../../stats/rng.js';
import type { BoxSpace } from '../spaces.js';
import { MujocoEnv, unboundedBox } from './base.js';
import type { MjModelHandle, MujocoModule } from './loader.js';

/** Hopper-v5's constants (Gymnasium's defaults). */
export const HOPPER = Object.freeze({
  file: 'hopper.xml', frameSkip: 4, forwardRewardWeight: 1.0, ctrlCostWeight: 1e-3, healthyReward: 1.0,
  healthyStateRange: [-100, 100] as const, healthyZRange: [0.7, Infinity] as const, healthyAngleRange: [-0.2, 0.2] as const,
  resetNoiseScale: 5e-3, observationVelocityClip: 10,
});

const H = HOPPER;

/** Whether the hopper state (qpos, qvel) is healthy (see the module comment). */
export function hopperHealthy(qpos: ArrayLike<number>, qvel: ArrayLike<number>): boolean {
  const [lo, hi] = H.healthyStateRange;
  for (let i = 2; i < qpos.length; i++) { const v = qpos[i]!; if (!(v > lo && v < hi)) return false; }
  for (let i = 0; i < qvel.length; i++) { const v = qvel[i]!; if (!(v > lo && v < hi)) return false; }
  const z = qpos[1]!, angle = qpos[2]!;
  return z > H.healthyZRange[0] && z < H.healthyZRange[1] && angle > H.healthyAngleRange[0] && angle < H.healthyAngleRange[1];
}

/** Hopper-v5 without its time limit (use `makeEnv('Hopper-v5')` for the 1000-step limit). */
export class HopperEnv extends MujocoEnv {
  readonly id = 'Hopper-v5';
  readonly observationSpace: BoxSpace;
  /** The forward velocity (x_{t+1} − x_t)/dt of the last step. */
  xVelocity = 0;
  /** The control cost 0.001 Σ a² of the last step. */
  controlCost = 0;
  /** Whether the state after the last step is healthy. */
  healthy = true;

  constructor(mj: MujocoModule, model: MjModelHandle, seed = 0) {
    super(mj, model, H.frameSkip, seed);
    this.observationSpace = unboundedBox(this.nq - 1 + this.nv);
  }

  protected resetNoise(rng: Rng, qpos: Float64Array, qvel: Float64Array): void {
    const c = H.resetNoiseScale;
    for (let i = 0; i < this.nq; i++) qpos[i] = this.initQpos[i]! - c + 2 * c * rng.uniform();
    for (let i = 0; i < this.nv; i++) qvel[i] = this.initQvel[i]! - c + 2 * c * rng.uniform();
  }

  protected advance(action: ArrayLike<number>, offset: number): void {
    this.refreshViews(); // another copy's MjData may have grown the heap since the last step
    const xBefore = this.qposView[0]!;
    this.simulate(action, offset);
    this.xVelocity = (this.qposView[0]! - xBefore) / this.dt;
    let a2 = 0; // Σ a² inline: a helper returning a double would box it on every step
    for (let i = 0; i < this.nu; i++) { const a = action[offset + i]!; a2 += a * a; }
    this.controlCost = H.ctrlCostWeight * a2;
    this.healthy = hopperHealthy(this.qposView, this.qvelView);
    this.terminatedNow = !this.healthy;
    this.rewardNow = H.forwardRewardWeight * this.xVelocity + (this.healthy ? H.healthyReward : 0) - this.controlCost;
  }

  protected writeObservation(out: Float64Array, offset: number): void {
    this.refreshViews();
    const qpos = this.qposView, qvel = this.qvelView, nq = this.nq, c = H.observationVelocityClip;
    for (let i = 1; i < nq; i++) out[offset + i - 1] = qpos[i]!;
    for (let i = 0; i < this.nv; i++) out[offset + nq - 1 + i] = Math.min(Math.max(qvel[i]!, -c), c);
  }
}
