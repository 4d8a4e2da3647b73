/**
 * The small-array pool lives in the numbers layer (../linalg/pool.ts), so that policies can
 * use it too; re-exported here for the exact layer's callers.
 * @module
 */
export * from '../linalg/pool.js';
