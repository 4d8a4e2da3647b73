/**
 * The exact solver for piecewise-linear per-state problems: the trivial, PPO and c·TV
 * drifts, with the trivial neighbourhood or a TV ball.
 *
 * Problem: maximize Σ_a φ_a(x_a) over the simplex, φ_a concave piecewise linear, subject
 * (for a TV ball of radius δ) to Σ_a (x_a − p_a)⁺ ≤ δ, where p = π(·|s).
 *
 * Method (an exchange greedy): start at x = p and repeatedly move probability from the
 * action whose next piece *below* x has the lowest slope to the action whose next piece
 * *above* x has the highest slope, as far as both pieces and the TV budget allow, while the
 * gain (highest slope − lowest slope) is positive. Why it is exact: writing x = p + u − v
 * with u, v ≥ 0 and Σu = Σv = t, the best value for a given t is U(t) + L(t), with U the
 * greedy fill of the concave gains Σ_a [φ_a(p_a + u_a) − φ_a(p_a)] and L that of the losses —
 * both concave in t, so t is increased exactly while U′(t) + L′(t) = (highest slope) −
 * (lowest slope) > 0 and δ is not spent. An action never both gains and loses: concavity
 * makes its slope above p no larger than below p. The result is optimal up to rounding, in
 * at most (number of pieces + 1) moves, and when no move gains it returns p itself — ties
 * stay at the old policy, so an optimal policy is a fixed point.
 *
 * A move is taken only when it gains more than `tieTolerance` (default 1e-12) times the
 * largest |slope|: rounding-level "gains" do not move the policy.
 *
 * @module
 */
import type { ActionPieces } from './problem.js';

/** The default relative gain below which a move is a tie and is not taken. */
export const TIE_TOLERANCE = 1e-12;

/** The exchange solution: the new row and the probability mass moved (= TV distance). */
export interface ExchangeResult {
  readonly x: Float64Array;
  readonly moved: number;
}

/** The index of the piece just above position `pos` (−1 past the end), and just below it. */
function pieceAbove(P: ActionPieces, pos: number): number {
  for (let j = 0; j < P.alpha.length; j++) if (P.bounds[j + 1]! > pos) return j;
  return -1;
}
function pieceBelow(P: ActionPieces, pos: number): number {
  for (let j = P.alpha.length - 1; j >= 0; j--) if (P.bounds[j]! < pos) return j;
  return -1;
}

/**
 * Maximizes Σ_a φ_a(x_a) over the simplex with Σ_a (x_a − p_a)⁺ ≤ `budget` (Infinity for no
 * ball). `p[offset + a]` is the old row. Every φ_a must be piecewise linear.
 */
export function exchangeSolve(pieces: readonly ActionPieces[], p: ArrayLike<number>, offset: number, budget = Infinity, tieTolerance = TIE_TOLERANCE): ExchangeResult {
  const A = pieces.length;
  const up = new Float64Array(A), down = new Float64Array(A);
  const ju = new Int32Array(A), jd = new Int32Array(A);
  let scale = 0, totalPieces = 0;
  for (let a = 0; a < A; a++) {
    const P = pieces[a]!;
    up[a] = down[a] = p[offset + a]!;
    ju[a] = pieceAbove(P, up[a]!);
    jd[a] = pieceBelow(P, down[a]!);
    for (let j = 0; j < P.alpha.length; j++) scale = Math.max(scale, Math.abs(P.alpha[j]!));
    totalPieces += P.alpha.length;
  }
  const tol = tieTolerance * scale;
  let left = budget, moved = 0;
  // every move exhausts a piece (of the gainer or the loser) or the budget
  for (let guard = 0; guard < 2 * totalPieces + 2 && left > 0; guard++) {
    let ia = -1, ib = -1;
    for (let a = 0; a < A; a++) {
      if (ju[a]! >= 0 && (ia < 0 || pieces[a]!.alpha[ju[a]!]! > pieces[ia]!.alpha[ju[ia]!]!)) ia = a;
      if (jd[a]! >= 0 && (ib < 0 || pieces[a]!.alpha[jd[a]!]! < pieces[ib]!.alpha[jd[ib]!]!)) ib = a;
    }
    if (ia < 0 || ib < 0 || ia === ib) break;
    const Pa = pieces[ia]!, Pb = pieces[ib]!;
    if (!(Pa.alpha[ju[ia]!]! - Pb.alpha[jd[ib]!]! > tol)) break;
    const roomUp = Pa.bounds[ju[ia]! + 1]! - up[ia]!, roomDown = down[ib]! - Pb.bounds[jd[ib]!]!;
    const t = Math.min(roomUp, roomDown, left);
    if (t === roomUp) { up[ia] = Pa.bounds[ju[ia]! + 1]!; ju[ia] = ju[ia]! + 1 < Pa.alpha.length ? ju[ia]! + 1 : -1; }
    else up[ia] = up[ia]! + t;
    if (t === roomDown) { down[ib] = Pb.bounds[jd[ib]!]!; jd[ib] = jd[ib]! - 1; }
    else down[ib] = down[ib]! - t;
    left -= t;
    moved += t;
  }
  const x = new Float64Array(A);
  // an action only gains or only loses (see the module comment)
  for (let a = 0; a < A; a++) x[a] = Math.min(1, Math.max(0, up[a] !== p[offset + a] ? up[a]! : down[a]!));
  return { x, moved };
}
