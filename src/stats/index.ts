export * from './rng.js';
export * from './distributions.js';
export * from './summary.js';
export * from './tests.js';
