/**
 * The diagonal Gaussian and tanh-squashed Gaussian heads over an MLP: the network's output
 * row gives the mean μ(s) ∈ R^k, and log σ is either a state-independent parameter vector
 * (θ = [MLP parameters, log σ ∈ R^k]; PPO's usual head, Schulman et al. 2017) or the second
 * half of the output row (`[μ(s), log σ(s)]`, output width 2k; SAC's head, Haarnoja et al.
 * 2018). The distribution math — log-density, scores in (μ, log σ), entropy, KL, Fisher
 * diagonal, the stable log(1 − tanh² u), sampling — is `gaussian.ts`'s, called per row;
 * this file only routes it through the network.
 *
 * - Score sum: the cotangent of the output row t is c_t ∂ log π/∂(μ, log σ) (the Gaussian
 *   score, `gaussianAddScoreRow`); one VJP of the MLP carries it to the weights; a
 *   state-independent log σ collects Σ_t c_t ∂ log π/∂ log σ directly.
 * - Fisher–vector product: F = Σ_t w_t J_tᵀ diag(1/σ², 2) J_t with J_t the Jacobian of
 *   (μ(s_t), log σ(s_t)) in θ (for a state-independent log σ, J_t is block-diagonal with
 *   the identity on log σ): a JVP, the diagonal Fisher (`gaussianFisherDiagRow`), a VJP.
 * - Tanh-squashed head: actions are the **pre-squash u** (T × k; the environment gets
 *   tanh u — see `gaussian.ts` on why u and not atanh(a)); log π is the density of
 *   a = tanh(u) with the stable log-Jacobian. The score in θ, the Fisher and the KL are
 *   the Gaussian ones: the Jacobian term does not depend on θ once u is given, the Fisher
 *   information and the KL divergence are invariant under the bijection u ↦ tanh u of the
 *   sample space (Kullback 1959, ch. 2, Thm 4.1). The entropy is not: H(tanh U) = H(U) +
 *   Σ_i E[log(1 − tanh² U_i)], which has no closed form; each 1-D expectation is taken by
 *   composite Gauss–Legendre quadrature in z (`tanhLogJacobianMoments` below: 200 nodes for
 *   σ ≤ 1.18, the value and both gradient moments in one pass, equal to the exact route's
 *   `normalExpectation`, ../linalg/quadrature.ts, to 1e−14 — Gauss–Hermite with 200 nodes
 *   is off by 1e−10 at σ = 2 and 5e−5 at σ = 5).
 * - Entropy gradients: the Gaussian's ∂H/∂ log σ_i = 1, ∂H/∂μ = 0; the squashed one adds the
 *   gradient of E[ℓ(U)], ℓ = log(1 − tanh²), in its score-function form
 *   ∂/∂μ = E[ℓ(U)(U − μ)/σ²], ∂/∂ log σ = E[ℓ(U)(Z² − 1)] (Z = (U − μ)/σ), by the same
 *   quadrature. KL gradients in the second argument: `gaussianAddKlGradRow` (for both heads).
 *
 * @module
 */
import { fail, show } from '../errors.js';
import { gaussLegendre } from '../linalg/quadrature.js';
import type { Rng } from '../stats/rng.js';
import { headOutput } from './categorical.js';
import {
  checkGaussianRow, gaussianAddKlGradRow, gaussianAddScoreRow, gaussianEntropyRow, gaussianFisherDiagRow, gaussianKlRow,
  gaussianLogProbRow, gaussianSampleRow, logOneMinusTanhSq, tanhGaussianLogProbRow,
} from './gaussian.js';
import { checkNetworkRows, Mlp } from './mlp.js';
import type { NeuralPolicy } from './neural.js';

/** Options of the Gaussian heads. */
export interface GaussianHeadOptions {
  /**
   * `state-independent` (default): log σ ∈ R^k is θ[numParams − k …], after the MLP's
   * parameters; the MLP's output width is k. `state-dependent`: the output row is
   * [μ(s), log σ(s)], width 2k.
   */
  readonly logStd?: 'state-independent' | 'state-dependent';
}

/** A Gaussian-family neural policy; actions are T × k row-major (pre-squash u for the tanh head). */
export interface GaussianMlpPolicy extends NeuralPolicy<Float64Array> {
  readonly logStd: 'state-independent' | 'state-dependent';
  /** The squashed action a = tanh(u) of each pre-squash u (the tanh head; the identity copy for the plain head). */
  envActions(u: Float64Array, T: number, out?: Float64Array): Float64Array;
  /** The mean and log σ rows (T × k each) at the observations. */
  meanAndLogStd(theta: Float64Array, obs: Float64Array, T: number): { mu: Float64Array; logStd: Float64Array };
}

function gaussianFamilyPolicy(mlp: Mlp, squashed: boolean, options: GaussianHeadOptions): GaussianMlpPolicy {
  if (!(mlp instanceof Mlp)) fail('NN_ARCHITECTURE', 'a Gaussian head needs an Mlp', { value: mlp });
  const mode = options.logStd ?? 'state-independent';
  if (mode !== 'state-independent' && mode !== 'state-dependent') fail('NN_ARCHITECTURE', `logStd is ${show(mode)}: expected state-independent or state-dependent`, { where: 'logStd', value: mode });
  const shared = mode === 'state-independent';
  const W = mlp.outputDim, P = mlp.numParams;
  if (!shared && W % 2 !== 0) fail('NN_ARCHITECTURE', `a state-dependent log σ needs an even output width [μ, log σ], got ${W}`, { where: 'sizes', value: W });
  const k = shared ? W : W / 2;
  const numParams = shared ? P + k : P;
  const kind = squashed ? 'mlp-tanh-gaussian' : 'mlp-gaussian';

  let cap = 0;
  let g = new Float64Array(0), u = new Float64Array(0), other = new Float64Array(0);
  const gLs = new Float64Array(k), fMu = new Float64Array(k), fLs = new Float64Array(k);
  const ensure = (T: number) => {
    if (T <= cap) return;
    cap = Math.max(T, 2 * cap);
    g = new Float64Array(cap * W); u = new Float64Array(cap * W); other = new Float64Array(cap * W);
  };
  const check = (theta: Float64Array) => {
    if (!(theta instanceof Float64Array) || theta.length !== numParams) fail('POLICY_SHAPE', `theta has ${theta?.length ?? show(theta)} entries, expected ${numParams} (${P} network parameters${shared ? ` and ${k} log σ` : ''})`, { where: 'theta', value: theta?.length });
    mlp.checkTheta(theta);
    if (shared) checkGaussianRow(theta, P, theta, P, k, 'log σ parameters');
  };
  /** The network's output rows at θ, checked as Gaussian rows; log σ lives at (ls, lsOff + t·lsStride). */
  const rows = (theta: Float64Array, obs: Float64Array, T: number) => {
    check(theta);
    const z = mlp.forward(theta, obs, T);
    ensure(T);
    const ls = shared ? theta : z, lsStride = shared ? 0 : W, lsOff = shared ? P : k;
    for (let t = 0; t < T; t++) checkGaussianRow(z, t * W, ls, lsOff + t * lsStride, k, `state ${t}`);
    return { z, ls, lsOff, lsStride };
  };
  const checkActions = (a: Float64Array, T: number) => checkNetworkRows(a, T, k, 'actions');

  const policy: GaussianMlpPolicy = {
    kind, mlp, numParams, obsDim: mlp.inputDim, actionDim: k, logStd: mode,
    check,
    meanAndLogStd(theta, obs, T) {
      const { z, ls, lsOff, lsStride } = rows(theta, obs, T);
      const mu = new Float64Array(T * k), logStd = new Float64Array(T * k);
      for (let t = 0; t < T; t++) for (let i = 0; i < k; i++) { mu[t * k + i] = z[t * W + i]!; logStd[t * k + i] = ls[lsOff + t * lsStride + i]!; }
      return { mu, logStd };
    },
    envActions(a, T, out) {
      checkActions(a, T);
      const o = headOutput(out, T * k, 'out');
      for (let i = 0; i < T * k; i++) o[i] = squashed ? Math.tanh(a[i]!) : a[i]!;
      return o;
    },
    logProb(theta, obs, T, actions, out) {
      checkActions(actions, T);
      const o = headOutput(out, T, 'out');
      const { z, ls, lsOff, lsStride } = rows(theta, obs, T);
      const row = squashed ? tanhGaussianLogProbRow : gaussianLogProbRow;
      for (let t = 0; t < T; t++) o[t] = row(actions, t * k, z, t * W, ls, lsOff + t * lsStride, k);
      return o;
    },
    scoreSum(theta, obs, T, actions, c_t, out) {
      checkActions(actions, T);
      checkNetworkRows(c_t, T, 1, 'c_t');
      const o = headOutput(out, numParams, 'out');
      const { z, ls, lsOff, lsStride } = rows(theta, obs, T);
      g.fill(0, 0, T * W);
      gLs.fill(0);
      for (let t = 0; t < T; t++) {
        // ∂ log π/∂μ into the μ half of row t; ∂ log π/∂ log σ into the log σ half or the shared accumulator
        gaussianAddScoreRow(actions, t * k, z, t * W, ls, lsOff + t * lsStride, k, c_t[t]!, g, t * W, shared ? gLs : g, shared ? 0 : t * W + k);
      }
      mlp.vjp(theta, g, o);
      if (shared) for (let i = 0; i < k; i++) o[P + i] = gLs[i]!;
      return o;
    },
    fisherVectorProduct(theta, obs, T, v, out, weights) {
      if (!(v instanceof Float64Array) || v.length !== numParams) fail('NN_INPUT', `the vector has ${v?.length} entries, expected ${numParams}`, { where: 'v', value: v?.length });
      if (weights !== undefined) checkNetworkRows(weights, T, 1, 'weights');
      const o = headOutput(out, numParams, 'out');
      const { ls, lsOff, lsStride } = rows(theta, obs, T);
      mlp.jvp(theta, v, u);
      let wSum = 0;
      for (let t = 0; t < T; t++) {
        const w = weights ? weights[t]! : 1 / T;
        wSum += w;
        gaussianFisherDiagRow(ls, lsOff + t * lsStride, k, fMu, 0, fLs, 0);
        for (let i = 0; i < k; i++) {
          g[t * W + i] = w * fMu[i]! * u[t * W + i]!;
          if (!shared) g[t * W + k + i] = w * fLs[i]! * u[t * W + k + i]!;
        }
      }
      mlp.vjp(theta, g, o);
      if (shared) {
        // the log σ block: Σ_t w_t · 2 · v_logσ (the Fisher of log σ does not depend on the state)
        gaussianFisherDiagRow(theta, P, k, fMu, 0, fLs, 0);
        for (let i = 0; i < k; i++) o[P + i] = wSum * fLs[i]! * v[P + i]!;
      }
      return o;
    },
    entropy(theta, obs, T, out) {
      const o = headOutput(out, T, 'out');
      const { z, ls, lsOff, lsStride } = rows(theta, obs, T);
      for (let t = 0; t < T; t++) {
        let h = gaussianEntropyRow(ls, lsOff + t * lsStride, k);
        if (squashed) for (let i = 0; i < k; i++) h += tanhLogJacobianMoments(z[t * W + i]!, Math.exp(ls[lsOff + t * lsStride + i]!), moments)[0]!;
        o[t] = h;
      }
      return o;
    },
    kl(theta, thetaOther, obs, T, out) {
      const o = headOutput(out, T, 'out');
      const q = rows(thetaOther, obs, T);
      other.set(q.z.subarray(0, T * W));
      const qLs = shared ? thetaOther : other;
      const p = rows(theta, obs, T);
      for (let t = 0; t < T; t++) {
        o[t] = gaussianKlRow(p.z, t * W, p.ls, p.lsOff + t * p.lsStride, other, t * W, qLs, q.lsOff + t * q.lsStride, k);
      }
      return o;
    },
    entropyGradSum(theta, obs, T, w_t, out) {
      checkNetworkRows(w_t, T, 1, 'w_t');
      const o = headOutput(out, numParams, 'out');
      const { z, ls, lsOff, lsStride } = rows(theta, obs, T);
      g.fill(0, 0, T * W);
      gLs.fill(0);
      for (let t = 0; t < T; t++) {
        const w = w_t[t]!;
        for (let i = 0; i < k; i++) {
          let dMu = 0, dLs = w; // ∂H/∂ log σ_i = 1 for the Gaussian part
          if (squashed) {
            tanhLogJacobianMoments(z[t * W + i]!, Math.exp(ls[lsOff + t * lsStride + i]!), moments);
            dMu = w * moments[1]!;
            dLs += w * moments[2]!;
          }
          g[t * W + i] = dMu;
          if (shared) gLs[i] += dLs; else g[t * W + k + i] = dLs;
        }
      }
      mlp.vjp(theta, g, o);
      if (shared) for (let i = 0; i < k; i++) o[P + i] = gLs[i]!;
      return o;
    },
    klGradSum(thetaOld, theta, obs, T, w_t, out) {
      checkNetworkRows(w_t, T, 1, 'w_t');
      const o = headOutput(out, numParams, 'out');
      const p = rows(thetaOld, obs, T);
      other.set(p.z.subarray(0, T * W));
      const pLs = shared ? thetaOld : other;
      const q = rows(theta, obs, T);
      g.fill(0, 0, T * W);
      gLs.fill(0);
      for (let t = 0; t < T; t++) {
        gaussianAddKlGradRow(other, t * W, pLs, p.lsOff + t * p.lsStride, q.z, t * W, q.ls, q.lsOff + t * q.lsStride, k,
          w_t[t]!, g, t * W, shared ? gLs : g, shared ? 0 : t * W + k);
      }
      mlp.vjp(theta, g, o);
      if (shared) for (let i = 0; i < k; i++) o[P + i] = gLs[i]!;
      return o;
    },
    sample(theta, obs, T, rng: Rng, out) {
      const o = headOutput(out, T * k, 'out');
      const { z, ls, lsOff, lsStride } = rows(theta, obs, T);
      for (let t = 0; t < T; t++) gaussianSampleRow(rng, z, t * W, ls, lsOff + t * lsStride, k, o, t * k);
      return o;
    },
  };
  return policy;
}

/** Scratch of the three moments (one policy call at a time: JavaScript is single-threaded). */
const moments = new Float64Array(3);

/** The layout of {@link tanhLogJacobianMoments}'s quadrature (for its tests' negative controls). */
export interface TanhMomentsLayout {
  /** The integral in z is cut to [−L, L]. Default 10 (the Gaussian density at 10 is 7.7e−23). */
  readonly halfWidth?: number;
  /** Panel width = min(2, factor · π/(2σ)). Default 1.5. */
  readonly widthFactor?: number;
}
const ruleCache = new Map<number, { z: Float64Array; w: Float64Array }>();

/**
 * The three expectations of ℓ(U) = log(1 − tanh² U), U = μ + σZ ∼ N(μ, σ²), that the tanh head's
 * entropy and entropy gradient need, in one pass over one set of nodes:
 * out[0] = E[ℓ(U)], out[1] = E[ℓ(U)(U − μ)/σ²] = ∂/∂μ E[ℓ], out[2] = E[ℓ(U)(Z² − 1)] = ∂/∂log σ E[ℓ].
 *
 * Composite 20-point Gauss–Legendre in z on [−10, 10]. ℓ is analytic except for logarithmic
 * singularities at u = ±iπ/2 + iπℤ, at distance d = π/(2σ) from the real z axis; a panel of
 * width w ≤ 1.5 d puts them outside the Bernstein ellipse of parameter ρ ≥ 3.0, so each panel's
 * error is of order ρ^−40 ≈ 1e−19; w ≤ 2 keeps the Gaussian factor resolved. That is 200 nodes for
 * σ ≤ 1.18 (the module comment's `normalExpectation` route uses about 10³ per expectation, three
 * times): the same values to 1e−14 (test: policy-gaussian-head.test.ts, against
 * `normalExpectation`, the exact route of `exact/gaussian-bandit.ts`), ~15× less work —
 * the entropy bonus of A2C with a tanh-Gaussian head was most of its update's time.
 */
export function tanhLogJacobianMoments(mu: number, sigma: number, out: Float64Array = new Float64Array(3), layout: TanhMomentsLayout = {}): Float64Array {
  if (!(Number.isFinite(mu) && sigma > 0 && Number.isFinite(sigma))) fail('BANDIT_INVALID', `the tanh head's entropy needs a finite μ and σ > 0, got μ = ${show(mu)}, σ = ${show(sigma)}`, { where: 'sigma', value: sigma });
  const L = layout.halfWidth ?? 10, factor = layout.widthFactor ?? 1.5;
  const panels = Math.ceil((2 * L) / Math.min(2, (factor * Math.PI) / (2 * sigma)));
  const cacheable = layout.halfWidth === undefined && layout.widthFactor === undefined && panels <= 4096;
  let rule = cacheable ? ruleCache.get(panels) : undefined;
  if (rule === undefined) {
    const { nodes, weights } = gaussLegendre(20), h = (2 * L) / panels, n = nodes.length;
    rule = { z: new Float64Array(panels * n), w: new Float64Array(panels * n) };
    for (let p = 0; p < panels; p++) {
      const mid = -L + (p + 0.5) * h;
      for (let i = 0; i < n; i++) {
        const zz = mid + 0.5 * h * nodes[i]!;
        rule.z[p * n + i] = zz;
        rule.w[p * n + i] = 0.5 * h * weights[i]! * Math.exp(-0.5 * zz * zz - HALF_LOG_2PI_H);
      }
    }
    if (cacheable) ruleCache.set(panels, rule);
  }
  const { z, w } = rule;
  let m0 = 0, m1 = 0, m2 = 0;
  for (let j = 0; j < z.length; j++) {
    const zz = z[j]!, f = w[j]! * logOneMinusTanhSq(mu + sigma * zz);
    m0 += f; m1 += f * zz; m2 += f * (zz * zz - 1);
  }
  out[0] = m0; out[1] = m1 / sigma; out[2] = m2;
  return out;
}
const HALF_LOG_2PI_H = 0.5 * Math.log(2 * Math.PI);

/** A diagonal Gaussian policy head over `mlp` (output width k, or 2k for a state-dependent log σ). */
export function gaussianMlpPolicy(mlp: Mlp, options: GaussianHeadOptions = {}): GaussianMlpPolicy {
  return gaussianFamilyPolicy(mlp, false, options);
}

/** A tanh-squashed Gaussian policy head over `mlp`; actions are the pre-squash u (module comment). */
export function tanhGaussianMlpPolicy(mlp: Mlp, options: GaussianHeadOptions = {}): GaussianMlpPolicy {
  return gaussianFamilyPolicy(mlp, true, options);
}
