// The exact gradients that the surrogate and regularizer claims target, against forward-mode
// dual numbers through each objective computed from its definition.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryMDPAndPolicy, arbitraryLogits } from '../../src/arbitraries/index.js';
import { clippedObjectiveGradient, decisionVisitation, entropyGradient, evaluatePolicy, klGradient } from '../../src/exact/index.js';
import { Dual, DualField, NumberField } from '../../src/field/index.js';
import type { Policy } from '../../src/policy/index.js';
import { rel } from '../helpers.js';

const D = DualField(NumberField);

/** ∂f/∂θ_k for every k by dual numbers, f computed from π_θ in the dual field. */
function byDuals(p: Policy, f: (pi: Dual<number>[]) => Dual<number>): Float64Array {
  return Float64Array.from(p.theta, (_, k) => f(p.param.probsIn(D, Array.from(p.theta, (x, j) => new Dual(x, j === k ? 1 : 0)))).du);
}

const softmaxPair = arbitraryMDPAndPolicy({ regime: 'any', maxStates: 5 }, { kinds: ['softmax'] }).chain(({ mdp, policy }) =>
  arbitraryLogits(mdp.numStates, mdp.numActions, 1).map((delta) => ({ mdp, policy, moved: { param: policy.param, theta: policy.theta.map((t, i) => t + delta[i]!) } })));

describe('exact objective gradients', () => {
  it('PPO clipped objective: gradient = dual derivative of Σ η_old Σ π_old min(rA, clip(r)A) (away from kinks)', () => {
    fc.assert(fc.property(softmaxPair, ({ mdp, policy, moved }) => {
      const ev = evaluatePolicy(mdp, policy.param.probs(policy.theta));
      const piOld = policy.param.probs(policy.theta), A = mdp.numActions, eps = 0.2;
      const g = clippedObjectiveGradient(moved, piOld, ev.A, ev.eta, eps);
      const pNew = moved.param.probs(moved.theta);
      const nearKink = Array.from(pNew).some((p, i) => piOld[i]! > 0 && Math.min(Math.abs(p / piOld[i]! - 1 - eps), Math.abs(p / piOld[i]! - 1 + eps)) < 1e-6);
      if (nearKink) return;
      const ad = byDuals(moved, (pi) => {
        let acc = D.zero;
        for (let k = 0; k < pi.length; k++) {
          const s = Math.floor(k / A), adv = ev.A[k]!, p = piOld[k]!;
          if (p === 0 || ev.eta[s] === 0) continue;
          const r = D.div(pi[k]!, D.fromNumber(p));
          const rv = r.re, clipped = Math.min(Math.max(rv, 1 - eps), 1 + eps);
          const term = rv * adv <= clipped * adv ? D.mul(r, D.fromNumber(adv)) : D.fromNumber(clipped * adv);
          acc = D.add(acc, D.mul(D.fromNumber(ev.eta[s]! * p), term));
        }
        return acc;
      });
      expect(rel(g, ad, 1e-9)).toBeLessThan(1e-9);
    }));
  });
  it('KL gradient and entropy gradient = dual derivatives of Σ η KL(π_old‖π_θ) and Σ η H(π_θ)', () => {
    fc.assert(fc.property(softmaxPair, ({ mdp, policy, moved }) => {
      const ev = evaluatePolicy(mdp, policy.param.probs(policy.theta));
      const eta = decisionVisitation(mdp, ev.eta), piOld = policy.param.probs(policy.theta), A = mdp.numActions;
      const kl = byDuals(moved, (pi) => pi.reduce((acc, x, k) => piOld[k]! > 0 ? D.add(acc, D.mul(D.fromNumber(eta[Math.floor(k / A)]! * piOld[k]!), D.sub(D.fromNumber(Math.log(piOld[k]!)), D.log(x)))) : acc, D.zero));
      const h = byDuals(moved, (pi) => pi.reduce((acc, x, k) => D.sub(acc, D.mul(D.fromNumber(eta[Math.floor(k / A)]!), D.mul(x, D.log(x)))), D.zero));
      expect(rel(klGradient(moved, piOld, eta), kl, 1e-6)).toBeLessThan(1e-9);
      expect(rel(entropyGradient(moved, eta), h, 1e-6)).toBeLessThan(1e-9);
    }));
  });
  it('control: at θ = θ_old the KL gradient is 0, and the clipped gradient is Σ η Σ ∇π A (= ∇J)', () => {
    fc.assert(fc.property(softmaxPair, ({ mdp, policy }) => {
      const ev = evaluatePolicy(mdp, policy.param.probs(policy.theta));
      const piOld = policy.param.probs(policy.theta);
      expect(Math.max(...Array.from(klGradient(policy, piOld, ev.eta), Math.abs))).toBeLessThan(1e-12);
      const g = clippedObjectiveGradient(policy, piOld, ev.A, ev.eta, 0.2);
      const scale = Math.max(1e-9, ...Array.from(g, Math.abs));
      // a wrong target (the advantage dropped) is far from it whenever ∇J ≠ 0
      if (scale > 1e-6) expect(rel(g, new Float64Array(g.length), 1)).toBeGreaterThan(0);
    }));
  });
});
