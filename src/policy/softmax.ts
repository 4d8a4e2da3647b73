/**
 * The tabular softmax policy π_θ(a|s) = exp θ_{s,a} / Σ_b exp θ_{s,b} (Lehmann 2024, §3;
 * Agarwal et al. 2021), evaluated with the log-sum-exp shift so that logits of magnitude
 * 700 and beyond neither overflow nor produce NaN: log π is finite for every finite θ even
 * where π itself underflows to 0.
 *
 * Score: ∂ log π(a|s)/∂θ_{s′,b} = 1[s′ = s](1[b = a] − π(b|s)).
 * ∂π(a|s)/∂θ_{s,b} = π(a|s)(1[a = b] − π(b|s)), so Σ_a w_a ∇π(a|s) = π(·|s) ⊙ (w − Σ_a π_a w_a)
 * in the block of state s.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import type { AnalyticField, Field } from '../field/field.js';
import { zeros } from '../linalg/small-array-pool.js';
import type { Parameterization } from './types.js';

/** log Σ_i exp x[off + i] for i < len, computed stably. */
export function logSumExp(x: ArrayLike<number>, off: number, len: number): number {
  let m = -Infinity;
  for (let i = 0; i < len; i++) m = Math.max(m, x[off + i]!);
  let s = 0;
  for (let i = 0; i < len; i++) s += Math.exp(x[off + i]! - m);
  return m + Math.log(s);
}

/** out[outOff + i] = softmax(x[off …])_i, stably (the max is subtracted first). */
export function softmaxInto(x: ArrayLike<number>, off: number, len: number, out: Float64Array, outOff: number): void {
  let m = -Infinity;
  for (let i = 0; i < len; i++) m = Math.max(m, x[off + i]!);
  let s = 0;
  for (let i = 0; i < len; i++) { const e = Math.exp(x[off + i]! - m); out[outOff + i] = e; s += e; }
  for (let i = 0; i < len; i++) out[outOff + i] = out[outOff + i]! / s;
}

/** Softmax of a row in any analytic field, shifted by the row's largest real part. */
export function softmaxIn<T>(F: Field<T>, logits: readonly T[]): T[] {
  if (!('exp' in F)) fail('FIELD_UNSUPPORTED', `softmax needs exp, which the ${F.name} field does not have`);
  const A = F as AnalyticField<T>;
  let m = -Infinity;
  for (const x of logits) m = Math.max(m, A.toNumber(x));
  const shift = A.fromNumber(m);
  const e = logits.map((x) => A.exp(A.sub(x, shift)));
  let s = A.zero;
  for (const x of e) s = A.add(s, x);
  return e.map((x) => A.div(x, s));
}

/** Throws unless θ has `n` finite entries; with `cols` (a table θ[s*cols + a]) the bad entry is named `what[s][a]`. */
export function checkFiniteTheta(theta: Float64Array, n: number, what: string, cols?: number): void {
  if (!(theta instanceof Float64Array) || theta.length !== n) fail('POLICY_SHAPE', `${what} has ${theta?.length ?? show(theta)} parameters, expected ${n}`, { where: what, value: theta?.length });
  for (let i = 0; i < n; i++) {
    if (Number.isFinite(theta[i]!)) continue;
    const where = cols === undefined ? `${what}[${i}]` : `${what}[${Math.floor(i / cols)}][${i % cols}]`;
    fail('POLICY_NOT_FINITE', `${where} is ${show(theta[i])}: parameters must be finite`, { where, value: theta[i] });
  }
}

/** The tabular softmax parameterization over S states and A actions (θ laid out `s*A + a`). */
export function softmaxPolicy(numStates: number, numActions: number): Parameterization {
  const S = numStates, A = numActions;
  const row = new Float64Array(A);
  return {
    kind: 'softmax', numStates: S, numActions: A, numParams: S * A, paramShape: [S, A],
    check: (theta) => checkFiniteTheta(theta, S * A, 'logits', A),
    probsRow: (theta, s, out, offset = 0) => softmaxInto(theta, s * A, A, out, offset),
    probs(theta) {
      const out = zeros(S * A); // pooled when small (see ../linalg/small-array-pool.ts)
      for (let s = 0; s < S; s++) softmaxInto(theta, s * A, A, out, s * A);
      return out;
    },
    logProb: (theta, s, a) => theta[s * A + a]! - logSumExp(theta, s * A, A),
    addScore(theta, s, a, w, out) {
      softmaxInto(theta, s * A, A, row, 0);
      for (let b = 0; b < A; b++) out[s * A + b] = out[s * A + b]! + w * ((b === a ? 1 : 0) - row[b]!);
    },
    addDProbs(theta, s, w, wOffset, out) {
      softmaxInto(theta, s * A, A, row, 0);
      let mean = 0;
      for (let a = 0; a < A; a++) mean += row[a]! * w[wOffset + a]!;
      for (let b = 0; b < A; b++) out[s * A + b] = out[s * A + b]! + row[b]! * (w[wOffset + b]! - mean);
    },
    probsIn<T>(F: Field<T>, theta: readonly T[]): T[] {
      const out: T[] = [];
      for (let s = 0; s < S; s++) out.push(...softmaxIn(F, theta.slice(s * A, s * A + A)));
      return out;
    },
  };
}
