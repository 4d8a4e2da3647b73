// Seeded LQR instances shared by the LQR tests.
import { lqr, type Lqr } from '../../src/exact/lqr.js';
import { Rng } from '../../src/stats/rng.js';

/** A seeded instance: n = 3, m = 2, γ = 0.9, A with entries N(0, 0.35²), a stable K. */
export function randomInstance(seed = 'lqr-a'): { problem: Lqr; K: Float64Array; sigma: Float64Array } {
  const rng = Rng.from(seed), n = 3, m = 2, g = (s: number) => s * rng.normal();
  const A = Array.from({ length: n * n }, () => g(0.35)), B = Array.from({ length: n * m }, () => g(0.6));
  const q = Array.from({ length: n * n }, () => g(0.5)), Q = new Array<number>(n * n).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) { let v = i === j ? 1 : 0; for (let l = 0; l < n; l++) v += q[i * n + l]! * q[j * n + l]!; Q[i * n + j] = v; }
  const R = [1.5, 0.3, 0.3, 0.8], sigma0 = [1, 0.2, 0, 0.2, 0.7, 0.1, 0, 0.1, 0.5];
  const problem = lqr({ n, m, A, B, Q, R, gamma: 0.9, sigma0 });
  return { problem, K: Float64Array.from({ length: m * n }, () => g(0.2)), sigma: Float64Array.of(0.6, 0.9) };
}

