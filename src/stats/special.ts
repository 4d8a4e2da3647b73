/**
 * Special functions evaluated without cancellation, shared by the layers above (the KL
 * estimator k3 in src/estimators/kl.ts, the Gaussian KL in src/policy/gaussian.ts).
 *
 * @module
 */

/** 1/k! for k = 9, 8, …, 2 (Horner order). */
const INVERSE_FACTORIALS = [1 / 362880, 1 / 40320, 1 / 5040, 1 / 720, 1 / 120, 1 / 24, 1 / 6, 1 / 2];

/** e^x − 1 − x to full relative precision: its Taylor series for |x| < 0.1, else expm1(x) − x. */
export function expm1MinusX(x: number): number {
  if (Math.abs(x) >= 0.1) return Math.expm1(x) - x;
  // x²(1/2! + x(1/3! + x(1/4! + …))), truncated after x^10/10! (relative error < 1e-16)
  let c = 1 / 3628800;
  for (let k = 0; k < INVERSE_FACTORIALS.length; k++) c = INVERSE_FACTORIALS[k]! + x * c;
  return x * x * c;
}

