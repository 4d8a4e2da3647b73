export * from './claim.js';
export * from './runner.js';
export * from './instances.js';
export * from './claims/index.js';
