/**
 * Walker's alias method (Walker 1977; Vose 1991's numerically stable construction), drawn
 * with one 32-bit random word. A distribution over m outcomes of positive probability
 * becomes m′ = 2^b cells, b = ⌈log₂ m⌉ (the m outcomes, and m′ − m empty cells of weight 0);
 * cell k holds a primary outcome, an alias outcome and a threshold q_k ∈ [0, 1]. A draw
 * takes one uniform word w ∈ {0, …, 2³² − 1}, splits it into its top b bits and the other
 * 32 − b, and compares the whole word with the cell's *cut* c_k:
 *
 * $$k = \lfloor w / 2^{32-b} \rfloor,\quad c_k = k\,2^{32-b} + t_k,\quad t_k = \operatorname{round}(q_k\,2^{32-b}),\quad \text{outcome} = \begin{cases} \text{primary}_k & w < c_k \\ \text{alias}_k & \text{otherwise} \end{cases}$$
 *
 * so every draw costs O(1) whatever m is, and only integer operations: a shift, one
 * comparison, a select.
 *
 * **Resolution.** Cell k is chosen with probability exactly 2^{−b}, and its primary with
 * probability exactly t_k / 2^{32−b}, within 2^{−(33−b)} of q_k. So the probability with
 * which each outcome is drawn is within m′·2^{−33} ≤ m·2^{−32} of its target (plus the
 * rounding of Vose's construction, ~10⁻¹⁶): a resolution of 2^{−32} ≈ 2.3·10⁻¹⁰ per cell,
 * and a bias that small takes some 10¹⁹ draws to see — far beyond any test. (An outcome of
 * probability below 2^{−33} may round to never being drawn; one of probability 0 never is.)
 * One word per draw instead of a 53-bit uniform (two words) halves the random numbers a
 * transition consumes.
 *
 * Only outcomes of positive probability appear in a cell: an outcome of probability 0 can
 * never be drawn, not even through rounding (an empty cell's primary and alias are both the
 * outcome that fills it). A row with a single positive outcome has one cell and is drawn
 * without consuming randomness. Each positive outcome j is the primary of cell j of its
 * row (the row's outcomes in the order they were listed), so the cells' primaries list the
 * row's support.
 *
 * Many rows (one per state, or per state-action pair) share flat arrays; row i occupies cells
 * `offset[i] … offset[i+1]−1`, a power of two of them.
 *
 * @module
 */
import type { Rng } from '../stats/rng.js';

/** Many alias rows in flat arrays. */
export interface AliasRows {
  /** Row i's cells are `offset[i] … offset[i+1]−1`: 2^⌈log₂ m⌉ of them for m positive outcomes. */
  readonly offset: Int32Array;
  /** The cut c_k of each cell: a word w in the cell returns the primary when w < c_k. */
  readonly cut: Uint32Array;
  /** The outcome a cell returns when w < c_k. */
  readonly primary: Int32Array;
  /** The outcome a cell returns otherwise (the primary itself where the primary fills the cell). */
  readonly alias: Int32Array;
}

/** Scratch space for {@link fillAliasRow}, sized for the longest row. */
interface Scratch { small: Int32Array; large: Int32Array; q: Float64Array; primary: Int32Array; alias: Int32Array }

function scratch(m: number): Scratch {
  return { small: new Int32Array(m), large: new Int32Array(m), q: new Float64Array(m), primary: new Int32Array(m), alias: new Int32Array(m) };
}

/** The number of cells of a row with m positive outcomes: 2^⌈log₂ m⌉. */
export function aliasCells(m: number): number {
  return m <= 1 ? 1 : 2 ** Math.ceil(Math.log2(m));
}

/**
 * Vose's two stacks over the m′ cells of one row, into `sc.q` (thresholds), `sc.primary`
 * and `sc.alias`: `weight[j]` (all positive, normalized by their sum) for j < m, 0 for the
 * empty cells m … m′−1. A cell under 1 is topped up from one over 1; the empty cells go
 * first (they lie on top of the stack), while the large stack still holds the mass they
 * need; what rounding leaves on either stack is 1.
 */
function voseRow(outcome: ArrayLike<number>, weight: ArrayLike<number>, m: number, cells: number, sc: Scratch): void {
  let total = 0;
  for (let j = 0; j < m; j++) total += weight[j]!;
  let ns = 0, nl = 0;
  for (let j = 0; j < m; j++) {
    sc.q[j] = (weight[j]! * cells) / total;
    sc.primary[j] = sc.alias[j] = outcome[j]!;
    if (sc.q[j]! < 1) sc.small[ns++] = j; else sc.large[nl++] = j;
  }
  for (let j = m; j < cells; j++) { sc.q[j] = 0; sc.small[ns++] = j; }
  while (ns > 0 && nl > 0) {
    const lo = sc.small[--ns]!, hi = sc.large[nl - 1]!;
    sc.alias[lo] = outcome[hi]!;
    if (lo >= m) sc.primary[lo] = outcome[hi]!; // an empty cell: both ends name the filler
    sc.q[hi] = sc.q[hi]! + sc.q[lo]! - 1;
    if (sc.q[hi]! < 1) { nl--; sc.small[ns++] = hi; }
  }
  for (let i = 0; i < nl; i++) sc.q[sc.large[i]!] = 1;
  for (let i = 0; i < ns; i++) {
    const j = sc.small[i]!;
    if (j >= m) throw new Error(`alias construction left an empty cell unfilled (row of ${m} outcomes)`); // cannot happen: the empty cells go first
    sc.q[j] = 1;
  }
}

/**
 * Writes the cells of one row at `at … at+m′−1` from its outcomes and positive weights:
 * the thresholds q_k of {@link voseRow} become the cuts c_k = k·2^{32−b} + round(q_k 2^{32−b}).
 * A cell whose primary fills it gets alias = primary (and the largest cut that fits in 32
 * bits, which then decides nothing).
 */
function fillAliasRow(rows: AliasRows, at: number, outcome: ArrayLike<number>, weight: ArrayLike<number>, m: number, sc: Scratch): void {
  const cells = aliasCells(m);
  voseRow(outcome, weight, m, cells, sc);
  const width = 2 ** 32 / cells;
  for (let k = 0; k < cells; k++) {
    const t = Math.round(sc.q[k]! * width);
    const full = t >= width;
    rows.primary[at + k] = sc.primary[k]!;
    rows.alias[at + k] = full ? sc.primary[k]! : sc.alias[k]!;
    rows.cut[at + k] = Math.min(k * width + t, 2 ** 32 - 1);
  }
}

/**
 * Builds alias rows for `numRows` distributions; row i lists its candidate outcomes and
 * weights through `row(i, add)`, calling `add(outcome, weight)` for each (weights ≤ 0 are
 * skipped). Every row must have at least one positive weight (the caller validates).
 */
export function buildAliasRows(numRows: number, row: (i: number, add: (outcome: number, weight: number) => void) => void): AliasRows {
  const outcomes: number[] = [], weights: number[] = [], start = new Int32Array(numRows + 1);
  const offset = new Int32Array(numRows + 1);
  let longest = 1;
  for (let i = 0; i < numRows; i++) {
    row(i, (o, w) => { if (w > 0) { outcomes.push(o); weights.push(w); } });
    start[i + 1] = outcomes.length;
    const cells = aliasCells(start[i + 1]! - start[i]!);
    offset[i + 1] = offset[i]! + cells;
    longest = Math.max(longest, cells);
  }
  const n = offset[numRows]!;
  const rows: AliasRows = { offset, cut: new Uint32Array(n), primary: new Int32Array(n), alias: new Int32Array(n) };
  const sc = scratch(longest);
  for (let i = 0; i < numRows; i++) {
    const o = start[i]!, m = start[i + 1]! - o;
    fillAliasRow(rows, offset[i]!, outcomes.slice(o, o + m), weights.slice(o, o + m), m, sc);
  }
  return rows;
}

/**
 * One draw from row `i` of the rows given by their arrays (see the module comment): one
 * word of `rng`, or none for a one-cell row. Takes the arrays rather than the
 * {@link AliasRows} so that a hot loop can hold them in locals.
 */
export function aliasDraw(offset: Int32Array, cut: Uint32Array, primary: Int32Array, alias: Int32Array, i: number, rng: Rng): number {
  const o = offset[i]!, cells = offset[i + 1]! - o;
  if (cells === 1) return primary[o]!;
  const w = rng.nextU32();
  const c = o + (w >>> (Math.clz32(cells) + 1)); // the top log₂(cells) bits
  // a branch-free select: the comparison is a coin flip the CPU cannot predict
  const mask = -(+(w < cut[c]!));
  return (primary[c]! & mask) | (alias[c]! & ~mask);
}

/** One draw from alias row `i` of `rows`: {@link aliasDraw}. */
export function drawAlias(rows: AliasRows, i: number, rng: Rng): number {
  return aliasDraw(rows.offset, rows.cut, rows.primary, rows.alias, i, rng);
}

/** The exact probability with which row i of `rows` returns `outcome` (for tests and checks). */
export function aliasProbability(rows: AliasRows, i: number, outcome: number): number {
  const o = rows.offset[i]!, cells = rows.offset[i + 1]! - o, width = 2 ** 32 / cells;
  if (cells === 1) return rows.primary[o] === outcome ? 1 : 0;
  let p = 0;
  for (let k = 0; k < cells; k++) {
    const accept = (rows.cut[o + k]! - k * width) / width; // Pr(primary | cell k)
    if (rows.primary[o + k] === outcome) p += accept;
    if (rows.alias[o + k] === outcome) p += 1 - accept;
  }
  return p / cells;
}
