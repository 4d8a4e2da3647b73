/**
 * Exact truth for continuous actions: the discounted linear-quadratic regulator with a
 * linear-Gaussian policy (Fazel, Ge, Kakade, Mesbahi 2018, Lemma 1, extended to a discount
 * and exploration noise; ../shared/REFERENCES.md, "Discounted LQR with a linear-Gaussian
 * policy").
 *
 * Dynamics x_{t+1} = A x_t + B a_t, policy a_t = −K x_t + S ε_t with ε_t ∼ N(0, I) and
 * S = diag(σ), per-step cost c_t = x_tᵀQx_t + a_tᵀRa_t (reward r_t = −c_t), discount γ,
 * x₀ with mean 0 and covariance Σ₀. With the closed loop M = A − BK:
 *
 * $$P_K = Q + K^\top R K + \gamma M^\top P_K M\qquad(\text{stable iff } \sqrt\gamma\,\rho(M) < 1),$$
 *
 * $$V(x) = x^\top P_K x + c_0,\quad c_0 = \frac{\operatorname{tr}(RS^2) + \gamma\operatorname{tr}(B^\top P_K B S^2)}{1-\gamma},\qquad C(K,\sigma) = \operatorname{tr}(P_K\Sigma_0) + c_0,$$
 *
 * $$\Sigma_K = \sum_t \gamma^t\,\mathbb E[x_t x_t^\top] = \Sigma_0 + \frac{\gamma B S^2 B^\top}{1-\gamma} + \gamma M \Sigma_K M^\top,$$
 *
 * $$\nabla_K C = 2\big[(R + \gamma B^\top P_K B)K - \gamma B^\top P_K A\big]\Sigma_K,\qquad
 *   \frac{\partial C}{\partial\sigma_i} = \frac{2\sigma_i\,[R_{ii} + \gamma(B^\top P_K B)_{ii}]}{1-\gamma}.$$
 *
 * V is the cost-to-go (the value of the reward −c is −V). γ = 1 is allowed only without
 * noise (σ = 0), the undiscounted regulator of Fazel et al., where c_0 = 0; with noise the
 * undiscounted cost is infinite (`LQR_INVALID`). An unstable closed loop throws
 * `LQR_UNSTABLE` naming √γ·ρ(A − BK).
 *
 * Matrices are row-major `Float64Array`s: A n×n, B n×m, Q n×n, R m×m, Σ₀ n×n, K m×n.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import { symmetricEigen } from '../linalg/eigen.js';
import { solveDiscreteLyapunov, spectralRadius, LYAPUNOV_MAX_DIM } from '../linalg/lyapunov.js';

/** An LQR instance as given. */
export interface LqrSpec {
  /** State dimension n and action dimension m. */
  readonly n: number;
  readonly m: number;
  /** n×n dynamics. */
  readonly A: ArrayLike<number>;
  /** n×m input matrix. */
  readonly B: ArrayLike<number>;
  /** n×n symmetric state cost. */
  readonly Q: ArrayLike<number>;
  /** m×m symmetric positive definite action cost. */
  readonly R: ArrayLike<number>;
  /** Discount in (0, 1]; 1 only for noiseless policies. */
  readonly gamma: number;
  /** n×n symmetric positive semidefinite covariance of x₀ (mean 0). */
  readonly sigma0: ArrayLike<number>;
}

/** A validated LQR instance (copies of the matrices). */
export interface Lqr {
  readonly n: number;
  readonly m: number;
  readonly A: Float64Array;
  readonly B: Float64Array;
  readonly Q: Float64Array;
  readonly R: Float64Array;
  readonly gamma: number;
  readonly sigma0: Float64Array;
}

/** Everything exact about a linear-Gaussian policy (K, σ) on an LQR (module comment). */
export interface LqrEvaluation {
  /** √γ·ρ(A − BK) < 1. */
  readonly stabilityRadius: number;
  /** P_K, n×n. */
  readonly P: Float64Array;
  /** c₀ = [tr(RS²) + γ tr(BᵀP_K B S²)]/(1 − γ), the constant of V (0 without noise). */
  readonly valueConstant: number;
  /** C(K, σ) = tr(P_K Σ₀) + c₀. */
  readonly cost: number;
  /** Σ_K = Σ_t γᵗ E[x_t x_tᵀ], n×n. */
  readonly stateCovariance: Float64Array;
  /** ∇_K C, m×n. */
  readonly gradK: Float64Array;
  /** ∂C/∂σ_i. */
  readonly gradSigma: Float64Array;
  /** ∂C/∂log σ_i = σ_i ∂C/∂σ_i. */
  readonly gradLogSigma: Float64Array;
}

function checkMatrix(x: ArrayLike<number> | undefined, rows: number, cols: number, name: string): Float64Array {
  if (x === undefined || x === null || typeof x.length !== 'number' || x.length !== rows * cols) fail('LQR_INVALID', `${name} has ${x?.length ?? show(x)} entries, expected ${rows}×${cols}`, { where: name, value: x?.length });
  const out = Float64Array.from(x);
  for (let i = 0; i < out.length; i++) if (!Number.isFinite(out[i]!)) fail('LQR_INVALID', `${name}[${Math.floor(i / cols)}][${i % cols}] is ${show(x[i])}`, { where: `${name}[${Math.floor(i / cols)}][${i % cols}]`, value: x[i] });
  return out;
}

function checkSymmetric(x: Float64Array, n: number, name: string): void {
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) {
    const a = x[i * n + j]!, b = x[j * n + i]!;
    if (Math.abs(a - b) > 1e-12 * Math.max(1, Math.abs(a), Math.abs(b))) fail('LQR_INVALID', `${name} is not symmetric: ${name}[${i}][${j}] = ${a}, ${name}[${j}][${i}] = ${b}`, { where: `${name}[${i}][${j}]`, value: a });
  }
}

function minEigenvalue(x: Float64Array, n: number): number {
  let lo = Infinity;
  for (const v of symmetricEigen(x, n).values) lo = Math.min(lo, v);
  return lo;
}

/**
 * Validates an LQR instance: dimensions 1 ≤ n ≤ 30, 1 ≤ m; finite entries; Q, R, Σ₀
 * symmetric; R positive definite; Σ₀ positive semidefinite; γ ∈ (0, 1]. Throws `LQR_INVALID`
 * naming the matrix and entry.
 */
export function lqr(spec: LqrSpec): Lqr {
  const { n, m, gamma } = spec;
  if (!(Number.isSafeInteger(n) && n >= 1 && n <= LYAPUNOV_MAX_DIM)) fail('LQR_INVALID', `state dimension n is ${show(n)}: it must be an integer in 1…${LYAPUNOV_MAX_DIM}`, { where: 'n', value: n });
  if (!(Number.isSafeInteger(m) && m >= 1 && m <= LYAPUNOV_MAX_DIM)) fail('LQR_INVALID', `action dimension m is ${show(m)}: it must be an integer in 1…${LYAPUNOV_MAX_DIM}`, { where: 'm', value: m });
  if (!(typeof gamma === 'number' && gamma > 0 && gamma <= 1)) fail('LQR_INVALID', `gamma is ${show(gamma)}: it must lie in (0, 1]`, { where: 'gamma', value: gamma });
  const A = checkMatrix(spec.A, n, n, 'A'), B = checkMatrix(spec.B, n, m, 'B'), Q = checkMatrix(spec.Q, n, n, 'Q');
  const R = checkMatrix(spec.R, m, m, 'R'), sigma0 = checkMatrix(spec.sigma0, n, n, 'sigma0');
  checkSymmetric(Q, n, 'Q');
  checkSymmetric(R, m, 'R');
  checkSymmetric(sigma0, n, 'sigma0');
  const rMin = minEigenvalue(R, m);
  if (!(rMin > 0)) fail('LQR_INVALID', `R is not positive definite: its smallest eigenvalue is ${rMin}`, { where: 'R', value: rMin });
  const sMin = minEigenvalue(sigma0, n);
  if (sMin < -1e-12 * Math.max(1, ...Array.from(sigma0, Math.abs))) fail('LQR_INVALID', `sigma0 is not positive semidefinite: its smallest eigenvalue is ${sMin}`, { where: 'sigma0', value: sMin });
  return { n, m, A, B, Q, R, gamma, sigma0 };
}

/** C = X·Y for row-major X (r×k) and Y (k×c). */
function mul(x: Float64Array, y: Float64Array, r: number, k: number, c: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let l = 0; l < k; l++) {
    const xil = x[i * k + l]!;
    if (xil === 0) continue;
    for (let j = 0; j < c; j++) out[i * c + j] = out[i * c + j]! + xil * y[l * c + j]!;
  }
  return out;
}

/** Xᵀ for row-major X (r×c). */
function transpose(x: Float64Array, r: number, c: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = x[i * c + j]!;
  return out;
}

/** Throws `LQR_INVALID` unless K is a finite m×n gain and σ a finite non-negative m-vector (σ = 0 when γ = 1). */
export function checkLinearGaussianPolicy(problem: Lqr, K: ArrayLike<number>, sigma: ArrayLike<number>): void {
  checkMatrix(K, problem.m, problem.n, 'K');
  checkMatrix(sigma, 1, problem.m, 'sigma');
  for (let i = 0; i < problem.m; i++) {
    if (!(sigma[i]! >= 0)) fail('LQR_INVALID', `sigma[${i}] is ${show(sigma[i])}: noise scales must be ≥ 0`, { where: `sigma[${i}]`, value: sigma[i] });
    if (problem.gamma === 1 && sigma[i] !== 0) fail('LQR_INVALID', `sigma[${i}] is ${show(sigma[i])} with gamma = 1: exploration noise makes the undiscounted cost infinite (use gamma < 1)`, { where: `sigma[${i}]`, value: sigma[i] });
  }
}

/** The closed loop M = A − BK (n×n). */
export function lqrClosedLoop(problem: Lqr, K: ArrayLike<number>): Float64Array {
  const { n, m, A, B } = problem;
  const M = Float64Array.from(A);
  for (let i = 0; i < n; i++) for (let l = 0; l < m; l++) {
    const b = B[i * m + l]!;
    for (let j = 0; j < n; j++) M[i * n + j] = M[i * n + j]! - b * K[l * n + j]!;
  }
  return M;
}

/** √γ·ρ(A − BK); throws `LQR_UNSTABLE` when it is ≥ 1 (the discounted cost is infinite). */
export function lqrStabilityRadius(problem: Lqr, K: ArrayLike<number>): number {
  const r = Math.sqrt(problem.gamma) * spectralRadius(lqrClosedLoop(problem, K), problem.n);
  if (!(r < 1)) fail('LQR_UNSTABLE', `√γ·ρ(A − BK) = ${r} ≥ 1: the closed loop is unstable under the discount (γ = ${problem.gamma}), so the cost is infinite`, { where: 'K', value: r });
  return r;
}

/** P_K: the solution of P = Q + KᵀRK + γ(A − BK)ᵀP(A − BK) (module comment); throws `LQR_UNSTABLE`. */
export function lqrValueMatrix(problem: Lqr, K: ArrayLike<number>): Float64Array {
  checkMatrix(K, problem.m, problem.n, 'K');
  lqrStabilityRadius(problem, K);
  const { n, m, Q, R } = problem, Kf = Float64Array.from(K);
  const q = mul(transpose(Kf, m, n), mul(R, Kf, m, m, n), n, m, n);
  for (let i = 0; i < n * n; i++) q[i] = q[i]! + Q[i]!;
  return solveDiscreteLyapunov(lqrClosedLoop(problem, K), q, n, problem.gamma);
}

/** The exact evaluation of the linear-Gaussian policy (K, σ) (module comment). */
export function lqrEvaluate(problem: Lqr, K: ArrayLike<number>, sigma: ArrayLike<number>): LqrEvaluation {
  checkLinearGaussianPolicy(problem, K, sigma);
  const { n, m, A, B, R, gamma, sigma0 } = problem, Kf = Float64Array.from(K);
  const stabilityRadius = lqrStabilityRadius(problem, K);
  const P = lqrValueMatrix(problem, K);
  const Bt = transpose(B, n, m), BtPB = mul(Bt, mul(P, B, n, n, m), m, n, m);
  // c₀ = Σ_i σ_i² [R_ii + γ (BᵀPB)_ii] / (1 − γ) (0 when σ = 0, the only case allowed at γ = 1)
  let noise = 0;
  const gradSigma = new Float64Array(m), gradLogSigma = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const s = sigma[i]!, curv = R[i * m + i]! + gamma * BtPB[i * m + i]!;
    noise += s * s * curv;
    gradSigma[i] = s === 0 ? 0 : (2 * s * curv) / (1 - gamma);
    gradLogSigma[i] = s * gradSigma[i]!;
  }
  const valueConstant = noise === 0 ? 0 : noise / (1 - gamma);
  let trace = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) trace += P[i * n + j]! * sigma0[j * n + i]!;
  // Σ_K = Σ₀ + γ B S² Bᵀ/(1 − γ) + γ M Σ_K Mᵀ: the Lyapunov equation with Mᵀ in place of M
  const s0 = Float64Array.from(sigma0);
  if (noise !== 0) {
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      let v = 0;
      for (let l = 0; l < m; l++) v += B[i * m + l]! * sigma[l]! * sigma[l]! * B[j * m + l]!;
      s0[i * n + j] = s0[i * n + j]! + (gamma * v) / (1 - gamma);
    }
  }
  const stateCovariance = solveDiscreteLyapunov(transpose(lqrClosedLoop(problem, K), n, n), s0, n, gamma);
  // ∇_K C = 2[(R + γBᵀPB)K − γBᵀPA] Σ_K
  const E = mul(R, Kf, m, m, n), BtPA = mul(Bt, mul(P, A, n, n, n), m, n, n), G = mul(BtPB, Kf, m, m, n);
  for (let i = 0; i < m * n; i++) E[i] = 2 * (E[i]! + gamma * G[i]! - gamma * BtPA[i]!);
  const gradK = mul(E, stateCovariance, m, n, n);
  return { stabilityRadius, P, valueConstant, cost: trace + valueConstant, stateCovariance, gradK, gradSigma, gradLogSigma };
}

/** C(K, σ) = tr(P_K Σ₀) + c₀ (module comment). */
export function lqrCost(problem: Lqr, K: ArrayLike<number>, sigma: ArrayLike<number>): number {
  return lqrEvaluate(problem, K, sigma).cost;
}

/** The cost-to-go V(x) = xᵀP_K x + c₀ of a state, from an evaluation (the reward's value is −V). */
export function lqrCostToGo(ev: LqrEvaluation, x: ArrayLike<number>, xOff = 0, n = Math.round(Math.sqrt(ev.P.length))): number {
  let v = ev.valueConstant;
  for (let i = 0; i < n; i++) {
    let row = 0;
    for (let j = 0; j < n; j++) row += ev.P[i * n + j]! * x[xOff + j]!;
    v += x[xOff + i]! * row;
  }
  return v;
}
