/**
 * Policies that belong to the library MDPs.
 * @module
 */
import { logLinearPolicy } from './loglinear.js';
import type { Parameterization } from './types.js';

/**
 * Sutton & Barto Example 13.1's policy: every state looks the same, so one probability
 * p = π(right) holds everywhere. Log-linear with shared features φ(s, right) = (1, 0),
 * φ(s, left) = (0, 1), so θ = (θ_R, θ_L) and p = σ(θ_R − θ_L). Actions are ordered
 * (left, right) as in {@link shortCorridor}; the goal state's row is irrelevant.
 */
export function shortCorridorPolicy(): Parameterization {
  const S = 4, A = 2;
  const phi = new Float64Array(S * A * 2);
  for (let s = 0; s < S; s++) {
    phi[(s * A + 0) * 2 + 1] = 1; // left  → (0, 1)
    phi[(s * A + 1) * 2 + 0] = 1; // right → (1, 0)
  }
  return logLinearPolicy(S, A, 2, phi);
}

/** θ = (log p, log(1 − p)): the short-corridor parameters with π(right) = p. */
export function shortCorridorTheta(p: number): Float64Array {
  return Float64Array.of(Math.log(p), Math.log(1 - p));
}
