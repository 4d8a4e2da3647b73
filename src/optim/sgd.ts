/**
 * Stochastic gradient descent: θ ← θ − α g (Robbins & Monro 1951). The optimizers of
 * `src/optim` minimize a loss, as PyTorch's do: a learner ascending J passes g = −∇̂J.
 *
 * @module
 */
import { checkRange, checkVector } from './check.js';

/** θ ← θ − lr·g in place (lr ≥ 0, g finite and of θ's length). Returns θ. */
export function sgdStep(theta: Float64Array, grad: Float64Array, lr: number): Float64Array {
  checkRange(lr, 0, Number.MAX_VALUE, 'lr');
  checkVector(grad, theta.length, 'grad');
  for (let i = 0; i < theta.length; i++) theta[i] = theta[i]! - lr * grad[i]!;
  return theta;
}
