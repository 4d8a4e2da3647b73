/**
 * Exact learning curves: what a learner records after every update on a tabular MDP, where
 * every quantity of the policy is known exactly (issue 11: "a learning curve whose every point
 * is the exact J, the exact KL between consecutive policies, the exact gap to J*").
 *
 * Written by the learners (`src/algorithms/`), read by `pgtruth train --json` and by the HTML
 * report (`src/report/`).
 *
 * @module
 */

/** One point of an exact learning curve: the policy π_n after update n (n = 0: the initial policy). */
export interface CurveRecord {
  /** n, the number of updates so far (0 = before any update). */
  readonly update: number;
  /** Environment transitions sampled so far (all seeds' workers together). */
  readonly samples: number;
  /** The exact objective J(θ_n) = Σ_s p0(s) V^{π_n}(s). */
  readonly J: number;
  /** J* − J(θ_n) ≥ 0, with J* from policy iteration. */
  readonly gap: number;
  /**
   * The exact d-weighted KL of the update into π_n: Σ_s d_{π_{n−1}}(s) KL(π_{n−1}(·|s) ‖ π_n(·|s)),
   * with d the normalized discounted visitation of π_{n−1}; null at n = 0.
   */
  readonly klExact: number | null;
  /** The learner's own sampled k3 estimate of the same KL, as it would log it (null where it logs none, and at n = 0). */
  readonly klK3: number | null;
  /** The exact d-weighted entropy Σ_s d_{π_n}(s) H(π_n(·|s)). */
  readonly entropy: number;
  /** Learner-specific diagnostics (a loss, V-MPO's η and ν, TRPO's accepted step fraction, …). */
  readonly extra?: Readonly<Record<string, number>>;
}

/** A whole exact learning curve of one run. */
export interface Curve {
  /** `reinforce`, `a2c`, `trpo`, `ppo`, `vmpo`, or a label such as `exact-pg`. */
  readonly algo: string;
  /** The MDP's name or file. */
  readonly mdp: string;
  readonly seed: number;
  /** J* of the MDP (policy iteration). */
  readonly JStar: number;
  /** The hyperparameters the run used (as one documented object, cleanrl-style). */
  readonly hyperparameters: Readonly<Record<string, unknown>>;
  readonly records: readonly CurveRecord[];
}
