/**
 * A finite MDP (src/mdp, {@link FiniteMDP}) as an environment: s_0 ∼ p0,
 * r_t = r(s_t, a_t) (with the MDP's reward noise model when it has one: r(s,a) + σ·N(0, 1),
 * or the Bernoulli draw 1[u < r(s,a)]), s_tp1 ∼ P(·|s_t, a_t); terminated_t = 1 when s_tp1 is a
 * terminal state. The discount γ is the learner's business, not the environment's. An optional
 * time limit is the {@link TimeLimit} wrapper (`maxEpisodeSteps`).
 *
 * Observations, by `observation`:
 * - `'index'`: one number, the state index s (observation space `Discrete(S)`);
 * - `'one-hot'`: e_s ∈ {0, 1}^S;
 * - `{ features, dim }`: row s of the S×dim row-major feature matrix φ (must be finite).
 *
 * Each step draws the reward noise (if any), then the next state, with {@link Rng.categorical}
 * over the positive entries of row s·A + a of P (inverse CDF, one uniform); the reset draws
 * s_0 from p0 the same way.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import type { FiniteMDP } from '../mdp/model.js';
import type { Rng } from '../stats/rng.js';
import { BaseEnv, type Env } from './env.js';
import { boxSpace, discreteSpace, type Space } from './spaces.js';
import { TimeLimit } from './time-limit.js';

/** How a tabular environment shows its state. */
export type TabularObservation = 'index' | 'one-hot' | { readonly features: Float64Array | readonly number[]; readonly dim: number };

/** Options of {@link tabularEnv}. */
export interface TabularEnvOptions {
  /** The observation (default `'index'`). */
  readonly observation?: TabularObservation;
  /** A time limit T: the step that reaches T steps sets truncated (default: none). */
  readonly maxEpisodeSteps?: number;
  /** The seed of resets without a seed (default 0). */
  readonly seed?: number;
  /** The id the environment reports (default `'tabular'`). */
  readonly id?: string;
}

/** The finite MDP as an environment, without a time limit. */
export class TabularEnv extends BaseEnv {
  readonly id: string;
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  /** The current state s_t. */
  state = 0;
  private readonly kind: 0 | 1 | 2; // index, one-hot, features
  private readonly features: Float64Array | undefined;
  private readonly dim: number;

  constructor(readonly mdp: FiniteMDP, observation: TabularObservation = 'index', seed = 0, id = 'tabular') {
    super(seed);
    const S = mdp.numStates;
    this.id = id;
    this.actionSpace = discreteSpace(mdp.numActions);
    for (let s = 0; s < S; s++) {
      if (mdp.initial[s]! > 0 && mdp.terminal[s]) fail('SAMPLING_INITIAL_TERMINAL', `${id}: p0 puts probability ${show(mdp.initial[s])} on the terminal state ${s}, so an episode could end before any step`, { where: `initial[${s}]`, value: mdp.initial[s] });
    }
    if (observation === 'index') {
      this.kind = 0; this.dim = 1; this.features = undefined;
      this.observationSpace = discreteSpace(S);
    } else if (observation === 'one-hot') {
      this.kind = 1; this.dim = S; this.features = undefined;
      this.observationSpace = boxSpace(new Float64Array(S), new Float64Array(S).fill(1));
    } else if (typeof observation === 'object' && observation !== null && 'features' in observation) {
      const { features, dim } = observation;
      if (!Number.isSafeInteger(dim) || dim < 1) fail('ENV_OPTIONS', `${id}: features.dim is ${show(dim)}: expected a positive integer`, { where: 'observation.dim', value: dim });
      if (features.length !== S * dim) fail('ENV_OPTIONS', `${id}: the feature matrix has ${features.length} entries, expected S·dim = ${S}·${dim} = ${S * dim}`, { where: 'observation.features', value: features.length });
      const phi = Float64Array.from(features);
      for (let k = 0; k < phi.length; k++) {
        if (!Number.isFinite(phi[k])) fail('ENV_OPTIONS', `${id}: features[${Math.floor(k / dim)}][${k % dim}] is ${show(phi[k])}: features must be finite`, { where: `observation.features[${k}]`, value: phi[k] });
      }
      this.kind = 2; this.dim = dim; this.features = phi;
      this.observationSpace = boxSpace(new Float64Array(dim).fill(-Infinity), new Float64Array(dim).fill(Infinity));
    } else {
      fail('ENV_OPTIONS', `${id}: observation is ${show(observation)}: expected 'index', 'one-hot' or { features, dim }`, { where: 'observation', value: observation });
    }
  }

  protected resetState(rng: Rng): void {
    this.state = rng.categorical(this.mdp.initial);
  }

  protected advance(action: ArrayLike<number>, offset: number): void {
    const mdp = this.mdp, a = action[offset]!, sa = this.state * mdp.numActions + a;
    const rng = this.rng;
    let r = mdp.rewards[sa]!;
    const noise = mdp.rewardNoise;
    if (noise !== undefined) r = noise.kind === 'gaussian' ? (noise.std > 0 ? r + noise.std * rng.normal() : r) : rng.uniform() < r ? 1 : 0;
    const P = mdp.transitions, k0 = P.rowPtr[sa]!;
    const s2 = P.col[k0 + rng.categorical(P.val, k0, P.rowPtr[sa + 1]! - k0)]!;
    this.state = s2;
    this.terminatedNow = mdp.terminal[s2] === 1;
    this.rewardNow = r;
  }

  protected writeObservation(out: Float64Array, offset: number): void {
    const s = this.state;
    if (this.kind === 0) { out[offset] = s; return; }
    if (this.kind === 1) { for (let i = 0; i < this.dim; i++) out[offset + i] = i === s ? 1 : 0; return; }
    const phi = this.features!, d = this.dim;
    for (let i = 0; i < d; i++) out[offset + i] = phi[s * d + i]!;
  }
}

/** The finite MDP as an environment, with its time limit when `maxEpisodeSteps` is given. */
export function tabularEnv(mdp: FiniteMDP, opts: TabularEnvOptions = {}): Env {
  const known = new Set(['observation', 'maxEpisodeSteps', 'seed', 'id']);
  for (const k of Object.keys(opts)) if (!known.has(k)) fail('ENV_OPTIONS', `unknown tabular environment option ${show(k)} (known: ${[...known].join(', ')})`, { where: k });
  const env = new TabularEnv(mdp, opts.observation ?? 'index', opts.seed ?? 0, opts.id ?? 'tabular');
  return opts.maxEpisodeSteps === undefined ? env : new TimeLimit(env, opts.maxEpisodeSteps);
}
