// A user's conjugate gradient for TRPO's F x = g (Nocedal & Wright 2006, Algorithm 5.2), from x₀ = 0.
import type { TrpoCgEstimator } from 'pgtruth';

const dot = (x: Float64Array, y: Float64Array) => x.reduce((acc, xi, i) => acc + xi * y[i]!, 0);

const cg: TrpoCgEstimator = {
  kind: 'trpo-cg',
  name: 'trpo-cg',
  estimate(apply, b, iterations) {
    const x = new Float64Array(b.length), r = Float64Array.from(b), p = Float64Array.from(b);
    let rr = dot(r, r);
    const stop = 1e-20 * rr;
    for (let k = 0; k < iterations && rr > stop; k++) {
      const Ap = apply(p), alpha = rr / dot(p, Ap);
      for (let i = 0; i < x.length; i++) { x[i]! += alpha * p[i]!; r[i]! -= alpha * Ap[i]!; }
      const rrNew = dot(r, r);
      for (let i = 0; i < p.length; i++) p[i] = r[i]! + (rrNew / rr) * p[i]!;
      rr = rrNew;
    }
    return x;
  },
};
export default cg;
