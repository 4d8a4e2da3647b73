// The exact identities over fast-check random MDPs and policies (softmax, direct,
// log-linear; discounted and episodic). Each identity is measured by the same function the
// verdict table uses (src/verify/claims/exact.ts), and each has a negative control here.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryMDP, arbitraryMDPAndPolicy, arbitraryPolicy } from '../../src/arbitraries/index.js';
import {
  evaluatePolicy, fisherMatrix, gradientFiniteDifferences, gradientForwardMode, policyGradient,
  policyIteration, valueIteration, weightedKLHessian,
} from '../../src/exact/index.js';
import { withChanges } from '../../src/mdp/index.js';
import { softmaxPolicy } from '../../src/policy/index.js';
import {
  advantageMean, bellmanResidual, controlDiscrepancy, naturalGradientDiscrepancy, performanceDifference, relDiff, visitationResidual,
} from '../../src/verify/claims/exact.js';

const any = arbitraryMDPAndPolicy({ regime: 'any', maxStates: 6 });
const probs = (p: { param: { probs(t: Float64Array): Float64Array }; theta: Float64Array }) => p.param.probs(p.theta);

describe('Bellman equations, advantages, visitation', () => {
  it('V = r_π + γP_πV and Q = r + γPV on every state', () => {
    fc.assert(fc.property(any, ({ mdp, policy }) => {
      const ev = evaluatePolicy(mdp, probs(policy));
      expect(bellmanResidual(mdp, probs(policy), ev.V)).toBeLessThan(1e-10);
      // V(s) = Σ_a π Q on non-terminal states, Q = r + γPV by construction of the check
      const pi = probs(policy), A = mdp.numActions;
      for (let s = 0; s < mdp.numStates; s++) {
        if (mdp.terminal[s]) { expect(ev.V[s]).toBe(0); continue; }
        let v = 0;
        for (let a = 0; a < A; a++) v += pi[s * A + a]! * ev.Q[s * A + a]!;
        expect(Math.abs(v - ev.V[s]!)).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(ev.V[s]!)));
      }
    }));
  });
  it('control: V evaluated with γ² violates the Bellman equation with γ', () => {
    fc.assert(fc.property(arbitraryMDPAndPolicy({ regime: 'discounted' }).filter(({ mdp }) => mdp.gamma > 0 && mdp.gamma < 1 && mdp.rewards.some((r) => r !== 0)), ({ mdp, policy }) => {
      const wrong = evaluatePolicy(withChanges(mdp, { gamma: mdp.gamma ** 2 }), probs(policy)).V;
      const right = evaluatePolicy(mdp, probs(policy)).V;
      // the wrong V is rejected whenever it differs from the right one at all
      if (relDiff(wrong, right) > 1e-6) expect(bellmanResidual(mdp, probs(policy), wrong)).toBeGreaterThan(1e-10);
    }));
  });
  it('Σ_a π(a|s) A(s,a) = 0 in every state (and the unweighted sum is not, in general)', () => {
    let controlRejected = 0;
    fc.assert(fc.property(any, ({ mdp, policy }) => {
      const ev = evaluatePolicy(mdp, probs(policy));
      expect(advantageMean(probs(policy), ev.A, mdp.numStates, mdp.numActions)).toBeLessThan(1e-10);
      if (advantageMean(probs(policy), ev.A, mdp.numStates, mdp.numActions, false) > 1e-10) controlRejected++;
    }));
    expect(controlRejected).toBeGreaterThan(10);
  });
  it('η solves η = p0 + γP_πᵀη, d sums to 1, Σ η = 1/(1−γ) or the expected episode length', () => {
    fc.assert(fc.property(any, ({ mdp, policy }) => {
      const ev = evaluatePolicy(mdp, probs(policy));
      expect(visitationResidual(mdp, probs(policy), ev.eta, ev.d)).toBeLessThan(1e-10);
      if (mdp.gamma < 1) expect(ev.horizon).toBeCloseTo(1 / (1 - mdp.gamma), 8);
      let tot = 0;
      for (let s = 0; s < mdp.numStates; s++) tot += ev.eta[s]!;
      expect(tot / ev.horizon).toBeCloseTo(1, 10);
    }));
  });
  it('control: reading the flows forwards (P_π in place of P_πᵀ) violates the fixed point', () => {
    let rejected = 0, total = 0;
    fc.assert(fc.property(arbitraryMDPAndPolicy({ regime: 'discounted', minStates: 2 }).filter(({ mdp }) => mdp.gamma > 0), ({ mdp, policy }) => {
      const ev = evaluatePolicy(mdp, probs(policy));
      total++;
      if (visitationResidual(mdp, probs(policy), ev.eta, ev.d, false) > 1e-10) rejected++;
    }));
    expect(rejected / total).toBeGreaterThan(0.8);
  });
});

describe('the policy gradient theorem against independent routes', () => {
  it('theorem = forward-mode AD through the solve, to 1e-8 relative, for all three parameterizations', () => {
    fc.assert(fc.property(any, ({ mdp, policy }) => {
      expect(relDiff(policyGradient(mdp, policy), gradientForwardMode(mdp, policy), 1e-9)).toBeLessThan(1e-8);
    }));
  });
  it('theorem = Ridders-extrapolated central differences within their error estimate', () => {
    fc.assert(fc.property(any, ({ mdp, policy }) => {
      const g = policyGradient(mdp, policy);
      const fd = gradientFiniteDifferences(mdp, policy);
      const scale = Math.max(...Array.from(g, Math.abs), 1e-6);
      expect(relDiff(g, fd.value, scale)).toBeLessThan(Math.max(1e-6, (100 * fd.error) / scale));
    }), { numRuns: 25 });
  });
  it('control: the theorem with d in place of η disagrees with AD whenever Σ η ≠ 1', () => {
    fc.assert(fc.property(any.filter(({ mdp }) => mdp.gamma > 0), ({ mdp, policy }) => {
      const ev = evaluatePolicy(mdp, probs(policy));
      const ad = gradientForwardMode(mdp, policy);
      if (Math.max(...Array.from(ad, Math.abs)) < 1e-6 || Math.abs(ev.horizon - 1) < 1e-6) return;
      expect(relDiff(policyGradient(mdp, policy, { ...ev, eta: ev.d }), ad)).toBeGreaterThan(1e-8);
    }));
  });
});

describe('Fisher, natural gradient, performance difference, control', () => {
  it('F(θ) = ∇²_θ′ Σ_s d(s) KL(π_θ ‖ π_θ′) at θ′ = θ (nested dual numbers)', () => {
    fc.assert(fc.property(arbitraryMDPAndPolicy({ regime: 'any', maxStates: 4, maxActions: 3 }), ({ mdp, policy }) => {
      const ev = evaluatePolicy(mdp, probs(policy));
      const F = fisherMatrix(mdp, policy, ev);
      const H = weightedKLHessian(policy.param, policy.theta, policy.theta, ev.d);
      expect(relDiff(F, H, 1e-12)).toBeLessThan(1e-9);
    }), { numRuns: 30 });
  });
  it('softmax: F⁺∇J ≡ (Σ η)·A modulo ker F; control: A alone is rejected', () => {
    fc.assert(fc.property(arbitraryMDP({ regime: 'any', maxStates: 5 }).chain((mdp) => arbitraryPolicy(mdp.numStates, mdp.numActions, { kinds: ['softmax'] }).map((policy) => ({ mdp, policy }))), ({ mdp, policy }) => {
      expect(naturalGradientDiscrepancy(mdp, policy)).toBeLessThan(1e-8);
      const ev = evaluatePolicy(mdp, probs(policy));
      const g = policyGradient(mdp, policy, ev);
      if (Math.max(...Array.from(g, Math.abs)) > 1e-8 && Math.abs(ev.horizon - 1) > 1e-6) expect(naturalGradientDiscrepancy(mdp, policy, 1)).toBeGreaterThan(1e-8);
    }), { numRuns: 40 });
  });
  it("performance-difference lemma: J(π′) − J(π) = Σ_s η_π′(s) Σ_a π′(a|s) A^π(s,a)", () => {
    fc.assert(fc.property(arbitraryMDP({ regime: 'any' }).chain((mdp) => fc.tuple(fc.constant(mdp), arbitraryPolicy(mdp.numStates, mdp.numActions), arbitraryPolicy(mdp.numStates, mdp.numActions))), ([mdp, p, q]) => {
      expect(performanceDifference(mdp, probs(p), probs(q))).toBeLessThan(1e-9);
    }));
  });
  it('value iteration and policy iteration agree, V* ≥ V^uniform, and the greedy policy attains V*', () => {
    fc.assert(fc.property(arbitraryMDP({ regime: 'any' }), (mdp) => {
      expect(controlDiscrepancy(mdp)).toBeLessThan(1e-9);
      const vi = valueIteration(mdp, 1e-11);
      const greedy = evaluatePolicy(mdp, vi.policy).V;
      expect(relDiff(greedy, vi.V, 1)).toBeLessThan(1e-8);
    }));
  });
  it('the natural gradient of a softmax policy on a 1-state bandit is A/(1−γ) exactly where F is invertible on the tangent space', () => {
    const mdp = withChanges(arbitraryBandit(), {});
    const policy = { param: softmaxPolicy(1, 3), theta: Float64Array.of(0.3, -0.2, 0.1) };
    expect(naturalGradientDiscrepancy(mdp, policy)).toBeLessThan(1e-10);
  });
});

function arbitraryBandit() {
  return withChanges(
    // one state that loops on itself with rewards 1, 2, 3 and γ = 1/2
    { numStates: 1, numActions: 3, stateNames: undefined, actionNames: undefined, transitions: { nRows: 3, nCols: 1, rowPtr: Int32Array.of(0, 1, 2, 3), col: Int32Array.of(0, 0, 0), val: Float64Array.of(1, 1, 1) }, rewards: Float64Array.of(1, 2, 3), gamma: 0.5, initial: Float64Array.of(1), terminal: new Uint8Array(1), terminalStates: [], rewardNoise: undefined },
    {},
  );
}
