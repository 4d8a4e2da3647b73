export * from './types.js';
export * from './softmax.js';
export * from './direct.js';
export * from './loglinear.js';
export * from './library.js';
export * from './json.js';
export * from './gaussian.js';
export * from './gaussian-samples.js';
