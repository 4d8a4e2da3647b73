export * from './claim.js';
export * from './runner.js';
export * from './instances.js';
export * from './claims/index.js';
export * from './mutations.js';
export * from './sampled.js';
export * from './plugin.js';
export * from './check.js';
