/**
 * How the learners gather experience on a tabular MDP.
 *
 * - **Segments** ({@link SegmentRollout}; A2C, TRPO, PPO, V-MPO — Lehmann 2024, Algorithm 7's
 *   "collect T steps in each of N environments"): N copies of the MDP as Gymnasium-shaped
 *   environments (`tabularEnv` with a time limit, observation = the state index) stepped
 *   together by `VectorEnv` with auto-reset. The policy acts through its own contract
 *   (`probsRow`, `logProb`). The batch holds N·T transitions environment by environment
 *   (transitions e·T … e·T + T − 1 are environment e's, in time order), in the layout of
 *   `src/sampling/segments.ts`: the true s_tp1 is kept where an episode ended (the vector
 *   environment's final observation); a segment's last transition of each environment is
 *   truncated unless terminal, and the next segment continues the episode with t_index one
 *   larger. The policy is read afresh at every step, so one rollout object serves the whole
 *   run while θ changes.
 * - **Episodes** (REINFORCE — whole episodes from p0): `sampleEpisodes` of `src/sampling`,
 *   one fresh call per update with the current policy.
 *
 * Seeding: everything comes from `Rng.from(seed)`: the environments from `split(0)`,
 * environment e's action draws from `split(1).split(e)`, REINFORCE's episodes of update n
 * from `split(2).split(n)`. One seed gives one bit-identical run.
 *
 * @module
 */
import type { FiniteMDP } from '../mdp/model.js';
import type { Policy } from '../policy/types.js';
import type { Batch } from '../sampling/batch.js';
import { BatchBuilder } from '../sampling/builder.js';
import { sampleEpisodes } from '../sampling/episodes.js';
import { Rng } from '../stats/rng.js';
import { tabularEnv } from '../env/tabular.js';
import { VectorEnv } from '../env/vector.js';
import { samplingPolicy } from './mlp-policy.js';

/** N environments × T steps per segment, continuing across segments. */
export class SegmentRollout {
  private readonly venv: VectorEnv;
  private readonly actionRngs: Rng[];
  private readonly time: Int32Array;
  private readonly actions: Float64Array;
  private readonly row: Float64Array;
  private nextId = 0;

  constructor(readonly mdp: FiniteMDP, readonly numEnvs: number, readonly length: number, maxEpisodeSteps: number, seed: number) {
    const root = Rng.from(seed);
    this.venv = new VectorEnv(Array.from({ length: numEnvs }, () => tabularEnv(mdp, { maxEpisodeSteps })));
    this.venv.reset(root.split(0));
    this.actionRngs = Array.from({ length: numEnvs }, (_, e) => root.split(1).split(e));
    this.time = new Int32Array(numEnvs);
    this.actions = new Float64Array(numEnvs);
    this.row = new Float64Array(mdp.numActions);
  }

  /** The next segment under `policy`: a batch of N·T transitions that owns its arrays. */
  collect(policy: Policy): Batch {
    const { numEnvs: N, length: T, venv, row } = this;
    const { param, theta } = policy;
    const b = new BatchBuilder(this.mdp.numStates, this.mdp.numActions, this.mdp.gamma, N * T);
    const id = new Int32Array(N);
    for (let e = 0; e < N; e++) id[e] = this.nextId++;
    for (let k = 0; k < T; k++) {
      for (let e = 0; e < N; e++) {
        const s_t = venv.observations[e]!;
        param.probsRow(theta, s_t, row, 0);
        const a_t = this.actionRngs[e]!.categorical(row);
        this.actions[e] = a_t;
        const i = e * T + k;
        b.s_t[i] = s_t; b.a_t[i] = a_t; b.logp_t[i] = param.logProb(theta, s_t, a_t);
        b.t_index[i] = this.time[e]!; b.episode_t[i] = id[e]!;
      }
      venv.step(this.actions);
      for (let e = 0; e < N; e++) {
        const i = e * T + k, terminated_t = venv.terminated[e]!, truncated_t = venv.truncated[e]!;
        b.r_t[i] = venv.rewards[e]!;
        b.s_tp1[i] = venv.nextObservations[e]!;
        b.terminated_t[i] = terminated_t;
        b.truncated_t[i] = terminated_t ? 0 : k === T - 1 ? 1 : truncated_t;
        if (terminated_t || truncated_t) { this.time[e] = 0; if (k < T - 1) id[e] = this.nextId++; } else this.time[e]++;
      }
    }
    b.size = N * T;
    return renumber(b.take());
  }
}

/** Episode ids made consecutive in batch order (the layout is environment-major, ids were given in time order). */
function renumber(b: Batch): Batch {
  let id = -1, prev = -1;
  for (let i = 0; i < b.size; i++) {
    if (i === 0 || b.episode_t[i] !== prev) id++;
    prev = b.episode_t[i]!;
    b.episode_t[i] = id;
  }
  return b;
}

/**
 * `episodes` whole episodes of `policy` for update `update` (time limit `maxSteps`; see the
 * module comment); an MLP policy is sampled through its logits table (`samplingPolicy`).
 */
export function episodeBatch(mdp: FiniteMDP, policy: Policy, episodes: number, maxSteps: number, seed: number, update: number): Batch {
  return sampleEpisodes({ mdp, policy: samplingPolicy(policy) }, { episodes, maxSteps, seed: Rng.from(seed).split(2).split(update) });
}

/**
 * The transitions `indices` of `batch` as a batch of their own — a minibatch (PPO, V-MPO).
 * Every transition becomes its own episode piece (episode id = its position), so the γ^t/E
 * weighting of the surrogates (`src/estimators/score.ts`) gives transition i the weight
 * γ^{t_i}/|minibatch| with its own t_i — the minibatch mean of cleanrl with the γ^t of
 * Lehmann 2024, Theorem 3.1. Per-step arrays (advantages) are gathered with {@link gather}.
 */
export function minibatch(batch: Batch, indices: Int32Array): Batch {
  const n = indices.length;
  const b = new BatchBuilder(batch.numStates, batch.numActions, batch.gamma, n);
  for (let k = 0; k < n; k++) {
    const i = indices[k]!;
    b.s_t[k] = batch.s_t[i]!; b.a_t[k] = batch.a_t[i]!; b.r_t[k] = batch.r_t[i]!; b.s_tp1[k] = batch.s_tp1[i]!;
    b.terminated_t[k] = batch.terminated_t[i]!; b.truncated_t[k] = batch.terminated_t[i] ? 0 : 1;
    b.t_index[k] = batch.t_index[i]!; b.logp_t[k] = batch.logp_t[i]!; b.episode_t[k] = k;
  }
  b.size = n;
  return b.take();
}

/** x[indices[k]] for each k. */
export function gather(x: Float64Array, indices: Int32Array): Float64Array {
  return Float64Array.from(indices, (i) => x[i]!);
}

/**
 * The minibatches of one epoch: a Fisher–Yates shuffle of 0 … n−1 drawn from `rng`, cut into
 * `count` nearly equal contiguous pieces (cleanrl's `b_inds` split; count = 1: the whole batch
 * in order, no shuffle).
 */
export function minibatchIndices(n: number, count: number, rng: Rng): Int32Array[] {
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  if (count === 1) return [perm];
  for (let i = n - 1; i > 0; i--) { const j = rng.int(i + 1); const t = perm[i]!; perm[i] = perm[j]!; perm[j] = t; }
  const out: Int32Array[] = [];
  for (let m = 0; m < count; m++) out.push(perm.slice(Math.floor((m * n) / count), Math.floor(((m + 1) * n) / count)).sort());
  return out;
}
