/**
 * Sampling: rollouts of a policy in a finite MDP into a {@link Batch} — whole episodes,
 * fixed-length segments, reward noise, behaviour policies — and a worker pool that draws
 * them, and runs estimators on them, on every core with bit-identical results.
 *
 * @module
 */
export * from './batch.js';
export * from './alias.js';
export * from './builder.js';
export * from './tables.js';
export * from './wire.js';
export * from './spec.js';
export * from './episodes.js';
export * from './segments.js';
export * from './plan.js';
export * from './map.js';
export * from './worker-pool.js';
export * from './lqr.js';
export * from './bandit.js';
export * from './groups.js';
export * from './contextual-bandit.js';
