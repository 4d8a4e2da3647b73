// Hand-made and fast-check-generated batches for the estimator tests, and explicit-sum
// reference formulas written straight from the definitions (independent of src/estimators).
import fc from 'fast-check';
import { allocateBatch, validateBatch, type Batch } from '../../src/sampling/batch.js';

/** One episode piece: s_0 … s_L (s_L is s_tp1 of the last transition), a_0 … a_{L−1}, r_0 … r_{L−1}. */
export interface Episode {
  readonly states: readonly number[];
  readonly actions: readonly number[];
  readonly rewards: readonly number[];
  readonly end: 'terminated' | 'truncated';
  /** t_index of the first transition (> 0 for a segment that starts mid-episode). */
  readonly t0?: number;
}

/** Concatenates episodes into a validated batch; `logp(s, a)` fills logp_t (default 0). */
export function buildBatch(S: number, A: number, gamma: number, episodes: readonly Episode[], logp: (s: number, a: number) => number = () => 0): Batch {
  const n = episodes.reduce((m, e) => m + e.actions.length, 0);
  const b = allocateBatch(n, S, A, gamma);
  let i = 0;
  episodes.forEach((e, id) => {
    const L = e.actions.length;
    for (let t = 0; t < L; t++, i++) {
      b.s_t[i] = e.states[t]!; b.a_t[i] = e.actions[t]!; b.r_t[i] = e.rewards[t]!; b.s_tp1[i] = e.states[t + 1]!;
      b.t_index[i] = (e.t0 ?? 0) + t; b.episode_t[i] = id; b.logp_t[i] = logp(e.states[t]!, e.actions[t]!);
      if (t === L - 1) { if (e.end === 'terminated') b.terminated_t[i] = 1; else b.truncated_t[i] = 1; }
    }
  });
  validateBatch(b);
  return b;
}

export interface EpisodeOptions {
  readonly maxEpisodes?: number;
  readonly maxLength?: number;
  readonly end?: 'terminated' | 'truncated' | 'any';
  /** Allow pieces that start at t_index > 0. */
  readonly segments?: boolean;
}

/** Random episodes over S states and A actions, rewards in {−3, −2.5, …, 3}. */
export function arbitraryEpisodes(S: number, A: number, o: EpisodeOptions = {}): fc.Arbitrary<Episode[]> {
  const ends: ('terminated' | 'truncated')[] = o.end === undefined || o.end === 'any' ? ['terminated', 'truncated'] : [o.end];
  const episode = fc.integer({ min: 1, max: o.maxLength ?? 6 }).chain((L) => fc.record({
    states: fc.array(fc.integer({ min: 0, max: S - 1 }), { minLength: L + 1, maxLength: L + 1 }),
    actions: fc.array(fc.integer({ min: 0, max: A - 1 }), { minLength: L, maxLength: L }),
    rewards: fc.array(fc.integer({ min: -6, max: 6 }).map((x) => x / 2), { minLength: L, maxLength: L }),
    end: fc.constantFrom(...ends),
    t0: o.segments ? fc.integer({ min: 0, max: 4 }) : fc.constant(0),
  }));
  return fc.array(episode, { minLength: 1, maxLength: o.maxEpisodes ?? 4 });
}

/** A value table V[s] with entries in {−2, −1.75, …, 2}. */
export function arbitraryValues(S: number): fc.Arbitrary<Float64Array> {
  return fc.array(fc.integer({ min: -8, max: 8 }).map((x) => x / 4), { minLength: S, maxLength: S }).map((v) => Float64Array.from(v));
}

/** γ or λ on the grid {0, 0.1, …, 1}. */
export const unitGrid = fc.integer({ min: 0, max: 10 }).map((x) => x / 10);

// ---- explicit sums, per episode, straight from the definitions ----

/** V(s_L) if the episode was truncated and values are given, else 0. */
function tail(e: Episode, V?: Float64Array): number {
  return e.end === 'truncated' && V ? V[e.states[e.actions.length]!]! : 0;
}

/** G_t = Σ_{k=t}^{L−1} γ^{k−t} r_k + γ^{L−t}·tail. */
export function explicitRewardToGo(e: Episode, gamma: number, V?: Float64Array): number[] {
  const L = e.actions.length;
  return Array.from({ length: L }, (_, t) => {
    let g = 0;
    for (let k = t; k < L; k++) g += gamma ** (k - t) * e.rewards[k]!;
    return g + gamma ** (L - t) * tail(e, V);
  });
}

/** G^{(n)}_t = Σ_{k<m} γ^k r_{t+k} + γ^m V(s_{t+m}), m = min(n, L−t), no bootstrap at a termination. */
export function explicitNStep(e: Episode, V: Float64Array, gamma: number, n: number): number[] {
  const L = e.actions.length;
  return Array.from({ length: L }, (_, t) => {
    const m = Math.min(n, L - t);
    let g = 0;
    for (let k = 0; k < m; k++) g += gamma ** k * e.rewards[t + k]!;
    const boot = t + m === L ? (e.end === 'terminated' ? 0 : V[e.states[L]!]!) : V[e.states[t + m]!]!;
    return g + gamma ** m * boot;
  });
}

/** δ_t with V(s_L) = 0 after a termination. */
export function explicitDeltas(e: Episode, V: Float64Array, gamma: number): number[] {
  const L = e.actions.length;
  return Array.from({ length: L }, (_, t) => {
    const next = t === L - 1 && e.end === 'terminated' ? 0 : V[e.states[t + 1]!]!;
    return e.rewards[t]! + gamma * next - V[e.states[t]!]!;
  });
}

/** GAE_t = Σ_{l=0}^{L−t−1} (γλ)^l δ_{t+l}. */
export function explicitGae(e: Episode, V: Float64Array, gamma: number, lambda: number): number[] {
  const d = explicitDeltas(e, V, gamma), L = d.length;
  return Array.from({ length: L }, (_, t) => {
    let s = 0;
    for (let l = 0; t + l < L; l++) s += (gamma * lambda) ** l * d[t + l]!;
    return s;
  });
}

/** G^λ_t = (1−λ) Σ_{n=1}^{L−t−1} λ^{n−1} G^{(n)}_t + λ^{L−t−1} G^{(L−t)}_t. */
export function explicitLambdaReturn(e: Episode, V: Float64Array, gamma: number, lambda: number): number[] {
  const L = e.actions.length;
  const byN = Array.from({ length: L }, (_, n) => explicitNStep(e, V, gamma, n + 1));
  return Array.from({ length: L }, (_, t) => {
    let g = 0;
    for (let n = 1; n < L - t; n++) g += (1 - lambda) * lambda ** (n - 1) * byN[n - 1]![t]!;
    return g + lambda ** (L - t - 1) * byN[L - t - 1]![t]!;
  });
}

/** Applies a per-episode formula to every episode and concatenates. */
export function perEpisode(episodes: readonly Episode[], f: (e: Episode) => number[]): Float64Array {
  return Float64Array.from(episodes.flatMap(f));
}

/** max_i |x_i − y_i| / max(1, max_i |y_i|). */
export function relErr(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let d = 0, m = 1;
  for (let i = 0; i < y.length; i++) { d = Math.max(d, Math.abs(x[i]! - y[i]!)); m = Math.max(m, Math.abs(y[i]!)); }
  if (x.length !== y.length) return Infinity;
  return d / m;
}
