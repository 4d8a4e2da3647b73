/**
 * Divergences between two policies, per state and weighted by a state distribution:
 * KL(p‖q)(s) = Σ_a p(a|s) log(p(a|s)/q(a|s)) (0 log 0 = 0), total variation
 * TV(s) = ½ Σ_a |p(a|s) − q(a|s)|, and entropy H(s) = −Σ_a π(a|s) log π(a|s)
 * (Lehmann 2024, §4.3 and §4.4).
 *
 * @module
 */
import { fail } from '../errors.js';

/** KL(p(·|s) ‖ q(·|s)) for every s. Throws `DIVERGENCE_INFINITE` naming (s, a) where q = 0 < p. */
export function klPerState(p: Float64Array, q: Float64Array, S: number, A: number): Float64Array {
  const out = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    let k = 0;
    for (let a = 0; a < A; a++) {
      const pa = p[s * A + a]!, qa = q[s * A + a]!;
      if (pa === 0) continue;
      if (!(qa > 0)) fail('DIVERGENCE_INFINITE', `KL is infinite at state ${s}: the first policy gives action ${a} probability ${pa}, the second 0`, { where: `state ${s}, action ${a}`, value: qa });
      k += pa * Math.log(pa / qa);
    }
    out[s] = Math.max(0, k); // exact KL ≥ 0; clamp rounding below 0
  }
  return out;
}

/** ½ Σ_a |p(a|s) − q(a|s)| for every s. */
export function tvPerState(p: Float64Array, q: Float64Array, S: number, A: number): Float64Array {
  const out = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    let t = 0;
    for (let a = 0; a < A; a++) t += Math.abs(p[s * A + a]! - q[s * A + a]!);
    out[s] = t / 2;
  }
  return out;
}

/** −Σ_a π(a|s) log π(a|s) for every s. */
export function entropyPerState(pi: Float64Array, S: number, A: number): Float64Array {
  const out = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    let h = 0;
    for (let a = 0; a < A; a++) { const p = pi[s * A + a]!; if (p > 0) h -= p * Math.log(p); }
    out[s] = h;
  }
  return out;
}

/** Σ_s w(s) x(s). */
export function weightedMean(w: ArrayLike<number>, x: ArrayLike<number>): number {
  let m = 0;
  for (let s = 0; s < x.length; s++) m += w[s]! * x[s]!;
  return m;
}

/** E_{a∼π′(·|s)}[A(s,a)] = Σ_a π′(a|s) A(s,a) for every s. */
export function expectedAdvantage(piNew: Float64Array, adv: Float64Array, S: number, A: number): Float64Array {
  const out = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    let m = 0;
    for (let a = 0; a < A; a++) m += piNew[s * A + a]! * adv[s * A + a]!;
    out[s] = m;
  }
  return out;
}

/** KL, TV and entropy per state, their d-weighted means and their maxima over visited states. */
export interface DivergenceSummary {
  readonly kl: Float64Array;
  readonly tv: Float64Array;
  readonly entropy: Float64Array;
  /** Σ_s d(s) KL(π_old‖π_new)(s). */
  readonly klMean: number;
  /** max over states with d(s) > 0. */
  readonly klMax: number;
  readonly tvMean: number;
  readonly tvMax: number;
  /** Σ_s d(s) H(π_new(·|s)). */
  readonly entropyMean: number;
}

/**
 * KL(π_old‖π_new), TV and the entropy of π_new per state, weighted by the state
 * distribution `d` (normally π_old's visitation) and maximized over states with d(s) > 0
 * (Lehmann 2024, §4.3: TRPO's average and maximum KL).
 */
export function divergenceSummary(d: Float64Array, piOld: Float64Array, piNew: Float64Array, S: number, A: number): DivergenceSummary {
  const kl = klPerState(piOld, piNew, S, A);
  const tv = tvPerState(piOld, piNew, S, A);
  const entropy = entropyPerState(piNew, S, A);
  let klMax = 0, tvMax = 0;
  for (let s = 0; s < S; s++) if (d[s]! > 0) { klMax = Math.max(klMax, kl[s]!); tvMax = Math.max(tvMax, tv[s]!); }
  return { kl, tv, entropy, klMean: weightedMean(d, kl), klMax, tvMean: weightedMean(d, tv), tvMax, entropyMean: weightedMean(d, entropy) };
}
