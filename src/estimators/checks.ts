/**
 * Argument checks shared by the estimators. Each throws `ESTIMATOR_ARGUMENT` (or
 * `ESTIMATOR_EMPTY_BATCH`, `ESTIMATOR_OVERFLOW`) with a message naming the offending index
 * and value, so that no estimator returns NaN or Infinity for valid input and invalid input
 * never yields a number.
 *
 * **What is checked where.** The scalar arguments (γ, λ, n, ε, η, …) and the tables an
 * estimator is given (values `V[s]`, per-step advantages) are checked on every call: that
 * costs O(1) or O(S). The batch's own invariants (indices in range, one end flag per
 * episode end, continuity `s_t[i+1] = s_tp1[i]`) are O(n) and are *not* re-checked by every
 * estimator, because several estimators run on each batch in the hot path: the samplers
 * produce valid batches, and a batch filled by hand must be passed to `validateBatch` once
 * (`src/sampling/batch.ts`). Only the array lengths (O(1)) are checked here.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import type { Policy } from '../policy/types.js';
import type { Batch } from '../sampling/batch.js';

/** Throws unless `x` is a finite number in [0, 1]. */
export function checkUnitInterval(x: number, name: string): void {
  if (!(typeof x === 'number' && x >= 0 && x <= 1)) fail('ESTIMATOR_ARGUMENT', `${name} is ${show(x)}: it must lie in [0, 1]`, { where: name, value: x });
}

/** Throws unless `x` is finite and ≥ 0 (or > 0 when `strict`). */
export function checkNonNegative(x: number, name: string, strict = false): void {
  const ok = typeof x === 'number' && Number.isFinite(x) && (strict ? x > 0 : x >= 0);
  if (!ok) fail('ESTIMATOR_ARGUMENT', `${name} is ${show(x)}: it must be a finite number ${strict ? '> 0' : '≥ 0'}`, { where: name, value: x });
}

/** Throws unless `n` is a positive integer or `Infinity` (the number of steps of an n-step return). */
export function checkSteps(n: number): void {
  if (!(n === Infinity || (Number.isSafeInteger(n) && n >= 1))) fail('ESTIMATOR_ARGUMENT', `n is ${show(n)}: the number of steps must be a positive integer (or Infinity)`, { where: 'n', value: n });
}

/** The per-transition arrays of a batch, by name. */
const BATCH_ARRAYS = ['s_t', 'a_t', 'r_t', 's_tp1', 'terminated_t', 'truncated_t', 't_index', 'logp_t', 'episode_t'] as const;

/** Throws unless every array of the batch has `batch.size` entries (the O(1) part of `validateBatch`). */
export function checkBatchShape(b: Batch): void {
  const n = b.size;
  if (!(Number.isSafeInteger(n) && n >= 0)) fail('BATCH_INVALID', `batch size is ${show(n)}`, { where: 'size', value: n });
  // every estimator call runs this: one comparison per array, and the name only on failure
  if (b.s_t?.length === n && b.a_t?.length === n && b.r_t?.length === n && b.s_tp1?.length === n && b.terminated_t?.length === n
    && b.truncated_t?.length === n && b.t_index?.length === n && b.logp_t?.length === n && b.episode_t?.length === n) return;
  for (const name of BATCH_ARRAYS) {
    const a = b[name] as { length?: number } | undefined;
    if (a?.length !== n) fail('BATCH_INVALID', `batch.${name} has ${a?.length} entries, the batch size is ${n}`, { where: name, value: a?.length });
  }
}

/** Throws unless `values` is a finite state table `V[s]` with one entry per state of the batch. */
export function checkValueTable(b: Batch, values: Float64Array, name = 'values'): void {
  if (!(values instanceof Float64Array) || values.length !== b.numStates) fail('ESTIMATOR_ARGUMENT', `${name} has ${values?.length ?? show(values)} entries: a state table needs one per state (${b.numStates})`, { where: name, value: values?.length });
  for (let s = 0; s < values.length; s++) if (!Number.isFinite(values[s]!)) fail('ESTIMATOR_ARGUMENT', `${name}[${s}] is ${show(values[s])}: values must be finite`, { where: `${name}[${s}]`, value: values[s] });
}

/** Throws unless `x` is a finite per-step array with one entry per transition of the batch. */
export function checkPerStep(b: Batch, x: Float64Array, name: string): void {
  if (!(x instanceof Float64Array) || x.length !== b.size) fail('ESTIMATOR_ARGUMENT', `${name} has ${x?.length ?? show(x)} entries: it needs one per transition (${b.size})`, { where: name, value: x?.length });
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i]!)) fail('ESTIMATOR_ARGUMENT', `${name}[${i}] is ${show(x[i])}: it must be finite`, { where: `${name}[${i}]`, value: x[i] });
}

/** Throws unless `out` is a Float64Array with room for one entry per transition (an `…Into` estimator's buffer). */
export function checkOutput(b: Batch, out: Float64Array, name = 'out'): void {
  if (!(out instanceof Float64Array) || out.length < b.size) fail('ESTIMATOR_ARGUMENT', `${name} has ${out?.length ?? show(out)} entries: it needs at least one per transition (${b.size})`, { where: name, value: out?.length });
}

/** Throws unless the policy acts on the batch's state and action spaces and θ is valid. */
export function checkPolicyForBatch(b: Batch, policy: Policy, name = 'policy'): void {
  const p = policy?.param;
  if (!p || p.numStates !== b.numStates || p.numActions !== b.numActions) fail('ESTIMATOR_ARGUMENT', `${name} acts on ${p?.numStates}×${p?.numActions} states×actions, the batch on ${b.numStates}×${b.numActions}`, { where: name });
  p.check(policy.theta);
}

/** Throws `ESTIMATOR_EMPTY_BATCH` for a batch without transitions. */
export function checkNotEmpty(b: Batch, what: string): void {
  if (b.size === 0) fail('ESTIMATOR_EMPTY_BATCH', `${what} averages over the batch's episodes, and the batch is empty`, { where: 'size', value: 0 });
}

/** Returns `x` after checking every entry is finite; else throws `ESTIMATOR_OVERFLOW`. */
export function checkFiniteResult(x: Float64Array, what: string): Float64Array {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i]!)) fail('ESTIMATOR_OVERFLOW', `${what}[${i}] is ${show(x[i])}: the estimate overflows double precision (importance weights or returns too large)`, { where: `${what}[${i}]`, value: x[i] });
  return x;
}

/** Throws `ESTIMATOR_ARGUMENT` unless `out` is undefined or a Float64Array of at least `n` entries. */
export function checkOut(out: Float64Array | undefined, n: number, name = 'out'): void {
  if (out !== undefined && !(out instanceof Float64Array && out.length >= n)) fail('ESTIMATOR_ARGUMENT', `${name} has ${(out as { length?: number } | undefined)?.length ?? show(out)} entries: it needs at least ${n}`, { where: name, value: (out as { length?: number } | undefined)?.length });
}

/** Throws `ESTIMATOR_ARGUMENT` unless `x` has exactly `n` entries. */
export function checkLength(x: ArrayLike<number> | undefined, n: number, name: string): void {
  if (x?.length !== n) fail('ESTIMATOR_ARGUMENT', `${name} has ${x?.length ?? show(x)} entries, expected ${n} (one per transition)`, { where: name, value: x?.length });
}
