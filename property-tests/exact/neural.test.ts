// Exact truth for MLP policies on tabular MDPs (src/exact/neural.ts): ∇_w J by the chain rule
// (tabular softmax gradient at the logits, one VJP) against forward-mode dual numbers through
// the generic MLP and the generic exact evaluation, and against Ridders differences of J(w);
// a network without hidden layers over one-hot states against the tabular gradient itself;
// the Fisher in w against the categorical head's Fisher–vector product and against Σ d π g gᵀ
// from the head's scores; KL and entropy against the head's. Controls: the chain rule with the
// softmax Jacobian dropped; the Fisher without −ππᵀ.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { policyGradient } from '../../src/exact/gradient.js';
import {
  logitPolicy, mlpLogits, mlpPolicyTable, mlpTabularPolicy, neuralEntropyPerState, neuralFisherMatrix, neuralGradientFiniteDifferences,
  neuralGradientForwardMode, neuralKlPerState, neuralObjective, neuralPolicyGradient, oneHotFeatures, pullbackToWeights,
} from '../../src/exact/neural.js';
import { evaluatePolicy } from '../../src/exact/evaluate.js';
import { garnet, shortCorridor, suttonBartoGridworld4x4 } from '../../src/mdp/library/index.js';
import { Dual, DualField, NumberField } from '../../src/field/index.js';
import { mlpForwardIn } from '../../src/policy/mlp.js';
import type { FiniteMDP } from '../../src/mdp/model.js';
import { categoricalMlpPolicy } from '../../src/policy/categorical.js';
import { directPolicy } from '../../src/policy/direct.js';
import { initMlp, Mlp, type ActivationName } from '../../src/policy/mlp.js';
import { Rng } from '../../src/stats/rng.js';
import { expectError, rel } from '../helpers.js';

const seeds = fc.integer({ min: 0, max: 1e9 });

/** ‖x − y‖₂ / ‖y‖₂. */
function rel2(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let n = 0, d = 0;
  for (let i = 0; i < y.length; i++) { n += (x[i]! - y[i]!) ** 2; d += y[i]! ** 2; }
  return Math.sqrt(n / d);
}

/** A seeded small Garnet (discounted or episodic), an MLP (0–2 hidden layers, tanh or swish) over one-hot or random features. */
function setup(seed: number) {
  const rng = Rng.from(seed);
  const S = 3 + rng.int(3), A = 2 + rng.int(2), gamma = [0, 0.5, 0.9, 1][rng.int(4)]!, episodic = gamma === 1;
  const mdp = garnet({ states: S + (episodic ? 1 : 0), actions: A, branching: 2, gamma, seed: `nn/${seed}`, ...(episodic ? { terminal: 1, exitProbability: 0.2 } : {}), initial: 'random' });
  const nS = mdp.numStates;
  const oneHot = rng.uniform() < 0.5, d = oneHot ? nS : 1 + rng.int(3);
  const hidden = Array.from({ length: rng.int(3) }, () => 1 + rng.int(5));
  const act: ActivationName = rng.uniform() < 0.5 ? 'tanh' : 'swish';
  const mlp = new Mlp([d, ...hidden, A], act);
  const theta = initMlp(mlp, rng, { lastGain: 1 });
  for (let k = 0; k < theta.length; k++) theta[k] = theta[k]! + 0.3 * rng.normal();
  const features = oneHot ? undefined : Float64Array.from({ length: nS * d }, () => rng.normal());
  return { mdp, rng, p: mlpTabularPolicy(mdp, mlp, theta, features), oneHot };
}

/** The control: ∂J/∂π(a|s) = η(s)Q(s,a) (the direct parameterization's gradient) pulled back as if it were ∂J/∂z. */
function softmaxJacobianDropped(mdp: FiniteMDP, pi: Float64Array, ev: ReturnType<typeof evaluatePolicy>) {
  return policyGradient(mdp, { param: directPolicy(mdp.numStates, mdp.numActions), theta: pi }, ev);
}

describe('∇_w J of an MLP policy by the chain rule', () => {
  it('equals forward-mode dual numbers (1e-10) and Ridders differences (1e-6); the softmax-Jacobian-dropped variant is rejected by both', () => {
    fc.assert(fc.property(seeds, (seed) => {
      const { mdp, p } = setup(seed);
      const g = neuralPolicyGradient(mdp, p);
      const dual = neuralGradientForwardMode(mdp, p);
      const fd = neuralGradientFiniteDifferences(mdp, p);
      expect(rel2(g.grad, dual)).toBeLessThan(1e-10);
      expect(rel2(g.grad, fd.value)).toBeLessThan(1e-6);
      expect(g.J).toBeCloseTo(neuralObjective(mdp, p), 12);
      const bad = pullbackToWeights(p, softmaxJacobianDropped(mdp, g.pi, g.ev));
      // the control can only coincide when ∇J itself vanishes (e.g. γ = 0 with equal rows); the seeds here never do
      expect(rel2(bad, dual)).toBeGreaterThan(1e-2);
      expect(rel2(bad, fd.value)).toBeGreaterThan(1e-2);
    }), { numRuns: 25 });
  });

  it('on a coordinate subset, both routes return the partials of those coordinates in the given order', () => {
    const { mdp, p } = setup(7);
    const g = neuralPolicyGradient(mdp, p).grad;
    const P = p.mlp.numParams, ks = [P - 1, 0, Math.floor(P / 2)];
    const dual = neuralGradientForwardMode(mdp, p, ks), fd = neuralGradientFiniteDifferences(mdp, p, 0.1, ks);
    ks.forEach((k, i) => { expect(dual[i]).toBeCloseTo(g[k]!, 12); expect(fd.value[i]).toBeCloseTo(g[k]!, 7); });
  });

  it('an MLP without hidden layers over one-hot states is the tabular softmax: ∇_W J[a][s] = ∂J/∂θ_{s,a} and ∇_b J[a] = Σ_s ∂J/∂θ_{s,a}', () => {
    fc.assert(fc.property(seeds, (seed) => {
      const rng = Rng.from(seed);
      const mdp = garnet({ states: 3 + rng.int(4), actions: 2 + rng.int(3), branching: 2, gamma: 0.9, seed: `lin/${seed}` });
      const S = mdp.numStates, A = mdp.numActions;
      const mlp = new Mlp([S, A]);
      const theta = Float64Array.from({ length: mlp.numParams }, () => rng.normal());
      const p = mlpTabularPolicy(mdp, mlp, theta);
      // the tabular logits θ_{s,a} = W[a][s] + b[a], built here from the layout of mlp.ts
      const z = new Float64Array(S * A);
      for (let s = 0; s < S; s++) for (let a = 0; a < A; a++) z[s * A + a] = theta[a * S + s]! + theta[A * S + a]!;
      expect(rel(mlpLogits(p), z)).toBeLessThan(1e-15);
      const tab = policyGradient(mdp, { param: logitPolicy(p).param, theta: z });
      const g = neuralPolicyGradient(mdp, p).grad;
      for (let s = 0; s < S; s++) for (let a = 0; a < A; a++) expect(g[a * S + s]).toBeCloseTo(tab[s * A + a]!, 13);
      for (let a = 0; a < A; a++) {
        let sum = 0;
        for (let s = 0; s < S; s++) sum += tab[s * A + a]!;
        expect(g[A * S + a]).toBeCloseTo(sum, 12);
      }
    }), { numRuns: 20 });
  });
});

describe('the short corridor with aliased states (Sutton & Barto, Example 13.1)', () => {
  it('an MLP over the constant feature φ(s) = 1 has J(w) = (2p − 4)/(p(1 − p)) and ∇_w J = J′(p) ∇_w p, p = π_w(right) (REFERENCES.md)', () => {
    const D = DualField(NumberField);
    const mdp = shortCorridor();
    fc.assert(fc.property(seeds, (seed) => {
      const rng = Rng.from(seed);
      const mlp = new Mlp([1, 1 + rng.int(4), 1 + rng.int(4), 2], 'tanh');
      const theta = initMlp(mlp, rng, { lastGain: 1 });
      for (let k = 0; k < theta.length; k++) theta[k] = theta[k]! + 0.3 * rng.normal();
      const p = mlpTabularPolicy(mdp, mlp, theta, new Float64Array(4).fill(1));
      // p = σ(z_right − z_left) and its partials, by dual numbers through the generic forward pass
      const pOf = (k: number) => {
        const z = mlpForwardIn(D, mlp, Array.from(theta, (x, j) => new Dual(x, j === k ? 1 : 0)), [new Dual(1, 0)]);
        const u = D.sub(z[1]!, z[0]!), e = D.exp(D.neg(u));
        return D.div(D.one, D.add(D.one, e));
      };
      const pr = pOf(-1).re;
      const J = (2 * pr - 4) / (pr * (1 - pr));
      // J′(p) = [2p(1 − p) − (2p − 4)(1 − 2p)] / (p(1 − p))²
      const dJ = (2 * pr * (1 - pr) - (2 * pr - 4) * (1 - 2 * pr)) / (pr * (1 - pr)) ** 2;
      const g = neuralPolicyGradient(mdp, p);
      expect(g.J).toBeCloseTo(J, 10);
      const want = Float64Array.from(theta, (_, k) => dJ * pOf(k).du);
      expect(rel2(g.grad, want)).toBeLessThan(1e-10);
    }), { numRuns: 20 });
  });
});

describe('the Fisher in w, KL and entropy of an MLP policy', () => {
  it('F_w v equals the categorical head\'s Fisher–vector product weighted by d, and Σ_s d(s) Σ_a π g gᵀ from the head\'s scores; the Fisher without −ππᵀ is rejected', () => {
    fc.assert(fc.property(seeds, (seed) => {
      const { mdp, p, rng } = setup(seed);
      const S = mdp.numStates, A = mdp.numActions, P = p.mlp.numParams;
      const pi = mlpPolicyTable(p), ev = evaluatePolicy(mdp, pi);
      const F = neuralFisherMatrix(mdp, p, ev);
      const head = categoricalMlpPolicy(p.mlp);
      const v = Float64Array.from({ length: P }, () => rng.normal());
      const Fv = new Float64Array(P);
      for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) Fv[i] += F[i * P + j]! * v[j]!;
      const headFv = head.fisherVectorProduct(p.theta, p.features, S, v, undefined, ev.d);
      expect(rel(Fv, headFv, 1e-300)).toBeLessThan(1e-10);
      // from the head's scores: g_{s,a} = ∇_w log π(a|s), one score sum with c = 1 at one observation
      const Fs = new Float64Array(P * P), naive = new Float64Array(P * P);
      const d0 = p.mlp.inputDim;
      for (let s = 0; s < S; s++) for (let a = 0; a < A; a++) {
        const w = ev.d[s]! * pi[s * A + a]!;
        const gsa = head.scoreSum(p.theta, p.features.slice(s * d0, (s + 1) * d0), 1, Int32Array.of(a), Float64Array.of(1));
        for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) Fs[i * P + j] += w * gsa[i]! * gsa[j]!;
      }
      expect(rel(F, Fs, 1e-300)).toBeLessThan(1e-10);
      // control: Jᵀ diag(d π) J, the logit Fisher without its −ππᵀ part
      for (let s = 0; s < S; s++) for (let a = 0; a < A; a++) {
        const e = new Float64Array(S * A); e[s * A + a] = 1;
        const row = pullbackToWeights(p, e), w = ev.d[s]! * pi[s * A + a]!;
        for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) naive[i * P + j] += w * row[i]! * row[j]!;
      }
      expect(rel(naive, Fs, 1e-300)).toBeGreaterThan(1e-3);
    }), { numRuns: 20 });
  });

  it('KL and entropy per state equal the categorical head\'s on the feature rows; KL(π_w‖π_w) = 0', () => {
    fc.assert(fc.property(seeds, (seed) => {
      const { mdp, p, rng } = setup(seed);
      const S = mdp.numStates;
      const other = p.theta.map((x) => x + 0.3 * rng.normal());
      const head = categoricalMlpPolicy(p.mlp);
      expect(rel(neuralEntropyPerState(p), head.entropy(p.theta, p.features, S), 1e-300)).toBeLessThan(1e-12);
      const kl = neuralKlPerState(p, p.theta, other);
      expect(rel(kl, head.kl(p.theta, other, p.features, S), 1e-300)).toBeLessThan(1e-9);
      expect(Math.max(...kl)).toBeGreaterThan(0);
      expect(Math.max(...neuralKlPerState(p, p.theta, p.theta))).toBe(0);
    }), { numRuns: 20 });
  });
});

describe('invalid MLP policies', () => {
  const mdp = suttonBartoGridworld4x4();
  it('name the offending width, feature entry, coordinate or logit', () => {
    expectError(() => mlpTabularPolicy(mdp, new Mlp([16, 3]), new Float64Array(51)), 'NN_ARCHITECTURE', '3 outputs', '4 actions');
    expectError(() => mlpTabularPolicy(mdp, new Mlp([5, 4]), new Float64Array(24)), 'NN_ARCHITECTURE', '5 inputs', '16');
    expectError(() => mlpTabularPolicy(mdp, new Mlp([2, 4]), new Float64Array(12), new Float64Array(31)), 'NN_INPUT', 'features has 31 entries', '32');
    const bad = new Float64Array(32); bad[7] = NaN;
    expectError(() => mlpTabularPolicy(mdp, new Mlp([2, 4]), new Float64Array(12), bad), 'NN_INPUT', 'features[3][1]');
    expectError(() => mlpTabularPolicy(mdp, new Mlp([16, 4]), new Float64Array(3)), 'POLICY_SHAPE');
    const p = mlpTabularPolicy(mdp, new Mlp([16, 4]), new Float64Array(68));
    expectError(() => neuralGradientForwardMode(mdp, p, [0, 68]), 'NN_INPUT', 'coordinates[1] is 68');
    expectError(() => neuralGradientFiniteDifferences(mdp, p, 0.1, [3, 3]), 'NN_INPUT', 'coordinates[1] is 3');
    expectError(() => pullbackToWeights(p, new Float64Array(5)), 'NN_INPUT', 'logit cotangent');
    expectError(() => oneHotFeatures(0), 'NN_INPUT', 'number of states is 0');
    const huge = new Float64Array(68).fill(1.5e308);
    expectError(() => mlpLogits(mlpTabularPolicy(mdp, new Mlp([16, 4]), huge)), 'POLICY_NOT_FINITE', 'logit of state 0, action 0');
  });
});
