export * from './format.js';
export * from './verdicts.js';
export * from './progress.js';
