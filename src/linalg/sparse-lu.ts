/**
 * Sparse direct LU without pivoting, multifrontal, for matrices whose Gaussian elimination
 * is stable in any symmetric order — the case of policy evaluation: `I − γP_π` restricted
 * to the non-terminal states is a nonsingular M-matrix that is diagonally dominant by rows
 * (strictly for γ < 1: row i has diagonal 1 − γP_ii and off-diagonal sum ≤ γ(1 − P_ii),
 * a margin ≥ 1 − γ; weakly for γ = 1, nonsingular when every state terminates).
 *
 * **Stability.** A symmetric permutation `PAPᵀ` keeps row diagonal dominance (each row keeps
 * its diagonal and its off-diagonal entries). Gaussian elimination without pivoting on a
 * nonsingular matrix diagonally dominant by rows or columns exists and has growth factor
 * ρ ≤ 2 (Higham 2002, *Accuracy and Stability of Numerical Algorithms*, Thm 9.9), so the
 * computed factors satisfy `L̂Û = PAPᵀ + ΔA` with ‖ΔA‖ = O(n u ‖A‖): backward stable.
 * For M-matrices every Schur complement is again a nonsingular M-matrix (Fiedler & Pták
 * 1962; Berman & Plemmons 1994, Ch. 6), so every pivot is positive, and a pivot of
 * magnitude ≤ n·ε·max|a_ij| (the size rounding can give a zero pivot) means the matrix is
 * singular: the factorization throws `SOLVER_SINGULAR` instead of dividing by it. Callers
 * still verify the residual.
 *
 * **Algorithm.** Analysis (once per sparsity pattern): nested dissection of the graph of
 * `A + Aᵀ` ({@link nestedDissection}); the elimination tree (Liu 1990) and its postorder;
 * column counts by row subtrees (Davis 2006, *Direct Methods for Sparse Linear Systems*,
 * §4.4); fundamental supernodes merged by relaxed amalgamation (Ashcraft & Grimes 1989);
 * the row structure of every front, the relative indices of every extend-add, and the
 * destination of every entry of A. Numeric factorization: the multifrontal method (Duff &
 * Reid 1983; Liu 1992) on the symmetrized structure with unsymmetric values, as MUMPS does
 * for structurally near-symmetric matrices (Amestoy et al. 2001): each front is assembled
 * from A and its children's update matrices, its pivot block is factorized densely, and
 * its Schur complement `C − L₂₁U₁₂` (a dense matrix product, the bulk of the work) is
 * passed to the parent. One factorization serves `Ax = b` and `Aᵀy = c`.
 *
 * **Cost.** On a k×k grid graph (n = k²): fill O(n log n), work O(n^{3/2}), memory
 * O(n log n) (George 1973). The analysis reports `nnz` (entries of L and U, stored dense
 * per supernode) and `flops` before any numeric work, so callers can choose another
 * method when they are too large.
 *
 * @module
 */
import { fail } from '../errors.js';
import { invertPermutation, nestedDissection, symmetricGraph, type Graph } from './ordering.js';
import { gemmSub } from './kernels.js';
import type { CSR } from './sparse.js';

/** The result of {@link analyzeSparseLU}: everything that depends only on the pattern. */
export interface SparseLUSymbolic {
  readonly n: number;
  /** The pattern analysed (kept to check that a matrix to factorize has it). */
  readonly rowPtr: Int32Array;
  readonly col: Int32Array;
  /** `perm[new] = old` (nested dissection, then elimination-tree postorder). */
  readonly perm: Int32Array;
  /** Number of supernodes. */
  readonly nSuper: number;
  /** Supernode J owns the pivots `superStart[J] … superStart[J+1]−1` (new numbering). */
  readonly superStart: Int32Array;
  /** Front of J: indices `frontIdx[frontPtr[J] … frontPtr[J+1]−1]`, ascending; the first are J's pivots. */
  readonly frontPtr: Int32Array;
  readonly frontIdx: Int32Array;
  /** For every non-pivot row t of J's front, its position in the parent's front (aligned with frontIdx). */
  readonly relIdx: Int32Array;
  /** The parent supernode (−1 for a root). */
  readonly parent: Int32Array;
  /** Children of J: `childList[childPtr[J] … childPtr[J+1]−1]`, in the order they were pushed. */
  readonly childPtr: Int32Array;
  readonly childList: Int32Array;
  /** Offset of J's pivot rows (nc × m, row-major) and of its L block (nu × nc, row-major) in the factor array. */
  readonly uOff: Int32Array;
  readonly lOff: Int32Array;
  /** Length of the factor array. */
  readonly factorSize: number;
  /** Assembly, grouped by supernode: for q in `asmPtr[J] … asmPtr[J+1]−1`, entry `asmSrc[q]` of A is added at `asmDst[q]`. */
  readonly asmPtr: Int32Array;
  readonly asmSrc: Int32Array;
  readonly asmDst: Int32Array;
  /** Largest size of the stack of update matrices. */
  readonly stackSize: number;
  /** Entries of L and U as stored (dense per supernode, diagonal once). */
  readonly nnz: number;
  /** Floating-point operations of one numeric factorization. */
  readonly flops: number;
}

/** Options of {@link analyzeSparseLU}. */
export interface SparseLUAnalyzeOptions {
  /** A given fill-reducing order (`perm[new] = old`); default nested dissection. */
  readonly perm?: Int32Array;
  /** Leaf size of nested dissection. Default 16. */
  readonly leafSize?: number;
}

/**
 * The symbolic analysis of the square CSR matrix `A` (only its pattern is read). The
 * diagonal must be present in every row (it is in `I − γP_π`); `SOLVER_SINGULAR` otherwise.
 * Cost O(nnz(A)·log n + nnz(L)) time and O(nnz(L)) memory for the structures.
 */
export function analyzeSparseLU(A: CSR, opts: SparseLUAnalyzeOptions = {}): SparseLUSymbolic {
  const n = A.nRows;
  if (A.nCols !== n) fail('SOLVER_SINGULAR', `sparse LU needs a square matrix, got ${A.nRows}×${A.nCols}`);
  const { rowPtr, col } = A;
  for (let i = 0; i < n; i++) {
    let has = false;
    for (let k = rowPtr[i]!; k < rowPtr[i + 1]!; k++) if (col[k] === i) { has = true; break; }
    if (!has) fail('SOLVER_SINGULAR', `sparse LU: row ${i} has no diagonal entry`, { where: `row ${i}` });
  }
  const g = symmetricGraph(A);
  const nd = opts.perm ?? nestedDissection(g, opts.leafSize === undefined ? {} : { leafSize: opts.leafSize });
  // elimination tree of the reordered graph, then its postorder
  let iperm = invertPermutation(nd);
  const parent0 = eliminationTree(g, nd, iperm);
  const post = postorder(parent0);
  const perm = new Int32Array(n);
  for (let k = 0; k < n; k++) perm[k] = nd[post[k]!]!;
  iperm = invertPermutation(perm);
  const ipost = invertPermutation(post);
  const etree = new Int32Array(n);
  for (let k = 0; k < n; k++) { const p = parent0[post[k]!]!; etree[k] = p < 0 ? -1 : ipost[p]!; }
  const counts = columnCounts(g, perm, iperm, etree);
  const sup = supernodes(etree, counts);
  return buildFronts(A, g, perm, iperm, sup);
}

/**
 * The elimination tree of the graph under the order `perm` (Liu 1990, with path
 * compression through virtual ancestors; Davis 2006 §4.1). O(nnz · α(n)).
 */
function eliminationTree(g: Graph, perm: Int32Array, iperm: Int32Array): Int32Array {
  const n = g.n;
  const parent = new Int32Array(n).fill(-1);
  const anc = new Int32Array(n).fill(-1);
  for (let k = 0; k < n; k++) {
    const v = perm[k]!;
    for (let p = g.ptr[v]!; p < g.ptr[v + 1]!; p++) {
      let i = iperm[g.adj[p]!]!;
      while (i !== -1 && i < k) {
        const next = anc[i]!;
        anc[i] = k;
        if (next === -1) { parent[i] = k; break; }
        i = next;
      }
    }
  }
  return parent;
}

/** A postorder of the forest `parent` (children before parents, subtrees contiguous). */
function postorder(parent: Int32Array): Int32Array {
  const n = parent.length;
  const head = new Int32Array(n).fill(-1), next = new Int32Array(n);
  for (let j = n - 1; j >= 0; j--) {
    const p = parent[j]!;
    if (p >= 0) { next[j] = head[p]!; head[p] = j; }
  }
  const post = new Int32Array(n);
  const stack = new Int32Array(n);
  let k = 0;
  for (let r = 0; r < n; r++) {
    if (parent[r] !== -1) continue;
    let top = 0;
    stack[0] = r;
    while (top >= 0) {
      const v = stack[top]!;
      const c = head[v]!;
      if (c === -1) { top--; post[k++] = v; } else { head[v] = next[c]!; stack[++top] = c; }
    }
  }
  return post;
}

/**
 * Column counts of L (entries strictly below the diagonal) by traversing each row's
 * subtree of the elimination tree (Davis 2006, §4.4, `cs_ereach`). O(nnz(L)).
 */
function columnCounts(g: Graph, perm: Int32Array, iperm: Int32Array, etree: Int32Array): Int32Array {
  const n = g.n;
  const counts = new Int32Array(n);
  const mark = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    mark[i] = i;
    const v = perm[i]!;
    for (let p = g.ptr[v]!; p < g.ptr[v + 1]!; p++) {
      let j = iperm[g.adj[p]!]!;
      if (j > i) continue;
      while (mark[j] !== i) { counts[j]!++; mark[j] = i; j = etree[j]!; }
    }
  }
  return counts;
}

interface Supernodes {
  readonly start: Int32Array;   // nSuper + 1
  readonly parent: Int32Array;  // etree of supernodes
}

/**
 * Fundamental supernodes (a chain j → j+1 with count(j) = count(j+1) + 1 and j+1 having j
 * as only child), then relaxed amalgamation (Ashcraft & Grimes 1989): a supernode is merged
 * into its parent when it is the parent's last child and the merge adds few explicit zeros
 * (any merge up to 2 columns, < 30 % zeros up to 8, < 5 % up to 32, < 2 % beyond — stricter
 * than CHOLMOD's defaults: measured on 2-D grids, larger relaxed fronts cost more in extra
 * flops than they save in kernel efficiency here), trading a few wasted flops for larger
 * dense blocks.
 */
function supernodes(etree: Int32Array, counts: Int32Array): Supernodes {
  const n = etree.length;
  const nChild = new Int32Array(n);
  for (let j = 0; j < n; j++) if (etree[j]! >= 0) nChild[etree[j]!]!++;
  // fundamental supernodes
  const fstart: number[] = [];
  for (let j = 0; j < n; j++) {
    const chain = j > 0 && etree[j - 1] === j && counts[j - 1] === counts[j]! + 1 && nChild[j] === 1;
    if (!chain) fstart.push(j);
  }
  fstart.push(n);
  const ns = fstart.length - 1;
  const superOf = new Int32Array(n);
  for (let J = 0; J < ns; J++) for (let j = fstart[J]!; j < fstart[J + 1]!; j++) superOf[j] = J;
  const sParent = new Int32Array(ns);
  for (let J = 0; J < ns; J++) {
    const last = fstart[J + 1]! - 1;
    const p = etree[last]!;
    sParent[J] = p < 0 ? -1 : superOf[p]!;
  }
  // relaxed amalgamation, bottom-up: merged[J] = representative
  const ncol = new Int32Array(ns), m = new Int32Array(ns);
  const zeros = new Float64Array(ns);
  for (let J = 0; J < ns; J++) {
    ncol[J] = fstart[J + 1]! - fstart[J]!;
    m[J] = counts[fstart[J]!]! + 1;
  }
  const absorbedInto = new Int32Array(ns).fill(-1);
  // walking J upward: when J's last child C (the supernode ending at first(J) − 1) is
  // mergeable, merge it (C's own merges already happened, as C < J).
  const first = new Int32Array(ns);
  for (let J = 0; J < ns; J++) first[J] = fstart[J]!;
  const endsAt = new Int32Array(n).fill(-1); // column → current supernode whose last column it is
  for (let J = 0; J < ns; J++) endsAt[fstart[J + 1]! - 1] = J;
  for (let J = 0; J < ns; J++) {
    for (;;) {
      const f = first[J]!;
      if (f === 0) break;
      const C = endsAt[f - 1]!;
      if (C < 0 || absorbedInto[C] !== -1 || sParent[C] !== J) break;
      // merged: columns C then J; front rows = C's columns ∪ J's front
      const nc = ncol[C]! + ncol[J]!;
      const mm = ncol[C]! + m[J]!;
      // dense entries below the diagonal in the merged block: Σ_{t<nc} (mm − 1 − t)
      const denseEntries = nc * mm - (nc * (nc + 1)) / 2;
      // true entries: C's dense entries minus C's zeros, plus J's
      const entriesC = ncol[C]! * m[C]! - (ncol[C]! * (ncol[C]! + 1)) / 2 - zeros[C]!;
      const entriesJ = ncol[J]! * m[J]! - (ncol[J]! * (ncol[J]! + 1)) / 2 - zeros[J]!;
      const z = denseEntries - entriesC - entriesJ;
      const frac = denseEntries > 0 ? z / denseEntries : 0;
      const ok = nc <= 2 || (nc <= 8 && frac < 0.3) || (nc <= 32 && frac < 0.05) || frac < 0.02;
      if (!ok) break;
      absorbedInto[C] = J;
      ncol[J] = nc; m[J] = mm; zeros[J] = z; first[J] = first[C]!;
      endsAt[f - 1] = -1;
    }
  }
  const startList: number[] = [];
  const newId = new Int32Array(ns).fill(-1);
  let count = 0;
  for (let J = 0; J < ns; J++) if (absorbedInto[J] === -1) { newId[J] = count++; startList.push(first[J]!); }
  startList.push(n);
  const start = Int32Array.from(startList);
  const parent = new Int32Array(count);
  for (let J = 0; J < ns; J++) {
    if (absorbedInto[J] !== -1) continue;
    let p = sParent[J]!;
    while (p >= 0 && absorbedInto[p] !== -1) p = absorbedInto[p]!;
    parent[newId[J]!] = p < 0 ? -1 : newId[p]!;
  }
  return { start, parent };
}

/** Front structures, extend-add maps, factor layout and the assembly map. */
function buildFronts(A: CSR, g: Graph, perm: Int32Array, iperm: Int32Array, sup: Supernodes): SparseLUSymbolic {
  const n = g.n;
  const { start, parent } = sup;
  const ns = start.length - 1;
  const superOf = new Int32Array(n);
  for (let J = 0; J < ns; J++) for (let j = start[J]!; j < start[J + 1]!; j++) superOf[j] = J;
  // children lists (ascending J, the order in which their updates are pushed)
  const childPtr = new Int32Array(ns + 1);
  for (let J = 0; J < ns; J++) if (parent[J]! >= 0) childPtr[parent[J]! + 1]!++;
  for (let J = 0; J < ns; J++) childPtr[J + 1] = childPtr[J + 1]! + childPtr[J]!;
  const childList = new Int32Array(childPtr[ns]!);
  const cfill = childPtr.slice(0, ns);
  for (let J = 0; J < ns; J++) if (parent[J]! >= 0) childList[cfill[parent[J]!]!++] = J;
  // front structures, in postorder: pivots, then (adjacency ∪ children's update rows) beyond the pivots
  const frontPtr = new Int32Array(ns + 1);
  let idx = new Int32Array(Math.max(16, 4 * g.adj.length + n));
  const mark = new Int32Array(n).fill(-1);
  let len = 0;
  // room for `extra` more entries (one closure for the whole loop: a closure made per
  // supernode costs an allocation each, and under tsx a name-defining call too)
  const ensure = (extra: number) => {
    if (len + extra > idx.length) { const t = new Int32Array(Math.max(idx.length * 2, len + extra)); t.set(idx); idx = t; }
  };
  for (let J = 0; J < ns; J++) {
    const f = start[J]!, l = start[J + 1]! - 1;
    const begin = len;
    ensure(l - f + 1);
    for (let j = f; j <= l; j++) { idx[len++] = j; mark[j] = J; }
    const rowsStart = len;
    for (let j = f; j <= l; j++) {
      const v = perm[j]!;
      ensure(g.ptr[v + 1]! - g.ptr[v]!);
      for (let p = g.ptr[v]!; p < g.ptr[v + 1]!; p++) {
        const i = iperm[g.adj[p]!]!;
        if (i > l && mark[i] !== J) { mark[i] = J; idx[len++] = i; }
      }
    }
    for (let c = childPtr[J]!; c < childPtr[J + 1]!; c++) {
      const C = childList[c]!;
      const ncC = start[C + 1]! - start[C]!;
      const cb = frontPtr[C]! + ncC, ce = frontPtr[C + 1]!;
      ensure(ce - cb);
      for (let t = cb; t < ce; t++) {
        const i = idx[t]!;
        if (i > l && mark[i] !== J) { mark[i] = J; idx[len++] = i; }
      }
    }
    if (len - rowsStart > 48) idx.subarray(rowsStart, len).sort();
    else for (let a = rowsStart + 1; a < len; a++) {   // insertion sort: short lists
      const v = idx[a]!;
      let b = a - 1;
      while (b >= rowsStart && idx[b]! > v) { idx[b + 1] = idx[b]!; b--; }
      idx[b + 1] = v;
    }
    frontPtr[J] = begin;
    frontPtr[J + 1] = len;
  }
  const frontIdx = idx.slice(0, len);
  // relative indices: position of each child update row in the parent's front
  const relIdx = new Int32Array(len).fill(-1);
  const loc = new Int32Array(n);
  for (let J = 0; J < ns; J++) {
    for (let t = frontPtr[J]!; t < frontPtr[J + 1]!; t++) loc[frontIdx[t]!] = t - frontPtr[J]!;
    for (let c = childPtr[J]!; c < childPtr[J + 1]!; c++) {
      const C = childList[c]!;
      const ncC = start[C + 1]! - start[C]!;
      for (let t = frontPtr[C]! + ncC; t < frontPtr[C + 1]!; t++) relIdx[t] = loc[frontIdx[t]!]!;
    }
  }
  // factor layout, flops, nnz and the update-matrix stack
  const uOff = new Int32Array(ns), lOff = new Int32Array(ns);
  let size = 0, flops = 0, nnz = 0;
  let stackTop = 0, stackMax = 0;
  const stackAt = new Float64Array(ns); // where J's update matrix sits on the stack
  for (let J = 0; J < ns; J++) {
    const nc = start[J + 1]! - start[J]!;
    const m = frontPtr[J + 1]! - frontPtr[J]!;
    const nu = m - nc;
    uOff[J] = size; size += nc * m;
    lOff[J] = size; size += nu * nc;
    nnz += nc * m + nu * nc;
    // pivot block LU ≈ (2/3)nc³, U₁₂ and L₂₁ solves ≈ 2·nc²·nu, Schur update 2·nu²·nc
    flops += (2 / 3) * nc * nc * nc + 2 * nc * nc * nu + 2 * nu * nu * nc;
    // J's update is allocated above its children's, then moved down to the first child's place
    const base = childPtr[J + 1]! > childPtr[J]! ? stackAt[childList[childPtr[J]!]!]! : stackTop;
    stackMax = Math.max(stackMax, stackTop + nu * nu);
    stackAt[J] = base;
    stackTop = base + nu * nu;
  }
  if (size > 2 ** 31 - 1) fail('TOO_LARGE', `sparse LU factors would need ${size} entries`, { value: size });
  // assembly map: entry (a, b) of the permuted matrix goes to the supernode of min(a, b)
  const { rowPtr, col } = A;
  const nnzA = col.length;
  // column access to A with the CSR index of every entry (for the L side)
  const cPtr = new Int32Array(n + 1);
  for (let k = 0; k < nnzA; k++) cPtr[col[k]! + 1]!++;
  for (let j = 0; j < n; j++) cPtr[j + 1] = cPtr[j + 1]! + cPtr[j]!;
  const cNext = cPtr.slice(0, n);
  const cRow = new Int32Array(nnzA), cK = new Int32Array(nnzA);
  for (let i = 0; i < n; i++) {
    for (let k = rowPtr[i]!; k < rowPtr[i + 1]!; k++) { const d = cNext[col[k]!]!++; cRow[d] = i; cK[d] = k; }
  }
  const asmPtr = new Int32Array(ns + 1), asmSrc = new Int32Array(nnzA), asmDst = new Int32Array(nnzA);
  let qa = 0;
  for (let J = 0; J < ns; J++) {
    const f = start[J]!, l = start[J + 1]! - 1;
    const fp = frontPtr[J]!, m = frontPtr[J + 1]! - fp, nc = l - f + 1;
    for (let t = fp; t < fp + m; t++) loc[frontIdx[t]!] = t - fp;
    for (let a = f; a <= l; a++) {
      const row = perm[a]!;
      for (let k = rowPtr[row]!; k < rowPtr[row + 1]!; k++) {
        const b = iperm[col[k]!]!;
        if (b >= f) { asmSrc[qa] = k; asmDst[qa++] = uOff[J]! + (a - f) * m + loc[b]!; }   // pivot row a (U side)
      }
    }
    for (let b = f; b <= l; b++) {                                     // pivot column b (L side)
      const c = perm[b]!;
      for (let q = cPtr[c]!; q < cPtr[c + 1]!; q++) {
        const a = iperm[cRow[q]!]!;
        if (a > l) { asmSrc[qa] = cK[q]!; asmDst[qa++] = lOff[J]! + (loc[a]! - nc) * nc + (b - f); }
      }
    }
    asmPtr[J + 1] = qa;
  }
  return {
    n, rowPtr: A.rowPtr, col: A.col, perm, nSuper: ns, superStart: start, frontPtr, frontIdx, relIdx, parent,
    childPtr, childList, uOff, lOff, factorSize: size, asmPtr, asmSrc, asmDst, stackSize: stackMax, nnz, flops,
  };
}

/** A numeric factorization `PAPᵀ = LU` from {@link factorSparseLU}. */
export interface SparseLUFactor {
  readonly symbolic: SparseLUSymbolic;
  /** Per supernode: the pivot rows (L₁₁ strictly below the diagonal, U₁₁ and U₁₂) and the L₂₁ block. */
  readonly lu: Float64Array;
  /** The smallest |pivot| met. */
  readonly minPivot: number;
  /** Workspace for the update-matrix stack (kept for reuse). */
  readonly work: Float64Array;
}

/** Options of {@link factorSparseLU}. */
export interface SparseLUFactorOptions {
  /**
   * A pivot of magnitude at most this throws `SOLVER_SINGULAR`. Default n·ε·max|A_ij|:
   * the size a zero pivot of a singular diagonally dominant matrix can reach through
   * rounding (growth ≤ 2, Higham 2002 Thm 9.9).
   */
  readonly pivotTolerance?: number;
  /**
   * An earlier factorization with the same analysis whose storage may be overwritten (it
   * becomes invalid). Saves allocating — and page-faulting — the factor arrays again.
   */
  readonly reuse?: SparseLUFactor;
}

/**
 * Numeric multifrontal factorization of `A` (which must have the pattern analysed by
 * `sym`; `SOLVER_SINGULAR` if it does not) without pivoting: `PAPᵀ = LU`. See the module
 * comment for why no pivoting is needed for `I − γP_π`. Cost: `sym.flops` floating-point
 * operations, `sym.factorSize + sym.stackSize` doubles.
 */
export function factorSparseLU(sym: SparseLUSymbolic, A: CSR, opts: SparseLUFactorOptions = {}): SparseLUFactor {
  const { n, nSuper, superStart, frontPtr, relIdx, childPtr, childList, uOff, lOff, asmPtr, asmSrc, asmDst } = sym;
  if (A.nRows !== n || A.nCols !== n || !samePattern(sym, A)) fail('SOLVER_SINGULAR', 'sparse LU: the matrix does not have the analysed sparsity pattern');
  const val = A.val;
  let scale = 0;
  for (let k = 0; k < val.length; k++) { const v = Math.abs(val[k]!); if (v > scale) scale = v; }
  const tolPivot = opts.pivotTolerance ?? n * 2.220446049250313e-16 * scale;
  const old = opts.reuse && opts.reuse.symbolic === sym ? opts.reuse : undefined;
  const lu = old ? old.lu : new Float64Array(sym.factorSize);
  const stack = old ? old.work : new Float64Array(Math.max(1, sym.stackSize));
  const updAt = new Int32Array(nSuper);
  let maxFront = 0;
  for (let J = 0; J < nSuper; J++) maxFront = Math.max(maxFront, frontPtr[J + 1]! - frontPtr[J]!);
  const scratch = new Float64Array(PANEL * (PANEL + maxFront));
  let top = 0;
  let minPivot = Infinity;
  for (let J = 0; J < nSuper; J++) {
    const f = superStart[J]!, nc = superStart[J + 1]! - f;
    const fp = frontPtr[J]!, m = frontPtr[J + 1]! - fp, nu = m - nc;
    const U = uOff[J]!, L = lOff[J]!;
    const c0 = childPtr[J]!, c1 = childPtr[J + 1]!;
    const base = c1 > c0 ? updAt[childList[c0]!]! : top;
    const W = top;                       // J's update matrix, above its children's
    stack.fill(0, W, W + nu * nu);
    // J's block of the factor: zero it (a reused factor holds old values), assemble A's entries
    if (old) lu.fill(0, U, L + nu * nc);
    for (let q = asmPtr[J]!; q < asmPtr[J + 1]!; q++) lu[asmDst[q]!] += val[asmSrc[q]!]!;
    // extend-add the children's update matrices
    for (let c = c0; c < c1; c++) {
      const C = childList[c]!;
      const fC = superStart[C]!, ncC = superStart[C + 1]! - fC;
      const rb = frontPtr[C]! + ncC, nuC = frontPtr[C + 1]! - rb;
      const src = updAt[C]!;
      let split = 0;                     // rel ascending: the first column that falls beyond J's pivots
      while (split < nuC && relIdx[rb + split]! < nc) split++;
      for (let t = 0; t < nuC; t++) {
        const p = relIdx[rb + t]!;
        const srow = src + t * nuC;
        if (p < nc) {
          const drow = U + p * m;
          for (let s = 0; s < nuC; s++) lu[drow + relIdx[rb + s]!] += stack[srow + s]!;
        } else {
          const lrow = L + (p - nc) * nc, wrow = W + (p - nc) * nu - nc;
          for (let s = 0; s < split; s++) lu[lrow + relIdx[rb + s]!] += stack[srow + s]!;
          for (let s = split; s < nuC; s++) stack[wrow + relIdx[rb + s]!] += stack[srow + s]!;
        }
      }
    }
    const mp = factorFront(lu, U, L, nc, m, stack, W, tolPivot, scratch);
    if (mp < 0) {
      const k = -mp - 1;
      const piv = lu[U + k * m + k]!;
      fail('SOLVER_SINGULAR', `sparse LU: pivot ${piv} at unknown ${sym.perm[f + k]} is not above ${tolPivot.toExponential(2)}: the matrix is (numerically) singular`, { where: `row ${sym.perm[f + k]}`, value: piv });
    }
    if (mp < minPivot) minPivot = mp;
    if (W !== base) stack.copyWithin(base, W, W + nu * nu);
    updAt[J] = base;
    top = base + nu * nu;
  }
  return { symbolic: sym, lu, minPivot, work: stack };
}

/** Panel width of the blocked front factorization. */
const PANEL = 24;

/**
 * Factorizes one front in place, blocked right-looking LU without pivoting (Golub & Van
 * Loan 2013, Alg. 3.2.10 restricted to the first nc pivots). The front is
 *
 *     [A₁₁ A₁₂]   nc pivot rows, stored row-major (nc × m) at `u` in `lu`
 *     [A₂₁ W  ]   A₂₁: nu × nc at `l` in `lu`;  W: nu × nu at `w` in `ws`
 *
 * and becomes L₁₁\U₁₁, U₁₂ = L₁₁⁻¹A₁₂, L₂₁ = A₂₁U₁₁⁻¹ and W − L₂₁U₁₂ (the update passed
 * to the parent). Per panel of {@link PANEL} pivots: the diagonal block is factorized
 * pivot by pivot; the rows below it are multiplied by the explicit inverse of its U (a
 * triangular solve done as a matrix product, which V8 runs several times faster; the U
 * factor of a diagonally dominant M-matrix is itself an M-matrix with a well-behaved
 * inverse, and callers verify the residual of every solve); the
 * panel's rows of U are solved by rows; and the rest of the front is updated by matrix
 * products ({@link gemmSub}), where the work is. `scratch` holds ≥ PANEL·(PANEL + m)
 * doubles. Returns the smallest |pivot|, or −(k+1) when pivot k is not above `tol`.
 */
function factorFront(lu: Float64Array, u: number, l: number, nc: number, m: number, ws: Float64Array, w: number, tol: number, scratch: Float64Array): number {
  const nu = m - nc;
  let minPiv = Infinity;
  for (let kb = 0; kb < nc; kb += PANEL) {
    const ke = Math.min(nc, kb + PANEL);
    const pw = ke - kb;
    // 1. the diagonal block, pivot by pivot
    for (let k = kb; k < ke; k++) {
      const rk = u + k * m;
      const piv = lu[rk + k]!;
      if (!(Math.abs(piv) > tol)) return -(k + 1);
      if (Math.abs(piv) < minPiv) minPiv = Math.abs(piv);
      const inv = 1 / piv;
      for (let i = k + 1; i < ke; i++) {
        const ri = u + i * m;
        const x = lu[ri + k]! * inv;
        lu[ri + k] = x;
        if (x !== 0) for (let j = k + 1; j < ke; j++) lu[ri + j] -= x * lu[rk + j]!;
      }
    }
    // 2. −U_pp⁻¹ (pw × pw, upper) into scratch[0 … pw²)
    const ninv = scratch;
    for (let j = pw - 1; j >= 0; j--) {
      const dj = 1 / lu[u + (kb + j) * m + kb + j]!;
      ninv[j * pw + j] = -dj;
      for (let i = j - 1; i >= 0; i--) {
        const ri = u + (kb + i) * m + kb;
        let s = 0;
        for (let k = i + 1; k <= j; k++) s += lu[ri + k]! * ninv[k * pw + j]!;
        ninv[i * pw + j] = -s / lu[ri + i]!;
      }
      for (let i = j + 1; i < pw; i++) ninv[i * pw + j] = 0;
    }
    // 3. rows below the block, panel columns: X ← X U_pp⁻¹ (copy X out, zero it, X −= copy·(−U⁻¹))
    const tmp = pw * pw;
    const below = nc - ke;
    if (below > 0) {
      for (let i = 0; i < below; i++) {
        const ri = u + (ke + i) * m + kb;
        for (let j = 0; j < pw; j++) { scratch[tmp + i * pw + j] = lu[ri + j]!; lu[ri + j] = 0; }
      }
      gemmSub(below, pw, pw, scratch, tmp, pw, ninv, 0, pw, lu, u + ke * m + kb, m);
    }
    for (let t0 = 0; t0 < nu; t0 += m) {      // L₂₁ rows, in chunks that fit the scratch
      const cnt = Math.min(m, nu - t0);
      for (let i = 0; i < cnt; i++) {
        const ri = l + (t0 + i) * nc + kb;
        for (let j = 0; j < pw; j++) { scratch[tmp + i * pw + j] = lu[ri + j]!; lu[ri + j] = 0; }
      }
      gemmSub(cnt, pw, pw, scratch, tmp, pw, ninv, 0, pw, lu, l + t0 * nc + kb, nc);
    }
    // 4. the panel's pivot rows beyond the panel: U(kb:ke, ke:m) = L(kb:ke, kb:ke)⁻¹ A(kb:ke, ke:m)
    for (let r = kb + 1; r < ke; r++) {
      const rr = u + r * m;
      for (let c = kb; c < r; c++) {
        const x = lu[rr + c]!;
        if (x === 0) continue;
        const rc = u + c * m;
        for (let j = ke; j < m; j++) lu[rr + j] -= x * lu[rc + j]!;
      }
    }
    // 5. trailing pivot rows, trailing L₂₁ columns, and W
    if (ke < nc) {
      gemmSub(nc - ke, m - ke, pw, lu, u + ke * m + kb, m, lu, u + kb * m + ke, m, lu, u + ke * m + ke, m);
      gemmSub(nu, nc - ke, pw, lu, l + kb, nc, lu, u + kb * m + ke, m, lu, l + ke, nc);
    }
    if (nu > 0) gemmSub(nu, nu, pw, lu, l + kb, nc, lu, u + kb * m + nc, m, ws, w, nu);
  }
  return minPiv;
}

function samePattern(sym: SparseLUSymbolic, A: CSR): boolean {
  if (A.rowPtr === sym.rowPtr && A.col === sym.col) return true;
  const { rowPtr, col } = A;
  if (rowPtr.length !== sym.rowPtr.length || col.length !== sym.col.length) return false;
  for (let i = 0; i < rowPtr.length; i++) if (rowPtr[i] !== sym.rowPtr[i]) return false;
  for (let k = 0; k < col.length; k++) if (col[k] !== sym.col[k]) return false;
  return true;
}

/** x = A⁻¹ b with the factorization (b is not modified). Cost 2·nnz(L + U). */
export function solveSparseLU(F: SparseLUFactor, b: Float64Array, out: Float64Array = new Float64Array(F.symbolic.n)): Float64Array {
  const { n, nSuper, superStart, frontPtr, frontIdx, uOff, lOff, perm } = F.symbolic;
  const lu = F.lu;
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = b[perm[i]!]!;
  for (let J = 0; J < nSuper; J++) {                 // L y = Pb
    const f = superStart[J]!, nc = superStart[J + 1]! - f;
    const fp = frontPtr[J]!, m = frontPtr[J + 1]! - fp;
    const U = uOff[J]!, L = lOff[J]!;
    for (let r = 1; r < nc; r++) {
      const rr = U + r * m;
      let s = x[f + r]!;
      for (let c = 0; c < r; c++) s -= lu[rr + c]! * x[f + c]!;
      x[f + r] = s;
    }
    for (let t = nc; t < m; t++) {
      const rt = L + (t - nc) * nc;
      let s = 0;
      for (let c = 0; c < nc; c++) s += lu[rt + c]! * x[f + c]!;
      x[frontIdx[fp + t]!] -= s;
    }
  }
  for (let J = nSuper - 1; J >= 0; J--) {            // U x = y
    const f = superStart[J]!, nc = superStart[J + 1]! - f;
    const fp = frontPtr[J]!, m = frontPtr[J + 1]! - fp;
    const U = uOff[J]!;
    for (let r = nc - 1; r >= 0; r--) {
      const rr = U + r * m;
      let s = x[f + r]!;
      for (let t = nc; t < m; t++) s -= lu[rr + t]! * x[frontIdx[fp + t]!]!;
      for (let c = r + 1; c < nc; c++) s -= lu[rr + c]! * x[f + c]!;
      x[f + r] = s / lu[rr + r]!;
    }
  }
  for (let i = 0; i < n; i++) out[perm[i]!] = x[i]!;
  return out;
}

/** y = A⁻ᵀ c with the same factorization: `(PAPᵀ)ᵀ = UᵀLᵀ`. Cost 2·nnz(L + U). */
export function solveSparseLUTranspose(F: SparseLUFactor, c: Float64Array, out: Float64Array = new Float64Array(F.symbolic.n)): Float64Array {
  const { n, nSuper, superStart, frontPtr, frontIdx, uOff, lOff, perm } = F.symbolic;
  const lu = F.lu;
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) z[i] = c[perm[i]!]!;
  for (let J = 0; J < nSuper; J++) {                 // Uᵀ w = Pc (rows of U scatter forward)
    const f = superStart[J]!, nc = superStart[J + 1]! - f;
    const fp = frontPtr[J]!, m = frontPtr[J + 1]! - fp;
    const U = uOff[J]!;
    for (let r = 0; r < nc; r++) {
      const rr = U + r * m;
      const zr = z[f + r]! / lu[rr + r]!;
      z[f + r] = zr;
      if (zr === 0) continue;
      for (let cc = r + 1; cc < nc; cc++) z[f + cc] -= lu[rr + cc]! * zr;
      for (let t = nc; t < m; t++) z[frontIdx[fp + t]!] -= lu[rr + t]! * zr;
    }
  }
  for (let J = nSuper - 1; J >= 0; J--) {            // Lᵀ v = w (unit diagonal)
    const f = superStart[J]!, nc = superStart[J + 1]! - f;
    const fp = frontPtr[J]!, m = frontPtr[J + 1]! - fp;
    const U = uOff[J]!, L = lOff[J]!;
    for (let t = nc; t < m; t++) {
      const wt = z[frontIdx[fp + t]!]!;
      if (wt === 0) continue;
      const rt = L + (t - nc) * nc;
      for (let cc = 0; cc < nc; cc++) z[f + cc] -= lu[rt + cc]! * wt;
    }
    for (let r = nc - 1; r > 0; r--) {
      const wr = z[f + r]!;
      if (wr === 0) continue;
      const rr = U + r * m;
      for (let cc = 0; cc < r; cc++) z[f + cc] -= lu[rr + cc]! * wr;
    }
  }
  for (let i = 0; i < n; i++) out[perm[i]!] = z[i]!;
  return out;
}
