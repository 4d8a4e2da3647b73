// The Gaussian and tanh-squashed Gaussian MLP heads: score sums against Ridders differences
// of their logProb; the densities integrate to 1 (1-D quadrature); entropy against
// −∫ π log π and REFERENCES.md's squashed entropies; KL against ∫ p log(p/q); the Fisher–
// vector product against mixed second differences of the KL; sampling against the moments.
// Each check has a negative control modelled on a shipped bug.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gradientByDifferences } from '../../src/linalg/differentiate.js';
import { gaussianMlpPolicy, tanhGaussianMlpPolicy, tanhLogJacobianMoments, type GaussianMlpPolicy } from '../../src/policy/gaussian-head.js';
import { normalExpectation } from '../../src/linalg/quadrature.js';
import { logOneMinusTanhSq } from '../../src/policy/gaussian.js';
import { initMlp, Mlp, type ActivationName } from '../../src/policy/mlp.js';
import { normalUpperQuantile } from '../../src/stats/distributions.js';
import { Rng } from '../../src/stats/rng.js';
import { expectError, rel } from '../helpers.js';

type Mode = 'state-independent' | 'state-dependent';
const seeds = fc.integer({ min: 0, max: 1e9 });
const modes = fc.constantFrom<Mode>('state-independent', 'state-dependent');
const heads = fc.boolean(); // squashed?

function setup(seed: number, squashed: boolean, mode: Mode, k?: number, act: ActivationName = 'tanh') {
  const rng = Rng.from(seed);
  const d = 1 + rng.int(3), kk = k ?? 1 + rng.int(2), H = 1 + rng.int(4);
  const mlp = new Mlp([d, H, mode === 'state-dependent' ? 2 * kk : kk], act);
  const make = squashed ? tanhGaussianMlpPolicy : gaussianMlpPolicy;
  const pol = make(mlp, { logStd: mode });
  const theta = new Float64Array(pol.numParams);
  theta.set(initMlp(mlp, rng, { lastGain: 0.7, hiddenGain: 1.2 }));
  for (let j = 0; j < mlp.numParams; j++) theta[j] += 0.2 * rng.normal();
  for (let i = mlp.numParams; i < pol.numParams; i++) theta[i] = -0.7 + rng.uniform();
  const T = 1 + rng.int(3);
  const obs = Float64Array.from({ length: T * d }, () => rng.normal());
  const actions = pol.sample(theta, obs, T, rng);
  const c = Float64Array.from({ length: T }, () => rng.normal());
  return { rng, mlp, pol, theta, obs, actions, c, T, d, k: kk };
}

/** ∫ f over [lo, hi] by the composite midpoint rule with n cells. */
function midpoint(f: (x: number) => number, lo: number, hi: number, n: number): number {
  const h = (hi - lo) / n;
  let s = 0;
  for (let i = 0; i < n; i++) s += f(lo + (i + 0.5) * h);
  return s * h;
}

/** A 1-D head whose one state has mean μ and log σ exactly (zero weights, bias μ; log σ a parameter or a bias). */
function fixedHead(squashed: boolean, mode: Mode, mu: number, logStd: number): { pol: GaussianMlpPolicy; theta: Float64Array; obs: Float64Array } {
  const mlp = new Mlp([1, 2, mode === 'state-dependent' ? 2 : 1], 'tanh');
  const pol = (squashed ? tanhGaussianMlpPolicy : gaussianMlpPolicy)(mlp, { logStd: mode });
  const theta = new Float64Array(pol.numParams);
  const last = mlp.layers[1]!;
  theta[last.b] = mu;
  if (mode === 'state-dependent') theta[last.b + 1] = logStd; else theta[mlp.numParams] = logStd;
  return { pol, theta, obs: Float64Array.of(0.3) };
}

/** π(a) da/du at a = tanh u for a 1-D tanh head: the density of a pulled back to u (∫ over u = ∫ over a). */
function squashedDensity(h: { pol: GaussianMlpPolicy; theta: Float64Array; obs: Float64Array }, u: number, theta = h.theta): number {
  return Math.exp(h.pol.logProb(theta, h.obs, 1, Float64Array.of(u))[0]! + logOneMinusTanhSq(u));
}

describe('Gaussian and tanh-Gaussian MLP heads', () => {
  it('scoreSum = Σ_t c_t ∇θ log π(a_t|s_t) against Ridders differences of logProb (to 1e-8), both heads, both log σ modes', () => {
    fc.assert(fc.property(seeds, heads, modes, (seed, squashed, mode) => {
      const { pol, theta, obs, actions, c, T } = setup(seed, squashed, mode);
      const g = pol.scoreSum(theta, obs, T, actions, c);
      const fd = gradientByDifferences((th) => pol.logProb(th, obs, T, actions).reduce((s, l, t) => s + c[t]! * l, 0), theta, 0.05);
      expect(rel(g, fd.value, 1)).toBeLessThan(1e-8);
    }), { numRuns: 40 });
  });

  it('negative control: a μ-score of (a − μ)/σ instead of (a − μ)/σ² is rejected by the same Ridders check', () => {
    const { mlp, pol, theta, obs, actions, c, T, k } = setup(3, false, 'state-independent', 1);
    const z = mlp.forward(theta, obs, T);
    const sigma = Math.exp(theta[mlp.numParams]!);
    expect(Math.abs(sigma - 1)).toBeGreaterThan(0.05);
    const cot = Float64Array.from({ length: T * k }, (_, t) => (c[t]! * (actions[t]! - z[t]!)) / sigma);
    const wrong = new Float64Array(pol.numParams);
    mlp.vjp(theta, cot, wrong);
    wrong[mlp.numParams] = pol.scoreSum(theta, obs, T, actions, c)[mlp.numParams]!; // the log σ entry right
    const fd = gradientByDifferences((th) => pol.logProb(th, obs, T, actions).reduce((s, l, t) => s + c[t]! * l, 0), theta, 0.05);
    expect(rel(wrong, fd.value, 1)).toBeGreaterThan(1e-3);
  });

  it('the densities integrate to 1 in 1-D (Gaussian over a; tanh head over a ∈ (−1, 1) via a = tanh u, da = (1 − tanh² u) du); the Jacobian taken at the squashed value integrates to 0.771 and is rejected', () => {
    for (const [mu, ls] of [[0, 0], [0.7, -0.5], [-1.2, 0.4]] as const) {
      const s = Math.exp(ls);
      const g = fixedHead(false, 'state-independent', mu, ls);
      const pdf = (a: number) => Math.exp(g.pol.logProb(g.theta, g.obs, 1, Float64Array.of(a))[0]!);
      expect(Math.abs(midpoint(pdf, mu - 40 * s, mu + 40 * s, 20000) - 1)).toBeLessThan(1e-12);
      const h = fixedHead(true, 'state-dependent', mu, ls);
      expect(Math.abs(midpoint((u) => squashedDensity(h, u), mu - 40 * s, mu + 40 * s, 20000) - 1)).toBeLessThan(1e-12);
    }
    // control (REFERENCES.md): log N(u) − log(1 − tanh²(tanh u)) at (0, 1) integrates to 0.771
    const h = fixedHead(true, 'state-independent', 0, 0);
    const wrong = (u: number) => squashedDensity(h, u) * Math.exp(logOneMinusTanhSq(u) - logOneMinusTanhSq(Math.tanh(u)));
    const mass = midpoint(wrong, -40, 40, 20000);
    expect(Math.abs(mass - 0.771)).toBeLessThan(5e-4);
    expect(Math.abs(mass - 1)).toBeGreaterThan(1e-6);
  });

  it('entropy: the Gaussian head equals −∫ π log π (1e-12); the tanh head reproduces REFERENCES.md (0.66980 at (0, 1), −2.85002 at (3, 2)) and −∫ π log π over a', () => {
    for (const [mu, ls] of [[0, 0], [0.5, -1], [2, 0.5]] as const) {
      const g = fixedHead(false, 'state-dependent', mu, ls);
      const lp = (a: number) => g.pol.logProb(g.theta, g.obs, 1, Float64Array.of(a))[0]!;
      const s = Math.exp(ls);
      const want = midpoint((a) => -Math.exp(lp(a)) * lp(a), mu - 40 * s, mu + 40 * s, 20000);
      expect(Math.abs(g.pol.entropy(g.theta, g.obs, 1)[0]! - want)).toBeLessThan(1e-12);
    }
    const a = fixedHead(true, 'state-independent', 0, 0), b = fixedHead(true, 'state-dependent', 3, Math.log(2));
    expect(Math.abs(a.pol.entropy(a.theta, a.obs, 1)[0]! - 0.66980)).toBeLessThan(5e-6);
    expect(Math.abs(b.pol.entropy(b.theta, b.obs, 1)[0]! - -2.85002)).toBeLessThan(5e-6);
    // and against −∫ π(a) log π(a) da over a ∈ (−1, 1) (pulled back to u) at (0.5, e^{−0.5})
    const c = fixedHead(true, 'state-independent', 0.5, -0.5);
    const want = midpoint((u) => -squashedDensity(c, u) * c.pol.logProb(c.theta, c.obs, 1, Float64Array.of(u))[0]!, 0.5 - 25, 0.5 + 25, 20000);
    expect(Math.abs(c.pol.entropy(c.theta, c.obs, 1)[0]! - want)).toBeLessThan(1e-12);
    // control: the pre-squash Gaussian entropy ½ log(2πe) misses the squashed one by 0.75 nats at (0, 1)
    expect(Math.abs(0.5 * Math.log(2 * Math.PI * Math.E) - 0.66980)).toBeGreaterThan(0.5);
  });

  it('tanhLogJacobianMoments (200 nodes, one pass) equals the exact route normalExpectation (≈10³ nodes per moment) to 1e-13 over μ ∈ [−8, 12], σ ∈ [e⁻³, e⁴]; the tiny-σ limit −2 tanh μ; too short a range or too wide panels are rejected', () => {
    const reference = (mu: number, s: number) => [
      normalExpectation(logOneMinusTanhSq, mu, s),
      normalExpectation((x) => (logOneMinusTanhSq(x) * (x - mu)) / (s * s), mu, s),
      normalExpectation((x) => { const z = (x - mu) / s; return logOneMinusTanhSq(x) * (z * z - 1); }, mu, s),
    ];
    const worst = (layout?: { halfWidth?: number; widthFactor?: number }) => {
      let w = 0;
      for (const mu of [-8, -3, -0.4, 0, 0.7, 2, 5, 12]) for (const ls of [-3, -2, -1, 0, 0.3, 1, 1.5, 2, 3, 4]) {
        const s = Math.exp(ls), m = tanhLogJacobianMoments(mu, s, undefined, layout), r = reference(mu, s);
        for (let i = 0; i < 3; i++) w = Math.max(w, Math.abs(m[i]! - r[i]!) / (1 + Math.abs(r[i]!)));
      }
      return w;
    };
    expect(worst()).toBeLessThan(1e-13);
    // σ → 0: E[ℓ] → ℓ(μ), ∂μ E[ℓ] → ℓ'(μ) = −2 tanh μ, ∂logσ E[ℓ] = O(σ²)
    for (const mu of [-8, -1, 0.5, 3]) {
      const m = tanhLogJacobianMoments(mu, 1e-4);
      expect(Math.abs(m[0]! - logOneMinusTanhSq(mu))).toBeLessThan(1e-8);
      expect(Math.abs(m[1]! + 2 * Math.tanh(mu))).toBeLessThan(1e-8);
      expect(Math.abs(m[2]!)).toBeLessThan(1e-7);
    }
    // negative controls: the range cut at |z| = 6, and panels 6·π/(2σ) wide
    expect(worst({ halfWidth: 6 })).toBeGreaterThan(1e-8);
    expect(worst({ widthFactor: 6 })).toBeGreaterThan(1e-11);
    expectError(() => tanhLogJacobianMoments(0, 0), 'BANDIT_INVALID');
    expectError(() => tanhLogJacobianMoments(Number.NaN, 1), 'BANDIT_INVALID');
  });

  it('KL per state = ∫ p log(p/q) (1-D quadrature, both heads), KL(θ‖θ) = 0, and the tanh head’s KL equals the Gaussian one', () => {
    for (const mode of ['state-independent', 'state-dependent'] as const) {
      const p = fixedHead(false, mode, 0.3, -0.2), q = fixedHead(false, mode, -0.4, 0.3);
      const lp = (a: number) => p.pol.logProb(p.theta, p.obs, 1, Float64Array.of(a))[0]!;
      const lq = (a: number) => p.pol.logProb(q.theta, p.obs, 1, Float64Array.of(a))[0]!;
      const want = midpoint((a) => Math.exp(lp(a)) * (lp(a) - lq(a)), -30, 30, 20000);
      expect(Math.abs(p.pol.kl(p.theta, q.theta, p.obs, 1)[0]! - want)).toBeLessThan(1e-12);
      expect(p.pol.kl(p.theta, p.theta, p.obs, 1)[0]).toBe(0);
      const tp = fixedHead(true, mode, 0.3, -0.2), tq = fixedHead(true, mode, -0.4, 0.3);
      expect(tp.pol.kl(tp.theta, tq.theta, tp.obs, 1)[0]).toBe(p.pol.kl(p.theta, q.theta, p.obs, 1)[0]);
      // ∫ p(a) log(p(a)/q(a)) da over a ∈ (−1, 1) with the squashed densities (pulled back to u)
      const la = (th: Float64Array, u: number) => tp.pol.logProb(th, tp.obs, 1, Float64Array.of(u))[0]!;
      const wantA = midpoint((u) => squashedDensity(tp, u) * (la(tp.theta, u) - la(tq.theta, u)), -30, 30, 20000);
      expect(Math.abs(tp.pol.kl(tp.theta, tq.theta, tp.obs, 1)[0]! - wantA)).toBeLessThan(1e-12);
    }
  });

  it('fisherVectorProduct: e_jᵀ F v = ∂²/∂s∂r KL(π_θ‖π_{θ+sv+re_j}) at 0 (mixed differences, 1e-5); dropping the log σ block is rejected', () => {
    fc.assert(fc.property(seeds, heads, modes, (seed, squashed, mode) => {
      const { mlp, pol, theta, obs, T, rng } = setup(seed, squashed, mode);
      const v = Float64Array.from({ length: pol.numParams }, () => rng.normal());
      const norm = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
      v.forEach((x, i) => { v[i] = x / norm; });
      const fv = pol.fisherVectorProduct(theta, obs, T, v);
      const h = 2e-4; // the 4-point mixed difference cancels the cubic terms: error O(h²)
      const klMean = (s: number, j: number, r: number) => {
        const th = theta.map((x, i) => x + s * v[i]! + (i === j ? r : 0));
        return pol.kl(theta, th, obs, T).reduce((a, b) => a + b, 0) / T;
      };
      const mixed = Float64Array.from(fv, (_, j) => (klMean(h, j, h) - klMean(h, j, -h) - klMean(-h, j, h) + klMean(-h, j, -h)) / (4 * h * h));
      expect(rel(fv, mixed, 1)).toBeLessThan(1e-5);
      // control (a shipped natural-gradient bug): the log σ block left out of F v
      if (mode === 'state-independent') {
        const dropped = Float64Array.from(fv);
        dropped.fill(0, mlp.numParams);
        expect(rel(dropped, mixed, 1)).toBeGreaterThan(1e-3);
      }
    }), { numRuns: 24 });
  });

  it('entropyGradSum and klGradSum against Ridders differences of Σ_t w_t H_t(θ) and Σ_t w_t KL_t(θ_old ‖ θ) (1e-8), both heads and modes; the tanh entropy gradient without its Jacobian part is rejected', () => {
    fc.assert(fc.property(seeds, heads, modes, (seed, squashed, mode) => {
      const { pol, theta, obs, T, rng } = setup(seed, squashed, mode);
      const w = Float64Array.from({ length: T }, () => rng.normal());
      const old = theta.map((x) => x + 0.3 * rng.normal());
      const wsum = (xs: Float64Array) => xs.reduce((s, x, t) => s + w[t]! * x, 0);
      const gH = pol.entropyGradSum(theta, obs, T, w);
      const fdH = gradientByDifferences((th) => wsum(pol.entropy(th, obs, T)), theta, 0.05);
      expect(rel(gH, fdH.value, 1)).toBeLessThan(1e-8);
      const gK = pol.klGradSum(old, theta, obs, T, w);
      const fdK = gradientByDifferences((th) => wsum(pol.kl(old, th, obs, T)), theta, 0.05);
      expect(rel(gK, fdK.value, 1)).toBeLessThan(1e-8);
      if (squashed) {
        // control: the pre-squash Gaussian's entropy gradient (∂H/∂ log σ = 1 only) for the squashed head
        const plain = gaussianMlpPolicy(pol.mlp, { logStd: mode }).entropyGradSum(theta, obs, T, w);
        expect(rel(plain, fdH.value, 1)).toBeGreaterThan(1e-3);
      }
    }), { numRuns: 16 });
  });

  it('sample: standardized draws have mean 0 and variance 1 per dimension (α = 1e-6 overall, Šidák over 4 statistics; detects a 4% error in σ at N = 40000); σ·1.05 is rejected', () => {
    const mlp = new Mlp([2, 3, 2], 'swish');
    const pol = gaussianMlpPolicy(mlp);
    const rng = Rng.from(8);
    const theta = new Float64Array(pol.numParams);
    theta.set(initMlp(mlp, rng, { lastGain: 1 }));
    theta[mlp.numParams] = -0.3; theta[mlp.numParams + 1] = 0.4;
    const N = 40000, o = Float64Array.of(0.5, -1);
    const obs = new Float64Array(2 * N);
    for (let t = 0; t < N; t++) obs.set(o, 2 * t);
    const a = pol.sample(theta, obs, N, Rng.from(9));
    const { mu, logStd } = pol.meanAndLogStd(theta, o, 1);
    const zc = normalUpperQuantile(1e-6 / 8);
    const stats = (scale: number) => {
      const out: number[] = [];
      for (let i = 0; i < 2; i++) {
        let m = 0, m2 = 0;
        for (let t = 0; t < N; t++) { const z = (a[2 * t + i]! - mu[i]!) / (scale * Math.exp(logStd[i]!)); m += z; m2 += z * z; }
        out.push(Math.abs(m / N) * Math.sqrt(N), Math.abs(m2 / N - 1) / Math.sqrt(2 / N));
      }
      return Math.max(...out);
    };
    expect(stats(1)).toBeLessThan(zc);
    expect(stats(1.05)).toBeGreaterThan(zc);
    // tanh head: envActions squashes into (−1, 1); same seed, same draws of u
    const tpol = tanhGaussianMlpPolicy(mlp);
    const u = tpol.sample(theta, obs.subarray(0, 200), 100, Rng.from(9));
    expect(Array.from(u)).toEqual(Array.from(a.subarray(0, 200)));
    const env = tpol.envActions(u, 100);
    env.forEach((x, i) => expect(x).toBe(Math.tanh(u[i]!)));
  });

  it('bad input: typed errors', () => {
    expectError(() => gaussianMlpPolicy(new Mlp([2, 3]), { logStd: 'state-dependent' }), 'NN_ARCHITECTURE', 'even output width');
    const { pol, theta, obs, T, actions } = setup(1, true, 'state-independent');
    expectError(() => pol.logProb(theta.subarray(1), obs, T, actions), 'POLICY_SHAPE', 'theta');
    const big = Float64Array.from(theta);
    big[pol.numParams - 1] = 60;
    expectError(() => pol.entropy(big, obs, T), 'POLICY_SCALE', 'log σ');
    expectError(() => pol.logProb(theta, obs, T, new Float64Array(0)), 'NN_INPUT', 'actions');
  });
});
