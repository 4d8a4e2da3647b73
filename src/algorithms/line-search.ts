/**
 * TRPO's backtracking line search (Schulman et al. 2015, Appendix C; Lehmann 2024, §4.3):
 * try θ_j = θ₀ + shrink^j · Δ for j = 0, 1, …, and accept the first step that
 *
 * 1. keeps the trust region: D̄(θ_j) ≤ δ (the mean KL, `meanKl`), and
 * 2. improves the surrogate: L(θ₀) − L(θ_j) > 0 (losses to minimize) and at least
 *    `acceptRatio` × the improvement predicted by the linear model, shrink^j · expected.
 *
 * If no step is accepted within `maxBacktracks` tries, θ₀ is kept (`accepted: false`) —
 * TRPO then skips the update rather than leave the trust region. A trial whose loss or KL
 * is NaN is rejected like any other failing trial.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import { checkNonNegative, checkUnitInterval } from '../estimators/checks.js';

/** What the line search evaluates at a trial θ. */
export interface LineSearchEvaluation {
  /** The surrogate loss (to minimize). */
  readonly loss: number;
  /** The divergence the trust region bounds (mean KL from θ₀). */
  readonly kl: number;
}

/** Options of {@link backtrackingLineSearch}. */
export interface LineSearchOptions {
  /** The trust-region radius δ: accept only D̄ ≤ δ. */
  readonly maxKl: number;
  /** The step shrink factor in (0, 1) (default 0.5). */
  readonly shrink?: number;
  /** Trial steps before giving up (default 10). */
  readonly maxBacktracks?: number;
  /** Required fraction of the predicted improvement (default 0.1; 0 asks only for improvement). */
  readonly acceptRatio?: number;
}

/** The outcome of {@link backtrackingLineSearch}. */
export interface LineSearchResult {
  /** The accepted θ, or a copy of θ₀. */
  readonly theta: Float64Array;
  readonly accepted: boolean;
  /** shrink^j of the accepted step (0 if none). */
  readonly stepFraction: number;
  /** Trials evaluated. */
  readonly trials: number;
  readonly loss: number;
  readonly kl: number;
}

function checkOptions(o: LineSearchOptions): Required<LineSearchOptions> {
  checkNonNegative(o.maxKl, 'maxKl', true);
  const shrink = o.shrink ?? 0.5, maxBacktracks = o.maxBacktracks ?? 10, acceptRatio = o.acceptRatio ?? 0.1;
  if (!(shrink > 0 && shrink < 1)) fail('ESTIMATOR_ARGUMENT', `shrink is ${show(shrink)}: it must lie in (0, 1)`, { where: 'shrink', value: shrink });
  if (!(Number.isSafeInteger(maxBacktracks) && maxBacktracks >= 1)) fail('ESTIMATOR_ARGUMENT', `maxBacktracks is ${show(maxBacktracks)}: it must be a positive integer`, { where: 'maxBacktracks', value: maxBacktracks });
  checkUnitInterval(acceptRatio, 'acceptRatio');
  return { maxKl: o.maxKl, shrink, maxBacktracks, acceptRatio };
}

/**
 * Backtracks from θ₀ + Δ (module comment). `expectedImprovement` is the first-order
 * prediction −∇L(θ₀)·Δ of L(θ₀) − L(θ₀ + Δ), ≥ 0.
 */
export function backtrackingLineSearch(evaluate: (theta: Float64Array) => LineSearchEvaluation, theta0: Float64Array, fullStep: Float64Array, expectedImprovement: number, options: LineSearchOptions): LineSearchResult {
  const o = checkOptions(options);
  checkNonNegative(expectedImprovement, 'expectedImprovement');
  if (fullStep.length !== theta0.length) fail('ESTIMATOR_ARGUMENT', `the step has ${fullStep.length} entries, θ has ${theta0.length}`, { where: 'fullStep', value: fullStep.length });
  const start = evaluate(theta0);
  let fraction = 1;
  for (let j = 0; j < o.maxBacktracks; j++, fraction *= o.shrink) {
    const theta = Float64Array.from(theta0, (x, k) => x + fraction * fullStep[k]!);
    const trial = evaluate(theta);
    const improvement = start.loss - trial.loss;
    if (trial.kl <= o.maxKl && improvement > 0 && improvement >= o.acceptRatio * fraction * expectedImprovement) {
      return { theta, accepted: true, stepFraction: fraction, trials: j + 1, loss: trial.loss, kl: trial.kl };
    }
  }
  return { theta: Float64Array.from(theta0), accepted: false, stepFraction: 0, trials: o.maxBacktracks, loss: start.loss, kl: start.kl };
}
