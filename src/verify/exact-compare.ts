/**
 * Exact (non-sampled) comparisons of a user's computation with its target, for the `pgtruth
 * check` kinds whose output is a deterministic function of its input (./trpo-kind.ts,
 * ./vmpo-kind.ts): the discrepancy is ‖observed − target‖∞ / scale, with `scale` stated
 * beside it (the target's own scale, so the tolerance reads as a relative rounding error),
 * and a failed comparison names its worst coordinate and the known wrong variants whose
 * exact output matches the observed one within the same tolerance.
 *
 * $$\mathrm{discrepancy} = \frac{\max_k |x_k - t_k|}{\text{scale}} \le \text{tol}$$
 *
 * @module
 */
import { decide, type Check } from './claim.js';

/** A known wrong variant, with its exact output on the same input. */
export interface ExactCandidate {
  readonly id: string;
  readonly description: string;
  readonly output: ArrayLike<number>;
}

/** max_k |x_k − t_k| and its index (∞ for a non-finite entry or a length mismatch; ../linalg/dense.ts's maxAbsDiff without them). */
export function worstDifference(x: ArrayLike<number>, t: ArrayLike<number>): { value: number; index: number } {
  if (x.length !== t.length) return { value: Infinity, index: 0 };
  let value = 0, index = 0;
  for (let k = 0; k < t.length; k++) {
    const d = Math.abs(x[k]! - t[k]!);
    if (!(d <= value)) { value = Number.isNaN(d) ? Infinity : d; index = k; }
  }
  return { value, index };
}

/** Options of {@link exactCheck}. */
export interface ExactCheckOptions {
  /** The scale the discrepancy is divided by, with its name (e.g. ‖(F + λI)v‖∞). */
  readonly scale: { readonly name: string; readonly value: number; /** False when the note states it (default true). */ readonly stated?: boolean };
  readonly tolerance: number;
  /** Names coordinate k in the estimator's terms. */
  readonly coordinate: (k: number) => string;
  readonly candidates?: readonly ExactCandidate[];
  readonly note?: string;
}

/**
 * The check "observed = target to `tolerance` relative to `scale`"; when it fails, a
 * diagnosis with the worst coordinate and every candidate's distance (a candidate within the
 * tolerance is consistent: the observed output IS that variant's, to rounding).
 */
export function exactCheck(instance: string, observed: ArrayLike<number>, target: ArrayLike<number>, o: ExactCheckOptions): Check {
  const scale = o.scale.value > 0 ? o.scale.value : 1;
  const { value, index } = worstDifference(observed, target);
  const discrepancy = value / scale;
  const note = `‖observed − target‖∞ / ${o.scale.name}${o.scale.stated === false ? '' : ` (${o.scale.name} = ${o.scale.value.toPrecision(4)})`}${o.note ? `; ${o.note}` : ''}`;
  const c = decide(instance, discrepancy, o.tolerance, { note });
  if (c.passed) return c;
  const candidates = (o.candidates ?? []).map((k) => {
    const distance = worstDifference(observed, k.output).value / scale;
    return { id: k.id, description: k.description, distance, threshold: o.tolerance, consistent: distance <= o.tolerance };
  }).sort((a, b) => a.distance - b.distance);
  const match = candidates.find((k) => k.consistent);
  return {
    ...c,
    diagnosis: {
      coordinate: o.coordinate(index), expected: target[index] ?? NaN, observed: observed[index] ?? NaN, standardError: 0, candidates,
      ...(match ? { looksLike: match.description } : {}),
    },
  };
}
