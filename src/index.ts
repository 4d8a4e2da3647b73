/**
 * pgtruth — ground truth for policy-gradient reinforcement learning.
 *
 * Exact quantities on tabular MDPs (V, Q, A, visitation, J, ∇J by the policy gradient
 * theorem and by forward-mode AD, Fisher, KL, optimal control, exact rational mode), the
 * claims that check them, and the verdict reports. fast-check arbitraries live in
 * `pgtruth/arbitraries`.
 *
 * @module
 */
export * from './errors.js';
export * from './field/index.js';
export * from './linalg/index.js';
export * from './stats/index.js';
export * from './mdp/index.js';
export * from './policy/index.js';
export * from './optim/index.js';
export * from './exact/index.js';
export * from './sampling/index.js';
export * from './estimators/index.js';
export * from './mirror/index.js';
export * from './verify/index.js';
export * from './report/index.js';
export * from './env/index.js';
export * from './algorithms/index.js';
export { main as runCli } from './cli/main.js';
export * from './algorithms/exact-pg.js';
export type { Curve, CurveRecord } from './algorithms/curve.js';
