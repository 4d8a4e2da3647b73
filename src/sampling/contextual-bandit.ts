/**
 * Draws of a contextual continuous bandit (src/exact/gaussian-mlp-bandit.ts) under a Gaussian
 * or tanh-Gaussian MLP policy (src/policy/gaussian-head.ts), into a transition-indexed
 * {@link Batch}: draw t is a one-step episode (`terminated_t = 1`, `t_index = 0`,
 * `episode_t = t`) in context c_t ∼ ρ, with observation x_{c_t}, the sampled (pre-squash)
 * action u_t ∼ π_w(·|x_{c_t}) (`policy.sample`), the action the environment received
 * (clip(u_t) for the Gaussian head in a clipping environment, tanh(u_t) for the tanh head),
 * the reward Σ_i r_i(c_t, a_env) and `logp_t` = log π_w(u_t|x_{c_t}) (`policy.logProb`: for the
 * tanh head the density of a = tanh u). As in ./bandit.ts the batch is node-indexed: draw t
 * goes from node 2t to node 2t + 1 (numStates = 2T); the contexts are in `contexts`.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import type { ContinuousContextualBandit } from '../exact/gaussian-mlp-bandit.js';
import type { GaussianMlpPolicy } from '../policy/gaussian-head.js';
import type { Rng } from '../stats/rng.js';
import { allocateBatch, type Batch } from './batch.js';

/** Sampled contextual-bandit draws. */
export interface ContextualDraws {
  readonly batch: Batch;
  /** c_t, the context of draw t. */
  readonly contexts: Int32Array;
  /** x_{c_t}, T × obsDim. */
  readonly obs: Float64Array;
  /** The sampled action (pre-squash u for the tanh head; before the environment's clip), T × k. */
  readonly actions: Float64Array;
  /** The action the environment received: clip(u) or tanh(u), T × k. */
  readonly envActions: Float64Array;
}

/**
 * `draws` one-step episodes of `policy` at `theta` on `b` (module comment). Throws
 * `SAMPLING_COUNT` for a bad count and the policy's errors for θ.
 */
export function sampleContextualBandit(b: ContinuousContextualBandit, policy: GaussianMlpPolicy, theta: Float64Array, draws: number, rng: Rng): ContextualDraws {
  if (!(Number.isSafeInteger(draws) && draws >= 1)) fail('SAMPLING_COUNT', `draws is ${show(draws)}: it must be a positive integer`, { where: 'draws', value: draws });
  const d = b.obsDim, k = b.actionDim, batch = allocateBatch(draws, 2 * draws, 1, 1);
  const obs = new Float64Array(draws * d), contexts = new Int32Array(draws);
  for (let t = 0; t < draws; t++) {
    const s = rng.categorical(b.rho);
    contexts[t] = s; batch.s_t[t] = 2 * t; batch.s_tp1[t] = 2 * t + 1; batch.episode_t[t] = t; batch.terminated_t[t] = 1;
    obs.set(b.features.subarray(s * d, (s + 1) * d), t * d);
  }
  const actions = policy.sample(theta, obs, draws, rng, new Float64Array(draws * k));
  const envActions = policy.envActions(actions, draws);
  const [lo, hi] = b.clip ?? [-Infinity, Infinity];
  for (let t = 0; t < draws; t++) {
    let r = 0;
    for (let i = 0; i < k; i++) {
      const a = Math.min(hi, Math.max(lo, envActions[t * k + i]!));
      envActions[t * k + i] = a;
      r += b.reward(contexts[t]!, i, a);
    }
    batch.r_t[t] = r;
  }
  policy.logProb(theta, obs, draws, actions, batch.logp_t);
  return { batch, contexts, obs, actions, envActions };
}
