/**
 * The checks of derivation 2: the score function's zero mean, baseline unbiasedness, and
 * the variance-optimal baseline (Lehmann 2024, §3.2; Weaver & Tao 2001; Greensmith,
 * Bartlett & Baxter 2004) — in floating point with the library's softmax and log-linear
 * scores, whose values are not rational.
 *
 * The per-state estimator is g_b = ∇log π(a|s) (Q(s,a) − b) with a ∼ π(·|s); its variance
 * is the trace of its covariance, Var(b) = E_a‖g_b‖² − ‖E_a g_b‖².
 *
 * @module
 */
import { gradientForwardMode } from '../../src/exact/autodiff.js';
import { evaluatePolicy, type Evaluation } from '../../src/exact/evaluate.js';
import { softmaxPolicy } from '../../src/policy/softmax.js';
import { Rng } from '../../src/stats/rng.js';
import { libraryInstances, randomInstances, type Instance as LibraryInstance } from '../../src/verify/instances.js';
import { defineStep, type Instance } from '../framework/step.js';
import { memo } from './memo.js';

/** A library instance with its exact evaluation and its per-state scores. */
interface ScoreCase {
  readonly x: LibraryInstance;
  readonly ev: Evaluation;
  readonly pi: Float64Array;
  /** scores[s][a] = ∇log π(a|s) from the library's `addScore`. */
  readonly scores: Float64Array[][];
  /** The live states with E‖∇log π‖² > 0 (where the baseline matters). */
  readonly states: number[];
  /** A seeded random baseline b(s) and action-dependent b(s,a). */
  readonly b: Float64Array;
  readonly bAction: Float64Array;
}

function scoreCase(x: LibraryInstance, seed: number): ScoreCase {
  const { param, theta } = x.policy;
  const S = x.mdp.numStates, A = x.mdp.numActions;
  const pi = param.probs(theta);
  const ev = evaluatePolicy(x.mdp, pi);
  const scores = Array.from({ length: S }, (_, s) => Array.from({ length: A }, (_, a) => {
    const g = new Float64Array(param.numParams);
    param.addScore(theta, s, a, 1, g);
    return g;
  }));
  const states = Array.from({ length: S }, (_, s) => s).filter((s) => !x.mdp.terminal[s] && meanSquaredScore(scores[s]!, pi, s, A) > 1e-12);
  const rng = Rng.from(seed).split(x.label.length * 7919 + S * 31 + A);
  return { x, ev, pi, scores, states, b: Float64Array.from({ length: S }, () => 5 * rng.normal()), bAction: Float64Array.from({ length: S * A }, () => 5 * rng.normal()) };
}

const norm2 = (g: Float64Array) => g.reduce((acc, v) => acc + v * v, 0);

function meanSquaredScore(scores: Float64Array[], pi: Float64Array, s: number, A: number): number {
  let m = 0;
  for (let a = 0; a < A; a++) m += pi[s * A + a]! * norm2(scores[a]!);
  return m;
}

const wrap = (seed: number, xs: LibraryInstance[]): Instance<ScoreCase>[] => xs.map((x) => ({ label: x.label, data: scoreCase(x, seed) }));
/** Softmax and log-linear instances (the direct parameterization's unconstrained partials do not have zero mean). */
const smooth = (xs: LibraryInstance[]) => xs.filter((x) => x.policy.param.kind !== 'direct');
const general = (seed: number) => wrap(seed, smooth(randomInstances(seed)));
const withLibrary = (seed: number) => wrap(seed, smooth([...libraryInstances(), ...randomInstances(seed)]));
/** Uniform softmax policies: ‖∇log π(a|s)‖² = 1 − 1/A for every a, the independence assumption holds. */
const uniform = (seed: number) => wrap(seed, randomInstances(seed).filter((x) => x.policy.param.kind === 'softmax').map((x) => ({
  label: x.label.replace('softmax', 'uniform softmax'), mdp: x.mdp,
  policy: { param: softmaxPolicy(x.mdp.numStates, x.mdp.numActions), theta: new Float64Array(x.mdp.numStates * x.mdp.numActions) },
})));

/** Σ_a w_a · score_a in state s. */
function combine(c: ScoreCase, s: number, w: (a: number) => number): Float64Array {
  const out = new Float64Array(c.x.policy.param.numParams);
  c.scores[s]!.forEach((g, a) => { const k = w(a); for (let i = 0; i < g.length; i++) out[i] = out[i]! + k * g[i]!; });
  return out;
}

const A_ = (c: ScoreCase) => c.x.mdp.numActions;
const piOf = (c: ScoreCase, s: number, a: number) => c.pi[s * A_(c) + a]!;
const Qof = (c: ScoreCase, s: number, a: number) => c.ev.Q[s * A_(c) + a]!;
const maxScore = memo((c: ScoreCase) => Math.max(...c.scores.flat().map((g) => Math.max(...g.map(Math.abs)))));

/** Var(b) in state s by enumerating the actions: E‖g_b‖² − ‖E g_b‖². */
function variance(c: ScoreCase, s: number, b: number): number {
  let second = 0;
  for (let a = 0; a < A_(c); a++) second += piOf(c, s, a) * norm2(c.scores[s]![a]!) * (Qof(c, s, a) - b) ** 2;
  return second - norm2(combine(c, s, (a) => piOf(c, s, a) * (Qof(c, s, a) - b)));
}

/** b*(s) = E[‖∇log π‖² Q] / E[‖∇log π‖²]. */
function optimalBaseline(c: ScoreCase, s: number): number {
  let num = 0, den = 0;
  for (let a = 0; a < A_(c); a++) { const w = piOf(c, s, a) * norm2(c.scores[s]![a]!); num += w * Qof(c, s, a); den += w; }
  return num / den;
}

/** The vertex of the parabola b ↦ Var(b) through b0 − h, b0, b0 + h. */
function vertex(c: ScoreCase, s: number): number {
  const b0 = c.ev.V[s]!, h = 1 + Math.abs(b0);
  const lo = variance(c, s, b0 - h), mid = variance(c, s, b0), hi = variance(c, s, b0 + h);
  return b0 - (h * (hi - lo)) / (2 * (hi - 2 * mid + lo));
}

/** Σ_s η(s) Σ_a π(a|s) ∇log π(a|s) (Q(s,a) − b). */
function baselineGradient(c: ScoreCase, b: (s: number, a: number) => number): Float64Array {
  const g = new Float64Array(c.x.policy.param.numParams);
  for (let s = 0; s < c.x.mdp.numStates; s++) {
    if (c.x.mdp.terminal[s] || c.ev.eta[s] === 0) continue;
    const v = combine(c, s, (a) => c.ev.eta[s]! * piOf(c, s, a) * (Qof(c, s, a) - b(s, a)));
    for (let i = 0; i < g.length; i++) g[i] = g[i]! + v[i]!;
  }
  return g;
}

/** The rows π(a|s)∇log π(a|s) and ∇π(a|s) (from `addDProbs` with w = e_a), concatenated. */
function dProbs(c: ScoreCase): Float64Array[] {
  const { param, theta } = c.x.policy;
  return c.states.flatMap((s) => c.scores[s]!.map((_, a) => {
    const out = new Float64Array(param.numParams);
    const w = new Float64Array(A_(c));
    w[a] = 1;
    param.addDProbs(theta, s, w, 0, out);
    return out;
  }));
}

const flat = (xs: Float64Array[]) => Float64Array.from(xs.flatMap((x) => Array.from(x)));

export const scoreChecks = [
  defineStep<ScoreCase>({
    key: 'score.log-derivative', exact: false, implementedBy: ['Parameterization.addScore', 'Parameterization.addDProbs'],
    lhsIs: 'π(a|s) ∇log π(a|s) from the library\'s score', rhsIs: '∇π(a|s) from the library\'s derivative of the probabilities',
    instances: withLibrary,
    lhs: (c) => flat(c.states.flatMap((s) => c.scores[s]!.map((g, a) => g.map((v) => piOf(c, s, a) * v)))),
    rhs: (c) => flat(dProbs(c)),
    control: { description: 'the score itself in place of π ∇log π (the factor π(a|s) lost)', instances: general, lhs: (c) => flat(c.states.flatMap((s) => c.scores[s]!)) },
  }),
  defineStep<ScoreCase>({
    key: 'score.zero-mean', exact: false, implementedBy: ['Parameterization.addScore'],
    lhsIs: 'Σ_a π(a|s) ∇log π(a|s) in every state, with the library\'s score', rhsIs: '0 (relative to the largest score entry)',
    instances: withLibrary,
    lhs: (c) => flat(c.states.map((s) => combine(c, s, (a) => piOf(c, s, a)))),
    rhs: (c) => new Float64Array(c.states.length * c.x.policy.param.numParams),
    scale: (c) => maxScore(c),
    control: { description: '∇π(a|s) in place of ∇log π(a|s) (the division by π forgotten)', instances: general, lhs: (c) => { const d = dProbs(c); let k = 0; return flat(c.states.map((s) => { const out = new Float64Array(d[0]!.length); for (let a = 0; a < A_(c); a++, k++) d[k]!.forEach((v, i) => { out[i] = out[i]! + piOf(c, s, a) * v; }); return out; })); } },
  }),
  defineStep<ScoreCase>({
    key: 'score.baseline-unbiased', exact: false, tolerance: 1e-8, implementedBy: ['Parameterization.addScore', 'evaluatePolicy', 'gradientForwardMode'],
    lhsIs: 'Σ_s η(s) Σ_a π ∇log π (Q(s,a) − b(s)) with a random baseline b(s)', rhsIs: '∇J by forward-mode AD through the solve',
    instances: withLibrary,
    lhs: (c) => baselineGradient(c, (s) => c.b[s]!),
    rhs: (c) => gradientForwardMode(c.x.mdp, c.x.policy),
    control: { description: 'a baseline b(s,a) that depends on the action', instances: general, lhs: (c) => baselineGradient(c, (s, a) => c.bAction[s * A_(c) + a]!) },
  }),
  defineStep<ScoreCase>({
    key: 'score.variance-decomposition', exact: false, implementedBy: ['Parameterization.addScore', 'evaluatePolicy'],
    lhsIs: 'Var(b) by enumerating a ∼ π(·|s), for b ∈ {0, V(s), random}', rhsIs: 'Var(b*) + (b − b*)² E‖∇log π‖²',
    instances: withLibrary,
    lhs: (c) => c.states.flatMap((s) => [0, c.ev.V[s]!, c.b[s]!].map((b) => variance(c, s, b))),
    rhs: (c) => c.states.flatMap((s) => {
      const bs = optimalBaseline(c, s), m2 = meanSquaredScore(c.scores[s]!, c.pi, s, A_(c));
      return [0, c.ev.V[s]!, c.b[s]!].map((b) => variance(c, s, bs) + (b - bs) ** 2 * m2);
    }),
    control: {
      description: 'V(s) in place of b* in the decomposition (the approximation used as the optimum)', instances: general,
      rhs: (c) => c.states.flatMap((s) => {
        const bs = c.ev.V[s]!, m2 = meanSquaredScore(c.scores[s]!, c.pi, s, A_(c));
        return [0, c.ev.V[s]!, c.b[s]!].map((b) => variance(c, s, bs) + (b - bs) ** 2 * m2);
      }),
    },
  }),
  defineStep<ScoreCase>({
    key: 'score.optimal-baseline', exact: false, tolerance: 1e-7, implementedBy: ['Parameterization.addScore', 'evaluatePolicy'],
    lhsIs: 'b*(s) = Σ_a π ‖∇log π‖² Q / Σ_a π ‖∇log π‖²', rhsIs: 'the minimizer of the enumerated Var(b) (vertex of the parabola through three values)',
    instances: withLibrary,
    lhs: (c) => c.states.map((s) => optimalBaseline(c, s)),
    rhs: (c) => c.states.map((s) => vertex(c, s)),
    scale: (c) => Math.max(...c.states.map((s) => Math.abs(c.ev.V[s]!)), 1),
    control: { description: 'V(s) as the minimizer', instances: general, lhs: (c) => c.states.map((s) => c.ev.V[s]!) },
  }),
  defineStep<ScoreCase>({
    key: 'score.independence-approximation', exact: false, implementedBy: ['evaluatePolicy', 'Parameterization.addScore'],
    approximation: { assumption: '‖∇log π(a|s)‖² does not vary with a (uniform softmax policies)' },
    lhsIs: 'b*(s), the exact optimum', rhsIs: 'V(s) = E_a[Q(s,a)], the baseline of the independence approximation',
    instances: uniform,
    lhs: (c) => c.states.map((s) => optimalBaseline(c, s)),
    rhs: (c) => c.states.map((s) => c.ev.V[s]!),
    scale: (c) => Math.max(...c.states.map((s) => Math.abs(c.ev.V[s]!)), 1),
    control: { description: 'the approximation taken as exact on general policies', instances: general },
  }),
];
