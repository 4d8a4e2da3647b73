export * from './field.js';
export * from './number.js';
export * from './fraction.js';
export * from './dual-numbers.js';
