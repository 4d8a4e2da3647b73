/**
 * GMRES (Saad & Schultz 1986; Saad 2003, *Iterative Methods for Sparse Linear Systems*,
 * Alg. 6.9) for a dense row-major matrix or its transpose, with a hard iteration budget.
 *
 * Use in pgtruth: for dense random MDPs, `M = I − γP_π` has one eigenvalue 1 − γ (the
 * constant vector) and all others within a small disc around 1 (P_π of a dense random
 * chain has |λ₂| ≈ 1/√n), so GMRES, which minimizes ‖b − Mx‖₂ over the Krylov space,
 * converges in a handful of iterations: after one step spent on the outlier, the residual
 * falls by about γ|λ₂| per step (Campbell et al. 1996, "GMRES and the minimal polynomial").
 * That costs O(k n²) against LU's (2/3)n³. When the budget runs out first — or when the
 * mean reduction rate so far projects far beyond it (slowly mixing chains), in which case
 * it stops early — the caller falls back to LU: this routine never throws for lack of
 * convergence; it reports.
 *
 * The answer is accepted only on the *true* residual ‖b − Mx‖₂/‖b‖₂, recomputed from x.
 *
 * @module
 */

/** Options of {@link gmresDense}. */
export interface GmresOptions {
  /** Solve Mᵀx = b instead of Mx = b. */
  readonly transpose?: boolean;
  /** Relative residual ‖b − Mx‖₂/‖b‖₂ to reach. Default 1e-13. */
  readonly tol?: number;
  /** Matrix-vector products allowed in all (the budget). Default 50. */
  readonly maxIter?: number;
  /** Initial guess (default 0). */
  readonly x0?: Float64Array;
}

/** The outcome of {@link gmresDense}; `converged` is judged on the true residual. */
export interface GmresResult {
  readonly x: Float64Array;
  readonly converged: boolean;
  /** Matrix-vector products used (including the residual checks). */
  readonly iterations: number;
  /** True relative residual of x. */
  readonly residual: number;
}

/** y = M x (row-major n×n), four partial sums per row to shorten the dependency chain. */
export function denseMatVec(m: Float64Array, n: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const r = i * n;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    let j = 0;
    for (; j + 3 < n; j += 4) {
      s0 += m[r + j]! * x[j]!; s1 += m[r + j + 1]! * x[j + 1]!;
      s2 += m[r + j + 2]! * x[j + 2]!; s3 += m[r + j + 3]! * x[j + 3]!;
    }
    for (; j < n; j++) s0 += m[r + j]! * x[j]!;
    y[i] = (s0 + s1) + (s2 + s3);
  }
}

/** y = Mᵀ x (row-major n×n), as a sum of scaled rows. */
export function denseMatVecTranspose(m: Float64Array, n: number, x: Float64Array, y: Float64Array): void {
  y.fill(0);
  for (let i = 0; i < n; i++) {
    const xi = x[i]!;
    if (xi === 0) continue;
    const r = i * n;
    for (let j = 0; j < n; j++) y[j] += m[r + j]! * xi;
  }
}

/**
 * Solves `Mx = b` (or `Mᵀx = b`) for the row-major n×n `m` by GMRES restarted whenever
 * the Krylov basis reaches the remaining budget, with modified Gram–Schmidt and Givens
 * rotations. Cost O(n²) per iteration plus O(k·n) for orthogonalization.
 */
export function gmresDense(m: Float64Array, n: number, b: Float64Array, opts: GmresOptions = {}): GmresResult {
  const tol = opts.tol ?? 1e-13;
  const budget = Math.max(1, opts.maxIter ?? 50);
  const mv = opts.transpose ? denseMatVecTranspose : denseMatVec;
  const x = opts.x0 ? Float64Array.from(opts.x0) : new Float64Array(n);
  let bn = 0;
  for (let i = 0; i < n; i++) bn += b[i]! * b[i]!;
  bn = Math.sqrt(bn);
  if (bn === 0) return { x: new Float64Array(n), converged: true, iterations: 0, residual: 0 };
  const r = new Float64Array(n);
  const trueResidual = (): number => {
    mv(m, n, x, r);
    let s = 0;
    for (let i = 0; i < n; i++) { const d = b[i]! - r[i]!; r[i] = d; s += d * d; }
    return Math.sqrt(s) / bn;
  };
  let used = 1;
  let res = trueResidual();
  let hopeless = false;
  while (res > tol && used < budget) {
    const k = Math.min(budget - used - 1, n);      // basis size this cycle (one product kept for the check)
    if (k < 1) break;
    const V = new Float64Array((k + 1) * n);
    const H = new Float64Array((k + 1) * k);      // column j at H[j*(k+1) + i]
    const cs = new Float64Array(k), sn = new Float64Array(k), g = new Float64Array(k + 1);
    const beta = res * bn;
    for (let i = 0; i < n; i++) V[i] = r[i]! / beta;
    g[0] = beta;
    let j = 0;
    const w = new Float64Array(n);
    for (; j < k; j++) {
      mv(m, n, V.subarray(j * n, (j + 1) * n), w);
      used++;
      const hj = j * (k + 1);
      for (let i = 0; i <= j; i++) {              // modified Gram–Schmidt
        const vi = i * n;
        let h = 0;
        for (let q = 0; q < n; q++) h += w[q]! * V[vi + q]!;
        H[hj + i] = h;
        for (let q = 0; q < n; q++) w[q] -= h * V[vi + q]!;
      }
      let hn = 0;
      for (let q = 0; q < n; q++) hn += w[q]! * w[q]!;
      hn = Math.sqrt(hn);
      H[hj + j + 1] = hn;
      for (let i = 0; i < j; i++) {                // apply the previous rotations
        const a = H[hj + i]!, c = H[hj + i + 1]!;
        H[hj + i] = cs[i]! * a + sn[i]! * c;
        H[hj + i + 1] = -sn[i]! * a + cs[i]! * c;
      }
      const a = H[hj + j]!, c = H[hj + j + 1]!;
      const den = Math.hypot(a, c);
      cs[j] = den === 0 ? 1 : a / den; sn[j] = den === 0 ? 0 : c / den;
      H[hj + j] = den; H[hj + j + 1] = 0;
      g[j + 1] = -sn[j]! * g[j]!; g[j] = cs[j]! * g[j]!;
      const est = Math.abs(g[j + 1]!);
      const done = est <= 0.5 * tol * bn || hn === 0;
      if (hn !== 0 && j + 1 <= k) { const vj = (j + 1) * n; for (let q = 0; q < n; q++) V[vj + q] = w[q]! / hn; }
      if (done) { j++; break; }
      // hopeless: at the mean rate so far, the budget would not suffice by far
      if (j >= 7) {
        const rate = Math.pow(est / beta, 1 / (j + 1));
        // in exact arithmetic GMRES finishes by dimension n at the latest
        const need = Math.min(n - j, rate < 1 ? Math.log((0.5 * tol * bn) / est) / Math.log(rate) : Infinity);
        if (used + need > 1.5 * budget) { hopeless = true; j++; break; }
      }
    }
    // x += V y with H y = g (upper triangular j×j)
    const y = new Float64Array(j);
    for (let i = j - 1; i >= 0; i--) {
      let s = g[i]!;
      for (let q = i + 1; q < j; q++) s -= H[q * (k + 1) + i]! * y[q]!;
      const d = H[i * (k + 1) + i]!;
      y[i] = d === 0 ? 0 : s / d;
    }
    for (let i = 0; i < j; i++) {
      const yi = y[i]!, vi = i * n;
      for (let q = 0; q < n; q++) x[q] += yi * V[vi + q]!;
    }
    used++;
    const prev = res;
    res = trueResidual();
    if (!(res < prev) || hopeless) break;          // stagnation (or NaN), or too slow: let the caller fall back
  }
  return { x, converged: res <= tol && Number.isFinite(res), iterations: used, residual: res };
}
