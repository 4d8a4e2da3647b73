// BUGGY on purpose (as a declaration): tanh-gaussian-ppo-normalized.ts's loss — advantages
// normalized per batch — without declaring normalizeAdvantages. pgtruth then holds it to the
// plain clipped surrogate's gradient (∇J at θ_old), from which it is biased (by the factor 1/σ_A
// at θ_old), and names what it looks like.
// pgtruth check examples/estimators/tanh-gaussian-ppo-normalized-undeclared.ts   → FAIL, looks like per-batch advantage normalization that is not declared
import type { GaussianSurrogateEstimator } from 'pgtruth';
import { normalizedPpo } from './tanh-gaussian-ppo-normalized.js';

const undeclared: GaussianSurrogateEstimator = {
  kind: 'surrogate',
  policy: 'tanh-gaussian',
  name: 'tanh-gaussian-ppo-normalized-undeclared',
  clip: 0.2,
  estimate: normalizedPpo,
};
export default undeclared;
