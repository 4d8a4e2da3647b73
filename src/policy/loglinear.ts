/**
 * The log-linear (softmax-in-features) policy π_θ(a|s) ∝ exp(θ·φ(s,a)) with features
 * φ(s,a) ∈ R^d (Lehmann 2024, §3; Sutton & Barto §13.2). Features are laid out
 * `phi[(s*A + a)*d + k]`.
 *
 * Score: ∇ log π(a|s) = φ(s,a) − Σ_b π(b|s) φ(s,b).
 * Σ_a w_a ∇π(a|s) = Σ_a π_a (w_a − w̄) φ(s,a) with w̄ = Σ_a π_a w_a.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import type { Field } from '../field/field.js';
import { checkFiniteTheta, logSumExp, softmaxIn, softmaxInto } from './softmax.js';
import { zeros } from '../linalg/small-array-pool.js';
import type { Parameterization } from './types.js';

/** A log-linear parameterization with the given features (`S·A·d` entries). */
export function logLinearPolicy(numStates: number, numActions: number, dim: number, features: Float64Array): Parameterization {
  const S = numStates, A = numActions, d = dim;
  if (!Number.isSafeInteger(d) || d < 1) fail('POLICY_SHAPE', `feature dimension is ${show(d)}: expected a positive integer`, { where: 'dim', value: d });
  if (!(features instanceof Float64Array) || features.length !== S * A * d) fail('POLICY_SHAPE', `features has ${features?.length} entries, expected S·A·d = ${S * A * d}`, { where: 'features' });
  features.forEach((v, i) => {
    if (!Number.isFinite(v)) fail('POLICY_NOT_FINITE', `features[${Math.floor(i / (A * d))}][${Math.floor(i / d) % A}][${i % d}] is ${show(v)}`, { where: `features`, value: v });
  });
  const logits = new Float64Array(A);
  const row = new Float64Array(A);
  const fill = (theta: Float64Array, s: number) => {
    for (let a = 0; a < A; a++) {
      let z = 0;
      const f = (s * A + a) * d;
      for (let k = 0; k < d; k++) z += theta[k]! * features[f + k]!;
      logits[a] = z;
    }
  };
  return {
    kind: 'loglinear', numStates: S, numActions: A, numParams: d, paramShape: [d],
    check: (theta) => checkFiniteTheta(theta, d, 'theta'),
    probsRow(theta, s, out, offset = 0) { fill(theta, s); softmaxInto(logits, 0, A, out, offset); },
    probs(theta) {
      const out = zeros(S * A);
      for (let s = 0; s < S; s++) { fill(theta, s); softmaxInto(logits, 0, A, out, s * A); }
      return out;
    },
    logProb(theta, s, a) { fill(theta, s); return logits[a]! - logSumExp(logits, 0, A); },
    addScore(theta, s, a, w, out) {
      fill(theta, s);
      softmaxInto(logits, 0, A, row, 0);
      for (let b = 0; b < A; b++) {
        const c = w * ((b === a ? 1 : 0) - row[b]!);
        if (c === 0) continue;
        const f = (s * A + b) * d;
        for (let k = 0; k < d; k++) out[k] = out[k]! + c * features[f + k]!;
      }
    },
    addDProbs(theta, s, w, wOffset, out) {
      fill(theta, s);
      softmaxInto(logits, 0, A, row, 0);
      let mean = 0;
      for (let a = 0; a < A; a++) mean += row[a]! * w[wOffset + a]!;
      for (let a = 0; a < A; a++) {
        const c = row[a]! * (w[wOffset + a]! - mean);
        if (c === 0) continue;
        const f = (s * A + a) * d;
        for (let k = 0; k < d; k++) out[k] = out[k]! + c * features[f + k]!;
      }
    },
    probsIn<T>(F: Field<T>, theta: readonly T[]): T[] {
      const out: T[] = [];
      for (let s = 0; s < S; s++) {
        const z: T[] = [];
        for (let a = 0; a < A; a++) {
          let acc = F.zero;
          const f = (s * A + a) * d;
          for (let k = 0; k < d; k++) {
            const phi = features[f + k]!;
            if (phi === 0) continue;
            acc = F.add(acc, F.mul(theta[k]!, (F as unknown as { fromNumber(x: number): T }).fromNumber(phi)));
          }
          z.push(acc);
        }
        out.push(...softmaxIn(F, z));
      }
      return out;
    },
  };
}
