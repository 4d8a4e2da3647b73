// The discounted LQR's closed forms (src/exact/lqr.ts) against independent routes: the
// scalar undiscounted values of Fazel et al. (REFERENCES.md), Ridders differences of the
// closed-form cost for ∇_K C and ∂C/∂σ, the series Σ_t γᵗ(Mᵀ)ᵗQ'Mᵗ and the moment
// recursion for P_K and Σ_K, and Monte Carlo rollouts (src/sampling/lqr.ts) for C.
import { describe, expect, it } from 'vitest';
import { lqr, lqrCost, lqrCostToGo, lqrEvaluate, lqrStabilityRadius } from '../../src/exact/lqr.js';
import { derivative } from '../../src/linalg/differentiate.js';
import { solveDiscreteLyapunov, spectralRadius } from '../../src/linalg/lyapunov.js';
import { sampleLqrEpisodes } from '../../src/sampling/lqr.js';
import { normalUpperQuantile } from '../../src/stats/distributions.js';
import { Rng } from '../../src/stats/rng.js';
import { DETECTION_POWER, scalarMeanTest } from '../../src/stats/tests.js';
import { rewardToGo } from '../../src/estimators/returns.js';
import { expectError } from '../helpers.js';
import { randomInstance } from './lqr-instances.js';

const PHI = (1 + Math.sqrt(5)) / 2;

/** Σ_{t<T} γᵗ (Mᵀ)ᵗ Q Mᵗ by direct summation. */
function lyapunovSeries(M: Float64Array, Q: Float64Array, n: number, gamma: number, T: number): Float64Array {
  let X = Float64Array.from(Q), term = Float64Array.from(Q);
  for (let t = 1; t < T; t++) {
    const next = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) { let v = 0; for (let k = 0; k < n; k++) for (let l = 0; l < n; l++) v += M[k * n + i]! * term[k * n + l]! * M[l * n + j]!; next[i * n + j] = gamma * v; }
    term = next;
    X = X.map((x, i) => x + term[i]!);
  }
  return X;
}

describe('spectral radius and the discrete Lyapunov equation', () => {
  it('spectralRadius is exact on rotations, Jordan blocks, triangular and nilpotent matrices', () => {
    const r = 0.93, c = Math.cos(1.1), s = Math.sin(1.1);
    expect(Math.abs(spectralRadius(Float64Array.of(r * c, -r * s, r * s, r * c), 2) - r)).toBeLessThan(1e-13);
    expect(Math.abs(spectralRadius(Float64Array.of(0.9, 1, 0, 0.9), 2) - 0.9)).toBeLessThan(1e-12);
    expect(Math.abs(spectralRadius(Float64Array.of(0.2, 5, 7, 0, -1.3, 2, 0, 0, 0.7), 3) - 1.3)).toBeLessThan(1e-12);
    expect(spectralRadius(Float64Array.of(0, 1, 0, 0), 2)).toBe(0);
    expect(spectralRadius(Float64Array.of(0, 0, 0, 0), 2)).toBe(0);
  });
  it('solveDiscreteLyapunov equals the series Σ γᵗ (Mᵀ)ᵗ Q Mᵗ', () => {
    const rng = Rng.from('lyap'), n = 4;
    const M = Float64Array.from({ length: n * n }, () => 0.3 * rng.normal()), Q = Float64Array.from({ length: n * n }, () => rng.normal());
    const X = solveDiscreteLyapunov(M, Q, n, 0.95);
    const S = lyapunovSeries(M, Q, n, 0.95, 400);
    for (let i = 0; i < n * n; i++) expect(Math.abs(X[i]! - S[i]!)).toBeLessThan(1e-12 * Math.max(1, Math.abs(S[i]!)));
  });
});

describe('LQR closed forms', () => {
  const scalar = lqr({ n: 1, m: 1, A: [1], B: [1], Q: [1], R: [1], gamma: 1, sigma0: [1] });

  it('scalar undiscounted: C(K) = (1 + K²)/(2K − K²), C(0.5) = 5/3, C′(0.5) = −8/9, K* = 1/φ with C(K*) = φ (Fazel et al. 2018)', () => {
    const ev = lqrEvaluate(scalar, [0.5], [0]);
    expect(Math.abs(ev.cost - 5 / 3)).toBeLessThan(1e-14);
    expect(Math.abs(ev.gradK[0]! - -8 / 9)).toBeLessThan(1e-14);
    for (const K of [0.1, 0.3, 0.9, 1.4, 1.9]) expect(Math.abs(lqrCost(scalar, [K], [0]) - (1 + K * K) / (2 * K - K * K))).toBeLessThan(1e-12 * lqrCost(scalar, [K], [0]));
    // K* = 0.618034 is where the gradient vanishes: bisection on the closed-form ∇_K C
    let lo = 0.3, hi = 1.2;
    for (let i = 0; i < 80; i++) { const mid = 0.5 * (lo + hi); if (lqrEvaluate(scalar, [mid], [0]).gradK[0]! < 0) lo = mid; else hi = mid; }
    expect(Math.abs(lo - 0.618034)).toBeLessThan(5e-7);
    expect(Math.abs(lo - 1 / PHI)).toBeLessThan(1e-12);
    expect(Math.abs(lqrCost(scalar, [lo], [0]) - PHI)).toBeLessThan(1e-12);
    expect(Math.abs(lqrEvaluate(scalar, [1 / PHI], [0]).P[0]! - PHI)).toBeLessThan(1e-12);
  });

  it('stability: √γ·ρ(A − BK) ≥ 1 throws LQR_UNSTABLE naming the radius; invalid instances throw LQR_INVALID', () => {
    expectError(() => lqrCost(scalar, [0], [0]), 'LQR_UNSTABLE', '√γ·ρ(A − BK) = 1');
    expectError(() => lqrCost(scalar, [2.5], [0]), 'LQR_UNSTABLE', '1.5');
    expectError(() => lqrCost(scalar, [0.5], [0.1]), 'LQR_INVALID', 'gamma = 1');
    expectError(() => lqr({ n: 1, m: 1, A: [1], B: [1], Q: [1], R: [0], gamma: 0.9, sigma0: [1] }), 'LQR_INVALID', 'R is not positive definite');
    expectError(() => lqr({ n: 2, m: 1, A: [1, 0, 0, 1], B: [1, 0], Q: [1, 2, 0, 1], R: [1], gamma: 0.9, sigma0: [1, 0, 0, 1] }), 'LQR_INVALID', 'Q[1][0]');
    expectError(() => lqr({ n: 1, m: 1, A: [NaN], B: [1], Q: [1], R: [1], gamma: 0.9, sigma0: [1] }), 'LQR_INVALID', 'A[0][0]');
    expectError(() => lqr({ n: 1, m: 1, A: [1], B: [1], Q: [1], R: [1], gamma: 1.2, sigma0: [1] }), 'LQR_INVALID', 'gamma');
    const { problem, K } = randomInstance();
    expectError(() => lqrCost(problem, K, [-0.1, 1]), 'LQR_INVALID', 'sigma[0]');
    // a discount makes an undiscounted-unstable loop stable: ρ = 1.02, √0.9·1.02 < 1
    const d = lqr({ n: 1, m: 1, A: [1.02], B: [1], Q: [1], R: [1], gamma: 0.9, sigma0: [1] });
    expect(Math.abs(lqrStabilityRadius(d, [0]) - Math.sqrt(0.9) * 1.02)).toBeLessThan(1e-14);
  });

  it('∇_K C and ∂C/∂σ equal Ridders differences of the closed-form cost (n = 3, m = 2, γ = 0.9)', () => {
    for (const seed of ['lqr-a', 'lqr-b', 'lqr-c']) {
      const { problem, K, sigma } = randomInstance(seed);
      const ev = lqrEvaluate(problem, K, sigma);
      for (let i = 0; i < K.length; i++) {
        const d = derivative((v) => { const k = Float64Array.from(K); k[i] = v; return lqrCost(problem, k, sigma); }, K[i]!, 0.02);
        expect(Math.abs(ev.gradK[i]! - d.value)).toBeLessThan(1e-8 * Math.max(1, Math.abs(d.value)));
      }
      for (let i = 0; i < sigma.length; i++) {
        const d = derivative((v) => { const s = Float64Array.from(sigma); s[i] = v; return lqrCost(problem, K, s); }, sigma[i]!, 0.05);
        expect(Math.abs(ev.gradSigma[i]! - d.value)).toBeLessThan(1e-8 * Math.max(1, Math.abs(d.value)));
        expect(ev.gradLogSigma[i]).toBeCloseTo(sigma[i]! * ev.gradSigma[i]!, 12);
      }
    }
  });

  it('P_K and Σ_K equal their series; V satisfies the Bellman equation in closed-form expectations', () => {
    const { problem, K, sigma } = randomInstance();
    const { n, m, A, B, Q, R, gamma, sigma0 } = problem, ev = lqrEvaluate(problem, K, sigma);
    const M = Float64Array.from(A);
    for (let i = 0; i < n; i++) for (let l = 0; l < m; l++) for (let j = 0; j < n; j++) M[i * n + j] = M[i * n + j]! - B[i * m + l]! * K[l * n + j]!;
    // P by the series of Q + KᵀRK
    const q = Float64Array.from(Q);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) q[i * n + j] = q[i * n + j]! + K[a * n + i]! * R[a * m + b]! * K[b * n + j]!;
    const Ps = lyapunovSeries(M, q, n, gamma, 600);
    for (let i = 0; i < n * n; i++) expect(Math.abs(ev.P[i]! - Ps[i]!)).toBeLessThan(1e-11 * Math.max(1, Math.abs(Ps[i]!)));
    // Σ_K by the moment recursion E[x_{t+1}x_{t+1}ᵀ] = M E[x_t x_tᵀ] Mᵀ + B S² Bᵀ
    let Ex = Float64Array.from(sigma0), Sig = new Float64Array(n * n), w = 1;
    for (let t = 0; t < 600; t++, w *= gamma) {
      Sig = Sig.map((v, i) => v + w * Ex[i]!);
      const next = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
        let v = 0;
        for (let k = 0; k < n; k++) for (let l = 0; l < n; l++) v += M[i * n + k]! * Ex[k * n + l]! * M[j * n + l]!;
        for (let a = 0; a < m; a++) v += B[i * m + a]! * sigma[a]! ** 2 * B[j * m + a]!;
        next[i * n + j] = v;
      }
      Ex = next;
    }
    for (let i = 0; i < n * n; i++) expect(Math.abs(ev.stateCovariance[i]! - Sig[i]!)).toBeLessThan(1e-11 * Math.max(1, Math.abs(Sig[i]!)));
    // V(x) = xᵀQx + E[aᵀRa] + γ E[V(Ax + Ba)], a = −Kx + Sε: E[aᵀRa] = (Kx)ᵀR(Kx) + tr(RS²), E[V(x')] = V(Mx) + tr(BᵀPBS²)
    const x = Float64Array.of(0.7, -1.2, 0.4), Kx = new Float64Array(m), Mx = new Float64Array(n);
    for (let a = 0; a < m; a++) for (let j = 0; j < n; j++) Kx[a] = Kx[a]! + K[a * n + j]! * x[j]!;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Mx[i] = Mx[i]! + M[i * n + j]! * x[j]!;
    let rhs = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) rhs += x[i]! * Q[i * n + j]! * x[j]!;
    for (let a = 0; a < m; a++) { for (let b = 0; b < m; b++) rhs += Kx[a]! * R[a * m + b]! * Kx[b]!; rhs += R[a * m + a]! * sigma[a]! ** 2; }
    let btpb = 0;
    for (let a = 0; a < m; a++) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) btpb += B[i * m + a]! * ev.P[i * n + j]! * B[j * m + a]! * sigma[a]! ** 2;
    rhs += gamma * (lqrCostToGo(ev, Mx) + btpb);
    expect(Math.abs(lqrCostToGo(ev, x) - rhs)).toBeLessThan(1e-12 * Math.abs(rhs));
  });

  it('Monte Carlo: rollouts cut at H = 40 with the exact tail γᴴV(x_H) estimate C (α = 1e-6; resolution ≤ 1.5% of C)', () => {
    const { problem, K, sigma } = randomInstance();
    const ev = lqrEvaluate(problem, K, sigma), logSigma = sigma.map(Math.log);
    const E = 20_000, { batch, x } = sampleLqrEpisodes(problem, K, logSigma, E, { kind: 'horizon', horizon: 40 }, Rng.from('lqr-mc'));
    const values = new Float64Array(batch.numStates);
    for (let s = 0; s < values.length; s++) values[s] = -lqrCostToGo(ev, x, s * problem.n, problem.n);
    const G = rewardToGo(batch, problem.gamma, values); // G_0 = Σ_{t<H} γᵗ r_t + γᴴ V(x_H), V the reward's value −V_cost
    const costs = new Float64Array(E);
    for (let i = 0, e = 0; i < batch.size; i++) if (batch.t_index[i] === 0) costs[e++] = -G[i]!;
    const t = scalarMeanTest(costs, ev.cost, 1e-6);
    expect(t.passed).toBe(true);
    // power: the test detects a bias of minDetectable with probability 0.9
    expect(t.minDetectable).toBeLessThan(0.015 * ev.cost);
    expect(t.minDetectable).toBeCloseTo((t.threshold + normalUpperQuantile(1 - DETECTION_POWER)) * t.standardError, 10);
    // negative control: the noise term without its γ (tr(RS²) + tr(BᵀPBS²))/(1 − γ) is rejected
    let wrong = ev.cost - ev.valueConstant, curv = 0;
    for (let a = 0; a < problem.m; a++) {
      let bpb = 0;
      for (let i = 0; i < problem.n; i++) for (let j = 0; j < problem.n; j++) bpb += problem.B[i * problem.m + a]! * ev.P[i * problem.n + j]! * problem.B[j * problem.m + a]!;
      curv += sigma[a]! ** 2 * (problem.R[a * problem.m + a]! + bpb);
    }
    wrong += curv / (1 - problem.gamma);
    expect(scalarMeanTest(costs, wrong, 1e-6).passed).toBe(false);
  });
});
