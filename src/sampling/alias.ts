/**
 * Walker's alias method (Walker 1977; Vose 1991's numerically stable construction): a
 * discrete distribution over m outcomes becomes m cells, cell k holding a primary outcome,
 * an alias outcome and a threshold q_k. A draw takes one uniform u ∈ [0, 1):
 *
 * $$x = u\,m,\quad k = \lfloor x \rfloor,\quad \text{outcome} = \begin{cases} \text{primary}_k & x - k < q_k \\ \text{alias}_k & \text{otherwise} \end{cases}$$
 *
 * so every draw costs O(1) whatever m is. Only outcomes of positive probability get a cell:
 * an outcome of probability 0 can never be drawn, not even through rounding. A row with a
 * single positive outcome is drawn without consuming randomness.
 *
 * Many rows (one per state, or per state-action pair) share flat arrays; row i occupies cells
 * `offset[i] … offset[i+1]−1`.
 *
 * @module
 */

/** Many alias rows in flat arrays. */
export interface AliasRows {
  /** Row i's cells are `offset[i] … offset[i+1]−1` (one per positive-probability outcome). */
  readonly offset: Int32Array;
  /** The threshold q_k ∈ [0, 1] of each cell. */
  readonly threshold: Float64Array;
  /** The outcome a cell returns when x − k < q_k. */
  readonly primary: Int32Array;
  /** The outcome a cell returns otherwise. */
  readonly alias: Int32Array;
}

/** Scratch space for {@link fillAliasRow}, sized for the longest row. */
interface Scratch { small: Int32Array; large: Int32Array; q: Float64Array }

function scratch(m: number): Scratch {
  return { small: new Int32Array(m), large: new Int32Array(m), q: new Float64Array(m) };
}

/**
 * Writes the alias cells of one distribution at `cells … cells+m−1`: `outcome[j]` has
 * weight `weight[j]` (all positive; they are normalized by their sum). Vose's two stacks:
 * a cell under 1 is topped up from one over 1; what rounding leaves on either stack is 1.
 */
function fillAliasRow(rows: AliasRows, cells: number, outcome: ArrayLike<number>, weight: ArrayLike<number>, m: number, sc: Scratch): void {
  let total = 0;
  for (let j = 0; j < m; j++) total += weight[j]!;
  let ns = 0, nl = 0;
  for (let j = 0; j < m; j++) {
    sc.q[j] = (weight[j]! * m) / total;
    if (sc.q[j]! < 1) sc.small[ns++] = j; else sc.large[nl++] = j;
  }
  while (ns > 0 && nl > 0) {
    const lo = sc.small[--ns]!, hi = sc.large[nl - 1]!;
    rows.threshold[cells + lo] = sc.q[lo]!;
    rows.primary[cells + lo] = outcome[lo]!;
    rows.alias[cells + lo] = outcome[hi]!;
    sc.q[hi] = sc.q[hi]! + sc.q[lo]! - 1;
    if (sc.q[hi]! < 1) { nl--; sc.small[ns++] = hi; }
  }
  for (const [stack, n] of [[sc.large, nl], [sc.small, ns]] as const) {
    for (let i = 0; i < n; i++) {
      const j = stack[i]!;
      rows.threshold[cells + j] = 1;
      rows.primary[cells + j] = outcome[j]!;
      rows.alias[cells + j] = outcome[j]!;
    }
  }
}

/**
 * Builds alias rows for `numRows` distributions; row i lists its candidate outcomes and
 * weights through `row(i, add)`, calling `add(outcome, weight)` for each (weights ≤ 0 are
 * skipped). Every row must have at least one positive weight (the caller validates).
 */
export function buildAliasRows(numRows: number, row: (i: number, add: (outcome: number, weight: number) => void) => void): AliasRows {
  const outcomes: number[] = [], weights: number[] = [];
  const offset = new Int32Array(numRows + 1);
  for (let i = 0; i < numRows; i++) {
    row(i, (o, w) => { if (w > 0) { outcomes.push(o); weights.push(w); } });
    offset[i + 1] = outcomes.length;
  }
  const n = outcomes.length;
  const rows: AliasRows = { offset, threshold: new Float64Array(n), primary: new Int32Array(n), alias: new Int32Array(n) };
  let longest = 1;
  for (let i = 0; i < numRows; i++) longest = Math.max(longest, offset[i + 1]! - offset[i]!);
  const sc = scratch(longest);
  for (let i = 0; i < numRows; i++) {
    const o = offset[i]!, m = offset[i + 1]! - o;
    fillAliasRow(rows, o, outcomes.slice(o, o + m), weights.slice(o, o + m), m, sc);
  }
  return rows;
}

/** The probability that row i of `rows` returns `outcome` (for tests and checks). */
export function aliasProbability(rows: AliasRows, i: number, outcome: number): number {
  const o = rows.offset[i]!, m = rows.offset[i + 1]! - o;
  let p = 0;
  for (let k = o; k < o + m; k++) {
    if (rows.primary[k] === outcome) p += rows.threshold[k]!;
    if (rows.alias[k] === outcome) p += 1 - rows.threshold[k]!;
  }
  return p / m;
}
