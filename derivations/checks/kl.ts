/**
 * The checks of derivation 11, the KL estimators k1, k2 and k3 (J. Schulman 2020,
 * "Approximating KL Divergence"; used by PPO/TRPO implementations to log the KL between
 * consecutive policies, Lehmann 2024 §6 and Fig. 5).
 *
 * Two kinds of instance:
 * - categorical pairs (q, p) over 3–6 outcomes with seeded probabilities (no zero), where an
 *   expectation under q is a finite sum — the left-hand sides apply the library's `klK1`,
 *   `klK2`, `klK3` to the vector of log-ratios and weight by q; the right-hand sides are
 *   written out from q and p;
 * - the Gaussian pair q = N(0,1), p = N(μ,1) with rational μ, where log r = μx − μ²/2 is
 *   linear in x ∼ N(0,1). k1 and k2 are polynomials in log r of degree 1 and 2; the library's
 *   functions are evaluated at the integers 0, 1, 2 (exact in doubles), read as rationals and
 *   interpolated exactly, and their Gaussian moments follow from E[x^{2k}] = (2k−1)!! — so the
 *   left-hand side is the library's own function, integrated exactly in Fractions, and the
 *   right-hand side is Schulman's closed form.
 *
 * @module
 */
import { klK1, klK2, klK3 } from '../../src/estimators/kl.js';
import { klK3ExpOfRatio } from '../../src/verify/mutations.js';
import { Rng } from '../../src/stats/rng.js';
import { defineStep, type Instance } from '../framework/step.js';
import { exactDoubles, F, q, type Fraction } from './common.js';

/** A categorical pair: q (the sampling law), p, and log r = log p − log q per outcome. */
interface Pair {
  readonly q: Float64Array;
  readonly p: Float64Array;
  readonly logRatio: Float64Array;
}

function randomDistribution(rng: Rng, k: number, spread: number): Float64Array {
  const w = Float64Array.from({ length: k }, () => Math.exp(spread * rng.normal()));
  const total = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / total);
}

/** Seeded categorical pairs: near (p close to q) and far (p unrelated to q). */
function pairs(seed: number): Instance<Pair>[] {
  const rng = Rng.from(`derivations/kl/${seed}`);
  const out: Instance<Pair>[] = [];
  for (let i = 0; i < 8; i++) {
    const k = 3 + (i % 4);
    const q0 = randomDistribution(rng, k, 1);
    const near = i % 2 === 0;
    const p0 = near ? (() => { const z = q0.map((x) => x * Math.exp(0.2 * rng.normal())); const t = z.reduce((a, b) => a + b, 0); return z.map((x) => x / t); })() : randomDistribution(rng, k, 1.5);
    out.push({ label: `${near ? 'near' : 'far'} pair, ${k} outcomes (#${i})`, data: { q: q0, p: p0, logRatio: p0.map((x, j) => Math.log(x) - Math.log(q0[j]!)) } });
  }
  return out;
}

const expectUnder = (w: Float64Array, f: ArrayLike<number>): number => { let m = 0; for (let i = 0; i < w.length; i++) m += w[i]! * f[i]!; return m; };
/** KL(q‖p) = Σ q log(q/p), written out. */
const klDirect = (x: Pair): number => expectUnder(x.q, x.q.map((qi, i) => Math.log(qi / x.p[i]!)));
const variance = (w: Float64Array, f: ArrayLike<number>): number => { const m = expectUnder(w, f); let v = 0; for (let i = 0; i < w.length; i++) v += w[i]! * (f[i]! - m) ** 2; return v; };

/** The Gaussian pair q = N(0,1), p = N(μ,1) with rational μ. */
interface GaussianPair { readonly mu: Fraction; readonly muLabel: string }
const MUS = ['1/10', '3/10', '1', '2'];
const gaussianPairs = (): Instance<GaussianPair>[] => MUS.map((m) => ({ label: `q = N(0,1), p = N(${m},1)`, data: { mu: q(m), muLabel: m } }));

/**
 * The coefficients c_0..c_deg of a polynomial f (a library estimator of degree `deg` in log r),
 * from its values at log r = 0, 1, …, deg — exact in doubles for k1 and k2 — by exact Newton
 * divided differences in Fractions.
 */
function polynomialOf(f: (logRatio: Float64Array) => Float64Array, deg: number): Fraction[] {
  const xs = Array.from({ length: deg + 1 }, (_, i) => i);
  const ys = exactDoubles(f(Float64Array.from(xs)));
  // Newton form → monomial coefficients
  const dd = ys.slice();
  for (let j = 1; j <= deg; j++) for (let i = deg; i >= j; i--) dd[i] = dd[i]!.sub(dd[i - 1]!).div(q(j));
  let coef: Fraction[] = [dd[deg]!];
  for (let i = deg - 1; i >= 0; i--) {
    // coef ← coef·(y − x_i) + dd[i]
    const next: Fraction[] = Array.from({ length: coef.length + 1 }, () => F.zero);
    for (let k = 0; k < coef.length; k++) { next[k + 1] = next[k + 1]!.add(coef[k]!); next[k] = next[k]!.sub(coef[k]!.mul(q(xs[i]!))); }
    next[0] = next[0]!.add(dd[i]!);
    coef = next;
  }
  return coef;
}

/** E[y^k] for y ∼ N(m, s²), k ≤ 8, exactly: Σ_j C(k,2j) m^{k−2j} s^{2j} (2j−1)!!. */
function normalMoment(m: Fraction, s2: Fraction, k: number): Fraction {
  const binom = (n: number, r: number) => { let b = 1; for (let i = 0; i < r; i++) b = (b * (n - i)) / (i + 1); return b; };
  let acc = F.zero;
  for (let j = 0; 2 * j <= k; j++) {
    let dfact = 1; for (let i = 2 * j - 1; i > 0; i -= 2) dfact *= i;
    let term = q(binom(k, 2 * j) * dfact);
    for (let i = 0; i < k - 2 * j; i++) term = term.mul(m);
    for (let i = 0; i < j; i++) term = term.mul(s2);
    acc = acc.add(term);
  }
  return acc;
}

/** Mean and variance of the polynomial Σ c_k y^k for y = log r ∼ N(−μ²/2, μ²). */
function gaussianMeanVariance(coef: readonly Fraction[], mu: Fraction): [Fraction, Fraction] {
  const mu2 = mu.mul(mu);
  const m = mu2.div(q(-2)), s2 = mu2;
  const mom = (k: number) => normalMoment(m, s2, k);
  let mean = F.zero, second = F.zero;
  coef.forEach((c, i) => { mean = mean.add(c.mul(mom(i))); });
  coef.forEach((ci, i) => coef.forEach((cj, j) => { second = second.add(ci.mul(cj).mul(mom(i + j))); }));
  return [mean, second.sub(mean.mul(mean))];
}

const k1Unbiased = defineStep<Pair>({
  key: 'kl.k1-unbiased',
  exact: false,
  tolerance: 1e-12,
  implementedBy: ['klK1'],
  lhsIs: 'Σ_x q(x) · klK1(log r)(x), the library estimator averaged under q',
  rhsIs: 'Σ_x q(x) log(q(x)/p(x)), written out',
  instances: (seed) => pairs(seed),
  lhs: (x) => [expectUnder(x.q, klK1(x.logRatio))],
  rhs: (x) => [klDirect(x)],
  control: { description: 'the same average under p instead of q (samples drawn from the wrong policy)', lhs: (x) => [expectUnder(x.p, klK1(x.logRatio))] },
});

const k3MeanOne = defineStep<Pair>({
  key: 'kl.ratio-mean-one',
  exact: false,
  tolerance: 1e-13,
  implementedBy: [],
  lhsIs: 'Σ_x q(x) r(x) with r = exp(log r)',
  rhsIs: '1',
  instances: (seed) => pairs(seed),
  lhs: (x) => [expectUnder(x.q, x.logRatio.map(Math.exp))],
  rhs: () => [1],
  control: { description: 'the ratio averaged under p: E_p[r] = Σ p²/q ≠ 1', lhs: (x) => [expectUnder(x.p, x.logRatio.map(Math.exp))] },
});

const k3Unbiased = defineStep<Pair>({
  key: 'kl.k3-unbiased',
  exact: false,
  tolerance: 1e-12,
  implementedBy: ['klK3', 'expm1MinusX'],
  lhsIs: 'Σ_x q(x) · klK3(log r)(x), the library estimator averaged under q',
  rhsIs: 'KL(q‖p) = Σ_x q(x) log(q(x)/p(x))',
  instances: (seed) => pairs(seed),
  lhs: (x) => [expectUnder(x.q, klK3(x.logRatio))],
  rhs: (x) => [klDirect(x)],
  control: { description: "the catalogue's mutant.k3-exp-of-ratio, (e^r − 1) − r", lhs: (x) => [expectUnder(x.q, klK3ExpOfRatio(x.logRatio))] },
});

/** log r on a grid from −30 to 30, with points close to 0 where r − 1 − log r cancels. */
const GRID = Float64Array.from([-30, -5, -1, -0.3, -1e-3, -1e-8, 0, 1e-8, 1e-3, 0.3, 1, 5, 30]);
const k3Nonnegative = defineStep<Float64Array>({
  key: 'kl.k3-nonnegative',
  exact: false,
  relation: 'atLeast',
  tolerance: 0,
  implementedBy: ['klK3'],
  lhsIs: 'klK3(log r) on a grid of log r from −30 to 30 (with ±1e-8 and ±1e-3 near 0)',
  rhsIs: '0',
  instances: () => [{ label: 'log r ∈ [−30, 30]', data: GRID }],
  lhs: (g) => klK3(g),
  rhs: (g) => new Float64Array(g.length),
  scale: () => 1,
  control: { description: 'k1 = −log r, negative wherever r > 1', lhs: (g) => klK1(g) },
});

const k3Variance = defineStep<Pair>({
  key: 'kl.k3-variance',
  exact: false,
  tolerance: 1e-10,
  implementedBy: ['klK3'],
  lhsIs: 'Var_q of klK3(log r), the library estimator',
  rhsIs: 'Var_q(r) + Var_q(log r) − 2 Cov_q(r, log r), written out from r and log r',
  instances: (seed) => pairs(seed),
  lhs: (x) => [variance(x.q, klK3(x.logRatio))],
  rhs: (x) => {
    const r = x.logRatio.map(Math.exp);
    const mr = expectUnder(x.q, r), ml = expectUnder(x.q, x.logRatio);
    const cov = expectUnder(x.q, r.map((ri, i) => (ri - mr) * (x.logRatio[i]! - ml)));
    return [variance(x.q, r) + variance(x.q, x.logRatio) - 2 * cov];
  },
  control: { description: 'the covariance term with the wrong sign (+2 Cov)', rhs: (x) => {
    const r = x.logRatio.map(Math.exp);
    const mr = expectUnder(x.q, r), ml = expectUnder(x.q, x.logRatio);
    const cov = expectUnder(x.q, r.map((ri, i) => (ri - mr) * (x.logRatio[i]! - ml)));
    return [variance(x.q, r) + variance(x.q, x.logRatio) + 2 * cov];
  } },
});

const gaussianK1 = defineStep<GaussianPair>({
  key: 'kl.gaussian-k1',
  exact: true,
  implementedBy: ['klK1'],
  lhsIs: 'mean and variance of the library klK1, interpolated exactly as a polynomial in log r and integrated over log r ∼ N(−μ²/2, μ²)',
  rhsIs: 'KL = μ²/2 and Var = μ² (so std/KL = 2/μ: 20 at μ = 0.1, 2 at μ = 1)',
  instances: () => gaussianPairs(),
  lhs: (x) => gaussianMeanVariance(polynomialOf(klK1, 1), x.mu),
  rhs: (x) => { const mu2 = x.mu.mul(x.mu); return [mu2.div(q(2)), mu2]; },
  control: { description: 'the log-ratio taken the wrong way round (log q − log p): mean −μ²/2', lhs: (x) => gaussianMeanVariance(polynomialOf((y) => klK1(y.map((v) => -v)), 1), x.mu) },
});

const gaussianK2 = defineStep<GaussianPair>({
  key: 'kl.gaussian-k2',
  exact: true,
  implementedBy: ['klK2'],
  lhsIs: 'bias E[k2] − μ²/2 and variance of the library klK2, interpolated exactly and integrated over log r ∼ N(−μ²/2, μ²)',
  rhsIs: 'μ⁴/8 and μ⁶/4 + μ⁴/2: bias/KL = μ²/4, Var/KL² = 2 + μ²',
  instances: () => gaussianPairs(),
  lhs: (x) => { const [m, v] = gaussianMeanVariance(polynomialOf(klK2, 2), x.mu); return [m.sub(x.mu.mul(x.mu).div(q(2))), v]; },
  rhs: (x) => { const mu2 = x.mu.mul(x.mu), mu4 = mu2.mul(mu2); return [mu4.div(q(8)), mu4.mul(mu2).div(q(4)).add(mu4.div(q(2)))]; },
  control: { description: 'k2 claimed unbiased (bias 0)', rhs: (x) => { const mu2 = x.mu.mul(x.mu), mu4 = mu2.mul(mu2); return [F.zero, mu4.mul(mu2).div(q(4)).add(mu4.div(q(2)))]; } },
});

/** The checks of derivation 11. */
export const klChecks = [k1Unbiased, k3MeanOne, k3Unbiased, k3Nonnegative, k3Variance, gaussianK1, gaussianK2];
