/**
 * One TRPO update (Schulman et al. 2015, Appendix C; Lehmann 2024, §4.3): the
 * natural-gradient direction by conjugate gradient on the sampled Fisher-vector product, scaled
 * to the quadratic model's KL boundary, then a backtracking line search on the surrogate and the
 * mean KL. Learner code built from the estimators `trpoSurrogate` and `fisherVectorProduct`
 * (`src/estimators/trpo.ts`), `meanKl` and `conjugateGradient` (`src/linalg/cg.ts`).
 *
 * @module
 */
import type { Policy } from '../policy/types.js';
import type { Batch } from '../sampling/batch.js';
import { conjugateGradient } from '../linalg/cg.js';
import { checkNonNegative } from '../estimators/checks.js';
import { meanKl } from '../estimators/statekl.js';
import { fisherVectorProduct, trpoSurrogate } from '../estimators/trpo.js';
import { backtrackingLineSearch } from './line-search.js';

/** Options of {@link trpoStep}. */
export interface TrpoStepOptions {
  /** The trust-region radius δ on the mean KL (e.g. 0.01). */
  readonly maxKl: number;
  /** Damping λ of F̂ + λI in conjugate gradient (default 0.1, as in Spinning Up). */
  readonly damping?: number;
  /** Conjugate-gradient iterations (default 10, Schulman et al. 2015). */
  readonly cgIterations?: number;
  /** Line-search trials (default 10), shrink factor (0.5), accept ratio (0.1). */
  readonly maxBacktracks?: number;
  readonly shrink?: number;
  readonly acceptRatio?: number;
}

/** The outcome of {@link trpoStep}. */
export interface TrpoStepResult {
  /** θ after the step (a copy of θ_old when the line search rejected every trial). */
  readonly theta: Float64Array;
  readonly accepted: boolean;
  readonly stepFraction: number;
  /** Surrogate loss before and after, and the mean KL from θ_old after. */
  readonly lossBefore: number;
  readonly loss: number;
  readonly kl: number;
  /** −∇L·Δ of the full step Δ. */
  readonly expectedImprovement: number;
  readonly cgIterations: number;
  readonly cgResidual: number;
}

/**
 * One TRPO update from θ_old = `policy.theta` (Schulman et al. 2015, Appendix C):
 * x ≈ (F̂ + λI)⁻¹ g by conjugate gradient with g = −∇loss = ∇L; the full step
 * Δ = √(2δ / xᵀ(F̂ + λI)x) · x reaches the quadratic model's KL boundary; the backtracking
 * line search then checks the surrogate's improvement and the exact mean KL
 * `meanKl(batch, policy, ·, gamma)` ≤ δ.
 */
export function trpoStep(batch: Batch, policy: Policy, gamma: number, advantages: Float64Array, options: TrpoStepOptions): TrpoStepResult {
  checkNonNegative(options.maxKl, 'maxKl', true);
  const damping = options.damping ?? 0.1;
  const start = trpoSurrogate(batch, policy, gamma, advantages);
  const g = start.gradient.map((x) => -x);
  const apply = (v: Float64Array, out: Float64Array) => out.set(fisherVectorProduct(batch, policy, gamma, v, damping));
  const cg = conjugateGradient(apply, g, { maxIterations: options.cgIterations ?? 10 });
  const Fx = new Float64Array(g.length);
  apply(cg.x, Fx);
  let xFx = 0, gx = 0;
  for (let k = 0; k < g.length; k++) { xFx += cg.x[k]! * Fx[k]!; gx += g[k]! * cg.x[k]!; }
  const beta = xFx > 0 ? Math.sqrt((2 * options.maxKl) / xFx) : 0;
  const step = cg.x.map((x) => beta * x);
  const evaluate = (theta: Float64Array) => {
    const trial = { param: policy.param, theta };
    return { loss: trpoSurrogate(batch, trial, gamma, advantages).loss, kl: meanKl(batch, policy, trial, gamma) };
  };
  const ls = backtrackingLineSearch(evaluate, policy.theta, step, Math.max(0, beta * gx), { maxKl: options.maxKl, shrink: options.shrink, maxBacktracks: options.maxBacktracks, acceptRatio: options.acceptRatio });
  return { theta: ls.theta, accepted: ls.accepted, stepFraction: ls.stepFraction, lossBefore: start.loss, loss: ls.loss, kl: ls.kl, expectedImprovement: beta * gx, cgIterations: cg.iterations, cgResidual: cg.residual };
}
