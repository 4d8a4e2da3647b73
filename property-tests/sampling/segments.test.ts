// Fixed-length segments: every segment is a valid batch of E·T transitions, environment by
// environment; the next segment continues the same episodes (s_t = the previous s_tp1,
// t_index + 1); cutting a stream into segments changes only the end flags at the cuts and
// the episode ids. The continuity checker has its negative control (a tampered sequence).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryMDPAndPolicy } from '../../src/arbitraries/index.js';
import { garnet } from '../../src/mdp/index.js';
import { validateBatch, type Batch } from '../../src/sampling/batch.js';
import { SegmentCollector } from '../../src/sampling/segments.js';
import { randomSoftmax } from './helpers.js';

/** The problems with segment `next` following segment `prev` (E environments of T steps). */
function continuityErrors(prev: Batch, next: Batch, E: number, T: number, maxSteps = Infinity): string[] {
  const errs: string[] = [];
  for (let e = 0; e < E; e++) {
    const i = e * T + T - 1, j = e * T;
    if (!prev.terminated_t[i] && !prev.truncated_t[i]) errs.push(`env ${e}: segment end not flagged`);
    const endedHere = prev.terminated_t[i] === 1 || prev.t_index[i]! + 1 >= maxSteps;
    if (endedHere) { if (next.t_index[j] !== 0) errs.push(`env ${e}: a new episode should start at t = 0, got ${next.t_index[j]}`); continue; }
    if (next.s_t[j] !== prev.s_tp1[i]) errs.push(`env ${e}: s_t ${next.s_t[j]} does not continue s_tp1 ${prev.s_tp1[i]}`);
    if (next.t_index[j] !== prev.t_index[i]! + 1) errs.push(`env ${e}: t_index ${next.t_index[j]} does not continue ${prev.t_index[i]}`);
  }
  return errs;
}

/** Ids step by 0 or 1 within a batch, and the next batch starts one past the previous one. */
function idErrors(batches: Batch[]): string[] {
  const errs: string[] = [];
  let last = -1;
  for (const b of batches) {
    if (b.episode_t[0] !== last + 1) errs.push(`batch starts at id ${b.episode_t[0]}, expected ${last + 1}`);
    for (let i = 1; i < b.size; i++) { const d = b.episode_t[i]! - b.episode_t[i - 1]!; if (d !== 0 && d !== 1) errs.push(`id jumps by ${d} at ${i}`); }
    last = b.episode_t[b.size - 1]!;
  }
  return errs;
}

const mdp = garnet({ states: 7, actions: 3, branching: 3, gamma: 0.95, seed: 2, terminal: 2, exitProbability: 0.05 });
const spec = { mdp, policy: randomSoftmax(mdp, 4) };

describe('segments', () => {
  it('are valid batches that continue each other, with consecutive ids', () => {
    const E = 5, T = 13, maxSteps = 9;
    const c = new SegmentCollector(spec, { envs: E, length: T, seed: 1, maxSteps });
    const segs = Array.from({ length: 12 }, () => c.next());
    for (const s of segs) { validateBatch(s); expect(s.size).toBe(E * T); }
    for (let k = 1; k < segs.length; k++) expect(continuityErrors(segs[k - 1]!, segs[k]!, E, T, maxSteps)).toEqual([]);
    expect(idErrors(segs)).toEqual([]);
    expect(c.collected).toBe(12);
    // the situations the checks are about did occur
    const all = segs.flatMap((s) => Array.from(s.t_index.filter((_, i) => i % T === 0)));
    expect(all.some((t) => t > 0)).toBe(true); // some segment continues an episode
    expect(segs.some((s) => s.terminated_t.some((x, i) => x === 1 && i % T < T - 1))).toBe(true); // an episode ends inside a segment
    expect(segs.some((s) => s.t_index.some((t, i) => t === maxSteps - 1 && s.truncated_t[i] === 1 && i % T < T - 1))).toBe(true); // a time limit inside a segment
  });

  it('negative control: the checker catches a skipped segment and a shifted time index', () => {
    const E = 4, T = 10;
    const c = new SegmentCollector(spec, { envs: E, length: T, seed: 2 });
    const [a, b, d] = [c.next(), c.next(), c.next()];
    expect(continuityErrors(a, b, E, T)).toEqual([]);
    expect(continuityErrors(a, d, E, T).length).toBeGreaterThan(0);
    const shifted = { ...b, t_index: b.t_index.slice() };
    shifted.t_index[T] = shifted.t_index[T]! + 1; // environment 1's first step
    expect(continuityErrors(a, shifted, E, T)).toHaveLength(1);
  });

  it('cutting the stream changes only the flags at the cuts and the ids: K segments of T = one segment of K·T', () => {
    const E = 3, T = 7, K = 9;
    for (const opts of [{ maxSteps: 5 }, { geometric: true }, {}]) {
      const short = new SegmentCollector(spec, { envs: E, length: T, seed: 3, ...opts });
      const segs = Array.from({ length: K }, () => short.next());
      const long = new SegmentCollector(spec, { envs: E, length: K * T, seed: 3, ...opts }).next();
      for (let e = 0; e < E; e++) {
        for (let k = 0; k < K; k++) {
          for (let j = 0; j < T; j++) {
            const x = segs[k]!, i = e * T + j, l = e * K * T + k * T + j;
            for (const f of ['s_t', 'a_t', 'r_t', 's_tp1', 'terminated_t', 't_index', 'logp_t'] as const) expect(x[f][i], `${f} env ${e} seg ${k} step ${j}`).toBe(long[f][l]);
            const cut = j === T - 1 && k < K - 1 && !long.terminated_t[l];
            expect(x.truncated_t[i]).toBe(cut ? 1 : long.truncated_t[l]);
          }
        }
      }
    }
  });

  it('hold on random MDPs, policies, sizes and stopping rules', () => {
    fc.assert(
      fc.property(
        arbitraryMDPAndPolicy({ regime: 'any', maxStates: 5, maxActions: 3 }),
        fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 9 }), fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }), fc.boolean(), fc.nat(),
        ({ mdp: m, policy }, E, T, maxSteps, geometric, seed) => {
          const c = new SegmentCollector({ mdp: m, policy }, { envs: E, length: T, seed, geometric, ...(maxSteps ? { maxSteps } : {}) });
          const segs = Array.from({ length: 6 }, () => c.next());
          for (const s of segs) {
            validateBatch(s);
            for (let i = 0; i < s.size; i++) expect(s.terminated_t[i]).toBe(m.terminal[s.s_tp1[i]!]);
          }
          for (let k = 1; k < segs.length; k++) if (!geometric) expect(continuityErrors(segs[k - 1]!, segs[k]!, E, T, maxSteps ?? Infinity)).toEqual([]);
          expect(idErrors(segs)).toEqual([]);
        },
      ),
      { numRuns: 40 },
    );
  });
});
