/**
 * Advantage estimators: the TD error δ_t, the n-step advantage (A3C; Lehmann 2024, eq. 14),
 * GAE(γ, λ) (Lehmann 2024, Algorithm 7 / eq. 19; Schulman et al. 2016), and the value
 * targets that go with them.
 *
 * Termination means no bootstrap (V(s_tp1) = 0); truncation means bootstrap from
 * V(s_tp1); the GAE carry is reset at every episode end in the batch, whichever flag ends
 * it. With the exact V^π these advantages are conditionally unbiased for A^π(s_t, a_t) for
 * every λ and n, across truncations too (Schulman et al. 2016, with V = V^π). `values` is a state table `V[s]`.
 *
 * @module
 */
import type { Batch } from '../sampling/batch.js';
import { checkBatchShape, checkOutput, checkPerStep, checkUnitInterval, checkValueTable } from './checks.js';
import { gaeFromTables, valueTargetsFromAdvantages } from './core-advantages.js';
import { nStepReturns, valuesAt } from './returns.js';

function checkAdvantageArgs(b: Batch, values: Float64Array, gamma: number): void {
  checkBatchShape(b);
  checkValueTable(b, values);
  checkUnitInterval(gamma, 'gamma');
}

/**
 * The TD error $\delta_t = r_t + \gamma (1 - \text{terminated}_t) V(s_{t+1}) - V(s_t)$ —
 * GAE at λ = 0, the one-step advantage of A2C. A truncated transition bootstraps from
 * V(s_tp1) like any non-terminal one.
 */
export function tdErrors(batch: Batch, values: Float64Array, gamma: number): Float64Array {
  checkAdvantageArgs(batch, values, gamma);
  const { r_t, s_t, s_tp1, terminated_t } = batch, out = new Float64Array(batch.size);
  for (let i = 0; i < batch.size; i++) {
    const v_tp1 = terminated_t[i] ? 0 : values[s_tp1[i]!]!;
    out[i] = r_t[i]! + gamma * v_tp1 - values[s_t[i]!]!;
  }
  return out;
}

/**
 * The n-step advantage (A3C; Lehmann 2024, eq. 14; Mnih et al. 2016):
 * $\hat A^{(n)}_t = G^{(n)}_t - V(s_t)$ with the n-step return of `nStepReturns` (the window
 * stops at the episode's end: no bootstrap at a termination, V(s_tp1) at a truncation).
 * n = 1 gives δ_t.
 */
export function nStepAdvantages(batch: Batch, values: Float64Array, gamma: number, n: number): Float64Array {
  const out = nStepReturns(batch, values, gamma, n);
  for (let i = 0; i < batch.size; i++) out[i] = out[i]! - values[batch.s_t[i]!]!;
  return out;
}

/**
 * Generalized advantage estimation (Lehmann 2024, Algorithm 7 / eq. 19; Schulman et al.
 * 2016), by the backward recursion
 *
 * $$\hat A_t = \delta_t + \gamma\lambda\,(1 - \text{end}_t)\,\hat A_{t+1},\qquad \text{end}_t = \text{terminated}_t \lor \text{truncated}_t,$$
 *
 * i.e. $\hat A_t = \sum_{l=0}^{T-t-1} (\gamma\lambda)^l \delta_{t+l}$ within the episode, the
 * $(1-\lambda)\lambda^{n-1}$-weighted average of the n-step advantages. The carry starts at 0
 * at every episode end (it never crosses into another episode, and it is not seeded with
 * $V(s_T)$: $\delta_{T-1}$ already holds the bootstrap). λ = 0 gives $\delta_t$; λ = 1 gives
 * $G_t - V(s_t)$ with the return bootstrapped at truncations.
 */
export function gae(batch: Batch, values: Float64Array, gamma: number, lambda: number): Float64Array {
  checkAdvantageArgs(batch, values, gamma);
  checkUnitInterval(lambda, 'lambda');
  return gaeRecursion(batch, values, gamma, lambda, new Float64Array(batch.size));
}

/**
 * {@link gae} written into `out` (its first `batch.size` entries are overwritten) — for a
 * caller that reuses one buffer from batch to batch instead of allocating.
 */
export function gaeInto(batch: Batch, values: Float64Array, gamma: number, lambda: number, out: Float64Array): Float64Array {
  checkAdvantageArgs(batch, values, gamma);
  checkUnitInterval(lambda, 'lambda');
  checkOutput(batch, out);
  return gaeRecursion(batch, values, gamma, lambda, out);
}

/** The recursion of {@link gae} into `out`: the core's `gaeFromTables` reading V(s_t) and V(s_tp1) from the table. */
function gaeRecursion(batch: Batch, values: Float64Array, gamma: number, lambda: number, out: Float64Array): Float64Array {
  const { r_t, s_t, s_tp1, terminated_t, truncated_t } = batch;
  gaeFromTables(r_t, values, s_t, s_tp1, terminated_t, truncated_t, gamma, lambda, out, batch.size);
  return out;
}

/**
 * The value targets that go with per-step advantages: $\hat A_t + V(s_t)$ — for GAE the
 * λ-return G^λ_t, for the n-step advantage the n-step return.
 */
export function valueTargets(batch: Batch, values: Float64Array, advantages: Float64Array): Float64Array {
  checkBatchShape(batch);
  checkValueTable(batch, values);
  checkPerStep(batch, advantages, 'advantages');
  const out = valuesAt(values, batch.s_t);
  return valueTargetsFromAdvantages(advantages, out, out);
}
