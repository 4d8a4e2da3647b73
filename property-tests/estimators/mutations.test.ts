// The mutation catalogue (src/verify/mutations.ts): every mutant differs from its twin on a
// batch where its bug matters, agrees with it where the bug cannot show, and — for the
// mean-detected ones — has an exact expectation (by enumeration) off the target that its
// twin hits. The variance-only mutants share the twin's exact mean and have a larger exact
// variance on the instances below.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryPolicy } from '../../src/arbitraries/index.js';
import * as estimators from '../../src/estimators/index.js';
import { constantBaseline, entropyBonus, gae, klK1, klK3, klPenalty, ppoClipSurrogate, reinforceRewardToGo, reinforceTotalReturn } from '../../src/estimators/index.js';
import { advantageExpectation, evaluatePolicy, policyGradient } from '../../src/exact/index.js';
import type { Policy } from '../../src/policy/types.js';
import { allocateBatch, type Batch } from '../../src/sampling/batch.js';
import {
  MUTATIONS, entropyBonusSignFlipped, findMutation, gaeBootstrapThroughTermination, gaeCarrySeededWithBootstrap, gaeFutureWeightsShifted, gaeLambdaWithoutGamma, lambdaReturnSwappedMix, gaeDoneFlagOneStepLate, gaeNoEpisodeReset, gaeTruncationAsTermination,
  klK3ExpOfRatio, klPenaltySignFlipped, ppoMinBeforeMultiply, reinforceNextStateBaseline, type Mutation,
} from '../../src/verify/mutations.js';
import { rel } from '../helpers.js';
import { arbitraryEpisodes, arbitraryValues, buildBatch, relErr, type Episode } from './batches.js';
import { arbitraryCyclicMDP, arbitraryLayeredMDP, arbitrarySoftmaxFor, conditionalBias, enumerateEpisodes, expectation, totalVariance, type WeightedEpisode } from './enumerate.js';

const S = 3, A = 2;
const maxAbs = (x: ArrayLike<number>) => Math.max(0, ...Array.from(x, Math.abs));

/** Two episodes: a terminated one, then a truncated one — every GAE bug shows on it. */
const twoEpisodes: Episode[] = [
  { states: [0, 1, 2], actions: [0, 1], rewards: [1, -1], end: 'terminated' },
  { states: [1, 0, 2], actions: [1, 0], rewards: [2, 0.5], end: 'truncated' },
];
const V3 = Float64Array.of(0.25, -0.5, 2);

/** Concatenates two one-episode batches (episode ids 0 and 1). */
function concat(x: Batch, y: Batch): Batch {
  const b = allocateBatch(x.size + y.size, x.numStates, x.numActions, x.gamma);
  for (const k of ['s_t', 'a_t', 'r_t', 's_tp1', 'terminated_t', 'truncated_t', 't_index', 'logp_t'] as const) { (b[k] as Float64Array).set(x[k] as ArrayLike<number>); (b[k] as Float64Array).set(y[k] as ArrayLike<number>, x.size); }
  b.episode_t.fill(1, x.size);
  return b;
}

/** Every ordered pair of episodes, as two-episode batches with probability p₁p₂. */
function pairs(eps: readonly WeightedEpisode[]): WeightedEpisode[] {
  return eps.flatMap((x) => eps.map((y) => ({ prob: x.prob * y.prob, batch: concat(x.batch, y.batch) })));
}

describe('the mutation catalogue', () => {
  it('ids are unique; each twin is the exported estimator of that name; each mutant has the twin\'s arity', () => {
    expect(new Set(MUTATIONS.map((m) => m.id)).size).toBe(MUTATIONS.length);
    for (const m of MUTATIONS) {
      expect((estimators as Record<string, unknown>)[m.twin], m.id).toBe(m.correct);
      expect(m.mutant, m.id).not.toBe(m.correct);
      expect(m.mutant.length, m.id).toBe(m.correct.length);
      expect(['mean', 'variance']).toContain(m.detectedBy);
      expect(findMutation(m.id)).toBe(m);
    }
    expect(MUTATIONS.filter((m) => m.detectedBy === 'variance').map((m) => m.id).sort()).toEqual(['mutant.k1-instead-of-k3', 'mutant.whole-episode-return']);
  });
  it('every mutant differs from its twin on an input where its bug matters', () => {
    const [policy] = fc.sample(arbitraryPolicy(S, A, { kinds: ['softmax'] }), { numRuns: 1, seed: 12 });
    const p = policy!, theta = p.theta.map((x, k) => x + (k % 2 ? 1.5 : -1.5)), moved: Policy = { param: p.param, theta };
    const batch = buildBatch(S, A, 0.9, twoEpisodes, (s, a) => p.param.logProb(p.theta, s, a));
    const adv = Float64Array.of(-1, -2, -3, -0.5);
    const differs = (m: Mutation): number => {
      switch (m.kind) {
        // GAE's fourth argument is λ; the n-step twin's is n
        case 'advantage': { const x = m.twin === 'nStepAdvantages' ? 3 : 0.8; return relErr(m.mutant(batch, V3, 0.9, x), m.correct(batch, V3, 0.9, x)); }
        case 'policy-gradient': return rel(m.mutant(batch, p, 0.9, V3), m.correct(batch, p, 0.9, V3), 1);
        case 'clipped-surrogate': return rel(m.mutant(batch, moved, 0.9, adv, 0.2).gradient, m.correct(batch, moved, 0.9, adv, 0.2).gradient, 1);
        case 'regularizer': return Math.abs(m.mutant(batch, moved, 0.9, 0.5).loss - m.correct(batch, moved, 0.9, 0.5).loss);
        case 'kl': return relErr(m.mutant(Float64Array.of(0.3, -0.2)), m.correct(Float64Array.of(0.3, -0.2)));
      }
    };
    for (const m of MUTATIONS) expect(differs(m), m.id).toBeGreaterThan(1e-3);
  });
});

describe('GAE mutants', () => {
  const cases = fc.record({ episodes: arbitraryEpisodes(S, A, { segments: true }), V: arbitraryValues(S), gamma: fc.constantFrom(0, 0.5, 0.9, 1), lambda: fc.constantFrom(0, 0.5, 1) });
  it('no reset: agrees on a single episode, leaks the next episode\'s TD errors on two', () => {
    fc.assert(fc.property(cases, ({ episodes, V, gamma, lambda }) => {
      const one = buildBatch(S, A, gamma, [episodes[0]!]);
      expect(relErr(gaeNoEpisodeReset(one, V, gamma, lambda), gae(one, V, gamma, lambda))).toBeLessThan(1e-14);
    }));
    expect(gaeNoEpisodeReset(buildBatch(S, A, 0.5, twoEpisodes), V3, 0.5, 1)[1]).not.toBeCloseTo(gae(buildBatch(S, A, 0.5, twoEpisodes), V3, 0.5, 1)[1]!, 3);
  });
  it('truncation as termination: agrees on terminated-only batches, loses γ(γλ)^{L−1−t}V(s_L) on truncated ones', () => {
    fc.assert(fc.property(cases, ({ episodes, V, gamma, lambda }) => {
      const term = buildBatch(S, A, gamma, episodes.map((e) => ({ ...e, end: 'terminated' as const })));
      expect(relErr(gaeTruncationAsTermination(term, V, gamma, lambda), gae(term, V, gamma, lambda))).toBe(0);
      const ep = episodes[0]!, L = ep.actions.length, trunc = buildBatch(S, A, gamma, [{ ...ep, end: 'truncated' }]);
      const diff = gae(trunc, V, gamma, lambda).map((x, t) => x - gaeTruncationAsTermination(trunc, V, gamma, lambda)[t]!);
      for (let t = 0; t < L; t++) expect(diff[t]).toBeCloseTo(gamma * (gamma * lambda) ** (L - 1 - t) * V[ep.states[L]!]!, 12);
    }));
  });
  it('carry seeded with V(s_T): agrees on terminated-only batches and at λ = 0; adds γλV(s_T) (discounted back) on truncated ones', () => {
    fc.assert(fc.property(cases, ({ episodes, V, gamma, lambda }) => {
      const term = buildBatch(S, A, gamma, episodes.map((e) => ({ ...e, end: 'terminated' as const })));
      expect(relErr(gaeCarrySeededWithBootstrap(term, V, gamma, lambda), gae(term, V, gamma, lambda))).toBe(0);
      const b = buildBatch(S, A, gamma, episodes);
      expect(relErr(gaeCarrySeededWithBootstrap(b, V, gamma, 0), gae(b, V, gamma, 0))).toBe(0);
      const ep = episodes[0]!, L = ep.actions.length, trunc = buildBatch(S, A, gamma, [{ ...ep, end: 'truncated' }]);
      const diff = gaeCarrySeededWithBootstrap(trunc, V, gamma, lambda).map((x, t) => x - gae(trunc, V, gamma, lambda)[t]!);
      for (let t = 0; t < L; t++) expect(diff[t]).toBeCloseTo((gamma * lambda) ** (L - t) * V[ep.states[L]!]!, 12);
    }));
  });
  it('done flag one step late: differs on the step before every episode end', () => {
    const b = buildBatch(S, A, 0.9, twoEpisodes);
    const d = gaeDoneFlagOneStepLate(b, V3, 0.9, 0.8).map((x, i) => x - gae(b, V3, 0.9, 0.8)[i]!);
    expect(Math.abs(d[0]!)).toBeGreaterThan(1e-3); // resets one step early
    expect(Math.abs(d[1]!)).toBeGreaterThan(1e-3); // carries across the episode end
  });
  it('exact conditional bias with the exact V^π: the twin is unbiased for A^π, every GAE mutant is not', () => {
    // truncation mutants: a continuing MDP cut at horizon 3
    const [{ mdp, policy }] = fc.sample(arbitraryCyclicMDP().chain((mdp) => arbitrarySoftmaxFor(2, 2).map((policy) => ({ mdp, policy }))), { numRuns: 1, seed: 8 });
    const pi = policy!.param.probs(policy!.theta), ev = evaluatePolicy(mdp!, pi), eps = enumerateEpisodes(mdp!, pi, 3);
    const bias = (f: typeof gae) => maxAbs(conditionalBias(eps, 2, 2, (b) => f(b, ev.V, mdp!.gamma, 0.7), ev.A));
    expect(bias(gae)).toBeLessThan(1e-12);
    expect(bias(gaeTruncationAsTermination)).toBeGreaterThan(1e-3);
    expect(bias(gaeCarrySeededWithBootstrap)).toBeGreaterThan(1e-3);
    // episode-boundary mutants: pairs of episodes of a layered MDP in one batch
    const [lay] = fc.sample(arbitraryLayeredMDP(2, 2, 2).chain((m) => arbitrarySoftmaxFor(m.numStates, 2).map((q) => ({ mdp: m, policy: q }))), { numRuns: 1, seed: 8 });
    const piL = lay!.policy.param.probs(lay!.policy.theta), evL = evaluatePolicy(lay!.mdp, piL);
    const two = pairs(enumerateEpisodes(lay!.mdp, piL, 10)), SL = lay!.mdp.numStates;
    const biasL = (f: typeof gae) => maxAbs(conditionalBias(two, SL, 2, (b) => f(b, evL.V, lay!.mdp.gamma, 0.7), evL.A));
    expect(biasL(gae)).toBeLessThan(1e-12);
    expect(biasL(gaeDoneFlagOneStepLate)).toBeGreaterThan(1e-3);
    // with the exact V^π the leaked TD errors of the next episode have mean zero: no reset only adds variance …
    expect(biasL(gaeNoEpisodeReset)).toBeLessThan(1e-12);
    // … with any other value table (here none, V = 0, at λ = 1: Â = G_t, target Q^π) it is biased by the next episode's return
    const zero = new Float64Array(SL), Qpi = evL.Q;
    const biasZero = (f: typeof gae) => maxAbs(conditionalBias(two, SL, 2, (b) => f(b, zero, lay!.mdp.gamma, 1), Qpi));
    expect(biasZero(gae)).toBeLessThan(1e-12);
    expect(Math.abs(evL.J)).toBeGreaterThan(1e-3);
    expect(biasZero(gaeNoEpisodeReset)).toBeGreaterThan(1e-4);
  });
});

describe('GAE mutants that V^π cannot see (the critic claim\'s controls)', () => {
  it('exact conditional bias: zero with V^π, non-zero under a wrong critic, where the correct GAE matches advantageExpectation exactly', () => {
    const [lay] = fc.sample(arbitraryLayeredMDP(2, 3, 2, [0.9]).chain((m) => arbitrarySoftmaxFor(m.numStates, 2).map((q) => ({ mdp: m, policy: q }))), { numRuns: 1, seed: 21 });
    const { mdp, policy } = lay!, SL = mdp.numStates, lambda = 0.7;
    const pi = policy.param.probs(policy.theta), ev = evaluatePolicy(mdp, pi);
    const two = pairs(enumerateEpisodes(mdp, pi, 10));
    const wrong = Float64Array.from(ev.V, (v, s) => v + (1 + (s % 3)) / 3); // non-zero on the terminal state too
    const target = advantageExpectation(mdp, pi, wrong, 'gae', lambda, { horizons: 1, uncut: true }).uncut!.advantages;
    const bias = (f: typeof gae, V: Float64Array, t: Float64Array) => maxAbs(conditionalBias(two, SL, 2, (b) => f(b, V, mdp.gamma, lambda), t));
    expect(bias(gae, ev.V, ev.A)).toBeLessThan(1e-12);
    expect(bias(gae, wrong, target)).toBeLessThan(1e-12);
    for (const f of [gaeLambdaWithoutGamma, gaeFutureWeightsShifted, lambdaReturnSwappedMix, gaeBootstrapThroughTermination, gaeNoEpisodeReset]) {
      expect(bias(f, ev.V, ev.A), f.name).toBeLessThan(1e-12);
      expect(bias(f, wrong, target), f.name).toBeGreaterThan(1e-3);
    }
  });
  it('each agrees with GAE where its bug cannot act (λ = 0 for the weights; λ = ½ for the swapped mix; no termination for the bootstrap)', () => {
    const b = buildBatch(S, A, 0.9, twoEpisodes);
    for (const f of [gaeLambdaWithoutGamma, gaeFutureWeightsShifted]) expect(relErr(f(b, V3, 0.9, 0), gae(b, V3, 0.9, 0)), f.name).toBe(0);
    expect(relErr(lambdaReturnSwappedMix(b, V3, 0.9, 0.5), gae(b, V3, 0.9, 0.5))).toBeLessThan(1e-14);
    const trunc = buildBatch(S, A, 0.9, twoEpisodes.map((e) => ({ ...e, end: 'truncated' as const })));
    expect(relErr(gaeBootstrapThroughTermination(trunc, V3, 0.9, 0.8), gae(trunc, V3, 0.9, 0.8))).toBe(0);
  });
});

describe('policy-gradient mutants', () => {
  const layered = arbitraryLayeredMDP(2, 3, 2, [0.5]).chain((mdp) => arbitraryPolicy(mdp.numStates, 2, { kinds: ['softmax', 'loglinear'] }).map((policy) => ({ mdp, policy })));
  it('no γ^t weight: equal to the twin at γ = 1, different at γ < 1 on transitions with t > 0', () => {
    const [p] = fc.sample(arbitraryPolicy(S, A, { kinds: ['softmax'] }), { numRuns: 1, seed: 2 });
    const m = findMutation('mutant.reinforce-no-discount-weight')!;
    if (m.kind !== 'policy-gradient') throw new Error('kind');
    expect(rel(m.mutant(buildBatch(S, A, 1, twoEpisodes), p!, 1), m.correct(buildBatch(S, A, 1, twoEpisodes), p!, 1), 1)).toBe(0);
    expect(rel(m.mutant(buildBatch(S, A, 0.5, twoEpisodes), p!, 0.5), m.correct(buildBatch(S, A, 0.5, twoEpisodes), p!, 0.5), 1)).toBeGreaterThan(1e-3);
  });
  it('action-dependent baseline: equal to the twin for a constant baseline; exact mean off ∇J for a state table, while the twin hits it', () => {
    fc.assert(fc.property(layered, arbitraryValues(7), ({ mdp, policy }, base) => {
      const eps = enumerateEpisodes(mdp, policy.param.probs(policy.theta), 10);
      for (const { batch } of eps.slice(0, 5)) expect(rel(reinforceNextStateBaseline(batch, policy, mdp.gamma, constantBaseline(7, 1.5)), reinforceRewardToGo(batch, policy, mdp.gamma, constantBaseline(7, 1.5)), 1)).toBeLessThan(1e-12);
      const gradJ = policyGradient(mdp, policy);
      expect(rel(expectation(eps, (b) => reinforceRewardToGo(b, policy, mdp.gamma, base)), gradJ, 1)).toBeLessThan(1e-10);
    }), { numRuns: 15 });
    const [{ mdp, policy }] = fc.sample(layered.filter(({ policy }) => policy.param.kind === 'softmax'), { numRuns: 1, seed: 6 });
    const eps = enumerateEpisodes(mdp!, policy!.param.probs(policy!.theta), 10);
    const V = evaluatePolicy(mdp!, policy!.param.probs(policy!.theta)).V;
    expect(rel(expectation(eps, (b) => reinforceNextStateBaseline(b, policy!, mdp!.gamma, V)), policyGradient(mdp!, policy!), 1)).toBeGreaterThan(1e-3);
  });
  it('whole-episode return (variance only): the same exact mean, a different estimate per batch, a larger exact variance', () => {
    fc.assert(fc.property(layered, ({ mdp, policy }) => {
      const eps = enumerateEpisodes(mdp, policy.param.probs(policy.theta), 10);
      const mTotal = expectation(eps, (b) => reinforceTotalReturn(b, policy, mdp.gamma)), mRtg = expectation(eps, (b) => reinforceRewardToGo(b, policy, mdp.gamma));
      expect(rel(mTotal, mRtg, 1)).toBeLessThan(1e-10);
    }), { numRuns: 15 });
    // a fixed instance with positive rewards at every step: past rewards only add noise
    const [{ mdp, policy }] = fc.sample(layered.filter(({ mdp }) => Array.from(mdp.rewards.slice(0, 12)).every((r) => r > 0)), { numRuns: 1, seed: 1 });
    const eps = enumerateEpisodes(mdp!, policy!.param.probs(policy!.theta), 10);
    expect(rel(reinforceTotalReturn(eps[0]!.batch, policy!, mdp!.gamma), reinforceRewardToGo(eps[0]!.batch, policy!, mdp!.gamma), 1)).toBeGreaterThan(1e-3);
    expect(totalVariance(eps, (b) => reinforceTotalReturn(b, policy!, mdp!.gamma))).toBeGreaterThan(1.01 * totalVariance(eps, (b) => reinforceRewardToGo(b, policy!, mdp!.gamma)));
  });
});

describe('surrogate and KL mutants', () => {
  const [p] = fc.sample(arbitraryPolicy(S, A, { kinds: ['softmax'] }), { numRuns: 1, seed: 5 });
  const old = p!;
  const batchFor = (logs: number[]) => { let i = 0; return buildBatch(S, A, 1, [{ states: [0, 1, 2, 0], actions: [0, 1, 0], rewards: [0, 0, 0], end: 'truncated' }], (s, a) => old.param.logProb(old.theta, s, a) - logs[i++]!); };
  it('PPO min-before-multiply: agrees at ρ = 1 (θ = θ_old) and wherever Â ≥ 0; differs for Â < 0 with ρ outside the clip range', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: -8, max: 8 }).map((x) => x / 4), { minLength: 3, maxLength: 3 }), fc.array(fc.integer({ min: -10, max: 10 }).map((x) => x / 10), { minLength: 3, maxLength: 3 }), (a, logs) => {
      const adv = Float64Array.from(a);
      const atOld = batchFor([0, 0, 0]);
      expect(ppoMinBeforeMultiply(atOld, old, 1, adv, 0.2)).toEqual(ppoClipSurrogate(atOld, old, 1, adv, 0.2));
      const moved = batchFor(logs), pos = adv.map(Math.abs);
      expect(ppoMinBeforeMultiply(moved, old, 1, pos, 0.2)).toEqual(ppoClipSurrogate(moved, old, 1, pos, 0.2));
    }));
    // Â < 0: ρ = e^{0.5} > 1.2 (correct: unclipped ρÂ with gradient; mutant: (1+ε)Â, gradient 0) and ρ = e^{−0.5} < 0.8
    const b = batchFor([0.5, -0.5, 0]), adv = Float64Array.of(-1, -1, 0);
    const good = ppoClipSurrogate(b, old, 1, adv, 0.2), bad = ppoMinBeforeMultiply(b, old, 1, adv, 0.2);
    expect(good.loss).toBeCloseTo(Math.exp(0.5) + 0.8, 12);
    expect(bad.loss).toBeCloseTo(1.2 + Math.exp(-0.5), 12);
    expect(rel(bad.gradient, good.gradient, 1)).toBeGreaterThan(0.1);
  });
  it('sign-flipped KL penalty and entropy bonus: the exact negatives of their twins (agree only where the twin is 0)', () => {
    const b = batchFor([0.3, -0.2, 0.1]);
    const kl = klPenalty(b, old, 1, 0.7), klBad = klPenaltySignFlipped(b, old, 1, 0.7);
    expect(klBad.loss).toBe(-kl.loss);
    expect(kl.loss).toBeGreaterThan(0);
    expect(Array.from(klBad.gradient)).toEqual(Array.from(kl.gradient, (x) => -x));
    const atOld = batchFor([0, 0, 0]);
    expect(Math.abs(klPenaltySignFlipped(atOld, old, 1, 0.7).loss)).toBeLessThan(1e-15);
    const h = entropyBonus(b, old, 1, 0.1), hBad = entropyBonusSignFlipped(b, old, 1, 0.1);
    expect(hBad.loss).toBe(-h.loss);
    expect(h.loss).toBeLessThan(0);
    expect(entropyBonusSignFlipped(b, old, 1, 0).loss).toBeCloseTo(0, 15);
  });
  it('k3 as (e^r − 1) − r: wrong even at p = q (e − 2), exact mean off KL; k1 in place of k3: same exact mean, larger variance near p = q', () => {
    expect(klK3ExpOfRatio(Float64Array.of(0))[0]).toBeCloseTo(Math.E - 2, 15);
    expect(klK3(Float64Array.of(0))[0]).toBe(0);
    const q = [0.5, 0.3, 0.2], pp = [0.45, 0.35, 0.2];
    const lr = Float64Array.from(q, (qx, x) => Math.log(pp[x]! / qx));
    const mean = (k: Float64Array) => k.reduce((m, v, x) => m + q[x]! * v, 0);
    const variance = (k: Float64Array) => k.reduce((m, v, x) => m + q[x]! * (v - mean(k)) ** 2, 0);
    const kl = q.reduce((m, qx, x) => m + qx * Math.log(qx / pp[x]!), 0);
    expect(mean(klK3(lr))).toBeCloseTo(kl, 14);
    expect(mean(klK1(lr))).toBeCloseTo(kl, 14);
    expect(Math.abs(mean(klK3ExpOfRatio(lr)) - kl)).toBeGreaterThan(0.5);
    expect(variance(klK1(lr))).toBeGreaterThan(10 * variance(klK3(lr)));
  });
});
