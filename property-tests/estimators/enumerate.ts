// Exact expectations of estimators by enumerating every episode of a small MDP with its
// probability: E[f(batch)] = Σ_τ p(τ) f(τ) for one-episode batches. This turns "unbiased"
// into a deterministic identity to rounding, on MDPs whose episodes end within a horizon
// (layered MDPs with a terminal layer) or are cut at a time limit (truncated).
import fc from 'fast-check';
import { createMDP, denseTransitions, type FiniteMDP } from '../../src/mdp/index.js';
import { softmaxPolicy } from '../../src/policy/index.js';
import type { Policy } from '../../src/policy/types.js';
import { allocateBatch, type Batch } from '../../src/sampling/batch.js';

/** One episode and its probability under the behaviour policy. */
export interface WeightedEpisode {
  readonly prob: number;
  readonly batch: Batch;
}

/**
 * Every episode from p0 under the policy table `mu` (`mu[s*A + a]`), ending at a terminal
 * state (terminated) or after `horizon` steps (truncated); logp_t = log μ(a_t|s_t).
 */
export function enumerateEpisodes(mdp: FiniteMDP, mu: Float64Array, horizon: number): WeightedEpisode[] {
  const { numStates: S, numActions: A } = mdp, P = denseTransitions(mdp), out: WeightedEpisode[] = [];
  const s: number[] = [], a: number[] = [], s2: number[] = [];
  const emit = (prob: number, terminated: boolean) => {
    const n = a.length, b = allocateBatch(n, S, A, mdp.gamma);
    for (let i = 0; i < n; i++) {
      b.s_t[i] = s[i]!; b.a_t[i] = a[i]!; b.s_tp1[i] = s2[i]!; b.r_t[i] = mdp.rewards[s[i]! * A + a[i]!]!;
      b.t_index[i] = i; b.logp_t[i] = Math.log(mu[s[i]! * A + a[i]!]!);
    }
    if (terminated) b.terminated_t[n - 1] = 1; else b.truncated_t[n - 1] = 1;
    out.push({ prob, batch: b });
  };
  const walk = (state: number, prob: number) => {
    for (let act = 0; act < A; act++) {
      const pa = mu[state * A + act]!;
      if (pa === 0) continue;
      for (let next = 0; next < S; next++) {
        const p = P[(state * A + act) * S + next]!;
        if (p === 0) continue;
        s.push(state); a.push(act); s2.push(next);
        if (mdp.terminal[next]) emit(prob * pa * p, true);
        else if (a.length === horizon) emit(prob * pa * p, false);
        else walk(next, prob * pa * p);
        s.pop(); a.pop(); s2.pop();
      }
    }
  };
  for (let s0 = 0; s0 < S; s0++) if (mdp.initial[s0]! > 0) walk(s0, mdp.initial[s0]!);
  return out;
}

/** Σ_τ p(τ) f(τ) for a vector-valued f. */
export function expectation(episodes: readonly WeightedEpisode[], f: (b: Batch) => ArrayLike<number>): Float64Array {
  let acc: Float64Array | undefined;
  for (const { prob, batch } of episodes) {
    const v = f(batch);
    acc ??= new Float64Array(v.length);
    for (let k = 0; k < v.length; k++) acc[k] = acc[k]! + prob * v[k]!;
  }
  return acc ?? new Float64Array(0);
}

/** Σ_τ p(τ) ‖f(τ) − E f‖²: the trace of the covariance. */
export function totalVariance(episodes: readonly WeightedEpisode[], f: (b: Batch) => ArrayLike<number>): number {
  const m = expectation(episodes, f);
  let v = 0;
  for (const { prob, batch } of episodes) {
    const x = f(batch);
    for (let k = 0; k < x.length; k++) v += prob * (x[k]! - m[k]!) ** 2;
  }
  return v;
}

/**
 * Per (s, a): Σ_τ p(τ) Σ_t 1[(s_t, a_t) = (s, a)] (Â_t − target(s, a)) — zero for every pair iff
 * the per-step estimates Â are conditionally unbiased for the target (summed over visits).
 */
export function conditionalBias(episodes: readonly WeightedEpisode[], S: number, A: number, adv: (b: Batch) => Float64Array, target: Float64Array): Float64Array {
  return expectation(episodes, (b) => {
    const out = new Float64Array(S * A), x = adv(b);
    for (let i = 0; i < b.size; i++) { const k = b.s_t[i]! * A + b.a_t[i]!; out[k] = out[k]! + x[i]! - target[k]!; }
    return out;
  });
}

/** A normalized distribution from positive integer weights. */
function normalize(w: readonly number[]): number[] {
  const t = w.reduce((x, y) => x + y, 0);
  return w.map((x) => x / t);
}

/**
 * A layered episodic MDP: `depth` layers of `width` states, then one terminal state
 * (index depth·width); actions lead to the next layer (the last layer to the terminal).
 * Every episode has exactly `depth` steps.
 */
export function arbitraryLayeredMDP(width = 2, depth = 3, A = 2, gammas: number[] = [0.5, 0.9]): fc.Arbitrary<FiniteMDP> {
  const S = width * depth + 1;
  const row = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: width, maxLength: width }).map(normalize);
  return fc.record({
    rows: fc.array(row, { minLength: S * A, maxLength: S * A }),
    rewards: fc.array(fc.integer({ min: -4, max: 4 }).map((x) => x / 2), { minLength: S * A, maxLength: S * A }),
    p0: row, gamma: fc.constantFrom(...gammas),
  }).map(({ rows, rewards, p0, gamma }) => {
    const term = S - 1;
    const transitions = Array.from({ length: S }, (_, s) => Array.from({ length: A }, (_, a) => {
      const p = new Array<number>(S).fill(0);
      const layer = Math.floor(s / width);
      if (s === term || layer === depth - 1) p[term] = 1;
      else rows[s * A + a]!.forEach((x, j) => { p[(layer + 1) * width + j] = x; });
      return p;
    }));
    const r = Array.from({ length: S }, (_, s) => Array.from({ length: A }, (_, a) => (s === term ? 0 : rewards[s * A + a]!)));
    const initial = new Array<number>(S).fill(0);
    p0.forEach((x, j) => { initial[j] = x; });
    return createMDP({ states: S, actions: A, transitions, rewards: r, gamma, initial, terminal: [term] });
  });
}

/** A small continuing MDP (no terminal state), for time-limit truncation. */
export function arbitraryCyclicMDP(S = 2, A = 2): fc.Arbitrary<FiniteMDP> {
  const row = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: S, maxLength: S }).map(normalize);
  return fc.record({
    rows: fc.array(row, { minLength: S * A, maxLength: S * A }),
    rewards: fc.array(fc.integer({ min: -4, max: 4 }).map((x) => x / 2), { minLength: S * A, maxLength: S * A }),
    p0: row, gamma: fc.constantFrom(0.5, 0.8),
  }).map(({ rows, rewards, p0, gamma }) => createMDP({
    states: S, actions: A, gamma, initial: p0,
    transitions: Array.from({ length: S }, (_, s) => Array.from({ length: A }, (_, a) => rows[s * A + a]!)),
    rewards: Array.from({ length: S }, (_, s) => Array.from({ length: A }, (_, a) => rewards[s * A + a]!)),
  }));
}

/** A softmax policy with logits in [−1.5, 1.5] for an MDP. */
export function arbitrarySoftmaxFor(S: number, A: number): fc.Arbitrary<Policy> {
  return fc.array(fc.integer({ min: -3, max: 3 }).map((x) => x / 2), { minLength: S * A, maxLength: S * A })
    .map((th) => ({ param: softmaxPolicy(S, A), theta: Float64Array.from(th) }));
}
