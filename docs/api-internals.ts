/**
 * Internals that a derivation step implements but that are not part of the public entry
 * (`pgtruth`): per-row kernels, field-generic helpers and solvers. They are documented here so
 * the derivations can link to them; import them by subpath, e.g.
 * `import { conjugateGradient } from 'pgtruth/linalg'` or
 * `import { ppoTermIn } from 'pgtruth/internal/mirror/rational.js'`. Not a stable surface.
 *
 * This file is read by the docs build only (docs/lib/api.ts); docs/pages.test.ts checks that it
 * lists exactly the derivation symbols the public entry leaves out.
 *
 * @module internals
 */
export { conjugateGradient } from '../src/linalg/cg.js';
export { solveDiscreteLyapunov } from '../src/linalg/lyapunov.js';
export { expm1MinusX } from '../src/stats/special.js';
export { gaussianAddScoreRow } from '../src/policy/gaussian.js';
export { truncatedTdSumsIn } from '../src/exact/advantage-expectation.js';
export { weightedKLIn } from '../src/exact/klhessian.js';
export { clippedObjectivePerState, ppoTerm } from '../src/mirror/ppo.js';
export { clippedTermIn, exactDirectionalDerivative, ppoDecompositionIn, ppoExactTerm, ppoTermIn } from '../src/mirror/rational.js';
