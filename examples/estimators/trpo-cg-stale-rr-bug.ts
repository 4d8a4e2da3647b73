// BUGGY on purpose: the running r·r is never updated, so α and β use r₀·r₀ (r·r of the wrong iterate).
import type { TrpoCgEstimator } from 'pgtruth';

const dot = (x: Float64Array, y: Float64Array) => x.reduce((acc, xi, i) => acc + xi * y[i]!, 0);

const cgStale: TrpoCgEstimator = {
  kind: 'trpo-cg',
  name: 'trpo-cg-stale-rr',
  estimate(apply, b, iterations) {
    const x = new Float64Array(b.length), r = Float64Array.from(b), p = Float64Array.from(b);
    const rr = dot(r, r); // never updated below: the bug
    for (let k = 0; k < iterations; k++) {
      const Ap = apply(p), alpha = rr / dot(p, Ap);
      for (let i = 0; i < x.length; i++) { x[i]! += alpha * p[i]!; r[i]! -= alpha * Ap[i]!; }
      const rrNew = dot(r, r);
      if (rrNew < 1e-20 * rr) break;
      for (let i = 0; i < p.length; i++) p[i] = r[i]! + (rrNew / rr) * p[i]!;
    }
    return x;
  },
};
export default cgStale;
