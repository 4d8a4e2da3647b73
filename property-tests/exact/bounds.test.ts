// TRPO's surrogate and Theorem 4.1 over fast-check random discounted MDPs and random pairs
// of policies: the bound and its KL form hold, J − L is the visitation-shift identity,
// L_π(π) = J(π) and L has J's derivative at π (checked by Ridders differences of J); the
// controls: L with d in place of η, and the bound without its penalty, are violated.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryMDP, arbitraryPolicyTable } from '../../src/arbitraries/index.js';
import { evaluatePolicy, surrogateObjective, trpoBound, trpoPenalty } from '../../src/index.js';
import { derivative } from '../../src/linalg/index.js';
import { expectError } from '../helpers.js';

const pairs = arbitraryMDP({ regime: 'discounted', maxStates: 5, minActions: 2, maxActions: 3 })
  .chain((mdp) => fc.record({
    pi: arbitraryPolicyTable(mdp.numStates, mdp.numActions, { allowZeros: false }),
    other: arbitraryPolicyTable(mdp.numStates, mdp.numActions, { allowZeros: true }),
  }).map((x) => ({ mdp, ...x })));

describe("Theorem 4.1 (TRPO's bound) and its KL form", () => {
  it('J(π̃) ≥ L_π(π̃) − Cα² ≥ L_π(π̃) − C·max KL, with C = 4εγ/(1−γ)²; J − L = Σ (η_π̃ − η_π) E_π̃[A_π]', () => {
    fc.assert(fc.property(pairs, ({ mdp, pi, other }) => {
      const b = trpoBound(mdp, pi, other);
      const tol = 1e-10 * Math.max(1, Math.abs(b.J), Math.abs(b.JNew));
      expect(b.slackTV).toBeGreaterThanOrEqual(-tol);
      if (b.kl) {
        expect(b.kl.slack).toBeGreaterThanOrEqual(-tol);
        expect(b.kl.bound).toBeLessThanOrEqual(b.boundTV + tol); // α² ≤ max KL (Pinsker, loosely)
      }
      expect(b.gapIdentityResidual).toBeLessThanOrEqual(tol);
      expect(b.C).toBeCloseTo((4 * b.epsilon * mdp.gamma) / (1 - mdp.gamma) ** 2, 12);
    }));
  });
  it('the KL form is absent exactly when π̃ drops an action π takes (KL infinite)', () => {
    fc.assert(fc.property(pairs, ({ mdp, pi, other }) => {
      const b = trpoBound(mdp, pi, other);
      expect(b.kl === undefined).toBe(Array.from(other).some((x) => x === 0));
    }));
  });
  it('L_π(π) = J(π), and d/dt L_π(π + t h) = d/dt J(π + t h) at t = 0 (Ridders differences of J)', () => {
    fc.assert(fc.property(pairs, fc.integer({ min: 0, max: 1000 }), ({ mdp, pi }, k) => {
      const S = mdp.numStates, A = mdp.numActions, ev = evaluatePolicy(mdp, pi);
      expect(Math.abs(surrogateObjective(mdp, pi, ev) - ev.J)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(ev.J)));
      const h = new Float64Array(S * A);
      for (let s = 0; s < S; s++) { const a = (k + s) % A, b = (k + s + 1) % A; h[s * A + a] = 1; h[s * A + b] = -1; }
      let tMax = 1; // central differences step both ways: stay inside the simplex for |t| ≤ tMax
      for (let i = 0; i < h.length; i++) if (h[i]! !== 0) tMax = Math.min(tMax, pi[i]!);
      const at = (t: number) => Float64Array.from(pi, (p, i) => p + t * h[i]!);
      const dJ = derivative((t) => evaluatePolicy(mdp, at(t)).J, 0, 0.5 * tMax);
      const dL = derivative((t) => surrogateObjective(mdp, at(t), ev), 0, 0.5 * tMax);
      expect(Math.abs(dJ.value - dL.value)).toBeLessThanOrEqual(10 * (dJ.error + dL.error) + 1e-8 * Math.max(1, Math.abs(dJ.value)));
    }), { numRuns: 30 });
  });
  it('γ = 1 has no bound: BOUND_GAMMA', () => {
    expectError(() => trpoPenalty(1, 1), 'BOUND_GAMMA', 'γ = 1');
    const episodic = arbitraryMDP({ regime: 'episodic', maxStates: 3, minActions: 2, maxActions: 2 });
    fc.assert(fc.property(episodic, (mdp) => {
      const pi = new Float64Array(mdp.numStates * 2).fill(0.5);
      expectError(() => trpoBound(mdp, pi, pi), 'BOUND_GAMMA');
    }), { numRuns: 5 });
  });
});

describe('controls', () => {
  it('L with the normalized d in place of η is violated on small steps that lower the surrogate', () => {
    let rejected = 0, total = 0;
    fc.assert(fc.property(pairs.filter(({ mdp }) => mdp.gamma > 0), ({ mdp, pi }) => {
      const S = mdp.numStates, A = mdp.numActions, ev = evaluatePolicy(mdp, pi);
      const t = 1e-3 * (1 - mdp.gamma), worse = Float64Array.from(pi);
      let lowers = 0;
      for (let s = 0; s < S; s++) {
        let w = 0;
        for (let a = 1; a < A; a++) if (ev.A[s * A + a]! < ev.A[s * A + w]!) w = a;
        for (let a = 0; a < A; a++) worse[s * A + a] = (1 - t) * pi[s * A + a]! + (a === w ? t : 0);
        lowers += ev.eta[s]! * ev.A[s * A + w]!;
      }
      if (!(lowers < -1e-9)) return; // the step must lower the surrogate for the wrong L to overshoot
      total++;
      const b = trpoBound(mdp, pi, worse, { visitation: 'd' });
      if (b.slackTV < -1e-10 * Math.max(1, Math.abs(b.J))) rejected++;
    }));
    expect(total).toBeGreaterThan(20);
    expect(rejected).toBe(total);
  });
  it('the bound without its penalty (J(π̃) ≥ L_π(π̃)) fails on some pairs', () => {
    let failed = 0;
    fc.assert(fc.property(pairs.filter(({ mdp }) => mdp.gamma > 0.3), ({ mdp, pi, other }) => {
      const b = trpoBound(mdp, pi, other);
      if (b.JNew < b.L - 1e-9 * Math.max(1, Math.abs(b.J))) failed++;
    }));
    expect(failed).toBeGreaterThan(5);
  });
});
