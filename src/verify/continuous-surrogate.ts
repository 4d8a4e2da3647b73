/**
 * `pgtruth check` for **surrogate** estimators of Gaussian and tanh-Gaussian policies: the
 * deep-RL PPO loss. A `surrogate` estimator that declares `policy: 'gaussian'` or
 * `policy: 'tanh-gaussian'` receives a continuous batch drawn by π_old (`logp_t` =
 * log π_old(a_t), ./continuous-kind.ts), the Gaussian policy view at θ and the exact advantage
 * of each transition, A_old(x_t, a_t) = r_t + γV(x_{t+1}) − V(x_t) (a bandit's: r_t − J(θ_old)),
 * and returns its loss and ∇_θ loss. As for tabular surrogates, the loss weights transition t
 * by γ^t and averages over episodes (the target is η_old-weighted: Σ_t γ^t per episode). The target of
 * E[−∇loss] is exact (../exact/gaussian-surrogate.ts):
 *
 * $$\nabla_\theta\Big(\mathbb E_{\pi_{\mathrm{old}}}\big[\min(\rho A,\operatorname{clip}(\rho,1\pm\epsilon)A)\big] + c\,H(\pi_\theta) - \beta\,\mathrm{KL}(\pi_{\mathrm{old}}\|\pi_\theta)\Big)$$
 *
 * (without `clip`, the unclipped surrogate E_old[ρA]); at θ = θ_old the first term is ∇J.
 *
 * | policy | problem | θ_old | θ ≠ θ_old | control at θ_old | control at θ ≠ θ_old |
 * | --- | --- | --- | --- | --- | --- |
 * | `gaussian` | the LQR of ./continuous-kind.ts (n = 3, m = 2, γ = 0.9, 8 episodes cut at H = 150), A_t = r_t + γV(x_{t+1}) − V(x_t) exact (deterministic dynamics) | [vec K, log σ] of the default report's instance | — (the clipped surrogate's gradient off θ_old is not in closed form there) | the surrogate without γ^t (every transition weighted 1) | — |
 * | `gaussian` | r = −(clip(a) − 2)², the environment clips to [−1, 1] | (1, log 0.5) | θ_old + {@link MOVE_GAUSSIAN} | ρ from log π_θ at the clipped action a_env_t | min over ratios before multiplying by Â (mutant.ppo-min-before-multiply) |
 * | `tanh-gaussian` | a = tanh(u), r = −(a − 0.3)² + a/2 | (0.5, log 0.8) | θ_old + {@link MOVE_TANH} | ρ with the tanh Jacobian at the squashed value, log(1 − tanh²(tanh u)) | the same min-before-multiply |
 *
 * (A declared unclipped surrogate's control at θ ≠ θ_old is PPO's clip, ε = 0.2.) Each control
 * is the plain surrogate (no regularizers), held to the plain target.
 *
 * **The regularizers.** `klCoef` β: −β ∇_θ KL(π_old‖π_θ) in closed form (`gaussianAddKlGradRow`,
 * ../policy/gaussian.ts; the KL is invariant under tanh, so the same for both); any unbiased
 * KL estimate (k1, k3) on the batch has this gradient in expectation. `entropyCoef` c with
 * `entropy` declared as
 * - `'exact'` (default): the policy's own entropy, c ∇H(π_θ): (0, 1)·c for the Gaussian
 *   (`gaussianEntropyRow`), and for the tanh-Gaussian H = ½ log(2πe σ²) + E[log(1 − tanh² u)]
 *   by quadrature (`tanhGaussianEntropy`, ../exact/gaussian-bandit.ts). Taking the Gaussian's
 *   entropy for the tanh-Gaussian (the closed form of the pre-squash u) is a bug this rejects.
 * - `'sample'`: the bonus estimated by −log π_θ(a_t) on the batch, Stable-Baselines3's PPO
 *   convention when the distribution has no closed-form entropy (its squashed Gaussian). Its
 *   expectation is the cross-entropy E_old[−log π_θ] = H(π_old) + KL(π_old‖π_θ), so its gradient
 *   is +c ∇_θ KL(π_old‖π_θ) — **not** c∇H: it is 0 at θ = θ_old and pushes *away* from π_old
 *   elsewhere (a KL penalty of coefficient −c). The check holds such an estimator to that
 *   target, and says so in its title.
 *
 * **MLP heads.** `policy: 'gaussian-mlp' | 'tanh-gaussian-mlp'` runs the same claim on the
 * instances of ./gaussian-mlp-surrogate.ts (handed in by the caller: `mlpCases`), whose targets
 * are {@link continuousSurrogateTarget} per context pulled back through the network.
 *
 * **Per-batch advantage normalization** (`normalizeAdvantages: true`) is not unbiased for ∇J;
 * declared, the target is its large-batch limit, as for the tabular surrogates (./check.ts): the
 * exact clipped (or unclipped) surrogate gradient with the advantage u ↦ (A(u) − μ)/σ, μ and σ
 * the mean and standard deviation of A under the sampling distribution ({@link advantageMoments}:
 * quadrature; the contexts pooled with weights ρ(s) for the MLP heads). The clip boundaries do
 * not move; the normalized advantage's sign changes do, and the quadrature splits at them
 * (`signChanges`). Batches of {@link NORMALIZED_DRAWS} draws keep the finite-batch term inside
 * the margin of 1% of ‖∇J‖₂ ({@link NORMALIZATION_MARGIN}); the title says how far the limit is
 * from ∇J. The LQR instance is left out of a normalizing surrogate's check: its limit needs the
 * moments of A over the LQR's state distribution, which are not computed. Undeclared, the
 * normalization fails with "looks like: per-batch advantage normalization that is not
 * declared". Python
 * modules declare the same (`'policy'`, `'entropy'`; python/pgtruth_bridge.py, numpy
 * `GaussianPolicy` view).
 *
 * Sampling, sizing, the decision and the diagnosis are those of ./continuous-kind.ts: batches
 * of {@link BANDIT_DRAWS} draws drawn here and sent in chunks to the sandbox's workers
 * (./continuous-tasks.ts), a pilot sizes each check to resolve `resolution` of ‖∇J(θ_old)‖₂ at
 * power 0.9, a studentized max over (μ, log σ), Šidák, α = {@link CHECK_ALPHA} per check.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import { ppoClipSurrogate } from '../estimators/ppo.js';
import { trpoSurrogate } from '../estimators/trpo.js';
import { clippedGaussianBandit, tanhGaussianBandit, tanhGaussianEntropy } from '../exact/gaussian-bandit.js';
import { gaussianClippedSurrogateGradient, type GaussianPoint } from '../exact/gaussian-surrogate.js';
import { normalExpectation } from '../linalg/quadrature.js';
import { gaussianAddKlGradRow } from '../policy/gaussian.js';
import { constantGaussianHead, sampledGaussianPolicy } from '../policy/gaussian-samples.js';
import type { Parameterization } from '../policy/types.js';
import { sampleGaussianBandit, type BanditDraws } from '../sampling/bandit.js';
import type { Rng } from '../stats/rng.js';
import { summarize } from '../stats/summary.js';
import { DETECTION_POWER } from '../stats/tests.js';
import type { Check, Claim } from './claim.js';
import { CLIP, clipPolicy, clipReward, continuousLqrInstance, TANH_LS, TANH_MU, tanhReward, wrongJacobian } from './claims/continuous.js';
import { BANDIT_DRAWS, banditBatch, declaredPolicy, lqrCase, LQR_HORIZON, policyOf, sample, scalingOf, stackControl, type ContinuousBatch, type ContinuousCase, type Drawn, type GaussianPolicyView, type GaussianViewSpec } from './continuous-kind.js';
import { diagnose, type Candidate, type Reader } from './diagnose.js';
import { findMutation, ppoMinBeforeMultiply } from './mutations.js';
import type { GaussianMlpViewSpec } from './gaussian-mlp-kind.js';
import { surrogateDeclaration, type LoadedEstimator } from './plugin.js';
import { DEFAULT_BUDGET_SECONDS, DEFAULT_RESOLUTION, PILOT_BATCHES, sizeAndRun, sizedDecision, type SizedItem } from './power.js';
import { CHECK_ALPHA, meanCheck } from './sampled.js';
import { NORMALIZATION_MARGIN } from './normalization-margin.js';

/** A surrogate estimator for a Gaussian or tanh-Gaussian policy (module comment). */
export interface GaussianSurrogateEstimator {
  readonly kind: 'surrogate';
  readonly policy: 'gaussian' | 'tanh-gaussian';
  readonly name?: string;
  /** PPO's clip range ε; absent for the unclipped (TRPO-style) surrogate. */
  readonly clip?: number;
  /** The coefficient c ≥ 0 of an entropy bonus −c·Ĥ in the loss. */
  readonly entropyCoef?: number;
  /** How the entropy bonus is computed: `'exact'` (default: the policy's H) or `'sample'` (−log π_θ(a_t) on the batch; module comment). */
  readonly entropy?: EntropyDeclaration;
  /** The coefficient β ≥ 0 of a KL(π_old‖π_θ) penalty in the loss. */
  readonly klCoef?: number;
  /** Returns the loss and ∇_θ loss (length `policy.numParams`) at the view's θ; `batch.logp_t` is π_old's, `advantages` one exact A_old per transition. */
  estimate(batch: ContinuousBatch, policy: GaussianPolicyView, advantages: Float64Array): { loss: number; gradient: ArrayLike<number> };
}

export const ENTROPY_DECLARATIONS = ['exact', 'sample'] as const;
export type EntropyDeclaration = (typeof ENTROPY_DECLARATIONS)[number];

/** A surrogate's declared entropy estimate, checked (`PLUGIN_INVALID`); `'exact'` when absent. */
export function declaredEntropy(e: LoadedEstimator): EntropyDeclaration {
  const v = (e.estimator as { entropy?: unknown }).entropy;
  if (v === undefined) return 'exact';
  if (e.estimator.kind !== 'surrogate' || !(ENTROPY_DECLARATIONS as readonly unknown[]).includes(v)) fail('PLUGIN_INVALID', `${e.module}: export ${e.key}.entropy is ${show(v)}: a surrogate declares 'exact' or 'sample'`, { where: `${e.key}.entropy`, value: v });
  return v as EntropyDeclaration;
}

/** One instance of the surrogate check: its target, the plain surrogate's target (the control's), and the declaration's variants (diagnosis). */
export interface SurrogateCase extends ContinuousCase { readonly plainTarget: Float64Array; readonly variants: Candidate[] }

/** The MLP heads' instances (./gaussian-mlp-surrogate.ts), handed in by the caller. */
export type MlpSurrogateCases = (policy: 'gaussian-mlp' | 'tanh-gaussian-mlp', decl: ContinuousSurrogateDeclaration, plain: ContinuousSurrogateDeclaration) => SurrogateCase[];

/** The declaration the target reads. */
export interface ContinuousSurrogateDeclaration { readonly clip?: number; readonly entropyCoef?: number; readonly klCoef?: number; readonly entropy?: EntropyDeclaration; readonly normalizeAdvantages?: boolean }

/** The large-batch limit of per-batch advantage normalization: the mean μ and standard deviation σ of A over a batch's draws. */
export interface AdvantageMoments { readonly mu: number; readonly sigma: number }

/**
 * μ = Σ_s w_s E_{u∼π_old,s}[A_s(u)] and σ² = Σ_s w_s E_{u∼π_old,s}[(A_s(u) − μ)²] by quadrature
 * (`normalExpectation`, split at each problem's kinks): the limits of a batch's mean and
 * (population) standard deviation of the advantages when its draws come from the mixture of
 * problems s with weights w_s (one problem of weight 1 for a bandit; the contexts' ρ(s) for the
 * contextual bandit). A batch's normalized advantages (A_t − Ā)/s_A then tend to (A − μ)/σ
 * (PPO's per-batch normalization; its finite-batch bias is O(1/draws per batch)).
 * `CLI_USAGE` when σ = 0 (normalization undefined).
 */
export function advantageMoments(problems: readonly { readonly weight: number; readonly old: GaussianPoint; readonly advantage: (u: number) => number; readonly breaks: readonly number[] }[]): AdvantageMoments {
  const E = (x: (typeof problems)[number], f: (u: number) => number) => normalExpectation(f, x.old.mu, Math.exp(x.old.logStd), { breaks: x.breaks });
  let mu = 0, m2 = 0;
  for (const x of problems) mu += x.weight * E(x, x.advantage);
  for (const x of problems) m2 += x.weight * E(x, (u) => (x.advantage(u) - mu) ** 2);
  const sigma = Math.sqrt(m2);
  if (!(sigma > 0)) fail('CLI_USAGE', `the advantages have no spread under π_old, so per-batch normalization is undefined`, { where: 'normalizeAdvantages' });
  return { mu, sigma };
}

/**
 * Draws per batch of a surrogate that declares per-batch advantage normalization (instead of
 * {@link BANDIT_DRAWS}): its finite-batch bias is O(1/draws) — on the tanh bandit at θ_old
 * 3.6% (population std) / 4.4% (n − 1) of the log σ coordinate at 64 draws, 1.0% / 1.2% at 256,
 * 0.47% / 0.52% at 1024 (≈ 0.7% of ‖∇J‖₂; numpy simulation over 4·10⁶ draws, standard error
 * 0.12%) — so at 1024 it stays inside {@link NORMALIZATION_MARGIN}.
 */
export const NORMALIZED_DRAWS = 1024;

/** The moves θ − θ_old of the θ ≠ θ_old checks, in (μ, log σ). */
export const MOVE_GAUSSIAN = [-0.25, -0.2] as const, MOVE_TANH = [0.4, -0.25] as const;

/** One bandit problem: π_old, the exact advantage, its kinks, the sampler. */
interface SurrogateProblem {
  readonly policy: 'gaussian' | 'tanh-gaussian';
  readonly label: string;
  readonly old: GaussianPoint;
  readonly J: number;
  /** ∇J at θ_old and its norm: the scale of every check. */
  readonly grad: Float64Array;
  readonly advantage: (u: number) => number;
  readonly breaks: readonly number[];
  readonly move: readonly [number, number];
  draw(rng: Rng): BanditDraws;
  /** The control's Gaussian parameterization at θ_old (a bug in log π, for the θ_old check). */
  wrongRatio(d: BanditDraws): Parameterization;
  readonly wrongRatioId: string;
  readonly wrongRatioDescription: string;
}

function gaussianProblem(draws: number): SurrogateProblem {
  const o = clippedGaussianBandit(clipReward, CLIP[0], CLIP[1], clipPolicy.mu, clipPolicy.logStd);
  return {
    policy: 'gaussian', label: `bandit r = −(clip(a) − 2)², clip [${CLIP[0]}, ${CLIP[1]}]`, old: clipPolicy, J: o.value, grad: Float64Array.of(o.gradMu, o.gradLogStd),
    advantage: (u) => clipReward(Math.min(CLIP[1], Math.max(CLIP[0], u))) - o.value, breaks: CLIP, move: MOVE_GAUSSIAN,
    draw: (rng) => sampleGaussianBandit([clipPolicy.mu], [clipPolicy.logStd], 1, draws, (a, i) => clipReward(a[i]!), rng, { clip: CLIP }),
    wrongRatio(d) {
      // the bug: log π_θ (and its score) taken at the action the environment received
      const stored = Float64Array.from(d.actions);
      for (let i = 0; i < draws; i++) stored[2 * i] = d.envActions[i]!;
      return sampledGaussianPolicy(constantGaussianHead(1), d.numNodes, stored);
    },
    wrongRatioId: 'ratio-at-clipped-action', wrongRatioDescription: 'ρ = π_θ(clip(a))/π_old(a): log π_θ taken at the environment-clipped action a_env_t',
  };
}

function tanhProblem(draws: number): SurrogateProblem {
  const o = tanhGaussianBandit(tanhReward, TANH_MU, TANH_LS), old = { mu: TANH_MU, logStd: TANH_LS };
  return {
    policy: 'tanh-gaussian', label: 'tanh bandit a = tanh(u), r = −(a − 0.3)² + a/2', old, J: o.value, grad: Float64Array.of(o.gradMu, o.gradLogStd),
    advantage: (u) => tanhReward(Math.tanh(u)) - o.value, breaks: [], move: MOVE_TANH,
    draw: (rng) => sampleGaussianBandit([TANH_MU], [TANH_LS], 1, draws, (a, i) => tanhReward(a[i]!), rng, { squashed: true }),
    wrongRatio: (d) => wrongJacobian(sampledGaussianPolicy(constantGaussianHead(1), d.numNodes, d.actions, true), d.actions),
    wrongRatioId: 'tanh-jacobian-at-squashed-value', wrongRatioDescription: 'ρ with the tanh Jacobian evaluated at the squashed value, log(1 − tanh²(tanh u)) for log(1 − tanh² u)',
  };
}

/**
 * E[−∇loss] of a declared surrogate at θ on draws of π_old (module comment): the exact
 * clipped (or unclipped) surrogate gradient, plus c ∇H (or, for `entropy: 'sample'`,
 * c ∇KL(π_old‖π_θ)), minus β ∇KL(π_old‖π_θ).
 */
export function continuousSurrogateTarget(x: Pick<SurrogateProblem, 'policy' | 'old' | 'advantage' | 'breaks'> & { readonly moments?: AdvantageMoments }, theta: ArrayLike<number>, d: ContinuousSurrogateDeclaration): Float64Array {
  const at = { mu: theta[0]!, logStd: theta[1]! };
  let advantage = x.advantage;
  if (d.normalizeAdvantages) {
    // the limit of per-batch normalization: u ↦ (A(u) − μ)/σ; the clip boundaries stay, the sign changes move (gaussianClippedSurrogateGradient splits at them)
    const m = x.moments ?? fail('ESTIMATOR_ARGUMENT', 'normalizeAdvantages: the advantages\' moments under π_old are not given', { where: 'moments' });
    advantage = (u) => (x.advantage(u) - m.mu) / m.sigma;
  }
  const s = gaussianClippedSurrogateGradient(advantage, x.old, at, d.clip ?? Infinity, x.breaks);
  const g = Float64Array.of(s.gradMu, s.gradLogStd);
  // ∇_θ KL(π_old‖π_θ) in closed form (the gradient in the second argument)
  const kl = new Float64Array(2), oMu = [x.old.mu], oLs = [x.old.logStd], tMu = [at.mu], tLs = [at.logStd];
  gaussianAddKlGradRow(oMu, 0, oLs, 0, tMu, 0, tLs, 0, 1, 1, kl, 0, kl, 1);
  const c = d.entropyCoef ?? 0, beta = d.klCoef ?? 0;
  if (c) {
    if (d.entropy === 'sample') { g[0] = g[0]! + c * kl[0]!; g[1] = g[1]! + c * kl[1]!; }
    else if (x.policy === 'tanh-gaussian') { const h = tanhGaussianEntropy(at.mu, at.logStd); g[0] = g[0]! + c * h.gradMu; g[1] = g[1]! + c * h.gradLogStd; }
    else g[1] = g[1]! + c; // ∂H/∂μ = 0, ∂H/∂log σ = 1 (gaussianEntropyRow)
  }
  if (beta) { g[0] = g[0]! - beta * kl[0]!; g[1] = g[1]! - beta * kl[1]!; }
  return g;
}

/**
 * The diagnosis candidates of a surrogate's declaration: each declared term dropped, the entropy
 * bonus with its sign flipped, the other entropy estimate, the clip not applied — each the exact
 * target of that variant (`targetOf(d)`); `gaussianEntropyForTanh` adds the candidate "the
 * Gaussian's entropy taken for the tanh-Gaussian's" (its difference from the target).
 */
export function declarationVariants(decl: ContinuousSurrogateDeclaration, targetOf: (d: ContinuousSurrogateDeclaration) => Float64Array, target: Float64Array, gaussianEntropyForTanh?: () => Float64Array): Candidate[] {
  const variant = (id: string, description: string, d: ContinuousSurrogateDeclaration): Candidate => ({ id, description, exact: targetOf(d) });
  const variants: Candidate[] = [];
  if (decl.entropyCoef) {
    variants.push(variant('entropy-bonus-missing', 'the declared entropy bonus is not in the loss', { ...decl, entropyCoef: 0 }));
    const without = targetOf({ ...decl, entropyCoef: 0 });
    variants.push({ id: 'mutant.entropy-bonus-sign-flipped', description: findMutation('mutant.entropy-bonus-sign-flipped')!.description, exact: target.map((v, k) => 2 * without[k]! - v) });
    if (decl.entropy === 'sample') variants.push(variant('entropy-exact', "the policy's exact entropy where −log π_θ(a_t) (entropy: 'sample') is declared", { ...decl, entropy: 'exact' }));
    else {
      variants.push(variant('entropy-sample', "the entropy estimated by −log π_θ(a_t) on the batch (SB3's convention; declare entropy: 'sample')", { ...decl, entropy: 'sample' }));
      if (gaussianEntropyForTanh) { const delta = gaussianEntropyForTanh(); variants.push({ id: 'gaussian-entropy-for-tanh', description: "the Gaussian's entropy ½ log(2πe σ²) of the pre-squash u taken for the tanh-Gaussian's", exact: target.map((v, k) => v + delta[k]!) }); }
    }
  }
  if (decl.klCoef) variants.push(variant('kl-penalty-missing', 'the declared KL penalty is not in the loss', { ...decl, klCoef: 0 }));
  if (decl.clip !== undefined) variants.push(variant('clip-not-applied', 'the clip is not applied (the unclipped surrogate)', { ...decl, clip: undefined as unknown as number }));
  variants.push(decl.normalizeAdvantages
    ? variant('advantages-not-normalized', 'normalizeAdvantages is declared but the advantages are used as given', { ...decl, normalizeAdvantages: false })
    : variant('advantages-normalized', 'per-batch advantage normalization that is not declared (set normalizeAdvantages: true)', { ...decl, normalizeAdvantages: true }));
  return variants;
}

/** c·(∇H_Gaussian − ∇H_tanh) in (μ, log σ) at θ = (μ, log σ): what taking the Gaussian's entropy for the tanh-Gaussian's adds to −∇loss. */
export function gaussianEntropyForTanhDelta(theta: ArrayLike<number>, c: number): Float64Array {
  const h = tanhGaussianEntropy(theta[0]!, theta[1]!);
  return Float64Array.of(-c * h.gradMu, c * (1 - h.gradLogStd));
}

/** How the claim reaches the user's surrogate: −∇loss (n × P) on a chunk of batches, computed in the sandbox's workers. */
export type ContinuousSurrogateRun = (key: string, batches: ContinuousBatch[], spec: GaussianViewSpec | GaussianMlpViewSpec, theta: Float64Array, advantages: Float64Array[]) => Promise<Float64Array>;

/**
 * The exact advantages A_old(x_t, a_t) = r_t + γ V(x_{t+1}) − V(x_t) with the exact V of the
 * batch (v_t, v_tp1; no bootstrap after a termination): exact for the bandits (r_t − J) and for
 * the LQR, whose transitions are deterministic given (x_t, a_t).
 */
const advantagesOf = (b: ContinuousBatch) => b.r_t.map((r, i) => r + (b.terminated_t[i] ? 0 : b.gamma * b.v_tp1[i]!) - b.v_t[i]!);

/** The claims `pgtruth check` runs for a surrogate declaring a Gaussian or tanh-Gaussian policy (module comment). */
export function continuousSurrogateClaims(e: LoadedEstimator, run: ContinuousSurrogateRun, opts: { samples?: number; resolution?: number; budget?: number; mdp?: unknown }, mlpCases?: MlpSurrogateCases): Claim[] {
  const policy = declaredPolicy(e);
  const mlp = policy === 'gaussian-mlp' || policy === 'tanh-gaussian-mlp';
  if (!(policy === 'gaussian' || policy === 'tanh-gaussian' || (mlp && mlpCases))) fail('PLUGIN_POLICY', `${e.name}: policy ${policy} is not a continuous policy`, { where: `${e.key}.policy`, value: policy });
  const base = surrogateDeclaration(e);
  if (opts.mdp !== undefined) fail('CLI_USAGE', `${e.name} declares a ${policy} policy: its problems are the built-in bandits, and --mdp (a tabular MDP) does not apply`, { where: '--mdp' });
  const decl: ContinuousSurrogateDeclaration = { ...base, ...(base.entropyCoef ? { entropy: declaredEntropy(e) } : {}) };
  const fraction = opts.resolution ?? DEFAULT_RESOLUTION, budget = opts.budget ?? DEFAULT_BUDGET_SECONDS, minSamples = opts.samples ?? 6400;
  const tag = `check.${e.name}`, sizes = new Map<string, number>();
  const spec: GaussianViewSpec = { family: policy === 'tanh-gaussian' ? 'tanh-gaussian' : 'gaussian', head: 'constant', obsDim: 1, actionDim: 1 };
  const plain: ContinuousSurrogateDeclaration = decl.clip !== undefined ? { clip: decl.clip } : {};
  const minBatches = (x: ContinuousCase) => Math.max(50, Math.ceil(minSamples / x.perBatch));

  /** The LQR at θ_old: ∇J in closed form, plus c·Σ_{t<H} γ^t per log σ_j for an exact entropy bonus (∂H/∂log σ_j = 1, gaussianEntropyRow); KL and the −log π entropy have gradient 0 at θ_old. */
  const lqrSurrogate = (): SurrogateCase => {
    const base = lqrCase(), P = base.theta.length, m = base.spec.actionDim, gamma = continuousLqrInstance().problem.gamma;
    const steps = -Math.expm1(LQR_HORIZON * Math.log(gamma)) / (1 - gamma);
    const targetOf = (d: ContinuousSurrogateDeclaration) => base.target.map((g, j) => g + (d.entropyCoef && d.entropy !== 'sample' && j >= P - m ? d.entropyCoef * steps : 0));
    const variants: Candidate[] = [];
    if (decl.entropyCoef) variants.push(decl.entropy === 'sample'
      ? { id: 'entropy-exact', description: "the policy's exact entropy where −log π_θ(a_t) (entropy: 'sample') is declared", exact: targetOf({ ...decl, entropy: 'exact' }) }
      : { id: 'entropy-bonus-missing', description: 'the declared entropy bonus is not in the loss (or is estimated by −log π_θ(a_t), whose gradient is 0 at θ_old)', exact: base.target });
    return {
      ...base, label: `${base.label}, at θ_old`, target: targetOf(decl), plainTarget: base.target, variants,
      coordinate: (j) => `−∂loss/${base.coordinate(j).slice(2)}`,
      control: { id: 'surrogate-without-discount-weight', description: 'the surrogate averaged without γ^t (every transition weighted 1, as in the usual mean over a rollout)' },
      draw(rng): Drawn {
        const d = base.draw(rng);
        return {
          batch: d.batch,
          control() {
            const s = d.sampled!, adv = advantagesOf(d.batch);
            return (decl.clip !== undefined ? ppoClipSurrogate(s.batch, s.policy, 1, adv, decl.clip) : trpoSurrogate(s.batch, s.policy, 1, adv)).gradient.map((v) => -v);
          },
        };
      },
    };
  };
  // the LQR has no normalized-advantage limit here: its transitions' advantages are spread over the state distribution of 150-step episodes, whose moments are not computed; a normalizing surrogate is checked on the bandits only (the title says so)
  const withLqr = policy === 'gaussian' && !decl.normalizeAdvantages;
  const cases = (): SurrogateCase[] => (mlp ? mlpCases!(policy, decl, plain) : [...(withLqr ? [lqrSurrogate()] : []), ...banditCases()]);
  const banditCases = (): SurrogateCase[] => {
    const draws = decl.normalizeAdvantages ? NORMALIZED_DRAWS : BANDIT_DRAWS, p0 = policy === 'gaussian' ? gaussianProblem(draws) : tanhProblem(draws), norm = Math.hypot(...p0.grad);
    const p = { ...p0, moments: advantageMoments([{ ...p0, weight: 1 }]) };
    return (['at θ_old', 'at θ ≠ θ_old'] as const).map((where): SurrogateCase => {
      const theta = where === 'at θ_old' ? Float64Array.of(p.old.mu, p.old.logStd) : Float64Array.of(p.old.mu + p.move[0], p.old.logStd + p.move[1]);
      const target = continuousSurrogateTarget(p, theta, decl), plainTarget = continuousSurrogateTarget(p, theta, plain);
      const atOld = where === 'at θ_old';
      const control = atOld
        ? { id: p.wrongRatioId, description: p.wrongRatioDescription }
        : decl.clip !== undefined ? { id: 'mutant.ppo-min-before-multiply', description: findMutation('mutant.ppo-min-before-multiply')!.description } : { id: 'clipped', description: "PPO's clipped surrogate (ε = 0.2) where the declared one is unclipped" };
      const variants = declarationVariants(decl, (d) => continuousSurrogateTarget(p, theta, d), target, policy === 'tanh-gaussian' ? () => gaussianEntropyForTanhDelta(theta, decl.entropyCoef!) : undefined);
      return {
        label: `${p.label}, ${where}`, spec, theta, target, norm, plainTarget, variants,
        perBatch: draws, sampleName: 'draws', coordinate: (j) => (j === 0 ? '−∂loss/∂μ' : '−∂loss/∂log σ'), control,
        draw(rng): Drawn {
          const d = p.draw(rng), batch = banditBatch(d, p.J);
          return {
            batch,
            control() {
              const adv = advantagesOf(batch), eps = decl.clip ?? 0.2;
              if (atOld) {
                const pol = policyOf(p.wrongRatio(d), theta);
                return (decl.clip !== undefined ? ppoClipSurrogate(d.batch, pol, 1, adv, eps) : trpoSurrogate(d.batch, pol, 1, adv)).gradient.map((v) => -v);
              }
              const pol = policyOf(sampledGaussianPolicy(constantGaussianHead(1), d.numNodes, d.actions, policy === 'tanh-gaussian'), theta);
              return (decl.clip !== undefined ? ppoMinBeforeMultiply(d.batch, pol, 1, adv, eps) : ppoClipSurrogate(d.batch, pol, 1, adv, 0.2)).gradient.map((v) => -v);
            },
          };
        },
      };
    });
  };
  const user = (x: ContinuousCase) => (chunk: Drawn[]) => run(e.key, chunk.map((d) => d.batch), x.spec, x.theta, chunk.map((d) => advantagesOf(d.batch)));
  const extras = [decl.entropyCoef ? (decl.entropy === 'sample' ? `+ ${decl.entropyCoef}·∇KL(π_old‖π_θ) (the −log π entropy estimate)` : `+ ${decl.entropyCoef}·∇H`) : '', decl.klCoef ? `− ${decl.klCoef}·∇KL(π_old‖π_θ)` : ''].filter(Boolean).join(' ');
  // how far the limit is from ∇J at θ_old: ∇J/σ_A, off by |1/σ_A − 1|·‖∇J‖₂ (the bandits; the MLP heads' σ_A pools the contexts)
  const sigmaNote = () => {
    if (mlp) return '';
    const p = policy === 'gaussian' ? gaussianProblem(BANDIT_DRAWS) : tanhProblem(BANDIT_DRAWS), { sigma } = advantageMoments([{ ...p, weight: 1 }]);
    return ` (${p.label}: σ_A = ${sigma.toPrecision(3)}, biased by ${(100 * Math.abs(1 / sigma - 1)).toFixed(0)}% of ‖∇J‖₂)`;
  };
  const normNote = decl.normalizeAdvantages ? ` — with per-batch advantage normalization: the target is the large-batch limit, advantages (A − μ)/σ_A with μ, σ_A the mean and standard deviation of A under π_old (quadrature); it is BIASED for ∇J${sigmaNote()}; a finite-batch term of order 1/(draws per batch: ${NORMALIZED_DRAWS} here) allowed for by a margin of ${100 * NORMALIZATION_MARGIN}% of ‖∇J‖₂${policy === 'gaussian' ? '; the LQR is not checked (its advantages\' moments over the state distribution are not computed)' : ''}` : '';
  const family = { gaussian: 'Gaussian policy', 'tanh-gaussian': 'tanh-squashed Gaussian policy', 'gaussian-mlp': 'Gaussian head on an MLP', 'tanh-gaussian-mlp': 'tanh-Gaussian head on an MLP' }[policy as 'gaussian'];
  return [{
    id: `${tag}.gradient`,
    title: `${e.name} (${family}): −∇loss equals ${decl.normalizeAdvantages ? 'the large-batch limit of the normalized-advantage surrogate\'s gradient (at θ_old ∇J/σ_A)' : '∇J at θ_old'} and the exact ${decl.clip !== undefined ? `clipped (ε = ${decl.clip})` : 'unclipped'} surrogate gradient elsewhere${extras ? ` ${extras}` : ''} (${mlp ? 'a contextual bandit: per context by quadrature, through one VJP of the network' : 'bandits, by quadrature'})${normNote}`,
    source: 'Lehmann 2024, Table 1, eq. 18; Schulman et al. 2017, eqs. 7–9; Haarnoja et al. 2018, Appendix C',
    statement: String.raw`\mathbb E[-\nabla\hat L(\theta)] = \nabla_\theta\big(\mathbb E_{\pi_{\mathrm{old}}}[\min(\rho A,\mathrm{clip}(\rho)A)] + c\,H(\pi_\theta) - \beta\,\mathrm{KL}(\pi_{\mathrm{old}}\|\pi_\theta)\big)`,
    relation: 'unbiased',
    rule: `studentized max over ${mlp ? "w's coordinates" : '(μ, log σ)'}, Šidák, α = ${CHECK_ALPHA} per check; inconclusive (a failure) unless it resolves a bias of ${(100 * fraction).toFixed(1)}% of ‖∇J‖₂ at power ${DETECTION_POWER}`,
    run: async (ctx) => {
      const all = cases();
      const items: SizedItem[] = all.map((x) => ({
        pilot: () => sample(ctx, x, `${tag}/${x.label}/pilot`, PILOT_BATCHES, user(x)),
        main: (K) => sample(ctx, x, `${tag}/${x.label}`, K, user(x), true),
        scaling: scalingOf(x), target: x.target, minBatches: minBatches(x),
      }));
      const runs = await sizeAndRun(items, fraction - (decl.normalizeAdvantages ? NORMALIZATION_MARGIN : 0), budget, CHECK_ALPHA);
      const out: Check[] = [];
      for (const [i, x] of all.entries()) {
        const { est: r, batches } = runs[i]!;
        sizes.set(x.label, batches);
        const c = sizedDecision(`${x.label}: −∇ ${e.name}`, summarize(r.values, r.dim, false), x.target, { alpha: CHECK_ALPHA, fraction, scaling: items[i]!.scaling, targetTested: x.target, unit: `batches of ${x.perBatch} ${x.sampleName}`, samplesPerBatch: x.perBatch, sampleName: x.sampleName, transitions: r.transitions, ...(decl.normalizeAdvantages ? { margin: NORMALIZATION_MARGIN * x.norm } : {}) });
        if (c.passed || c.discrepancy <= c.tolerance) { out.push(c); continue; }
        const rows = Math.min(1000, batches);
        const reader: Reader = { coordinate: x.coordinate, expected: (j) => x.target[j]!, weight: () => 1, compared: () => [0, x.target.length] };
        const candidates: Candidate[] = [
          // the control is the plain surrogate: add the declared regularizers' exact gradients
          { id: x.control.id, description: x.control.description, paired: async () => (await sample(ctx, x, `${tag}/${x.label}`, rows, stackControl(x), true)).values.map((v, k) => v + x.target[k % r.dim]! - x.plainTarget[k % r.dim]!) },
          ...x.variants,
          { id: 'ignores-its-batch', description: 'an estimate of mean 0, as from an estimator that does not read its batch', exact: new Float64Array(x.target.length) },
        ];
        out.push({ ...c, diagnosis: await diagnose(r.values, r.dim, x.target, c.worstIndex, reader, candidates, rows) });
      }
      return out;
    },
    control: {
      description: `the plain surrogate ${policy === 'gaussian' ? 'averaged without γ^t on the LQR, with ρ from log π_θ at the environment-clipped action on the bandit' : policy === 'gaussian-mlp' ? 'with ρ from log π_w at the environment-clipped action' : 'with ρ with the tanh Jacobian at the squashed value'} at θ_old, and ${decl.clip !== undefined ? 'min over ratios before multiplying by Â (mutant.ppo-min-before-multiply)' : "PPO's clip (ε = 0.2)"} at θ ≠ θ_old, each held to the plain target with the sample size of the user's check`,
      run: async (ctx) => {
        const out: Check[] = [];
        for (const x of cases()) {
          const r = await sample(ctx, x, `${tag}/${x.label}/control`, sizes.get(x.label) ?? minBatches(x), stackControl(x), sizes.has(x.label));
          out.push(meanCheck(`${x.label}: ${x.control.id}`, r, x.plainTarget, { relativeTo: { name: '‖∇J‖₂', value: x.norm }, unit: `batches of ${x.perBatch} ${x.sampleName}` }));
        }
        return out;
      },
    },
  }];
}
