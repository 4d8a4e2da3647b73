/**
 * Accuracy of exact evaluation when γ is close to 1.
 *
 * `M = I − γP_π` has κ∞(M) ≤ (1+γ)/(1−γ). Forming M in double precision already perturbs
 * each row sum — exactly 1 − γ — by about ε, a relative change of ε/(1−γ): with
 * γ = 1 − 1e-12 that alone moves V by a relative 1e-4, whatever solver follows (and the
 * rows of P themselves, 0.9 + 0.1 in doubles, sum to 1 only within ε). So the solution is
 * improved by iterative refinement whose residual is computed from the original data (γ,
 * π, P, r, p0 — never from the rounded M), with the rows of P taken as summing to exactly
 * 1 — the written form that makes this possible is
 * (M V)_i = (1−γ) V_i + γ Σ_j P_π(j|i) (V_i − V_j), where 1 − γ is exact and the self-loops
 * drop out (the idea of Grassmann, Taksar & Heyman 1985 for stationary distributions) —
 * in double-double arithmetic (error-free products and sums: Dekker 1971; Ogita, Rump &
 * Oishi 2005, "Accurate sum and dot product"):
 *
 * $$ r^{(k)} = r_\pi - (1-\gamma)V^{(k)} - \gamma \textstyle\sum_j P_\pi(j|\cdot)\,(V^{(k)} - V^{(k)}_j)\ \text{(accurately)},\qquad
 *    \tilde M\,\delta^{(k)} = r^{(k)},\qquad V^{(k+1)} = V^{(k)} + \delta^{(k)}, $$
 *
 * which contracts the error by ‖I − M̃⁻¹M‖ ≈ κ(M)·ε per step while that is below 1 (here
 * up to 1/(1−γ) ≈ 1e15), until the correction is at the level of V's own rounding.
 * Likewise for the visitation, `Mᵀη = p0`. The small dense path (./solve.ts) refines with its
 * LU factors when 1/(1−γ) > {@link REFINE_HORIZON}; larger systems with
 * 1/(1−γ) > {@link REFUSE_HORIZON} are refused with `SOLVER_ILL_CONDITIONED` (their
 * unrefined error, about ε/(1−γ), would exceed 1e-6).
 *
 * @module
 */
import type { FiniteMDP } from '../mdp/model.js';
import type { SystemPlan } from './system.js';

/** Above this horizon 1/(1−γ), the small dense path refines its solutions. */
export const REFINE_HORIZON = 1e6;
/** Above this horizon, systems too large for the refined path are refused (ε·1/(1−γ) > 1e-6). */
export const REFUSE_HORIZON = 4.5e9;
/** Refinement steps at most. */
export const MAX_REFINE_STEPS = 8;

const SPLIT = 134217729; // 2^27 + 1 (Dekker's splitter)

/** a·b = p + e exactly (Dekker's TwoProduct without FMA); returns e, sets PROD[0] = p. */
const PROD = new Float64Array(1);
function twoProd(a: number, b: number): number {
  const p = a * b;
  let c = SPLIT * a;
  const ah = c - (c - a), al = a - ah;
  c = SPLIT * b;
  const bh = c - (c - b), bl = b - bh;
  PROD[0] = p;
  return al * bl - (((p - ah * bh) - al * bh) - ah * bl);
}

/** hi + lo += x, with hi + x = s + e exactly (Knuth's TwoSum); the accumulator is (ACC[i], ACC_LO[i]). */
function addTo(hi: Float64Array, lo: Float64Array, i: number, x: number): void {
  const a = hi[i]!;
  const s = a + x;
  const bb = s - a;
  lo[i] = lo[i]! + ((a - (s - bb)) + (x - bb));
  hi[i] = s;
}

/** x_s·(γ·π·P) = γ π P x accumulated exactly to second order into (hi, lo)[i]. */
function addTriple(hi: Float64Array, lo: Float64Array, i: number, gamma: number, p: number, q: number, x: number): void {
  const l1 = twoProd(p, q); const h1 = PROD[0]!;
  const l2 = twoProd(gamma, h1); const h2 = PROD[0]!;
  const l3 = twoProd(h2, x); const h3 = PROD[0]!;
  addTo(hi, lo, i, h3);
  lo[i] = lo[i]! + (l3 + l2 * x + gamma * l1 * x);
}

/** out_i = (r_π − M V)_i on the unknowns, rows of P taken as summing to 1, in double-double. */
export function accurateResidualV(mdp: FiniteMDP, plan: SystemPlan, pi: Float64Array, vN: Float64Array, vLo: Float64Array, out: Float64Array): void {
  const { numActions: A, transitions: T, rewards, gamma } = mdp;
  const { n, idx, pos } = plan;
  const hi = new Float64Array(n), lo = new Float64Array(n);
  const c = 1 - gamma; // exact for γ ≥ 1/2 (Sterbenz)
  for (let i = 0; i < n; i++) {
    const s = idx[i]!, v = vN[i]!, vl = vLo[i]!;
    // (M V)_i = (1−γ) v_i + γ Σ_a π Σ_k P_k (v_i − v_k): the self-loops drop out
    let e = twoProd(c, v);
    addTo(hi, lo, i, -PROD[0]!);
    lo[i] = lo[i]! - e - c * vl;
    for (let a = 0; a < A; a++) {
      const row = s * A + a, p = pi[row]!;
      if (p === 0) continue;
      e = twoProd(p, rewards[row]!);
      addTo(hi, lo, i, PROD[0]!);
      lo[i] = lo[i]! + e;
      for (let k = T.rowPtr[row]!; k < T.rowPtr[row + 1]!; k++) {
        const j = pos[T.col[k]!]!;
        if (j === i) continue;
        const w = j >= 0 ? vN[j]! : 0;
        // the difference v_i − w exactly: dh + dl (TwoSum), plus the low parts' difference
        const dh = v - w, bb = dh - v, dl = (v - (dh - bb)) + (-w - bb) + (vl - (j >= 0 ? vLo[j]! : 0));
        addTriple(hi, lo, i, -gamma, p, T.val[k]!, dh);
        lo[i] = lo[i]! - gamma * p * T.val[k]! * dl;
      }
    }
  }
  for (let i = 0; i < n; i++) out[i] = hi[i]! + lo[i]!;
}

/** out_j = (p0 − Mᵀ η)_j on the unknowns, rows of P taken as summing to 1 (flow out minus flow in), in double-double. */
export function accurateResidualEta(mdp: FiniteMDP, plan: SystemPlan, pi: Float64Array, etaN: Float64Array, etaLo: Float64Array, out: Float64Array): void {
  const { numActions: A, transitions: T, gamma } = mdp;
  const { n, idx, pos } = plan;
  const hi = new Float64Array(n), lo = new Float64Array(n);
  const c = 1 - gamma;
  for (let j = 0; j < n; j++) {
    addTo(hi, lo, j, plan.p0[j]!);
    const e = twoProd(c, etaN[j]!);
    addTo(hi, lo, j, -PROD[0]!);
    lo[j] = lo[j]! - e - c * etaLo[j]!;
  }
  // (Mᵀη)_j = (1−γ) η_j + γ (Σ_{k≠j} P_π(k|j) η_j − Σ_{i≠j} P_π(j|i) η_i)
  for (let i = 0; i < n; i++) {
    const s = idx[i]!, e = etaN[i]!, el = etaLo[i]!;
    if (e === 0 && el === 0) continue;
    for (let a = 0; a < A; a++) {
      const row = s * A + a, p = pi[row]!;
      if (p === 0) continue;
      for (let k = T.rowPtr[row]!; k < T.rowPtr[row + 1]!; k++) {
        const j = pos[T.col[k]!]!;
        if (j === i) continue;
        addTriple(hi, lo, i, -gamma, p, T.val[k]!, e);
        lo[i] = lo[i]! - gamma * p * T.val[k]! * el;
        if (j >= 0) { addTriple(hi, lo, j, gamma, p, T.val[k]!, e); lo[j] = lo[j]! + gamma * p * T.val[k]! * el; }
      }
    }
  }
  for (let j = 0; j < n; j++) out[j] = hi[j]! + lo[j]!;
}

/**
 * Iterative refinement of `x` (in place) to a double-double value `x + lo`:
 * `residual(x, lo, r)` writes the accurate residual, `solve(r, d)` applies the approximate
 * inverse, and each correction is added exactly (TwoSum). Stops when the correction is
 * below 1e-30·‖x‖∞ (the low part has converged) or after {@link MAX_REFINE_STEPS}. Returns
 * `lo` and the relative size of the first correction that no longer changed `x`'s high part
 * — or of the last one: an estimate of the remaining relative error of `x`.
 */
export function refine(x: Float64Array, residual: (x: Float64Array, lo: Float64Array, r: Float64Array) => void, solve: (r: Float64Array, d: Float64Array) => void): { lo: Float64Array; error: number } {
  const n = x.length;
  const r = new Float64Array(n), d = new Float64Array(n), lo = new Float64Array(n);
  let rel = Infinity;
  for (let step = 0; step < MAX_REFINE_STEPS; step++) {
    residual(x, lo, r);
    solve(r, d);
    let dn = 0, xn = 0;
    for (let i = 0; i < n; i++) {
      const t = lo[i]! + d[i]!, a = x[i]!, s = a + t, bb = s - a;
      lo[i] = (a - (s - bb)) + (t - bb);
      x[i] = s;
      dn = Math.max(dn, Math.abs(d[i]!)); xn = Math.max(xn, Math.abs(s));
    }
    rel = xn === 0 ? 0 : dn / xn;
    if (rel <= 1e-30) break;
  }
  return { lo, error: rel };
}
