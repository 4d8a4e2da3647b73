// Contextual bandits and token MDPs as finite MDPs: their structure, exact J and ∇J through
// the existing machinery agreeing with sums over the enumerated responses, the group sampler
// (shapes, masks, frequencies), and their errors.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { enumerateResponses, evaluatePolicy, expectOverGroups, policyGradient, rewardOutcomes } from '../../src/exact/index.js';
import { builtinContextualBandit, builtinMDP, builtinTokenMDP, contextualBandit, tokenMDP, withChanges } from '../../src/mdp/index.js';
import { softmaxPolicy } from '../../src/policy/index.js';
import { sampleGroups } from '../../src/sampling/index.js';
import { Rng } from '../../src/stats/index.js';
import { expectError, rel } from '../helpers.js';

const randomPolicy = (S: number, A: number, seed: number) => {
  const rng = Rng.from(seed);
  return { param: softmaxPolicy(S, A), theta: Float64Array.from({ length: S * A }, () => rng.normal()) };
};

describe('contextual bandits and token MDPs', () => {
  it('the built-ins are in the library under their names', () => {
    expect(builtinMDP('bandit-contextual').numStates).toBe(4);
    expect(builtinMDP('token-mdp').numStates).toBe(15);
    expect(builtinMDP('token-mdp').actionNames).toEqual(['a', 'b', '<eos>']);
    expect(builtinMDP('token-mdp').stateNames!.slice(0, 4)).toEqual(['short|', 'short|a', 'short|b', 'short|a a']);
  });
  it('a bandit\'s J = Σ_q ρ(q) Σ_o π(o|q) r(q,o) and its ∇J by the theorem = Σ ρ Σ π r ∇log π (enumerated)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e6 }), (seed) => {
      const mdp = builtinContextualBandit(), pol = randomPolicy(4, 4, seed), pi = pol.param.probs(pol.theta);
      const ev = evaluatePolicy(mdp, pi);
      let J = 0;
      [0.5, 0.3, 0.2].forEach((rho, q) => { for (let a = 0; a < 4; a++) J += rho * pi[q * 4 + a]! * mdp.rewards[q * 4 + a]!; });
      expect(ev.J).toBeCloseTo(J, 12);
      const t = enumerateResponses(mdp, pol), g = new Float64Array(16);
      t.responses.forEach((list, qi) => list.forEach((o) => { for (let k = 0; k < 16; k++) g[k] = g[k]! + t.promptProbs[qi]! * o.probability * o.reward * o.score[k]!; }));
      expect(rel(policyGradient(mdp, pol), g)).toBeLessThan(1e-10);
    }), { numRuns: 20 });
  });
  it('a token MDP: responses end with <eos> or at maxTokens, probabilities sum to 1 per prompt, E[R] = V(q), E[|o|] = Σ η', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 1e6 }), (V, L, seed) => {
      const mdp = tokenMDP({ prompts: ['p', 'q'], promptProbs: [0.25, 0.75], vocabulary: Array.from({ length: V }, (_, i) => `t${i}`), maxTokens: L, reward: (q, toks) => q + toks.reduce((a, b) => a + b + 1, 0) / 7 });
      let perPrompt = 0;
      for (let k = 0; k < L; k++) perPrompt += V ** k;
      expect(mdp.numStates).toBe(2 * perPrompt + 1);
      const pol = randomPolicy(mdp.numStates, V + 1, seed), ev = evaluatePolicy(mdp, pol.param.probs(pol.theta));
      const t = enumerateResponses(mdp, pol);
      let eLen = 0;
      t.responses.forEach((list, qi) => {
        expect(list.length).toBe(perPrompt + V ** L); // one per prefix followed by <eos>, plus the full-length ones
        expect(list.reduce((a, o) => a + o.probability, 0)).toBeCloseTo(1, 12);
        expect(list.reduce((a, o) => a + o.probability * o.reward, 0)).toBeCloseTo(ev.V[t.prompts[qi]!]!, 12);
        for (const o of list) {
          expect(o.s_t.length).toBeLessThanOrEqual(L);
          if (o.s_t.length < L) expect(o.a_t[o.s_t.length - 1]).toBe(V);
        }
        eLen += t.promptProbs[qi]! * list.reduce((a, o) => a + o.probability * o.s_t.length, 0);
      });
      expect(eLen).toBeCloseTo(ev.horizon, 12);
    }), { numRuns: 25 });
  });
  it('a token MDP of 21 846 states builds sparse (one next state per row), in well under a second', () => {
    const t0 = performance.now();
    const mdp = tokenMDP({ prompts: ['p'], vocabulary: ['a', 'b', 'c', 'd'], maxTokens: 8, reward: (_q, toks) => toks.length / 8 });
    expect(mdp.numStates).toBe(21846);
    expect(mdp.transitions.col.length).toBe(21846 * 5);
    expect(performance.now() - t0).toBeLessThan(5000);
  });
  it('Bernoulli reward outcomes and the group enumeration are distributions', () => {
    const mdp = builtinContextualBandit(), pol = randomPolicy(4, 4, 3), t = enumerateResponses(mdp, pol);
    const d = rewardOutcomes(mdp, t.responses[0]![0]!);
    expect(d.values).toEqual([0, 1]);
    expect(d.probs[1]).toBeCloseTo(0.9, 15);
    expect(rewardOutcomes(withChanges(mdp, { rewardNoise: undefined }), t.responses[0]![0]!).values).toEqual([0.9]);
    const total = expectOverGroups([0.2, 0.5, 0.3], 3, 1, (_m, w, out) => { out[0] = out[0]! + w; });
    expect(total[0]).toBeCloseTo(1, 15);
    const mean = expectOverGroups([0.2, 0.5, 0.3], 2, 1, (m, w, out) => { out[0] = out[0]! + w * (m[0]! + m[1]!); });
    expect(mean[0]).toBeCloseTo(2 * (0.5 + 0.6), 15);
  });
  it('sampleGroups: shapes, right-padded masks, rewards of the responses, and response frequencies within 5 standard errors', () => {
    const mdp = builtinTokenMDP(), pol = randomPolicy(15, 3, 9), t = enumerateResponses(mdp, pol);
    const b = sampleGroups(mdp, pol, { prompts: 2000, groupSize: 4, maxTokens: 3 }, Rng.from(1));
    expect(b.mask.length).toBe(8000 * 3);
    const counts = new Map<string, number>();
    for (let i = 0; i < 8000; i++) {
      expect(b.prompts[Math.floor(i / 4)]! === 0 || b.prompts[Math.floor(i / 4)]! === 7).toBe(true);
      const L = b.lengths[i]!;
      for (let k = 0; k < 3; k++) expect(b.mask[i * 3 + k]).toBe(k < L ? 1 : 0);
      const key = `${b.s_t[i * 3]}:${Array.from(b.a_t.subarray(i * 3, i * 3 + L)).join('')}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      expect(b.logp_t[i * 3]).toBeCloseTo(pol.param.logProb(pol.theta, b.s_t[i * 3]!, b.a_t[i * 3]!), 12);
    }
    t.responses.forEach((list, qi) => list.forEach((o) => {
      const p = 0.5 * o.probability, n = counts.get(`${t.prompts[qi]}:${Array.from(o.a_t).join('')}`) ?? 0;
      expect(Math.abs(n / 8000 - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / 8000) + 1e-9);
    }));
  });
  it('errors: shapes, sizes, enumeration limits, unended responses', () => {
    expectError(() => contextualBandit({ prompts: 2, responses: 2, rewards: [[0, 1]] }), 'MDP_SHAPE', 'rewards has 1 rows');
    expectError(() => contextualBandit({ prompts: 0, responses: 2, rewards: [] }), 'MDP_SHAPE', 'prompts is 0');
    expectError(() => tokenMDP({ prompts: ['p'], vocabulary: [], maxTokens: 2, reward: () => 0 }), 'MDP_SHAPE', 'vocabulary');
    expectError(() => tokenMDP({ prompts: ['p'], vocabulary: ['a'], maxTokens: 0, reward: () => 0 }), 'MDP_SHAPE', 'maxTokens');
    expectError(() => tokenMDP({ prompts: ['p'], vocabulary: ['a'], maxTokens: 2, reward: () => NaN }), 'MDP_NOT_FINITE', 'reward(0, [])');
    expectError(() => tokenMDP({ prompts: ['p'], vocabulary: ['a', 'b', 'c', 'd'], maxTokens: 12, reward: () => 0 }), 'TOO_LARGE', 'states');
    const mdp = builtinTokenMDP(), pol = randomPolicy(15, 3, 1);
    expectError(() => enumerateResponses(mdp, pol, { maxTokens: 2 }), 'GROUP_ENUMERATION', 'longer than 2');
    expectError(() => enumerateResponses(mdp, pol, { maxResponses: 10 }), 'GROUP_ENUMERATION', 'more than 10');
    expectError(() => rewardOutcomes(withChanges(mdp, { rewardNoise: { kind: 'gaussian', std: 1 } }), enumerateResponses(mdp, pol).responses[0]![0]!), 'GROUP_ENUMERATION', 'Gaussian');
    expectError(() => expectOverGroups([0.5, 0.5], 30, 1, () => {}), 'GROUP_ENUMERATION', '2^30');
    expectError(() => sampleGroups(mdp, pol, { prompts: 2, groupSize: 2, maxTokens: 2 }, Rng.from(1)), 'SAMPLING_HORIZON', 'maxTokens = 2');
    expectError(() => sampleGroups(mdp, pol, { prompts: 0, groupSize: 2, maxTokens: 3 }, Rng.from(1)), 'SAMPLING_COUNT', 'prompts is 0');
  });
});
