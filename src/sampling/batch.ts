/**
 * The `Batch`: sampled experience as a structure of typed arrays, one entry per
 * transition, episodes concatenated in order. Names follow rlax's time-indexed convention.
 *
 * Transition i is (s_t, a_t, r_t, s_tp1) at time t = t_index[i] of episode episode_t[i].
 * Its end flags say how the episode's stream of experience continues after it:
 *
 * - `terminated_t[i] = 1`: s_tp1 is a terminal state — the MDP ended. There is nothing to
 *   bootstrap from: every return, TD error and GAE carry uses V(s_tp1) = 0.
 * - `truncated_t[i] = 1`: the episode was cut after this transition although the MDP did
 *   not end — a time limit, the end of a fixed-length collection segment, or (when asked)
 *   geometric stopping. Estimators bootstrap from V(s_tp1), where s_tp1 is the *true* next
 *   state, which the batch keeps even though the episode stops here.
 * - neither: the next transition of the batch continues the same episode from s_tp1.
 *
 * At most one of the two flags is set, and every episode's last transition in the batch has
 * one of them set. `logp_t` is log π_old(a_t|s_t) of the policy that collected the batch.
 * A segment that starts in the middle of an episode has `t_index > 0` at its first entry.
 *
 * Optionally a batch carries observations `obs_t` (T × `obsDim`) and continuous actions
 * `a_cont_t` (T × `actionDim`), row-major, for neural and Gaussian policies (issue 10);
 * `validateBatch` checks their shapes and finiteness when present.
 *
 * @module
 */
import { fail } from '../errors.js';

/** Sampled transitions. */
export interface Batch {
  /** Number of transitions. */
  readonly size: number;
  readonly numStates: number;
  readonly numActions: number;
  /** The discount of the MDP the batch was drawn from. */
  readonly gamma: number;
  readonly s_t: Int32Array;
  readonly a_t: Int32Array;
  readonly r_t: Float64Array;
  /** The true next state, kept even where the episode was cut. */
  readonly s_tp1: Int32Array;
  /** 1 where s_tp1 is terminal (no bootstrap). */
  readonly terminated_t: Uint8Array;
  /** 1 where the episode was cut although the MDP continues (bootstrap from V(s_tp1)). */
  readonly truncated_t: Uint8Array;
  /** The time step t within the episode (0 at the episode's first transition). */
  readonly t_index: Int32Array;
  /** log π_old(a_t|s_t) of the behaviour policy. */
  readonly logp_t: Float64Array;
  /** The episode id (consecutive within a batch). */
  readonly episode_t: Int32Array;
  /**
   * Optional observations, row-major T × `obsDim` (`obs_t[i·obsDim + j]`): the features a
   * neural policy or critic reads beside the state index (`src/policy/neural.ts`).
   */
  readonly obs_t?: Float64Array;
  /** The observation width d; present exactly when `obs_t` is. */
  readonly obsDim?: number;
  /** Optional continuous actions, row-major T × `actionDim` (beside or instead of the index `a_t`). */
  readonly a_cont_t?: Float64Array;
  /** The continuous action width k; present exactly when `a_cont_t` is. */
  readonly actionDim?: number;
}

/** Allocates an empty batch of `size` transitions. */
export function allocateBatch(size: number, numStates: number, numActions: number, gamma: number): Batch {
  return {
    size, numStates, numActions, gamma,
    s_t: new Int32Array(size), a_t: new Int32Array(size), r_t: new Float64Array(size), s_tp1: new Int32Array(size),
    terminated_t: new Uint8Array(size), truncated_t: new Uint8Array(size), t_index: new Int32Array(size),
    logp_t: new Float64Array(size), episode_t: new Int32Array(size),
  };
}

/** Transitions `[start, end)` of a batch (views, no copy; the optional observations and continuous actions too). */
export function sliceBatch(b: Batch, start: number, end: number): Batch {
  const out: Batch = {
    size: end - start, numStates: b.numStates, numActions: b.numActions, gamma: b.gamma,
    s_t: b.s_t.subarray(start, end), a_t: b.a_t.subarray(start, end), r_t: b.r_t.subarray(start, end),
    s_tp1: b.s_tp1.subarray(start, end), terminated_t: b.terminated_t.subarray(start, end),
    truncated_t: b.truncated_t.subarray(start, end), t_index: b.t_index.subarray(start, end),
    logp_t: b.logp_t.subarray(start, end), episode_t: b.episode_t.subarray(start, end),
  };
  if (b.obs_t === undefined && b.a_cont_t === undefined) return out;
  const d = b.obsDim ?? 0, k = b.actionDim ?? 0;
  return {
    ...out,
    ...(b.obs_t !== undefined ? { obs_t: b.obs_t.subarray(start * d, end * d), obsDim: d } : {}),
    ...(b.a_cont_t !== undefined ? { a_cont_t: b.a_cont_t.subarray(start * k, end * k), actionDim: k } : {}),
  };
}

/** Throws `BATCH_INVALID` unless `x` (named `name`) is a finite row-major T × `width` array with a positive integer width. */
function checkRows(x: Float64Array | undefined, width: number | undefined, n: number, name: string, widthName: string): void {
  if (x === undefined && width === undefined) return;
  if (x === undefined) fail('BATCH_INVALID', `batch.${widthName} is ${width} but batch.${name} is missing`, { where: name });
  if (!(Number.isSafeInteger(width) && width! >= 1)) fail('BATCH_INVALID', `batch.${widthName} is ${width}: batch.${name} needs a positive integer width`, { where: widthName, value: width });
  if (!(x instanceof Float64Array) || x.length !== n * width!) fail('BATCH_INVALID', `batch.${name} has ${x?.length} entries, expected ${n} × ${width} = ${n * width!}`, { where: name, value: x?.length });
  for (let j = 0; j < x.length; j++) if (!Number.isFinite(x[j]!)) fail('BATCH_INVALID', `${name}[${Math.floor(j / width!)}][${j % width!}] is ${x[j]}`, { where: `${name}[${Math.floor(j / width!)}][${j % width!}]`, value: x[j] });
}

/** `[start, end)` of each episode in the batch, in order. */
export function episodeBounds(b: Batch): Int32Array {
  const starts: number[] = [];
  for (let i = 0; i < b.size; i++) if (i === 0 || b.episode_t[i] !== b.episode_t[i - 1]) starts.push(i);
  starts.push(b.size);
  return Int32Array.from(starts);
}

/**
 * Throws `BATCH_INVALID` naming the index when the batch breaks its invariants: indices in
 * range, finite rewards and log-probabilities, at most one end flag, and every episode's
 * last transition flagged as terminated or truncated.
 */
export function validateBatch(b: Batch): void {
  const n = b.size;
  const arrays = [b.s_t, b.a_t, b.r_t, b.s_tp1, b.terminated_t, b.truncated_t, b.t_index, b.logp_t, b.episode_t];
  for (const a of arrays) if (a.length !== n) fail('BATCH_INVALID', `batch arrays must all have length ${n}, one has ${a.length}`);
  checkRows(b.obs_t, b.obsDim, n, 'obs_t', 'obsDim');
  checkRows(b.a_cont_t, b.actionDim, n, 'a_cont_t', 'actionDim');
  for (let i = 0; i < n; i++) {
    if (!(b.s_t[i]! >= 0 && b.s_t[i]! < b.numStates)) fail('BATCH_INVALID', `s_t[${i}] is ${b.s_t[i]}, outside 0…${b.numStates - 1}`, { where: `s_t[${i}]`, value: b.s_t[i] });
    if (!(b.s_tp1[i]! >= 0 && b.s_tp1[i]! < b.numStates)) fail('BATCH_INVALID', `s_tp1[${i}] is ${b.s_tp1[i]}, outside 0…${b.numStates - 1}`, { where: `s_tp1[${i}]`, value: b.s_tp1[i] });
    if (!(b.a_t[i]! >= 0 && b.a_t[i]! < b.numActions)) fail('BATCH_INVALID', `a_t[${i}] is ${b.a_t[i]}, outside 0…${b.numActions - 1}`, { where: `a_t[${i}]`, value: b.a_t[i] });
    if (!Number.isFinite(b.r_t[i]!)) fail('BATCH_INVALID', `r_t[${i}] is ${b.r_t[i]}`, { where: `r_t[${i}]`, value: b.r_t[i] });
    if (!Number.isFinite(b.logp_t[i]!)) fail('BATCH_INVALID', `logp_t[${i}] is ${b.logp_t[i]}`, { where: `logp_t[${i}]`, value: b.logp_t[i] });
    if (b.terminated_t[i] && b.truncated_t[i]) fail('BATCH_INVALID', `transition ${i} is both terminated and truncated`, { where: `${i}` });
    const last = i === n - 1 || b.episode_t[i + 1] !== b.episode_t[i];
    if (last && !b.terminated_t[i] && !b.truncated_t[i]) fail('BATCH_INVALID', `transition ${i} ends episode ${b.episode_t[i]} in the batch but is neither terminated nor truncated`, { where: `${i}` });
    if (!last && (b.terminated_t[i] || b.truncated_t[i])) fail('BATCH_INVALID', `transition ${i} is flagged as an episode end but episode ${b.episode_t[i]} continues`, { where: `${i}` });
    if (!last && b.s_t[i + 1] !== b.s_tp1[i]) fail('BATCH_INVALID', `s_t[${i + 1}] = ${b.s_t[i + 1]} does not continue s_tp1[${i}] = ${b.s_tp1[i]} within episode ${b.episode_t[i]}`, { where: `${i + 1}` });
  }
}
