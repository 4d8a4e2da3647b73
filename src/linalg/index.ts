export * from './dense.js';
export * from './sparse.js';
export * from './iterative.js';
export * from './generic.js';
export * from './eigen.js';
export * from './differentiate.js';
