/**
 * The general per-state solver: maximize Σ_a φ_a(x_a) over the simplex for concave φ_a
 * given by pieces (see `problem.ts`), by its Lagrange dual in the multiplier λ of
 * Σ_a x_a = 1.
 *
 * For a fixed λ each action solves a concave problem of one variable,
 * x_a(λ) = argmax_{x∈[0,1]} φ_a(x) − λx, the point where the (super)derivative φ_a′ crosses
 * λ: found piece by piece — in closed form when φ_a′ = α − β ln x (x = e^{(α−λ)/β}) or
 * α + γ/x (x = γ/(λ−α)), by Newton's method in t = ln x when both terms are present
 * (g(t) = α − λ − βt + γe^{−t} is convex and decreasing, so Newton started left of the root
 * increases monotonically to it), and by bisection for a user derivative. Σ_a x_a(λ) is
 * non-increasing in λ, and λ* with Σ_a x_a(λ*) = 1 is found by Brent's method on a bracket
 * built from the slopes at x = 1/A (see `root.ts`). Since the problem is concave and the
 * constraint linear, strong duality holds and x(λ*) is the maximizer.
 *
 * Where some φ_a is linear on a piece, x_a(λ) is an interval at λ equal to that slope;
 * the solver then takes the point of [Σ x⁻, Σ x⁺] ∋ 1 on the segment between the smallest
 * and largest maximizers, which is again optimal.
 *
 * Tolerance: λ is found to machine precision (Brent, x-tolerance 4ε_mach·max|slope at 1/A|);
 * the answer is the combination of the maximizers at the two ends of the final bracket
 * that sums to 1, and `residual` reports how far from 1 their sums were (0 when an end is
 * an exact root).
 *
 * @module
 */
import { fail, show } from '../errors.js';
import { pieceSlope, type ActionPieces } from './problem.js';
import { brentRoot } from './root.js';

/** A solution on the simplex with the dual multiplier λ. */
export interface SimplexSolution {
  readonly x: Float64Array;
  readonly lambda: number;
  /**
   * How far from 1 the sums Σx(λ) at the two ends of the final λ-bracket were: 0 when an
   * end is an exact root, else the jump of Σx at λ* — exact for linear pieces, and the
   * resolution of λ when a barrier or entropy coefficient is tiny.
   */
  readonly residual: number;
}

function checkedSlope(P: ActionPieces, j: number, x: number): number {
  const v = pieceSlope(P, j, x);
  if (Number.isNaN(v)) fail('MIRROR_DRIFT', `the per-state objective's derivative is NaN at x = ${show(x)} (a user drift or ball derivative is not defined there)`, { value: x });
  return v;
}

/** The root of α − λ − βt + γe^{−t} in t, from the left point t0 where it is positive; as x = e^t. */
function newtonLog(alpha: number, beta: number, gamma: number, lambda: number, t0: number): number {
  let t = Math.max(t0, -700);
  const g = (u: number) => alpha - lambda - beta * u + gamma * Math.exp(-u);
  if (!(g(t) > 0)) return Math.exp(t);
  for (let it = 0; it < 200; it++) {
    const e = gamma * Math.exp(-t);
    const step = (alpha - lambda - beta * t + e) / (beta + e);
    t += step;
    if (!(step > 1e-15 * Math.max(1, Math.abs(t)))) break;
  }
  return Math.exp(t);
}

/** The root of φ′ = λ strictly inside piece j = [lo, hi], where φ′(lo) > λ > φ′(hi). */
function rootInPiece(P: ActionPieces, j: number, lo: number, hi: number, lambda: number): number {
  const alpha = P.alpha[j]!;
  let x: number;
  if (P.custom) {
    let a = lo, b = hi;
    for (let it = 0; it < 200; it++) {
      const m = 0.5 * (a + b);
      if (m <= a || m >= b) break;
      if (checkedSlope(P, j, m) > lambda) a = m; else b = m;
    }
    x = 0.5 * (a + b);
  } else if (P.gamma === 0) x = Math.exp((alpha - lambda) / P.beta);
  else if (P.beta === 0) x = P.gamma / (lambda - alpha);
  else {
    // both t_β (the root without the barrier) and t_γ (without the entropy term, when it lies
    // left of the root) are left of the root; start from the nearer one
    const tBeta = (alpha - lambda) / P.beta;
    const tGamma = lambda > alpha ? Math.log(P.gamma / (lambda - alpha)) : -Infinity;
    x = newtonLog(alpha, P.beta, P.gamma, lambda, Math.max(tBeta, tGamma < 0 ? tGamma : -Infinity, lo > 0 ? Math.log(lo) : -Infinity));
  }
  return Math.min(hi, Math.max(lo, x));
}

/**
 * argmax_{x∈[0,1]} φ(x) − λx: the largest maximizer (`upper`) or the smallest one. They
 * differ only where φ is linear with slope exactly λ.
 */
export function actionArgmax(P: ActionPieces, lambda: number, upper: boolean): number {
  if (P.zeroOnly) return 0;
  const m = P.alpha.length;
  for (let j = 0; j < m; j++) {
    const lo = P.bounds[j]!, hi = P.bounds[j + 1]!;
    const dHi = checkedSlope(P, j, hi);
    if (upper ? dHi >= lambda : dHi > lambda) continue;
    const dLo = checkedSlope(P, j, lo);
    if (upper ? dLo < lambda : dLo <= lambda) return lo;
    return rootInPiece(P, j, lo, hi, lambda);
  }
  return 1;
}

/** φ′ just left (`side` −1) or right (+1) of x. */
function slopeNear(P: ActionPieces, x: number, side: -1 | 1): number {
  const m = P.alpha.length;
  for (let j = 0; j < m; j++) {
    const lo = P.bounds[j]!, hi = P.bounds[j + 1]!;
    if (side < 0 ? lo < x && x <= hi : lo <= x && x < hi) return checkedSlope(P, j, x);
  }
  return checkedSlope(P, m - 1, x);
}

const linearSomewhere = (P: ActionPieces) => P.beta === 0 && P.gamma === 0 && P.custom === undefined;

/** Σ_a x_a(λ), upper and lower, written into xu and xl. */
function sums(pieces: readonly ActionPieces[], lambda: number, xu: Float64Array, xl: Float64Array): [number, number] {
  let su = 0, sl = 0;
  for (let a = 0; a < pieces.length; a++) {
    const P = pieces[a]!;
    xu[a] = actionArgmax(P, lambda, true);
    xl[a] = linearSomewhere(P) ? actionArgmax(P, lambda, false) : xu[a]!;
    su += xu[a]!; sl += xl[a]!;
  }
  return [su, sl];
}

/** Maximizes Σ_a φ_a(x_a) over the simplex (see the module comment). Throws `MIRROR_DRIFT` when every action is fixed at 0. */
export function dualSolve(pieces: readonly ActionPieces[]): SimplexSolution {
  const A = pieces.length;
  const free = pieces.filter((P) => !P.zeroOnly).length;
  if (free === 0) fail('MIRROR_DRIFT', 'every action is excluded (the drift is infinite off the support of π, which is empty)');
  const xu = new Float64Array(A), xl = new Float64Array(A);
  const f = (lambda: number) => {
    const [su, sl] = sums(pieces, lambda, xu, xl);
    return sl <= 1 && 1 <= su ? 0 : su < 1 ? su - 1 : sl - 1;
  };
  const mid = 1 / free;
  let top = -Infinity, bottom = Infinity;
  for (const P of pieces) if (!P.zeroOnly) { top = Math.max(top, slopeNear(P, mid, -1)); bottom = Math.min(bottom, slopeNear(P, mid, 1)); }
  let hi = top, lo = bottom, fhi = 0, flo = 0;
  for (let k = 0, step = Math.max(Math.abs(top) * 1e-12, 1e-300); k < 2000; k++, step *= 2) { hi = top + step; fhi = f(hi); if (fhi <= 0) break; }
  for (let k = 0, step = Math.max(Math.abs(bottom) * 1e-12, 1e-300); k < 2000; k++, step *= 2) { lo = bottom - step; flo = f(lo); if (flo >= 0) break; }
  // λ to machine precision relative to the slopes' scale
  const xtol = 4 * Number.EPSILON * Math.max(Math.abs(lo), Math.abs(hi));
  const br = flo === 0 ? { x: lo, other: lo } : fhi === 0 ? { x: hi, other: hi } : brentRoot(f, lo, hi, flo, fhi, { what: 'the simplex multiplier λ', xtol });
  return combine(pieces, Math.min(br.x, br.other), Math.max(br.x, br.other));
}

/**
 * The point on the simplex from the final bracket λa ≤ λb (Σx⁻(λa) ≥ 1 or λa is a root;
 * Σx⁺(λb) ≤ 1 or λb is a root): at a root, the point of [x⁻, x⁺] summing to 1; otherwise
 * the combination of x⁻(λa) and x⁺(λb) that sums to 1 (the two are equal to rounding
 * when the dual function is smooth, and the two sides of the jump when it is not).
 */
function combine(pieces: readonly ActionPieces[], la: number, lb: number): SimplexSolution {
  const A = pieces.length;
  const ua = new Float64Array(A), va = new Float64Array(A), ub = new Float64Array(A), vb = new Float64Array(A);
  const [sua, sla] = sums(pieces, la, ua, va);
  const [sub, slb] = lb === la ? [sua, sla] : sums(pieces, lb, ub, vb);
  let hiX: Float64Array, loX: Float64Array, hiS: number, loS: number, lambda: number, residual: number;
  if (sla <= 1 && 1 <= sua) { hiX = ua; loX = va; hiS = sua; loS = sla; lambda = la; residual = 0; }
  else if (slb <= 1 && 1 <= sub) { hiX = ub; loX = vb; hiS = sub; loS = slb; lambda = lb; residual = 0; }
  else { hiX = va; loX = ub; hiS = sla; loS = sub; lambda = 0.5 * (la + lb); residual = Math.max(sla - 1, 1 - sub); }
  if (!(hiS >= 1 && loS <= 1)) fail('SOLVER_NOT_CONVERGED', `the per-state solver's bracket does not enclose Σx = 1 (Σ = ${show(loS)} … ${show(hiS)})`);
  const theta = hiS > loS ? (1 - loS) / (hiS - loS) : 1;
  const x = new Float64Array(A);
  let total = 0;
  for (let a = 0; a < A; a++) { x[a] = loX[a]! + theta * (hiX[a]! - loX[a]!); total += x[a]!; }
  for (let a = 0; a < A; a++) {
    x[a] = x[a]! / total;
    // an entropy or barrier term makes the true maximizer positive: undo an underflow to 0
    const P = pieces[a]!;
    if (x[a] === 0 && !P.zeroOnly && (P.beta > 0 || P.gamma > 0)) x[a] = Number.MIN_VALUE;
  }
  return { x, lambda, residual: Math.max(residual, Math.abs(total - 1)) };
}
