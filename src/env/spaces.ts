/**
 * Observation and action spaces, in Gymnasium's two shapes: `Discrete(n)` — the integers
 * {0, …, n−1} — and `Box(low, high, shape)` — the real vectors with low_i ≤ x_i ≤ high_i
 * (bounds may be ±∞). Observations are always `Float64Array`s (a discrete observation is one
 * entry holding the index); an action of a `Box` space is `size(space)` consecutive numbers, an
 * action of a `Discrete` space one number.
 *
 * Action checks happen on every step, so they are plain loops over the numbers (no
 * allocation). Out-of-range *continuous* actions are not errors: each task says what it does
 * with them (Pendulum and MountainCarContinuous clip the force, MuJoCo clamps `ctrl` to the
 * actuators' `ctrlrange`, and the action cost uses the unclipped action), as in Gymnasium.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import type { Rng } from '../stats/rng.js';

/** The integers {0, …, n−1}. */
export interface DiscreteSpace {
  readonly kind: 'discrete';
  readonly n: number;
}

/** The real vectors x of the given shape with low_i ≤ x_i ≤ high_i (row-major). */
export interface BoxSpace {
  readonly kind: 'box';
  readonly low: Float64Array;
  readonly high: Float64Array;
  readonly shape: readonly number[];
}

/** An observation or action space. */
export type Space = DiscreteSpace | BoxSpace;

/** `Discrete(n)`. */
export function discreteSpace(n: number): DiscreteSpace {
  if (!Number.isSafeInteger(n) || n < 1) fail('ENV_OPTIONS', `a discrete space needs a positive integer n, got ${show(n)}`, { where: 'n', value: n });
  return Object.freeze({ kind: 'discrete', n });
}

/** `Box(low, high)` of shape `[low.length]` (or the given shape, whose product is low.length). */
export function boxSpace(low: ArrayLike<number>, high: ArrayLike<number>, shape: readonly number[] = [low.length]): BoxSpace {
  if (low.length !== high.length || low.length === 0) fail('ENV_OPTIONS', `a box needs low and high of one positive length, got ${low.length} and ${high.length}`, { where: 'low/high' });
  if (shape.reduce((a, b) => a * b, 1) !== low.length) fail('ENV_OPTIONS', `a box of shape [${shape.join(', ')}] cannot hold ${low.length} entries`, { where: 'shape', value: shape });
  for (let i = 0; i < low.length; i++) {
    if (Number.isNaN(low[i]) || Number.isNaN(high[i]) || !(low[i]! <= high[i]!)) fail('ENV_OPTIONS', `box bounds at index ${i} are [${show(low[i])}, ${show(high[i])}]: need low ≤ high`, { where: `low[${i}]`, value: low[i] });
  }
  return Object.freeze({ kind: 'box', low: Float64Array.from(low), high: Float64Array.from(high), shape: Object.freeze(shape.slice()) });
}

/** How many numbers one element of the space takes: 1 for `Discrete`, Π shape for `Box`. */
export function spaceSize(space: Space): number {
  return space.kind === 'discrete' ? 1 : space.low.length;
}

/**
 * Throws `ENV_ACTION` unless `action[offset … offset+size−1]` is an action of `space`: a
 * discrete action must be an integer in {0, …, n−1}; a box action must be finite. `length`
 * is the number of entries the caller supplied for this action (checked against the size).
 */
export function checkAction(space: Space, action: ArrayLike<number>, offset: number, length: number, envId: string): void {
  if (space.kind === 'discrete') {
    if (length !== 1) fail('ENV_ACTION', `${envId}: a Discrete(${space.n}) action is one number, got ${length}`, { where: 'action', value: length });
    const a = action[offset];
    if (typeof a !== 'number' || !Number.isInteger(a) || a < 0 || a >= space.n) {
      fail('ENV_ACTION', `${envId}: action ${show(a)} is not an integer in 0…${space.n - 1}`, { where: `action[${offset}]`, value: a });
    }
    return;
  }
  const n = space.low.length;
  if (length !== n) fail('ENV_ACTION', `${envId}: a Box action has ${n} entries, got ${length}`, { where: 'action', value: length });
  for (let i = 0; i < n; i++) {
    const x = action[offset + i];
    if (typeof x !== 'number' || !Number.isFinite(x)) fail('ENV_ACTION', `${envId}: action[${i}] is ${show(x)}: actions must be finite numbers`, { where: `action[${offset + i}]`, value: x });
  }
}

/**
 * A uniform element of the space written at `out[offset…]` (for random-action baselines and
 * benches): a uniform index, or a uniform vector in the box (an unbounded coordinate draws
 * N(0, 1), Gymnasium's convention for unbounded boxes).
 */
export function sampleSpace(space: Space, rng: Rng, out: Float64Array, offset = 0): void {
  if (space.kind === 'discrete') { out[offset] = rng.int(space.n); return; }
  for (let i = 0; i < space.low.length; i++) {
    const lo = space.low[i]!, hi = space.high[i]!;
    out[offset + i] = Number.isFinite(lo) && Number.isFinite(hi) ? lo + (hi - lo) * rng.uniform() : rng.normal();
  }
}

