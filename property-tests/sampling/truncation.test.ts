// A truncated transition keeps the true next state: s_tp1 ∼ P(·|s_t,a_t) like any other,
// not the state the next episode starts from (the classic auto-reset bug) nor s_t. Checked
// exactly on a deterministic gridworld and statistically on a random MDP: the vectors
// e_{s_tp1} − P(·|s_t,a_t) at truncations, in the block of (s_t,a_t), have mean zero
// (studentized max, Šidák, ALPHA).
import { describe, expect, it } from 'vitest';
import { createMDP, suttonBartoGridworld5x5, transitionProbability } from '../../src/mdp/index.js';
import { denseTransitions } from '../../src/mdp/model.js';
import type { Batch } from '../../src/sampling/batch.js';
import { sampleEpisodes } from '../../src/sampling/episodes.js';
import { SegmentCollector } from '../../src/sampling/segments.js';
import { Rng } from '../../src/stats/rng.js';
import { MeanCovariance } from '../../src/stats/summary.js';
import { meanTest } from '../../src/stats/tests.js';
import { ALPHA, expectPass, expectReject, randomSoftmax } from './helpers.js';

/** Mutants of the batch's s_tp1 at truncations, modelled on real bugs. */
const mutants = {
  /** the next episode's first state (what an auto-resetting vector env returns) */
  resetState: (b: Batch, i: number) => (i + 1 < b.size ? b.s_t[i + 1]! : b.s_t[i]!),
  /** the state the truncated transition started from */
  sameState: (b: Batch, i: number) => b.s_t[i]!,
};

describe('truncation keeps the true s_tp1', () => {
  it('deterministic gridworld: s_tp1 at every time-limit cut is the successor of (s_t, a_t); the mutants are not', () => {
    const mdp = suttonBartoGridworld5x5();
    const b = sampleEpisodes({ mdp, policy: randomSoftmax(mdp, 1) }, { episodes: 2000, seed: 1, maxSteps: 3 });
    let cuts = 0;
    const wrong = { resetState: 0, sameState: 0 };
    for (let i = 0; i < b.size; i++) {
      if (!b.truncated_t[i]) continue;
      cuts++;
      expect(transitionProbability(mdp, b.s_t[i]!, b.a_t[i]!, b.s_tp1[i]!)).toBe(1);
      for (const [k, f] of Object.entries(mutants)) if (transitionProbability(mdp, b.s_t[i]!, b.a_t[i]!, f(b, i)) !== 1) wrong[k as keyof typeof wrong]++;
    }
    expect(cuts).toBe(2000);
    expect(wrong.resetState).toBeGreaterThan(1000);
    expect(wrong.sameState).toBeGreaterThan(1000);
  });

  // P(s′|s,a) ∝ integer weights 0…3: no positive probability below 1/19, so every coordinate of the
  // test below sees enough hits for its normal approximation (a garnet's tiny gaps do not)
  const w = Rng.from(5);
  const mdp = createMDP({
    states: 6, actions: 2, gamma: 0.9, initial: new Array(6).fill(1 / 6),
    rewards: Array.from({ length: 6 }, () => [0, 1]),
    transitions: Array.from({ length: 6 }, () => Array.from({ length: 2 }, () => {
      const x = Array.from({ length: 6 }, (_, j) => (j === 0 ? 1 : 0) + w.int(4));
      const t = x.reduce((a, b) => a + b, 0);
      return x.map((v) => v / t);
    })),
  });
  const P = denseTransitions(mdp);
  const S = mdp.numStates, A = mdp.numActions;
  // the vector e_{s_tp1} − P(·|s,a) placed in the block of (s,a): mean 0 in every block
  // means the *conditional* law of s_tp1 given (s,a) is P(·|s,a)
  const centred = (b: Batch, next: (b: Batch, i: number) => number) => {
    const acc = new MeanCovariance(S * A * S, false);
    const row = new Float64Array(S * A * S);
    for (let i = 0; i < b.size; i++) {
      if (!b.truncated_t[i]) continue;
      const sa = b.s_t[i]! * A + b.a_t[i]!;
      row.fill(0);
      for (let s2 = 0; s2 < S; s2++) row[sa * S + s2] = (next(b, i) === s2 ? 1 : 0) - P[sa * S + s2]!;
      acc.push(row);
    }
    return acc;
  };
  const zeroMean = (acc: MeanCovariance) => meanTest(acc, new Float64Array(S * A * S), ALPHA);

  it('random MDP, time limits: e_{s_tp1} − P(·|s,a) has mean 0 at the cuts; both mutants are rejected', () => {
    const b = sampleEpisodes({ mdp, policy: randomSoftmax(mdp, 2) }, { episodes: 20_000, seed: 2, maxSteps: 4 });
    expectPass(zeroMean(centred(b, (x, i) => x.s_tp1[i]!)), 'true s_tp1');
    expectReject(zeroMean(centred(b, mutants.resetState)), 'reset state as s_tp1');
    expectReject(zeroMean(centred(b, mutants.sameState)), 's_t as s_tp1');
  });

  it('random MDP, geometric stops and segment cuts: the same', () => {
    const g = sampleEpisodes({ mdp, policy: randomSoftmax(mdp, 3) }, { episodes: 20_000, seed: 3, geometric: true });
    expectPass(zeroMean(centred(g, (x, i) => x.s_tp1[i]!)), 'geometric');
    const c = new SegmentCollector({ mdp, policy: randomSoftmax(mdp, 3) }, { envs: 500, length: 5, seed: 4 });
    const acc = new MeanCovariance(S * A * S, false);
    for (let k = 0; k < 40; k++) acc.merge(centred(c.next(), (x, i) => x.s_tp1[i]!));
    expectPass(zeroMean(acc), 'segment cuts');
  });
});
