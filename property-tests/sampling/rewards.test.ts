// Sampled rewards follow the MDP's reward noise model: mean r(s,a), and variance σ²
// (Gaussian) or r(1 − r) (Bernoulli). For each (s,a) the deviations x = r_t − r(s,a) and
// their squares are tested against 0 and the exact variance (one studentized maximum with
// a Šidák correction over all coordinates, ALPHA). Negative controls: a sampler with the
// wrong σ, and one that ignores the noise (right mean, zero variance).
import { describe, expect, it } from 'vitest';
import { garnet, parseMDP, withChanges, type FiniteMDP } from '../../src/mdp/index.js';
import { softmaxPolicy } from '../../src/policy/softmax.js';
import type { Batch } from '../../src/sampling/batch.js';
import { sampleEpisodes } from '../../src/sampling/episodes.js';
import { MeanCovariance } from '../../src/stats/summary.js';
import { meanTest, sidak } from '../../src/stats/tests.js';
import { ALPHA, expectPass, expectReject, randomSoftmax } from './helpers.js';

const base = garnet({ states: 4, actions: 2, branching: 3, gamma: 0.9, seed: 9 });
const unit = withChanges(base, { rewards: Float64Array.from(base.rewards, (r) => (r + 1) / 2) }); // r(s,a) ∈ [0, 1]

/** Per-(s,a) accumulators of (x, x²) with x = r_t − r(s,a). */
function deviations(b: Batch, mdp: FiniteMDP): MeanCovariance[] {
  const accs = Array.from({ length: mdp.numStates * mdp.numActions }, () => new MeanCovariance(2, false));
  for (let i = 0; i < b.size; i++) {
    const sa = b.s_t[i]! * mdp.numActions + b.a_t[i]!;
    const x = b.r_t[i]! - mdp.rewards[sa]!;
    accs[sa]!.push([x, x * x]);
  }
  return accs;
}

/** Whether every (s,a) passes: mean deviation 0 and mean square `variance(sa)`, jointly at ALPHA. */
function noiseMatches(accs: MeanCovariance[], variance: (sa: number) => number): boolean {
  const used = accs.filter((a) => a.count >= 30).length;
  const alpha = sidak(ALPHA, used);
  return accs.every((a, sa) => a.count < 30 || meanTest(a, [0, variance(sa)], alpha).passed);
}

function sample(mdp: FiniteMDP): Batch {
  return sampleEpisodes({ mdp, policy: randomSoftmax(mdp, 1, 0.3) }, { episodes: 4000, seed: 7, maxSteps: 50 });
}

describe('reward noise', () => {
  const sigma = 0.7;
  it(`Gaussian σ = ${sigma}: mean r(s,a) and variance σ²; σ = 0.75 and no noise are rejected`, () => {
    const good = deviations(sample(withChanges(base, { rewardNoise: { kind: 'gaussian', std: sigma } })), base);
    expect(good.every((a) => a.count >= 30)).toBe(true);
    expect(noiseMatches(good, () => sigma * sigma)).toBe(true);
    expect(noiseMatches(deviations(sample(withChanges(base, { rewardNoise: { kind: 'gaussian', std: 0.75 } })), base), () => sigma * sigma)).toBe(false);
    expect(noiseMatches(deviations(sample(base), base), () => sigma * sigma)).toBe(false);
  });

  it('Bernoulli: rewards in {0, 1} with mean r(s,a) and variance r(1 − r); the noise-free sampler is rejected', () => {
    const mdp = withChanges(unit, { rewardNoise: { kind: 'bernoulli' } });
    const b = sample(mdp);
    expect(b.r_t.every((r) => r === 0 || r === 1)).toBe(true);
    const v = (sa: number) => unit.rewards[sa]! * (1 - unit.rewards[sa]!);
    expect(noiseMatches(deviations(b, unit), v)).toBe(true);
    expect(noiseMatches(deviations(sample(unit), unit), v)).toBe(false);
  });

  it('without a noise model the sampled reward is r(s,a) exactly; σ = 0 is no noise', () => {
    for (const mdp of [base, withChanges(base, { rewardNoise: { kind: 'gaussian', std: 0 } })]) {
      const b = sample(mdp);
      let mismatches = 0;
      for (let i = 0; i < b.size; i++) if (b.r_t[i] !== base.rewards[b.s_t[i]! * 2 + b.a_t[i]!]) mismatches++;
      expect(mismatches).toBe(0);
    }
  });

  it('the pooled Gaussian deviations pass a joint mean test too (a single-statistic view of the same data)', () => {
    const acc = new MeanCovariance(2, false);
    for (const a of deviations(sample(withChanges(base, { rewardNoise: { kind: 'gaussian', std: sigma } })), base)) acc.merge(a);
    expectPass(meanTest(acc, [0, sigma * sigma], ALPHA), 'pooled Gaussian');
    expectReject(meanTest(acc, [0, 0.75 * 0.75], ALPHA), 'pooled against σ = 0.75');
  });
});

describe('reward noise from the MDP file format', () => {
  it('a JSON MDP with {"kind": "bernoulli"} samples 0/1 rewards; without rewardNoise, r(s,a) itself', () => {
    const json = (noise: unknown) => JSON.stringify({ states: 1, actions: 1, transitions: [[[1]]], rewards: [[0.25]], gamma: 0.5, initial: [1], ...(noise ? { rewardNoise: noise } : {}) });
    const policy = { param: softmaxPolicy(1, 1), theta: new Float64Array(1) };
    const noisy = sampleEpisodes({ mdp: parseMDP(json({ kind: 'bernoulli' })), policy }, { episodes: 4000, seed: 1, maxSteps: 1 });
    const ones = noisy.r_t.reduce((a, b) => a + b, 0);
    expect(noisy.r_t.every((r) => r === 0 || r === 1)).toBe(true);
    expect(Math.abs(ones / 4000 - 0.25)).toBeLessThan(4 * Math.sqrt(0.25 * 0.75 / 4000)); // 4 standard errors
    const plain = sampleEpisodes({ mdp: parseMDP(json(null)), policy }, { episodes: 10, seed: 1, maxSteps: 1 });
    expect(plain.r_t.every((r) => r === 0.25)).toBe(true);
  });
});
