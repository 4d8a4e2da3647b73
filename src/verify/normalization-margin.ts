/**
 * The equivalence margin of a surrogate that normalizes its advantages per batch (./check.ts for
 * tabular policies, ./continuous-surrogate.ts for the Gaussian ones), in its own module so that
 * both read it without importing each other.
 *
 * @module
 */

/**
 * The margin as a fraction of ‖∇J‖₂: the exact finite-batch mean of a normalized-advantage
 * surrogate's gradient is not known in closed form, only its large-batch limit; the difference
 * is of order 1/(transitions per batch) — measured at 0.2% of ‖∇J‖₂ on the built-in tabular
 * instances (garnet, 64 episodes ≈ 320 transitions) and ≈ 0.7% on the tanh bandit at 1024 draws
 * per batch (./continuous-surrogate.ts `NORMALIZED_DRAWS`).
 */
export const NORMALIZATION_MARGIN = 0.01;
