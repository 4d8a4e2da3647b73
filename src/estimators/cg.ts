/**
 * Conjugate gradient moved to `src/linalg/cg.ts` (issue 10: solvers in `linalg/`); re-exported
 * here so that existing imports keep working.
 *
 * @module
 */
export * from '../linalg/cg.js';
