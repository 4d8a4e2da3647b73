/**
 * Drift functionals of mirror learning (Kuba, de Witt & Foerster 2022;
 * Lehmann 2024, Definition 5.1).
 *
 * A drift D_π(π̄|s) ≥ 0 measures how far a candidate π̄ moves from the current policy π
 * in state s. Definition 5.1 asks for, at every s and for all π, π̄:
 *
 * 1. non-negativity  D_π(π̄|s) ≥ 0;
 * 2. D_π(π|s) = 0;
 * 3. a zero Gâteaux derivative at π̄ = π in every direction h of the simplex
 *    (Σ_a h_a = 0): lim_{t→0⁺} D_π(π + t h|s) / t = 0.
 *
 * The drift *weighted by a state distribution* ν is D^ν_π(π̄) = Σ_s ν(s) D_π(π̄|s)
 * (Definition 5.1; ν may depend on π, as d_π does, but in pgtruth not on π̄, so that the
 * update of eq. 26 decouples over states).
 *
 * pgtruth's drifts are **separable**: D_π(π̄|s) = Σ_a ψ(π̄(a|s); π(a|s), A_π(s,a)) with ψ
 * convex in its first argument. Every built-in drift has this form (trivial, PPO's, the
 * KL drift of MDPO, c·TV), and so must a user-supplied one: the exact update solves a
 * separable concave problem per state (see `update.ts`). A {@link TermShape} tells the
 * solver where ψ has kinks and what its derivative is between them.
 *
 * @module
 */
import { fail, show } from '../errors.js';

/** What a separable drift sees of one action in one state. */
export interface ActionContext {
  readonly s: number;
  readonly a: number;
  /** π(a|s), the current (old) policy. */
  readonly p: number;
  /** A_π(s,a), the current policy's advantage. */
  readonly adv: number;
}

/**
 * The solver's description of a convex function ψ(x) of one probability x ∈ [0, 1]
 * (p = π(a|s) is the reference probability). Between consecutive kinks,
 *
 * ψ′(x) = slopes[k] + κ (ln x − ln p + 1) − b / x + ψ′_custom(x),
 *
 * i.e. ψ is a piecewise-linear part, plus κ·x ln(x/p) (entropy-like; the reverse KL),
 * plus b·ln(1/x) (a log barrier; the forward KL has b = p), plus an optional smooth
 * user part.
 */
export interface TermShape {
  /** Breakpoints in (0, 1), strictly increasing. */
  readonly kinks: readonly number[];
  /** The piecewise-constant part of ψ′ on each of the kinks.length + 1 pieces (non-decreasing). */
  readonly slopes: readonly number[];
  /** κ ≥ 0: the coefficient of x ln(x/p). Needs p > 0 (else set `zeroOnly`). */
  readonly entropy: number;
  /** b ≥ 0: the coefficient of ln(1/x). */
  readonly barrier: number;
  /** ψ(x) = +∞ for every x > 0: the solver fixes x = 0. */
  readonly zeroOnly: boolean;
  /** A smooth user part of ψ′ on the open pieces (non-decreasing); the solver then bisects. */
  readonly derivative?: (x: number) => number;
}

/** A separable drift functional D_π(π̄|s) = Σ_a ψ(π̄(a|s); π(a|s), A_π(s,a)). */
export interface Drift {
  /** A short name for tables, e.g. `ppo:0.2`. */
  readonly name: string;
  /** ψ(x; ctx) for x = π̄(a|s). Must be finite for x in the support the drift allows. */
  term(x: number, ctx: ActionContext): number;
  /** The solver's view of ψ(·; ctx). */
  shape(ctx: ActionContext): TermShape;
  /** True for the trivial drift (D ≡ 0), so that reports can say so. */
  readonly trivial?: boolean;
}

/** A piecewise-linear shape with no smooth part. */
export function linearShape(kinks: readonly number[], slopes: readonly number[]): TermShape {
  return { kinks, slopes, entropy: 0, barrier: 0, zeroOnly: false };
}

/** True when a shape is piecewise linear (the exact exchange solver applies). */
export function isPiecewiseLinear(t: TermShape): boolean {
  return t.entropy === 0 && t.barrier === 0 && !t.zeroOnly && t.derivative === undefined;
}

/** Context for action a in state s. */
export function actionContext(s: number, a: number, piOld: ArrayLike<number>, adv: ArrayLike<number>, A: number): ActionContext {
  return { s, a, p: piOld[s * A + a]!, adv: adv[s * A + a]! };
}

/**
 * D_π(π̄|s) = Σ_a ψ(π̄(a|s); π(a|s), A_π(s,a)) for every state. Throws `MIRROR_DRIFT`
 * naming (s, a) when ψ is NaN or −∞ there, and `DIVERGENCE_INFINITE` when it is +∞
 * (π̄ puts mass where the drift forbids it, e.g. where π(a|s) = 0 for the KL drift).
 */
export function driftPerState(drift: Drift, piOld: ArrayLike<number>, piNew: ArrayLike<number>, adv: ArrayLike<number>, S: number, A: number): Float64Array {
  const out = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    let tot = 0;
    for (let a = 0; a < A; a++) tot += driftTerm(drift, piNew[s * A + a]!, actionContext(s, a, piOld, adv, A));
    out[s] = tot;
  }
  return out;
}

/** One checked term ψ(x; ctx). */
export function driftTerm(drift: Drift, x: number, ctx: ActionContext): number {
  const v = drift.term(x, ctx);
  if (v === Infinity) fail('DIVERGENCE_INFINITE', `drift ${drift.name} is infinite at state ${ctx.s}, action ${ctx.a}: π̄ = ${show(x)} where π = ${show(ctx.p)}`, { where: `state ${ctx.s}, action ${ctx.a}`, value: x });
  if (!Number.isFinite(v)) fail('MIRROR_DRIFT', `drift ${drift.name} returned ${show(v)} at state ${ctx.s}, action ${ctx.a} (π̄ = ${show(x)}, π = ${show(ctx.p)}, A = ${show(ctx.adv)})`, { where: `state ${ctx.s}, action ${ctx.a}`, value: v });
  return v;
}

/**
 * The drift weighted by a state distribution: D^ν_π(π̄) = Σ_s ν(s) D_π(π̄|s)
 * (Lehmann 2024, Definition 5.1; Kuba et al. 2022).
 */
export function weightedDrift(perState: ArrayLike<number>, nu: ArrayLike<number>): number {
  let tot = 0;
  for (let s = 0; s < perState.length; s++) if (nu[s]! !== 0) tot += nu[s]! * perState[s]!;
  return tot;
}

/** A positive finite parameter of a drift, or `MIRROR_DRIFT` naming it. */
export function positiveParameter(value: number, name: string, drift: string): number {
  if (!(Number.isFinite(value) && value > 0)) fail('MIRROR_DRIFT', `${drift}: ${name} is ${show(value)}; it must be a positive finite number`, { where: name, value });
  return value;
}
