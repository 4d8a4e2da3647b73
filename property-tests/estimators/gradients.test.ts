import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryPolicy } from '../../src/arbitraries/index.js';
import {
  actorCriticGradient, gae, gaeActorCriticGradient, nStepActorCriticGradient, offPolicyGradientPerDecision, offPolicyGradientWholeTrajectory,
  reinforceRewardToGo, reinforceRewardToGoNoDiscountWeight, reinforceTotalReturn,
} from '../../src/estimators/index.js';
import { evaluatePolicy, policyGradient } from '../../src/exact/index.js';
import { withChanges } from '../../src/mdp/index.js';
import type { Policy } from '../../src/policy/types.js';
import type { Batch } from '../../src/sampling/batch.js';
import { expectError, rel } from '../helpers.js';
import { arbitraryEpisodes, arbitraryValues, buildBatch, explicitRewardToGo, type Episode } from './batches.js';
import { arbitraryCyclicMDP, arbitraryLayeredMDP, arbitrarySoftmaxFor, conditionalBias, enumerateEpisodes, expectation } from './enumerate.js';

const S = 3, A = 2;

/** (1/E) Σ_i c_i ∇log π(a_i|s_i), one score per transition (the unaggregated sum). */
function explicitScoreSum(b: Batch, policy: Policy, c: (i: number) => number): Float64Array {
  const g = new Float64Array(policy.param.numParams);
  const E = new Set(b.episode_t).size;
  for (let i = 0; i < b.size; i++) policy.param.addScore(policy.theta, b.s_t[i]!, b.a_t[i]!, c(i) / E, g);
  return g;
}

/** Per-transition G_t, R of its episode (discounted from t = 0), γ^t, for episodes built by buildBatch. */
function perStep(episodes: readonly Episode[], gamma: number): { G: number[]; R: number[]; w: number[] } {
  const G: number[] = [], R: number[] = [], w: number[] = [];
  for (const e of episodes) {
    const g = explicitRewardToGo(e, gamma), t0 = e.t0 ?? 0;
    g.forEach((x, t) => { G.push(x); R.push(gamma ** t0 * g[0]!); w.push(gamma ** (t0 + t)); });
  }
  return { G, R, w };
}

/** Σ_s η̄(s) Σ_a ∇π(a|s) Q(s,a): the mean of the no-γ^t estimator (η̄ the undiscounted visitation). */
function undiscountedVisitationGradient(mdp: Parameters<typeof policyGradient>[0], policy: Policy): Float64Array {
  const ev = evaluatePolicy(mdp, policy.param.probs(policy.theta));
  const evBar = evaluatePolicy(withChanges(mdp, { gamma: 1 }), policy.param.probs(policy.theta));
  const g = new Float64Array(policy.param.numParams), w = new Float64Array(mdp.numActions);
  for (let s = 0; s < mdp.numStates; s++) {
    for (let a = 0; a < mdp.numActions; a++) w[a] = evBar.eta[s]! * ev.Q[s * mdp.numActions + a]!;
    policy.param.addDProbs(policy.theta, s, w, 0, g);
  }
  return g;
}

const handCases = fc.record({ episodes: arbitraryEpisodes(S, A, { segments: true }), b: arbitraryValues(S), gamma: fc.constantFrom(0, 0.5, 0.9, 1), policy: arbitraryPolicy(S, A) });
const layered = arbitraryLayeredMDP().chain((mdp) => arbitraryPolicy(mdp.numStates, mdp.numActions).map((policy) => ({ mdp, policy })));
// Baselines leave the mean unchanged only where Σ_a ∇π(a|s) = 0: not for the direct parameterization (see below).
const layeredSmooth = arbitraryLayeredMDP().chain((mdp) => arbitraryPolicy(mdp.numStates, mdp.numActions, { kinds: ['softmax', 'loglinear'] }).map((policy) => ({ mdp, policy })));

describe('REINFORCE', () => {
  it('each estimator equals its explicit per-transition sum (aggregation by (s, a) changes nothing)', () => {
    fc.assert(fc.property(handCases, ({ episodes, b: base, gamma, policy }) => {
      const batch = buildBatch(S, A, gamma, episodes);
      const { G, R, w } = perStep(episodes, gamma);
      const b = (i: number) => base[batch.s_t[i]!]!;
      expect(rel(reinforceRewardToGo(batch, policy, gamma, base), explicitScoreSum(batch, policy, (i) => w[i]! * (G[i]! - b(i))), 1)).toBeLessThan(1e-12);
      expect(rel(reinforceTotalReturn(batch, policy, gamma, base), explicitScoreSum(batch, policy, (i) => R[i]! - w[i]! * b(i)), 1)).toBeLessThan(1e-12);
      expect(rel(reinforceRewardToGoNoDiscountWeight(batch, policy, gamma, base), explicitScoreSum(batch, policy, (i) => G[i]! - b(i)), 1)).toBeLessThan(1e-12);
      expect(rel(reinforceRewardToGo(batch, policy, gamma), explicitScoreSum(batch, policy, (i) => w[i]! * G[i]!), 1)).toBeLessThan(1e-12);
    }));
  });
  it('pieces far into their episode (t_index past the cached powers γ^t, t ≥ 2¹⁶) are weighted by γ^t too', () => {
    const far = fc.record({ episodes: arbitraryEpisodes(S, A, { segments: true }), policy: arbitraryPolicy(S, A), gamma: fc.constantFrom(0.9999, 1) });
    fc.assert(fc.property(far, ({ episodes, policy, gamma }) => {
      const shifted = episodes.map((e, k) => ({ ...e, t0: 65_533 + k + (e.t0 ?? 0) }));
      const batch = buildBatch(S, A, gamma, shifted);
      const { G, w } = perStep(shifted, gamma);
      expect(rel(reinforceRewardToGo(batch, policy, gamma), explicitScoreSum(batch, policy, (i) => w[i]! * G[i]!), 1)).toBeLessThan(1e-10);
    }), { numRuns: 30 });
  });
  it('the sums by (s, a) pair are the same in their map form (batch shorter than S·A) and table form', () => {
    const big = fc.record({ episodes: arbitraryEpisodes(40, 3, { maxLength: 4 }), policy: arbitraryPolicy(40, 3), gamma: fc.constantFrom(0.5, 1) });
    fc.assert(fc.property(big, ({ episodes, policy, gamma }) => {
      const batch = buildBatch(40, 3, gamma, episodes);
      expect(batch.size).toBeLessThan(120); // the map path
      const { G, w } = perStep(episodes, gamma);
      expect(rel(reinforceRewardToGo(batch, policy, gamma), explicitScoreSum(batch, policy, (i) => w[i]! * G[i]!), 1)).toBeLessThan(1e-12);
      // the same batch repeated past S·A transitions takes the table path and gives the same estimate
      const many = buildBatch(40, 3, gamma, Array.from({ length: Math.ceil(121 / batch.size) }, () => episodes).flat());
      expect(many.size).toBeGreaterThanOrEqual(120);
      expect(rel(reinforceRewardToGo(many, policy, gamma), reinforceRewardToGo(batch, policy, gamma), 1)).toBeLessThan(1e-12);
    }), { numRuns: 30 });
  });
  it('exact expectation over every episode: reward-to-go without a baseline is unbiased for ∇J (every parameterization)', () => {
    fc.assert(fc.property(layered, ({ mdp, policy }) => {
      const eps = enumerateEpisodes(mdp, policy.param.probs(policy.theta), 10);
      expect(rel(expectation(eps, (b) => reinforceRewardToGo(b, policy, mdp.gamma)), policyGradient(mdp, policy), 1)).toBeLessThan(1e-10);
    }), { numRuns: 25 });
  });
  it('… and so are reward-to-go and total return with any state baseline (a random table, V^π, none) for softmax and log-linear policies', () => {
    fc.assert(fc.property(layeredSmooth, arbitraryValues(7), ({ mdp, policy }, base) => {
      const eps = enumerateEpisodes(mdp, policy.param.probs(policy.theta), 10);
      const gradJ = policyGradient(mdp, policy);
      const V = evaluatePolicy(mdp, policy.param.probs(policy.theta)).V;
      for (const baseline of [undefined, base, V]) {
        expect(rel(expectation(eps, (b) => reinforceRewardToGo(b, policy, mdp.gamma, baseline)), gradJ, 1)).toBeLessThan(1e-10);
        expect(rel(expectation(eps, (b) => reinforceTotalReturn(b, policy, mdp.gamma, baseline)), gradJ, 1)).toBeLessThan(1e-10);
      }
    }), { numRuns: 25 });
  });
  it('direct policies: a baseline shifts the mean by exactly −Σ_s η(s) b(s) 1_s (the partials ignore Σ_a π = 1), and past rewards act as one in the total-return form', () => {
    const direct = arbitraryLayeredMDP().chain((mdp) => arbitraryPolicy(mdp.numStates, mdp.numActions, { kinds: ['direct'] }).map((policy) => ({ mdp, policy })));
    fc.assert(fc.property(direct, arbitraryValues(7), ({ mdp, policy }, base) => {
      const eps = enumerateEpisodes(mdp, policy.param.probs(policy.theta), 10);
      const ev = evaluatePolicy(mdp, policy.param.probs(policy.theta));
      const expected = policyGradient(mdp, policy, ev);
      // η(s) over decision states (the terminal state's absorbing mass is never sampled)
      for (let s = 0; s < mdp.numStates; s++) if (!mdp.terminal[s]) for (let a = 0; a < mdp.numActions; a++) expected[s * mdp.numActions + a] -= ev.eta[s]! * base[s]!;
      expect(rel(expectation(eps, (b) => reinforceRewardToGo(b, policy, mdp.gamma, base)), expected, 1)).toBeLessThan(1e-10);
    }), { numRuns: 15 });
    // the total-return form on a fixed instance with a reward before the last step: biased for direct policies
    const [{ mdp, policy }] = fc.sample(direct.filter(({ mdp }) => mdp.rewards.slice(0, 4).some((r) => r !== 0)), { numRuns: 1, seed: 11 });
    const eps = enumerateEpisodes(mdp!, policy!.param.probs(policy!.theta), 10);
    expect(rel(expectation(eps, (b) => reinforceTotalReturn(b, policy!, mdp!.gamma)), policyGradient(mdp!, policy!), 1)).toBeGreaterThan(1e-3);
  });
  it('the no-γ^t variant has mean Σ_s η̄(s) Σ_a ∇π Q (undiscounted visitation), not ∇J', () => {
    fc.assert(fc.property(layered, ({ mdp, policy }) => {
      const eps = enumerateEpisodes(mdp, policy.param.probs(policy.theta), 10);
      const mean = expectation(eps, (b) => reinforceRewardToGoNoDiscountWeight(b, policy, mdp.gamma));
      expect(rel(mean, undiscountedVisitationGradient(mdp, policy), 1)).toBeLessThan(1e-10);
    }), { numRuns: 25 });
    // negative control: on a fixed instance with γ = 0.5 its mean is far from ∇J
    const [{ mdp, policy }] = fc.sample(layered.filter(({ mdp }) => mdp.gamma === 0.5), { numRuns: 1, seed: 7 });
    const eps = enumerateEpisodes(mdp!, policy!.param.probs(policy!.theta), 10);
    const mean = expectation(eps, (b) => reinforceRewardToGoNoDiscountWeight(b, policy!, mdp!.gamma));
    expect(rel(mean, policyGradient(mdp!, policy!), 1)).toBeGreaterThan(1e-3);
  });
  it('errors: empty batch, wrong policy shape, bad baseline', () => {
    const b = buildBatch(S, A, 0.9, [{ states: [0, 1], actions: [0], rewards: [1], end: 'terminated' }]);
    const [policy] = fc.sample(arbitraryPolicy(S, A, { kinds: ['softmax'] }), { numRuns: 1, seed: 1 });
    expectError(() => reinforceRewardToGo(buildBatch(S, A, 0.9, []), policy!, 0.9), 'ESTIMATOR_EMPTY_BATCH');
    expectError(() => reinforceRewardToGo(b, { ...policy!, param: { ...policy!.param, numStates: 4 } }, 0.9), 'ESTIMATOR_ARGUMENT', 'policy');
    expectError(() => reinforceRewardToGo(b, policy!, 0.9, Float64Array.of(0, NaN, 0)), 'ESTIMATOR_ARGUMENT', 'baseline[1]');
    expectError(() => reinforceRewardToGo(b, { ...policy!, theta: new Float64Array(2) }, 0.9), 'POLICY_SHAPE');
  });
});

describe('actor-critic', () => {
  it('equals (1/E) Σ γ^t ∇log π Â explicitly; the n-step and GAE forms plug in their advantages', () => {
    fc.assert(fc.property(handCases, arbitraryValues(S), ({ episodes, gamma, policy }, V) => {
      const batch = buildBatch(S, A, gamma, episodes);
      const { w } = perStep(episodes, gamma);
      const adv = gae(batch, V, gamma, 0.7);
      expect(rel(actorCriticGradient(batch, policy, gamma, adv), explicitScoreSum(batch, policy, (i) => w[i]! * adv[i]!), 1)).toBeLessThan(1e-12);
      expect(rel(gaeActorCriticGradient(batch, policy, V, gamma, 0.7), actorCriticGradient(batch, policy, gamma, adv), 1)).toBe(0);
    }));
  });
  it('with the exact V^π, the GAE (any λ) and n-step actor-critic gradients are unbiased for ∇J; with a wrong V and λ < 1 they are not', () => {
    fc.assert(fc.property(layeredSmooth, ({ mdp, policy }) => {
      const eps = enumerateEpisodes(mdp, policy.param.probs(policy.theta), 10);
      const gradJ = policyGradient(mdp, policy);
      const V = evaluatePolicy(mdp, policy.param.probs(policy.theta)).V;
      for (const lambda of [0, 0.5, 1]) expect(rel(expectation(eps, (b) => gaeActorCriticGradient(b, policy, V, mdp.gamma, lambda)), gradJ, 1)).toBeLessThan(1e-10);
      for (const n of [1, 2]) expect(rel(expectation(eps, (b) => nStepActorCriticGradient(b, policy, V, mdp.gamma, n)), gradJ, 1)).toBeLessThan(1e-10);
    }), { numRuns: 25 });
    // negative control: a wrong V biases the one-step (λ = 0) actor-critic gradient
    const [{ mdp, policy }] = fc.sample(layeredSmooth.filter(({ policy }) => policy.param.kind === 'softmax'), { numRuns: 1, seed: 3 });
    const eps = enumerateEpisodes(mdp!, policy!.param.probs(policy!.theta), 10);
    const wrongV = new Float64Array(mdp!.numStates).map((_, s) => (s % 2 ? 3 : -2));
    expect(rel(expectation(eps, (b) => gaeActorCriticGradient(b, policy!, wrongV, mdp!.gamma, 0)), policyGradient(mdp!, policy!), 1)).toBeGreaterThan(1e-3);
  });
  it('GAE with the exact V^π is conditionally unbiased for A^π(s, a) across time-limit truncations (cyclic MDP, horizon 3)', () => {
    const cyclic = arbitraryCyclicMDP().chain((mdp) => arbitrarySoftmaxFor(2, 2).map((policy) => ({ mdp, policy })));
    fc.assert(fc.property(cyclic, ({ mdp, policy }) => {
      const pi = policy.param.probs(policy.theta), ev = evaluatePolicy(mdp, pi);
      const eps = enumerateEpisodes(mdp, pi, 3);
      for (const lambda of [0, 0.5, 1]) {
        const bias = conditionalBias(eps, 2, 2, (b) => gae(b, ev.V, mdp.gamma, lambda), ev.A);
        expect(Math.max(...bias.map(Math.abs))).toBeLessThan(1e-12);
      }
    }), { numRuns: 30 });
  });
});

describe('importance-sampled off-policy gradient', () => {
  const offCases = layeredSmooth.chain(({ mdp, policy }) => arbitrarySoftmaxFor(mdp.numStates, mdp.numActions).map((mu) => ({ mdp, policy, mu })));
  it('on-policy (μ = π) both forms equal reinforceRewardToGo on every batch', () => {
    fc.assert(fc.property(handCases, ({ episodes, b: base, gamma, policy }) => {
      const batch = buildBatch(S, A, gamma, episodes, (s, a) => policy.param.logProb(policy.theta, s, a));
      const ref = reinforceRewardToGo(batch, policy, gamma, base);
      expect(rel(offPolicyGradientWholeTrajectory(batch, policy, gamma, base), ref, 1)).toBeLessThan(1e-12);
      expect(rel(offPolicyGradientPerDecision(batch, policy, gamma, base), ref, 1)).toBeLessThan(1e-12);
    }));
  });
  it('exact expectation under a behaviour policy μ: both forms are unbiased for ∇J(π); the unweighted estimate is not', () => {
    fc.assert(fc.property(offCases, arbitraryValues(7), ({ mdp, policy, mu }, base) => {
      const eps = enumerateEpisodes(mdp, mu.param.probs(mu.theta), 10);
      const gradJ = policyGradient(mdp, policy);
      expect(rel(expectation(eps, (b) => offPolicyGradientWholeTrajectory(b, policy, mdp.gamma, base)), gradJ, 1)).toBeLessThan(1e-10);
      expect(rel(expectation(eps, (b) => offPolicyGradientPerDecision(b, policy, mdp.gamma, base)), gradJ, 1)).toBeLessThan(1e-10);
    }), { numRuns: 20 });
    const [{ mdp, policy, mu }] = fc.sample(offCases, { numRuns: 1, seed: 5 });
    const eps = enumerateEpisodes(mdp!, mu!.param.probs(mu!.theta), 10);
    expect(rel(expectation(eps, (b) => reinforceRewardToGo(b, policy!, mdp!.gamma)), policyGradient(mdp!, policy!), 1)).toBeGreaterThan(1e-3);
  });
  it('per-decision equals the explicit Σ_t ∇log π_t Σ_{k≥t} γ^k ρ_{0:k} r_k', () => {
    fc.assert(fc.property(handCases, fc.array(fc.integer({ min: -3, max: 3 }).map((x) => x / 4), { minLength: S * A, maxLength: S * A }), ({ episodes, gamma, policy }, muLogits) => {
      const logmu = (s: number, a: number) => muLogits[s * A + a]! - Math.log(muLogits.slice(s * A, s * A + A).reduce((m, x) => m + Math.exp(x), 0));
      const batch = buildBatch(S, A, gamma, episodes, logmu);
      const c = new Float64Array(batch.size);
      let i0 = 0;
      for (const e of episodes) {
        const L = e.actions.length, t0 = e.t0 ?? 0;
        const rho = e.actions.map((a, t) => Math.exp(policy.param.logProb(policy.theta, e.states[t]!, a) - logmu(e.states[t]!, a)));
        for (let t = 0; t < L; t++) {
          let sum = 0;
          for (let k = t; k < L; k++) sum += gamma ** (t0 + k) * rho.slice(0, k + 1).reduce((x, y) => x * y, 1) * e.rewards[k]!;
          c[i0 + t] = sum;
        }
        i0 += L;
      }
      expect(rel(offPolicyGradientPerDecision(batch, policy, gamma), explicitScoreSum(batch, policy, (i) => c[i]!), 1)).toBeLessThan(1e-10);
    }));
  });
  it('an overflowing importance weight is a typed error, not Infinity', () => {
    const eps: Episode[] = [{ states: [0, 0, 0, 0], actions: [0, 0, 0], rewards: [1, 1, 1], end: 'terminated' }];
    const batch = buildBatch(S, A, 1, eps, () => -400);
    const [policy] = fc.sample(arbitraryPolicy(S, A, { kinds: ['softmax'] }), { numRuns: 1, seed: 2 });
    expectError(() => offPolicyGradientWholeTrajectory(batch, policy!, 1), 'ESTIMATOR_OVERFLOW');
    expectError(() => offPolicyGradientPerDecision(batch, policy!, 1), 'ESTIMATOR_OVERFLOW');
  });
});

