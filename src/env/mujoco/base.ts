/**
 * The common part of the MuJoCo locomotion tasks (Todorov, Erez & Tassa 2012, "MuJoCo: A
 * physics engine for model-based control", IROS; Gymnasium's `MujocoEnv` semantics):
 *
 * - a step writes the action to `ctrl` (unclipped — MuJoCo clamps it to each actuator's
 *   `ctrlrange` when the actuator is `ctrllimited`, and the control cost uses the action as
 *   given) and advances the physics `frameSkip` MuJoCo steps, so dt = timestep · frameSkip;
 * - a reset is `mj_resetData` (time, velocities, controls, warm starts back to the model's
 *   defaults), then the task's qpos and qvel (init_qpos = the model's qpos0, init_qvel = 0,
 *   plus the task's noise), then `mj_forward`;
 * - the action space is Box(ctrlrange).
 *
 * The views `qpos`, `qvel`, `ctrl` point into the WebAssembly heap; creating other copies can
 * grow the heap and detach them, so they are fetched again whenever one reads as empty.
 *
 * @module
 */
import { fail, show } from '../../errors.js';
import type { Rng } from '../../stats/rng.js';
import { BaseEnv } from '../env.js';
import { boxSpace, type BoxSpace } from '../spaces.js';
import type { MjDataHandle, MjModelHandle, MujocoModule } from './loader.js';

/** A MuJoCo task: the model, this copy's simulation state, and the step and reset mechanics. */
export abstract class MujocoEnv extends BaseEnv {
  readonly actionSpace: BoxSpace;
  /** Seconds of simulated time per environment step: timestep · frameSkip. */
  readonly dt: number;
  readonly nq: number;
  readonly nv: number;
  readonly nu: number;
  /** qpos at reset before noise: the model's qpos0. */
  readonly initQpos: Float64Array;
  /** qvel at reset before noise: zero. */
  readonly initQvel: Float64Array;
  protected readonly data: MjDataHandle;
  protected qposView: Float64Array;
  protected qvelView: Float64Array;
  protected ctrlView: Float64Array;
  private deleted = false;

  constructor(protected readonly mj: MujocoModule, protected readonly model: MjModelHandle, readonly frameSkip: number, seed: number) {
    super(seed);
    this.data = new mj.MjData(model);
    this.nq = model.nq; this.nv = model.nv; this.nu = model.nu;
    this.dt = model.opt.timestep * frameSkip;
    this.initQpos = Float64Array.from(model.qpos0);
    this.initQvel = new Float64Array(this.nv);
    const range = model.actuator_ctrlrange, low = new Float64Array(this.nu), high = new Float64Array(this.nu);
    for (let i = 0; i < this.nu; i++) { low[i] = range[2 * i]!; high[i] = range[2 * i + 1]!; }
    this.actionSpace = boxSpace(low, high);
    this.qposView = this.data.qpos; this.qvelView = this.data.qvel; this.ctrlView = this.data.ctrl;
  }

  /** Fetches the heap views again if a heap growth detached them. */
  protected refreshViews(): void {
    if (this.deleted) fail('ENV_NEEDS_RESET', `${this.id}: the environment was closed; make a new one`, { where: 'step' });
    if (this.qposView.length === 0 || this.qvelView.length === 0 || this.ctrlView.length === 0) {
      this.qposView = this.data.qpos; this.qvelView = this.data.qvel; this.ctrlView = this.data.ctrl;
    }
  }

  /** A copy of the generalized positions qpos. */
  qpos(): Float64Array { this.refreshViews(); return Float64Array.from(this.qposView); }
  /** A copy of the generalized velocities qvel. */
  qvel(): Float64Array { this.refreshViews(); return Float64Array.from(this.qvelView); }

  /**
   * Sets the simulation state to (qpos, qvel) and recomputes the derived quantities
   * (`mj_forward`), as Gymnasium's `set_state`: for tests and for starting from a chosen state.
   * Must follow a reset (the episode continues from here).
   */
  setState(qpos: ArrayLike<number>, qvel: ArrayLike<number>): void {
    if (qpos.length !== this.nq || qvel.length !== this.nv) fail('ENV_OPTIONS', `${this.id}: setState needs qpos of length ${this.nq} and qvel of length ${this.nv}, got ${qpos.length} and ${qvel.length}`, { where: 'setState' });
    for (let i = 0; i < qpos.length; i++) if (!Number.isFinite(qpos[i])) fail('ENV_OPTIONS', `${this.id}: qpos[${i}] is ${show(qpos[i])}`, { where: `qpos[${i}]`, value: qpos[i] });
    for (let i = 0; i < qvel.length; i++) if (!Number.isFinite(qvel[i])) fail('ENV_OPTIONS', `${this.id}: qvel[${i}] is ${show(qvel[i])}`, { where: `qvel[${i}]`, value: qvel[i] });
    this.refreshViews();
    this.qposView.set(qpos);
    this.qvelView.set(qvel);
    this.mj.mj_forward(this.model, this.data);
  }

  /** The task's reset noise: qpos and qvel (length nq, nv) written from init_qpos, init_qvel and `rng`. */
  protected abstract resetNoise(rng: Rng, qpos: Float64Array, qvel: Float64Array): void;

  protected resetState(rng: Rng): void {
    if (this.deleted) fail('ENV_NEEDS_RESET', `${this.id}: the environment was closed; make a new one`, { where: 'reset' });
    this.mj.mj_resetData(this.model, this.data);
    this.refreshViews();
    this.resetNoise(rng, this.qposView, this.qvelView);
    this.mj.mj_forward(this.model, this.data);
  }

  /** Writes a_t into ctrl and runs `frameSkip` physics steps. */
  protected simulate(action: ArrayLike<number>, offset: number): void {
    this.refreshViews();
    const ctrl = this.ctrlView;
    for (let i = 0; i < this.nu; i++) ctrl[i] = action[offset + i]!;
    for (let k = 0; k < this.frameSkip; k++) this.mj.mj_step(this.model, this.data);
    this.refreshViews();
  }

  /** Frees this copy's simulation state in the WebAssembly heap (the model is shared and stays). */
  override close(): void {
    if (!this.deleted) { this.deleted = true; this.data.delete(); }
  }
}

/** Gymnasium's observation bounds for these tasks: Box(−∞, ∞). */
export function unboundedBox(n: number): BoxSpace {
  return boxSpace(new Float64Array(n).fill(-Infinity), new Float64Array(n).fill(Infinity));
}
