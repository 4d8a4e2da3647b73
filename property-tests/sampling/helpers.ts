// Shared pieces of the sampling tests: policies, exact expected counts (computed here from
// the dense P, or by src/exact — never by the sampler under test), and statistical checks.
import { expect } from 'vitest';
import { denseTransitions, type FiniteMDP } from '../../src/mdp/model.js';
import { softmaxPolicy } from '../../src/policy/softmax.js';
import type { Policy } from '../../src/policy/types.js';
import type { Batch } from '../../src/sampling/batch.js';
import { Rng } from '../../src/stats/rng.js';
import { MeanCovariance } from '../../src/stats/summary.js';
import { meanTest, type TestResult } from '../../src/stats/tests.js';

/** The false-alarm rate of each statistical check in these tests (fixed seeds: deterministic). */
export const ALPHA = 1e-3;

/** A softmax policy with N(0, scale²) logits from `seed`. */
export function randomSoftmax(mdp: FiniteMDP, seed: number, scale = 1): Policy {
  const S = mdp.numStates, A = mdp.numActions;
  const r = Rng.from(seed);
  return { param: softmaxPolicy(S, A), theta: Float64Array.from({ length: S * A }, () => scale * r.normal()) };
}

/** π(a|s) ⊗ state weights w(s): the expected visit counts of each (s,a). */
export function stateActionCounts(w: ArrayLike<number>, pi: Float64Array, A: number): Float64Array {
  return Float64Array.from(pi, (p, k) => w[Math.floor(k / A)]! * p);
}

/**
 * Expected visits of each non-terminal state in the first T steps: Σ_{t<T} Pr(s_t = s, not
 * yet terminated), by iterating p_{t+1}(s′) = Σ_s p_t(s) Σ_a π(a|s) P(s′|s,a) over the dense P.
 */
export function timeLimitStateVisits(mdp: FiniteMDP, pi: Float64Array, T: number): Float64Array {
  const S = mdp.numStates, A = mdp.numActions, P = denseTransitions(mdp);
  let p = Float64Array.from(mdp.initial);
  const w = new Float64Array(S);
  for (let t = 0; t < T; t++) {
    const q = new Float64Array(S);
    for (let s = 0; s < S; s++) {
      if (mdp.terminal[s] || p[s] === 0) continue;
      w[s] = w[s]! + p[s]!;
      for (let a = 0; a < A; a++) for (let s2 = 0; s2 < S; s2++) q[s2] = q[s2]! + p[s]! * pi[s * A + a]! * P[(s * A + a) * S + s2]!;
    }
    p = q;
  }
  return w;
}

/** Samples stored row-major, n × d. */
export interface Rows { readonly n: number; readonly d: number; readonly x: Float64Array }

/** Per-episode visit counts of each (s,a): one row per episode. */
export function perEpisodeCounts(b: Batch): Rows {
  const A = b.numActions, d = b.numStates * A;
  const out: number[] = [];
  const row = new Float64Array(d);
  for (let i = 0; i < b.size; i++) {
    row[b.s_t[i]! * A + b.a_t[i]!]! += 1;
    const last = i === b.size - 1 || b.episode_t[i + 1] !== b.episode_t[i];
    if (last) { out.push(...row); row.fill(0); }
  }
  return { n: out.length / d, d, x: Float64Array.from(out) };
}

/** Rows from a per-sample function writing into a d-vector. */
export function rowsOf(n: number, d: number, fill: (i: number, row: Float64Array) => void): Rows {
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) fill(i, x.subarray(i * d, (i + 1) * d));
  return { n, d, x };
}

/** Expects a mean test to pass (with its figures in the message when it does not). */
export function expectPass(r: TestResult, what: string): void {
  expect(r.passed, `${what}: statistic ${r.statistic.toFixed(2)} > ${r.threshold.toFixed(2)}, effect ${r.effect} ± ${r.standardError} (n = ${r.samples})`).toBe(true);
}

/** Expects a mean test to reject (the negative control). */
export function expectReject(r: TestResult, what: string): void {
  expect(r.passed, `${what} was not rejected: statistic ${r.statistic.toFixed(2)} ≤ ${r.threshold.toFixed(2)}`).toBe(false);
}

/**
 * The studentized maximum with Šidák at {@link ALPHA}, on the coordinates whose expected
 * number of events |target|·n is at least `minEvents` (default 30): rarer ones have too few
 * events for the normal approximation (a coordinate that happened to see no event has zero
 * sample variance, and any nonzero target would be "infinitely" rejected). A coordinate
 * whose target is exactly 0 must be exactly 0 in every sample: that is checked as an
 * identity and reported as an infinite statistic.
 */
export function countsTest(rows: Rows, target: ArrayLike<number>, minEvents = 30): TestResult {
  const { n, d, x } = rows;
  const keep: number[] = [];
  for (let k = 0; k < d; k++) {
    if (target[k] === 0) {
      for (let i = 0; i < n; i++) if (x[i * d + k] !== 0) return { passed: false, test: 'impossible event', statistic: Infinity, threshold: 0, effect: x[i * d + k]!, standardError: 0, worstIndex: k, samples: n, falseAlarmRate: 0, minDetectable: 0 };
    } else if (Math.abs(target[k]!) * n >= minEvents) keep.push(k);
  }
  const acc = new MeanCovariance(keep.length, false);
  const row = new Float64Array(keep.length);
  for (let i = 0; i < n; i++) { keep.forEach((k, j) => { row[j] = x[i * d + k]!; }); acc.push(row); }
  return meanTest(acc, keep.map((k) => target[k]!), ALPHA);
}

/** Every array of two batches is equal, bit for bit (Object.is: −0 and NaN count). */
export function expectSameBatch(x: Batch, y: Batch): void {
  expect(x.size).toBe(y.size);
  for (const k of ['s_t', 'a_t', 'r_t', 's_tp1', 'terminated_t', 'truncated_t', 't_index', 'logp_t', 'episode_t'] as const) {
    const a = x[k], b = y[k];
    let bad = -1;
    for (let i = 0; i < x.size; i++) if (!Object.is(a[i], b[i])) { bad = i; break; }
    expect(bad, `${k} differs at index ${bad}`).toBe(-1);
  }
}
