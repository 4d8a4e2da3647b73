/**
 * The discount weights γ^t: the one place in the estimators where γ^t is computed
 * (rlax-style: a formula over per-transition arrays). Every γ^t/E-weighted estimator of
 * `score.ts`'s convention (Lehmann 2024, Theorem 3.1: ∇J = Σ_t γ^t E[∇log π(a_t|s_t) Q(s_t,a_t)])
 * takes its weights from here.
 *
 * γ^t comes from a table of powers filled by repeated multiplication from γ⁰ = 1 (the value a
 * forward pass along an episode from t = 0 carries), shared across calls and rebuilt when γ
 * changes; past {@link MAX_POWER_TABLE} steps, `Math.pow`.
 *
 * @module
 */
import { fail } from '../errors.js';
import type { Batch } from '../sampling/batch.js';
import { checkLength, checkOut, checkUnitInterval } from './checks.js';

/** The largest t whose γ^t is kept in the table of powers; beyond it, `Math.pow`. */
export const MAX_POWER_TABLE = 1 << 16;

let powers = Float64Array.of(1), powersGamma = NaN, powersLength = 1;

/** Makes the table hold γ^t for t ≤ `t` (up to {@link MAX_POWER_TABLE}); returns how many entries it holds. */
function extendPowers(gamma: number, t: number): number {
  if (!Object.is(gamma, powersGamma)) { powersGamma = gamma; powersLength = 1; powers[0] = 1; }
  const n = Math.min(t + 1, MAX_POWER_TABLE);
  if (n > powers.length) {
    const grown = new Float64Array(Math.min(Math.max(n, 2 * powers.length), MAX_POWER_TABLE));
    grown.set(powers.subarray(0, powersLength));
    powers = grown;
  }
  for (let k = powersLength; k < n; k++) powers[k] = powers[k - 1]! * gamma;
  powersLength = Math.max(powersLength, n);
  return powersLength;
}

/**
 * The table of powers for γ, for the loops of the cores that fuse the γ^t weight into their
 * own pass: entry t holds γ^t for t < {@link heldPowers}() (the table may be longer). Valid
 * until the next call that extends it ({@link discountAt}).
 */
export function powerTable(gamma: number): Float64Array {
  extendPowers(gamma, 0);
  return powers;
}

/** How many entries of {@link powerTable} hold powers of its γ. */
export function heldPowers(): number {
  return powersLength;
}

/**
 * γ^t of the transition `i` whose t is past {@link heldPowers} (or negative): the slow path of
 * a loop over {@link powerTable} (the table extended to t, `Math.pow` past
 * {@link MAX_POWER_TABLE}). Throws `ESTIMATOR_ARGUMENT` for t < 0.
 */
export function discountAt(gamma: number, t: number, i: number): number {
  return slowPower(gamma, t, i);
}

/**
 * The discount weights $w_i = \gamma^{t_i}$, $t_i$ = `t_index[i]` (Lehmann 2024, Theorem 3.1
 * and Algorithm 3's γ^t factor; Thomas 2014 on dropping it), into `out` when given (its first
 * `t_index.length` entries). γ⁰ = 1 also for γ = 0. Throws `ESTIMATOR_ARGUMENT` for γ outside
 * [0, 1] or a negative t.
 *
 * The `Batch` form (kept from `score.ts`) reads `batch.t_index`.
 */
export function discountWeights(t_index: Int32Array, gamma: number, out?: Float64Array): Float64Array;
export function discountWeights(batch: Batch, gamma: number): Float64Array;
export function discountWeights(t: Int32Array | Batch, gamma: number, out?: Float64Array): Float64Array {
  const t_index = t instanceof Int32Array ? t : t.t_index;
  checkUnitInterval(gamma, 'gamma');
  const n = t_index.length;
  checkOut(out, n);
  const w = out ?? new Float64Array(n);
  for (let i = weightsRun(t_index, powers, extendPowers(gamma, 0), w, 0); i < n; i = weightsRun(t_index, powers, powersLength, w, i + 1)) w[i] = slowPower(gamma, t_index[i]!, i);
  return w;
}

/**
 * $c_t = \gamma^{t_t}\,x_t$: {@link discountWeights} times a per-transition array in one pass,
 * the same products as `policyGradientCoefficients(x, discountWeights(t_index, γ))` bit for bit
 * (REINFORCE's c_t = γ^t (G_t − b(s_t)); Lehmann 2024, Theorem 3.1), without the array of
 * weights in between. Into `out` when given (may alias `x`).
 */
export function discountWeighted(x: Float64Array, t_index: Int32Array, gamma: number, out?: Float64Array): Float64Array {
  checkUnitInterval(gamma, 'gamma');
  const n = t_index.length;
  checkLength(x, n, 'x'); checkOut(out, n);
  const c = out ?? new Float64Array(n);
  for (let i = weightedRun(x, t_index, powers, extendPowers(gamma, 0), c, 0); i < n; i = weightedRun(x, t_index, powers, powersLength, c, i + 1)) c[i] = slowPower(gamma, t_index[i]!, i) * x[i]!;
  return c;
}

/*
 * The loops of the two functions above, split in a fast run over the table of powers
 * (`table` and `held` loop constants: V8 keeps them in registers and the loop tight) and the
 * slow path of one transition whose t is past the table or negative. Each run starts at `i`
 * and returns where it stopped (n when done).
 */

/** w[k] = γ^{t_k} for k from `i` while t_k < `held`; returns where it stopped. */
function weightsRun(t_index: Int32Array, table: Float64Array, held: number, w: Float64Array, i: number): number {
  const n = t_index.length;
  for (; i < n; i++) {
    const ti = t_index[i]!;
    if ((ti >>> 0) >= held) return i; // a negative t wraps to ≥ 2³¹: the slow path
    w[i] = table[ti]!;
  }
  return n;
}

/** c[k] = γ^{t_k} x[k] for k from `i` while t_k < `held`; returns where it stopped. */
function weightedRun(x: Float64Array, t_index: Int32Array, table: Float64Array, held: number, c: Float64Array, i: number): number {
  const n = t_index.length;
  for (; i < n; i++) {
    const ti = t_index[i]!;
    if ((ti >>> 0) >= held) return i;
    c[i] = table[ti]! * x[i]!;
  }
  return n;
}

/** γ^t of transition `i` past the table: the table extended to t, `Math.pow` past {@link MAX_POWER_TABLE}; `ESTIMATOR_ARGUMENT` for t < 0. */
function slowPower(gamma: number, ti: number, i: number): number {
  if (ti < 0) fail('ESTIMATOR_ARGUMENT', `t_index[${i}] is ${ti}: time steps are ≥ 0`, { where: `t_index[${i}]`, value: ti });
  const held = extendPowers(gamma, ti);
  return ti < held ? powers[ti]! : Math.pow(gamma, ti);
}
