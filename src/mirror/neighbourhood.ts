/**
 * Neighbourhood operators N(π) of mirror learning (Kuba et al. 2022;
 * Lehmann 2024, §5): the set the update may choose π̄ from.
 *
 * - trivial: N(π) = Π, every policy;
 * - the average-KL ball (TRPO; Schulman et al. 2015): Σ_s d_π(s) KL(π(·|s) ‖ π̄(·|s)) ≤ δ —
 *   it couples the states;
 * - the max-KL ball: KL(π(·|s) ‖ π̄(·|s)) ≤ δ in every state;
 * - the TV ball: ½ Σ_a |π̄(a|s) − π(a|s)| ≤ δ in every state;
 * - a user-supplied ball: Σ_a χ(π̄(a|s); π(a|s)) ≤ δ with χ convex, χ(p; p) = 0, per state
 *   (`max`) or d-weighted (`average`).
 *
 * Each ball contains π (its centre) and, for δ > 0, a neighbourhood of it, as the
 * definition's closed-ball condition requires; δ ≤ 0 is refused (`MIRROR_NEIGHBOURHOOD`).
 *
 * @module
 */
import { fail, show } from '../errors.js';
import { tvShape } from './builtin-drifts.js';
import type { TermShape } from './drift-functional.js';

/** A separable convex constraint C_π(π̄|s) = Σ_a χ(π̄(a|s); π(a|s)). */
export interface Ball {
  readonly name: string;
  /** χ(x; p); +∞ where x is not allowed. */
  term(x: number, p: number): number;
  /** The solver's view of χ(·; p) (see {@link TermShape}). */
  shape(p: number): TermShape;
}

/** The trivial neighbourhood, or a ball of radius δ taken per state (`max`) or d-weighted (`average`). */
export type Neighbourhood =
  | { readonly kind: 'none'; readonly name: string }
  | { readonly kind: 'ball'; readonly name: string; readonly ball: Ball; readonly delta: number; readonly mode: 'max' | 'average' };

/** p ln(p/x) with 0 ln(0/x) = 0; +∞ when x = 0 < p; accurate near x = p (log1p) and for x ≪ p. */
export function forwardKLTerm(x: number, p: number): number {
  if (p === 0) return 0;
  if (x === 0) return Infinity;
  return Math.abs(x - p) < 0.5 * p ? -p * Math.log1p((x - p) / p) : p * Math.log(p / x);
}

/** KL(π(·|s) ‖ π̄(·|s)), TRPO's direction: χ(x; p) = p ln(p/x), a log barrier with coefficient p. */
export const klBall: Ball = {
  name: 'kl',
  term: forwardKLTerm,
  shape: (p) => ({ kinks: [], slopes: [0], entropy: 0, barrier: p, zeroOnly: false }),
};

/** Total variation ½ Σ_a |π̄(a|s) − π(a|s)|. */
export const tvBall: Ball = {
  name: 'tv',
  term: (x, p) => 0.5 * Math.abs(x - p),
  shape: (p) => tvShape(p, 0.5),
};

/** The trivial neighbourhood N(π) = Π. */
export const noNeighbourhood: Neighbourhood = { kind: 'none', name: 'none' };

/** δ > 0 and finite, or `MIRROR_NEIGHBOURHOOD` naming it. */
function radius(delta: number, name: string): number {
  if (!(Number.isFinite(delta) && delta > 0)) {
    fail('MIRROR_NEIGHBOURHOOD', `${name}: the radius δ is ${show(delta)}; it must be a positive finite number (a ball of radius 0 is {π} and contains no neighbourhood of π)`, { where: 'delta', value: delta });
  }
  return delta;
}

/** TRPO's average-KL ball: Σ_s d_π(s) KL(π(·|s) ‖ π̄(·|s)) ≤ δ. */
export function averageKLBall(delta: number): Neighbourhood {
  return { kind: 'ball', name: `kl:${delta}`, ball: klBall, delta: radius(delta, 'average-KL ball'), mode: 'average' };
}

/** The max-KL ball: KL(π(·|s) ‖ π̄(·|s)) ≤ δ in every state. */
export function maxKLBall(delta: number): Neighbourhood {
  return { kind: 'ball', name: `maxkl:${delta}`, ball: klBall, delta: radius(delta, 'max-KL ball'), mode: 'max' };
}

/** The TV ball: ½ Σ_a |π̄(a|s) − π(a|s)| ≤ δ in every state. */
export function tvNeighbourhood(delta: number): Neighbourhood {
  return { kind: 'ball', name: `tv:${delta}`, ball: tvBall, delta: radius(delta, 'TV ball'), mode: 'max' };
}

/** A user-supplied ball of radius δ. */
export function customNeighbourhood(ball: Ball, delta: number, mode: 'max' | 'average'): Neighbourhood {
  return { kind: 'ball', name: `${ball.name}:${delta}`, ball, delta: radius(delta, ball.name), mode };
}

/**
 * C_π(π̄|s) = Σ_a χ(π̄(a|s); π(a|s)) for every state. Throws `DIVERGENCE_INFINITE` naming
 * (s, a) where χ is infinite (the KL ball when π̄(a|s) = 0 < π(a|s)).
 */
export function ballPerState(ball: Ball, piOld: ArrayLike<number>, piNew: ArrayLike<number>, S: number, A: number): Float64Array {
  const out = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    let c = 0;
    for (let a = 0; a < A; a++) {
      const v = ball.term(piNew[s * A + a]!, piOld[s * A + a]!);
      if (!Number.isFinite(v)) fail('DIVERGENCE_INFINITE', `ball ${ball.name} is ${show(v)} at state ${s}, action ${a}: π̄ = ${show(piNew[s * A + a])}, π = ${show(piOld[s * A + a])}`, { where: `state ${s}, action ${a}`, value: v });
      c += v;
    }
    out[s] = c;
  }
  return out;
}

/**
 * How far π̄ is from π in the neighbourhood's own measure: max_s C(s) (`max`), Σ_s d(s) C(s)
 * (`average`), 0 for the trivial neighbourhood. States with `skip[s]` (terminal) are left out.
 */
export function neighbourhoodDistance(n: Neighbourhood, piOld: ArrayLike<number>, piNew: ArrayLike<number>, d: ArrayLike<number>, S: number, A: number, skip?: Uint8Array): number {
  if (n.kind === 'none') return 0;
  const c = ballPerState(n.ball, piOld, piNew, S, A);
  let out = 0;
  for (let s = 0; s < S; s++) {
    if (skip?.[s]) continue;
    if (n.mode === 'max') out = Math.max(out, c[s]!);
    else if (d[s]! > 0) out += d[s]! * c[s]!;
  }
  return out;
}
