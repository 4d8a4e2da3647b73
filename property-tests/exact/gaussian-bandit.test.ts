// The one-step Gaussian and tanh-squashed Gaussian bandits (src/exact/gaussian-bandit.ts)
// against independent routes: Ridders differences of J, Gauss–Hermite quadrature of the
// reward, the reparameterization form of the gradient, high-precision reference values
// (mpmath, 30 digits) and the figures of ../shared/REFERENCES.md.
import { describe, expect, it } from 'vitest';
import {
  clippedGaussianBandit, gaussianBanditObjective, normalExpectation, quadraticReward, quadraticRewardAt, squaredDistanceReward, tanhGaussianBandit, tanhGaussianEntropy,
} from '../../src/exact/gaussian-bandit.js';
import { derivative } from '../../src/linalg/differentiate.js';
import { gaussHermite, gaussHermiteExpectation } from '../../src/linalg/quadrature.js';
import { logOneMinusTanhSq } from '../../src/policy/gaussian.js';
import { expectError } from '../helpers.js';

/**
 * Reference values by mpmath at 30 digits: E[log(1 − tanh² u)], u ∼ N(μ, σ²), by mp.quad on
 * (−∞, −μ/σ, ∞); H = ½ log(2πe σ²) + E[…].
 *   (0, 1): E = −0.7491344149828759482, H = 0.6698041182217967936
 *   (3, 2): E = −4.962108682394490512,  H = −2.8500229686298724608
 */
const H01 = 0.6698041182217967936, H32 = -2.8500229686298724608;

describe('Gaussian bandit, quadratic rewards (closed forms)', () => {
  it('r = −(a − c)²: J = −((μ − c)² + σ²), ∇_μ J = −2(μ − c), ∂J/∂log σ = −2σ² (REFERENCES.md)', () => {
    const c = [0.7, -1.2], mu = [0.1, 0.4], ls = [-0.3, 0.5];
    const o = gaussianBanditObjective(squaredDistanceReward(c), mu, ls);
    let J = 0;
    for (let i = 0; i < 2; i++) {
      const s2 = Math.exp(2 * ls[i]!);
      J -= (mu[i]! - c[i]!) ** 2 + s2;
      expect(o.gradMu[i]).toBeCloseTo(-2 * (mu[i]! - c[i]!), 14);
      expect(o.gradLogStd[i]).toBeCloseTo(-2 * s2, 14);
      expect(o.naturalMu[i]).toBeCloseTo(s2 * o.gradMu[i]!, 14);
      expect(o.naturalLogStd[i]).toBeCloseTo(-s2, 14);
    }
    expect(o.J).toBeCloseTo(J, 14);
  });

  it('a general quadratic: J equals product Gauss–Hermite quadrature of r, and ∇J equals Ridders differences of J', () => {
    const reward = quadraticReward({ k: 2, r0: 0.3, g: [1.1, -0.4], H: [2, 0.7, 0.7, 1.3] });
    const mu = [0.2, -0.9], ls = [0.1, -0.6], o = gaussianBanditObjective(reward, mu, ls);
    const { nodes, weights } = gaussHermite(6);
    let quad = 0;
    for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) {
      quad += weights[i]! * weights[j]! * quadraticRewardAt(reward, [mu[0]! + Math.exp(ls[0]!) * nodes[i]!, mu[1]! + Math.exp(ls[1]!) * nodes[j]!]);
    }
    expect(Math.abs(o.J - quad)).toBeLessThan(1e-14);
    for (let i = 0; i < 2; i++) {
      const dMu = derivative((x) => { const m = [...mu]; m[i] = x; return gaussianBanditObjective(reward, m, ls).J; }, mu[i]!);
      const dLs = derivative((x) => { const l = [...ls]; l[i] = x; return gaussianBanditObjective(reward, mu, l).J; }, ls[i]!);
      expect(Math.abs(o.gradMu[i]! - dMu.value)).toBeLessThan(1e-10);
      expect(Math.abs(o.gradLogStd[i]! - dLs.value)).toBeLessThan(1e-10);
    }
  });

  it('invalid bandits throw BANDIT_INVALID / POLICY_SCALE naming the place', () => {
    expectError(() => quadraticReward({ k: 2, r0: 0, g: [1, 2], H: [1, 0, 0.5, 1] }), 'BANDIT_INVALID', 'H[1][0]');
    expectError(() => quadraticReward({ k: 1, r0: 0, g: [NaN], H: [1] }), 'BANDIT_INVALID', 'g[0]');
    expectError(() => gaussianBanditObjective(squaredDistanceReward([0]), [0, 1], [0]), 'BANDIT_INVALID', 'mu');
    expectError(() => gaussianBanditObjective(squaredDistanceReward([0]), [0], [99]), 'POLICY_SCALE', 'logStd[0]');
    expectError(() => normalExpectation((u) => u, 0, 0), 'BANDIT_INVALID', 'σ = 0');
    expectError(() => clippedGaussianBandit((a) => a, 1, -1, 0, 0), 'BANDIT_INVALID', 'lo < hi');
    expectError(() => tanhGaussianBandit((a) => (a > 0.5 ? NaN : a), 0, 0), 'BANDIT_INVALID', 'NaN');
  });
});

describe('tanh-squashed and clipped bandits (quadrature)', () => {
  it('normalExpectation integrates polynomials exactly and E[log(1 − tanh² u)] to 1e-14 at every σ', () => {
    expect(Math.abs(normalExpectation((u) => u ** 4, 0.5, 1.7) - (0.5 ** 4 + 6 * 0.25 * 1.7 ** 2 + 3 * 1.7 ** 4))).toBeLessThan(1e-13);
    expect(Math.abs(normalExpectation(logOneMinusTanhSq, 0, 1) - -0.7491344149828759482)).toBeLessThan(1e-14);
    expect(Math.abs(normalExpectation(logOneMinusTanhSq, 3, 2) - -4.962108682394490512)).toBeLessThan(1e-14);
    // Gauss–Hermite agrees where it converges (σ = 1, n = 150), and converges slowly at σ = 2
    expect(Math.abs(gaussHermiteExpectation(logOneMinusTanhSq, 0, 1, 150) - normalExpectation(logOneMinusTanhSq, 0, 1))).toBeLessThan(1e-15);
    const gh200 = Math.abs(gaussHermiteExpectation(logOneMinusTanhSq, 3, 2, 200) - normalExpectation(logOneMinusTanhSq, 3, 2));
    expect(gh200).toBeGreaterThan(1e-12);
    expect(gh200).toBeLessThan(1e-9);
  });

  it('the squashed entropy is 0.66980 at (0, 1) and −2.85002 at (3, 2), and its gradient equals Ridders differences', () => {
    expect(Math.abs(tanhGaussianEntropy(0, 0).value - H01)).toBeLessThan(1e-14);
    expect(Math.abs(tanhGaussianEntropy(3, Math.log(2)).value - H32)).toBeLessThan(1e-14);
    expect(tanhGaussianEntropy(0, 0).value.toFixed(5)).toBe('0.66980');
    expect(tanhGaussianEntropy(3, Math.log(2)).value.toFixed(5)).toBe('-2.85002');
    for (const [mu, ls] of [[0, 0], [3, Math.log(2)], [-0.7, -0.5]] as const) {
      const h = tanhGaussianEntropy(mu, ls);
      expect(Math.abs(h.gradMu - derivative((x) => tanhGaussianEntropy(x, ls).value, mu).value)).toBeLessThan(1e-10);
      expect(Math.abs(h.gradLogStd - derivative((x) => tanhGaussianEntropy(mu, x).value, ls).value)).toBeLessThan(1e-10);
    }
    // symmetric in μ: ∂H/∂μ = 0 at μ = 0
    expect(Math.abs(tanhGaussianEntropy(0, 0.3).gradMu)).toBeLessThan(1e-15);
  });

  it('tanh bandit: the score-function gradient equals Ridders differences and the reparameterization form', () => {
    const r = (a: number) => -((a - 0.4) ** 2) + 0.3 * a ** 3, dr = (a: number) => -2 * (a - 0.4) + 0.9 * a * a;
    for (const [mu, ls] of [[0, 0], [1.2, -0.4], [3, Math.log(2)]] as const) {
      const o = tanhGaussianBandit(r, mu, ls), sigma = Math.exp(ls);
      expect(Math.abs(o.gradMu - derivative((x) => tanhGaussianBandit(r, x, ls).value, mu).value)).toBeLessThan(1e-10);
      expect(Math.abs(o.gradLogStd - derivative((x) => tanhGaussianBandit(r, mu, x).value, ls).value)).toBeLessThan(1e-10);
      // reparameterization: ∂_μ J = E[r′(tanh u)(1 − tanh² u)], ∂_{log σ} J = E[r′(tanh u)(1 − tanh² u)(u − μ)]
      const jac = (u: number) => dr(Math.tanh(u)) * (1 - Math.tanh(u) ** 2);
      expect(Math.abs(o.gradMu - normalExpectation(jac, mu, sigma))).toBeLessThan(1e-13);
      expect(Math.abs(o.gradLogStd - normalExpectation((u) => jac(u) * (u - mu), mu, sigma))).toBeLessThan(1e-13);
    }
  });

  it('clipped bandit: gradients equal Ridders differences; the score at the clipped action has mean −1/(σ√(2π)) at μ on the upper bound (truth 0)', () => {
    const r = (a: number) => -((a - 0.8) ** 2);
    for (const [mu, ls] of [[1, 0], [0.3, -0.7], [1, Math.log(0.5)]] as const) {
      const o = clippedGaussianBandit(r, -1, 1, mu, ls);
      expect(Math.abs(o.gradMu - derivative((x) => clippedGaussianBandit(r, -1, 1, x, ls).value, mu, 0.05).value)).toBeLessThan(1e-9);
      expect(Math.abs(o.gradLogStd - derivative((x) => clippedGaussianBandit(r, -1, 1, mu, x).value, ls, 0.05).value)).toBeLessThan(1e-9);
    }
    for (const sigma of [1, 0.5]) {
      // the bound that matters is the one μ sits on: clip to (−∞, 1] (a far lower bound changes nothing)
      const clippedScore = normalExpectation((a) => (Math.min(1, a) - 1) / sigma ** 2, 1, sigma, { breaks: [1] });
      expect(Math.abs(clippedScore - -1 / (sigma * Math.sqrt(2 * Math.PI)))).toBeLessThan(1e-14);
      expect(Math.abs(normalExpectation((a) => (a - 1) / sigma ** 2, 1, sigma))).toBeLessThan(1e-15);
    }
    expect((-1 / Math.sqrt(2 * Math.PI)).toFixed(3)).toBe('-0.399');
  });
});
