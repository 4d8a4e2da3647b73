/**
 * Gaussian elimination over any {@link Field}: exact over Fractions (a difference of
 * exactly zero is then meaningful), and differentiable over dual numbers (forward-mode
 * automatic differentiation *through* the solve, the independent route to ∇J).
 *
 * @module
 */
import { fail } from '../errors.js';
import type { Field } from '../field/field.js';

/**
 * Solves `M x = b` (M row-major n×n, not modified) by Gaussian elimination with partial
 * pivoting on {@link Field.magnitude}. Throws `SOLVER_SINGULAR` naming the column when no
 * non-zero pivot remains.
 */
export function solveIn<T>(F: Field<T>, M: readonly T[], b: readonly T[]): T[] {
  const n = b.length;
  if (M.length !== n * n) fail('SOLVER_SINGULAR', `matrix has ${M.length} entries, expected ${n}×${n}`);
  const a = M.slice();
  const x = b.slice();
  for (let k = 0; k < n; k++) {
    let p = -1;
    let best = -1;
    for (let i = k; i < n; i++) {
      const v = a[i * n + k]!;
      if (!F.invertible(v)) continue;
      const m = F.magnitude(v);
      if (m > best) { best = m; p = i; }
    }
    if (p < 0) fail('SOLVER_SINGULAR', `matrix is singular: column ${k} has no non-zero pivot (${F.name} arithmetic)`, { where: `column ${k}` });
    if (p !== k) {
      for (let j = 0; j < n; j++) { const t = a[k * n + j]!; a[k * n + j] = a[p * n + j]!; a[p * n + j] = t; }
      const t = x[k]!; x[k] = x[p]!; x[p] = t;
    }
    const piv = a[k * n + k]!;
    for (let i = k + 1; i < n; i++) {
      const aik = a[i * n + k]!;
      if (F.isZero(aik)) continue;
      const l = F.div(aik, piv);
      for (let j = k + 1; j < n; j++) a[i * n + j] = F.sub(a[i * n + j]!, F.mul(l, a[k * n + j]!));
      a[i * n + k] = F.zero;
      x[i] = F.sub(x[i]!, F.mul(l, x[k]!));
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    let s: T = x[i]!;
    for (let j = i + 1; j < n; j++) s = F.sub(s, F.mul(a[i * n + j]!, x[j]!));
    x[i] = F.div(s, a[i * n + i]!);
  }
  return x;
}

/** The transpose of a row-major n×n matrix. */
export function transposeIn<T>(M: readonly T[], n: number): T[] {
  const out = new Array<T>(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[j * n + i] = M[i * n + j]!;
  return out;
}
