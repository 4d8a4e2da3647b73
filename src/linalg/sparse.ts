/**
 * Compressed sparse row (CSR) matrices over `Float64Array`, for transition models of
 * large MDPs (a 10⁶-state gridworld) and for `I − γP_π`.
 *
 * @module
 */

/** A CSR matrix: the entries of row i are `col[k], val[k]` for `rowPtr[i] ≤ k < rowPtr[i+1]`. */
export interface CSR {
  readonly nRows: number;
  readonly nCols: number;
  readonly rowPtr: Int32Array;
  readonly col: Int32Array;
  readonly val: Float64Array;
}

/** y = A x (y allocated when not given). */
export function spmv(A: CSR, x: Float64Array, y: Float64Array = new Float64Array(A.nRows)): Float64Array {
  const { nRows, rowPtr, col, val } = A;
  for (let i = 0; i < nRows; i++) {
    let s = 0;
    const end = rowPtr[i + 1]!;
    for (let k = rowPtr[i]!; k < end; k++) s += val[k]! * x[col[k]!]!;
    y[i] = s;
  }
  return y;
}

/** Aᵀ as a CSR matrix (columns sorted within each row). */
export function transposeCSR(A: CSR): CSR {
  const { nRows, nCols, rowPtr, col, val } = A;
  const nnz = rowPtr[nRows]!;
  const tPtr = new Int32Array(nCols + 1);
  for (let k = 0; k < nnz; k++) tPtr[col[k]! + 1]!++;
  for (let j = 0; j < nCols; j++) tPtr[j + 1] = tPtr[j + 1]! + tPtr[j]!;
  const next = tPtr.slice(0, nCols);
  const tCol = new Int32Array(nnz);
  const tVal = new Float64Array(nnz);
  for (let i = 0; i < nRows; i++) {
    for (let k = rowPtr[i]!; k < rowPtr[i + 1]!; k++) {
      const j = col[k]!;
      const dst = next[j]!++;
      tCol[dst] = i;
      tVal[dst] = val[k]!;
    }
  }
  return { nRows: nCols, nCols: nRows, rowPtr: tPtr, col: tCol, val: tVal };
}

/**
 * Builds a CSR matrix row by row with duplicate columns summed and columns sorted.
 * `emit(i, add)` calls `add(j, v)` for the entries of row i (in any order, repeats allowed).
 * Exact zeros produced by the sum are kept (they do no harm and keep the pattern stable).
 */
export function buildCSR(nRows: number, nCols: number, emit: (i: number, add: (j: number, v: number) => void) => void, nnzHint = nRows * 4): CSR {
  let col = new Int32Array(Math.max(16, nnzHint));
  let val = new Float64Array(col.length);
  const rowPtr = new Int32Array(nRows + 1);
  const slot = new Int32Array(nCols).fill(-1); // column → position in the current row
  let nnz = 0;
  let rowStart = 0;
  const add = (j: number, v: number) => {
    const p = slot[j]!;
    if (p >= rowStart) { val[p] = val[p]! + v; return; }
    if (nnz === col.length) {
      const c2 = new Int32Array(col.length * 2); c2.set(col); col = c2;
      const v2 = new Float64Array(val.length * 2); v2.set(val); val = v2;
    }
    slot[j] = nnz;
    col[nnz] = j;
    val[nnz] = v;
    nnz++;
  };
  for (let i = 0; i < nRows; i++) {
    rowStart = nnz;
    emit(i, add);
    sortRow(col, val, rowStart, nnz);
    rowPtr[i + 1] = nnz;
  }
  return { nRows, nCols, rowPtr, col: col.slice(0, nnz), val: val.slice(0, nnz) };
}

/** Insertion sort of one row's (col, val) pairs by column; rows are short. */
function sortRow(col: Int32Array, val: Float64Array, lo: number, hi: number): void {
  for (let k = lo + 1; k < hi; k++) {
    const c = col[k]!, v = val[k]!;
    let m = k - 1;
    while (m >= lo && col[m]! > c) { col[m + 1] = col[m]!; val[m + 1] = val[m]!; m--; }
    col[m + 1] = c; val[m + 1] = v;
  }
}

/** The dense row-major copy of a CSR matrix (small matrices only). */
export function csrToDense(A: CSR): Float64Array {
  const out = new Float64Array(A.nRows * A.nCols);
  for (let i = 0; i < A.nRows; i++) {
    for (let k = A.rowPtr[i]!; k < A.rowPtr[i + 1]!; k++) out[i * A.nCols + A.col[k]!] += A.val[k]!;
  }
  return out;
}
