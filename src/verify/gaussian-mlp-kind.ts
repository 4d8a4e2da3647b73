/**
 * `pgtruth check` for policy-gradient estimators of **Gaussian and tanh-Gaussian heads on an
 * MLP** — the actor deep-RL code uses (issue 10): a `policy-gradient` estimator that declares
 * `policy: 'gaussian-mlp'` or `policy: 'tanh-gaussian-mlp'` receives continuous batches
 * (./continuous-kind.ts `ContinuousBatch`, the same fields) and a read-only view of the network
 * policy in its flat parameters w ({@link GaussianMlpPolicyView}: the members of the Gaussian
 * view, in w), and returns its estimate of ∇_w J. Sizing, the decision (α = 1e-6 per check),
 * the diagnosis and the control are those of the continuous kind (./continuous-kind.ts
 * `continuousEstimatorClaims`, which dispatches here for the instances).
 *
 * | policy | instance | w | control (a shipped bug, must be rejected) |
 * | --- | --- | --- | --- |
 * | `gaussian-mlp` | 3 contexts, ρ = (0.5, 0.3, 0.2), features x_s ∈ R², r(s, a) = −(clip(a) − c_s)², c = (0.2, −2, 2), the environment clips to [−1, 1]; a 2→6→1 tanh MLP for μ and a state-independent log σ (PPO's head) | [MLP, log σ] (P = 26) | the score taken at the environment-clipped action a_env_t |
 * | `tanh-gaussian-mlp` | the same contexts, a = tanh(u), r(s, a) = −(a − c_s)² + a/2, c = (0.5, −0.5, 0.1); a 2→6→2 tanh MLP for [μ, log σ] (SAC's state-dependent head) | [MLP] (P = 32) | π_w/π_old with the tanh Jacobian evaluated at the squashed value, log(1 − tanh²(tanh u)) |
 *
 * Exact ∇_w J: the chain rule through the per-context bandit gradients (../exact/gaussian-mlp-bandit.ts),
 * equal to Ridders differences of J(w) to ~1e−13 relative (test). Batches: 64 one-step draws
 * (../sampling/contextual-bandit.ts), `obs_t` = x_{s_t}, `a_cont_t` = u (pre-clip, pre-squash),
 * `a_env_t` = clip(u) or tanh(u), `v_t` = J_{s_t} (the exact value of the context: a baseline),
 * `v_tp1` = 0, γ = 1; `s_t`/`s_tp1` number the nodes (2t, 2t + 1), as in every bandit batch.
 * The controls run the library's own estimators (`reinforceRewardToGo`, `trpoSurrogate`) on the
 * head seen on the batch's nodes (../policy/mlp-samples.ts).
 *
 * @module
 */
import { fail, show } from '../errors.js';
import { continuousContextualBandit, mlpBanditObjective, type ContinuousContextualBandit } from '../exact/gaussian-mlp-bandit.js';
import { reinforceRewardToGo } from '../estimators/reinforce.js';
import { trpoSurrogate } from '../estimators/trpo.js';
import { logOneMinusTanhSq } from '../policy/gaussian.js';
import { sampledMlpPolicy } from '../policy/mlp-samples.js';
import type { Parameterization } from '../policy/types.js';
import { gaussianMlpPolicy, tanhGaussianMlpPolicy, type GaussianMlpPolicy } from '../policy/gaussian-head.js';
import { initMlp, Mlp, type ActivationName } from '../policy/mlp.js';
import { sampleContextualBandit } from '../sampling/contextual-bandit.js';
import { Rng } from '../stats/rng.js';
import type { ContinuousBatch, ContinuousCase } from './continuous-kind.js';

/** The parameterization of an MLP view (plain data: it is sent to the sandbox's workers). */
export interface GaussianMlpViewSpec {
  readonly family: 'gaussian' | 'tanh-gaussian';
  readonly head: 'mlp';
  /** The network's widths [obsDim, …hidden, k (state-independent log σ) or 2k (state-dependent)]. */
  readonly sizes: readonly number[];
  readonly activation: ActivationName;
  readonly logStd: 'state-independent' | 'state-dependent';
  readonly obsDim: number;
  readonly actionDim: number;
}

/**
 * The behaviour policy as an MLP-head estimator sees it, read-only: π_w(u|x) = N(u; μ_w(x),
 * diag σ_w(x)²) or, for `tanh-gaussian`, the law of a = tanh(u). Actions passed to it are the
 * sampled ones (`a_cont_t`; the pre-squash u). Lehmann 2024, §3.2 and §6.
 */
export interface GaussianMlpPolicyView {
  readonly family: 'gaussian' | 'tanh-gaussian';
  readonly head: 'mlp';
  readonly obsDim: number;
  readonly actionDim: number;
  readonly sizes: readonly number[];
  readonly activation: string;
  /** `state-independent`: log σ is w[logStdOffset …]; `state-dependent`: the second half of the network's output row. */
  readonly logStdMode: 'state-independent' | 'state-dependent';
  /** P, the length of w. */
  readonly numParams: number;
  /** Where log σ starts in w; null when log σ is an output of the network. */
  readonly logStdOffset: number | null;
  /** w (a fresh copy). */
  readonly theta: Float64Array;
  /** μ_w(x) (a fresh array of length actionDim). */
  mean(obs: ArrayLike<number>): Float64Array;
  /** log σ_w(x) (a fresh array of length actionDim; the same for every x when state-independent). */
  logStd(obs: ArrayLike<number>): Float64Array;
  /** log π_w(a|x): log N(a; μ, σ), or log N(u; μ, σ) − Σ log(1 − tanh² u) for `tanh-gaussian`. */
  logProb(obs: ArrayLike<number>, action: ArrayLike<number>): number;
  /** ∇_w log π_w(a|x), a fresh vector of length numParams. */
  score(obs: ArrayLike<number>, action: ArrayLike<number>): Float64Array;
  /** out += c · ∇_w log π_w(a|x). */
  addScore(obs: ArrayLike<number>, action: ArrayLike<number>, c: number, out: Float64Array): void;
  /** log π_w(a_cont_t | obs_t) for every transition. */
  logProbs(batch: ContinuousBatch): Float64Array;
  /** Σ_t c_t ∇_w log π_w(a_cont_t | obs_t): the head's scores as cotangents, one VJP of the network. */
  scoreSum(batch: ContinuousBatch, c: ArrayLike<number>): Float64Array;
}

/** A policy-gradient estimator for a Gaussian or tanh-Gaussian MLP head (module comment). */
export interface GaussianMlpPolicyGradientEstimator {
  readonly kind: 'policy-gradient';
  readonly policy: 'gaussian-mlp' | 'tanh-gaussian-mlp';
  readonly name?: string;
  /** Returns ∇_w J's estimate, of length `policy.numParams`. */
  estimate(batch: ContinuousBatch, policy: GaussianMlpPolicyView, gamma: number): ArrayLike<number>;
}

/**
 * A PPO-style surrogate for a Gaussian or tanh-Gaussian MLP head (./gaussian-mlp-surrogate.ts;
 * the declarations are those of the Gaussian surrogates, ./continuous-surrogate.ts).
 */
export interface GaussianMlpSurrogateEstimator {
  readonly kind: 'surrogate';
  readonly policy: 'gaussian-mlp' | 'tanh-gaussian-mlp';
  readonly name?: string;
  /** PPO's clip range ε; absent for the unclipped (TRPO-style) surrogate. */
  readonly clip?: number;
  /** The coefficient c ≥ 0 of an entropy bonus −c·Ĥ in the loss. */
  readonly entropyCoef?: number;
  /** `'exact'` (default: the policy's H) or `'sample'` (−log π_w(a_t) on the batch). */
  readonly entropy?: 'exact' | 'sample';
  /** The coefficient β ≥ 0 of a KL(π_old‖π_w) penalty in the loss. */
  readonly klCoef?: number;
  /** The loss and ∇_w loss (length `policy.numParams`) at the view's w; `batch.logp_t` is π_old's, `advantages` one exact A_old per draw. */
  estimate(batch: ContinuousBatch, policy: GaussianMlpPolicyView, advantages: Float64Array): { loss: number; gradient: ArrayLike<number> };
}

/** The network policy of a spec (`POLICY_SHAPE` when its widths do not match the spec's). */
export function gaussianMlpPolicyOf(spec: GaussianMlpViewSpec): GaussianMlpPolicy {
  const mlp = new Mlp(spec.sizes, spec.activation);
  const p = (spec.family === 'tanh-gaussian' ? tanhGaussianMlpPolicy : gaussianMlpPolicy)(mlp, { logStd: spec.logStd });
  if (p.obsDim !== spec.obsDim || p.actionDim !== spec.actionDim) fail('POLICY_SHAPE', `the network ${spec.sizes.join('→')} reads ${p.obsDim} features and gives ${p.actionDim} action dimensions; the spec says ${spec.obsDim} and ${spec.actionDim}`, { where: 'spec', value: spec.sizes });
  return p;
}

/** The view of the MLP policy `spec` at w (its methods check the shapes they are given: `POLICY_SHAPE`). */
export function gaussianMlpPolicyView(spec: GaussianMlpViewSpec, theta: ArrayLike<number>): GaussianMlpPolicyView {
  const pol = gaussianMlpPolicyOf(spec), th = Float64Array.from(theta), { obsDim: d, actionDim: k, numParams } = pol;
  if (th.length !== numParams) fail('POLICY_SHAPE', `w has ${th.length} entries, the ${spec.family} MLP policy has ${numParams}`, { where: 'theta', value: th.length });
  pol.check(th);
  const one = Float64Array.of(1), scratch = new Float64Array(numParams);
  const row = (x: ArrayLike<number>, n: number, what: string): Float64Array => {
    if (x?.length !== n) fail('POLICY_SHAPE', `${what} has ${show(x?.length)} entries: expected ${n}`, { where: what, value: x?.length });
    return x instanceof Float64Array ? x : Float64Array.from(x);
  };
  const batchRows = (b: ContinuousBatch) => {
    if (b?.obsDim !== d || b.actionDim !== k || b.obs_t?.length !== b.size * d || b.a_cont_t?.length !== b.size * k) fail('POLICY_SHAPE', `the batch has obsDim ${show(b?.obsDim)}, actionDim ${show(b?.actionDim)}: the policy reads ${d} and ${k}`, { where: 'batch' });
  };
  return {
    family: spec.family, head: 'mlp', obsDim: d, actionDim: k, sizes: spec.sizes.slice(), activation: spec.activation, logStdMode: spec.logStd,
    numParams, logStdOffset: spec.logStd === 'state-independent' ? pol.mlp.numParams : null,
    get theta() { return Float64Array.from(th); },
    mean: (obs) => pol.meanAndLogStd(th, row(obs, d, 'obs'), 1).mu,
    logStd: (obs) => pol.meanAndLogStd(th, row(obs, d, 'obs'), 1).logStd,
    logProb: (obs, a) => pol.logProb(th, row(obs, d, 'obs'), 1, row(a, k, 'action'))[0]!,
    score: (obs, a) => pol.scoreSum(th, row(obs, d, 'obs'), 1, row(a, k, 'action'), one),
    addScore(obs, a, c, out) {
      if (!(out instanceof Float64Array) || out.length !== numParams) fail('POLICY_SHAPE', `addScore's out has ${show(out?.length)} entries: expected a Float64Array of ${numParams}`, { where: 'out', value: out?.length });
      pol.scoreSum(th, row(obs, d, 'obs'), 1, row(a, k, 'action'), Float64Array.of(c), scratch);
      for (let j = 0; j < numParams; j++) out[j] = out[j]! + scratch[j]!;
    },
    logProbs(b) { batchRows(b); return pol.logProb(th, b.obs_t, b.size, b.a_cont_t); },
    scoreSum(b, c) {
      batchRows(b);
      if (c?.length !== b.size) fail('POLICY_SHAPE', `scoreSum's coefficients have ${show(c?.length)} entries: expected one per transition, ${b.size}`, { where: 'c', value: c?.length });
      return pol.scoreSum(th, b.obs_t, b.size, b.a_cont_t, Float64Array.from(c));
    },
  };
}

// ---------------------------------------------------------------------------------------
// the instances

/** Draws per batch. */
export const MLP_BANDIT_DRAWS = 64;
/** Hidden width of the instances' networks. */
const HIDDEN = 6;
const RHO = [0.5, 0.3, 0.2] as const, FEATURES = [1, 0, 0, 1, 1, -1] as const;
const CLIP_C = [0.2, -2, 2] as const, TANH_C = [0.5, -0.5, 0.1] as const;

/** One instance: the bandit, the policy and its spec at w, and the exact objective. */
export interface MlpBanditInstance {
  readonly label: string;
  readonly bandit: ContinuousContextualBandit;
  readonly spec: GaussianMlpViewSpec;
  readonly policy: GaussianMlpPolicy;
  readonly theta: Float64Array;
  readonly exact: ReturnType<typeof mlpBanditObjective>;
}

/**
 * Seeded parameters: orthogonal initialization (gain √2 hidden, 1 last), every network
 * parameter perturbed by N(0, 0.2²); then the μ output's bias shifted by `muShift` and the
 * log σ output's bias (or the log σ parameter) set to `logStd`.
 */
function seededTheta(p: GaussianMlpPolicy, seed: string, muShift: number, logStd: number): Float64Array {
  const rng = Rng.from(seed), w = new Float64Array(p.numParams), { mlp } = p;
  w.set(initMlp(mlp, rng, { lastGain: 1 }));
  for (let j = 0; j < mlp.numParams; j++) w[j] = w[j]! + 0.2 * rng.normal();
  const last = mlp.layers[mlp.layers.length - 1]!;
  for (let i = 0; i < p.actionDim; i++) {
    w[last.b + i] = w[last.b + i]! + muShift;
    if (p.logStd === 'state-independent') w[mlp.numParams + i] = logStd; else w[last.b + p.actionDim + i] = w[last.b + p.actionDim + i]! + logStd;
  }
  return w;
}

const cache = new Map<string, MlpBanditInstance>();
/** The instance of a declared MLP head (module comment). */
export function mlpBanditInstance(policy: 'gaussian-mlp' | 'tanh-gaussian-mlp'): MlpBanditInstance {
  let x = cache.get(policy);
  if (x) return x;
  const tanh = policy === 'tanh-gaussian-mlp';
  const spec: GaussianMlpViewSpec = tanh
    ? { family: 'tanh-gaussian', head: 'mlp', sizes: [2, HIDDEN, 2], activation: 'tanh', logStd: 'state-dependent', obsDim: 2, actionDim: 1 }
    : { family: 'gaussian', head: 'mlp', sizes: [2, HIDDEN, 1], activation: 'tanh', logStd: 'state-independent', obsDim: 2, actionDim: 1 };
  const bandit = tanh
    ? continuousContextualBandit({ rho: RHO, features: FEATURES, obsDim: 2, actionDim: 1, reward: (s, _i, a) => -((a - TANH_C[s]!) ** 2) + 0.5 * a })
    : continuousContextualBandit({ rho: RHO, features: FEATURES, obsDim: 2, actionDim: 1, reward: (s, _i, a) => -((Math.min(1, Math.max(-1, a)) - CLIP_C[s]!) ** 2), clip: [-1, 1] });
  const p = gaussianMlpPolicyOf(spec);
  const theta = tanh ? seededTheta(p, 'gaussian-mlp/tanh', 0, Math.log(0.8)) : seededTheta(p, 'gaussian-mlp/clip/17', 0, Math.log(0.5));
  const exact = mlpBanditObjective(bandit, p, theta);
  const head = tanh ? `tanh-Gaussian MLP ${spec.sizes.join('→')}, state-dependent log σ` : `Gaussian MLP ${spec.sizes.join('→')}, state-independent log σ`;
  const label = tanh
    ? `contextual tanh bandit (3 contexts, a = tanh u, r = −(a − c_s)² + a/2), ${head}, P = ${p.numParams}`
    : `contextual clipped bandit (3 contexts, r = −(clip(a) − c_s)², clip [−1, 1]), ${head}, P = ${p.numParams}`;
  x = { label, bandit, spec, policy: p, theta, exact };
  cache.set(policy, x);
  return x;
}

/**
 * T draws of π_θ on the instance's contextual bandit as a {@link ContinuousBatch} (v_t the exact
 * value of each draw's context), with the sampler's output for the controls.
 */
export function drawMlpBanditBatch(x: MlpBanditInstance, theta: Float64Array, T: number, rng: Rng): { dr: ReturnType<typeof sampleContextualBandit>; v: Float64Array; batch: ContinuousBatch } {
  const dr = sampleContextualBandit(x.bandit, x.policy, theta, T, rng), bt = dr.batch, d = x.spec.obsDim, k = x.spec.actionDim;
  const v = Float64Array.from(dr.contexts, (s) => x.exact.values[s]!);
  const batch: ContinuousBatch = { ...bt, obs_t: dr.obs, obsDim: d, obs_tp1: new Float64Array(T * d), a_cont_t: dr.actions, actionDim: k, a_env_t: dr.envActions, v_t: v, v_tp1: new Float64Array(T) };
  return { dr, v, batch };
}

/** Transition rows (T × n) laid out on the batch's nodes (2T × n: row t at node 2t, zeros at the terminal nodes 2t + 1). */
export function nodeRows(x: Float64Array, n: number): Float64Array {
  const out = new Float64Array(2 * x.length);
  for (let t = 0; t < x.length / n; t++) out.set(x.subarray(t * n, (t + 1) * n), 2 * t * n);
  return out;
}

/**
 * log π of the squashed head with the Jacobian evaluated at the squashed value:
 * log π(u) + Σ_i [log(1 − tanh² u_i) − log(1 − tanh²(tanh u_i))] (u of transition t at node 2t).
 */
export function wrongJacobianAt(param: Parameterization, u: Float64Array, k: number): Parameterization {
  return {
    ...param,
    logProb(theta, s, a) {
      let lp = param.logProb(theta, s, a);
      for (let i = 0; i < k; i++) { const x = u[(s >> 1) * k + i]!; lp += logOneMinusTanhSq(x) - logOneMinusTanhSq(Math.tanh(x)); }
      return lp;
    },
  };
}

/** The continuous kind's case for a declared MLP head: the instance, its batches and its control. */
export function gaussianMlpCases(policy: 'gaussian-mlp' | 'tanh-gaussian-mlp'): ContinuousCase[] {
  const x = mlpBanditInstance(policy), { bandit: b, policy: p, theta, exact } = x, tanh = policy === 'tanh-gaussian-mlp';
  const Pn = p.mlp.numParams, T = MLP_BANDIT_DRAWS, d = b.obsDim, k = b.actionDim;
  return [{
    label: x.label, spec: x.spec, theta, target: exact.grad, norm: Math.hypot(...exact.grad),
    perBatch: T, sampleName: 'draws', coordinate: (j) => (j >= Pn ? `∂/∂log σ[${j - Pn}]` : `∂/∂w[${j}]`),
    control: tanh
      ? { id: 'tanh-jacobian-at-squashed-value', description: 'π_w/π_old with the tanh Jacobian evaluated at the squashed value, log(1 − tanh²(tanh u)) for log(1 − tanh² u)' }
      : { id: 'score-at-clipped-action', description: 'the score taken at the environment-clipped action clip(u) (a_env_t) instead of the sampled u' },
    draw(rng) {
      const { dr, v, batch } = drawMlpBanditBatch(x, theta, T, rng), bt = dr.batch;
      return {
        batch,
        control() {
          if (tanh) {
            // −∇ of the importance-weighted loss −(1/N) Σ ρ_t r_t with log π_w's Jacobian at tanh(u) (the sampler's logp_t is right)
            const param = wrongJacobianAt(sampledMlpPolicy(p, 2 * T, nodeRows(dr.obs, d), nodeRows(dr.actions, k)), dr.actions, k);
            return trpoSurrogate(bt, { param, theta }, 1, bt.r_t).gradient.map((g) => -g);
          }
          // REINFORCE with the exact baseline V(c_t), its score at the action the environment received
          const param = sampledMlpPolicy(p, 2 * T, nodeRows(dr.obs, d), nodeRows(dr.envActions, k));
          return reinforceRewardToGo(bt, { param, theta }, 1, nodeRows(v, 1));
        },
      };
    },
  }];
}
