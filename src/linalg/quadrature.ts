/**
 * Gaussian quadrature rules by the Golub–Welsch algorithm (Golub & Welsch 1969): the n
 * nodes of the rule for a weight w are the eigenvalues of the symmetric tridiagonal Jacobi
 * matrix of w's orthonormal polynomials,
 *
 * $$\beta_k\,p_k(x) = x\,p_{k-1}(x) - \beta_{k-1}\,p_{k-2}(x),\qquad p_0 = 1/\sqrt{\mu_0},$$
 *
 * (for the symmetric weights here the diagonal is 0), and each weight is the Christoffel
 * number w_i = 1/Σ_{k<n} p_k(x_i)². The eigenvalues (Sturm-sequence bisection on the
 * tridiagonal matrix) are polished by Newton's method on p_n (p_n′ from the differentiated
 * recurrence), which makes the nodes accurate to a few ulps; the weights are then computed
 * from the polished nodes.
 *
 * - {@link gaussHermite}: weight φ(z) = e^{−z²/2}/√(2π) (probabilists' Hermite,
 *   β_k = √k, μ₀ = 1): E[f(Z)] ≈ Σ w_i f(z_i) for Z ∼ N(0, 1), exact for polynomials of
 *   degree ≤ 2n − 1.
 * - {@link gaussLegendre}: weight 1 on [−1, 1] (β_k = k/√(4k² − 1), μ₀ = 2).
 *
 * Orders 1 ≤ n ≤ 200 (`QUADRATURE_ORDER` otherwise: beyond, the Hermite polynomials at the
 * outer nodes leave double precision's range). Rules are cached by order.
 *
 * @module
 */
import { fail, show } from '../errors.js';

/** Nodes and weights of a quadrature rule (nodes ascending). */
export interface QuadratureRule {
  readonly nodes: Float64Array;
  readonly weights: Float64Array;
}

/** The largest order the generators accept. */
export const QUADRATURE_MAX_ORDER = 200;

function checkOrder(n: number): void {
  if (!(Number.isSafeInteger(n) && n >= 1 && n <= QUADRATURE_MAX_ORDER)) fail('QUADRATURE_ORDER', `quadrature order is ${show(n)}: it must be an integer in 1…${QUADRATURE_MAX_ORDER}`, { where: 'n', value: n });
}

/** p_n(x), p_n′(x) and Σ_{k<n} p_k(x)² by the recurrence (zero diagonal). */
function evaluate(x: number, n: number, beta: (k: number) => number, mu0: number): { p: number; dp: number; sumSq: number } {
  let pm1 = 0, p = 1 / Math.sqrt(mu0), dpm1 = 0, dp = 0, sumSq = p * p;
  for (let k = 1; k <= n; k++) {
    const b = beta(k), bPrev = k > 1 ? beta(k - 1) : 0;
    const pk = (x * p - bPrev * pm1) / b, dpk = (p + x * dp - bPrev * dpm1) / b;
    pm1 = p; p = pk; dpm1 = dp; dp = dpk;
    if (k < n) sumSq += p * p;
  }
  return { p, dp, sumSq };
}

/**
 * The number of eigenvalues below x of the symmetric tridiagonal matrix with zero diagonal and
 * off-diagonal b[1 … n−1] (b[0] unused): the sign changes of the Sturm sequence
 * q_1 = −x, q_i = −x − b_{i−1}²/q_{i−1} (Golub & Van Loan 2013, §8.4.1), a zero pivot nudged
 * to a tiny negative number as usual.
 */
function countBelow(x: number, b: Float64Array, n: number): number {
  let q = -x, count = 0;
  for (let i = 0; i < n; i++) {
    if (i > 0) q = -x - (b[i]! * b[i]!) / q;
    if (q === 0) q = -1e-300;
    if (q < 0) count++;
  }
  return count;
}

/**
 * The Golub–Welsch rule of order n for the symmetric weight with off-diagonal β_k and mass μ₀
 * (module comment): the Jacobi matrix's eigenvalues by Sturm bisection inside the Gershgorin
 * interval (O(n²); ~55 halvings each), then Newton on p_n.
 */
function golubWelsch(n: number, beta: (k: number) => number, mu0: number): QuadratureRule {
  const b = new Float64Array(n);
  let radius = 0;
  for (let k = 1; k < n; k++) b[k] = beta(k);
  for (let i = 0; i < n; i++) radius = Math.max(radius, (i > 0 ? b[i]! : 0) + (i + 1 < n ? b[i + 1]! : 0));
  const nodes = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let lo = k > 0 ? nodes[k - 1]! : -radius - 1, hi = radius + 1;
    for (let it = 0; it < 200 && hi - lo > 1e-15 * Math.max(1, Math.abs(lo), Math.abs(hi)); it++) {
      const mid = 0.5 * (lo + hi);
      if (countBelow(mid, b, n) <= k) lo = mid; else hi = mid;
    }
    nodes[k] = 0.5 * (lo + hi);
  }
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let x = nodes[i]!;
    for (let it = 0; it < 8; it++) {
      const { p, dp } = evaluate(x, n, beta, mu0);
      const step = p / dp;
      x -= step;
      if (Math.abs(step) <= 1e-17 * Math.max(1, Math.abs(x))) break;
    }
    nodes[i] = x;
    weights[i] = 1 / evaluate(x, n, beta, mu0).sumSq;
  }
  // the rules are symmetric: enforce it exactly (x_i = −x_{n−1−i}, equal weights)
  for (let i = 0; i < n >> 1; i++) {
    const j = n - 1 - i, x = 0.5 * (nodes[j]! - nodes[i]!), w = 0.5 * (weights[i]! + weights[j]!);
    nodes[i] = -x; nodes[j] = x; weights[i] = w; weights[j] = w;
  }
  if (n % 2 === 1) nodes[n >> 1] = 0;
  return { nodes, weights };
}

const hermiteCache = new Map<number, QuadratureRule>();
const legendreCache = new Map<number, QuadratureRule>();

/** The n-point Gauss–Hermite rule for Z ∼ N(0, 1) (weights sum to 1; module comment). */
export function gaussHermite(n: number): QuadratureRule {
  checkOrder(n);
  let r = hermiteCache.get(n);
  if (r === undefined) { r = golubWelsch(n, Math.sqrt, 1); hermiteCache.set(n, r); }
  return r;
}

/** The n-point Gauss–Legendre rule on [−1, 1] (weights sum to 2; module comment). */
export function gaussLegendre(n: number): QuadratureRule {
  checkOrder(n);
  let r = legendreCache.get(n);
  if (r === undefined) { r = golubWelsch(n, (k) => k / Math.sqrt(4 * k * k - 1), 2); legendreCache.set(n, r); }
  return r;
}

/** E[f(μ + σZ)], Z ∼ N(0, 1), by the n-point Gauss–Hermite rule (exact for polynomial f of degree ≤ 2n − 1). */
export function gaussHermiteExpectation(f: (x: number) => number, mu: number, sigma: number, n = 64): number {
  const { nodes, weights } = gaussHermite(n);
  let s = 0;
  for (let i = 0; i < n; i++) s += weights[i]! * f(mu + sigma * nodes[i]!);
  return s;
}

/** ½ log 2π (as `policy/gaussian.ts`'s HALF_LOG_2PI, which this layer cannot import). */
const HALF_LOG_2PI_Q = 0.5 * Math.log(2 * Math.PI);

/** Options of {@link normalExpectation}. */
export interface NormalExpectationOptions {
  /** Values of u = μ + σz where f has a kink or jump: panels are cut there. */
  readonly breaks?: readonly number[];
  /** The z range [−L, L] integrated (default 13: φ beyond it is < 1e−36). */
  readonly halfWidth?: number;
}

/**
 * E[f(U)], U ∼ N(μ, σ²), by composite 20-point Gauss–Legendre quadrature in z = (u − μ)/σ
 * on [−13, 13] with panels of width ≤ min(½, π/(2σ)), cut at `breaks` (why not Gauss–Hermite:
 * `exact/gaussian-bandit.ts`'s module comment: it converges like e^{−c√n/σ} on the squashed integrands).
 * Accurate to ~1e−15 (relative to the integrand's scale) for f analytic in the strip
 * |Im u| < π/2 between breaks and of polynomial growth.
 */
export function normalExpectation(f: (u: number) => number, mu: number, sigma: number, opts: NormalExpectationOptions = {}): number {
  if (!(Number.isFinite(mu) && sigma > 0 && Number.isFinite(sigma))) fail('BANDIT_INVALID', `normal expectation needs a finite μ and σ > 0, got μ = ${show(mu)}, σ = ${show(sigma)}`, { where: 'sigma', value: sigma });
  const L = opts.halfWidth ?? 13, width = Math.min(0.5, Math.PI / (2 * sigma));
  const cuts = [-L, L];
  for (const b of opts.breaks ?? []) { const z = (b - mu) / sigma; if (z > -L && z < L) cuts.push(z); }
  cuts.sort((x, y) => x - y);
  const { nodes, weights } = gaussLegendre(20);
  let total = 0;
  for (let c = 0; c + 1 < cuts.length; c++) {
    const lo = cuts[c]!, hi = cuts[c + 1]!, panels = Math.max(1, Math.ceil((hi - lo) / width)), h = (hi - lo) / panels;
    for (let p = 0; p < panels; p++) {
      const mid = lo + (p + 0.5) * h, half = 0.5 * h;
      let s = 0;
      for (let i = 0; i < nodes.length; i++) {
        const z = mid + half * nodes[i]!, u = mu + sigma * z, fu = f(u);
        if (!Number.isFinite(fu)) fail('BANDIT_INVALID', `the integrand is ${show(fu)} at u = ${u}: rewards must be finite`, { where: `u = ${u}`, value: fu });
        s += weights[i]! * fu * Math.exp(-0.5 * z * z - HALF_LOG_2PI_Q);
      }
      total += half * s;
    }
  }
  return total;
}
