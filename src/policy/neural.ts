/**
 * The per-transition interface of the neural policies (an MLP and a head): what an
 * estimator or a learner asks of a policy over a batch of observations, without knowing
 * the head (DESIGN.md, "The policy contract"; issue 10, items 1–2).
 *
 * Batches: T observations row-major (`obs[t·d + i]`, d = {@link NeuralPolicy.obsDim});
 * actions as `Int32Array` (T indices) for the categorical head and as `Float64Array`
 * (T × k row-major) for the continuous heads. θ is one `Float64Array`: the MLP's
 * parameters first (layout in `mlp.ts`), then the head's own (a state-independent log σ).
 *
 * Outputs: every method writes into `out` when given (of the right length) and otherwise
 * returns a fresh array; the internal workspaces are reused across calls.
 *
 * @module
 */
import type { Rng } from '../stats/rng.js';
import type { Mlp } from './mlp.js';

/** The neural policy heads. */
export type NeuralPolicyKind = 'mlp-categorical' | 'mlp-gaussian' | 'mlp-tanh-gaussian';

/** A neural policy over a batch: log π, score sums, Fisher–vector products, entropy, KL, sampling. */
export interface NeuralPolicy<Act extends Int32Array | Float64Array = Int32Array | Float64Array> {
  readonly kind: NeuralPolicyKind;
  readonly mlp: Mlp;
  /** The length of θ: the MLP's parameters and the head's own. */
  readonly numParams: number;
  /** The observation width d. */
  readonly obsDim: number;
  /** Numbers per action: 1 (an index) for the categorical head, k for continuous heads. */
  readonly actionDim: number;
  /** Throws a typed error unless θ has numParams finite entries. */
  check(theta: Float64Array): void;
  /** log π_θ(a_t|s_t) for each t. */
  logProb(theta: Float64Array, obs: Float64Array, T: number, actions: Act, out?: Float64Array): Float64Array;
  /** Σ_t c_t ∇_θ log π_θ(a_t|s_t) (a vector–Jacobian product through the head and the MLP). */
  scoreSum(theta: Float64Array, obs: Float64Array, T: number, actions: Act, c_t: Float64Array, out?: Float64Array): Float64Array;
  /**
   * F v with F = Σ_t w_t E_{a∼π(·|s_t)}[∇ log π(a|s_t) ∇ log π(a|s_t)ᵀ], w_t = 1/T unless
   * `weights` are given: a Jacobian–vector product, the head's Fisher in its outputs, and a
   * vector–Jacobian product (Martens 2014; Schulman et al. 2015, TRPO Appendix C).
   */
  fisherVectorProduct(theta: Float64Array, obs: Float64Array, T: number, v: Float64Array, out?: Float64Array, weights?: Float64Array): Float64Array;
  /** The entropy of π_θ(·|s_t) for each t (see each head for the tanh-Gaussian). */
  entropy(theta: Float64Array, obs: Float64Array, T: number, out?: Float64Array): Float64Array;
  /** KL(π_θ(·|s_t) ‖ π_θ′(·|s_t)) for each t, θ′ = `thetaOther` of the same head. */
  kl(theta: Float64Array, thetaOther: Float64Array, obs: Float64Array, T: number, out?: Float64Array): Float64Array;
  /** Σ_t w_t ∇_θ H(π_θ(·|s_t)): the gradient of a weighted entropy bonus. */
  entropyGradSum(theta: Float64Array, obs: Float64Array, T: number, w_t: Float64Array, out?: Float64Array): Float64Array;
  /**
   * Σ_t w_t ∇_θ KL(π_θold(·|s_t) ‖ π_θ(·|s_t)), the gradient in the **second** argument at θ
   * (a KL penalty toward the old policy, as PPO-penalty and TRPO's constraint use it).
   */
  klGradSum(thetaOld: Float64Array, theta: Float64Array, obs: Float64Array, T: number, w_t: Float64Array, out?: Float64Array): Float64Array;
  /** a_t ∼ π_θ(·|s_t) from the seeded stream. */
  sample(theta: Float64Array, obs: Float64Array, T: number, rng: Rng, out?: Act): Act;
}
