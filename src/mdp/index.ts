export * from './model.js';
export * from './json.js';
export * from './generic.js';
export * from './library/index.js';
export * from './strict-json.js';
