// The drifts over fast-check random MDPs and policies: their values against independent
// formulas, the conditions of Definition 5.1 (and c·TV failing the derivative one), PPO's
// decomposition (and the variant without the positive part failing it).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryMDPAndPolicy, arbitraryPolicyTable } from '../../src/arbitraries/index.js';
import { evaluatePolicy, klPerState, tvPerState } from '../../src/exact/index.js';
import {
  customDrift, driftConditions, driftPerState, klDrift, oneSidedDerivative, ppoDecomposition, ppoDrift, trivialDrift, tvDrift, weightedDrift,
} from '../../src/mirror/index.js';
import { Rng } from '../../src/stats/index.js';

const fullSupport = arbitraryMDPAndPolicy({ regime: 'any', maxStates: 5 }, { allowZeros: false })
  .chain(({ mdp, policy }) => fc.tuple(arbitraryPolicyTable(mdp.numStates, mdp.numActions, { allowZeros: true }), fc.integer({ min: 0, max: 1e6 }))
    .map(([other, seed]) => ({ mdp, pi: policy.param.probs(policy.theta), other, seed })));

describe('drift values against independent formulas', () => {
  it('PPO: A·max(0, π̄ − (1+ε)π) for A > 0 and |A|·max(0, (1−ε)π − π̄) for A < 0, summed over actions', () => {
    fc.assert(fc.property(fullSupport, fc.constantFrom(0.05, 0.2, 0.5), ({ mdp, pi, other }, eps) => {
      const S = mdp.numStates, A = mdp.numActions, ev = evaluatePolicy(mdp, pi);
      const got = driftPerState(ppoDrift(eps), pi, other, ev.A, S, A);
      for (let s = 0; s < S; s++) {
        let want = 0;
        for (let a = 0; a < A; a++) {
          const i = s * A + a, adv = ev.A[i]!;
          want += adv > 0 ? adv * Math.max(0, other[i]! - (1 + eps) * pi[i]!) : -adv * Math.max(0, (1 - eps) * pi[i]! - other[i]!);
        }
        expect(Math.abs(got[s]! - want)).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(want)));
      }
    }));
  });
  it('KL: c·KL(π̄‖π) equals c times exact/divergence.klPerState; c·TV equals c times tvPerState', () => {
    fc.assert(fc.property(fullSupport, ({ mdp, pi, other }) => {
      const S = mdp.numStates, A = mdp.numActions, ev = evaluatePolicy(mdp, pi);
      const kl = driftPerState(klDrift(0.7), pi, other, ev.A, S, A), klRef = klPerState(other, pi, S, A);
      const tv = driftPerState(tvDrift(0.7), pi, other, ev.A, S, A), tvRef = tvPerState(other, pi, S, A);
      for (let s = 0; s < S; s++) {
        expect(Math.abs(kl[s]! - 0.7 * klRef[s]!)).toBeLessThanOrEqual(1e-13 * Math.max(1, klRef[s]!));
        expect(Math.abs(tv[s]! - 0.7 * tvRef[s]!)).toBeLessThanOrEqual(1e-15);
      }
    }));
  });
  it('the ν-weighted drift is Σ_s ν(s) D(π̄|s)', () => {
    expect(weightedDrift([1, 2, 3], [0.5, 0.25, 0.25])).toBe(0.5 + 0.5 + 0.75);
    expect(weightedDrift([Infinity, 2], [0, 1])).toBe(2); // states ν ignores do not count
  });
});

describe('Definition 5.1: the conditions hold for the built-in drifts and a user drift, and c·TV fails the derivative', () => {
  const chi2 = customDrift({ name: 'chi2', term: (x, c) => (x - c.p) ** 2 / c.p, derivative: (x, c) => (2 * (x - c.p)) / c.p });
  const drifts = [trivialDrift, ppoDrift(0.2), ppoDrift(0.02), klDrift(0.3), klDrift(20), chi2];
  it('non-negativity, D(π|s) = 0 and a zero one-sided Gâteaux derivative in random simplex directions', () => {
    fc.assert(fc.property(fullSupport, ({ mdp, pi, other, seed }) => {
      const S = mdp.numStates, A = mdp.numActions, ev = evaluatePolicy(mdp, pi);
      for (const d of drifts) {
        const r = driftConditions(d, pi, ev.A, S, A, [other], Rng.from(seed), 2);
        expect(r.minDrift, d.name).toBeGreaterThanOrEqual(-1e-14);
        expect(r.atSelf, d.name).toBe(0);
        expect(Math.max(r.derivative, r.derivativeError), d.name).toBeLessThan(1e-6);
      }
    }));
  });
  it('control: c·TV has the one-sided derivative c·½Σ|h_a| = c/2 (‖h‖₁ = 1), which the same check rejects', () => {
    fc.assert(fc.property(fullSupport.filter(({ mdp }) => mdp.numActions > 1), fc.constantFrom(0.01, 0.5, 3), ({ mdp, pi, seed }, c) => {
      const S = mdp.numStates, A = mdp.numActions, ev = evaluatePolicy(mdp, pi);
      const r = driftConditions(tvDrift(c), pi, ev.A, S, A, [], Rng.from(seed), 2);
      expect(r.minDrift).toBeGreaterThanOrEqual(0);
      expect(r.atSelf).toBe(0);
      expect(Math.abs(r.derivative * r.scale - c / 2)).toBeLessThan(1e-6 * c); // the largest |derivative| over directions is c/2
      expect(r.derivative).toBeGreaterThan(1e-6);
    }));
  });
  it('the extrapolated one-sided derivative recovers known derivatives of smooth and kinked functions', () => {
    const cases: [(t: number) => number, number][] = [[(t) => Math.sin(3 * t), 3], [(t) => t * t, 0], [(t) => Math.abs(t) + t * t, 1], [(t) => Math.max(0, t - 0.01), 0], [(t) => Math.exp(t) - 1, 1]];
    for (const [f, want] of cases) {
      const est = oneSidedDerivative(f, 0.5);
      expect(Math.abs(est.value - want)).toBeLessThan(1e-7);
    }
  });
});

describe("PPO's decomposition", () => {
  it('E_π[min(rA, clip(r)A)] = E_π̄[A] − D in every state, for every ε', () => {
    fc.assert(fc.property(fullSupport, fc.constantFrom(0.01, 0.2, 0.9, 1.5), ({ mdp, pi, other }, eps) => {
      const S = mdp.numStates, A = mdp.numActions, ev = evaluatePolicy(mdp, pi);
      const { lhs, rhs, drift } = ppoDecomposition(pi, other, ev.A, S, A, eps);
      const scale = Math.max(1, ...Array.from(ev.A, Math.abs));
      for (let s = 0; s < S; s++) {
        expect(Math.abs(lhs[s]! - rhs[s]!)).toBeLessThanOrEqual(1e-13 * scale);
        expect(drift[s]).toBeGreaterThanOrEqual(0);
      }
    }));
  });
  it('control: without the positive part of the drift the identity breaks wherever some (r − clip r)A < 0', () => {
    let rejected = 0, total = 0;
    fc.assert(fc.property(fullSupport, ({ mdp, pi, other }) => {
      const S = mdp.numStates, A = mdp.numActions, ev = evaluatePolicy(mdp, pi);
      const { lhs, rhs } = ppoDecomposition(pi, other, ev.A, S, A, 0.2, false);
      let negative = false;
      for (let i = 0; i < S * A; i++) {
        const r = other[i]! / pi[i]!;
        if ((r - Math.min(1.2, Math.max(0.8, r))) * ev.A[i]! < -1e-9) negative = true;
      }
      const broken = lhs.some((v, s) => Math.abs(v - rhs[s]!) > 1e-13 * Math.max(1, ...Array.from(ev.A, Math.abs)));
      expect(broken).toBe(negative);
      total++;
      if (broken) rejected++;
    }));
    expect(rejected / total).toBeGreaterThan(0.5);
  });
});
