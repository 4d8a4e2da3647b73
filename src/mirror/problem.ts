/**
 * The per-state problem of the mirror-learning update, as a sum of concave functions of
 * one variable each (one per action).
 *
 * In state s, with weight w = ν(s)/d(s) on the drift and, when a ball constraint is
 * priced in by a Lagrange multiplier μ ≥ 0, the update maximizes over the simplex
 *
 * Σ_a φ_a(x_a),   φ_a(x) = A_π(s,a) x − w ψ(x; π(a|s), A_π(s,a)) − μ χ(x; π(a|s)),
 *
 * which equals E_{a∼π̄}[Q_π(s,a)] − w D_π(π̄|s) − μ C_π(π̄|s) up to the constant V_π(s)
 * (because Σ_a π̄(a|s) = 1). Each φ_a is concave because ψ and χ are convex. Between the
 * merged kinks of ψ and χ,
 *
 * φ_a′(x) = α_j − β ln x + γ / x + φ_custom′(x),
 *
 * with α_j collecting A_π(s,a) and the piecewise-constant slopes, β = w κ_ψ + μ κ_χ
 * (entropy parts) and γ = w b_ψ + μ b_χ (barrier parts).
 *
 * @module
 */
import { fail, show } from '../errors.js';
import type { TermShape } from './drift-functional.js';

/** One action's concave φ on [0, 1], by pieces. */
export interface ActionPieces {
  /** b_0 = 0 < b_1 < … < b_{m+1} = 1. */
  readonly bounds: Float64Array;
  /** α_j on piece j = [b_j, b_{j+1}]. */
  readonly alpha: Float64Array;
  readonly beta: number;
  readonly gamma: number;
  readonly custom: ((x: number) => number) | undefined;
  /** x is fixed at 0. */
  readonly zeroOnly: boolean;
}

/** Throws `MIRROR_DRIFT` unless a shape is well formed (kinks increasing in (0,1), slopes non-decreasing, κ, b ≥ 0). */
export function checkShape(t: TermShape, what: string): void {
  const bad = (msg: string, value: unknown): never => fail('MIRROR_DRIFT', `${what}: ${msg}`, { where: what, value });
  if (t.slopes.length !== t.kinks.length + 1) bad(`${t.kinks.length} kinks need ${t.kinks.length + 1} slopes, got ${t.slopes.length}`, t.slopes.length);
  t.kinks.forEach((k, i) => {
    if (!(k > 0 && k < 1) || (i > 0 && !(k > t.kinks[i - 1]!))) bad(`kink ${i} is ${show(k)}; kinks must increase strictly within (0, 1)`, k);
  });
  t.slopes.forEach((v, i) => {
    if (!Number.isFinite(v)) bad(`slope ${i} is ${show(v)}`, v);
    if (i > 0 && v < t.slopes[i - 1]!) bad(`slopes must not decrease (convexity), but slope ${i} = ${show(v)} < ${show(t.slopes[i - 1])}`, v);
  });
  if (!(t.entropy >= 0 && Number.isFinite(t.entropy))) bad(`entropy coefficient is ${show(t.entropy)}`, t.entropy);
  if (!(t.barrier >= 0 && Number.isFinite(t.barrier))) bad(`barrier coefficient is ${show(t.barrier)}`, t.barrier);
}

/** The merged, strictly increasing breakpoints 0 = b_0 < … < 1 of two increasing kink lists. */
function mergeBounds(a: readonly number[], b: readonly number[]): Float64Array {
  const out = new Float64Array(a.length + b.length + 2);
  let n = 1, i = 0, j = 0;
  while (i < a.length || j < b.length) {
    const v = j >= b.length || (i < a.length && a[i]! <= b[j]!) ? a[i++]! : b[j++]!;
    if (v > out[n - 1]!) out[n++] = v;
  }
  out[n++] = 1;
  return n === out.length ? out : out.slice(0, n);
}

/** The slope of a piecewise-linear shape on the piece containing the open interval around `mid`. */
function slopeAt(t: TermShape, mid: number): number {
  let j = 0;
  while (j < t.kinks.length && t.kinks[j]! <= mid) j++;
  return t.slopes[j]!;
}

/**
 * φ_a split into the part without the ball and the ball's part per unit μ, so that the
 * multiplier search re-prices the ball without rebuilding the pieces:
 * α_j(μ) = α⁰_j + μ α¹_j, β(μ) = β⁰ + μ β¹, γ(μ) = γ⁰ + μ γ¹.
 */
export interface PricedPieces {
  readonly bounds: Float64Array;
  readonly alpha0: Float64Array;
  readonly alpha1: Float64Array;
  readonly beta0: number;
  readonly beta1: number;
  readonly gamma0: number;
  readonly gamma1: number;
  readonly driftCustom: ((x: number) => number) | undefined;
  readonly ballCustom: ((x: number) => number) | undefined;
  readonly w: number;
  readonly zeroOnly: boolean;
}

/** The entropy constant κ(ln p − 1) (0 when κ = 0). */
function entropyConstant(kappa: number, p: number): number {
  return kappa > 0 ? kappa * (Math.log(p) - 1) : 0;
}

/**
 * φ_a for advantage `adv`, reference probability `p`, drift shape `drift` with weight `w`,
 * and an optional ball shape (priced later by μ, see {@link priceAt}).
 */
export function pricedPieces(adv: number, p: number, drift: TermShape, w: number, ball?: TermShape): PricedPieces {
  const useDrift = w > 0;
  const zeroOnly = (useDrift && drift.zeroOnly) || (ball?.zeroOnly ?? false);
  const bounds = mergeBounds(useDrift ? drift.kinks : [], ball ? ball.kinks : []);
  const kD = useDrift ? w * drift.entropy : 0, kB = ball ? ball.entropy : 0;
  if ((kD > 0 || kB > 0) && !(p > 0) && !zeroOnly) fail('MIRROR_DRIFT', `an entropy term x ln(x/p) needs p > 0, got p = ${show(p)}`, { value: p });
  const alpha0 = new Float64Array(bounds.length - 1), alpha1 = new Float64Array(bounds.length - 1);
  for (let j = 0; j < alpha0.length; j++) {
    const mid = 0.5 * (bounds[j]! + bounds[j + 1]!);
    alpha0[j] = adv - (useDrift ? w * slopeAt(drift, mid) : 0) + entropyConstant(kD, p);
    alpha1[j] = ball ? -slopeAt(ball, mid) + entropyConstant(kB, p) : 0;
  }
  return {
    bounds, alpha0, alpha1, beta0: kD, beta1: kB, gamma0: useDrift ? w * drift.barrier : 0, gamma1: ball ? ball.barrier : 0,
    driftCustom: useDrift ? drift.derivative : undefined, ballCustom: ball?.derivative, w, zeroOnly,
  };
}

/** The pieces of φ_a at ball price μ ≥ 0. */
export function priceAt(P: PricedPieces, mu: number): ActionPieces {
  const alpha = mu === 0 ? P.alpha0 : P.alpha0.map((a0, j) => a0 + mu * P.alpha1[j]!);
  const dc = P.driftCustom, bc = mu > 0 ? P.ballCustom : undefined;
  const custom = dc || bc ? (x: number) => -(dc ? P.w * dc(x) : 0) - (bc ? mu * bc(x) : 0) : undefined;
  return { bounds: P.bounds, alpha, beta: P.beta0 + mu * P.beta1, gamma: P.gamma0 + mu * P.gamma1, custom, zeroOnly: P.zeroOnly };
}

/** φ_a with the ball priced at μ (see {@link pricedPieces}). */
export function actionPieces(adv: number, p: number, drift: TermShape, w: number, ball?: TermShape, mu = 0): ActionPieces {
  return priceAt(pricedPieces(adv, p, drift, w, ball), mu);
}

/** φ′ on piece j at x (x may be a piece end; x = 0 gives +∞ when β or γ is positive). */
export function pieceSlope(P: ActionPieces, j: number, x: number): number {
  let v = P.alpha[j]!;
  if (P.beta > 0) v -= P.beta * Math.log(x);
  if (P.gamma > 0) v += P.gamma / x;
  if (P.custom) v += P.custom(x);
  return v;
}

