/**
 * Adam (Kingma & Ba 2015, Algorithm 1), with bias correction. With gradient g_t at step
 * t = 1, 2, … and m_0 = v_0 = 0:
 *
 *   m_t = β₁ m_{t−1} + (1 − β₁) g_t,     v_t = β₂ v_{t−1} + (1 − β₂) g_t²,
 *   m̂_t = m_t / (1 − β₁ᵗ),               v̂_t = v_t / (1 − β₂ᵗ),
 *   θ_t = θ_{t−1} − α m̂_t / (√v̂_t + ε).
 *
 * ε is added after the square root, as in the paper's Algorithm 1 and in PyTorch's
 * `torch.optim.Adam` (not the paper's §2 "efficient" variant ε̂, which folds the correction
 * into α). Defaults: α = 3e-4 (Andrychowicz et al. 2021; Lehmann 2024, Appendix A),
 * β₁ = 0.9, β₂ = 0.999, ε = 1e-8 (the paper's). It minimizes: pass −∇̂J to ascend J.
 *
 * @module
 */
import { checkInteger, checkRange, checkVector } from './check.js';

/** Adam's hyperparameters. */
export interface AdamOptions {
  /** The step size α (default 3e-4); a per-step value passed to {@link Adam.step} overrides it. */
  readonly lr?: number;
  /** β₁ ∈ [0, 1) (default 0.9). */
  readonly beta1?: number;
  /** β₂ ∈ [0, 1) (default 0.999). */
  readonly beta2?: number;
  /** ε > 0 (default 1e-8). */
  readonly eps?: number;
}

/** The Adam optimizer over a parameter vector of fixed length; its moments are preallocated. */
export class Adam {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** The first and second moment estimates m_t, v_t. */
  readonly m: Float64Array;
  readonly v: Float64Array;
  /** The number of steps taken. */
  t = 0;

  constructor(readonly numParams: number, options: AdamOptions = {}) {
    checkInteger(numParams, 0, 2 ** 31, 'numParams');
    this.lr = options.lr ?? 3e-4;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    checkRange(this.lr, 0, Number.MAX_VALUE, 'lr');
    checkRange(this.beta1, 0, 1 - Number.EPSILON / 2, 'beta1');
    checkRange(this.beta2, 0, 1 - Number.EPSILON / 2, 'beta2');
    checkRange(this.eps, 0, Number.MAX_VALUE, 'eps', true);
    this.m = new Float64Array(numParams);
    this.v = new Float64Array(numParams);
  }

  /** One step θ ← θ − α m̂_t/(√v̂_t + ε) in place, with α = `lr` when given. Returns θ. */
  step(theta: Float64Array, grad: Float64Array, lr = this.lr): Float64Array {
    checkRange(lr, 0, Number.MAX_VALUE, 'lr');
    checkVector(grad, this.numParams, 'grad');
    if (theta.length !== this.numParams) checkVector(theta, this.numParams, 'theta');
    const { m, v, beta1: b1, beta2: b2, eps } = this;
    this.t += 1;
    const c1 = 1 - b1 ** this.t, c2 = 1 - b2 ** this.t;
    for (let i = 0; i < theta.length; i++) {
      const g = grad[i]!;
      const mi = b1 * m[i]! + (1 - b1) * g;
      const vi = b2 * v[i]! + (1 - b2) * g * g;
      m[i] = mi; v[i] = vi;
      theta[i] = theta[i]! - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + eps);
    }
    return theta;
  }

  /** Forgets the moments and the step count. */
  reset(): void {
    this.m.fill(0); this.v.fill(0); this.t = 0;
  }
}
