/**
 * Returns: the discounted return of each episode, the reward-to-go G_t, n-step
 * bootstrapped returns and λ-returns (Sutton & Barto 2018, §§3.3, 7.1, 12.1; Lehmann 2024,
 * eq. 14 for the n-step form A3C uses).
 *
 * How an episode's stream of experience ends (`src/sampling/batch.ts`):
 * - `terminated_t = 1`: s_tp1 is terminal, V(s_tp1) = 0 — **no bootstrap**.
 * - `truncated_t = 1`: the MDP goes on but the batch stops here — **bootstrap from
 *   V(s_tp1)**, the true next state the batch keeps.
 *
 * The Monte Carlo returns ({@link rewardToGo}, {@link discountedReturn}) take the value
 * table as an optional last argument: without it there is nothing to bootstrap from and a
 * truncation simply ends the sum (the finite-horizon return). That is the right return for
 * episodes stopped geometrically with probability 1−γ, with `gamma = 1` passed here (the
 * stopping does the discounting); for a time limit it is the truncated, biased return.
 *
 * Value tables are indexed by state (`values[s]`, one entry per state of the batch).
 * Every function returns a new `Float64Array`, allocates nothing else proportional to
 * anything but the batch, and leaves its inputs untouched — except {@link rewardToGoInto},
 * which writes into a buffer the caller reuses.
 *
 * @module
 */
import { fail } from '../errors.js';
import type { Batch } from '../sampling/batch.js';
import { checkBatchShape, checkOutput, checkSteps, checkUnitInterval, checkValueTable } from './checks.js';
import { returnsFromRewards } from './core-advantages.js';
import { countEpisodes, isEpisodeStart } from './score.js';

function checkReturnArgs(b: Batch, gamma: number, values: Float64Array | undefined): void {
  checkBatchShape(b);
  checkUnitInterval(gamma, 'gamma');
  if (values !== undefined) checkValueTable(b, values);
}

/**
 * The reward-to-go, by the backward recursion
 *
 * $$G_t = r_t + \gamma \begin{cases} 0 & \text{terminated}_t \\ V(s_{t+1}) & \text{truncated}_t \text{ (0 without values)} \\ G_{t+1} & \text{otherwise,} \end{cases}$$
 *
 * i.e. G_t = Σ_{k=t}^{T−1} γ^{k−t} r_k (+ γ^{T−t} V(s_T) where the episode was truncated at T).
 */
export function rewardToGo(batch: Batch, gamma: number, values?: Float64Array): Float64Array {
  checkReturnArgs(batch, gamma, values);
  return backwardReturns(batch, gamma, values, new Float64Array(batch.size));
}

/**
 * {@link rewardToGo} written into `out` (its first `batch.size` entries are overwritten) —
 * for a caller that reuses one buffer from batch to batch instead of allocating (a fresh
 * array of a large batch costs more than the recursion: its pages are faulted in anew).
 */
export function rewardToGoInto(batch: Batch, gamma: number, out: Float64Array, values?: Float64Array): Float64Array {
  checkReturnArgs(batch, gamma, values);
  checkOutput(batch, out);
  return backwardReturns(batch, gamma, values, out);
}

/** The recursion of {@link rewardToGo} into `out`: the core `returnsFromRewards` over the batch's arrays. */
function backwardReturns(batch: Batch, gamma: number, values: Float64Array | undefined, out: Float64Array): Float64Array {
  const n = batch.size, o = out.length === n ? out : out.subarray(0, n);
  if (values === undefined) return returnsFromRewards(batch.r_t, batch.terminated_t, batch.truncated_t, gamma, undefined, o), out;
  if (tp1Buffer.length < n) tp1Buffer = new Float64Array(n);
  const v_tp1 = valuesAt(values, batch.s_tp1, tp1Buffer.length === n ? tp1Buffer : tp1Buffer.subarray(0, n));
  returnsFromRewards(batch.r_t, batch.terminated_t, batch.truncated_t, gamma, v_tp1, o);
  return out;
}

/** V(s_tp1) of the batch in a buffer reused from call to call (it never leaves this module). */
let tp1Buffer = new Float64Array(0);

/** out[i] = values[s[i]]: a state table read per transition (v_t from s_t, v_tp1 from s_tp1). */
export function valuesAt(values: Float64Array, s: Int32Array, out: Float64Array = new Float64Array(s.length)): Float64Array {
  for (let i = 0; i < s.length; i++) out[i] = values[s[i]!]!;
  return out;
}

/**
 * The discounted return of each episode piece, one entry per episode in batch order:
 * $R = \sum_{k} \gamma^{k} r_k$ counted from the piece's first transition (its G at that
 * transition; + γ^{len} V(s_T) at a truncation when values are given). For complete
 * episodes this is the return R(τ) = Σ_t γ^t r_t of REINFORCE's total-return form.
 */
export function discountedReturn(batch: Batch, gamma: number, values?: Float64Array): Float64Array {
  const G = rewardToGo(batch, gamma, values), out = new Float64Array(countEpisodes(batch));
  for (let i = 0, e = 0; i < batch.size; i++) if (isEpisodeStart(batch, i)) out[e++] = G[i]!;
  return out;
}

/**
 * The n-step bootstrapped return (Lehmann 2024, eq. 14; Mnih et al. 2016):
 *
 * $$G^{(n)}_t = \sum_{k=0}^{m-1} \gamma^k r_{t+k} + \gamma^m V(s_{t+m}),\quad m = \min(n, T - t),$$
 *
 * where the window stops early at the episode's end T in the batch: at a termination the
 * bootstrap term is dropped (V = 0), at a truncation it is V(s_tp1) of the last
 * transition. `n = Infinity` gives the Monte Carlo return bootstrapped only at
 * truncations. Cost O(n · batch size).
 */
export function nStepReturns(batch: Batch, values: Float64Array, gamma: number, n: number): Float64Array {
  checkReturnArgs(batch, gamma, values);
  checkSteps(n);
  const out = new Float64Array(batch.size);
  for (let i = 0; i < batch.size; i++) {
    let g = 0, disc = 1;
    for (let j = i, k = 1; ; j++, k++) {
      g += disc * batch.r_t[j]!;
      disc *= gamma;
      if (batch.terminated_t[j]) break;
      if (batch.truncated_t[j] || k === n) { g += disc * values[batch.s_tp1[j]!]!; break; }
      if (j + 1 >= batch.size) fail('BATCH_INVALID', `transition ${j} ends the batch but is neither terminated nor truncated`, { where: `${j}` });
    }
    out[i] = g;
  }
  return out;
}

/**
 * The λ-return (Sutton & Barto 2018, §12.1; Schulman et al. 2016), by the recursion
 *
 * $$G^\lambda_t = r_t + \gamma \begin{cases} 0 & \text{terminated}_t \\ V(s_{t+1}) & \text{truncated}_t \\ (1-\lambda) V(s_{t+1}) + \lambda G^\lambda_{t+1} & \text{otherwise,} \end{cases}$$
 *
 * equal to $(1-\lambda)\sum_{n\ge1} \lambda^{n-1} G^{(n)}_t$ with G^{(n)} = G^{(T−t)} past the
 * episode's end. λ = 0 gives the one-step target r_t + γV(s_tp1); λ = 1 the Monte Carlo
 * return bootstrapped at truncations. G^λ_t − V(s_t) is GAE(γ, λ).
 */
export function lambdaReturns(batch: Batch, values: Float64Array, gamma: number, lambda: number): Float64Array {
  checkReturnArgs(batch, gamma, values);
  checkUnitInterval(lambda, 'lambda');
  const { r_t, terminated_t, truncated_t, s_tp1 } = batch, out = new Float64Array(batch.size);
  let g = 0;
  for (let i = batch.size - 1; i >= 0; i--) {
    const v_tp1 = values[s_tp1[i]!]!;
    const next = terminated_t[i] ? 0 : truncated_t[i] ? v_tp1 : (1 - lambda) * v_tp1 + lambda * g;
    g = r_t[i]! + gamma * next;
    out[i] = g;
  }
  return out;
}
