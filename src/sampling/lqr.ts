/**
 * Rollouts of a linear-Gaussian policy a = −Kx + diag(σ)ε in a linear-quadratic regulator
 * (src/exact/lqr.ts) into a {@link Batch} the tabular estimators read unchanged.
 *
 * **The node-indexed batch.** A continuous state has no table index, so each visited state
 * gets its own index, a *node*: an episode of L transitions uses L + 1 consecutive nodes
 * (x_0 … x_L), `s_t[i]` is the node of x_t and `s_tp1[i]` that of x_{t+1}, so the batch
 * keeps its invariants (`s_t[i+1] = s_tp1[i]` within an episode; `validateBatch` passes).
 * A "value table" over nodes — `values[node] = V(x_node)` — then feeds `rewardToGo`,
 * `gae`, `tdErrors` and the REINFORCE baseline as it is: the estimators' return and
 * advantage recursions are used, not re-written. `a_t` is 0 (one "action" per node: the
 * sampled continuous action sits in `actions`, row per node), `numActions` = 1, and
 * `logp_t` = log N(a_t; −Kx_t, σ) (src/policy/gaussian.ts). Rewards are r_t = −c_t =
 * −(x_tᵀQx_t + a_tᵀRa_t).
 *
 * **Stopping.** `geometric`: after every transition the episode stops with probability
 * 1 − γ (one length L ∼ Geometric(1 − γ) drawn at the start, as ./episodes.ts does), flagged
 * as a truncation: step t is reached with probability γᵗ, so *undiscounted* sums estimate
 * discounted quantities — Σ_t r_t estimates −C, Σ_t ∇log π(a_t|x_t)(G_t − V(x_t)) with
 * undiscounted reward-to-go G_t estimates ∇J = −∇C without a γᵗ weight (pass γ = 1 to the
 * estimators' discounting; advantages that bootstrap through V still use the problem's γ).
 * `horizon H`: every episode is cut after H transitions (a truncation: a return bootstrapped
 * with the exact tail V(x_H) is unbiased for the discounted value).
 *
 * @module
 */
import { fail, show } from '../errors.js';
import type { Lqr } from '../exact/lqr.js';
import { symmetricEigen } from '../linalg/eigen.js';
import { checkGaussianRow, gaussianLogProbRow, gaussianSampleRow } from '../policy/gaussian.js';
import type { Rng } from '../stats/rng.js';
import { allocateBatch, type Batch } from './batch.js';
import { geometricLength } from './tables.js';

/** Sampled LQR episodes: the node-indexed batch and the continuous states and actions. */
export interface LqrEpisodes {
  readonly batch: Batch;
  /** x of every node, row-major nodes × n. */
  readonly x: Float64Array;
  /** The action taken at every node, nodes × m (0 at an episode's last node). */
  readonly actions: Float64Array;
  readonly numNodes: number;
}

/** How episodes end. */
export type LqrStopping = { readonly kind: 'geometric' } | { readonly kind: 'horizon'; readonly horizon: number };

/** A square root L of Σ₀ (L Lᵀ = Σ₀) from its eigendecomposition (Σ₀ may be singular). */
export function covarianceRoot(sigma0: Float64Array, n: number): Float64Array {
  const { values, vectors } = symmetricEigen(sigma0, n), L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) L[i * n + k] = vectors[i * n + k]! * Math.sqrt(Math.max(0, values[k]!));
  return L;
}

/**
 * Draws `episodes` episodes of the policy (K, log σ) from x₀ ∼ N(0, Σ₀) (module comment).
 * `logSigma` is the policy's parameter (σ = e^{log σ} > 0). Throws `SAMPLING_COUNT` for a
 * bad episode count, `SAMPLING_HORIZON` for a bad horizon, `LQR_INVALID` for a gain K of the
 * wrong shape or with a non-finite entry, and `checkGaussianRow`'s errors for log σ.
 */
export function sampleLqrEpisodes(problem: Lqr, K: ArrayLike<number>, logSigma: ArrayLike<number>, episodes: number, stopping: LqrStopping, rng: Rng, root = covarianceRoot(problem.sigma0, problem.n)): LqrEpisodes {
  if (!(Number.isSafeInteger(episodes) && episodes >= 1)) fail('SAMPLING_COUNT', `episodes is ${show(episodes)}: it must be a positive integer`, { where: 'episodes', value: episodes });
  if (stopping.kind === 'horizon' && !(Number.isSafeInteger(stopping.horizon) && stopping.horizon >= 1)) fail('SAMPLING_HORIZON', `horizon is ${show(stopping.horizon)}: it must be a positive integer`, { where: 'horizon', value: stopping.horizon });
  const { n, m, A, B, Q, R, gamma } = problem;
  if (K?.length !== m * n) fail('LQR_INVALID', `K has ${K?.length} entries, expected ${m}×${n}`, { where: 'K', value: K?.length });
  for (let i = 0; i < m * n; i++) if (!Number.isFinite(K[i]!)) fail('LQR_INVALID', `K[${Math.floor(i / n)}][${i % n}] is ${show(K[i])}`, { where: `K[${Math.floor(i / n)}][${i % n}]`, value: K[i] });
  checkGaussianRow(new Float64Array(m), 0, logSigma, 0, m, 'LQR policy');
  const lengths = new Int32Array(episodes);
  let size = 0;
  for (let e = 0; e < episodes; e++) {
    const L = stopping.kind === 'horizon' ? stopping.horizon : geometricLength(rng, gamma);
    if (!Number.isFinite(L)) fail('SAMPLING_OPTIONS', 'geometric stopping with γ = 1 never stops: give a horizon', { where: 'stopping', value: gamma });
    lengths[e] = L;
    size += L;
  }
  const numNodes = size + episodes, batch = allocateBatch(size, numNodes, 1, gamma);
  const x = new Float64Array(numNodes * n), actions = new Float64Array(numNodes * m), mu = new Float64Array(m), z = new Float64Array(n);
  let i = 0, node = 0;
  for (let e = 0; e < episodes; e++) {
    for (let r = 0; r < n; r++) z[r] = rng.normal();
    for (let r = 0; r < n; r++) { let v = 0; for (let c = 0; c < n; c++) v += root[r * n + c]! * z[c]!; x[node * n + r] = v; }
    for (let t = 0; t < lengths[e]!; t++, i++, node++) {
      const xo = node * n, ao = node * m, no = xo + n;
      for (let r = 0; r < m; r++) { let v = 0; for (let c = 0; c < n; c++) v -= K[r * n + c]! * x[xo + c]!; mu[r] = v; }
      gaussianSampleRow(rng, mu, 0, logSigma, 0, m, actions, ao);
      let cost = 0;
      for (let r = 0; r < n; r++) {
        let qx = 0, next = 0;
        for (let c = 0; c < n; c++) { qx += Q[r * n + c]! * x[xo + c]!; next += A[r * n + c]! * x[xo + c]!; }
        for (let c = 0; c < m; c++) next += B[r * m + c]! * actions[ao + c]!;
        cost += x[xo + r]! * qx;
        x[no + r] = next;
      }
      for (let r = 0; r < m; r++) { let ra = 0; for (let c = 0; c < m; c++) ra += R[r * m + c]! * actions[ao + c]!; cost += actions[ao + r]! * ra; }
      batch.s_t[i] = node; batch.s_tp1[i] = node + 1; batch.r_t[i] = -cost; batch.t_index[i] = t; batch.episode_t[i] = e;
      batch.logp_t[i] = gaussianLogProbRow(actions, ao, mu, 0, logSigma, 0, m);
      if (t === lengths[e]! - 1) batch.truncated_t[i] = 1;
    }
    node++; // the episode's last node x_L
  }
  return { batch, x, actions, numNodes };
}
