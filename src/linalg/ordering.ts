/**
 * Fill-reducing orderings for sparse direct factorization: the symmetric adjacency graph of
 * a square sparse matrix, and nested dissection on it by breadth-first level structures.
 *
 * A symmetric permutation `P A Pᵀ` only relabels the unknowns, so it keeps every property
 * that pivoting-free elimination of `I − γP_π` relies on (the diagonal stays on the
 * diagonal and each row keeps its off-diagonal entries: strict row diagonal dominance and
 * the M-matrix sign pattern survive). The ordering only decides how much fill the
 * factorization creates.
 *
 * @module
 */
import type { CSR } from './sparse.js';

/** An undirected graph in CSR form: the neighbours of v are `adj[ptr[v] … ptr[v+1]−1]`, no self-loops. */
export interface Graph {
  readonly n: number;
  readonly ptr: Int32Array;
  readonly adj: Int32Array;
}

/**
 * The graph of the pattern of `A + Aᵀ` without the diagonal (the structure the
 * factorization sees once the pattern is symmetrized). Duplicate entries are merged.
 * Cost O(nnz(A)).
 */
export function symmetricGraph(A: CSR): Graph {
  const n = A.nRows;
  const { rowPtr, col } = A;
  const deg = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    for (let k = rowPtr[i]!; k < rowPtr[i + 1]!; k++) {
      const j = col[k]!;
      if (j !== i) { deg[i + 1]!++; deg[j + 1]!++; }
    }
  }
  for (let i = 0; i < n; i++) deg[i + 1] = deg[i + 1]! + deg[i]!;
  const fill = deg.slice(0, n);
  const raw = new Int32Array(deg[n]!);
  for (let i = 0; i < n; i++) {
    for (let k = rowPtr[i]!; k < rowPtr[i + 1]!; k++) {
      const j = col[k]!;
      if (j !== i) { raw[fill[i]!++] = j; raw[fill[j]!++] = i; }
    }
  }
  // merge duplicates (an entry present in both A and Aᵀ) with a marker per row
  const mark = new Int32Array(n).fill(-1);
  const ptr = new Int32Array(n + 1);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const start = m;
    for (let k = deg[i]!; k < deg[i + 1]!; k++) {
      const j = raw[k]!;
      if (mark[j] !== i) { mark[j] = i; raw[m++] = j; }
    }
    ptr[i + 1] = m;
    void start;
  }
  return { n, ptr, adj: raw.slice(0, m) };
}

/** Parts up to this size take the minimum-degree start vertex as root (one BFS, no peripheral search). */
const PERIPHERAL_MIN = 256;

/** Options of {@link nestedDissection}. */
export interface NestedDissectionOptions {
  /** Parts of at most this many vertices are not dissected further. Default 16. */
  readonly leafSize?: number;
}

/**
 * Nested dissection by level structures (George 1973; George & Liu 1981, *Computer Solution
 * of Large Sparse Positive Definite Systems*, §8.2 "automatic nested dissection").
 *
 * For each part: build a rooted level structure by BFS from a pseudo-peripheral vertex
 * (repeated BFS from a vertex of minimum degree in the last level, Gibbs–Poole–Stockmeyer
 * 1976; a fresh search per part, which makes the separators alternate direction, as
 * nested dissection needs; parts of at most 256 vertices skip the search and start from a
 * vertex of minimum degree — measured on grids: 20 % less ordering time, 1.5 % more flops). Take as separator the interior level L_l minimizing the ratio cut
 * |L_l| / (|below| · |above|) (George & Liu's middle level, traded against separator size),
 * keeping only its vertices that touch the next level (George & Liu's refinement; the
 * others join the lower side); number the separator last and recurse on both sides. A part
 * that turns out disconnected (the BFS does not reach all of it) is split into the reached
 * component and the rest. Parts of at most `leafSize` vertices are numbered as they are.
 *
 * On a k×k grid this gives separators of O(k) vertices at every level, hence fill
 * O(n log n) and factorization work O(n^{3/2}) (George 1973). Cost of the ordering:
 * O(nnz · depth), depth ≈ log₂ n, about two BFS per part.
 *
 * Returns `perm` with `perm[new] = old`.
 */
export function nestedDissection(g: Graph, opts: NestedDissectionOptions = {}): Int32Array {
  const { n, ptr, adj } = g;
  const leaf = Math.max(1, opts.leafSize ?? 16);
  const perm = new Int32Array(n);
  // `part[v]` labels the part v currently belongs to; −1 once v has been numbered.
  const part = new Int32Array(n);
  const level = new Int32Array(n);
  const queue = new Int32Array(n);
  const nodes = new Int32Array(n);
  const spare = new Int32Array(n);
  for (let v = 0; v < n; v++) nodes[v] = v;
  let nextLabel = 1;
  // a stack of parts: the range [lo, hi) of `nodes` (and of the output positions) and its label
  const stack: number[] = [0, n, 0];
  while (stack.length) {
    const label = stack.pop()!, hi0 = stack.pop()!, lo = stack.pop()!;
    let hi = hi0;
    let size = hi - lo;
    if (size <= leaf) { numberLeaf(lo, hi, label); continue; }
    let root = nodes[lo]!;
    let best = Infinity;
    for (let i = lo; i < hi; i++) {
      const v = nodes[i]!;
      const d = ptr[v + 1]! - ptr[v]!;
      if (d < best) { best = d; root = v; }
    }
    const reached = bfs(ptr, adj, part, level, queue, root, label);
    let depth = level[queue[reached - 1]!]!;
    if (reached < size) {
      // disconnected: keep the reached component here, push the rest as a new part
      const rest = nextLabel++;
      let r = 0;
      for (let i = 0; i < reached; i++) part[queue[i]!] = -4;       // mark the component
      for (let i = lo; i < hi; i++) { const v = nodes[i]!; if (part[v] === label) { part[v] = rest; spare[r++] = v; } }
      for (let i = 0; i < reached; i++) { nodes[lo + i] = queue[i]!; part[queue[i]!] = label; }
      nodes.set(spare.subarray(0, r), lo + reached);
      stack.push(lo + reached, hi, rest);
      hi = lo + reached;
      size = reached;
      if (size <= leaf) { numberLeaf(lo, hi, label); continue; }
    }
    for (let tries = 0; tries < (size > PERIPHERAL_MIN ? 8 : 0); tries++) {
      // the vertex of minimum degree in the last level
      let first = reached - 1;
      while (first > 0 && level[queue[first - 1]!] === depth) first--;
      let cand = -1, cd = Infinity;
      for (let i = first; i < reached; i++) {
        const v = queue[i]!;
        const d = ptr[v + 1]! - ptr[v]!;
        if (d < cd) { cd = d; cand = v; }
      }
      bfs(ptr, adj, part, level, queue, cand, label);
      const d2 = level[queue[reached - 1]!]!;
      const deeper = d2 > depth;
      if (d2 >= depth) { root = cand; depth = d2; } else bfs(ptr, adj, part, level, queue, root, label);
      if (!deeper) break;
    }
    if (depth === 0) { // a clique-like part: no separator level; number it as a leaf
      for (let i = lo; i < hi; i++) { perm[i] = nodes[i]!; part[nodes[i]!] = -1; }
      continue;
    }
    // level sizes, and the separator level by the ratio cut
    const counts = new Int32Array(depth + 1);
    for (let i = 0; i < size; i++) counts[level[queue[i]!]!]!++;
    let sepLevel = depth;
    let below = counts[0]!, bestScore = Infinity;
    for (let l = 1; l < depth; l++) {
      const above = size - below - counts[l]!;
      const score = counts[l]! / (below * above);
      if (score < bestScore) { bestScore = score; sepLevel = l; }
      below += counts[l]!;
    }
    // separator: vertices of sepLevel adjacent to sepLevel+1 (all of them for the last level)
    const sepLabel = nextLabel++;
    let sepCount = 0;
    for (let i = 0; i < size; i++) {
      const v = queue[i]!;
      if (level[v] !== sepLevel) continue;
      let touches = sepLevel === depth;
      for (let k = ptr[v]!; k < ptr[v + 1]! && !touches; k++) {
        const w = adj[k]!;
        if (part[w] === label && level[w] === sepLevel + 1) touches = true;
      }
      if (touches) { part[v] = sepLabel; sepCount++; }
    }
    // lower side (levels ≤ sepLevel, not in the separator) first, then the upper side, then the separator
    const lowLabel = nextLabel++, upLabel = nextLabel++;
    let w = lo, nLow = 0;
    for (let i = 0; i < size; i++) {
      const v = queue[i]!;
      if (part[v] === label && level[v] <= sepLevel) { nodes[w++] = v; part[v] = lowLabel; nLow++; }
    }
    for (let i = 0; i < size; i++) {
      const v = queue[i]!;
      if (part[v] === label) { nodes[w++] = v; part[v] = upLabel; }
    }
    let out = hi;
    for (let i = size - 1; i >= 0; i--) {
      const v = queue[i]!;
      if (part[v] === sepLabel) { perm[--out] = v; part[v] = -1; }
    }
    if (nLow > 0) stack.push(lo, lo + nLow, lowLabel);
    if (w > lo + nLow) stack.push(lo + nLow, w, upLabel);
  }
  return perm;

  /** Numbers a leaf in BFS order (neighbours close together, so supernodes form); handles a disconnected leaf. */
  function numberLeaf(lo: number, hi: number, label: number): void {
    let out = lo;
    for (let i = lo; i < hi; i++) {
      const s = nodes[i]!;
      if (part[s] !== label) continue;
      const reached = bfs(ptr, adj, part, level, queue, s, label);
      for (let q = 0; q < reached; q++) { perm[out++] = queue[q]!; part[queue[q]!] = -1; }
    }
  }
}

/**
 * BFS from `root` over the vertices with `part[v] === label`; fills `queue` (in visit order)
 * and `level`, leaves `part` unchanged, returns the number of vertices reached (the depth is
 * the level of the last one).
 */
function bfs(ptr: Int32Array, adj: Int32Array, part: Int32Array, level: Int32Array, queue: Int32Array, root: number, label: number): number {
  let head = 0, tail = 0;
  queue[tail++] = root;
  level[root] = 0;
  const mark = -3 - root; // a temporary label, restored below
  part[root] = mark;
  while (head < tail) {
    const v = queue[head++]!;
    const lv = level[v]! + 1;
    const end = ptr[v + 1]!;
    for (let k = ptr[v]!; k < end; k++) {
      const u = adj[k]!;
      if (part[u] === label) { part[u] = mark; level[u] = lv; queue[tail++] = u; }
    }
  }
  for (let i = 0; i < tail; i++) part[queue[i]!] = label;
  return tail;
}

/** The inverse of a permutation: `inv[perm[i]] = i`. */
export function invertPermutation(perm: Int32Array): Int32Array {
  const inv = new Int32Array(perm.length);
  for (let i = 0; i < perm.length; i++) inv[perm[i]!] = i;
  return inv;
}
