/**
 * Mirror learning, iterated from any policy (Kuba et al. 2022; Lehmann 2024,
 * §5), with every quantity of Theorem 5.4 recorded exactly:
 *
 * - J(π_n) and V_{π_n} in every state;
 * - the drift of every step, D^ν_{π_n}(π_{n+1}) = Σ_s ν(s) D_{π_n}(π_{n+1}|s);
 * - the improvement bound E_{s∼p0}[(ν(s)/d_{π_n}(s)) D_{π_n}(π_{n+1}|s)] and whether
 *   J(π_{n+1}) ≥ J(π_n) + bound held (Theorem 5.4, strict monotonic improvement);
 * - whether V_{π_{n+1}} ≥ V_{π_n} in every state (value improvement);
 * - the gaps J* − J(π_n), max_s (V* − V_{π_n})(s), and the probability π_n puts on
 *   actions that are not optimal (A*(s,a) < 0), which Theorem 5.4 says go to 0.
 *
 * "Held" allows rounding: J(π_{n+1}) − J(π_n) ≥ bound − 10⁻¹⁰·max(1, ‖V*‖∞, ‖V_{π_0}‖∞).
 *
 * @module
 */
import { fail, show } from '../errors.js';
import { policyIteration, type ControlResult } from '../exact/control.js';
import { evaluatePolicy, type Evaluation } from '../exact/evaluate.js';
import type { FiniteMDP } from '../mdp/model.js';
import { checkPolicyTable } from '../policy/direct.js';
import { weightedDrift } from './drift-functional.js';
import { mirrorUpdate, type MirrorConfig, type UpdateResult } from './update.js';

/** Relative rounding allowance of the checks of Theorem 5.4. */
export const IMPROVEMENT_TOLERANCE = 1e-10;

/** One iterate π_n, and (for n ≥ 1) the step π_{n−1} → π_n. */
export interface MirrorRecord {
  readonly n: number;
  readonly J: number;
  readonly V: Float64Array;
  readonly policy: Float64Array;
  /** D^ν_{π_{n−1}}(π_n) (0 at n = 0). */
  readonly drift: number;
  /** E_{p0}[(ν/d) D_{π_{n−1}}(π_n|S)] (0 at n = 0). */
  readonly bound: number;
  /** J(π_n) − J(π_{n−1}) (0 at n = 0). */
  readonly improvement: number;
  /** improvement ≥ bound − tolerance. */
  readonly held: boolean;
  /** min_s (V_{π_n} − V_{π_{n−1}})(s) (0 at n = 0). */
  readonly minValueChange: number;
  /** minValueChange ≥ −tolerance. */
  readonly valueMonotone: boolean;
  /** The neighbourhood distance of π_n from π_{n−1}, and the ball's multiplier. */
  readonly distance: number;
  readonly multiplier: number;
  /** π_n = π_{n−1} exactly. */
  readonly stationary: boolean;
  /** J* − J(π_n). */
  readonly gap: number;
  /** max_s (V* − V_{π_n})(s). */
  readonly valueGap: number;
  /** max_s Σ_{a: A*(s,a) < 0} π_n(a|s). */
  readonly suboptimalMass: number;
}

/** A run of mirror learning. */
export interface MirrorRun {
  readonly config: MirrorConfig;
  readonly records: readonly MirrorRecord[];
  readonly JStar: number;
  readonly VStar: Float64Array;
  /** max(1, ‖V*‖∞, ‖V_{π_0}‖∞): the scale of the rounding allowance. */
  readonly scale: number;
  /** The rounding allowance of "held": {@link IMPROVEMENT_TOLERANCE} · scale. */
  readonly tolerance: number;
  /** Every step held the bound and improved V in every state. */
  readonly allHeld: boolean;
  /** The first n with π_n = π_{n−1}, if any. */
  readonly stationaryAt: number | undefined;
}

/** Options of {@link mirrorLearning}. */
export interface MirrorLearningOptions {
  /** Number of updates (≥ 0). */
  readonly iterations: number;
  /** Stop at the first stationary step (π_{n+1} = π_n), which repeats forever. */
  readonly stopWhenStationary?: boolean;
  /** V*, Q* (default: policy iteration). */
  readonly optimal?: ControlResult;
  /** Called after every step. */
  readonly onStep?: (record: MirrorRecord, update: UpdateResult) => void;
}

/** max_s Σ_{a: A*(s,a) < −tol} π(a|s). */
export function suboptimalMass(mdp: FiniteMDP, pi: ArrayLike<number>, opt: ControlResult, tol: number): number {
  const A = mdp.numActions;
  let worst = 0;
  for (let s = 0; s < mdp.numStates; s++) {
    let m = 0;
    for (let a = 0; a < A; a++) if (opt.Q[s * A + a]! - opt.V[s]! < -tol) m += pi[s * A + a]!;
    worst = Math.max(worst, m);
  }
  return worst;
}

function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]!));
  return m;
}

function record(n: number, mdp: FiniteMDP, ev: Evaluation, pi: Float64Array, opt: ControlResult, JStar: number, tol: number, step?: { prev: Evaluation; prevPi: Float64Array; up: UpdateResult }): MirrorRecord {
  let valueGap = -Infinity;
  for (let s = 0; s < mdp.numStates; s++) valueGap = Math.max(valueGap, opt.V[s]! - ev.V[s]!);
  const base = { n, J: ev.J, V: ev.V, policy: pi, gap: JStar - ev.J, valueGap, suboptimalMass: suboptimalMass(mdp, pi, opt, tol) };
  if (!step) return { ...base, drift: 0, bound: 0, improvement: 0, held: true, minValueChange: 0, valueMonotone: true, distance: 0, multiplier: 0, stationary: false };
  const { prev, prevPi, up } = step;
  let bound = 0, minChange = Infinity;
  for (let s = 0; s < mdp.numStates; s++) {
    if (mdp.initial[s]! > 0) bound += mdp.initial[s]! * up.weight[s]! * up.drift[s]!;
    minChange = Math.min(minChange, ev.V[s]! - prev.V[s]!);
  }
  const improvement = ev.J - prev.J;
  return {
    ...base, drift: weightedDrift(up.drift, up.nu), bound, improvement, held: improvement >= bound - tol,
    minValueChange: minChange, valueMonotone: minChange >= -tol, distance: up.distance, multiplier: up.multiplier,
    stationary: pi.every((x, i) => x === prevPi[i]),
  };
}

/**
 * Runs mirror learning from `start` (a policy table `pi[s*A + a]`) for `iterations`
 * updates under `config`, recording Theorem 5.4's quantities at every step.
 */
export function mirrorLearning(mdp: FiniteMDP, start: Float64Array, config: MirrorConfig, opts: MirrorLearningOptions): MirrorRun {
  if (!Number.isSafeInteger(opts.iterations) || opts.iterations < 0) fail('CLI_USAGE', `iterations must be a non-negative integer, got ${show(opts.iterations)}`, { where: 'iterations', value: opts.iterations });
  checkPolicyTable(start, mdp.numStates, mdp.numActions, 'start policy');
  const opt = opts.optimal ?? policyIteration(mdp);
  let JStar = 0;
  for (let s = 0; s < mdp.numStates; s++) JStar += mdp.initial[s]! * opt.V[s]!;
  let pi: Float64Array = Float64Array.from(start);
  let ev = evaluatePolicy(mdp, pi);
  const scale = Math.max(1, maxAbs(opt.V), maxAbs(ev.V));
  const tol = IMPROVEMENT_TOLERANCE * scale;
  const records: MirrorRecord[] = [record(0, mdp, ev, pi, opt, JStar, tol)];
  let stationaryAt: number | undefined;
  for (let n = 1; n <= opts.iterations; n++) {
    const up = mirrorUpdate(mdp, pi, ev, config);
    const next = evaluatePolicy(mdp, up.policy);
    const rec = record(n, mdp, next, up.policy, opt, JStar, tol, { prev: ev, prevPi: pi, up });
    records.push(rec);
    opts.onStep?.(rec, up);
    pi = up.policy; ev = next;
    if (rec.stationary && stationaryAt === undefined) {
      stationaryAt = n;
      if (opts.stopWhenStationary) break;
    }
  }
  const allHeld = records.every((r) => r.held && r.valueMonotone);
  return { config, records, JStar, VStar: opt.V, scale, tolerance: tol, allHeld, stationaryAt };
}
