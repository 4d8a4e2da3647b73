/**
 * Where a failed check of `pgtruth check` failed, and which known bug it resembles.
 *
 * The worst coordinate is the one that decided the studentized-max test; it is reported in
 * the estimator's own terms (a ∇J component as (s, a); an advantage or a target at (s, a),
 * divided by the pair's visits per episode) as expected against observed ± standard error.
 *
 * Each candidate — a mutant of the catalogue (./mutations.ts) or another known variant —
 * comes either with its exact mean (where the catalogue's bias has a closed form on the
 * instance) or with its estimates on the *same* batches as the user's (paired: the same
 * random stream draws the same batches). A candidate is *consistent* with the data when the
 * studentized max over the compared coordinates of (user − candidate) does not reject 0 at
 * level {@link MATCH_ALPHA} (Šidák over the live coordinates); candidates are ranked by that
 * statistic against its threshold, and "looks like" names the best consistent one only.
 *
 * @module
 */
import { summarize } from '../stats/summary.js';
import { meanTest } from '../stats/tests.js';
import type { Diagnosis } from './claim.js';

/** The level at which a match is rejected: a candidate is named only if the data are consistent with it at this level. */
export const MATCH_ALPHA = 0.01;

/** A known wrong variant to compare the observed bias with. */
export interface Candidate {
  readonly id: string;
  readonly description: string;
  /** Its exact mean in tested units (all coordinates). */
  readonly exact?: ArrayLike<number>;
  /** Its estimates on the user's first `rows` batches, row-major rows×dim in tested units. */
  readonly paired?: () => Promise<Float64Array>;
}

/** How the tested coordinates read in the estimator's terms. */
export interface Reader {
  readonly coordinate: (k: number) => string;
  /** Expected value at coordinate k in the estimator's units. */
  readonly expected: (k: number) => number;
  /** Tested units per estimator unit at k (1, or visits per episode). */
  readonly weight: (k: number) => number;
  /** The tested coordinates a candidate is compared on when k decided (e.g. the advantages' half). */
  readonly compared: (k: number) => readonly [number, number];
}

/**
 * The diagnosis of a failed check from the user's estimates (row-major K×dim, tested units)
 * against `target`, with the worst coordinate `worst` and candidates compared on the first
 * `rows` batches when paired.
 */
export async function diagnose(values: Float64Array, dim: number, target: ArrayLike<number>, worst: number, reader: Reader, candidates: readonly Candidate[], rows: number): Promise<Diagnosis> {
  const acc = summarize(values, dim, false);
  const se = acc.standardErrors();
  const w = reader.weight(worst) || 1;
  const observedDev = acc.mean[worst]! - target[worst]!;
  const [lo, hi] = reader.compared(worst);
  const sub = (x: Float64Array, n: number) => { const out = new Float64Array(n * (hi - lo)); for (let i = 0; i < n; i++) out.set(x.subarray(i * dim + lo, i * dim + hi), i * (hi - lo)); return out; };
  const ranked: Diagnosis['candidates'][number][] = [];
  for (const c of candidates) {
    let t;
    if (c.exact) {
      t = meanTest(summarize(sub(values, acc.count), hi - lo, false), Array.from(c.exact).slice(lo, hi), MATCH_ALPHA);
    } else if (c.paired) {
      const m = await c.paired();
      const n = Math.min(rows, m.length / dim);
      const diff = sub(values, n), mm = sub(m, n);
      for (let i = 0; i < diff.length; i++) diff[i] = diff[i]! - mm[i]!;
      t = meanTest(summarize(diff, hi - lo, false), new Float64Array(hi - lo), MATCH_ALPHA);
    } else continue;
    ranked.push({ id: c.id, description: c.description, distance: t.statistic, threshold: t.threshold, consistent: t.passed });
  }
  ranked.sort((a, b) => a.distance / (a.threshold || 1) - b.distance / (b.threshold || 1));
  const best = ranked.find((c) => c.consistent);
  return {
    coordinate: reader.coordinate(worst),
    expected: reader.expected(worst),
    observed: reader.expected(worst) + observedDev / w,
    standardError: se[worst]! / w,
    candidates: ranked,
    ...(best ? { looksLike: `${best.description} (${best.id})` } : {}),
  };
}
