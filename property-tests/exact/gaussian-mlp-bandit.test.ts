// Exact ∇_w J of a Gaussian or tanh-Gaussian head on an MLP over a contextual continuous bandit
// (src/exact/gaussian-mlp-bandit.ts): the chain rule (per-context quadrature gradients in
// (μ, log σ), one VJP of the network) against Ridders differences of J(w) — both heads, both
// log-σ modes, k = 1 and k = 2, given and one-hot features; the per-context values against the
// closed form of a quadratic reward (src/exact/gaussian-bandit.ts); and the negative control
// (log σ detached: its cotangent dropped) rejected by the same comparison.
import { describe, expect, it } from 'vitest';
import { gaussianBanditObjective, quadraticReward } from '../../src/exact/gaussian-bandit.js';
import { continuousContextualBandit, mlpBanditGradientByDifferences, mlpBanditObjective, mlpBanditValue } from '../../src/exact/gaussian-mlp-bandit.js';
import { gaussianMlpPolicy, tanhGaussianMlpPolicy, type GaussianMlpPolicy } from '../../src/policy/gaussian-head.js';
import { initMlp, Mlp } from '../../src/policy/mlp.js';
import { Rng } from '../../src/stats/rng.js';
import { expectError } from '../helpers.js';

const FEATURES = [1, 0, 0, 1, 1, -1], RHO = [0.5, 0.3, 0.2];

/** A 2→4→(k or 2k) tanh network head with seeded parameters (log σ near log 0.6). */
function head(squashed: boolean, mode: 'state-independent' | 'state-dependent', k: number, inputs = 2): { p: GaussianMlpPolicy; w: Float64Array } {
  const mlp = new Mlp([inputs, 4, mode === 'state-dependent' ? 2 * k : k], 'tanh');
  const p = (squashed ? tanhGaussianMlpPolicy : gaussianMlpPolicy)(mlp, { logStd: mode });
  const rng = Rng.from(`gaussian-mlp-bandit/${squashed}/${mode}/${k}`), w = new Float64Array(p.numParams);
  w.set(initMlp(mlp, rng, { lastGain: 1 }));
  for (let j = 0; j < mlp.numParams; j++) w[j] = w[j]! + 0.3 * rng.normal();
  const last = mlp.layers[mlp.layers.length - 1]!;
  for (let i = 0; i < k; i++) {
    if (mode === 'state-independent') w[mlp.numParams + i] = Math.log(0.6) + 0.1 * i;
    else w[last.b + k + i] = w[last.b + k + i]! + Math.log(0.6);
  }
  return { p, w };
}

/** Relative ‖a − b‖₂/‖b‖₂. */
const relative = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let n = 0, d = 0;
  for (let j = 0; j < b.length; j++) { n += (a[j]! - b[j]!) ** 2; d += b[j]! ** 2; }
  return Math.sqrt(n / d);
};

const C = [[1.5, -0.4], [-2, 0.3], [0.2, 0.9]];
const clipReward = (s: number, i: number, a: number) => -((a - C[s]![i]!) ** 2);
const tanhReward = (s: number, i: number, a: number) => -((a - C[s]![i]! / 3) ** 2) + 0.5 * a;

describe('exact ∇_w J of an MLP Gaussian head on a contextual bandit', () => {
  const cases = [
    { squashed: false, mode: 'state-independent', k: 1 },
    { squashed: false, mode: 'state-dependent', k: 2 },
    { squashed: true, mode: 'state-independent', k: 2 },
    { squashed: true, mode: 'state-dependent', k: 1 },
  ] as const;
  for (const { squashed, mode, k } of cases) {
    it(`${squashed ? 'tanh-Gaussian' : 'Gaussian (environment clip [−1, 1])'}, ${mode} log σ, k = ${k}: the chain rule equals Ridders differences of J(w) to 1e-8; log σ detached is rejected`, () => {
      const { p, w } = head(squashed, mode, k);
      const b = continuousContextualBandit({ rho: RHO, features: FEATURES, obsDim: 2, actionDim: k, reward: squashed ? tanhReward : clipReward, ...(squashed ? {} : { clip: [-1, 1] as const }) });
      const o = mlpBanditObjective(b, p, w), fd = mlpBanditGradientByDifferences(b, p, w);
      expect(o.J).toBeCloseTo(mlpBanditValue(b, p, w), 14);
      expect(fd.error).toBeLessThan(1e-9);
      expect(relative(o.grad, fd.value)).toBeLessThan(1e-8);
      // the clip must bite somewhere (else the clipped instance tests nothing beyond the plain Gaussian)
      if (!squashed) expect(Math.max(...o.mu.map(Math.abs)) + 0.6).toBeGreaterThan(1);
      const wrong = mlpBanditObjective(b, p, w, { wrong: 'detach-log-std' });
      expect(relative(wrong.grad, fd.value)).toBeGreaterThan(1e-2);
    });
  }

  it('one-hot features and an unclipped quadratic reward: J_s and ∂J_s/∂(μ, log σ) equal the closed form; ρ(s) = 0 contributes nothing', () => {
    const { p, w } = head(false, 'state-dependent', 2, 3);
    const rewards = [0, 1, 2].map((s) => quadraticReward({ k: 2, r0: 0.1 * s, g: [1 - s, 0.5], H: [2, 0, 0, 2] }));
    const spec = { rho: [0.6, 0.4, 0], actionDim: 2, reward: (s: number, i: number, a: number) => rewards[s]!.g[i]! * a - 0.5 * rewards[s]!.H[i * 3]! * a * a + (i === 0 ? rewards[s]!.r0 : 0) };
    const b = continuousContextualBandit(spec), o = mlpBanditObjective(b, p, w);
    expect(b.obsDim).toBe(3);
    for (let s = 0; s < 3; s++) {
      const cf = gaussianBanditObjective(rewards[s]!, o.mu.subarray(2 * s, 2 * s + 2), o.logStd.subarray(2 * s, 2 * s + 2));
      expect(o.values[s]).toBeCloseTo(cf.J, 12);
      for (let i = 0; i < 2; i++) { expect(o.gradMu[2 * s + i]).toBeCloseTo(cf.gradMu[i]!, 11); expect(o.gradLogStd[2 * s + i]).toBeCloseTo(cf.gradLogStd[i]!, 11); }
    }
    // context 2 has ρ = 0: its weights into the first layer (column 2 of W_0, one-hot input 2) get no gradient
    const W0 = p.mlp.layers[0]!;
    for (let j = 0; j < W0.nOut; j++) expect(o.grad[W0.w + j * 3 + 2]).toBe(0);
    expect(relative(o.grad, mlpBanditGradientByDifferences(b, p, w).value)).toBeLessThan(1e-8);
  });

  it('bad bandits and mismatched policies are refused with typed errors', () => {
    const r = () => 0;
    expectError(() => continuousContextualBandit({ rho: [0.5, 0.6], actionDim: 1, reward: r }), 'BANDIT_INVALID', 'sums to');
    expectError(() => continuousContextualBandit({ rho: [1.5, -0.5], actionDim: 1, reward: r }), 'BANDIT_INVALID', 'rho[1]');
    expectError(() => continuousContextualBandit({ rho: [1], features: [1, 2, 3], obsDim: 2, actionDim: 1, reward: r }), 'BANDIT_INVALID', 'features has 3');
    expectError(() => continuousContextualBandit({ rho: [1], features: [NaN], actionDim: 1, reward: r }), 'BANDIT_INVALID', 'features[0][0]');
    expectError(() => continuousContextualBandit({ rho: [1], actionDim: 1, reward: r, clip: [1, -1] }), 'BANDIT_INVALID', 'clip');
    const { p, w } = head(true, 'state-dependent', 1);
    const clipped = continuousContextualBandit({ rho: RHO, features: FEATURES, obsDim: 2, actionDim: 1, reward: r, clip: [-1, 1] });
    expectError(() => mlpBanditObjective(clipped, p, w), 'BANDIT_INVALID', 'tanh');
    const wide = continuousContextualBandit({ rho: RHO, features: FEATURES, obsDim: 2, actionDim: 2, reward: r });
    expectError(() => mlpBanditObjective(wide, p, w), 'NN_ARCHITECTURE', 'the bandit has 2 and 2');
    const plain = continuousContextualBandit({ rho: RHO, features: FEATURES, obsDim: 2, actionDim: 1, reward: r });
    expectError(() => mlpBanditObjective(plain, p, w.subarray(1)), 'POLICY_SHAPE');
    expectError(() => mlpBanditGradientByDifferences(plain, p, w, 0.1, [p.numParams]), 'POLICY_SHAPE', 'coordinate');
  });
});
