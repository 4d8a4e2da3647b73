/**
 * The checks of derivation 10: the discounted LQR with a linear-Gaussian policy (Fazel et
 * al. 2018, Lemma 1, with a discount and exploration noise). One side is the library's
 * `lqrEvaluate` (and `lqrCostToGo`, the Gaussian score of `sampledGaussianPolicy`); the other
 * is computed here independently: series and moment recursions summed to convergence,
 * product Gauss–Hermite expectations over ε (exact for the polynomials of degree ≤ 3 here),
 * and Ridders differences of the closed-form cost.
 *
 * @module
 */
import { lqr, lqrCost, lqrCostToGo, lqrEvaluate, lqrStabilityRadius, type Lqr, type LqrEvaluation } from '../../src/exact/lqr.js';
import { derivative } from '../../src/linalg/differentiate.js';
import { gaussHermite } from '../../src/linalg/quadrature.js';
import { linearGaussianHead, sampledGaussianPolicy } from '../../src/policy/gaussian-samples.js';
import { Rng } from '../../src/stats/rng.js';
import { defineStep, type Instance } from '../framework/step.js';
import { memo } from './memo.js';

/** A seeded instance: the problem, a stable policy (K, σ), its evaluation and a state x. */
interface LqrCase {
  readonly problem: Lqr;
  readonly K: Float64Array;
  readonly sigma: Float64Array;
  readonly x: Float64Array;
}

/** X·Y for row-major X (r×k), Y (k×c). */
function mul(x: ArrayLike<number>, y: ArrayLike<number>, r: number, k: number, c: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let l = 0; l < k; l++) for (let j = 0; j < c; j++) out[i * c + j] = out[i * c + j]! + x[i * k + l]! * y[l * c + j]!;
  return out;
}
function transpose(x: ArrayLike<number>, r: number, c: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = x[i * c + j]!;
  return out;
}
const add = (x: Float64Array, y: ArrayLike<number>, s = 1) => x.map((v, i) => v + s * y[i]!);
const trace = (x: ArrayLike<number>, n: number) => { let t = 0; for (let i = 0; i < n; i++) t += x[i * n + i]!; return t; };
const quad = (x: ArrayLike<number>, P: ArrayLike<number>, n: number) => { let v = 0; for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) v += x[i]! * P[i * n + j]! * x[j]!; return v; };

function randomCase(rng: Rng, n: number, m: number, gamma: number): LqrCase {
  const g = (s: number) => s * rng.normal();
  const sym = (k: number, ridge: number) => { const a = Array.from({ length: k * k }, () => g(0.5)), out = mul(a, transpose(a, k, k), k, k, k); for (let i = 0; i < k; i++) out[i * k + i] = out[i * k + i]! + ridge; return out; };
  for (let scale = 0.5; ; scale *= 0.7) {
    const problem = lqr({ n, m, gamma, A: Array.from({ length: n * n }, () => g(scale)), B: Array.from({ length: n * m }, () => g(0.7)), Q: sym(n, 0.5), R: sym(m, 0.5), sigma0: sym(n, 0.1) });
    const K = Float64Array.from({ length: m * n }, () => g(0.3));
    // a margin from instability keeps the cost and its differences well conditioned
    try { if (lqrStabilityRadius(problem, K) > 0.9) continue; } catch { continue; }
    return { problem, K, sigma: Float64Array.from({ length: m }, () => 0.3 + 0.7 * rng.uniform()), x: Float64Array.from({ length: n }, () => g(1)) };
  }
}

/** Seeded instances: n ∈ {1, 2, 3}, m ∈ {1, 2}, γ ∈ {0.8, 0.9, 0.95}. */
function lqrCases(seed: number): Instance<LqrCase>[] {
  const rng = Rng.from(seed).split(1010);
  return [[1, 1, 0.9], [2, 1, 0.8], [2, 2, 0.95], [3, 2, 0.9], [3, 1, 0.95]].map(([n, m, gamma]) => ({ label: `LQR n=${n} m=${m} γ=${gamma}`, data: randomCase(rng, n!, m!, gamma!) }));
}

const evaluation = memo((c: LqrCase): LqrEvaluation => lqrEvaluate(c.problem, c.K, c.sigma));
const closedLoop = (c: LqrCase) => add(Float64Array.from(c.problem.A), mul(c.problem.B, c.K, c.problem.n, c.problem.m, c.problem.n), -1);
const noiseCovariance = (c: LqrCase) => mul(mul(c.problem.B, c.sigma.map((s) => s * s).reduce((D, s, i, all) => { D[i * all.length + i] = s; return D; }, new Float64Array(c.problem.m * c.problem.m)), c.problem.n, c.problem.m, c.problem.m), transpose(c.problem.B, c.problem.n, c.problem.m), c.problem.n, c.problem.m, c.problem.n);
const stateCost = (c: LqrCase, withAction = true) => { const { n, m, Q, R } = c.problem; return withAction ? add(Float64Array.from(Q), mul(transpose(c.K, m, n), mul(R, c.K, m, m, n), n, m, n)) : Float64Array.from(Q); };

/** Σ_t γᵗ (Mᵀ)ᵗ W Mᵗ summed until the term is below 1e-17 of the sum. */
function valueSeries(c: LqrCase, W: Float64Array): Float64Array {
  const { n, gamma } = c.problem, M = closedLoop(c), Mt = transpose(M, n, n);
  let term = W, sum = Float64Array.from(W);
  for (let t = 0; t < 100_000; t++) {
    term = mul(mul(Mt, term, n, n, n), M, n, n, n).map((v) => gamma * v);
    sum = add(sum, term);
    if (Math.max(...term.map(Math.abs)) <= 1e-17 * Math.max(...sum.map(Math.abs))) break;
  }
  return sum;
}

/** [Σ_t γᵗ E[x_t x_tᵀ], Σ_t γᵗ E[c_t]] by the moment recursion E[x_{t+1}x_{t+1}ᵀ] = M E[x_t x_tᵀ] Mᵀ + noise. */
function momentSums(c: LqrCase, withNoise = true): { cov: Float64Array; cost: number } {
  const { n, m, R, gamma, sigma0 } = c.problem, M = closedLoop(c), Mt = transpose(M, n, n), N = noiseCovariance(c), W = stateCost(c);
  let E = Float64Array.from(sigma0), cov = new Float64Array(n * n), cost = 0, w = 1;
  let rs2 = 0;
  for (let i = 0; i < m; i++) rs2 += R[i * m + i]! * c.sigma[i]! ** 2;
  for (let t = 0; t < 100_000; t++, w *= gamma) {
    cov = add(cov, E, w);
    const ct = trace(mul(W, E, n, n, n), n) + (withNoise ? rs2 : 0);
    cost += w * ct;
    if (w * Math.max(ct, ...E.map(Math.abs)) <= 1e-17 * Math.max(cost, 1e-300)) break;
    E = add(mul(mul(M, E, n, n, n), Mt, n, n, n), N, withNoise ? 1 : 0);
  }
  return { cov, cost };
}

/** E_ε[f(ε)], ε ∼ N(0, I_m), by the product 4-point Gauss–Hermite rule (exact to degree 7 per coordinate). */
function expectEps(m: number, f: (eps: Float64Array) => number): number {
  const { nodes, weights } = gaussHermite(4), eps = new Float64Array(m);
  let s = 0;
  const rec = (d: number, w: number) => {
    if (d === m) { s += w * f(eps); return; }
    for (let i = 0; i < nodes.length; i++) { eps[d] = nodes[i]!; rec(d + 1, w * weights[i]!); }
  };
  rec(0, 1);
  return s;
}

/** a = −Kx + Sε. */
function action(c: LqrCase, x: ArrayLike<number>, eps: Float64Array): Float64Array {
  const { n, m } = c.problem, a = new Float64Array(m);
  for (let i = 0; i < m; i++) { let v = c.sigma[i]! * eps[i]!; for (let j = 0; j < n; j++) v -= c.K[i * n + j]! * x[j]!; a[i] = v; }
  return a;
}

/** The cost's action value Q(x, a) = xᵀQx + aᵀRa + γV(Ax + Ba) with the library's V. */
function actionValue(c: LqrCase, x: ArrayLike<number>, a: Float64Array): number {
  const { n, m, A, B, Q, R, gamma } = c.problem, next = add(mul(A, x, n, n, 1), mul(B, a, n, m, 1));
  return quad(x, Q, n) + quad(a, R, m) + gamma * lqrCostToGo(evaluation(c), next);
}

/** 2[(R + γ'BᵀPB)K − γ'BᵀPA] (γ' = γ, or 1 for the undiscounted form). */
function gainGradientFactor(c: LqrCase, discounted = true): Float64Array {
  const { n, m, A, B, R, gamma } = c.problem, P = evaluation(c).P, g = discounted ? gamma : 1, Bt = transpose(B, n, m);
  const BtPB = mul(Bt, mul(P, B, n, n, m), m, n, m), BtPA = mul(Bt, mul(P, A, n, n, n), m, n, n);
  return add(mul(add(Float64Array.from(R), BtPB, g), c.K, m, m, n), BtPA, -g).map((v) => 2 * v);
}

const costScale = (c: LqrCase) => Math.max(1, evaluation(c).cost);

export const lqrChecks = [
  defineStep<LqrCase>({
    key: 'lqr.value-matrix', exact: false, tolerance: 1e-11, implementedBy: ['lqrEvaluate', 'lqrValueMatrix', 'solveDiscreteLyapunov'],
    lhsIs: 'P_K from the library (a Kronecker-form Lyapunov solve)', rhsIs: 'Σ_t γᵗ(Mᵀ)ᵗ(Q + KᵀRK)Mᵗ summed to convergence',
    instances: lqrCases,
    lhs: (c) => evaluation(c).P,
    rhs: (c) => valueSeries(c, stateCost(c)),
    control: { description: 'the series of Q alone (the action cost KᵀRK dropped)', rhs: (c) => valueSeries(c, stateCost(c, false)) },
  }),
  defineStep<LqrCase>({
    key: 'lqr.bellman', exact: false, tolerance: 1e-12, implementedBy: ['lqrCostToGo', 'lqrEvaluate'],
    lhsIs: 'V(x) = xᵀP_K x + c₀ from the library', rhsIs: 'xᵀQx + E_ε[aᵀRa + γV(Ax + Ba)] by Gauss–Hermite over ε',
    instances: lqrCases,
    lhs: (c) => [lqrCostToGo(evaluation(c), c.x)],
    rhs: (c) => [quad(c.x, c.problem.Q, c.problem.n) + expectEps(c.problem.m, (eps) => { const a = action(c, c.x, eps); return quad(a, c.problem.R, c.problem.m) + c.problem.gamma * lqrCostToGo(evaluation(c), add(mul(c.problem.A, c.x, c.problem.n, c.problem.n, 1), mul(c.problem.B, a, c.problem.n, c.problem.m, 1))); })],
    scale: costScale,
    control: {
      description: 'c₀ without the γ in front of tr(BᵀP_K B S²)',
      lhs: (c) => {
        const { n, m, B, R, gamma } = c.problem, P = evaluation(c).P, BtPB = mul(transpose(B, n, m), mul(P, B, n, n, m), m, n, m);
        let s = 0;
        for (let i = 0; i < m; i++) s += c.sigma[i]! ** 2 * (R[i * m + i]! + BtPB[i * m + i]!);
        return [quad(c.x, P, n) + s / (1 - gamma)];
      },
    },
  }),
  defineStep<LqrCase>({
    key: 'lqr.cost', exact: false, tolerance: 1e-11, implementedBy: ['lqrEvaluate', 'lqrCost'],
    lhsIs: 'C(K, σ) = tr(P_K Σ₀) + c₀ from the library', rhsIs: 'Σ_t γᵗ E[c_t] by the moment recursion',
    instances: lqrCases,
    lhs: (c) => [evaluation(c).cost],
    rhs: (c) => [momentSums(c).cost],
    control: { description: 'tr(P_K Σ₀) alone (the noise constant c₀ dropped)', lhs: (c) => [evaluation(c).cost - evaluation(c).valueConstant] },
  }),
  defineStep<LqrCase>({
    key: 'lqr.state-covariance', exact: false, tolerance: 1e-11, implementedBy: ['lqrEvaluate'],
    lhsIs: 'Σ_K from the library (a Lyapunov solve with Mᵀ)', rhsIs: 'Σ_t γᵗ E[x_t x_tᵀ] by the moment recursion',
    instances: lqrCases,
    lhs: (c) => evaluation(c).stateCovariance,
    rhs: (c) => momentSums(c).cov,
    control: { description: 'the recursion without the exploration noise BS²Bᵀ', rhs: (c) => momentSums(c, false).cov },
  }),
  defineStep<LqrCase>({
    key: 'lqr.per-state-gradient', exact: false, tolerance: 1e-11, implementedBy: ['sampledGaussianPolicy', 'linearGaussianHead', 'gaussianAddScoreRow'],
    lhsIs: 'E_ε[∇_K log π(a|x) Q(x, a)] by Gauss–Hermite, with the library\'s Gaussian score through μ = −Kx', rhsIs: '2[(R + γBᵀP_K B)K − γBᵀP_K A] x xᵀ',
    instances: lqrCases,
    lhs: (c) => {
      const { n, m } = c.problem, out = new Float64Array(m * n);
      for (let k = 0; k < m * n; k++) {
        out[k] = expectEps(m, (eps) => {
          const a = action(c, c.x, eps), param = sampledGaussianPolicy(linearGaussianHead(n, m, c.x), 1, a), g = new Float64Array(m * n + m);
          param.addScore(Float64Array.of(...c.K, ...c.sigma.map(Math.log)), 0, 0, 1, g);
          return g[k]! * actionValue(c, c.x, a);
        });
      }
      return out;
    },
    rhs: (c) => mul(gainGradientFactor(c), mul(c.x, c.x, c.problem.n, 1, c.problem.n), c.problem.m, c.problem.n, c.problem.n),
    scale: costScale,
    control: { description: 'the undiscounted factor (R + BᵀP_K B)K − BᵀP_K A', rhs: (c) => mul(gainGradientFactor(c, false), mul(c.x, c.x, c.problem.n, 1, c.problem.n), c.problem.m, c.problem.n, c.problem.n) },
  }),
  defineStep<LqrCase>({
    key: 'lqr.gradient', exact: false, tolerance: 1e-7, implementedBy: ['lqrEvaluate'],
    lhsIs: '∇_K C = 2[(R + γBᵀP_K B)K − γBᵀP_K A]Σ_K from the library', rhsIs: 'Ridders differences of the closed-form C in each K_ij',
    instances: lqrCases,
    lhs: (c) => evaluation(c).gradK,
    rhs: (c) => c.K.map((k, i) => derivative((v) => { const K = Float64Array.from(c.K); K[i] = v; return lqrCost(c.problem, K, c.sigma); }, k, 0.005).value),
    scale: costScale,
    control: { description: 'the undiscounted gradient 2[(R + BᵀP_K B)K − BᵀP_K A]Σ_K applied to the discounted problem', lhs: (c) => mul(gainGradientFactor(c, false), evaluation(c).stateCovariance, c.problem.m, c.problem.n, c.problem.n) },
  }),
  defineStep<LqrCase>({
    key: 'lqr.noise-gradient', exact: false, tolerance: 1e-7, implementedBy: ['lqrEvaluate'],
    lhsIs: '∂C/∂σ_i from the library', rhsIs: 'Ridders differences of the closed-form C in each σ_i',
    instances: lqrCases,
    lhs: (c) => evaluation(c).gradSigma,
    rhs: (c) => c.sigma.map((s, i) => derivative((v) => { const sg = Float64Array.from(c.sigma); sg[i] = v; return lqrCost(c.problem, c.K, sg); }, s, 0.05).value),
    scale: costScale,
    control: {
      description: 'without the γ in front of (BᵀP_K B)_ii',
      lhs: (c) => { const { n, m, B, R, gamma } = c.problem, BtPB = mul(transpose(B, n, m), mul(evaluation(c).P, B, n, n, m), m, n, m); return c.sigma.map((s, i) => (2 * s * (R[i * m + i]! + BtPB[i * m + i]!)) / (1 - gamma)); },
    },
  }),
  defineStep<number>({
    key: 'lqr.scalar', exact: false, tolerance: 1e-13, implementedBy: ['lqrCost'],
    lhsIs: 'C(K) from the library with A = B = Q = R = 1, γ = 1, σ = 0, Σ₀ = 1', rhsIs: '(1 + K²)/(2K − K²)',
    instances: () => [0.1, 0.5, 1 / ((1 + Math.sqrt(5)) / 2), 1, 1.5, 1.9].map((K) => ({ label: `K = ${K.toFixed(6)}`, data: K })),
    lhs: (K) => [lqrCost(lqr({ n: 1, m: 1, A: [1], B: [1], Q: [1], R: [1], gamma: 1, sigma0: [1] }), [K], [0])],
    rhs: (K) => [(1 + K * K) / (2 * K - K * K)],
    control: { description: 'the state cost alone, 1/(2K − K²) (the action cost K² dropped)', rhs: (K) => [1 / (2 * K - K * K)] },
  }),
];
