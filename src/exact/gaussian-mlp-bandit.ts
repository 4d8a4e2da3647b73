/**
 * Exact truth for a **Gaussian or tanh-Gaussian head on an MLP** (issue 10): a contextual
 * continuous bandit. Contexts s = 0 … S−1 arrive with probabilities ρ(s) and are seen through
 * features x_s ∈ R^d (given, or one-hot); the policy's network maps x_s to the head's rows
 * (μ_w(s), log σ_w(s)) (src/policy/gaussian-head.ts: log σ a parameter vector after the
 * network's, or the second half of the output row); the action u ∼ N(μ_w(s), diag σ_w(s)²)
 * reaches the environment as clip(u) (the Gaussian head, an environment that clips) or tanh(u)
 * (the tanh-Gaussian head), and the reward is separable over the action's dimensions,
 * r(s, a) = Σ_i r_i(s, a_i). Then
 *
 * $$J(w) = \sum_s \rho(s)\, J_s\big(\mu_w(s), \log\sigma_w(s)\big),\qquad
 *   \nabla_w J = \sum_s \rho(s)\Big(\frac{\partial J_s}{\partial \mu}\,\frac{\partial \mu_w(s)}{\partial w} + \frac{\partial J_s}{\partial \log\sigma}\,\frac{\partial \log\sigma_w(s)}{\partial w}\Big),$$
 *
 * each J_s = Σ_i E[r_i(s, ·)] with its gradient in (μ, log σ) from the one-dimensional exact
 * bandit routines (./gaussian-bandit.ts: `clippedGaussianBandit`, `tanhGaussianBandit`,
 * `expectationWithGradient`; composite Gauss–Legendre quadrature, ~1e−15), and the sum over s
 * one vector–Jacobian product of the network with cotangent rows ρ(s)(∂J_s/∂μ, ∂J_s/∂log σ)
 * (`Mlp.vjp`); a state-independent log σ collects Σ_s ρ(s) ∂J_s/∂log σ directly. This is
 * Lehmann 2024, Theorem 3.1 for a one-step problem (η = ρ), with the neural parameterization of
 * §6 (Lehmann 2024, arXiv 2401.13662).
 *
 * Independent route ({@link mlpBanditGradientByDifferences}): Ridders-extrapolated
 * central differences of J(w) (src/linalg/differentiate.ts) — no chain rule, no score-function
 * form, only the values J_s at perturbed networks. Agreement is ~1e−9 relative (test:
 * property-tests/exact/gaussian-mlp-bandit.test.ts).
 *
 * Special cases: a context with ρ(s) = 0 contributes nothing; contexts with the same features
 * share their (μ, log σ); the tanh head with an environment clip is refused (tanh(u) already
 * lies in (−1, 1): clip it in the reward if that is meant).
 *
 * @module
 */
import { fail, show } from '../errors.js';
import { gradientByDifferences } from '../linalg/differentiate.js';
import type { GaussianMlpPolicy } from '../policy/gaussian-head.js';
import { clippedGaussianBandit, expectationWithGradient, tanhGaussianBandit, type ScalarObjective } from './gaussian-bandit.js';

/** A contextual continuous bandit (module comment). */
export interface ContinuousContextualBandit {
  readonly numContexts: number;
  /** ρ(s), a probability vector. */
  readonly rho: Float64Array;
  /** x_s, row-major S × obsDim. */
  readonly features: Float64Array;
  readonly obsDim: number;
  readonly actionDim: number;
  /** r_i(s, a_i) at the action a the environment receives (clip(u) or tanh(u)): r(s, a) = Σ_i r_i(s, a_i). */
  readonly reward: (s: number, i: number, a: number) => number;
  /** The environment's action bounds [lo, hi] (Gaussian head only). */
  readonly clip?: readonly [number, number];
}

/** The data of a {@link ContinuousContextualBandit}; `features` absent: one-hot (obsDim = S). */
export interface ContinuousContextualBanditSpec {
  readonly rho: ArrayLike<number>;
  readonly features?: ArrayLike<number>;
  readonly obsDim?: number;
  readonly actionDim: number;
  readonly reward: (s: number, i: number, a: number) => number;
  readonly clip?: readonly [number, number];
}

/**
 * A validated contextual bandit: `BANDIT_INVALID` for ρ not a probability vector (a negative
 * or non-finite entry, or a sum off 1 by more than 1e−12), features of the wrong length or not
 * finite, a non-positive action dimension, or clip bounds that are not finite with lo < hi.
 */
export function continuousContextualBandit(spec: ContinuousContextualBanditSpec): ContinuousContextualBandit {
  const S = spec.rho?.length ?? 0;
  if (!(S >= 1)) fail('BANDIT_INVALID', `rho has ${show(spec.rho?.length)} entries: a contextual bandit needs at least one context`, { where: 'rho', value: spec.rho?.length });
  const rho = Float64Array.from(spec.rho);
  let sum = 0;
  for (let s = 0; s < S; s++) {
    if (!(Number.isFinite(rho[s]!) && rho[s]! >= 0)) fail('BANDIT_INVALID', `rho[${s}] is ${show(spec.rho[s])}: context probabilities must be finite and non-negative`, { where: `rho[${s}]`, value: spec.rho[s] });
    sum += rho[s]!;
  }
  if (Math.abs(sum - 1) > 1e-12) fail('BANDIT_INVALID', `rho sums to ${sum}: context probabilities must sum to 1`, { where: 'rho', value: sum });
  const k = spec.actionDim;
  if (!(Number.isSafeInteger(k) && k >= 1)) fail('BANDIT_INVALID', `actionDim is ${show(k)}: it must be a positive integer`, { where: 'actionDim', value: k });
  const d = spec.features === undefined ? S : spec.obsDim ?? (spec.features.length / S);
  if (!(Number.isSafeInteger(d) && d >= 1)) fail('BANDIT_INVALID', `obsDim is ${show(d)}: the features must be S × d with d a positive integer (S = ${S})`, { where: 'obsDim', value: d });
  let features: Float64Array;
  if (spec.features === undefined) { features = new Float64Array(S * S); for (let s = 0; s < S; s++) features[s * S + s] = 1; }
  else {
    if (spec.features.length !== S * d) fail('BANDIT_INVALID', `features has ${spec.features.length} entries, expected S·d = ${S}·${d} = ${S * d}`, { where: 'features', value: spec.features.length });
    features = Float64Array.from(spec.features);
    for (let j = 0; j < S * d; j++) if (!Number.isFinite(features[j]!)) fail('BANDIT_INVALID', `features[${Math.floor(j / d)}][${j % d}] is ${show(spec.features[j])}`, { where: `features[${Math.floor(j / d)}][${j % d}]`, value: spec.features[j] });
  }
  if (typeof spec.reward !== 'function') fail('BANDIT_INVALID', 'reward must be a function (s, i, a_i) → r_i', { where: 'reward', value: spec.reward });
  if (spec.clip !== undefined && !(Number.isFinite(spec.clip[0]) && Number.isFinite(spec.clip[1]) && spec.clip[0] < spec.clip[1])) fail('BANDIT_INVALID', `clip bounds must be finite with lo < hi, got [${show(spec.clip[0])}, ${show(spec.clip[1])}]`, { where: 'clip', value: spec.clip });
  return { numContexts: S, rho, features, obsDim: d, actionDim: k, reward: spec.reward, ...(spec.clip ? { clip: [spec.clip[0], spec.clip[1]] as const } : {}) };
}

/** J, ∇_w J, and the per-context quantities they are made of. */
export interface MlpBanditObjective {
  readonly J: number;
  /** ∇_w J, length `policy.numParams`. */
  readonly grad: Float64Array;
  /** J_s (the value of context s: a baseline V(s)). */
  readonly values: Float64Array;
  /** μ_w(s) and log σ_w(s), S × k each. */
  readonly mu: Float64Array;
  readonly logStd: Float64Array;
  /** ∂J_s/∂μ and ∂J_s/∂log σ (not weighted by ρ), S × k each. */
  readonly gradMu: Float64Array;
  readonly gradLogStd: Float64Array;
}

function checkPair(b: ContinuousContextualBandit, policy: GaussianMlpPolicy): boolean {
  if (policy.obsDim !== b.obsDim || policy.actionDim !== b.actionDim) fail('NN_ARCHITECTURE', `the policy reads ${policy.obsDim} features and gives ${policy.actionDim} action dimensions; the bandit has ${b.obsDim} and ${b.actionDim}`, { where: 'policy', value: [policy.obsDim, policy.actionDim] });
  const squashed = policy.kind === 'mlp-tanh-gaussian';
  if (!squashed && policy.kind !== 'mlp-gaussian') fail('NN_ARCHITECTURE', `a contextual Gaussian bandit needs a Gaussian or tanh-Gaussian MLP head, got ${show(policy.kind)}`, { where: 'policy.kind', value: policy.kind });
  if (squashed && b.clip) fail('BANDIT_INVALID', 'the tanh-Gaussian head with an environment clip: tanh(u) already lies in (−1, 1) (module comment)', { where: 'clip', value: b.clip });
  return squashed;
}

/** E[r_i(s, ·)] and its gradient in (μ, log σ) for one context and dimension, by the exact bandit routines. */
function perDimension(b: ContinuousContextualBandit, squashed: boolean, s: number, i: number, mu: number, logStd: number): ScalarObjective {
  const r = (a: number) => b.reward(s, i, a);
  if (squashed) return tanhGaussianBandit(r, mu, logStd);
  return b.clip ? clippedGaussianBandit(r, b.clip[0], b.clip[1], mu, logStd) : expectationWithGradient(r, mu, logStd);
}

/** Options of {@link mlpBanditObjective}. */
export interface MlpBanditObjectiveOptions {
  /**
   * A negative control (property tests, the `continuous.mlp-chain-rule` claim): `'detach-log-std'`
   * drops the log σ cotangent, as if log σ were detached from the graph (the head's Jacobian
   * in log σ taken as 0).
   */
  readonly wrong?: 'detach-log-std';
}

/**
 * J(w) and the exact ∇_w J of the Gaussian-family MLP policy `policy` at `theta` on the
 * contextual bandit `b` (module comment). Throws `NN_ARCHITECTURE` when the policy's widths
 * do not match the bandit, `BANDIT_INVALID` for a tanh head with a clip, and the policy's
 * errors for θ (`POLICY_SHAPE`, `POLICY_NOT_FINITE`, `POLICY_SCALE`).
 */
export function mlpBanditObjective(b: ContinuousContextualBandit, policy: GaussianMlpPolicy, theta: Float64Array, opts: MlpBanditObjectiveOptions = {}): MlpBanditObjective {
  const squashed = checkPair(b, policy);
  const S = b.numContexts, k = b.actionDim;
  const { mu, logStd } = policy.meanAndLogStd(theta, b.features, S);
  const values = new Float64Array(S), gradMu = new Float64Array(S * k), gradLogStd = new Float64Array(S * k);
  const cMu = new Float64Array(S * k), cLs = new Float64Array(S * k);
  let J = 0;
  for (let s = 0; s < S; s++) {
    for (let i = 0; i < k; i++) {
      const o = perDimension(b, squashed, s, i, mu[s * k + i]!, logStd[s * k + i]!);
      values[s] += o.value; gradMu[s * k + i] = o.gradMu; gradLogStd[s * k + i] = o.gradLogStd;
      cMu[s * k + i] = b.rho[s]! * o.gradMu;
      cLs[s * k + i] = opts.wrong === 'detach-log-std' ? 0 : b.rho[s]! * o.gradLogStd;
    }
    J += b.rho[s]! * values[s]!;
  }
  const grad = pullbackHeadRows(policy, theta, b.features, S, cMu, cLs);
  return { J, grad, values, mu, logStd, gradMu, gradLogStd };
}

/**
 * The head's vector–Jacobian product: Σ_s [g_μ(s)ᵀ ∂μ_w(x_s)/∂w + g_{log σ}(s)ᵀ ∂log σ_w(x_s)/∂w]
 * for cotangent rows g_μ, g_{log σ} (S × k each) at the observations `features` (S × d): one
 * forward pass and one VJP of the network (`Mlp.vjp`) with the rows placed where the head reads
 * them (μ in the first k outputs; log σ in the last k outputs, or summed into the
 * state-independent log σ parameters after the network's).
 */
export function pullbackHeadRows(policy: GaussianMlpPolicy, theta: Float64Array, features: Float64Array, S: number, gMu: ArrayLike<number>, gLogStd: ArrayLike<number>): Float64Array {
  const { mlp, actionDim: k } = policy, W = mlp.outputDim, P = mlp.numParams, shared = policy.logStd === 'state-independent';
  if (gMu.length !== S * k || gLogStd.length !== S * k) fail('NN_INPUT', `the cotangent rows have ${gMu.length} and ${gLogStd.length} entries, expected S·k = ${S * k} each`, { where: 'cotangents', value: [gMu.length, gLogStd.length] });
  policy.check(theta);
  const g = new Float64Array(S * W), grad = new Float64Array(policy.numParams);
  for (let s = 0; s < S; s++) for (let i = 0; i < k; i++) {
    g[s * W + i] = gMu[s * k + i]!;
    if (shared) grad[P + i] += gLogStd[s * k + i]!; else g[s * W + k + i] = gLogStd[s * k + i]!;
  }
  mlp.forward(theta, features, S);
  mlp.vjp(theta, g, grad);
  return grad;
}

/** J(w) alone: Σ_s ρ(s) Σ_i E[r_i(s, ·)] at the head's rows (the value route of the differences). */
export function mlpBanditValue(b: ContinuousContextualBandit, policy: GaussianMlpPolicy, theta: Float64Array): number {
  const squashed = checkPair(b, policy), S = b.numContexts, k = b.actionDim;
  const { mu, logStd } = policy.meanAndLogStd(theta, b.features, S);
  let J = 0;
  for (let s = 0; s < S; s++) for (let i = 0; i < k; i++) J += b.rho[s]! * perDimension(b, squashed, s, i, mu[s * k + i]!, logStd[s * k + i]!).value;
  return J;
}

/**
 * ∇_w J by Ridders-extrapolated central differences of {@link mlpBanditValue} from
 * step `h`, at the given coordinates of w (all by default): the independent route.
 */
export function mlpBanditGradientByDifferences(b: ContinuousContextualBandit, policy: GaussianMlpPolicy, theta: Float64Array, h = 0.1, coordinates?: readonly number[]): { value: Float64Array; error: number } {
  const ks = coordinates ?? Array.from({ length: policy.numParams }, (_, j) => j), w = Float64Array.from(theta);
  for (const j of ks) if (!(Number.isSafeInteger(j) && j >= 0 && j < policy.numParams)) fail('POLICY_SHAPE', `coordinate ${show(j)} is outside the ${policy.numParams} parameters`, { where: 'coordinates', value: j });
  return gradientByDifferences((x) => { ks.forEach((j, n) => { w[j] = x[n]!; }); return mlpBanditValue(b, policy, w); }, Float64Array.from(ks, (j) => theta[j]!), h);
}
