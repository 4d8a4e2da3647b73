/**
 * The critic of the tabular learners: a value table V[s] fitted to the verified value targets
 * (`lambdaReturns` / `valueTargets` of `src/estimators/`: for GAE the λ-return G^λ_t) by Adam
 * steps on the squared error (Lehmann 2024, Algorithm 7, the critic's regression):
 *
 * $$L_V = \frac1{2n}\sum_i \big(V(s_i) - y_i\big)^2,\qquad \frac{\partial L_V}{\partial V(s)} = \frac1n \sum_{i:\,s_i = s} \big(V(s) - y_i\big).$$
 *
 * The targets y_i are data (computed once per update at the values before the fit: a
 * stop-gradient, as every implementation has it). `epochs` full-batch steps per update.
 *
 * @module
 */
import { gae, valueTargets } from '../estimators/advantages.js';
import { Adam } from '../optim/adam.js';
import type { Batch } from '../sampling/batch.js';

/**
 * Adam's default rate for the value tables of A2C, TRPO, PPO and V-MPO: 0.5.
 *
 * **Critic lag.** The table starts at 0, and Adam moves each entry by at most about its rate
 * per step, so with 10 steps per update at rate α the table needs ≥ |V|/(10α) updates to reach
 * the values. On `chain` (γ = 0.9) the values are 12–25: at α = 0.1 that is ≥ 25 updates, during
 * which the critic learners bootstrap from V ≈ 0 at every segment end and the immediate +2 of
 * `back` at state 0 looks better than `forward`; a learner that moves fast (PPO: 80 Adam steps
 * per update) could commit state 0 to `back` before the critic caught up. At 0.5 the lag is
 * ≤ 5 updates (measured with `npm run bench:learners`: TRPO went from 4/5 to 5/5 seeds on
 * `chain`; the corridor and the 4×4 gridworld reach J* as before).
 */
export const DEFAULT_VALUE_LR = 0.5;

/** A value table and its optimizer. */
export class ValueTable {
  readonly V: Float64Array;
  private readonly opt: Adam;
  private readonly grad: Float64Array;

  constructor(numStates: number, readonly lr: number) {
    this.V = new Float64Array(numStates);
    this.opt = new Adam(numStates, { lr });
    this.grad = new Float64Array(numStates);
  }

  /** `epochs` Adam steps on L_V with the fixed targets `y` (one per transition of `batch`); returns the final loss. */
  fit(batch: Batch, y: Float64Array, epochs: number): number {
    const { V, grad } = this, n = batch.size;
    let loss = 0;
    for (let k = 0; k < epochs; k++) {
      grad.fill(0);
      loss = 0;
      for (let i = 0; i < n; i++) {
        const s = batch.s_t[i]!, err = V[s]! - y[i]!;
        grad[s] = grad[s]! + err / n;
        loss += (err * err) / (2 * n);
      }
      this.opt.step(V, grad);
    }
    return loss;
  }

  /**
   * One update's step 2 (Lehmann 2024, Algorithm 7): the table before the fit V, the GAE(γ, λ)
   * advantages Â_t under it (`gae`) and the critic's targets, the λ-returns Â_t + V(s_t)
   * (`valueTargets`). The learners call this, then fit the table to `targets` at the update's end.
   */
  advantages(batch: Batch, gamma: number, lambda: number): { values: Float64Array; adv: Float64Array; targets: Float64Array } {
    const values = this.values();
    const adv = gae(batch, values, gamma, lambda);
    return { values, adv, targets: valueTargets(batch, values, adv) };
  }

  /** A copy of the table (the values an update's advantages are computed from). */
  values(): Float64Array {
    return Float64Array.from(this.V);
  }
}
