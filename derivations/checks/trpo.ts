/**
 * The checks of derivation 6, TRPO (Lehmann 2024, §4.3 and Theorem 4.1; Schulman et al.
 * 2015; Kakade & Langford 2002; Kakade 2001):
 *
 * - exactly, on rational MDPs with rational direct policies: the performance-difference
 *   identity, the surrogate's first-order agreement with J, and Theorem 4.1 with the TV
 *   distance (every quantity in it is rational);
 * - in doubles, with the library's TRPO functions: the surrogate `surrogateObjective`, the
 *   bound's terms and its KL form `trpoBound`, the Fisher matrix `fisherMatrix` as the
 *   Hessian of the average KL (`weightedKLHessian`), the natural direction by
 *   `conjugateGradient`, the step √(2δ/gᵀF⁻¹g) F⁻¹g and the KL it reaches, and `trpoStep`
 *   on a sampled batch.
 *
 * @module
 */
import { conjugateGradient } from '../../src/linalg/cg.js';
import { gae } from '../../src/estimators/advantages.js';
import { trpoStep } from '../../src/algorithms/trpo-step.js';
import { surrogateObjective, trpoBound } from '../../src/exact/bounds.js';
import { klPerState } from '../../src/exact/divergence.js';
import { evaluatePolicy, type Evaluation } from '../../src/exact/evaluate.js';
import { fisherMatrix } from '../../src/exact/fisher.js';
import { policyGradient } from '../../src/exact/gradient.js';
import { weightedKLHessian, weightedKLIn } from '../../src/exact/klhessian.js';
import { evaluateExact, type ExactEvaluation } from '../../src/exact/rational.js';
import { Dual, DualField } from '../../src/field/dual-numbers.js';
import { NumberField } from '../../src/field/number.js';
import { pinvSolve } from '../../src/linalg/eigen.js';
import { sampleEpisodes } from '../../src/sampling/episodes.js';
import type { Batch } from '../../src/sampling/batch.js';
import { Rng } from '../../src/stats/rng.js';
import { randomInstances, type Instance as LibraryInstance } from '../../src/verify/instances.js';
import { defineStep, type Instance } from '../framework/step.js';
import { dualEvaluation, F, fdot, floatMDP, floats, fsum, q, rationalCases, type Fraction, type RationalCase } from './common.js';
import { memo } from './memo.js';

// ─── exact: rational MDPs, direct policies ────────────────────────────────────────────

/** A rational case and a second policy π̃ (rows sum to 1, every entry ≥ 0). */
interface PairCase {
  readonly c: RationalCase;
  readonly piNew: Fraction[];
  readonly kind: string;
}

const moved = (c: RationalCase, target: readonly Fraction[], t: Fraction) => c.pi.map((p, k) => p.add(t.mul(target[k]!.sub(p))));

/** All mass on argmin_a A_π(s,a) in every state. */
function worstPolicy(c: RationalCase, adv: readonly Fraction[]): Fraction[] {
  const A = c.m.numActions;
  return c.pi.map((_, k) => {
    const s = Math.floor(k / A), row = adv.slice(s * A, s * A + A);
    const worst = row.reduce((b, v, a) => (v.compare(row[b]!) < 0 ? a : b), 0);
    return k % A === worst ? F.one : F.zero;
  });
}

/** π̃ = β, a step towards β, and (for γ < 1) a tiny step towards the worst actions. */
function pairCases(seed: number, regime: 'both' | 'discounted'): Instance<PairCase>[] {
  return rationalCases(seed + 83, { count: 6, regime }).flatMap(({ label, data: c }) => [
    { label: `${label} π̃ = β`, data: { c, piNew: c.beta, kind: 'far' } },
    { label: `${label} π̃ = π + (β − π)/10`, data: { c, piNew: moved(c, c.beta, q('1/10')), kind: 'step' } },
  ]);
}
const bothRegimes = (seed: number) => pairCases(seed, 'both');
const discountedPairs = (seed: number) => pairCases(seed, 'discounted');

/** Small steps π̃ = π + 10⁻⁴(w − π) towards the worst action w, which lower the surrogate (γ < 1). */
const smallStepsDown = (seed: number): Instance<PairCase>[] => rationalCases(seed + 83, { count: 6, regime: 'discounted' }).map(({ label, data: c }) => ({
  label: `${label} π̃ = π + 10⁻⁴(worst − π)`, data: { c, piNew: moved(c, worstPolicy(c, evaluateExact(c.m, c.pi).A), q('1/10000')), kind: 'down' },
}));

const exactOf = memo((c: RationalCase): ExactEvaluation => evaluateExact(c.m, c.pi));
const exactNew = memo((x: PairCase): ExactEvaluation => evaluateExact(x.c.m, x.piNew));

/** Σ_a π̃(a|s) A_π(s,a) per state. */
function expectedAdvantage(x: PairCase): Fraction[] {
  const A = x.c.m.numActions, adv = exactOf(x.c).A;
  return Array.from({ length: x.c.m.numStates }, (_, s) => fdot(x.piNew.slice(s * A, s * A + A), adv.slice(s * A, s * A + A)));
}

/** L_π(π̃) = J(π) + Σ_s w(s) Σ_a π̃(a|s) A_π(s,a), w = η_π (or d_π, the wrong variant). */
const surrogate = (x: PairCase, w: 'eta' | 'd' = 'eta') => exactOf(x.c).J.add(fdot(w === 'eta' ? exactOf(x.c).eta : exactOf(x.c).d, expectedAdvantage(x)));

/** max of Fractions. */
const fmax = (xs: readonly Fraction[]) => xs.reduce((a, b) => (a.compare(b) >= 0 ? a : b));

/** ε = max|A_π|, α = max_s D_TV(π(·|s) ‖ π̃(·|s)), C = 4εγ/(1−γ)², exactly. */
function boundTerms(x: PairCase): { epsilon: Fraction; alpha: Fraction; C: Fraction } {
  const { numStates: S, numActions: A, gamma } = x.c.m;
  const epsilon = fmax(exactOf(x.c).A.map((v) => v.abs()));
  const alpha = fmax(Array.from({ length: S }, (_, s) => fsum(Array.from({ length: A }, (_, a) => x.c.pi[s * A + a]!.sub(x.piNew[s * A + a]!).abs())).div(2)));
  const oneMinus = F.one.sub(gamma);
  return { epsilon, alpha, C: q(4).mul(epsilon).mul(gamma).div(oneMinus.mul(oneMinus)) };
}

/** L_π(π̃) − Cα², with L computed with η (or d). */
function exactBound(x: PairCase, w: 'eta' | 'd' = 'eta'): Fraction {
  const { alpha, C } = boundTerms(x);
  return surrogate(x, w).sub(C.mul(alpha).mul(alpha));
}

/** The library's floating-point bound for the pair. */
const libraryBound = memo((x: PairCase) => trpoBound(floatMDP(x.c.m), floats(x.c.pi), floats(x.piNew)));
const libraryBoundD = memo((x: PairCase) => trpoBound(floatMDP(x.c.m), floats(x.c.pi), floats(x.piNew), { visitation: 'd' }));

/** D_v L_π along a direction v of the direct parameterization: Σ_s w(s) Σ_a v(s,a) A_π(s,a). */
function surrogateDerivative(c: RationalCase, v: readonly Fraction[], w: 'eta' | 'd' = 'eta'): Fraction {
  const A = c.m.numActions, e = exactOf(c), weights = w === 'eta' ? e.eta : e.d;
  return fsum(weights.map((ws, s) => ws.mul(fdot(v.slice(s * A, s * A + A), e.A.slice(s * A, s * A + A)))));
}

// ─── doubles: softmax and log-linear policies ─────────────────────────────────────────

/** A library instance with its evaluation, Fisher matrix and gradient. */
interface SmoothCase {
  readonly x: LibraryInstance;
  readonly ev: Evaluation;
  readonly pi: Float64Array;
  readonly F: Float64Array;
  readonly g: Float64Array;
  readonly n: number;
  /** A seeded direction in θ-space. */
  readonly u: Float64Array;
}

const smoothCase = memo((x: LibraryInstance): SmoothCase => {
  const pi = x.policy.param.probs(x.policy.theta), ev = evaluatePolicy(x.mdp, pi);
  const n = x.policy.param.numParams, rng = Rng.from(n * 7 + x.mdp.numStates).split(x.label.length);
  return { x, ev, pi, F: fisherMatrix(x.mdp, x.policy, ev), g: policyGradient(x.mdp, x.policy, ev), n, u: Float64Array.from({ length: n }, () => rng.normal()) };
});

const wrap = (xs: LibraryInstance[]): Instance<SmoothCase>[] => xs.map((x) => ({ label: x.label, data: smoothCase(x) }));
/** Softmax and log-linear policies on seeded Garnets (γ ∈ {0, ½, 0.9, 0.99, 1}). */
const smooth = (seed: number) => wrap(randomInstances(seed + 5).filter((x) => x.policy.param.kind !== 'direct'));
/** Tabular softmax policies with a non-trivial horizon (Σ η ≠ 1, i.e. γ ≠ 0). */
const softmaxOnly = (seed: number) => wrap(randomInstances(seed + 5).filter((x) => x.policy.param.kind === 'softmax'));
const longHorizon = (seed: number) => softmaxOnly(seed).filter((x) => x.data.x.mdp.gamma > 0);
/** Every parameterization, γ > 0 (so that Σ η ≠ 1). */
const allKinds = (seed: number) => wrap(randomInstances(seed + 5).filter((x) => x.mdp.gamma > 0));

/** Σ_s d(s) KL(π_old(·|s) ‖ π_θ(·|s)) at θ = θ_old + t·dir, with the library's per-state KL. */
function averageKL(c: SmoothCase, dir: Float64Array, t: number): number {
  const { param, theta } = c.x.policy, S = c.x.mdp.numStates, A = c.x.mdp.numActions;
  const moved = Float64Array.from(theta, (v, i) => v + t * dir[i]!);
  const kl = klPerState(c.pi, param.probs(moved), S, A);
  let tot = 0;
  for (let s = 0; s < S; s++) tot += c.ev.d[s]! * kl[s]!;
  return tot;
}

/** xᵀ M y for a dense row-major n×n M. */
function quad(M: Float64Array, x: Float64Array, y: Float64Array): number {
  const n = x.length;
  let s = 0;
  for (let i = 0; i < n; i++) { let r = 0; for (let j = 0; j < n; j++) r += M[i * n + j]! * y[j]!; s += x[i]! * r; }
  return s;
}
const dot = (x: ArrayLike<number>, y: ArrayLike<number>) => { let s = 0; for (let i = 0; i < x.length; i++) s += x[i]! * y[i]!; return s; };

/** x = F⁻¹g by the library's conjugate gradient on the dense Fisher matrix (n iterations at most). */
const naturalDirection = memo((c: SmoothCase): Float64Array => {
  const apply = (v: Float64Array, out: Float64Array) => { for (let i = 0; i < c.n; i++) { let r = 0; for (let j = 0; j < c.n; j++) r += c.F[i * c.n + j]! * v[j]!; out[i] = r; } };
  return conjugateGradient(apply, c.g, { maxIterations: 2 * c.n, tolerance: 1e-12 }).x;
});

/** The step β·dir reaching ½ΔᵀFΔ = δ. */
function scaledToBoundary(c: SmoothCase, dir: Float64Array, delta: number): Float64Array {
  const beta = Math.sqrt((2 * delta) / quad(c.F, dir, dir));
  return dir.map((v) => beta * v);
}

/** (Σ η)(A(s,a) − mean_a A(s,a)) in visited states, 0 elsewhere: F⁺∇J in closed form for the tabular softmax. */
function closedFormNatural(c: SmoothCase, horizon = c.ev.horizon): Float64Array {
  const S = c.x.mdp.numStates, A = c.x.mdp.numActions, out = new Float64Array(S * A);
  for (let s = 0; s < S; s++) {
    if (!(c.ev.d[s]! > 0)) continue;
    let mean = 0;
    for (let a = 0; a < A; a++) mean += c.ev.A[s * A + a]! / A;
    for (let a = 0; a < A; a++) out[s * A + a] = horizon * (c.ev.A[s * A + a]! - mean);
  }
  return out;
}

/** The gradient of Σ_s d(s) KL(ref(·|s) ‖ π_θ(·|s)) at θ_old by dual numbers through the library's `weightedKLIn`. */
function klGradient(c: SmoothCase, ref: Float64Array): number[] {
  const D = DualField(NumberField), { param, theta } = c.x.policy;
  return Array.from({ length: c.n }, (_, i) => weightedKLIn(D, param, ref, Array.from(theta, (v, k) => new Dual(v, k === i ? 1 : 0)), c.ev.d).du);
}

// ─── trpoStep on a sampled batch ──────────────────────────────────────────────────────

/** A batch of the instance's softmax policy, its advantages, and the library's TRPO step. */
interface BatchCase {
  readonly c: SmoothCase;
  readonly batch: Batch;
  readonly adv: Float64Array;
  readonly delta: number;
  /** The library's full step Δ = (θ − θ_old)/stepFraction and its expected improvement ĝᵀΔ. */
  readonly step: Float64Array;
  readonly improvement: number;
}

const batchCase = memo((c: SmoothCase): BatchCase => {
  const policy = c.x.policy, batch = sampleEpisodes({ mdp: c.x.mdp, policy }, { episodes: 30, seed: c.n * 31 + 7, maxSteps: 12 });
  const adv = gae(batch, c.ev.V, c.x.mdp.gamma, 0.9), delta = 1e-3;
  const r = trpoStep(batch, policy, c.x.mdp.gamma, adv, { maxKl: delta, damping: 0, cgIterations: 2 * c.n });
  if (!r.accepted) throw new Error(`trpoStep rejected every trial on ${c.x.label}`);
  const step = Float64Array.from(r.theta, (v, i) => (v - policy.theta[i]!) / r.stepFraction);
  return { c, batch, adv, delta, step, improvement: r.expectedImprovement };
});

/** ∇log π_θ(a|s) of the tabular softmax, written out: e_{s,a} − π(·|s) in the block of s. */
function softmaxScore(c: SmoothCase, s: number, a: number): Float64Array {
  const A = c.x.mdp.numActions, g = new Float64Array(c.n);
  for (let b = 0; b < A; b++) g[s * A + b] = (b === a ? 1 : 0) - c.pi[s * A + b]!;
  return g;
}

/** The batch's F̂ = Σ_i w_i g_i g_iᵀ / Σ_i w_i and ĝ = (1/E) Σ_i w_i Â_i g_i (w_i = γ^{t_i}), computed in the check. */
function batchFisherAndGradient(b: BatchCase): { Fh: Float64Array; gh: Float64Array } {
  const { c, batch, adv } = b, n = c.n, gamma = c.x.mdp.gamma;
  const Fh = new Float64Array(n * n), gh = new Float64Array(n);
  let total = 0, episodes = 0;
  for (let i = 0; i < batch.size; i++) {
    if (i === 0 || batch.episode_t[i] !== batch.episode_t[i - 1]) episodes++;
    const w = Math.pow(gamma, batch.t_index[i]!), g = softmaxScore(c, batch.s_t[i]!, batch.a_t[i]!);
    total += w;
    for (let j = 0; j < n; j++) { gh[j] = gh[j]! + w * adv[i]! * g[j]!; for (let k = 0; k < n; k++) Fh[j * n + k] = Fh[j * n + k]! + w * g[j]! * g[k]!; }
  }
  return { Fh: Fh.map((v) => v / total), gh: gh.map((v) => v / episodes) };
}

/** √(2δ/ĝᵀx)·x with x = F̂⁺ĝ (a pseudo-inverse by symmetric eigendecomposition), and ĝᵀΔ; `euclidean` puts F̂ = I. */
function independentStep(b: BatchCase, euclidean = false): number[] {
  const { Fh, gh } = batchFisherAndGradient(b);
  const x = euclidean ? gh : pinvSolve(Fh, b.c.n, gh).x;
  const beta = Math.sqrt((2 * b.delta) / quad(Fh, x, x));
  const step = x.map((v) => beta * v);
  return [dot(gh, step), ...step];
}

export const trpoChecks = [
  defineStep<PairCase>({
    key: 'trpo.performance-difference', exact: true, implementedBy: ['evaluateExact'],
    lhsIs: 'J(π̃) − J(π) from the library\'s exact evaluations', rhsIs: 'Σ_s η_π̃(s) Σ_a π̃(a|s) A_π(s,a) with the library\'s exact η_π̃ and A_π',
    instances: bothRegimes,
    lhs: (x) => [exactNew(x).J.sub(exactOf(x.c).J)],
    rhs: (x) => [fdot(exactNew(x).eta, expectedAdvantage(x))],
    control: { description: 'the old policy\'s visitation η_π in place of η_π̃ (that is the surrogate, not J)', rhs: (x) => [fdot(exactOf(x.c).eta, expectedAdvantage(x))] },
  }),
  defineStep<PairCase>({
    key: 'trpo.surrogate', exact: false, tolerance: 1e-12, implementedBy: ['surrogateObjective'],
    lhsIs: 'the library\'s surrogateObjective in doubles', rhsIs: 'J(π) + Σ_s η_π(s) Σ_a π̃(a|s) A_π(s,a) computed exactly in the check',
    instances: bothRegimes,
    lhs: (x) => { const mdp = floatMDP(x.c.m); return [surrogateObjective(mdp, floats(x.piNew), evaluatePolicy(mdp, floats(x.c.pi)))]; },
    rhs: (x) => [surrogate(x).valueOf()],
    scale: (x) => Math.max(1, Math.abs(exactOf(x.c).J.valueOf())),
    control: {
      description: 'the library called with the normalized d_π in place of η_π (the horizon factor dropped)',
      lhs: (x) => { const mdp = floatMDP(x.c.m), ev = evaluatePolicy(mdp, floats(x.c.pi)); return [surrogateObjective(mdp, floats(x.piNew), ev, ev.d)]; },
    },
  }),
  defineStep<RationalCase>({
    key: 'trpo.first-order', exact: true, implementedBy: ['evaluateExact', 'evaluateIn'],
    lhsIs: '[L_π(π), D_v L_π(π)] with L linear in π̃: D_v L = Σ_s η_π(s) Σ_a v(s,a) A_π(s,a), v a rational direction with Σ_a v(s,a) = 0', rhsIs: '[J(π), D_v J(π)], D_v J by dual numbers through the library\'s exact solve',
    instances: (seed) => rationalCases(seed + 83, { count: 6 }),
    lhs: (c) => [exactOf(c).J.add(fdot(exactOf(c).eta, perStateDot(c, c.pi))), surrogateDerivative(c, c.tangent)],
    rhs: (c) => [exactOf(c).J, dualEvaluation(c.m, c.pi, c.tangent).J.du],
    control: { description: 'the surrogate built with d_π in place of η_π: its gradient is ∇J/Σ_s η(s)', lhs: (c) => [exactOf(c).J, surrogateDerivative(c, c.tangent, 'd')] },
  }),
  defineStep<PairCase>({
    key: 'trpo.bound', exact: true, relation: 'atLeast', implementedBy: ['evaluateExact'],
    lhsIs: 'J(π̃) from the library\'s exact evaluation (γ < 1)', rhsIs: 'L_π(π̃) − Cα², C = 4εγ/(1−γ)², ε = max|A_π|, α = max_s D_TV, all exact',
    instances: discountedPairs,
    lhs: (x) => [exactNew(x).J],
    rhs: (x) => [exactBound(x)],
    control: { description: 'the bound with L computed from d_π in place of η_π, on tiny steps towards the worst actions (which lower L)', instances: smallStepsDown, rhs: (x) => [exactBound(x, 'd')] },
  }),
  defineStep<PairCase>({
    key: 'trpo.bound-terms', exact: false, tolerance: 1e-12, implementedBy: ['trpoBound', 'trpoPenalty'],
    lhsIs: 'the library\'s trpoBound: ε, α, C, L_π(π̃), L − Cα² and J(π̃), in doubles', rhsIs: 'the same quantities computed exactly in the check',
    instances: discountedPairs,
    lhs: (x) => { const b = libraryBound(x); return [b.epsilon, b.alpha, b.C, b.L, b.boundTV, b.JNew]; },
    rhs: (x) => { const t = boundTerms(x); return [t.epsilon, t.alpha, t.C, surrogate(x), exactBound(x), exactNew(x).J].map((v) => v.valueOf()); },
    control: { description: 'trpoBound with visitation \'d\' (L from the normalized d_π)', lhs: (x) => { const b = libraryBoundD(x); return [b.epsilon, b.alpha, b.C, b.L, b.boundTV, b.JNew]; } },
  }),
  defineStep<PairCase>({
    key: 'trpo.bound-kl', exact: false, tolerance: 1e-12, relation: 'atLeast', implementedBy: ['trpoBound'],
    lhsIs: 'J(π̃) computed exactly in the check', rhsIs: 'the library\'s KL form L_π(π̃) − C max_s KL(π(·|s) ‖ π̃(·|s)), in doubles',
    instances: discountedPairs,
    lhs: (x) => [exactNew(x).J.valueOf()],
    rhs: (x) => [libraryBound(x).kl!.bound],
    scale: (x) => Math.max(1, Math.abs(exactNew(x).J.valueOf())),
    control: { description: 'trpoBound with visitation \'d\', on tiny steps towards the worst actions', instances: smallStepsDown, rhs: (x) => [libraryBoundD(x).kl!.bound] },
  }),
  defineStep<SmoothCase>({
    key: 'trpo.kl-first-order', exact: false, tolerance: 1e-12, implementedBy: ['weightedKLIn', 'klPerState'],
    lhsIs: '[D̄(θ_old), ∇_θ D̄(θ_old)]: the d-weighted KL(π_old ‖ π_θ) from the library\'s klPerState, and its gradient by dual numbers through the library\'s weightedKLIn', rhsIs: '0',
    instances: smooth,
    lhs: (c) => [averageKL(c, c.u, 0), ...klGradient(c, c.pi)],
    rhs: (c) => new Float64Array(1 + c.n),
    scale: () => 1,
    control: { description: 'the KL taken from the uniform policy instead of π_old (a wrong reference policy)', lhs: (c) => [averageKL(c, c.u, 0), ...klGradient(c, new Float64Array(c.pi.length).fill(1 / c.x.mdp.numActions))] },
  }),
  defineStep<SmoothCase>({
    key: 'trpo.fisher-hessian', exact: false, tolerance: 1e-10, implementedBy: ['fisherMatrix', 'weightedKLHessian'],
    lhsIs: 'F(θ) = Σ_s d(s) Σ_a π ∇log π ∇log πᵀ from the library\'s fisherMatrix', rhsIs: '∇²_θ Σ_s d(s) KL(π_old ‖ π_θ) at θ_old by nested dual numbers (the library\'s weightedKLHessian)',
    instances: allKinds,
    lhs: (c) => c.F,
    rhs: (c) => weightedKLHessian(c.x.policy.param, c.x.policy.theta, c.x.policy.theta, c.ev.d),
    control: { description: 'the Hessian weighted by the unnormalized η in place of d', rhs: (c) => weightedKLHessian(c.x.policy.param, c.x.policy.theta, c.x.policy.theta, c.ev.eta) },
  }),
  defineStep<SmoothCase>({
    key: 'trpo.quadratic-model', exact: false, tolerance: 1e-2, approximation: { assumption: 'the step is small (Δ = 10⁻³·u, u a seeded Gaussian direction)' }, implementedBy: ['fisherMatrix', 'klPerState'],
    lhsIs: 'D̄(θ_old + Δ), the d-weighted KL by the library\'s klPerState', rhsIs: '½ ΔᵀFΔ with the library\'s Fisher matrix',
    instances: smooth,
    lhs: (c) => [averageKL(c, c.u, 1e-3)],
    rhs: (c) => [0.5 * 1e-6 * quad(c.F, c.u, c.u)],
    control: { description: 'a large step, Δ = 5u', lhs: (c) => [averageKL(c, c.u, 5)], rhs: (c) => [0.5 * 25 * quad(c.F, c.u, c.u)] },
  }),
  defineStep<SmoothCase>({
    key: 'trpo.natural-direction', exact: false, tolerance: 1e-10, implementedBy: ['conjugateGradient', 'fisherMatrix', 'policyGradient'],
    lhsIs: 'x solving F x = ∇J by the library\'s conjugateGradient (from x₀ = 0, so the minimum-norm solution), tabular softmax', rhsIs: '(Σ_s η(s))·(A(s,a) − mean_a A(s,a)) in visited states, 0 elsewhere',
    instances: softmaxOnly,
    lhs: (c) => naturalDirection(c),
    rhs: (c) => closedFormNatural(c),
    control: { description: 'A itself (the horizon factor Σ η dropped), γ > 0', instances: longHorizon, rhs: (c) => closedFormNatural(c, 1) },
  }),
  defineStep<SmoothCase>({
    key: 'trpo.natural-step', exact: false, tolerance: 1e-9, relation: 'atLeast', implementedBy: ['conjugateGradient', 'fisherMatrix', 'policyGradient'],
    lhsIs: '[gᵀΔ*, δ, ½Δ*ᵀFΔ*] with Δ* = √(2δ/gᵀx)·x, x = F⁻¹g by the library\'s conjugateGradient, δ = 0.01', rhsIs: '[the largest gᵀΔ over 64 random directions scaled to ½ΔᵀFΔ = δ, ½Δ*ᵀFΔ*, δ]',
    instances: smooth,
    lhs: (c) => { const s = scaledToBoundary(c, naturalDirection(c), 0.01); return [dot(c.g, s), 0.01, 0.5 * quad(c.F, s, s)]; },
    rhs: (c) => { const s = scaledToBoundary(c, naturalDirection(c), 0.01); return [bestRandomStep(c, 0.01), 0.5 * quad(c.F, s, s), 0.01]; },
    control: {
      description: 'the vanilla gradient direction g scaled to the boundary, claimed optimal against Δ*',
      lhs: (c) => { const s = scaledToBoundary(c, c.g, 0.01); return [dot(c.g, s), 0.01, 0.5 * quad(c.F, s, s)]; },
      rhs: (c) => { const s = scaledToBoundary(c, c.g, 0.01); return [dot(c.g, scaledToBoundary(c, naturalDirection(c), 0.01)), 0.5 * quad(c.F, s, s), 0.01]; },
    },
  }),
  defineStep<SmoothCase>({
    key: 'trpo.kl-boundary', exact: false, tolerance: 1e-2, approximation: { assumption: 'the radius is small (δ = 10⁻⁶)' }, implementedBy: ['conjugateGradient', 'klPerState'],
    lhsIs: 'D̄(θ_old + Δ*) by the library\'s klPerState, Δ* the natural step of radius δ', rhsIs: 'δ',
    instances: smooth,
    lhs: (c) => [averageKL(c, scaledToBoundary(c, naturalDirection(c), 1e-6), 1)],
    rhs: () => [1e-6],
    control: { description: 'a large radius, δ = 1', lhs: (c) => [averageKL(c, scaledToBoundary(c, naturalDirection(c), 1), 1)], rhs: () => [1] },
  }),
  defineStep<SmoothCase>({
    key: 'trpo.batch-step', exact: false, tolerance: 1e-9, implementedBy: ['trpoStep', 'trpoSurrogate', 'fisherVectorProduct', 'conjugateGradient'],
    lhsIs: '[ĝᵀΔ, Δ]: the library\'s trpoStep on a sampled batch (damping 0, δ = 10⁻³), Δ = (θ − θ_old)/stepFraction and its expectedImprovement', rhsIs: '[ĝᵀΔ, Δ] with Δ = √(2δ/ĝᵀF̂⁺ĝ)·F̂⁺ĝ, where F̂ and ĝ are the batch\'s empirical Fisher matrix and surrogate gradient written out in the check',
    instances: softmaxOnly,
    lhs: (c) => [batchCase(c).improvement, ...batchCase(c).step],
    rhs: (c) => independentStep(batchCase(c)),
    control: { description: 'the step along ĝ itself (F̂ replaced by the identity)', rhs: (c) => independentStep(batchCase(c), true) },
  }),
];

/** Σ_a x(s,a) A_π(s,a) in every state s. */
function perStateDot(c: RationalCase, x: readonly Fraction[]): Fraction[] {
  const A = c.m.numActions, adv = exactOf(c).A;
  return Array.from({ length: c.m.numStates }, (_, s) => fdot(x.slice(s * A, s * A + A), adv.slice(s * A, s * A + A)));
}

/** max over 64 seeded random directions u of gᵀΔ_u, Δ_u = u scaled to ½ΔᵀFΔ = δ (u with uᵀFu > 0). */
function bestRandomStep(c: SmoothCase, delta: number): number {
  const rng = Rng.from(c.n).split(4242);
  let best = -Infinity;
  for (let k = 0; k < 64; k++) {
    const u = Float64Array.from({ length: c.n }, () => rng.normal());
    if (!(quad(c.F, u, u) > 1e-12)) continue;
    const s = scaledToBoundary(c, u, delta);
    best = Math.max(best, dot(c.g, s), -dot(c.g, s));
  }
  return best;
}

