/**
 * Estimators: pure functions over a `Batch` (rlax-like, one topic per file, flat re-export).
 * Uniform signatures `(batch, policy | values, gamma, …) → Float64Array | Surrogate`.
 *
 * @module
 */
export * from './score.js';
export * from './returns.js';
export * from './advantages.js';
export * from './normalize.js';
export * from './baselines.js';
export * from './reinforce.js';
export * from './actorcritic.js';
export * from './offpolicy.js';
export * from './surrogate.js';
export * from './statekl.js';
export * from './trpo.js';
export * from './ppo.js';
export * from './entropy.js';
export * from './klpenalty.js';
export * from './kl.js';
export * from './vmpo.js';
export * from './discount.js';
export * from './core-advantages.js';
export * from './coefficients.js';
export * from './group.js';
export * from './aggregation.js';
export * from './refkl.js';
