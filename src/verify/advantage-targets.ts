/**
 * The per-batch residuals of the advantage kind's critic check (./claims/critics.ts): an
 * advantage estimator run on one batch with several value tables (critics), its advantages
 * and value targets compared transition by transition with their exact conditional means
 * given (s_t, a_t, m_t) — m_t the number of transitions from t up to the next forced cut
 * (src/exact/advantage-expectation.ts).
 *
 * **Steps to the cut.** A cut is fixed before it happens, so m_t is read off the batch's
 * layout, never off its future:
 * - a time limit `maxSteps` cuts after transition t_index = maxSteps − 1: m = maxSteps − t_index;
 * - a segment of `segmentLength` = T steps per environment (transitions e·T … e·T + T − 1,
 *   ../sampling/segments.ts) cuts after its last one: m = T − (i mod T);
 * - both: the smaller; neither (complete episodes): m = ∞, table row 0.
 *
 * **Residuals.** For each critic c, Σ_t (Â_t − E[Â | s_t, a_t, m_t]) and Σ_t (target_t −
 * E[target | s_t, a_t, m_t]) per (s, a), over all transitions, and — where the layout has
 * cuts — again over the transitions with m_t = 1 only (the last one before each cut, where a
 * bug acting only at cuts concentrates), each divided by a fixed count (episodes or
 * environments per batch: never by a random count, which would correlate with the
 * residuals). Each residual has conditional mean zero given the past, so every coordinate
 * has mean zero exactly when the estimator implements its declared definition.
 *
 * Layout: `[c = 0: adv SA, target SA; c = 1: …]` over all transitions, then the same for the
 * m = 1 transitions when `hasCuts`.
 *
 * @module
 */
import { fail } from '../errors.js';
import type { Batch } from '../sampling/batch.js';

/** The plain-data options of a critic task (they cross to worker threads). */
export interface CriticTaskOptions {
  readonly gamma: number;
  /** The fourth argument of the estimator: λ (for a library n-step estimator, n). */
  readonly lambda: number;
  /** The critics V_c[s]. */
  readonly critics: readonly (readonly number[])[];
  /** Per critic: E[Â | s, a, m] at `m·S·A + s·A + a`, m = 0 (no cut) … horizons. */
  readonly advantages: readonly (readonly number[])[];
  /** Per critic: E[target | s, a, m], same layout. */
  readonly targets: readonly (readonly number[])[];
  /** Steps per environment of a segment source; 0 for episodes. */
  readonly segmentLength: number;
  /** The time limit; 0 for none. */
  readonly maxSteps: number;
  /** The largest finite m in the tables. */
  readonly horizons: number;
  /** The fixed count each residual sum is divided by. */
  readonly normalizer: number;
}

/** True when the layout cuts episodes (a time limit or segments): the m = 1 block is present. */
export const hasCuts = (o: Pick<CriticTaskOptions, 'segmentLength' | 'maxSteps'>): boolean => o.segmentLength > 0 || o.maxSteps > 0;

/** m_t of transition i (0 for no cut), see the module comment. */
export function stepsToCut(batch: Batch, i: number, segmentLength: number, maxSteps: number): number {
  let m = 0;
  if (segmentLength > 0) m = segmentLength - (i % segmentLength);
  if (maxSteps > 0) { const l = maxSteps - batch.t_index[i]!; m = m === 0 ? l : Math.min(m, l); }
  return m;
}

const tables = new WeakMap<object, Float64Array>();
function f64(x: readonly number[]): Float64Array {
  let t = tables.get(x);
  if (!t) { t = Float64Array.from(x); tables.set(x, t); }
  return t;
}

/** A critic's value table as the Float64Array the estimator receives (the same object for the same option, within a worker). */
export const criticTable = (o: CriticTaskOptions, c: number): Float64Array => f64(o.critics[c]!);

/**
 * The residual vector of the module comment, with `estimate(V, c)` the estimator's
 * advantages and targets (each of length batch.size, already checked) under critic c.
 */
export function criticResiduals(batch: Batch, o: CriticTaskOptions, estimate: (values: Float64Array, c: number) => { advantages: Float64Array; targets: Float64Array }): Float64Array {
  const A = batch.numActions, SA = batch.numStates * A, C = o.critics.length, cuts = hasCuts(o);
  if (o.segmentLength > 0 && batch.size % o.segmentLength !== 0) fail('SAMPLING_OPTIONS', `a segment batch of ${batch.size} transitions is not a whole number of segments of ${o.segmentLength}`, { where: 'segmentLength', value: o.segmentLength });
  const out = new Float64Array((cuts ? 4 : 2) * C * SA), cutBase = 2 * C * SA;
  for (let c = 0; c < C; c++) {
    const { advantages: adv, targets: tgt } = estimate(criticTable(o, c), c);
    const eA = f64(o.advantages[c]!), eT = f64(o.targets[c]!);
    const base = 2 * c * SA;
    for (let i = 0; i < batch.size; i++) {
      const m = stepsToCut(batch, i, o.segmentLength, o.maxSteps);
      if (m < 0 || m > o.horizons) fail('SAMPLING_OPTIONS', `transition ${i} is ${m} steps from its cut, outside the tables' 1…${o.horizons}`, { where: `${i}`, value: m });
      const k = batch.s_t[i]! * A + batch.a_t[i]!, row = m * SA + k;
      const ra = adv[i]! - eA[row]!, rt = tgt[i]! - eT[row]!;
      out[base + k] = out[base + k]! + ra;
      out[base + SA + k] = out[base + SA + k]! + rt;
      if (m === 1) {
        out[cutBase + base + k] = out[cutBase + base + k]! + ra;
        out[cutBase + base + SA + k] = out[cutBase + base + SA + k]! + rt;
      }
    }
  }
  for (let k = 0; k < out.length; k++) out[k] = out[k]! / o.normalizer;
  return out;
}
