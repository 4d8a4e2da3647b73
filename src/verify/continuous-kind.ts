/**
 * `pgtruth check` for policy-gradient estimators of **continuous-action** policies (issue 10,
 * item 5): a `policy-gradient` estimator that declares `policy: 'gaussian'` or
 * `policy: 'tanh-gaussian'` receives continuous batches ({@link ContinuousBatch}) and a
 * read-only Gaussian policy view ({@link GaussianPolicyView}), and returns its estimate of
 * ∇_θ J in the view's parameters θ. (`policy: 'gaussian-mlp' | 'tanh-gaussian-mlp'` — such a head
 * on an MLP — is checked by the same claim on the instances of ./gaussian-mlp-kind.ts, with the
 * MLP view.) The targets are exact:
 *
 * | policy | instance | θ | exact ∇J | control (a shipped bug, must be rejected) |
 * | --- | --- | --- | --- | --- |
 * | `gaussian` | the discounted LQR n = 3, m = 2, γ = 0.9, a = −Kx + σε (../claims/continuous.ts) | [vec K (m×n, row-major), log σ (m)] | −(∇_K C, σ ∂C/∂σ), closed form (../exact/lqr.ts) | REINFORCE without γ^t (mutant.reinforce-no-discount-weight) |
 * | `gaussian` | the bandit r = −(clip(a) − 2)², the environment clips to [−1, 1], μ = 1, σ = 0.5 | [μ, log σ] | quadrature (../exact/gaussian-bandit.ts) | the score taken at the clipped action |
 * | `tanh-gaussian` | the bandit a = tanh(u), u ∼ N(0.5, 0.8²), r = −(a − 0.3)² + a/2 | [μ, log σ] of u | quadrature | π_θ/π_old with the tanh Jacobian evaluated at the squashed value, log(1 − tanh²(a)) for log(1 − tanh²(u)) |
 *
 * **Batches.** Transition-indexed like every `Batch` (rewards, `terminated_t`, `truncated_t`,
 * `t_index`, `episode_t`, `logp_t` = log π_θ(a_t|x_t) of the sampling policy), plus
 * `obs_t`/`obs_tp1` (T × d: the LQR state x_t and the true next state; a bandit has no state:
 * d = 1, zeros), `a_cont_t` (T × k: the **sampled** action — before the environment's clip,
 * and the pre-squash u for a tanh-Gaussian policy) and `a_env_t` (T × k: the action the
 * environment received, clip(a) or tanh(u)), and `v_t`/`v_tp1`: the exact V^π(x_t) and
 * V^π(x_{t+1}) of the sampling policy, a baseline or critic the estimator may use (the LQR's
 * −(xᵀP_K x + c₀); a bandit's J). `s_t` and `s_tp1` index the batch's visited
 * states (nodes, ../sampling/lqr.ts), not a table. A bandit draw is a one-step episode
 * (`terminated_t = 1`, γ = 1).
 *
 * **LQR episodes are cut.** The LQR is an infinite-horizon discounted problem; each episode
 * is run for H = {@link LQR_HORIZON} steps and its last transition flagged `truncated_t = 1`
 * (the state goes on: `obs_tp1` is the true next state). The estimator is given the problem's
 * γ = 0.9 and must weight step t by γ^t as for any discounted problem. The target is ∇J of the
 * infinite problem: what the cut leaves out is the discounted tail after step H, of relative
 * size of order γ^H = 1.4e-7 — far below any resolution the check reaches. (The default
 * report's claims stop episodes geometrically instead and give the estimators γ = 1; a check of
 * a user's estimator cannot, since that would let an estimator without γ^t pass.)
 *
 * **Sealed and sized as every kind.** This thread draws the batches (seeded: the same batches
 * with any number of workers) and sends them in chunks to the sandbox's workers, where the
 * user's `estimate` runs (./user-tasks.ts via ./continuous-tasks.ts); a pilot of
 * {@link PILOT_BATCHES} batches sizes each instance's main run to resolve `resolution` of
 * ‖∇J‖₂ at power 0.9 within the budget (./power.ts), else INCONCLUSIVE; the decision is a
 * studentized max over θ's coordinates, Šidák, α = {@link CHECK_ALPHA}; a failed check names
 * its worst coordinate and compares the bias with the instance's control run on the user's own
 * batches (./diagnose.ts). The control runs with the user's check's sample size.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import { reinforceRewardToGo } from '../estimators/reinforce.js';
import { trpoSurrogate } from '../estimators/trpo.js';
import { clippedGaussianBandit, tanhGaussianBandit } from '../exact/gaussian-bandit.js';
import { gaussianAddScoreRow, gaussianLogProbRow, tanhGaussianLogProbRow } from '../policy/gaussian.js';
import { constantGaussianHead, linearGaussianHead, sampledGaussianPolicy, type GaussianMeanHead } from '../policy/gaussian-samples.js';
import type { Batch } from '../sampling/batch.js';
import { sampleGaussianBandit } from '../sampling/bandit.js';
import { covarianceRoot, sampleLqrEpisodes } from '../sampling/lqr.js';
import type { BatchEstimates } from '../sampling/map.js';
import { Rng } from '../stats/rng.js';
import { summarize } from '../stats/summary.js';
import { DETECTION_POWER } from '../stats/tests.js';
import type { Check, Claim, RunContext } from './claim.js';
import { CLIP, clipPolicy, clipReward, continuousLqrInstance, lqrValues, TANH_LS, TANH_MU, tanhReward, wrongJacobian } from './claims/continuous.js';
import { diagnose, type Candidate, type Reader } from './diagnose.js';
import { findMutation, type PolicyGradientFn } from './mutations.js';
import type { LoadedEstimator } from './plugin.js';
import { DEFAULT_BUDGET_SECONDS, DEFAULT_RESOLUTION, PILOT_BATCHES, sizeAndRun, sizedDecision, type Scaling, type SizedItem } from './power.js';
import { CHECK_ALPHA, meanCheck } from './sampled.js';
import { gaussianMlpCases, type GaussianMlpViewSpec } from './gaussian-mlp-kind.js';

// ---------------------------------------------------------------------------------------
// the declaration

/** The policies a `policy-gradient` estimator may declare (`policy`, default `'tabular'`). */
export const POLICY_DECLARATIONS = ['tabular', 'mlp', 'gaussian', 'tanh-gaussian', 'gaussian-mlp', 'tanh-gaussian-mlp'] as const;
export type PolicyDeclaration = (typeof POLICY_DECLARATIONS)[number];

/**
 * The estimator's declared policy, checked: `'tabular'` when absent; `PLUGIN_POLICY` for an
 * unknown value, or for a declaration on a kind other than `policy-gradient`.
 */
export function declaredPolicy(e: LoadedEstimator): PolicyDeclaration {
  const v = (e.estimator as { policy?: unknown }).policy;
  if (v === undefined) return 'tabular';
  // a surrogate may declare a continuous policy (./continuous-surrogate.ts); only policy-gradient estimators declare 'mlp'
  const surrogate = e.estimator.kind === 'surrogate' && (v === 'gaussian' || v === 'tanh-gaussian' || v === 'gaussian-mlp' || v === 'tanh-gaussian-mlp' || v === 'tabular');
  if (e.estimator.kind !== 'policy-gradient' && !surrogate) fail('PLUGIN_POLICY', `${e.module}: export ${e.key} declares policy ${show(v)} on kind ${e.estimator.kind}: only policy-gradient estimators declare a policy, and surrogates 'gaussian', 'tanh-gaussian', 'gaussian-mlp' or 'tanh-gaussian-mlp'`, { where: `${e.key}.policy`, value: v });
  if (!(POLICY_DECLARATIONS as readonly unknown[]).includes(v)) fail('PLUGIN_POLICY', `${e.module}: export ${e.key}.policy is ${show(v)}: expected one of ${POLICY_DECLARATIONS.join(', ')}`, { where: `${e.key}.policy`, value: v });
  return v as PolicyDeclaration;
}

// ---------------------------------------------------------------------------------------
// what the user's code sees

/** A batch of continuous-action experience (module comment). */
export interface ContinuousBatch extends Batch {
  /** x_t, row-major T × obsDim (a bandit: zeros, obsDim = 1). */
  readonly obs_t: Float64Array;
  readonly obsDim: number;
  /** The true next state x_{t+1}, T × obsDim (kept where the episode was cut). */
  readonly obs_tp1: Float64Array;
  /** The sampled action (pre-clip; the pre-squash u of a tanh-Gaussian policy), T × actionDim. */
  readonly a_cont_t: Float64Array;
  readonly actionDim: number;
  /** The action the environment received: clip(a), or tanh(u); T × actionDim. */
  readonly a_env_t: Float64Array;
  /** The exact value V^π(x_t) of the sampling policy (a baseline or critic you may use; 0-variance truth, not an estimate). */
  readonly v_t: Float64Array;
  /** The exact V^π(x_{t+1}) (0 where terminated_t: a bandit's draw ends the episode). */
  readonly v_tp1: Float64Array;
}

/** The parameterization of a view (plain data: it is sent to the sandbox's workers). */
export interface GaussianViewSpec {
  readonly family: 'gaussian' | 'tanh-gaussian';
  /** `linear`: μ = −Kx, θ = [vec K (actionDim × obsDim, row-major), log σ]; `constant`: μ = θ[0 … k−1], θ = [μ, log σ]. */
  readonly head: 'linear' | 'constant';
  readonly obsDim: number;
  readonly actionDim: number;
}

/**
 * The behaviour policy as a continuous estimator sees it, read-only:
 * π_θ(a|x) = N(a; μ_θ(x), diag σ²) or, for `tanh-gaussian`, the law of tanh(u) with
 * u ∼ N(μ_θ(x), diag σ²). Actions passed to it are the sampled ones (`a_cont_t`: the pre-squash
 * u for `tanh-gaussian`). Lehmann 2024, §3.2.
 */
export interface GaussianPolicyView {
  readonly family: 'gaussian' | 'tanh-gaussian';
  readonly head: 'linear' | 'constant';
  readonly obsDim: number;
  readonly actionDim: number;
  /** Length of θ. */
  readonly numParams: number;
  /** Where log σ starts in θ. */
  readonly logStdOffset: number;
  /** θ (a fresh copy). */
  readonly theta: Float64Array;
  /** μ_θ(x) (a fresh array of length actionDim). */
  mean(obs: ArrayLike<number>): Float64Array;
  /** log σ (a fresh array of length actionDim). */
  logStd(): Float64Array;
  /** log π_θ(a|x): log N(a; μ, σ), or log N(u; μ, σ) − Σ log(1 − tanh² u) for `tanh-gaussian`. */
  logProb(obs: ArrayLike<number>, action: ArrayLike<number>): number;
  /** ∇_θ log π_θ(a|x), a fresh vector of length numParams (the log-Jacobian of tanh does not depend on θ). */
  score(obs: ArrayLike<number>, action: ArrayLike<number>): Float64Array;
  /** out += w · ∇_θ log π_θ(a|x). */
  addScore(obs: ArrayLike<number>, action: ArrayLike<number>, w: number, out: Float64Array): void;
  /** log π_θ(a_cont_t | obs_t) for every transition. */
  logProbs(batch: ContinuousBatch): Float64Array;
  /** Σ_t c_t ∇_θ log π_θ(a_cont_t | obs_t) (the policy contract's vector–Jacobian product). */
  scoreSum(batch: ContinuousBatch, c: ArrayLike<number>): Float64Array;
}

/** A policy-gradient estimator for a Gaussian or tanh-Gaussian policy (module comment). */
export interface GaussianPolicyGradientEstimator {
  readonly kind: 'policy-gradient';
  readonly policy: 'gaussian' | 'tanh-gaussian';
  readonly name?: string;
  /** Returns ∇_θ J's estimate, of length `policy.numParams`. */
  estimate(batch: ContinuousBatch, policy: GaussianPolicyView, gamma: number): ArrayLike<number>;
}

function headOf(spec: GaussianViewSpec, x: Float64Array): GaussianMeanHead {
  return spec.head === 'linear' ? linearGaussianHead(spec.obsDim, spec.actionDim, x) : constantGaussianHead(spec.actionDim);
}

/** The view of the policy `spec` at θ (its methods check the shapes they are given: `POLICY_SHAPE`). */
export function gaussianPolicyView(spec: GaussianViewSpec, theta: ArrayLike<number>): GaussianPolicyView {
  const { obsDim: d, actionDim: k, family } = spec, th = Float64Array.from(theta);
  const { numParams, logStdOffset: ls } = headOf(spec, new Float64Array(d));
  if (th.length !== numParams) fail('POLICY_SHAPE', `θ has ${th.length} entries, the ${family} policy has ${numParams}`, { where: 'theta', value: th.length });
  const mu = new Float64Array(k), gMu = new Float64Array(k);
  const row = (x: ArrayLike<number>, n: number, what: string): Float64Array => {
    if (x?.length !== n) fail('POLICY_SHAPE', `${what} has ${show(x?.length)} entries: expected ${n}`, { where: what, value: x?.length });
    return x instanceof Float64Array ? x : Float64Array.from(x);
  };
  const logProbAt = (head: GaussianMeanHead, s: number, a: Float64Array, aOff: number) => {
    head.mean(th, s, mu);
    return family === 'tanh-gaussian' ? tanhGaussianLogProbRow(a, aOff, mu, 0, th, ls, k) : gaussianLogProbRow(a, aOff, mu, 0, th, ls, k);
  };
  const addScoreAt = (head: GaussianMeanHead, s: number, a: Float64Array, aOff: number, w: number, out: Float64Array) => {
    head.mean(th, s, mu);
    gMu.fill(0);
    gaussianAddScoreRow(a, aOff, mu, 0, th, ls, k, w, gMu, 0, out, ls);
    head.addMeanVjp(th, s, gMu, out);
  };
  const batchRows = (b: ContinuousBatch) => {
    if (b?.obsDim !== d || b.actionDim !== k || b.obs_t?.length !== b.size * d || b.a_cont_t?.length !== b.size * k) fail('POLICY_SHAPE', `the batch has obsDim ${show(b?.obsDim)}, actionDim ${show(b?.actionDim)}: the policy reads ${d} and ${k}`, { where: 'batch' });
    return headOf(spec, b.obs_t);
  };
  return {
    family, head: spec.head, obsDim: d, actionDim: k, numParams, logStdOffset: ls,
    get theta() { return Float64Array.from(th); },
    mean(obs) { const out = new Float64Array(k); headOf(spec, row(obs, d, 'obs')).mean(th, 0, out); return out; },
    logStd: () => th.slice(ls, ls + k),
    logProb: (obs, a) => logProbAt(headOf(spec, row(obs, d, 'obs')), 0, row(a, k, 'action'), 0),
    score(obs, a) { const g = new Float64Array(numParams); addScoreAt(headOf(spec, row(obs, d, 'obs')), 0, row(a, k, 'action'), 0, 1, g); return g; },
    addScore(obs, a, w, out) {
      if (!(out instanceof Float64Array) || out.length !== numParams) fail('POLICY_SHAPE', `addScore's out has ${show(out?.length)} entries: expected a Float64Array of ${numParams}`, { where: 'out', value: out?.length });
      addScoreAt(headOf(spec, row(obs, d, 'obs')), 0, row(a, k, 'action'), 0, w, out);
    },
    logProbs(b) { const head = batchRows(b), out = new Float64Array(b.size); for (let i = 0; i < b.size; i++) out[i] = logProbAt(head, i, b.a_cont_t, i * k); return out; },
    scoreSum(b, c) {
      const head = batchRows(b);
      if (c?.length !== b.size) fail('POLICY_SHAPE', `scoreSum's coefficients have ${show(c?.length)} entries: expected one per transition, ${b.size}`, { where: 'c', value: c?.length });
      const g = new Float64Array(numParams);
      for (let i = 0; i < b.size; i++) if (c[i]) addScoreAt(head, i, b.a_cont_t, i * k, c[i]!, g);
      return g;
    },
  };
}

// ---------------------------------------------------------------------------------------
// the instances

/** Steps of an LQR episode before its cut (module comment: γ^H = 1.4e-7). */
export const LQR_HORIZON = 150;
/** Episodes per LQR batch. */
export const LQR_EPISODES = 8;
/** Draws per bandit batch. */
export const BANDIT_DRAWS = 64;

/** One batch: what the user's estimate reads, and the instance's control estimate on it. */
export interface Drawn {
  readonly batch: ContinuousBatch;
  control(): Float64Array;
  /** The sampler's own batch and the Gaussian policy at θ over its nodes (the LQR's; ./continuous-surrogate.ts builds its controls on them). */
  readonly sampled?: { readonly batch: Batch; readonly policy: { param: ReturnType<typeof sampledGaussianPolicy>; theta: Float64Array } };
}

/** One instance of the kind: a problem, the policy at θ, the exact ∇J and its control. */
export interface ContinuousCase {
  readonly label: string;
  readonly spec: GaussianViewSpec | GaussianMlpViewSpec;
  readonly theta: Float64Array;
  readonly target: Float64Array;
  readonly norm: number;
  /** Samples per batch (episodes or draws) and their name. */
  readonly perBatch: number;
  readonly sampleName: string;
  readonly coordinate: (k: number) => string;
  /** The control: a known bug on the same batches. */
  readonly control: { readonly id: string; readonly description: string };
  draw(rng: Rng): Drawn;
}

const zeros = (n: number) => new Float64Array(n);
export const policyOf = (param: ReturnType<typeof sampledGaussianPolicy>, theta: Float64Array) => ({ param, theta });

/** The LQR of the default report's claims (n = 3, m = 2, γ = 0.9), episodes cut at H. */
export function lqrCase(): ContinuousCase {
  const x = continuousLqrInstance(), { n, m, gamma } = x.problem, root = covarianceRoot(x.problem.sigma0, n);
  const noDiscount = findMutation('mutant.reinforce-no-discount-weight')!.mutant as PolicyGradientFn;
  return {
    label: `LQR n=${n} m=${m} γ=${gamma}, ${LQR_EPISODES} episodes cut at H = ${LQR_HORIZON}`,
    spec: { family: 'gaussian', head: 'linear', obsDim: n, actionDim: m }, theta: x.theta, target: x.grad, norm: x.norm,
    perBatch: LQR_EPISODES, sampleName: 'episodes',
    coordinate: (j) => (j < m * n ? `∂/∂K[${Math.floor(j / n)}][${j % n}]` : `∂/∂log σ[${j - m * n}]`),
    control: { id: 'mutant.reinforce-no-discount-weight', description: findMutation('mutant.reinforce-no-discount-weight')!.description },
    draw(rng) {
      const eps = sampleLqrEpisodes(x.problem, x.K, x.logSigma, LQR_EPISODES, { kind: 'horizon', horizon: LQR_HORIZON }, rng, root);
      const b = eps.batch, T = b.size, obs = zeros(T * n), next = zeros(T * n), act = zeros(T * m), v = zeros(T), vNext = zeros(T);
      const V = lqrValues(x, eps.x, eps.numNodes);
      for (let i = 0; i < T; i++) {
        v[i] = V[b.s_t[i]!]!; vNext[i] = V[b.s_tp1[i]!]!;
        obs.set(eps.x.subarray(b.s_t[i]! * n, b.s_t[i]! * n + n), i * n);
        next.set(eps.x.subarray(b.s_tp1[i]! * n, b.s_tp1[i]! * n + n), i * n);
        act.set(eps.actions.subarray(b.s_t[i]! * m, b.s_t[i]! * m + m), i * m);
      }
      return {
        batch: { ...b, obs_t: obs, obsDim: n, obs_tp1: next, a_cont_t: act, actionDim: m, a_env_t: act, v_t: v, v_tp1: vNext },
        sampled: { batch: b, policy: policyOf(sampledGaussianPolicy(linearGaussianHead(n, m, eps.x), eps.numNodes, eps.actions), x.theta) },
        // with the exact V as its baseline, as the correct example uses
        control: () => noDiscount(b, policyOf(sampledGaussianPolicy(linearGaussianHead(n, m, eps.x), eps.numNodes, eps.actions), x.theta), gamma, V),
      };
    },
  };
}

/** A one-step bandit draw batch as a ContinuousBatch (k = 1). */
export function banditBatch(d: ReturnType<typeof sampleGaussianBandit>, J: number): ContinuousBatch {
  const T = d.batch.size, u = zeros(T);
  for (let i = 0; i < T; i++) u[i] = d.actions[2 * i]!;
  return { ...d.batch, obs_t: zeros(T), obsDim: 1, obs_tp1: zeros(T), a_cont_t: u, actionDim: 1, a_env_t: Float64Array.from(d.envActions), v_t: new Float64Array(T).fill(J), v_tp1: zeros(T) };
}

/** The environment-clipped bandit of the default report's claim `continuous.clipped-action-score`. */
function clipCase(): ContinuousCase {
  const o = clippedGaussianBandit(clipReward, CLIP[0], CLIP[1], clipPolicy.mu, clipPolicy.logStd), target = Float64Array.of(o.gradMu, o.gradLogStd);
  const theta = Float64Array.of(clipPolicy.mu, clipPolicy.logStd);
  return {
    label: `bandit r = −(clip(a) − 2)², clip [${CLIP[0]}, ${CLIP[1]}], μ = ${clipPolicy.mu}, σ = ${Math.exp(clipPolicy.logStd)}`,
    spec: { family: 'gaussian', head: 'constant', obsDim: 1, actionDim: 1 }, theta, target, norm: Math.hypot(...target),
    perBatch: BANDIT_DRAWS, sampleName: 'draws', coordinate: (j) => (j === 0 ? '∂/∂μ' : '∂/∂log σ'),
    control: { id: 'score-at-clipped-action', description: 'the score taken at the environment-clipped action clip(a) (a_env_t) instead of the sampled a' },
    draw(rng) {
      const d = sampleGaussianBandit([clipPolicy.mu], [clipPolicy.logStd], 1, BANDIT_DRAWS, (a, i) => clipReward(a[i]!), rng, { clip: CLIP });
      return {
        batch: banditBatch(d, o.value),
        control() {
          // the bug: the stored action is the one the environment received, and the score is taken there
          const stored = Float64Array.from(d.actions);
          for (let i = 0; i < BANDIT_DRAWS; i++) stored[2 * i] = d.envActions[i]!;
          return reinforceRewardToGo(d.batch, policyOf(sampledGaussianPolicy(constantGaussianHead(1), d.numNodes, stored), theta), 1, new Float64Array(d.numNodes).fill(o.value));
        },
      };
    },
  };
}

/** The tanh-squashed bandit of the default report's claim `continuous.surrogates-at-old`. */
function tanhCase(): ContinuousCase {
  const o = tanhGaussianBandit(tanhReward, TANH_MU, TANH_LS), target = Float64Array.of(o.gradMu, o.gradLogStd);
  const theta = Float64Array.of(TANH_MU, TANH_LS);
  return {
    label: `tanh bandit a = tanh(u), r = −(a − 0.3)² + a/2, μ = ${TANH_MU}, σ = ${Math.exp(TANH_LS)}`,
    spec: { family: 'tanh-gaussian', head: 'constant', obsDim: 1, actionDim: 1 }, theta, target, norm: Math.hypot(...target),
    perBatch: BANDIT_DRAWS, sampleName: 'draws', coordinate: (j) => (j === 0 ? '∂/∂μ' : '∂/∂log σ'),
    control: { id: 'tanh-jacobian-at-squashed-value', description: 'π_θ/π_old with the tanh Jacobian evaluated at the squashed value, log(1 − tanh²(tanh u)) for log(1 − tanh² u)' },
    draw(rng) {
      const d = sampleGaussianBandit([TANH_MU], [TANH_LS], 1, BANDIT_DRAWS, (a, i) => tanhReward(a[i]!), rng, { squashed: true });
      return {
        batch: banditBatch(d, o.value),
        control() {
          // −∇ of the importance-weighted loss −(1/N) Σ ρ_i r_i with the wrong log π in ρ (the sampler's logp_t is right)
          const param = wrongJacobian(sampledGaussianPolicy(constantGaussianHead(1), d.numNodes, d.actions, true), d.actions);
          return trpoSurrogate(d.batch, policyOf(param, theta), 1, d.batch.r_t).gradient.map((v) => -v);
        },
      };
    },
  };
}

/** The instances of a declared continuous policy. */
export function continuousCases(policy: 'gaussian' | 'tanh-gaussian'): ContinuousCase[] {
  return policy === 'gaussian' ? [lqrCase(), clipCase()] : [tanhCase()];
}

// ---------------------------------------------------------------------------------------
// the claim

/** How the claim reaches the user's estimator: its estimates (n × P) of a chunk of batches, computed in the sandbox's workers. */
export type ContinuousRun = (key: string, batches: ContinuousBatch[], spec: GaussianViewSpec | GaussianMlpViewSpec, theta: Float64Array) => Promise<Float64Array>;

/** Batches per chunk sent to a worker, and chunks in flight at once. */
const CHUNK = 32, IN_FLIGHT = 4;

/** Estimates on `batches` batches of stream `stream` (batch j from `rng.split(j)`): the user's (through `run`) or the control's. */
export async function sample(ctx: RunContext, x: ContinuousCase, stream: string, batches: number, estimate: (chunk: Drawn[]) => Promise<Float64Array> | Float64Array, exact = false): Promise<BatchEstimates> {
  const rng = Rng.from(`${ctx.seed}/${stream}`), P = x.theta.length;
  const n = exact ? batches : Math.max(50, Math.round(batches * ctx.scale)), values = new Float64Array(n * P);
  let transitions = 0;
  const pending = new Set<Promise<void>>();
  // the first error of a chunk stops the run; the chunks still in flight are awaited, not left unhandled
  let error: { e: unknown } | undefined;
  for (let lo = 0; lo < n && !error; lo += CHUNK) {
    const chunk: Drawn[] = [];
    for (let j = lo; j < Math.min(n, lo + CHUNK); j++) { const dr = x.draw(rng.split(j)); transitions += dr.batch.size; chunk.push(dr); }
    const p: Promise<void> = Promise.resolve(estimate(chunk)).then((g) => {
      if (g.length !== chunk.length * P) fail('ESTIMATOR_INVALID', `${stream}: ${g.length} numbers for ${chunk.length} batches of ${P}`, { where: stream, value: g.length });
      values.set(g, lo * P);
    }).catch((e: unknown) => { error ??= { e }; }).finally(() => { pending.delete(p); });
    pending.add(p);
    if (pending.size >= IN_FLIGHT) await Promise.race(pending);
  }
  await Promise.all(pending);
  if (error) throw error.e;
  return { batches: n, dim: P, values, transitions };
}

export const stackControl = (x: ContinuousCase) => (chunk: Drawn[]) => {
  const P = x.theta.length, out = new Float64Array(chunk.length * P);
  chunk.forEach((d, j) => out.set(d.control(), j * P));
  return out;
};

export function scalingOf(x: ContinuousCase): Scaling {
  const P = x.theta.length;
  return { name: () => '‖∇J‖₂', scale: new Float64Array(P).fill(x.norm), weight: new Float64Array(P).fill(1), stated: new Array<boolean>(P).fill(true), coordinate: x.coordinate };
}

/** Options the claim reads (a subset of `CheckOptions`). */
export interface ContinuousCheckOptions {
  /** The minimum sample size per check, in episodes (LQR) or draws (bandits); default 6400. */
  readonly samples?: number;
  readonly resolution?: number;
  readonly budget?: number;
  /** A user's MDP: not applicable to continuous policies (`CLI_USAGE`). */
  readonly mdp?: unknown;
}

/** How the claim names each continuous policy, its truth and its control. */
const CONTINUOUS_TEXT: Record<Exclude<PolicyDeclaration, 'tabular' | 'mlp'>, { policy: string; truth: string; control: string; squashed: boolean; mlp: boolean; source: string }> = {
  'gaussian': { policy: 'Gaussian policy', source: 'Lehmann 2024, Theorem 3.1 and §3.2; Fazel et al. 2018, Lemma 1; Fujita & Maeda 2018', truth: 'LQR closed form, clipped-action bandit by quadrature', squashed: false, mlp: false, control: 'REINFORCE without γ^t on the LQR (mutant.reinforce-no-discount-weight); the score taken at the environment-clipped action on the clipped bandit — each with the sample size of the user\'s check' },
  'tanh-gaussian': { policy: 'tanh-squashed Gaussian policy', source: 'Lehmann 2024, Theorem 3.1 and §3.2; Haarnoja et al. 2018, Appendix C', truth: 'tanh bandit by quadrature', squashed: true, mlp: false, control: 'π_θ/π_old with the tanh Jacobian evaluated at the squashed value, log(1 − tanh²(tanh u)), on the tanh bandit, with the sample size of the user\'s check' },
  'gaussian-mlp': { policy: 'Gaussian head on an MLP (state-independent log σ)', source: 'Lehmann 2024, Theorem 3.1, §3.2 and §6; Fujita & Maeda 2018 (clipped actions)', truth: 'the chain rule through the per-context clipped-bandit gradients by quadrature and one VJP of the network (./gaussian-mlp-kind.ts)', squashed: false, mlp: true, control: 'the score taken at the environment-clipped action on the contextual clipped bandit, with the sample size of the user\'s check' },
  'tanh-gaussian-mlp': { policy: 'tanh-Gaussian head on an MLP (state-dependent log σ)', source: 'Lehmann 2024, Theorem 3.1, §3.2 and §6; Haarnoja et al. 2018, Appendix C', truth: 'the chain rule through the per-context tanh-bandit gradients by quadrature and one VJP of the network (./gaussian-mlp-kind.ts)', squashed: true, mlp: true, control: 'π_w/π_old with the tanh Jacobian evaluated at the squashed value, log(1 − tanh²(tanh u)), on the contextual tanh bandit, with the sample size of the user\'s check' },
};

/** The claims `pgtruth check` runs for a `policy-gradient` estimator declaring a Gaussian or tanh-Gaussian policy, or such a head on an MLP (./gaussian-mlp-kind.ts) (module comment). */
export function continuousEstimatorClaims(e: LoadedEstimator, run: ContinuousRun, opts: ContinuousCheckOptions): Claim[] {
  const policy = declaredPolicy(e);
  if (policy === 'tabular' || policy === 'mlp') fail('PLUGIN_POLICY', `${e.name}: policy ${policy} is not a continuous policy`, { where: `${e.key}.policy`, value: policy });
  if (opts.mdp !== undefined) fail('CLI_USAGE', `${e.name} declares a ${policy} policy: its problems are the built-in LQR and bandits, and --mdp (a tabular MDP) does not apply`, { where: '--mdp' });
  const fraction = opts.resolution ?? DEFAULT_RESOLUTION, budget = opts.budget ?? DEFAULT_BUDGET_SECONDS, minSamples = opts.samples ?? 6400;
  const tag = `check.${e.name}`, sizes = new Map<string, number>();
  const text = CONTINUOUS_TEXT[policy];
  const xs = () => (policy === 'gaussian-mlp' || policy === 'tanh-gaussian-mlp' ? gaussianMlpCases(policy) : continuousCases(policy));
  const unit = (x: ContinuousCase) => `batches of ${x.perBatch} ${x.sampleName}`;
  const minBatches = (x: ContinuousCase) => Math.max(50, Math.ceil(minSamples / x.perBatch));
  const user = (x: ContinuousCase) => (chunk: Drawn[]) => run(e.key, chunk.map((d) => d.batch), x.spec, x.theta);
  return [{
    id: `${tag}.unbiased`,
    title: `${e.name} is unbiased for ∇_θ J with a ${text.policy} (exact ∇J: ${text.truth})`,
    source: text.source,
    statement: String.raw`\mathbb E[\hat g] = \nabla_\theta J(\theta),\quad \pi_\theta(a|x) = \mathcal N\big(a;\mu_\theta(x),\operatorname{diag}\sigma${text.mlp ? String.raw`_\theta(x)` : ''}^2\big)` + (text.squashed ? String.raw`\ \text{pushed through}\ \tanh` : ''),
    relation: 'unbiased',
    rule: `studentized max over θ's coordinates, Šidák, α = ${CHECK_ALPHA} per check; inconclusive (a failure) unless it resolves a bias of ${(100 * fraction).toFixed(1)}% of ‖∇J‖₂ at power ${DETECTION_POWER}`,
    run: async (ctx) => {
      const all = xs();
      const items: SizedItem[] = all.map((x) => ({
        pilot: () => sample(ctx, x, `${tag}/${x.label}/pilot`, PILOT_BATCHES, user(x)),
        main: (K) => sample(ctx, x, `${tag}/${x.label}`, K, user(x), true),
        scaling: scalingOf(x), target: x.target, minBatches: minBatches(x),
      }));
      const runs = await sizeAndRun(items, fraction, budget, CHECK_ALPHA);
      const out: Check[] = [];
      for (const [i, x] of all.entries()) {
        const { est: r, batches } = runs[i]!;
        sizes.set(x.label, batches);
        const c = sizedDecision(`${x.label}: ${e.name}`, summarize(r.values, r.dim, false), x.target, { alpha: CHECK_ALPHA, fraction, scaling: items[i]!.scaling, targetTested: x.target, unit: unit(x), samplesPerBatch: x.perBatch, sampleName: x.sampleName, transitions: r.transitions });
        if (c.passed || c.discrepancy <= c.tolerance) { out.push(c); continue; }
        const rows = Math.min(1000, batches);
        const reader: Reader = { coordinate: x.coordinate, expected: (j) => x.target[j]!, weight: () => 1, compared: () => [0, x.target.length] };
        const candidates: Candidate[] = [
          { id: x.control.id, description: x.control.description, paired: async () => (await sample(ctx, x, `${tag}/${x.label}`, rows, stackControl(x), true)).values },
          { id: 'ignores-its-batch', description: 'an estimate of mean 0, as from an estimator that does not read its batch', exact: new Float64Array(x.target.length) },
        ];
        out.push({ ...c, diagnosis: await diagnose(r.values, r.dim, x.target, c.worstIndex, reader, candidates, rows) });
      }
      return out;
    },
    control: {
      description: text.control,
      run: async (ctx) => {
        const out: Check[] = [];
        for (const x of xs()) {
          const r = await sample(ctx, x, `${tag}/${x.label}/control`, sizes.get(x.label) ?? minBatches(x), stackControl(x), sizes.has(x.label));
          out.push(meanCheck(`${x.label}: ${x.control.id}`, r, x.target, { relativeTo: { name: '‖∇J‖₂', value: x.norm }, unit: unit(x) }));
        }
        return out;
      },
    },
  }];
}
