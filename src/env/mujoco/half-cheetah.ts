/**
 * HalfCheetah-v5 (Wawrzyński 2009, "A cat-like robot real-time learning to run", ICANNGA;
 * Gymnasium's v5 semantics; the model is Gymnasium's half_cheetah.xml, see ./assets/NOTICE).
 * A planar cheetah: nq = nv = 9 (rootx, rootz, rooty, six joints), six actuators in [−1, 1];
 * timestep 0.01, frame skip 5, so dt = 0.05.
 *
 * $$r_t = \frac{x_{t+1} - x_t}{dt} - 0.1\sum_i a_{t,i}^2$$
 *
 * with x = qpos[0] before and after the step. Never terminates; time limit 1000.
 * Observation: qpos[1:] ++ qvel (17 numbers; x is excluded). Reset:
 * qpos = qpos0 + U(−0.1, 0.1)^nq, then qvel = 0.1·N(0, 1)^nv.
 *
 * @module
 */
import type { Rng } from '../../stats/rng.js';
import type { BoxSpace } from '../spaces.js';
import { MujocoEnv, unboundedBox } from './base.js';
import type { MjModelHandle, MujocoModule } from './loader.js';

/** HalfCheetah-v5's constants (Gymnasium's defaults). */
export const HALF_CHEETAH = Object.freeze({
  file: 'half_cheetah.xml', frameSkip: 5, forwardRewardWeight: 1.0, ctrlCostWeight: 0.1, resetNoiseScale: 0.1,
});

const H = HALF_CHEETAH;

/** HalfCheetah-v5 without its time limit (use `makeEnv('HalfCheetah-v5')` for the 1000-step limit). */
export class HalfCheetahEnv extends MujocoEnv {
  readonly id = 'HalfCheetah-v5';
  readonly observationSpace: BoxSpace;
  /** The forward velocity (x_{t+1} − x_t)/dt of the last step. */
  xVelocity = 0;
  /** The control cost 0.1 Σ a² of the last step. */
  controlCost = 0;

  constructor(mj: MujocoModule, model: MjModelHandle, seed = 0) {
    super(mj, model, H.frameSkip, seed);
    this.observationSpace = unboundedBox(this.nq - 1 + this.nv);
  }

  protected resetNoise(rng: Rng, qpos: Float64Array, qvel: Float64Array): void {
    const c = H.resetNoiseScale;
    for (let i = 0; i < this.nq; i++) qpos[i] = this.initQpos[i]! - c + 2 * c * rng.uniform();
    for (let i = 0; i < this.nv; i++) qvel[i] = this.initQvel[i]! + c * rng.normal();
  }

  protected advance(action: ArrayLike<number>, offset: number): void {
    this.refreshViews(); // another copy's MjData may have grown the heap since the last step
    const xBefore = this.qposView[0]!;
    this.simulate(action, offset);
    this.xVelocity = (this.qposView[0]! - xBefore) / this.dt;
    let a2 = 0; // Σ a² inline: a helper returning a double would box it on every step
    for (let i = 0; i < this.nu; i++) { const a = action[offset + i]!; a2 += a * a; }
    this.controlCost = H.ctrlCostWeight * a2;
    this.rewardNow = H.forwardRewardWeight * this.xVelocity - this.controlCost;
  }

  protected writeObservation(out: Float64Array, offset: number): void {
    this.refreshViews();
    const qpos = this.qposView, qvel = this.qvelView, nq = this.nq;
    for (let i = 1; i < nq; i++) out[offset + i - 1] = qpos[i]!;
    for (let i = 0; i < this.nv; i++) out[offset + nq - 1 + i] = qvel[i]!;
  }
}
