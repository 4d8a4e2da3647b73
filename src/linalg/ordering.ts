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

/** Options of {@link nestedDissection}. */
export interface NestedDissectionOptions {
  /** Parts of at most this many vertices are not dissected further. Default 16. */
  readonly leafSize?: number;
}

/**
 * Nested dissection by level structures (George 1973; George & Liu 1981, *Computer Solution
 * of Large Sparse Positive Definite Systems*, §8.2 "automatic nested dissection").
 *
 * For each part: find a pseudo-peripheral vertex (repeated BFS from a vertex of minimum
 * degree in the last level, Gibbs–Poole–Stockmeyer 1976), build its level structure, take
 * as separator the level where the cumulative size crosses one half, keeping only its
 * vertices that touch the next level (George & Liu's refinement; the others join the lower
 * side), number the separator last, and recurse on the connected components of the rest.
 * Parts of at most `leafSize` vertices are numbered in BFS order.
 *
 * On a k×k grid this gives separators of O(k) vertices at every level, hence fill
 * O(n log n) and factorization work O(n^{3/2}) (George 1973). Cost of the ordering:
 * O(nnz · depth), depth ≈ log₂ n.
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
  for (let v = 0; v < n; v++) nodes[v] = v;
  let nextLabel = 1;
  // a stack of parts: the range [lo, hi) of `nodes` (and of the output positions) and its label
  const stack: number[] = [];
  // split the whole graph into connected components first
  const buf = new Int32Array(n);
  nextLabel = pushComponents(ptr, adj, part, nodes, buf, 0, n, nextLabel, stack);

  while (stack.length) {
    const label = stack.pop()!, hi = stack.pop()!, lo = stack.pop()!;
    const size = hi - lo;
    if (size <= leaf) {
      // BFS order within the leaf (keeps neighbours close, so supernodes form)
      let head = 0, tail = 0;
      const root = nodes[lo]!;
      part[root] = -2;
      queue[tail++] = root;
      while (head < tail) {
        const v = queue[head++]!;
        for (let k = ptr[v]!; k < ptr[v + 1]!; k++) {
          const w = adj[k]!;
          if (part[w] === label) { part[w] = -2; queue[tail++] = w; }
        }
      }
      // a leaf is connected (it is a component), so the BFS reached every vertex
      for (let i = 0; i < size; i++) { perm[lo + i] = queue[i]!; part[queue[i]!] = -1; }
      continue;
    }
    // pseudo-peripheral root
    let root = nodes[lo]!;
    let best = Infinity;
    for (let i = lo; i < hi; i++) {
      const v = nodes[i]!;
      const d = ptr[v + 1]! - ptr[v]!;
      if (d < best) { best = d; root = v; }
    }
    let depth = bfs(ptr, adj, part, level, queue, root, label);
    for (let tries = 0; tries < 8; tries++) {
      // the vertex of minimum degree in the last level
      let cand = -1, cd = Infinity;
      for (let i = 0; i < size; i++) {
        const v = queue[i]!;
        if (level[v] === depth) {
          const d = ptr[v + 1]! - ptr[v]!;
          if (d < cd) { cd = d; cand = v; }
        }
      }
      // keep cand's level structure unless it is shallower (then restore root's)
      const d2 = bfs(ptr, adj, part, level, queue, cand, label);
      const deeper = d2 > depth;
      if (d2 >= depth) { root = cand; depth = d2; } else bfs(ptr, adj, part, level, queue, root, label);
      if (!deeper) break;
    }
    if (depth === 0) { // a clique-like part: no separator level; number it as a leaf
      for (let i = 0; i < size; i++) { perm[lo + i] = queue[i]!; part[queue[i]!] = -1; }
      continue;
    }
    // level sizes and the middle level
    const counts = new Int32Array(depth + 1);
    for (let i = 0; i < size; i++) counts[level[queue[i]!]!]!++;
    let sepLevel = 1;
    const mode = (globalThis as any).__ndmode ?? 0;
    if (mode === 0) {
      let cum = 0;
      for (let l = 0; l <= depth; l++) {
        cum += counts[l]!;
        if (2 * cum >= size) { sepLevel = Math.min(Math.max(l, 1), depth); break; }
      }
    } else {
      // ratio cut: minimise |L_l| / (|below| · |above|) over interior levels
      let below = counts[0]!, bestScore = Infinity;
      for (let l = 1; l <= depth; l++) {
        const above = size - below - counts[l]!;
        const score = above > 0 ? counts[l]! / (below * above) : Infinity;
        if (score < bestScore) { bestScore = score; sepLevel = l; }
        below += counts[l]!;
      }
      if (bestScore === Infinity) sepLevel = depth;
    }
    // separator: vertices of sepLevel adjacent to sepLevel+1 (all of them for the last level)
    let sepCount = 0;
    const sepLabel = nextLabel++;
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
    if (sepCount === 0 || sepCount === size) {
      for (let i = 0; i < size; i++) { perm[lo + i] = queue[i]!; part[queue[i]!] = -1; }
      continue;
    }
    // number the separator last
    let out = hi;
    for (let i = size - 1; i >= 0; i--) {
      const v = queue[i]!;
      if (part[v] === sepLabel) { perm[--out] = v; part[v] = -1; }
    }
    // the rest, grouped by connected component
    let w = lo;
    for (let i = 0; i < size; i++) { const v = queue[i]!; if (part[v] === label) nodes[w++] = v; }
    nextLabel = pushComponents(ptr, adj, part, nodes, buf, lo, w, nextLabel, stack);
  }
  return perm;
}

/**
 * Splits `nodes[lo … hi)` into connected components (over the induced subgraph), reorders
 * the range so each component is contiguous, gives each a fresh label from `next`, and
 * pushes `lo, hi, label` of each on `stack`. Returns the next unused label.
 */
function pushComponents(ptr: Int32Array, adj: Int32Array, part: Int32Array, nodes: Int32Array, buf: Int32Array, lo: number, hi: number, next: number, stack: number[]): number {
  const fresh = next++;
  for (let i = lo; i < hi; i++) part[nodes[i]!] = fresh;
  let b = 0;
  for (let i = lo; i < hi; i++) {
    const s = nodes[i]!;
    if (part[s] !== fresh) continue;
    const comp = next++;
    const start = b;
    part[s] = comp;
    buf[b++] = s;
    for (let h = start; h < b; h++) {
      const v = buf[h]!;
      const end = ptr[v + 1]!;
      for (let k = ptr[v]!; k < end; k++) {
        const u = adj[k]!;
        if (part[u] === fresh) { part[u] = comp; buf[b++] = u; }
      }
    }
    stack.push(lo + start, lo + b, comp);
  }
  nodes.set(buf.subarray(0, b), lo);
  return next;
}

/**
 * BFS from `root` over the vertices with `part[v] === label`; fills `queue` (in visit order)
 * and `level`, leaves `part` unchanged, returns the depth (index of the last level).
 */
function bfs(ptr: Int32Array, adj: Int32Array, part: Int32Array, level: Int32Array, queue: Int32Array, root: number, label: number): number {
  let head = 0, tail = 0;
  queue[tail++] = root;
  level[root] = 0;
  const mark = -3 - root; // a temporary label, restored below
  part[root] = mark;
  let depth = 0;
  while (head < tail) {
    const v = queue[head++]!;
    const lv = level[v]!;
    if (lv > depth) depth = lv;
    const end = ptr[v + 1]!;
    for (let k = ptr[v]!; k < end; k++) {
      const u = adj[k]!;
      if (part[u] === label) { part[u] = mark; level[u] = lv + 1; queue[tail++] = u; }
    }
  }
  for (let i = 0; i < tail; i++) part[queue[i]!] = label;
  return depth;
}

/** The inverse of a permutation: `inv[perm[i]] = i`. */
export function invertPermutation(perm: Int32Array): Int32Array {
  const inv = new Int32Array(perm.length);
  for (let i = 0; i < perm.length; i++) inv[perm[i]!] = i;
  return inv;
}
