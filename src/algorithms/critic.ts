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
import { Adam } from '../optim/adam.js';
import type { Batch } from '../sampling/batch.js';

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

  /** A copy of the table (the values an update's advantages are computed from). */
  values(): Float64Array {
    return Float64Array.from(this.V);
  }
}
