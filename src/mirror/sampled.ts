/**
 * The sampled counterpart of PPO's drift. With (s, a) drawn i.i.d. from d_π × π (the
 * state from the normalized visitation, the action from the old policy) and the exact
 * advantage Â = A_π(s,a), the per-sample drift
 *
 * δ_i = max(0, (r_i − clip(r_i, 1−ε, 1+ε)) Â_i),  r_i = π̄(a_i|s_i)/π(a_i|s_i),
 *
 * is non-negative, and its mean is unbiased for the exact d-weighted drift
 * E_{s∼d}[D_π(π̄|s)] = Σ_s d(s) E_{a∼π}[max(0, (r − clip r)A_π(s,a))] — the ν = d case of
 * Definition 5.1. No rollouts are needed: the pairs are drawn directly.
 *
 * @module
 */
import { fail } from '../errors.js';
import type { Rng } from '../stats/rng.js';
import { ppoSampleDrift, ppoTerm } from './ppo.js';

/** A batch of i.i.d. (s, a) pairs and their per-sample drifts. */
export interface DriftSamples {
  readonly s: Int32Array;
  readonly a: Int32Array;
  readonly drift: Float64Array;
}

/**
 * Draws n pairs (s, a) ∼ d × π (`rng.categorical`) and computes δ_i with the given
 * advantage table `adv` (the exact A_π for the claim; the negative control passes Q).
 * Throws `ZERO_PROBABILITY` if a drawn action has π(a|s) = 0 (it cannot be drawn).
 */
export function samplePPODrift(rng: Rng, d: ArrayLike<number>, piOld: ArrayLike<number>, piNew: ArrayLike<number>, adv: ArrayLike<number>, A: number, epsilon: number, n: number): DriftSamples {
  const s = new Int32Array(n), a = new Int32Array(n), drift = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s_t = rng.categorical(d);
    const a_t = rng.categorical(piOld, s_t * A, A);
    const p = piOld[s_t * A + a_t]!;
    if (!(p > 0)) fail('ZERO_PROBABILITY', `drew action ${a_t} in state ${s_t} with π(a|s) = ${p}`, { where: `state ${s_t}, action ${a_t}` });
    s[i] = s_t; a[i] = a_t;
    drift[i] = ppoSampleDrift(piNew[s_t * A + a_t]! / p, adv[s_t * A + a_t]!, epsilon);
  }
  return { s, a, drift };
}

/** The exact target E_{s∼d}[D_π(π̄|s)] = Σ_s d(s) Σ_a π(a|s)·max(0, (r − clip r)A(s,a)). */
export function expectedPPODrift(d: ArrayLike<number>, piOld: ArrayLike<number>, piNew: ArrayLike<number>, adv: ArrayLike<number>, S: number, A: number, epsilon: number): number {
  let tot = 0;
  for (let s = 0; s < S; s++) {
    if (d[s]! === 0) continue;
    let ds = 0;
    for (let a = 0; a < A; a++) ds += ppoTerm(piNew[s * A + a]!, piOld[s * A + a]!, adv[s * A + a]!, epsilon);
    tot += d[s]! * ds;
  }
  return tot;
}
