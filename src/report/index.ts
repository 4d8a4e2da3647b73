export * from './format.js';
export * from './verdicts.js';
export * from './progress.js';
export * from './svg.js';
export * from './html.js';
export * from './group-html.js';
