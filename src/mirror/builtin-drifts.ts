/**
 * The built-in drifts besides PPO's (see `ppo.ts`): the trivial drift, the KL drift of
 * MDPO, c·TV (which breaks the zero-derivative condition — a negative control), and
 * user-supplied separable drifts.
 *
 * @module
 */
import { fail } from '../errors.js';
import { linearShape, positiveParameter, type ActionContext, type Drift, type TermShape } from './drift-functional.js';

/**
 * The trivial drift D ≡ 0. With the trivial neighbourhood, mirror learning is
 * generalized policy iteration (REINFORCE/A3C in the limit; Lehmann 2024, §5.2.2).
 */
export const trivialDrift: Drift = {
  name: 'trivial',
  trivial: true,
  term: () => 0,
  shape: () => linearShape([], [0]),
};

/** x ln(x/p) with 0 ln 0 = 0, accurate near x = p (log1p) and far from it; +∞ when p = 0 < x. */
export function xLogRatio(x: number, p: number): number {
  if (x === 0) return 0;
  if (p === 0) return Infinity;
  return Math.abs(x - p) < 0.5 * p ? x * Math.log1p((x - p) / p) : x * Math.log(x / p);
}

/**
 * The KL drift of mirror-descent policy optimization (MDPO; Tomar et al. 2020):
 * D_π(π̄|s) = c · KL(π̄(·|s) ‖ π(·|s)) = c Σ_a π̄(a|s) ln(π̄(a|s)/π(a|s)).
 * Convex in π̄ (strictly on the support of π), zero at π̄ = π, and its gradient
 * c(ln(π̄/π) + 1) is the constant c at π̄ = π, which is orthogonal to every direction of
 * the simplex (Σ_a h_a = 0): the Gâteaux derivative is zero. Infinite where π̄ puts mass
 * on an action π does not take. Throws `MIRROR_DRIFT` unless c > 0.
 */
export function klDrift(c: number): Drift {
  positiveParameter(c, 'c', 'kl drift');
  return {
    name: `kl:${c}`,
    term: (x, ctx) => c * xLogRatio(x, ctx.p),
    shape: (ctx): TermShape => (ctx.p > 0 ? { kinks: [], slopes: [0], entropy: c, barrier: 0, zeroOnly: false } : { kinks: [], slopes: [0], entropy: 0, barrier: 0, zeroOnly: true }),
  };
}

/**
 * c·TV: D_π(π̄|s) = c · ½ Σ_a |π̄(a|s) − π(a|s)|. Non-negative, zero at π̄ = π and
 * convex — but its Gâteaux derivative at π̄ = π in direction h is c·½Σ_a|h_a| ≠ 0, so it
 * is **not** a drift in the sense of Definition 5.1. Mirror learning with it can stop at a
 * suboptimal policy (an improving move must gain more than c per unit of probability
 * moved): the negative control of the zero-derivative condition.
 */
export function tvDrift(c: number): Drift {
  positiveParameter(c, 'c', 'tv drift');
  return {
    name: `tv:${c}`,
    term: (x, ctx) => (c / 2) * Math.abs(x - ctx.p),
    shape: (ctx) => tvShape(ctx.p, c / 2),
  };
}

/** The shape of k·|x − p|: one kink at p (when 0 < p < 1), slopes −k and +k. */
export function tvShape(p: number, k: number): TermShape {
  if (p <= 0) return linearShape([], [k]);
  if (p >= 1) return linearShape([], [-k]);
  return linearShape([p], [-k, k]);
}

/** What a user gives for a separable drift ψ(π̄(a|s); π(a|s), A_π(s,a)). */
export interface CustomDriftSpec {
  readonly name: string;
  /** ψ(x; ctx), convex in x ∈ [0, 1], ≥ 0, with ψ(p; ctx) = 0. */
  term(x: number, ctx: ActionContext): number;
  /** The full solver shape (kinks, piecewise-linear slopes, entropy, barrier); or give `derivative`. */
  shape?(ctx: ActionContext): TermShape;
  /** ψ′(x; ctx) between kinks (non-decreasing in x), used when `shape` is absent. */
  derivative?(x: number, ctx: ActionContext): number;
  /** ψ's kinks in (0, 1) (default none), used with `derivative`. */
  kinks?(ctx: ActionContext): readonly number[];
}

/**
 * A user-supplied separable drift. Give its derivative (and kinks), or a full
 * {@link TermShape}: the update solves the per-state problem with it (see `update.ts`).
 * The drift conditions of Definition 5.1 are the user's promise; `conditions.ts` checks
 * them numerically. Throws `MIRROR_DRIFT` when neither `shape` nor `derivative` is given.
 */
export function customDrift(spec: CustomDriftSpec): Drift {
  if (!spec.shape && !spec.derivative) fail('MIRROR_DRIFT', `user drift ${spec.name}: give shape(ctx) or derivative(x, ctx) so the update can be solved`, { where: spec.name });
  const shape = spec.shape
    ? (ctx: ActionContext) => spec.shape!(ctx)
    : (ctx: ActionContext): TermShape => {
      const kinks = spec.kinks?.(ctx) ?? [];
      return { kinks, slopes: new Array<number>(kinks.length + 1).fill(0), entropy: 0, barrier: 0, zeroOnly: false, derivative: (x) => spec.derivative!(x, ctx) };
    };
  return { name: spec.name, term: (x, ctx) => spec.term(x, ctx), shape };
}
