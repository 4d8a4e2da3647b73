/**
 * The rollout kernel: the one loop that writes transitions, shared by whole episodes
 * (./episodes.ts) and segments (./segments.ts). It makes the draws of ./tables.ts in their
 * order and allocates nothing unless the builder must grow. The batch arrays and the alias
 * tables' arrays are held in locals (reloaded after a growth): reading them through their
 * objects at every store or draw costs a third of the loop's time.
 *
 * @module
 */
import type { Rng } from '../stats/rng.js';
import type { BatchBuilder } from './builder.js';
import { aliasDraw } from './alias.js';
import { drawReward, geometricLength, NOISE_NONE, type SamplerTables } from './tables.js';

/** The step count after which an episode is truncated: min(maxSteps, L); ∞ when neither is set (`maxSteps = 0`: none). */
export function episodeLimit(T: SamplerTables, rng: Rng, maxSteps: number, geometric: boolean): number {
  const L = geometric ? geometricLength(rng, T.gamma) : Infinity;
  return maxSteps > 0 && maxSteps < L ? maxSteps : L;
}

/**
 * Appends up to `n` transitions (room for them is the caller's business) of episode `id`
 * from state `s` at time `t0`: a_t ∼ π_b(·|s_t), r_t, s_tp1 ∼ P(·|s_t,a_t),
 * log π_b(a_t|s_t), t_index = t. Stops after the first transition that ends the episode —
 * `terminated_t = 1` when s_tp1 is terminal, else `truncated_t = 1` when t + 1 ≥ `limit`.
 * Returns the number of transitions written.
 */
function runSteps(T: SamplerTables, rng: Rng, b: BatchBuilder, s: number, t0: number, limit: number, id: number, n: number): number {
  const A = T.numActions, logPi = T.logPi, terminal = T.terminal, rewards = T.rewards;
  const { offset: piOffset, cut: piCut, primary: piPrimary, alias: piAlias } = T.pi;
  const { offset: pOffset, cut: pCut, primary: pPrimary, alias: pAlias } = T.next;
  const noisy = T.noiseKind !== NOISE_NONE; // the noise-free loop must not pay for inlining the noise draws
  const { s_t, a_t, r_t, s_tp1, terminated_t, truncated_t, t_index, logp_t, episode_t } = b;
  const start = b.size, end = start + n;
  let i = start;
  for (let t = t0; i < end; t++) {
    const a = aliasDraw(piOffset, piCut, piPrimary, piAlias, s, rng);
    const sa = s * A + a;
    const r = noisy ? drawReward(T, sa, rng) : rewards[sa]!;
    const s2 = aliasDraw(pOffset, pCut, pPrimary, pAlias, sa, rng);
    s_t[i] = s; a_t[i] = a; r_t[i] = r; s_tp1[i] = s2;
    logp_t[i] = logPi[sa]!; t_index[i] = t; episode_t[i] = id;
    const term = terminal[s2]!;
    const trunc = term === 0 && t + 1 >= limit ? 1 : 0;
    terminated_t[i] = term; truncated_t[i] = trunc;
    i++;
    if ((term | trunc) !== 0) break;
    s = s2;
  }
  b.size = i;
  return i - start;
}

/**
 * Appends up to `budget` transitions of episode `id` to `b` (growing it as needed), from
 * state `s` at time `t0`, with the draws and end flags of `runSteps`: it stops after the
 * transition that ends the episode, or when the budget is spent (flags clear: the caller
 * decides). Returns the number of transitions written.
 */
export function runEpisode(T: SamplerTables, rng: Rng, b: BatchBuilder, s: number, t0: number, limit: number, id: number, budget: number): number {
  let written = 0, t = t0;
  for (;;) {
    if (b.size === b.capacity) b.grow();
    const n = runSteps(T, rng, b, s, t, limit, id, Math.min(budget - written, b.capacity - b.size));
    written += n;
    const last = b.size - 1;
    if (written === budget || b.terminated_t[last] || b.truncated_t[last]) return written;
    s = b.s_tp1[last]!; // out of room: grow and go on
    t = b.t_index[last]! + 1;
  }
}
