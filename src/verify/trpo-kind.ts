/**
 * `pgtruth check` for the machinery of a user's TRPO step on tabular softmax policies
 * (Schulman et al. 2015, Appendix C; Lehmann 2024, §4.3): three kinds, each checked EXACTLY
 * (deterministic inputs, no sampling, so no false-alarm rate: a tolerance relative to the
 * target's scale, with negative controls showing that it is tight) — except the sampled form
 * of the Fisher–vector product (`fisher: 'batch'`, ./trpo-fvp-batch.ts).
 *
 * | kind | the user's function | claim | controls (bugs public implementations shipped) |
 * | --- | --- | --- | --- |
 * | `trpo-fvp` | `estimate(policy, old, weights, v)` → (F_w(θ) + λI)v | equals the exact F·v on given state weights (not a batch estimate: see below) | the Fisher without the mean-score subtraction (diag π), damping missing, damping twice, the Hessian of the reversed KL(π_θ‖π_old) |
 * | `trpo-cg` | `estimate(apply, b, iterations)` → x | after k ≤ 3 iterations: the exact CG iterate (the minimizer over the Krylov space); after n: (F + λI)⁻¹b, and with λ = 0 F⁺b in the quotient by F's null space | r·r not updated (stale), one iteration only, a sign error |
 * | `trpo-linesearch` | `estimate(theta, fullStep, expectedImprovement, maxKl, evaluate)` → accepted | an accepted step keeps the exact KL ≤ δ and improves the exact surrogate; a rejected search leaves θ bit-for-bit θ₀; it accepts the first acceptable step of its declared grid | accepting without the improvement condition, not restoring θ after the last rejected trial, checking the KL after the backtracking factor is applied, giving up without trying |
 *
 * **The Fisher–vector product, by default, is checked on given state weights.** The user's
 * function receives the weights w(s) (the normalized visitation of decision states of π_old)
 * and returns F_w(θ)v + λv with F_w(θ) = Σ_s w(s) Σ_a π_θ(a|s) ∇log π_θ(a|s) ∇log π_θ(a|s)ᵀ —
 * the Hessian at θ of Σ_s w(s) KL(π_old(·|s) ‖ π_θ(·|s)) (for the softmax the Hessian of this
 * KL in θ is F_w(θ) at every θ, not only at θ_old). A batch implementation (the mean KL's
 * Hessian over the batch's states) passes when given the states with these weights. Declared
 * `fisher: 'batch'`, the product is computed from batches of i.i.d. states and checked for
 * E[F̂v] = (F_w + λI)v under the power guard (./trpo-fvp-batch.ts; the empirical Fisher of
 * sampled actions passes there too). λ is the declared `damping`.
 *
 * **Conjugate gradient in the quotient.** The softmax Fisher is singular along the per-state
 * constant directions (and on unvisited states). With λ = 0 the target is the minimum-norm
 * solution F⁺b, and the user's x is compared after projecting it onto range(F) (P x = F⁺F x):
 * any null-space component is allowed. CG from x₀ = 0 on b ∈ range(F) stays in range(F), so a
 * correct CG has none.
 *
 * **The line search's evaluate is exact.** `evaluate(θ?)` returns the exact surrogate loss
 * −Σ_s η_old(s) Σ_a π_θ(a|s) A^{π_old}(s,a) (decision states) and the exact mean KL
 * Σ_s w(s) KL(π_old‖π_θ)(s) at θ (or, without an argument, at the current contents of `theta`,
 * which the search may update in place like a model's parameters). Scenarios on each instance:
 * the natural-gradient full step sized to ½ΔᵀFΔ = m·δ for m ∈ {0.5, 3, 40}, and the reversed
 * (uphill) step, where no trial improves.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import { divergenceSummary, expectedAdvantage, weightedMean } from '../exact/divergence.js';
import { evaluatePolicy, type Evaluation } from '../exact/evaluate.js';
import { fisherMatrix } from '../exact/fisher.js';
import { policyGradient } from '../exact/gradient.js';
import { decisionVisitation } from '../exact/objectives.js';
import { backtrackingLineSearch, type LineSearchEvaluation } from '../algorithms/line-search.js';
import { conjugateGradient } from '../linalg/cg.js';
import { luFactor, luSolve, matVec, maxAbs } from '../linalg/dense.js';
import { pinvSolve } from '../linalg/eigen.js';
import type { FiniteMDP } from '../mdp/model.js';
import { softmaxPolicy } from '../policy/softmax.js';
import type { Policy } from '../policy/types.js';
import type { Batch } from '../sampling/batch.js';
import { fvpBatchClaim, type FvpBatchOptions, type FvpBatchPayload } from './trpo-fvp-batch.js';
import { Rng } from '../stats/rng.js';
import type { Check, Claim } from './claim.js';
import { episodicInstances } from './claims/estimators.js';
import { exactCheck, type ExactCandidate } from './exact-compare.js';
import { checkedResult, policyView, type LoadedEstimator, type PolicyView } from './plugin.js';

/** What both forms of a Fisher–vector product declare. */
interface TrpoFvpBase {
  readonly kind: 'trpo-fvp';
  readonly name?: string;
  /** The damping λ ≥ 0 the function adds (default 0): the target is (F_w(θ) + λI)v. */
  readonly damping?: number;
}

/** A Fisher–vector product on given state weights, checked exactly (module comment; the default form). */
export interface TrpoFvpWeightsEstimator extends TrpoFvpBase {
  readonly fisher?: 'weights';
  /**
   * Returns (F_w(θ) + λI)v, length S·A laid out like the logits: F_w(θ) the Fisher of the
   * softmax policy at θ (`policy`) weighted by `weights[s]` (Σ = 1), i.e. the Hessian at θ of
   * Σ_s w(s) KL(π_old(·|s) ‖ π_θ(·|s)) with π_old = `old`.
   */
  estimate(policy: PolicyView, old: PolicyView, weights: Float64Array, v: Float64Array): ArrayLike<number>;
}

/** A Fisher–vector product from a batch, checked for E[F̂v] = (F + λI)v on batches of i.i.d. states (./trpo-fvp-batch.ts). */
export interface TrpoFvpBatchEstimator extends TrpoFvpBase {
  readonly fisher: 'batch';
  /** Returns the batch's F̂v + λv at θ_old (`policy` = `old`), e.g. the Hessian of the batch's mean KL times v. */
  estimate(policy: PolicyView, old: PolicyView, batch: Batch, v: Float64Array): ArrayLike<number>;
}

/** A Fisher–vector product, in either form. */
export type TrpoFvpEstimator = TrpoFvpWeightsEstimator | TrpoFvpBatchEstimator;

/** A conjugate-gradient solver (module comment). */
export interface TrpoCgEstimator {
  readonly kind: 'trpo-cg';
  readonly name?: string;
  /** Runs `iterations` CG iterations on A x = b from x₀ = 0 (it may stop earlier once the residual is negligible), given only `apply(v)` = A v (a fresh array). */
  estimate(apply: (v: Float64Array) => Float64Array, b: Float64Array, iterations: number): ArrayLike<number>;
}

/** A TRPO backtracking line search (module comment). */
export interface TrpoLineSearchEstimator {
  readonly kind: 'trpo-linesearch';
  readonly name?: string;
  /** The backtracking factor (default 0.5): trials θ₀ + shrink^j Δ. */
  readonly shrink?: number;
  /** Trials before giving up (default 10). */
  readonly maxBacktracks?: number;
  /** The fraction of the predicted improvement required (default 0.1). */
  readonly acceptRatio?: number;
  /**
   * Backtracks from θ₀ = `theta` along `fullStep`. `theta` is the parameter vector: leave it
   * at the accepted θ, or at θ₀ when no trial is accepted. `evaluate(θ?)` gives the surrogate
   * loss (to minimize) and the mean KL(π_old‖π_θ) at θ (default: the current `theta`).
   * Returns whether a step was accepted.
   */
  estimate(theta: Float64Array, fullStep: Float64Array, expectedImprovement: number, maxKl: number, evaluate: (theta?: Float64Array) => LineSearchEvaluation): boolean;
}

export type TrpoMachinery = TrpoFvpWeightsEstimator | TrpoFvpBatchEstimator | TrpoCgEstimator | TrpoLineSearchEstimator;

/** The TRPO kinds. */
export const TRPO_KINDS = ['trpo-fvp', 'trpo-cg', 'trpo-linesearch'] as const;

/** The relative tolerance of the Fisher–vector product (of max_i Σ_j |M_ij||v_j|, M = F + λI: a bound on the rounding of the product). */
export const FVP_TOLERANCE = 1e-9;
/** The relative tolerance of a CG iterate after k ≤ 3 iterations, and of a converged solution (of ‖target‖∞). */
export const CG_TOLERANCE = 1e-7;
/** The relative tolerance of the line search's KL and improvement conditions, and of its θ (of ‖θ₀‖∞ + ‖Δ‖∞). */
export const LINESEARCH_TOLERANCE = 1e-12;
/** The damping of the TRPO checks' controls and of the damped CG system (Spinning Up's default). */
const DAMPING = 0.1;
/** The trust-region radius of the line-search scenarios. */
const DELTA = 0.01;

// ─── declarations ─────────────────────────────────────────────────────────────────────────

/** The declared numbers (and the Fisher's form) of a TRPO kind (checked: `PLUGIN_INVALID` naming the field), with defaults. */
export function trpoDeclaration(e: LoadedEstimator): Record<string, number | string> {
  const x = e.estimator as unknown as Record<string, unknown>;
  const num = (f: string, def: number, ok: (v: number) => boolean, what: string): number => {
    const v = x[f];
    if (v === undefined) return def;
    if (!(typeof v === 'number' && Number.isFinite(v) && ok(v))) fail('PLUGIN_INVALID', `${e.module}: export ${e.key}.${f} is ${show(v)}: expected ${what}`, { where: `${e.key}.${f}`, value: v });
    return v as number;
  };
  switch (e.estimator.kind) {
    case 'trpo-fvp': {
      const fisher = x.fisher ?? 'weights';
      if (fisher !== 'weights' && fisher !== 'batch') fail('PLUGIN_INVALID', `${e.module}: export ${e.key}.fisher is ${show(fisher)}: expected 'weights' (exact, on given state weights) or 'batch' (sampled)`, { where: `${e.key}.fisher`, value: fisher });
      return { damping: num('damping', 0, (v) => v >= 0, 'a finite number ≥ 0'), fisher };
    }
    case 'trpo-linesearch': return {
      shrink: num('shrink', 0.5, (v) => v > 0 && v < 1, 'a number in (0, 1)'),
      maxBacktracks: num('maxBacktracks', 10, (v) => Number.isSafeInteger(v) && v >= 1 && v <= 1000, 'an integer in 1…1000'),
      acceptRatio: num('acceptRatio', 0.1, (v) => v >= 0 && v <= 1, 'a number in [0, 1]'),
    };
    default: return {};
  }
}

// ─── the worker side: the user's calls, sealed in the sandbox (./user-tasks.ts) ───────────

/** What the main thread sends for a Fisher–vector product check. */
export interface FvpPayload { readonly op: 'trpo-fvp'; readonly S: number; readonly A: number; readonly cases: readonly { theta: Float64Array; thetaOld: Float64Array; weights: Float64Array; v: Float64Array }[] }
/** … for a CG check. */
export interface CgPayload { readonly op: 'trpo-cg'; readonly n: number; readonly cases: readonly { matrix: Float64Array; b: Float64Array; iterations: number }[] }
/** … for a line-search check: the exact quantities `evaluate` needs. */
export interface LineSearchPayload {
  readonly op: 'trpo-linesearch'; readonly S: number; readonly A: number;
  readonly piOld: Float64Array; readonly etaOld: Float64Array; readonly advantage: Float64Array; readonly weights: Float64Array;
  readonly cases: readonly { theta0: Float64Array; fullStep: Float64Array; expectedImprovement: number; maxKl: number }[];
}
export type TrpoPayload = FvpPayload | FvpBatchPayload | CgPayload | LineSearchPayload;

/** The exact surrogate loss and mean KL at θ (module comment). */
export function exactLineSearchEvaluation(p: Pick<LineSearchPayload, 'S' | 'A' | 'piOld' | 'etaOld' | 'advantage' | 'weights'>, param = softmaxPolicy(p.S, p.A)): (theta: Float64Array) => LineSearchEvaluation {
  return (theta) => {
    const pi = param.probs(theta);
    return { loss: -weightedMean(p.etaOld, expectedAdvantage(pi, p.advantage, p.S, p.A)), kl: divergenceSummary(p.weights, p.piOld, pi, p.S, p.A).klMean };
  };
}

/**
 * Runs the user's TRPO machinery on every case of `p` (in a sandbox worker; `call` guards each
 * call into user code). Returns the outputs concatenated: n numbers per FVP or CG case; for a
 * line search 1 + n per case (accepted as 0/1, then θ after the call).
 */
export function runTrpoMachinery(e: LoadedEstimator, p: TrpoPayload, call: <T>(f: () => T) => T): Float64Array {
  const name = e.name, out: number[] = [];
  switch (p.op) {
    case 'trpo-fvp': {
      const param = softmaxPolicy(p.S, p.A), n = param.numParams;
      if ('mode' in p) {
        const est = e.estimator as TrpoFvpBatchEstimator;
        for (const b of p.batches) out.push(...checkedResult(call(() => est.estimate(policyView({ param, theta: Float64Array.from(p.theta) }), policyView({ param, theta: Float64Array.from(p.theta) }), b, Float64Array.from(p.v))), n, `${name}.estimate`));
        break;
      }
      const est = e.estimator as TrpoFvpWeightsEstimator;
      for (const c of p.cases) {
        const r = call(() => est.estimate(policyView({ param, theta: Float64Array.from(c.theta) }), policyView({ param, theta: Float64Array.from(c.thetaOld) }), Float64Array.from(c.weights), Float64Array.from(c.v)));
        out.push(...checkedResult(r, n, `${name}.estimate`));
      }
      break;
    }
    case 'trpo-cg': {
      const est = e.estimator as TrpoCgEstimator, n = p.n;
      for (const c of p.cases) {
        const apply = (v: Float64Array) => matVec(c.matrix, n, n, checkedResult(v, n, `${name}: the vector passed to apply`));
        out.push(...checkedResult(call(() => est.estimate(apply, Float64Array.from(c.b), c.iterations)), n, `${name}.estimate`));
      }
      break;
    }
    case 'trpo-linesearch': {
      const est = e.estimator as TrpoLineSearchEstimator, param = softmaxPolicy(p.S, p.A), n = param.numParams, exact = exactLineSearchEvaluation(p, param);
      for (const c of p.cases) {
        const theta = Float64Array.from(c.theta0);
        const evaluate = (at?: Float64Array) => exact(at === undefined ? theta : checkedResult(at, n, `${name}: the θ passed to evaluate`));
        const accepted = call(() => est.estimate(theta, Float64Array.from(c.fullStep), c.expectedImprovement, c.maxKl, evaluate));
        if (typeof accepted !== 'boolean') fail('ESTIMATOR_INVALID', `${name}.estimate returned ${show(accepted)}: expected true (a step was accepted) or false`, { where: `${name}.estimate`, value: accepted as unknown });
        out.push(accepted ? 1 : 0, ...checkedResult(theta, n, `${name}: θ after the line search`));
      }
      break;
    }
  }
  return Float64Array.from(out);
}

// ─── the exact targets and the known wrong variants ───────────────────────────────────────

/** A TRPO instance: an MDP, π_old, its evaluation, the decision-state weights w and η. */
export interface TrpoInstance {
  readonly label: string;
  readonly mdp: FiniteMDP;
  readonly policy: Policy;
  readonly ev: Evaluation;
  /** ∇J at θ_old. */
  readonly grad: Float64Array;
  /** η over decision states (terminal states 0). */
  readonly etaDec: Float64Array;
  /** The normalized decision-state visitation w = η_dec / Σ η_dec. */
  readonly weights: Float64Array;
  /** θ ≠ θ_old (θ_old + 0.5·N(0, I), seeded). */
  readonly moved: Float64Array;
}

function trpoInstance(label: string, mdp: FiniteMDP, policy: Policy): TrpoInstance {
  const ev = evaluatePolicy(mdp, policy.param.probs(policy.theta));
  const etaDec = decisionVisitation(mdp, ev.eta);
  const total = etaDec.reduce((a, b) => a + b, 0);
  const rng = Rng.from(`check/trpo/moved/${label}`), grad = policyGradient(mdp, policy, ev);
  // CG's right-hand side and the line search's direction are ∇J: it must not vanish
  if (!grad.some((g) => g !== 0)) fail('CLI_USAGE', `${label}: ∇J = 0 under the check's seeded policy, so there is no TRPO direction to check (an MDP whose rewards do not depend on the actions?)`, { where: label });
  return { label, mdp, policy, ev, grad, etaDec, weights: etaDec.map((x) => x / total), moved: policy.theta.map((t) => t + 0.5 * rng.normal()) };
}

/** The instances: the built-in softmax ones (4×4 gridworld, discounted episodic Garnet), or the user's MDP with a seeded softmax policy. */
export function trpoInstances(mdp?: FiniteMDP, label?: string): TrpoInstance[] {
  if (!mdp) return episodicInstances().filter((x) => x.policy.param.kind === 'softmax').map((x) => trpoInstance(x.label, x.mdp, x.policy));
  const rng = Rng.from('check/trpo/user-mdp');
  return [trpoInstance(label ?? 'your MDP', mdp, { param: softmaxPolicy(mdp.numStates, mdp.numActions), theta: Float64Array.from({ length: mdp.numStates * mdp.numActions }, () => 0.7 * rng.normal()) })];
}

/** M v + λ v. */
function dampedProduct(M: Float64Array, n: number, v: Float64Array, damping: number): Float64Array {
  const out = matVec(M, n, n, v);
  for (let k = 0; k < n; k++) out[k] = out[k]! + damping * v[k]!;
  return out;
}

/**
 * The Hessian in θ of Σ_s w(s) KL(π_θ(·|s) ‖ π_old(·|s)) — the reversed argument order (a
 * control). With ℓ_a = log π_θ(a|s) − log π_old(a|s) and ℓ̄ = Σ_a π_θ(a|s) ℓ_a, per state
 * H_bc = F_bc + π_b(δ_bc − π_c)(ℓ_b − ℓ̄) − π_b π_c (ℓ_c − ℓ̄); at θ = θ_old (ℓ = 0) it is F.
 */
export function reversedKLHessian(S: number, A: number, theta: Float64Array, thetaOld: Float64Array, w: ArrayLike<number>): Float64Array {
  const param = softmaxPolicy(S, A), pi = param.probs(theta), po = param.probs(thetaOld), n = S * A, H = new Float64Array(n * n), l = new Float64Array(A);
  for (let s = 0; s < S; s++) {
    if (!w[s]) continue;
    let lbar = 0;
    for (let a = 0; a < A; a++) { l[a] = Math.log(pi[s * A + a]!) - Math.log(po[s * A + a]!); lbar += pi[s * A + a]! * l[a]!; }
    for (let b = 0; b < A; b++) for (let c = 0; c < A; c++) {
      const pb = pi[s * A + b]!, pc = pi[s * A + c]!, delta = b === c ? 1 : 0;
      H[(s * A + b) * n + s * A + c] = w[s]! * (pb * (delta - pc) * (1 + l[b]! - lbar) - pb * pc * (l[c]! - lbar));
    }
  }
  return H;
}

interface FvpCase { readonly label: string; readonly theta: Float64Array; readonly v: Float64Array }

function fvpCases(x: TrpoInstance): FvpCase[] {
  const rng = Rng.from(`check/trpo/fvp-v/${x.label}`), n = x.policy.param.numParams;
  const v = Float64Array.from({ length: n }, () => rng.normal());
  return [
    { label: 'θ = θ_old, v ~ N(0, I)', theta: x.policy.theta, v },
    { label: 'θ = θ_old, v = ∇J', theta: x.policy.theta, v: x.grad },
    { label: 'θ ≠ θ_old, v ~ N(0, I)', theta: x.moved, v },
  ];
}

/** The exact (F_w(θ) + λI)v, its scale max_i Σ_j |M_ij||v_j|, and the wrong variants' outputs. */
function fvpTruth(x: TrpoInstance, c: FvpCase, damping: number): { target: Float64Array; scale: number; variants: ExactCandidate[] } {
  const { param } = x.policy, n = param.numParams, S = param.numStates, A = param.numActions;
  const F = fisherMatrix(x.mdp, { param, theta: c.theta }, undefined, x.weights);
  const target = dampedProduct(F, n, c.v, damping);
  let scale = 0;
  for (let i = 0; i < n; i++) { let r = damping * Math.abs(c.v[i]!); for (let j = 0; j < n; j++) r += Math.abs(F[i * n + j]!) * Math.abs(c.v[j]!); scale = Math.max(scale, r); }
  const pi = param.probs(c.theta);
  const variants: ExactCandidate[] = [
    { id: 'fisher-uncentered', description: 'the Fisher without the mean-score subtraction per state: Σ_a π ∇_θ θ_a ∇_θ θ_aᵀ = diag(π) instead of diag(π) − ππᵀ', output: c.v.map((vk, k) => x.weights[Math.floor(k / A)]! * pi[k]! * vk + damping * vk) },
  ];
  if (damping > 0) {
    variants.push({ id: 'damping-missing', description: `the declared damping λ = ${damping} not added`, output: dampedProduct(F, n, c.v, 0) });
    variants.push({ id: 'damping-twice', description: `the damping λ = ${damping} added twice`, output: dampedProduct(F, n, c.v, 2 * damping) });
  }
  if (c.theta !== x.policy.theta) variants.push({ id: 'kl-reversed', description: 'the Hessian of the reversed KL(π_θ‖π_old) (it equals F only at θ = θ_old)', output: dampedProduct(reversedKLHessian(S, A, c.theta, x.policy.theta, x.weights), n, c.v, damping) });
  return { target, scale, variants };
}

/** The exact CG iterate after k iterations from x₀ = 0: the minimizer of ½xᵀAx − bᵀx over the Krylov space K_k(A, b) (Nocedal & Wright 2006, Theorem 5.2), from an orthonormal basis (Gram–Schmidt, twice). */
export function krylovIterate(M: Float64Array, n: number, b: Float64Array, k: number): Float64Array {
  const Q: Float64Array[] = [];
  let v: Float64Array = Float64Array.from(b);
  for (let j = 0; j < k; j++) {
    for (let pass = 0; pass < 2; pass++) for (const q of Q) { let d = 0; for (let i = 0; i < n; i++) d += q[i]! * v[i]!; for (let i = 0; i < n; i++) v[i] = v[i]! - d * q[i]!; }
    const norm = Math.hypot(...v);
    if (!(norm > 0)) fail('SOLVER_SINGULAR', `the Krylov space of this system has dimension ${j} < ${k}`, { where: 'krylovIterate', value: j });
    const q = v.map((x) => x / norm);
    Q.push(q);
    v = matVec(M, n, n, q);
  }
  const AQ = Q.map((q) => matVec(M, n, n, q)), T = new Float64Array(k * k), rhs = new Float64Array(k);
  for (let i = 0; i < k; i++) { for (let j = 0; j < k; j++) { let d = 0; for (let l = 0; l < n; l++) d += Q[i]![l]! * AQ[j]![l]!; T[i * k + j] = d; } for (let l = 0; l < n; l++) rhs[i] = rhs[i]! + Q[i]![l]! * b[l]!; }
  const y = luSolve(luFactor(T, k), rhs), x = new Float64Array(n);
  for (let j = 0; j < k; j++) for (let l = 0; l < n; l++) x[l] = x[l]! + y[j]! * Q[j]![l]!;
  return x;
}

/** The wrong CG variants (controls and diagnosis). */
export const CG_VARIANTS = {
  'stale-rr': 'r·r of the wrong iterate: α_k = r₀·r₀ / pᵀAp and β_k = r_{k+1}·r_{k+1} / r₀·r₀ (the running r·r never updated)',
  'one-iteration': 'returns after one iteration (the Cauchy step)',
  sign: 'a sign error: returns −x',
} as const;
export type CgVariant = keyof typeof CG_VARIANTS;

/** The CG variant `bug` (module comment); apply(v) = A v. */
export function cgVariant(bug: CgVariant, apply: (v: Float64Array) => Float64Array, b: Float64Array, iterations: number): Float64Array {
  const into = (v: Float64Array, out: Float64Array) => out.set(apply(v));
  if (bug === 'one-iteration') return conjugateGradient(into, b, { maxIterations: Math.min(1, iterations) }).x;
  if (bug === 'sign') return conjugateGradient(into, b, { maxIterations: iterations }).x.map((x) => -x);
  const n = b.length, x = new Float64Array(n), r = Float64Array.from(b), p = Float64Array.from(b);
  const rr0 = b.reduce((a, y) => a + y * y, 0);
  let rr = rr0;
  for (let k = 0; k < iterations && Math.sqrt(rr) > 1e-10 * Math.sqrt(rr0); k++) {
    const Ap = apply(p);
    let pAp = 0;
    for (let i = 0; i < n; i++) pAp += p[i]! * Ap[i]!;
    if (!(pAp > 0)) break;
    const alpha = rr0 / pAp; // the bug: r₀·r₀ where r_k·r_k belongs (the running r·r is never updated)
    for (let i = 0; i < n; i++) { x[i] = x[i]! + alpha * p[i]!; r[i] = r[i]! - alpha * Ap[i]!; }
    rr = 0;
    for (let i = 0; i < n; i++) rr += r[i]! * r[i]!;
    for (let i = 0; i < n; i++) p[i] = r[i]! + (rr / rr0) * p[i]!;
  }
  return x;
}

interface CgCase { readonly label: string; readonly matrix: Float64Array; readonly b: Float64Array; readonly iterations: number; readonly target: Float64Array; /** Projects x onto range(F) (the singular system's quotient); identity otherwise. */ readonly project: (x: Float64Array) => Float64Array; readonly singular: boolean }

const cgIdentity = (v: Float64Array) => v;

function cgCases(x: TrpoInstance): CgCase[] {
  const { param, theta } = x.policy, n = param.numParams;
  const F = fisherMatrix(x.mdp, { param, theta }, undefined, x.weights);
  const damped = Float64Array.from(F);
  for (let i = 0; i < n; i++) damped[i * n + i] = damped[i * n + i]! + DAMPING;
  const b = x.grad, id = cgIdentity;
  const project = (v: Float64Array) => pinvSolve(F, n, matVec(F, n, n, v)).x;
  const { x: minNorm, rank } = pinvSolve(F, n, b);
  const out: CgCase[] = [];
  for (const k of [1, 2, 3]) {
    out.push({ label: `F + ${DAMPING}I, ${k} iteration${k > 1 ? 's' : ''}`, matrix: damped, b, iterations: k, target: krylovIterate(damped, n, b, k), project: id, singular: false });
    out.push({ label: `F (singular), ${k} iteration${k > 1 ? 's' : ''}`, matrix: F, b, iterations: k, target: krylovIterate(F, n, b, k), project: id, singular: true });
  }
  out.push({ label: `F + ${DAMPING}I, ${n} iterations: (F + λI)⁻¹∇J`, matrix: damped, b, iterations: n, target: luSolve(luFactor(damped, n), b), project: id, singular: false });
  out.push({ label: `F (singular, rank ${rank} of ${n}), ${rank} iterations: F⁺∇J in the quotient by F's null space`, matrix: F, b, iterations: rank, target: minNorm, project, singular: true });
  return out;
}

// ─── line-search scenarios ────────────────────────────────────────────────────────────────

interface LineSearchCase { readonly label: string; readonly theta0: Float64Array; readonly fullStep: Float64Array; readonly expectedImprovement: number; readonly maxKl: number }

function lineSearchSetting(x: TrpoInstance): { payload: Omit<LineSearchPayload, 'cases'>; cases: LineSearchCase[] } {
  const { param, theta } = x.policy, n = param.numParams, S = param.numStates, A = param.numActions;
  const F = fisherMatrix(x.mdp, x.policy, undefined, x.weights);
  const u = pinvSolve(F, n, x.grad).x, Fu = matVec(F, n, n, u);
  let uFu = 0, gu = 0;
  for (let k = 0; k < n; k++) { uFu += u[k]! * Fu[k]!; gu += x.grad[k]! * u[k]!; }
  const cases: LineSearchCase[] = [];
  for (const m of [0.5, 3, 40]) {
    const c = Math.sqrt((2 * m * DELTA) / uFu);
    cases.push({ label: `natural step, ½ΔᵀFΔ = ${m}δ`, theta0: theta, fullStep: u.map((y) => c * y), expectedImprovement: c * gu, maxKl: DELTA });
  }
  const c = Math.sqrt(DELTA / uFu);
  cases.push({ label: 'reversed (uphill) step, ½ΔᵀFΔ = 0.5δ: no trial improves', theta0: theta, fullStep: u.map((y) => -c * y), expectedImprovement: c * gu, maxKl: DELTA });
  return { payload: { op: 'trpo-linesearch', S, A, piOld: param.probs(theta), etaOld: x.etaDec, advantage: x.ev.A, weights: x.weights }, cases };
}

/** A line search as a function of the in-place θ (the user's signature), for the built-in variants. */
type LineSearchFn = TrpoLineSearchEstimator['estimate'];

/** The built-in wrong line searches (controls), with the declared grid. */
export function lineSearchVariant(bug: 'no-improvement-check' | 'no-restore' | 'kl-after-shrink' | 'gives-up', d: Record<string, number | string>): LineSearchFn {
  const shrink = (d.shrink as number | undefined) ?? 0.5, tries = (d.maxBacktracks as number | undefined) ?? 10, ratio = (d.acceptRatio as number | undefined) ?? 0.1;
  return (theta, step, expected, maxKl, evaluate) => {
    const theta0 = Float64Array.from(theta), before = evaluate(theta0);
    if (bug === 'gives-up') return false;
    let f = 1;
    for (let j = 0; j < tries; j++, f *= shrink) {
      for (let k = 0; k < theta.length; k++) theta[k] = theta0[k]! + f * step[k]!; // in place, as a model's parameters
      const now = evaluate(), improvement = before.loss - now.loss;
      const kl = bug === 'kl-after-shrink' ? evaluate(theta0.map((t, k) => t + f * shrink * step[k]!)).kl : now.kl;
      const improves = bug === 'no-improvement-check' || (improvement > 0 && improvement >= ratio * f * expected);
      if (kl <= maxKl && improves) return true;
    }
    if (bug !== 'no-restore') theta.set(theta0);
    return false;
  };
}

/** Descriptions of {@link lineSearchVariant}'s bugs. */
const LINESEARCH_BUGS = {
  'no-improvement-check': 'accepts on the KL alone, without the improvement condition',
  'no-restore': 'does not restore θ after the last rejected trial (θ stays at θ₀ + shrink^{J−1}Δ)',
  'kl-after-shrink': 'checks the KL at the step after the backtracking factor is applied, then keeps the unshrunk step',
  'gives-up': 'gives up without trying (restores θ₀ and returns false)',
} as const;

/** The outcome of one line-search case: the safety claim's and the grid claim's checks. */
function lineSearchOutcome(instance: string, c: LineSearchCase, setting: Omit<LineSearchPayload, 'cases'>, accepted: boolean, theta: Float64Array, d: Record<string, number | string>): { safe: Check; grid: Check } {
  const exact = exactLineSearchEvaluation(setting), n = theta.length;
  const start = exact(c.theta0), scaleTheta = maxAbs(c.theta0) + maxAbs(c.fullStep);
  // the step taken: θ − θ₀ = f Δ with f from the projection, and its distance from the line
  let dd = 0, dt = 0;
  for (let k = 0; k < n; k++) { dd += c.fullStep[k]! ** 2; dt += (theta[k]! - c.theta0[k]!) * c.fullStep[k]!; }
  const f = dt / dd;
  let offLine = 0, moved = 0;
  for (let k = 0; k < n; k++) { offLine = Math.max(offLine, Math.abs(theta[k]! - c.theta0[k]! - f * c.fullStep[k]!)); if (theta[k] !== c.theta0[k]) moved++; }
  const at = exact(theta), improvement = start.loss - at.loss;
  let safe: Check;
  if (!accepted) {
    safe = { instance, passed: moved === 0, discrepancy: moved, tolerance: 0, note: moved === 0 ? 'rejected every trial; θ is θ₀ bit for bit' : `returned false but left ${moved} of ${n} entries of θ changed (max |θ − θ₀| = ${maxAbs(theta.map((t, k) => t - c.theta0[k]!)).toPrecision(3)}): θ is not restored` };
  } else {
    // violations, each relative: KL over δ, a non-improvement over the predicted improvement, θ off the segment over ‖θ₀‖∞ + ‖Δ‖∞
    const vKl = (at.kl - c.maxKl) / c.maxKl, vImp = -improvement / c.expectedImprovement, vLine = Math.max(offLine / scaleTheta, f > 1 ? f - 1 : 0, f <= 0 ? 1 : 0);
    const why = [vKl > LINESEARCH_TOLERANCE ? `the exact KL ${at.kl.toPrecision(4)} exceeds δ = ${c.maxKl}` : '', improvement > 0 ? '' : `the exact surrogate does not improve (L(θ) − L(θ₀) = ${(-improvement).toPrecision(3)}, ${vImp.toPrecision(3)} × the predicted improvement)`, vLine > LINESEARCH_TOLERANCE ? `θ is not θ₀ + fΔ with f ∈ (0, 1] (f = ${f.toPrecision(3)}, off the line by ${offLine.toPrecision(3)})` : ''].filter(Boolean);
    safe = { instance, passed: why.length === 0, discrepancy: Math.max(vKl, vImp, vLine), tolerance: LINESEARCH_TOLERANCE, note: why.length ? why.join('; ') : `accepted f = ${f.toPrecision(4)}: exact KL ${at.kl.toPrecision(4)} ≤ δ = ${c.maxKl}, exact surrogate improvement ${improvement.toPrecision(4)} > 0` };
  }
  // the reference: the built-in backtracking search with the declared grid, on the exact evaluation
  const ref = backtrackingLineSearch(exact, c.theta0, c.fullStep, c.expectedImprovement, { maxKl: c.maxKl, shrink: d.shrink as number, maxBacktracks: d.maxBacktracks as number, acceptRatio: d.acceptRatio as number });
  const dev = maxAbs(theta.map((t, k) => t - ref.theta[k]!)) / scaleTheta;
  const gridOk = ref.accepted === accepted && dev <= LINESEARCH_TOLERANCE;
  const grid: Check = {
    instance, passed: gridOk, discrepancy: ref.accepted === accepted ? dev : Infinity, tolerance: LINESEARCH_TOLERANCE,
    note: gridOk ? (ref.accepted ? `the first acceptable grid step, f = ${ref.stepFraction}` : 'no grid step is acceptable, none accepted') : ref.accepted && !accepted ? `the grid step f = ${ref.stepFraction} is acceptable (KL ${ref.kl.toPrecision(4)} ≤ δ, improvement ≥ ${d.acceptRatio}·f·expected) but the search returned false` : !ref.accepted && accepted ? 'accepted a step although no grid step meets the declared conditions' : `accepted f = ${f.toPrecision(4)}; the first acceptable grid step is f = ${ref.stepFraction}`,
  };
  return { safe, grid };
}

// ─── the claims ───────────────────────────────────────────────────────────────────────────

/** How the TRPO claims reach the user's code: the outputs of {@link runTrpoMachinery} in the sandbox. */
export type MachineryRun = (key: string, payload: unknown) => Promise<Float64Array>;

/** One check per (variant, instance) of a control: passed iff every case it applies to passes. */
function controlChecks(rows: { instance: string; checks: Check[] }[]): Check[] {
  return rows.map(({ instance, checks }) => {
    // each case's discrepancy in units of its tolerance (a violated zero tolerance: ∞)
    const ratio = (c: Check) => (c.passed ? Math.min(1, c.tolerance > 0 ? c.discrepancy / c.tolerance : 0) : c.tolerance > 0 && Number.isFinite(c.discrepancy) ? Math.max(c.discrepancy / c.tolerance, 1 + Number.EPSILON) : Infinity);
    const bad = checks.filter((c) => !c.passed), worst = Math.max(...checks.map(ratio));
    return { instance, passed: bad.length === 0, discrepancy: worst, tolerance: 1, note: `rejected on ${bad.length} of ${checks.length} cases; worst discrepancy ${Number.isFinite(worst) ? `${worst.toExponential(2)} ×` : 'beyond'} the tolerance` };
  });
}

/** The claims `pgtruth check` runs for a TRPO kind (module comment). */
export function trpoClaims(e: LoadedEstimator, run: MachineryRun, opts: { mdp?: FiniteMDP; mdpLabel?: string } & FvpBatchOptions): Claim[] {
  const d = trpoDeclaration(e), tag = `check.${e.name}`;
  const xs = () => trpoInstances(opts.mdp, opts.mdpLabel);
  const coord = (x: TrpoInstance) => (k: number) => `coordinate (s=${Math.floor(k / x.mdp.numActions)}, a=${k % x.mdp.numActions})`;
  switch (e.estimator.kind) {
    case 'trpo-fvp': {
      const lambda = d.damping as number;
      if (d.fisher === 'batch') return [fvpBatchClaim(e, run, xs, lambda, opts)];
      const checksOf = (x: TrpoInstance, outs: Float64Array, label: string, damping: number) => fvpCases(x).map((c, i) => {
        const n = c.v.length, { target, scale, variants } = fvpTruth(x, c, damping);
        return exactCheck(`${x.label}, ${c.label}: ${label}`, outs.subarray(i * n, (i + 1) * n), target, { scale: { name: 'max_i Σ_j |M_ij v_j|', value: scale }, tolerance: FVP_TOLERANCE, coordinate: coord(x), candidates: variants });
      });
      return [{
        id: `${tag}.fisher-vector-product`, title: `${e.name}: (F_w(θ) + λI)v equals the exact d-weighted Fisher–vector product${lambda ? ` (λ = ${lambda})` : ''}, at θ_old and at θ ≠ θ_old`,
        source: 'Schulman et al. 2015, Appendix C; Lehmann 2024, §4.3; Kakade 2001',
        statement: String.raw`\hat F v = \Big(\textstyle\sum_s w(s)\sum_a \pi_\theta(a|s)\nabla_\theta\log\pi_\theta(a|s)\nabla_\theta\log\pi_\theta(a|s)^\top + \lambda I\Big)v = \big(\nabla^2_\theta \textstyle\sum_s w(s)\,\mathrm{KL}(\pi_{\mathrm{old}}\|\pi_\theta)(s) + \lambda I\big)v`,
        relation: 'identity', rule: `max_k |observed − target| ≤ ${FVP_TOLERANCE} × max_i Σ_j |M_ij v_j| (exact input, no sampling)`,
        run: async () => {
          const out: Check[] = [];
          for (const x of xs()) {
            const { param } = x.policy, cases = fvpCases(x);
            const outs = await run(e.key, { op: 'trpo-fvp', S: param.numStates, A: param.numActions, cases: cases.map((c) => ({ theta: c.theta, thetaOld: x.policy.theta, weights: x.weights, v: c.v })) } satisfies FvpPayload);
            out.push(...checksOf(x, outs, e.name, lambda));
          }
          return out;
        },
        control: {
          description: `the Fisher without the mean-score subtraction (diag π), the damping missing and added twice (λ = ${DAMPING}), and the Hessian of the reversed KL(π_θ‖π_old) (at θ ≠ θ_old, where it differs) — each against the exact product`,
          run: () => controlChecks(xs().flatMap((x) => {
            const cases = fvpCases(x);
            const truths = cases.map((c) => fvpTruth(x, c, DAMPING));
            return truths[0]!.variants.concat(truths[2]!.variants.filter((v) => v.id === 'kl-reversed')).map((v) => {
              const applies = cases.map((_, i) => truths[i]!.variants.find((w) => w.id === v.id)).map((w, i) => (w ? i : -1)).filter((i) => i >= 0);
              return { instance: `${x.label}: ${v.id}`, checks: applies.map((i) => exactCheck(`${x.label}, ${cases[i]!.label}: ${v.id}`, truths[i]!.variants.find((w) => w.id === v.id)!.output, truths[i]!.target, { scale: { name: 'scale', value: truths[i]!.scale }, tolerance: FVP_TOLERANCE, coordinate: coord(x) })) };
            });
          })),
        },
      }];
    }
    case 'trpo-cg': {
      const variants = Object.keys(CG_VARIANTS) as CgVariant[];
      const judge = (x: TrpoInstance, c: CgCase, observed: Float64Array, label: string) => {
        const n = c.b.length, apply = (v: Float64Array) => matVec(c.matrix, n, n, v);
        const candidates = variants.map((v) => ({ id: v, description: CG_VARIANTS[v], output: c.project(cgVariant(v, apply, c.b, c.iterations)) }));
        return exactCheck(`${x.label}, ${c.label}: ${label}`, c.project(observed), c.target, { scale: { name: '‖target‖∞', value: maxAbs(c.target) }, tolerance: CG_TOLERANCE, coordinate: coord(x), candidates, note: c.singular ? 'A = F is singular (per-state constants, unvisited states): the CG iterates stay in range(F)' + (c.project === cgIdentity ? '' : '; compared after projecting onto range(F)') : 'A = F + λI' });
      };
      return [{
        id: `${tag}.conjugate-gradient`, title: `${e.name}: k CG iterations give the exact k-th CG iterate (k ≤ 3), and n give (F + λI)⁻¹∇J, or F⁺∇J modulo F's null space when λ = 0`,
        source: 'Hestenes & Stiefel 1952; Nocedal & Wright 2006, Algorithm 5.2 and Theorem 5.2; Schulman et al. 2015, Appendix C',
        statement: String.raw`x_k = \operatorname*{arg\,min}_{x\in\mathcal K_k(A,b)} \tfrac12 x^\top A x - b^\top x,\quad \mathcal K_k = \operatorname{span}\{b, Ab, \dots, A^{k-1}b\};\qquad P_{\mathrm{range}(F)}\,x_{\mathrm{rank}\,F} = F^+\nabla J`,
        relation: 'identity', rule: `max_k |observed − target| ≤ ${CG_TOLERANCE} × ‖target‖∞ (exact input, no sampling; the singular system compared after projecting onto range(F))`,
        run: async () => {
          const out: Check[] = [];
          for (const x of xs()) {
            const cases = cgCases(x), n = x.policy.param.numParams;
            const outs = await run(e.key, { op: 'trpo-cg', n, cases: cases.map((c) => ({ matrix: c.matrix, b: c.b, iterations: c.iterations })) } satisfies CgPayload);
            cases.forEach((c, i) => out.push(judge(x, c, outs.subarray(i * n, (i + 1) * n), e.name)));
          }
          return out;
        },
        control: {
          description: Object.values(CG_VARIANTS).join('; '),
          run: () => controlChecks(xs().flatMap((x) => {
            const cases = cgCases(x);
            return variants.map((v) => ({ instance: `${x.label}: ${v}`, checks: cases.map((c) => { const n = c.b.length; return judge(x, c, cgVariant(v, (u) => matVec(c.matrix, n, n, u), c.b, c.iterations), v); }) }));
          })),
        },
      }];
    }
    case 'trpo-linesearch': {
      const userRuns = new Map<string, Float64Array>();
      const userOutcomes = async (x: TrpoInstance) => {
        const { payload, cases } = lineSearchSetting(x), n = x.policy.param.numParams;
        let outs = userRuns.get(x.label);
        if (!outs) { outs = await run(e.key, { ...payload, cases } satisfies LineSearchPayload); userRuns.set(x.label, outs); }
        return cases.map((c, i) => lineSearchOutcome(`${x.label}, ${c.label}: ${e.name}`, c, payload, outs[i * (n + 1)] === 1, outs.subarray(i * (n + 1) + 1, (i + 1) * (n + 1)), d));
      };
      const variantOutcomes = (x: TrpoInstance, bug: keyof typeof LINESEARCH_BUGS) => {
        const { payload, cases } = lineSearchSetting(x), exact = exactLineSearchEvaluation(payload), fn = lineSearchVariant(bug, d);
        return cases.map((c) => {
          const theta = Float64Array.from(c.theta0);
          const accepted = fn(theta, c.fullStep, c.expectedImprovement, c.maxKl, (at) => exact(at ?? theta));
          return lineSearchOutcome(`${x.label}, ${c.label}: ${bug}`, c, payload, accepted, theta, d);
        });
      };
      const grid = `shrink ${d.shrink}, ${d.maxBacktracks} trials, accept ratio ${d.acceptRatio}`;
      return [{
        id: `${tag}.trust-region`, title: `${e.name}: an accepted step keeps the exact KL ≤ δ and improves the exact surrogate; a rejected search leaves θ = θ₀ bit for bit`,
        source: 'Schulman et al. 2015, Appendix C; Lehmann 2024, §4.3',
        statement: String.raw`\text{accepted} \Rightarrow \textstyle\sum_s w(s)\,\mathrm{KL}(\pi_{\theta_0}\|\pi_\theta)(s) \le \delta \ \wedge\ L(\theta) > L(\theta_0),\ \theta = \theta_0 + f\Delta,\ f\in(0,1];\qquad \neg\text{accepted} \Rightarrow \theta = \theta_0`,
        relation: 'inequality', rule: `KL and improvement exact; an accepted step must improve (> 0), and (KL − δ)/δ and θ's distance from the segment / (‖θ₀‖∞ + ‖Δ‖∞), each ≤ ${LINESEARCH_TOLERANCE}; a rejected search must leave every entry of θ unchanged`,
        run: async () => (await Promise.all(xs().map(userOutcomes))).flat().map((o) => o.safe),
        control: {
          description: (['no-improvement-check', 'no-restore', 'kl-after-shrink'] as const).map((b) => LINESEARCH_BUGS[b]).join('; '),
          run: () => controlChecks(xs().flatMap((x) => (['no-improvement-check', 'no-restore', 'kl-after-shrink'] as const).map((b) => ({ instance: `${x.label}: ${b}`, checks: variantOutcomes(x, b).map((o) => o.safe) })))),
        },
      }, {
        id: `${tag}.backtracking`, title: `${e.name}: it accepts the first step of its declared grid (${grid}) that keeps the KL ≤ δ and improves by ≥ acceptRatio × the predicted improvement`,
        source: 'Schulman et al. 2015, Appendix C',
        statement: String.raw`\theta = \theta_0 + s^{j^*}\Delta,\quad j^* = \min\{j < J : \bar D(\theta_0 + s^j\Delta) \le \delta,\ L(\theta_0) - L(\theta_0+s^j\Delta) \ge \max(0^+, r\,s^j\,\hat I)\}`,
        relation: 'identity', rule: `the same accept/reject decision as the reference search on the exact evaluation, and θ within ${LINESEARCH_TOLERANCE} × (‖θ₀‖∞ + ‖Δ‖∞) of its θ`,
        run: async () => (await Promise.all(xs().map(userOutcomes))).flat().map((o) => o.grid),
        control: {
          description: LINESEARCH_BUGS['gives-up'],
          run: () => controlChecks(xs().map((x) => ({ instance: `${x.label}: gives-up`, checks: variantOutcomes(x, 'gives-up').map((o) => o.grid) }))),
        },
      }];
    }
    default:
      return fail('PLUGIN_INVALID', `${e.name} has kind ${show(e.estimator.kind)}: not a TRPO kind`);
  }
}
