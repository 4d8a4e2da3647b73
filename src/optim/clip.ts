/**
 * Global gradient-norm clipping (Pascanu, Mikolov & Bengio 2013): with the norm
 * ‖g‖ = √(Σ_i g_i²) over all given arrays together, every g is scaled by c/‖g‖ when
 * ‖g‖ > c, so that the clipped norm is exactly c (up to rounding); otherwise g is
 * unchanged. PyTorch's `clip_grad_norm_` scales by c/(‖g‖ + 10⁻⁶) instead, which leaves
 * the norm slightly below c. Lehmann 2024 (Appendix A) clips at 0.5.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import { checkRange } from './check.js';

/** ‖g‖₂ over all the arrays, without overflow or underflow (scaled by the largest |g_i|). */
export function globalNorm(grads: Float64Array | readonly Float64Array[]): number {
  const list = grads instanceof Float64Array ? [grads] : grads;
  let big = 0;
  list.forEach((g, k) => {
    if (!(g instanceof Float64Array)) fail('OPTIM_ARGUMENT', `gradient ${k} is ${show(g)}: expected a Float64Array`, { where: `grads[${k}]` });
    for (let i = 0; i < g.length; i++) {
      const a = Math.abs(g[i]!);
      if (!Number.isFinite(a)) fail('OPTIM_ARGUMENT', `grads[${k}][${i}] is ${show(g[i])}: expected a finite number`, { where: `grads[${k}][${i}]`, value: g[i] });
      if (a > big) big = a;
    }
  });
  if (big === 0) return 0;
  let s = 0;
  for (const g of list) for (let i = 0; i < g.length; i++) { const r = g[i]! / big; s += r * r; }
  return big * Math.sqrt(s);
}

/** Scales the gradients in place so that their global norm is at most `maxNorm`; returns the norm before clipping. */
export function clipGradNorm(grads: Float64Array | readonly Float64Array[], maxNorm: number): number {
  checkRange(maxNorm, 0, Number.MAX_VALUE, 'maxNorm');
  const norm = globalNorm(grads);
  if (norm > maxNorm) {
    const s = maxNorm / norm;
    for (const g of grads instanceof Float64Array ? [grads] : grads) for (let i = 0; i < g.length; i++) g[i] = g[i]! * s;
  }
  return norm;
}
