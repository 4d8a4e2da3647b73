/**
 * Groups of responses, as RL for language models samples them (GRPO, RLOO, Dr. GRPO):
 * B prompts q_b ∼ p0, and for each G responses o_{b,1…G} ∼ π(·|q_b) drawn independently,
 * each a complete episode (on a token MDP, a token sequence ending at the end token or the
 * length limit). The result is padded to N × T token arrays (N = B·G responses, row
 * i = b·G + j, T = `maxTokens`): `mask[i*T + t]` = 1 on the response's tokens, 0 on padding
 * — the layout of `src/estimators/aggregation.ts`.
 *
 * Draws use the rollout tables of ./tables.ts (alias rows, the MDP's reward-noise model),
 * in this order: the prompt, then each response's transitions in order (action, reward,
 * next state). A response that has not ended after T tokens is an error, not a silent cut.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import type { FiniteMDP } from '../mdp/model.js';
import type { Policy } from '../policy/types.js';
import type { Rng } from '../stats/rng.js';
import { drawAlias } from './alias.js';
import { buildSamplerTables, drawReward, type SamplerTables } from './tables.js';

/** B prompts × G responses × T tokens, with a padding mask. */
export interface GroupBatch {
  readonly numStates: number;
  readonly numActions: number;
  /** B. */
  readonly numPrompts: number;
  /** G. */
  readonly groupSize: number;
  /** T, the token dimension. */
  readonly maxTokens: number;
  /** q_b: the prompt (initial state) of group b. */
  readonly prompts: Int32Array;
  /** 1 on response tokens, 0 on padding (N × T). */
  readonly mask: Uint8Array;
  /** s_t, a_t, log π(a_t|s_t), r_t per token (N × T; 0 on padding). */
  readonly s_t: Int32Array;
  readonly a_t: Int32Array;
  readonly logp_t: Float64Array;
  readonly r_t: Float64Array;
  /** The sampled sequence reward Σ_t γ^t r_t of each response (N). */
  readonly rewards: Float64Array;
  /** |o_i|, tokens per response (N). */
  readonly lengths: Int32Array;
}

/** What {@link sampleGroups} draws. */
export interface GroupSpec {
  readonly prompts: number;
  readonly groupSize: number;
  readonly maxTokens: number;
}

const checkCount = (x: number, name: string, max: number): void => {
  if (!(Number.isSafeInteger(x) && x >= 1 && x <= max)) fail('SAMPLING_COUNT', `${name} is ${show(x)}: it must be an integer from 1 to ${max}`, { where: name, value: x });
};

/**
 * Draws a {@link GroupBatch} of `spec.prompts` groups of `spec.groupSize` responses with
 * `policy` on `mdp` (module comment); `tables` may be passed to reuse them across calls.
 * Throws `SAMPLING_COUNT` for invalid counts (B·G·T ≤ 10⁸) and `SAMPLING_HORIZON` when a
 * response has not ended within `maxTokens` tokens.
 */
export function sampleGroups(mdp: FiniteMDP, policy: Policy, spec: GroupSpec, rng: Rng, tables: SamplerTables = buildSamplerTables(mdp, policy)): GroupBatch {
  const { prompts: B, groupSize: G, maxTokens: T } = spec;
  checkCount(B, 'prompts', 1e8); checkCount(G, 'groupSize', 1e8); checkCount(T, 'maxTokens', 1e8);
  if (B * G * T > 1e8) fail('SAMPLING_COUNT', `prompts × groupSize × maxTokens is ${B * G * T}: at most 10⁸ tokens`, { where: 'prompts', value: B });
  const N = B * G, A = mdp.numActions, gamma = mdp.gamma;
  const prompts = new Int32Array(B), mask = new Uint8Array(N * T), s_t = new Int32Array(N * T), a_t = new Int32Array(N * T);
  const logp_t = new Float64Array(N * T), r_t = new Float64Array(N * T), rewards = new Float64Array(N), lengths = new Int32Array(N);
  for (let b = 0; b < B; b++) {
    const q = drawAlias(tables.initial, 0, rng);
    prompts[b] = q;
    for (let j = 0; j < G; j++) {
      const i = b * G + j;
      let s = q, ret = 0, disc = 1, t = 0;
      while (!tables.terminal[s]) {
        if (t === T) fail('SAMPLING_HORIZON', `a response to prompt ${q} has not ended after maxTokens = ${T} tokens (it is in state ${s})`, { where: 'maxTokens', value: T });
        const a = drawAlias(tables.pi, s, rng), sa = s * A + a, k = i * T + t;
        const r = drawReward(tables, sa, rng);
        mask[k] = 1; s_t[k] = s; a_t[k] = a; logp_t[k] = tables.logPi[sa]!; r_t[k] = r;
        ret += disc * r; disc *= gamma;
        s = drawAlias(tables.next, sa, rng);
        t++;
      }
      rewards[i] = ret; lengths[i] = t;
    }
  }
  return { numStates: mdp.numStates, numActions: A, numPrompts: B, groupSize: G, maxTokens: T, prompts, mask, s_t, a_t, logp_t, r_t, rewards, lengths };
}
