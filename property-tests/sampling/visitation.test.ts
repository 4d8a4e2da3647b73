// The sampled state-action frequencies match the exact visitation.
//
// Each episode gives one sample X(s,a) = its number of visits of (s,a); episodes are i.i.d.,
// so E[X] is tested against its exact value with the studentized maximum and a Šidák
// correction over the S·A coordinates (src/stats meanTest) at false-alarm rate ALPHA = 1e-3
// per check, on the coordinates expecting at least 30 visits in all (an impossible (s,a) —
// exact target 0 — must never be visited at all); the seeds are fixed, so the outcomes are
// deterministic. Each check has a negative control — a wrong sampler it must reject at the
// same sample size.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryMDPAndPolicy } from '../../src/arbitraries/index.js';
import { evaluatePolicy } from '../../src/exact/evaluate.js';
import { chain, garnet, shortCorridor, suttonBartoGridworld4x4, withChanges } from '../../src/mdp/index.js';
import { shortCorridorPolicy, shortCorridorTheta } from '../../src/policy/library.js';
import { softmaxPolicy } from '../../src/policy/softmax.js';
import { validateBatch } from '../../src/sampling/batch.js';
import { sampleEpisodes } from '../../src/sampling/episodes.js';
import { countsTest, expectPass, expectReject, perEpisodeCounts, randomSoftmax, rowsOf, stateActionCounts, timeLimitStateVisits } from './helpers.js';

describe('geometric stopping: E[visits of (s,a) per episode] = η(s)π(a|s)', () => {
  const mdp = chain(); // Strens' chain, γ = 0.9, every episode starts in state 0
  const policy = randomSoftmax(mdp, 11);
  const pi = policy.param.probs(policy.theta);
  const ev = evaluatePolicy(mdp, pi);
  const target = stateActionCounts(ev.eta, pi, mdp.numActions);
  const N = 40_000;

  it('matches η·π on the chain (γ = 0.9)', () => {
    const b = sampleEpisodes({ mdp, policy }, { episodes: N, seed: 1, geometric: true });
    validateBatch(b);
    expect(b.truncated_t.reduce((x, y) => x + y, 0)).toBe(N); // every episode ends by a geometric stop
    expectPass(countsTest(perEpisodeCounts(b), target), 'geometric visits');
  });

  it('negative control: a sampler that ignores γ and stops at the fixed horizon 1/(1−γ) = 10 is rejected', () => {
    const b = sampleEpisodes({ mdp, policy }, { episodes: N, seed: 1, maxSteps: 10 });
    expectReject(countsTest(perEpisodeCounts(b), target), 'fixed horizon 10');
  });

  it('negative control: a sampler that stops with probability 1 − γ′, γ′ = 0.88 ≠ γ, is rejected', () => {
    const b = sampleEpisodes({ mdp: withChanges(mdp, { gamma: 0.88 }), policy }, { episodes: N, seed: 1, geometric: true });
    expectReject(countsTest(perEpisodeCounts(b), target), 'wrong γ');
  });

  it('the state at which an episode stops is an exact draw from d; a fixed horizon gives p_9 instead', () => {
    const lastStates = (geometric: boolean) => {
      const b = sampleEpisodes({ mdp, policy }, geometric ? { episodes: N, seed: 2, geometric: true } : { episodes: N, seed: 2, maxSteps: 10 });
      const last = Array.from(b.s_t.filter((_, i) => b.truncated_t[i] === 1));
      return rowsOf(last.length, mdp.numStates, (i, row) => { row[last[i]!] = 1; });
    };
    expectPass(countsTest(lastStates(true), ev.d), 'last state ∼ d');
    expectReject(countsTest(lastStates(false), ev.d), 'last state of a fixed horizon');
  });

  it('holds on random discounted MDPs and policies of every kind', () => {
    fc.assert(
      fc.property(arbitraryMDPAndPolicy({ regime: 'discounted', maxStates: 5, maxActions: 3 }), fc.integer({ min: 0, max: 1e6 }), ({ mdp: m, policy: p }, seed) => {
        const probs = p.param.probs(p.theta);
        const e = evaluatePolicy(m, probs);
        const b = sampleEpisodes({ mdp: m, policy: p }, { episodes: 8000, seed, geometric: true });
        validateBatch(b);
        expectPass(countsTest(perEpisodeCounts(b), stateActionCounts(e.eta, probs, m.numActions)), `random MDP, γ = ${m.gamma}`);
      }),
      { numRuns: 8 },
    );
  });
});

describe('episodes that end at terminal states: E[visits] = η(s)π(a|s) with γ = 1 (expected visits)', () => {
  const cases = [
    { name: 'short corridor (log-linear policy, p = 0.3)', mdp: shortCorridor(), policy: { param: shortCorridorPolicy(), theta: shortCorridorTheta(0.3) } },
    { name: 'gridworld 4×4 (uniform)', mdp: suttonBartoGridworld4x4(), policy: { param: softmaxPolicy(16, 4), theta: new Float64Array(64) } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const pi = c.policy.param.probs(c.policy.theta);
      const target = stateActionCounts(evaluatePolicy(c.mdp, pi).eta, pi, c.mdp.numActions);
      const b = sampleEpisodes({ mdp: c.mdp, policy: c.policy }, { episodes: 20_000, seed: 3 });
      validateBatch(b);
      expect(b.truncated_t.every((x) => x === 0)).toBe(true);
      expectPass(countsTest(perEpisodeCounts(b), target), c.name);
      const cut = sampleEpisodes({ mdp: c.mdp, policy: c.policy }, { episodes: 20_000, seed: 3, maxSteps: 8 });
      expectReject(countsTest(perEpisodeCounts(cut), target), `${c.name} cut at 8 steps`);
    });
  }
});

describe('a time limit T: E[visits] = Σ_{t<T} Pr(s_t = s, alive) π(a|s)', () => {
  it('on the episodic garnet with T = 7, and not the counts of T = 8', () => {
    const mdp = garnet({ states: 7, actions: 3, branching: 3, gamma: 1, seed: 2, terminal: 2, exitProbability: 0.2 });
    const policy = randomSoftmax(mdp, 5);
    const pi = policy.param.probs(policy.theta);
    const b = sampleEpisodes({ mdp, policy }, { episodes: 30_000, seed: 4, maxSteps: 7 });
    validateBatch(b);
    for (let i = 0; i < b.size; i++) if (b.truncated_t[i]) expect(b.t_index[i]).toBe(6);
    const acc = perEpisodeCounts(b);
    expectPass(countsTest(acc, stateActionCounts(timeLimitStateVisits(mdp, pi, 7), pi, 3)), 'T = 7');
    expectReject(countsTest(acc, stateActionCounts(timeLimitStateVisits(mdp, pi, 8), pi, 3)), 'T = 8 expectation');
  });
});
