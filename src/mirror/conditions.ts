/**
 * Numerical checks of the drift conditions of Definition 5.1 (Lehmann 2024; Kuba et al.
 * 2022) for any separable drift, in floating point:
 *
 * 1. non-negativity: D_π(π̄|s) ≥ 0 for the candidates π̄ given;
 * 2. D_π(π|s) = 0;
 * 3. zero Gâteaux derivative at π̄ = π: ∂_h D = lim_{t→0⁺} D_π(π + t h|s)/t = 0 for directions
 *    h of the simplex (Σ_a h_a = 0), supported where π(·|s) > 0 so that π + t h stays a policy
 *    for small t > 0.
 *
 * The derivative is one-sided — a two-sided difference would hide c·|t| (c·TV's
 * derivative c·½Σ|h_a| cancels in (D(t) − D(−t))/2t). It is estimated with step-size
 * control: forward differences q(t_k) = (D(π + t_k h) − D(π))/t_k at t_k = t_0·2^{−k}
 * (k = 0 … 23), extrapolated to t = 0 in a Neville tableau (Richardson, error series in
 * t, t², …), and the entry with the smallest error estimate is taken (Ridders 1982's error
 * control, without the early stop, so that a piecewise-linear drift reaches the steps
 * where it is exactly linear).
 *
 * @module
 */
import type { DerivativeEstimate } from '../linalg/differentiate.js';
import type { Rng } from '../stats/rng.js';
import { actionContext, driftTerm, type Drift } from './drift-functional.js';


/**
 * lim_{t→0⁺} (f(t) − f(0))/t by extrapolated forward differences from step t0 (see the
 * module comment).
 */
export function oneSidedDerivative(f: (t: number) => number, t0: number, levels = 24): DerivativeEstimate {
  const f0 = f(0);
  const table: number[][] = [];
  let best = NaN, err = Infinity, t = t0;
  for (let i = 0; i < levels; i++, t /= 2) {
    const row = [(f(t) - f0) / t];
    for (let j = 1, fac = 2; j <= i; j++, fac *= 2) {
      row.push((row[j - 1]! * fac - table[i - 1]![j - 1]!) / (fac - 1));
      const e = Math.max(Math.abs(row[j]! - row[j - 1]!), Math.abs(row[j]! - table[i - 1]![j - 1]!));
      if (e <= err) { err = e; best = row[j]!; }
    }
    table.push(row);
  }
  return { value: best, error: err };
}

/** A random direction h of the simplex at state s: Σ_a h_a = 0, h_a = 0 where π(a|s) = 0, Σ|h_a| = 1. */
export function simplexDirection(rng: Rng, pi: ArrayLike<number>, s: number, A: number): Float64Array {
  const h = new Float64Array(A);
  const support: number[] = [];
  for (let a = 0; a < A; a++) if (pi[s * A + a]! > 0) support.push(a);
  if (support.length < 2) return h;
  let mean = 0;
  for (const a of support) { h[a] = rng.normal(); mean += h[a]! / support.length; }
  let l1 = 0;
  for (const a of support) { h[a] = h[a]! - mean; l1 += Math.abs(h[a]!); }
  for (const a of support) h[a] = h[a]! / l1;
  return h;
}

/** D_π(π + t h|s) as a function of t. */
export function driftAlong(drift: Drift, pi: ArrayLike<number>, adv: ArrayLike<number>, s: number, A: number, h: ArrayLike<number>): (t: number) => number {
  return (t) => {
    let tot = 0;
    for (let a = 0; a < A; a++) tot += driftTerm(drift, pi[s * A + a]! + t * h[a]!, actionContext(s, a, pi, adv, A));
    return tot;
  };
}

/** The largest t with π(·|s) + t h ≥ 0, capped at 1. */
export function maxStep(pi: ArrayLike<number>, s: number, A: number, h: ArrayLike<number>): number {
  let t = 1;
  for (let a = 0; a < A; a++) if (h[a]! < 0) t = Math.min(t, pi[s * A + a]! / -h[a]!);
  return t;
}

/** What {@link driftConditions} measured, over all states (and candidates, directions). */
export interface DriftConditionReport {
  /** min_{s, π̄} D_π(π̄|s) / scale (must be ≥ −tolerance). */
  readonly minDrift: number;
  /** max_s |D_π(π|s)| / scale. */
  readonly atSelf: number;
  /** max_{s, h} |∂_h D_π(π|s)| / (‖h‖₁ scale), and the largest error estimate of those. */
  readonly derivative: number;
  readonly derivativeError: number;
  /** scale = max(1, max_{s,a} |A_π(s,a)|). */
  readonly scale: number;
}

/**
 * Measures the three conditions of Definition 5.1 for `drift` at π = `pi` with advantages
 * `adv`, on the candidate policies `candidates` and `directions` random simplex directions
 * per state (seeded by `rng`). Terminal states may be skipped with `skip`.
 */
export function driftConditions(drift: Drift, pi: Float64Array, adv: Float64Array, S: number, A: number, candidates: readonly Float64Array[], rng: Rng, directions = 3, skip?: Uint8Array): DriftConditionReport {
  let scale = 1;
  for (let i = 0; i < adv.length; i++) scale = Math.max(scale, Math.abs(adv[i]!));
  let minDrift = Infinity, atSelf = 0, derivative = 0, derivativeError = 0;
  for (let s = 0; s < S; s++) {
    if (skip?.[s]) continue;
    for (const q of candidates) minDrift = Math.min(minDrift, stateDrift(drift, pi, q, adv, s, A));
    atSelf = Math.max(atSelf, Math.abs(stateDrift(drift, pi, pi, adv, s, A)));
    for (let k = 0; k < directions; k++) {
      const h = simplexDirection(rng, pi, s, A);
      if (h.every((x) => x === 0)) continue;
      const est = oneSidedDerivative(driftAlong(drift, pi, adv, s, A, h), 0.5 * maxStep(pi, s, A, h));
      derivative = Math.max(derivative, Math.abs(est.value) / scale);
      derivativeError = Math.max(derivativeError, est.error / scale);
    }
  }
  return { minDrift: minDrift / scale, atSelf: atSelf / scale, derivative, derivativeError, scale };
}

/** D_π(q|s) for one state. */
export function stateDrift(drift: Drift, pi: ArrayLike<number>, q: ArrayLike<number>, adv: ArrayLike<number>, s: number, A: number): number {
  let tot = 0;
  for (let a = 0; a < A; a++) tot += driftTerm(drift, q[s * A + a]!, actionContext(s, a, pi, adv, A));
  return tot;
}
