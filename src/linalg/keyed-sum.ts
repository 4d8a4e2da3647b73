/**
 * Sums of values by integer key (a state s, a pair s·A + a): the aggregation the tabular
 * policies' score sums and the estimators' per-state weights share (`src/policy/score-sum.ts`,
 * `src/estimators/score.ts`).
 *
 * @module
 */
import { zeros } from './small-array-pool.js';

/**
 * Sums of values by integer key in [0, range) — a state s, or a pair s·A + a. A dense table
 * when the batch (`size`) is at least as large as the range, else a map: memory O(min(range,
 * size)).
 */
export class KeyedSum {
  private readonly table: Float64Array | undefined;
  private readonly map: Map<number, number> | undefined;

  constructor(range: number, size: number) {
    if (size >= range) this.table = zeros(range); // small tables from the pool: a fresh Float64Array costs V8 ~2 µs
    else this.map = new Map();
  }

  /** sum[key] += value. */
  add(key: number, value: number): void {
    const t = this.table;
    if (t !== undefined) t[key] = t[key]! + value;
    else this.map!.set(key, (this.map!.get(key) ?? 0) + value);
  }

  /** Calls `f(key, sum)` for every key whose sum is not 0, in increasing key order for the table. */
  forEach(f: (key: number, sum: number) => void): void {
    const t = this.table;
    if (t !== undefined) { for (let k = 0; k < t.length; k++) if (t[k] !== 0) f(k, t[k]!); }
    else this.map!.forEach((v, k) => { if (v !== 0) f(k, v); });
  }
}

