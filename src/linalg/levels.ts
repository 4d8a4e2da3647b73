/**
 * Level scheduling for sparse triangular sweeps (Anderson & Saad 1989; Saad 2003,
 * *Iterative Methods for Sparse Linear Systems*, §11.6.2), used here for instruction-level
 * parallelism rather than threads.
 *
 * A forward sweep `z_i = (w_i − Σ_{j<i} l_ij z_j) / d_i` in the natural order is a chain:
 * on a grid, row i waits for row i − 1, so each row costs a full load–multiply–subtract
 * latency. Group the unknowns by *level* — level(i) = 1 + max level(j) over the neighbours
 * j < i in the pattern of `A + Aᵀ` — and number them level by level: rows of one level are
 * independent, consecutive in memory, and the processor overlaps them. Because every
 * neighbour j < i has a smaller level, the new order keeps the relative order of every pair
 * of neighbours, hence the same incomplete factorizations (ILU(0), D-ILU) and the same
 * sweeps up to the order of floating-point sums — only faster. (On a k×k grid in natural
 * order the levels are the 2k − 1 anti-diagonals.) Cost O(nnz).
 *
 * @module
 */
import { invertPermutation, symmetricGraph } from './ordering.js';
import type { CSR } from './sparse.js';

/** `perm[new] = old`, the unknowns sorted by level (stable within a level), and the number of levels. */
export function levelOrder(A: CSR): { perm: Int32Array; levels: number } {
  const g = symmetricGraph(A);
  const n = g.n;
  const level = new Int32Array(n);
  let maxLevel = 0;
  for (let i = 0; i < n; i++) {
    let l = 0;
    for (let k = g.ptr[i]!; k < g.ptr[i + 1]!; k++) {
      const j = g.adj[k]!;
      if (j < i && level[j]! >= l) l = level[j]! + 1;
    }
    level[i] = l;
    if (l > maxLevel) maxLevel = l;
  }
  const start = new Int32Array(maxLevel + 2);
  for (let i = 0; i < n; i++) start[level[i]! + 1]!++;
  for (let l = 0; l <= maxLevel; l++) start[l + 1] = start[l + 1]! + start[l]!;
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[start[level[i]!]!++] = i;
  return { perm, levels: n === 0 ? 0 : maxLevel + 1 };
}

/** A permuted copy of a pattern with, for each of its entries, the index of the entry of A it holds. */
export interface PermutedPattern {
  readonly rowPtr: Int32Array;
  readonly col: Int32Array;
  /** Entry q of the permuted matrix is entry `map[q]` of A. */
  readonly map: Int32Array;
}

/**
 * The pattern of `P A Pᵀ` (`transpose`: of `P Aᵀ Pᵀ`) for `perm[new] = old`, columns
 * sorted, with the gather map from its entries to A's. O(nnz · row length).
 */
export function permutePattern(A: CSR, perm: Int32Array, transpose = false): PermutedPattern {
  const n = A.nRows;
  const iperm = invertPermutation(perm);
  let src: { rowPtr: Int32Array; col: Int32Array; idx: Int32Array };
  if (transpose) {
    // CSR of Aᵀ with the index of each entry in A
    const nnz = A.col.length;
    const tPtr = new Int32Array(n + 1);
    for (let k = 0; k < nnz; k++) tPtr[A.col[k]! + 1]!++;
    for (let j = 0; j < n; j++) tPtr[j + 1] = tPtr[j + 1]! + tPtr[j]!;
    const next = tPtr.slice(0, n);
    const tCol = new Int32Array(nnz), tIdx = new Int32Array(nnz);
    for (let i = 0; i < n; i++) {
      for (let k = A.rowPtr[i]!; k < A.rowPtr[i + 1]!; k++) { const d = next[A.col[k]!]!++; tCol[d] = i; tIdx[d] = k; }
    }
    src = { rowPtr: tPtr, col: tCol, idx: tIdx };
  } else {
    const idx = new Int32Array(A.col.length);
    for (let k = 0; k < idx.length; k++) idx[k] = k;
    src = { rowPtr: A.rowPtr, col: A.col, idx };
  }
  const rowPtr = new Int32Array(n + 1);
  const col = new Int32Array(src.col.length), map = new Int32Array(src.col.length);
  let q = 0;
  for (let ni = 0; ni < n; ni++) {
    const i = perm[ni]!;
    const s = q;
    let sorted = true;
    for (let k = src.rowPtr[i]!; k < src.rowPtr[i + 1]!; k++) {
      const c = iperm[src.col[k]!]!;
      if (q > s && c < col[q - 1]!) sorted = false;
      col[q] = c; map[q] = src.idx[k]!; q++;
    }
    if (!sorted) for (let a = s + 1; a < q; a++) {   // insertion sort by column (rows are short)
      const c = col[a]!, m = map[a]!;
      let b = a - 1;
      while (b >= s && col[b]! > c) { col[b + 1] = col[b]!; map[b + 1] = map[b]!; b--; }
      col[b + 1] = c; map[b + 1] = m;
    }
    rowPtr[ni + 1] = q;
  }
  return { rowPtr, col, map };
}

/**
 * The pattern of the transpose of a permuted pattern, with the map carried along (so it
 * gathers from the same original values): one counting pass, rows come out sorted. O(nnz).
 */
export function transposePattern(p: PermutedPattern, n: number): PermutedPattern {
  const nnz = p.col.length;
  const rowPtr = new Int32Array(n + 1);
  for (let q = 0; q < nnz; q++) rowPtr[p.col[q]! + 1]!++;
  for (let j = 0; j < n; j++) rowPtr[j + 1] = rowPtr[j + 1]! + rowPtr[j]!;
  const next = rowPtr.slice(0, n);
  const col = new Int32Array(nnz), map = new Int32Array(nnz);
  for (let i = 0; i < n; i++) {
    for (let q = p.rowPtr[i]!; q < p.rowPtr[i + 1]!; q++) { const d = next[p.col[q]!]!++; col[d] = i; map[d] = p.map[q]!; }
  }
  return { rowPtr, col, map };
}

/** The values of the permuted matrix: `out[q] = val[map[q]]`. */
export function gatherValues(p: PermutedPattern, val: Float64Array, out: Float64Array = new Float64Array(p.map.length)): Float64Array {
  const { map } = p;
  for (let q = 0; q < map.length; q++) out[q] = val[map[q]!]!;
  return out;
}
