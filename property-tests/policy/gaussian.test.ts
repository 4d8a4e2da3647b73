// The diagonal and tanh-squashed Gaussian rows (src/policy/gaussian.ts) against independent
// routes: Ridders differences of the log-density (scores, KL gradient), the trapezoidal rule
// on the real line (entropy, KL, Fisher, moments — spectrally accurate for these analytic,
// Gaussian-decaying integrands), the derivative of the squashed law's CDF Φ((atanh x − μ)/σ)
// (its density), and the figures of ../shared/REFERENCES.md.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { derivative } from '../../src/linalg/differentiate.js';
import {
  checkGaussianRow, gaussianAddKlGradRow, gaussianAddScoreRow, gaussianEntropyRow, gaussianFisherDiagRow, gaussianKlRow,
  gaussianLogProbRow, gaussianSampleRow, logOneMinusTanhSq, softplus, tanhGaussianLogProbRow, tanhGaussianSampleRow,
} from '../../src/policy/gaussian.js';
import { normalCdf } from '../../src/stats/distributions.js';
import { Rng } from '../../src/stats/rng.js';
import { expectError } from '../helpers.js';

/** ∫ f(z) φ(z) dz by the trapezoidal rule on [−L, L] with step h (error ~ e^{−2πd/h} for f analytic in |Im z| < d). */
function trapezoidNormal(f: (z: number) => number, h = 0.01, L = 40): number {
  let s = 0;
  for (let z = -L; z <= L + 1e-12; z += h) s += f(z) * Math.exp(-0.5 * z * z);
  return (s * h) / Math.sqrt(2 * Math.PI);
}

const row = fc.record({
  k: fc.integer({ min: 1, max: 3 }),
  mu: fc.array(fc.integer({ min: -300, max: 300 }), { minLength: 3, maxLength: 3 }),
  ls: fc.array(fc.integer({ min: -150, max: 150 }), { minLength: 3, maxLength: 3 }),
  z: fc.array(fc.integer({ min: -300, max: 300 }), { minLength: 3, maxLength: 3 }),
}).map(({ k, mu, ls, z }) => {
  const m = Float64Array.from(mu, (x) => x / 100), l = Float64Array.from(ls, (x) => x / 100);
  const a = Float64Array.from(z, (x, i) => m[i]! + Math.exp(l[i]!) * (x / 100));
  return { k, mu: m, ls: l, a };
});

describe('diagonal Gaussian rows', () => {
  it('log N matches the textbook density and its scores match Ridders differences', () => {
    fc.assert(fc.property(row, ({ k, mu, ls, a }) => {
      // offsets: the row sits at offset 1 of padded buffers, as in a head-output row
      const pad = (x: Float64Array) => Float64Array.of(99, ...x);
      const A = pad(a), M = pad(mu), Ls = pad(ls);
      let direct = 1;
      for (let i = 0; i < k; i++) direct *= Math.exp(-0.5 * ((a[i]! - mu[i]!) / Math.exp(ls[i]!)) ** 2) / (Math.sqrt(2 * Math.PI) * Math.exp(ls[i]!));
      const lp = gaussianLogProbRow(A, 1, M, 1, Ls, 1, k);
      expect(Math.abs(lp - Math.log(direct))).toBeLessThan(1e-12 * Math.max(1, Math.abs(lp)));
      const gMu = new Float64Array(4), gLs = new Float64Array(4);
      gaussianAddScoreRow(A, 1, M, 1, Ls, 1, k, 2, gMu, 1, gLs, 1); // w = 2
      for (let i = 0; i < k; i++) {
        const dMu = derivative((x) => { const m = Float64Array.from(M); m[1 + i] = x; return gaussianLogProbRow(A, 1, m, 1, Ls, 1, k); }, M[1 + i]!, 0.05);
        const dLs = derivative((x) => { const l = Float64Array.from(Ls); l[1 + i] = x; return gaussianLogProbRow(A, 1, M, 1, l, 1, k); }, Ls[1 + i]!, 0.05);
        expect(Math.abs(gMu[1 + i]! / 2 - dMu.value)).toBeLessThan(1e-7 * Math.max(1, Math.abs(dMu.value)));
        expect(Math.abs(gLs[1 + i]! / 2 - dLs.value)).toBeLessThan(1e-7 * Math.max(1, Math.abs(dLs.value)));
      }
      expect(gMu[0]).toBe(0);
      expect(gLs[0]).toBe(0);
    }));
  });

  it('entropy, Fisher diagonal and score moments agree with quadrature', () => {
    for (const [mu, ls] of [[0, 0], [1.3, -0.7], [-2, 1.1]] as const) {
      const sigma = Math.exp(ls), M = Float64Array.of(mu), L = Float64Array.of(ls);
      const lp = (z: number) => gaussianLogProbRow([mu + sigma * z], 0, M, 0, L, 0, 1);
      expect(Math.abs(gaussianEntropyRow(L, 0, 1) - -trapezoidNormal(lp))).toBeLessThan(1e-13);
      const score = (z: number) => { const g = new Float64Array(1), h = new Float64Array(1); gaussianAddScoreRow([mu + sigma * z], 0, M, 0, L, 0, 1, 1, g, 0, h, 0); return [g[0]!, h[0]!] as const; };
      const fMu = new Float64Array(1), fLs = new Float64Array(1);
      gaussianFisherDiagRow(L, 0, 1, fMu, 0, fLs, 0);
      expect(Math.abs(trapezoidNormal((z) => score(z)[0] ** 2) - fMu[0]!)).toBeLessThan(1e-12 * fMu[0]!);
      expect(Math.abs(trapezoidNormal((z) => score(z)[1] ** 2) - fLs[0]!)).toBeLessThan(1e-12);
      expect(Math.abs(trapezoidNormal((z) => score(z)[0] * score(z)[1]))).toBeLessThan(1e-12 * fMu[0]!);
      expect(Math.abs(trapezoidNormal((z) => score(z)[0]))).toBeLessThan(1e-12 * fMu[0]!);
      expect(Math.abs(trapezoidNormal((z) => score(z)[1]))).toBeLessThan(1e-12);
    }
  });

  it('KL(p‖q) agrees with quadrature of log p/q, is 0 at p = q, keeps relative precision near p = q, and its q-gradient matches Ridders', () => {
    fc.assert(fc.property(row, row, ({ mu: mp, ls: lpar }, { mu: mq, ls: lq }) => {
      let quad = 0;
      for (let i = 0; i < 3; i++) {
        const sp = Math.exp(lpar[i]!);
        quad += trapezoidNormal((z) => {
          const x = [mp[i]! + sp * z];
          return gaussianLogProbRow(x, 0, mp, i, lpar, i, 1) - gaussianLogProbRow(x, 0, mq, i, lq, i, 1);
        }, 0.02);
      }
      const kl = gaussianKlRow(mp, 0, lpar, 0, mq, 0, lq, 0, 3);
      expect(Math.abs(kl - quad)).toBeLessThan(1e-10 * Math.max(1, kl));
      expect(gaussianKlRow(mp, 0, lpar, 0, mp, 0, lpar, 0, 3)).toBe(0);
      const gMu = new Float64Array(3), gLs = new Float64Array(3);
      gaussianAddKlGradRow(mp, 0, lpar, 0, mq, 0, lq, 0, 3, 1, gMu, 0, gLs, 0);
      for (let i = 0; i < 3; i++) {
        const dMu = derivative((x) => { const m = Float64Array.from(mq); m[i] = x; return gaussianKlRow(mp, 0, lpar, 0, m, 0, lq, 0, 3); }, mq[i]!, 0.05);
        const dLs = derivative((x) => { const l = Float64Array.from(lq); l[i] = x; return gaussianKlRow(mp, 0, lpar, 0, mq, 0, l, 0, 3); }, lq[i]!, 0.05);
        expect(Math.abs(gMu[i]! - dMu.value)).toBeLessThan(1e-6 * Math.max(1, Math.abs(dMu.value)));
        expect(Math.abs(gLs[i]! - dLs.value)).toBeLessThan(1e-6 * Math.max(1, Math.abs(dLs.value)));
      }
    }), { numRuns: 20 });
    // near p = q: KL = ½(ρ − 1 − log ρ) ≈ δ² for log σ differing by δ (ρ = e^{2δ}): the series, not cancellation
    const d = 1e-7, exact = 0.5 * (Math.expm1(2 * d) - 2 * d);
    expect(Math.abs(gaussianKlRow([0], 0, [d], 0, [0], 0, [0], 0, 1) / exact - 1)).toBeLessThan(1e-6);
  });

  it('samples have mean μ and standard deviation σ (seeded; 6 standard errors)', () => {
    const rng = Rng.from('gaussian-sample'), n = 200_000, out = new Float64Array(2);
    const mu = Float64Array.of(0.5, -2), ls = Float64Array.of(-0.3, 0.8);
    const s1 = [0, 0], s2 = [0, 0];
    for (let t = 0; t < n; t++) {
      gaussianSampleRow(rng, mu, 0, ls, 0, 2, out, 0);
      for (let i = 0; i < 2; i++) { const z = (out[i]! - mu[i]!) / Math.exp(ls[i]!); s1[i]! += z; s2[i]! += z * z; }
    }
    for (let i = 0; i < 2; i++) {
      expect(Math.abs(s1[i]! / n)).toBeLessThan(6 / Math.sqrt(n)); // se of the mean of N(0,1): 1/√n
      expect(Math.abs(s2[i]! / n - 1)).toBeLessThan(6 * Math.sqrt(2 / n)); // se of the mean of z²: √(2/n)
    }
  });

  it('checkGaussianRow rejects non-finite and out-of-range parameters with the place named', () => {
    expectError(() => checkGaussianRow([0, NaN], 0, [0, 0], 0, 2, 'head row 3'), 'POLICY_NOT_FINITE', 'head row 3', 'μ[1]');
    expectError(() => checkGaussianRow([0], 0, [Infinity], 0, 1), 'POLICY_NOT_FINITE', 'log σ[0]');
    expectError(() => checkGaussianRow([0], 0, [-51], 0, 1), 'POLICY_SCALE', '-51');
    expectError(() => checkGaussianRow([0], 0, [0], 0, 2), 'POLICY_SHAPE');
    checkGaussianRow([0, 1], 0, [-50, 50], 0, 2);
  });
});

describe('tanh-squashed Gaussian rows', () => {
  it('softplus and the stable log(1 − tanh² u) agree with the literal forms where those are accurate, and stay finite beyond', () => {
    for (let u = -8; u <= 8; u += 0.37) {
      const literal = Math.log(1 - Math.tanh(u) ** 2);
      expect(Math.abs(logOneMinusTanhSq(u) - literal)).toBeLessThan(1e-9 * Math.max(1, Math.abs(literal)));
      expect(Math.abs(logOneMinusTanhSq(u) - -2 * Math.log(Math.cosh(u)) )).toBeLessThan(1e-13 * Math.max(1, Math.abs(u)));
      expect(Math.abs(softplus(u) - Math.log1p(Math.exp(u)))).toBeLessThan(1e-14 * Math.max(1, Math.abs(u)));
      expect(logOneMinusTanhSq(u)).toBe(logOneMinusTanhSq(-u));
    }
    // the atanh round trip loses digits long before it overflows (the module comment's figures)
    expect(Math.abs(Math.atanh(Math.tanh(10)) - 10)).toBeGreaterThan(1e-9);
    expect(Math.abs(Math.atanh(Math.tanh(15)) - 15)).toBeGreaterThan(1e-5);
    expect(Math.atanh(Math.tanh(20))).toBe(Infinity);
    // the literal form is −∞ from |u| ≈ 19.1; the stable one is 2 log 2 − 2|u|
    expect(Math.log(1 - Math.tanh(20) ** 2)).toBe(-Infinity);
    expect(Math.abs(logOneMinusTanhSq(20) - (2 * Math.LN2 - 40))).toBeLessThan(1e-12);
    expect(Math.abs(logOneMinusTanhSq(-800) - (2 * Math.LN2 - 1600))).toBeLessThan(1e-9);
    expect(softplus(800)).toBe(800);
  });

  it('the squashed density equals the derivative of the CDF Φ((atanh x − μ)/σ) (Ridders)', () => {
    for (const [mu, ls] of [[0, 0], [3, Math.log(2)], [-0.4, -1]] as const) {
      const sigma = Math.exp(ls), cdf = (x: number) => normalCdf((Math.atanh(x) - mu) / sigma);
      for (const u of [-2.5, -1, -0.2, 0, 0.6, 1.7, 2.9]) {
        const dens = Math.exp(tanhGaussianLogProbRow([u], 0, [mu], 0, [ls], 0, 1));
        const x = Math.tanh(u), d = derivative(cdf, x, 0.1 * (1 - Math.abs(x)));
        expect(Math.abs(dens - d.value)).toBeLessThan(1e-8 * Math.max(1, dens));
      }
    }
  });

  it('reproduces the squashed entropies 0.66980 and −2.85002 and the wrong forms’ signatures (REFERENCES.md)', () => {
    const cases = [{ mu: 0, sigma: 1, H: 0.66980, wrong: 0.771 }, { mu: 3, sigma: 2, H: -2.85002, wrong: 0.206 }];
    for (const c of cases) {
      const M = [c.mu], L = [Math.log(c.sigma)];
      const H = -trapezoidNormal((z) => tanhGaussianLogProbRow([c.mu + c.sigma * z], 0, M, 0, L, 0, 1), 0.005);
      expect(Math.abs(H - c.H)).toBeLessThan(5e-6);
      // the Jacobian at the squashed value: ∫ N(u) (1 − tanh² u)/(1 − tanh²(tanh u)) du, not 1
      const mass = trapezoidNormal((z) => { const u = c.mu + c.sigma * z; return Math.exp(logOneMinusTanhSq(u) - logOneMinusTanhSq(Math.tanh(u))); }, 0.005);
      expect(Math.abs(mass - c.wrong)).toBeLessThan(5e-4);
    }
    // atanh(clamp(a, ±(1 − 1e-6))) round trips at (3, 2): E[log π] biased by −0.0093 nats
    const M = [3], L = [Math.log(2)], lim = 1 - 1e-6;
    const bias = trapezoidNormal((z) => {
      const u = 3 + 2 * z, a = Math.min(lim, Math.max(-lim, Math.tanh(u)));
      return tanhGaussianLogProbRow([Math.atanh(a)], 0, M, 0, L, 0, 1) - tanhGaussianLogProbRow([u], 0, M, 0, L, 0, 1);
    }, 0.005);
    expect(Math.abs(bias - -0.0093)).toBeLessThan(5e-5);
  });

  it('sampling stores u and a = tanh(u) side by side', () => {
    const rng = Rng.from('tanh-sample'), u = new Float64Array(3), a = new Float64Array(3);
    tanhGaussianSampleRow(rng, [0, 3, -1], 0, [0, 0.7, -2], 0, 3, u, 0, a, 0);
    for (let i = 0; i < 3; i++) expect(a[i]).toBe(Math.tanh(u[i]!));
    const again = new Float64Array(3);
    gaussianSampleRow(Rng.from('tanh-sample'), [0, 3, -1], 0, [0, 0.7, -2], 0, 3, again, 0);
    expect(Array.from(again)).toEqual(Array.from(u));
  });
});
