/**
 * The linear system of exact policy evaluation, `(I − γP_π) V = r_π` and
 * `(I − γP_π)ᵀ η = p0` on the non-terminal states, assembled without intermediate objects.
 *
 * Everything that depends only on the MDP — which states are terminal, the sparsity
 * pattern of `M = I − γP_π` (the union over all actions, so it does not depend on π; an
 * action of probability 0 contributes explicit zeros), and the position in M of every
 * transition entry — is computed once per MDP and kept in a `WeakMap` (a {@link SystemPlan};
 * a `FiniteMDP` is immutable). Per policy, M's values and r_π are then one pass over the
 * transitions: P_π(s′|s) = Σ_a π(a|s) P(s′|s,a), r_π(s) = Σ_a π(a|s) r(s,a).
 *
 * Solvers that analyse the pattern (the sparse LU's ordering and symbolic factorization)
 * keep their analysis in the plan too, so repeated evaluations of policies on one MDP skip
 * it. {@link forgetSystemPlan} drops it (benchmarks use it to time a first call).
 *
 * @module
 */
import type { CSR } from '../linalg/sparse.js';
import type { FiniteMDP } from '../mdp/model.js';

/** What is fixed for an MDP: the non-terminal states and the pattern of `I − γP_π` on them. */
export interface SystemPlan {
  /** Unknowns: the non-terminal states. */
  readonly n: number;
  /** `idx[i]` = the state of unknown i. */
  readonly idx: Int32Array;
  /** `pos[s]` = the unknown of state s, or −1 for a terminal state. */
  readonly pos: Int32Array;
  /** CSR pattern of M (columns sorted, diagonal present in every row). */
  readonly rowPtr: Int32Array;
  readonly col: Int32Array;
  /** Position of the diagonal entry of each row of M. */
  readonly diag: Int32Array;
  /** For transition entry k (CSR of the MDP): its position in M's values, or −1 (terminal source or target). */
  readonly slot: Int32Array;
  /** Entries of M. */
  readonly nnz: number;
  /** p0 on the unknowns (the right-hand side of the η system). */
  readonly p0: Float64Array;
  /** Analyses that solvers attach to this pattern (by name). */
  readonly cache: Map<string, unknown>;
}

const plans = new WeakMap<FiniteMDP, SystemPlan>();

/** The plan of `mdp` (built on first use, O(nnz(P)) time and memory, then cached). */
export function systemPlan(mdp: FiniteMDP): SystemPlan {
  let p = plans.get(mdp);
  if (!p) { p = buildPlan(mdp); plans.set(mdp, p); }
  return p;
}

/** Drops the cached plan (and the solver analyses attached to it) of `mdp`. */
export function forgetSystemPlan(mdp: FiniteMDP): void {
  plans.delete(mdp);
}

function buildPlan(mdp: FiniteMDP): SystemPlan {
  const { numStates: S, numActions: A, transitions: T, terminal } = mdp;
  const pos = new Int32Array(S);
  let n = 0;
  for (let s = 0; s < S; s++) pos[s] = terminal[s] ? -1 : n++;
  const idx = new Int32Array(n);
  for (let s = 0; s < S; s++) if (pos[s]! >= 0) idx[pos[s]!] = s;
  const tp = T.rowPtr, tc = T.col;
  // pattern: per row, the diagonal and the non-terminal targets of every action (sorted, unique)
  const rowPtr = new Int32Array(n + 1);
  const mark = new Int32Array(n).fill(-1);
  let cap = tc.length + n;
  let col = new Int32Array(cap);
  let nnz = 0;
  for (let i = 0; i < n; i++) {
    const s = idx[i]!;
    const start = nnz;
    mark[i] = i; col[nnz++] = i;
    const need = tp[(s + 1) * A]! - tp[s * A]!;
    if (nnz + need > cap) { cap = Math.max(2 * cap, nnz + need); const c2 = new Int32Array(cap); c2.set(col); col = c2; }
    for (let k = tp[s * A]!; k < tp[(s + 1) * A]!; k++) {
      const j = pos[tc[k]!]!;
      if (j >= 0 && mark[j] !== i) { mark[j] = i; col[nnz++] = j; }
    }
    if (nnz - start > 1) sortInt(col, start, nnz);
    rowPtr[i + 1] = nnz;
  }
  col = col.slice(0, nnz);
  const diag = new Int32Array(n);
  const slot = new Int32Array(tc.length).fill(-1);
  const where = new Int32Array(n); // column → position in the current row
  for (let i = 0; i < n; i++) {
    for (let q = rowPtr[i]!; q < rowPtr[i + 1]!; q++) where[col[q]!] = q;
    diag[i] = where[i]!;
    const s = idx[i]!;
    for (let k = tp[s * A]!; k < tp[(s + 1) * A]!; k++) {
      const j = pos[tc[k]!]!;
      if (j >= 0) slot[k] = where[j]!;
    }
  }
  const p0 = new Float64Array(n);
  for (let i = 0; i < n; i++) p0[i] = mdp.initial[idx[i]!]!;
  return { n, idx, pos, rowPtr, col, diag, slot, nnz, p0, cache: new Map() };
}

/** Sorts `a[lo … hi)` ascending (insertion sort for short rows, the built-in sort otherwise). */
function sortInt(a: Int32Array, lo: number, hi: number): void {
  if (hi - lo > 32) { a.subarray(lo, hi).sort(); return; }
  for (let k = lo + 1; k < hi; k++) {
    const v = a[k]!;
    let m = k - 1;
    while (m >= lo && a[m]! > v) { a[m + 1] = a[m]!; m--; }
    a[m + 1] = v;
  }
}

/**
 * Fills `val` with the values of `M = I − γP_π` in the plan's pattern and `r` with r_π on
 * the unknowns, for the policy table `pi`. One pass over the transitions: O(nnz(P)).
 */
export function systemValues(mdp: FiniteMDP, plan: SystemPlan, pi: Float64Array, val: Float64Array, r: Float64Array): void {
  const { numActions: A, transitions: T, rewards, gamma } = mdp;
  const { n, idx, diag, slot } = plan;
  const tp = T.rowPtr, tv = T.val;
  val.fill(0);
  for (let i = 0; i < n; i++) {
    const s = idx[i]!;
    val[diag[i]!] = 1;
    let rs = 0;
    for (let a = 0; a < A; a++) {
      const row = s * A + a;
      const p = pi[row]!;
      if (p === 0) continue;
      rs += p * rewards[row]!;
      const w = -gamma * p;
      const end = tp[row + 1]!;
      for (let k = tp[row]!; k < end; k++) {
        const q = slot[k]!;
        if (q >= 0) val[q] += w * tv[k]!;
      }
    }
    r[i] = rs;
  }
}

/** M as a CSR matrix over the plan's pattern (shares the pattern arrays). */
export function systemCSR(plan: SystemPlan, val: Float64Array): CSR {
  return { nRows: plan.n, nCols: plan.n, rowPtr: plan.rowPtr, col: plan.col, val };
}

/** Dense transitions are cached only up to this many entries (8 bytes each). */
const DENSE_P_LIMIT = 1 << 21;

/**
 * P restricted to the non-terminal next states as a dense row-major (S·A) × n array (row
 * `s*A + a`, column = unknown), cached in the plan — or `undefined` when it would exceed
 * {@link DENSE_P_LIMIT} entries or P is sparse (fewer than 1/8 of the entries non-zero),
 * where the CSR loops are the better choice. With it, building M and computing Q are
 * contiguous row operations instead of index lookups.
 */
export function denseTransitions(mdp: FiniteMDP, plan: SystemPlan): Float64Array | undefined {
  const hit = plan.cache.get('dense-P') as Float64Array | null | undefined;
  if (hit !== undefined) return hit ?? undefined;
  const { numStates: S, numActions: A, transitions: T } = mdp;
  const n = plan.n;
  let out: Float64Array | null = null;
  if (S * A * n <= DENSE_P_LIMIT && T.val.length * 8 >= S * A * n) {
    out = new Float64Array(S * A * n);
    for (let row = 0; row < S * A; row++) {
      for (let k = T.rowPtr[row]!; k < T.rowPtr[row + 1]!; k++) {
        const j = plan.pos[T.col[k]!]!;
        if (j >= 0) out[row * n + j] += T.val[k]!;
      }
    }
  }
  plan.cache.set('dense-P', out);
  return out ?? undefined;
}

/**
 * Fills the row-major n×n array `m` with `M = I − γP_π` (dense), and `r` with r_π:
 * m_i = e_i − γ Σ_a π(a|s) P(·|s,a) (with the dense transitions, two actions per pass;
 * the sums agree with the sparse assembly to rounding). O(n·A·n) with the dense
 * transitions, else O(n² + nnz(P)).
 */
export function systemDense(mdp: FiniteMDP, plan: SystemPlan, pi: Float64Array, m: Float64Array, r: Float64Array): void {
  const { numActions: A, transitions: T, rewards, gamma } = mdp;
  const { n, idx, pos } = plan;
  const tp = T.rowPtr, tc = T.col, tv = T.val;
  m.fill(0);
  const P = denseTransitions(mdp, plan);
  if (P) {
    // two actions per pass over the row: half the read-modify-writes of m
    for (let i = 0; i < n; i++) {
      const s = idx[i]!;
      const ri = i * n;
      m[ri + i] = 1;
      let rs = 0;
      let a = 0;
      for (; a + 1 < A; a += 2) {
        const row = s * A + a;
        const p0 = pi[row]!, p1 = pi[row + 1]!;
        rs += p0 * rewards[row]!;
        rs += p1 * rewards[row + 1]!;
        const w0 = -gamma * p0, w1 = -gamma * p1;
        const q0 = row * n, q1 = q0 + n;
        for (let j = 0; j < n; j++) m[ri + j] += w0 * P[q0 + j]! + w1 * P[q1 + j]!;
      }
      if (a < A) {
        const row = s * A + a;
        const p = pi[row]!;
        rs += p * rewards[row]!;
        const w = -gamma * p;
        const pr = row * n;
        for (let j = 0; j < n; j++) m[ri + j] += w * P[pr + j]!;
      }
      r[i] = rs;
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const s = idx[i]!;
    const ri = i * n;
    m[ri + i] = 1;
    let rs = 0;
    for (let a = 0; a < A; a++) {
      const row = s * A + a;
      const p = pi[row]!;
      if (p === 0) continue;
      rs += p * rewards[row]!;
      const w = -gamma * p;
      const end = tp[row + 1]!;
      for (let k = tp[row]!; k < end; k++) {
        const j = pos[tc[k]!]!;
        if (j >= 0) m[ri + j] += w * tv[k]!;
      }
    }
    r[i] = rs;
  }
}
