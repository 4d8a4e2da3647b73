/**
 * The precomputed tables a rollout reads, and the draws the rollout kernel (./kernel.ts)
 * makes from them. Building them costs O(S·A + nnz(P)) once; afterwards a transition costs
 * a few array reads and at most two 32-bit random words (more with reward noise), and
 * allocates nothing.
 *
 * - π_b(·|s): alias rows over the actions of positive probability (the behaviour policy —
 *   the one that acts), and log π_b(a|s) from the parameterization itself (`logProb`, stable
 *   for extreme logits), not from the logarithm of a rounded probability.
 * - P(·|s,a): alias rows over the positive entries of CSR row s·A + a.
 * - p0: one alias row.
 * - rewards r(s,a) and the MDP's reward noise model.
 *
 * An episode starts with s_0 ∼ p0 and, under geometric stopping, its length cap
 * L ∼ Geometric(1 − γ) (see {@link geometricLength}); then each transition from s_t makes
 * these random draws, in this order (the order is part of the determinism contract — the
 * same seed gives the same batch on every machine):
 *
 * 1. a_t ∼ π_b(·|s_t): one 32-bit word (none when one action has all the mass);
 * 2. r_t = r(s_t,a_t), or with noise r(s_t,a_t) + σ·N(0,1) (Gaussian), or
 *    1[u < r(s_t,a_t)] (Bernoulli: r(s,a) ∈ [0,1] is the success probability);
 * 3. s_tp1 ∼ P(·|s_t,a_t): one 32-bit word (none when the row is deterministic).
 *
 * @module
 */
import type { FiniteMDP } from '../mdp/model.js';
import type { Policy } from '../policy/types.js';
import type { Rng } from '../stats/rng.js';
import { buildAliasRows, type AliasRows } from './alias.js';

/** Reward noise as a number for the hot loop: 0 none, 1 Gaussian, 2 Bernoulli. */
export const NOISE_NONE = 0, NOISE_GAUSSIAN = 1, NOISE_BERNOULLI = 2;

/** Everything a rollout reads. Immutable once built. */
export interface SamplerTables {
  readonly numStates: number;
  readonly numActions: number;
  readonly gamma: number;
  /** Alias rows of π_b(·|s), one row per state; outcomes are actions. */
  readonly pi: AliasRows;
  /** log π_b(a|s) at `s*A + a` (0 where π_b(a|s) = 0: never read). */
  readonly logPi: Float64Array;
  /** Alias rows of P(·|s,a), row `s*A + a`; outcomes are next states. */
  readonly next: AliasRows;
  /** The alias row of p0. */
  readonly initial: AliasRows;
  /** r(s,a) at `s*A + a`. */
  readonly rewards: Float64Array;
  readonly noiseKind: number;
  /** σ of Gaussian reward noise (0 otherwise). */
  readonly noiseStd: number;
  /** `terminal[s] = 1` for terminal states. */
  readonly terminal: Uint8Array;
}

/** The behaviour policy's table π_b(a|s) and log π_b(a|s) (log only where π_b > 0). */
function policyTables(behaviour: Policy, S: number, A: number): { probs: Float64Array; logPi: Float64Array } {
  const probs = behaviour.param.probs(behaviour.theta);
  const logPi = new Float64Array(S * A);
  for (let s = 0; s < S; s++) {
    for (let a = 0; a < A; a++) if (probs[s * A + a]! > 0) logPi[s * A + a] = behaviour.param.logProb(behaviour.theta, s, a);
  }
  return { probs, logPi };
}

/**
 * Builds the tables for sampling `mdp` with the behaviour policy `behaviour` (already
 * validated against the MDP: see `checkSamplingSpec`).
 */
export function buildSamplerTables(mdp: FiniteMDP, behaviour: Policy): SamplerTables {
  const S = mdp.numStates, A = mdp.numActions, P = mdp.transitions;
  const { probs, logPi } = policyTables(behaviour, S, A);
  const noise = mdp.rewardNoise;
  return {
    numStates: S, numActions: A, gamma: mdp.gamma,
    pi: buildAliasRows(S, (s, add) => { for (let a = 0; a < A; a++) add(a, probs[s * A + a]!); }),
    logPi,
    next: buildAliasRows(S * A, (row, add) => { for (let k = P.rowPtr[row]!; k < P.rowPtr[row + 1]!; k++) add(P.col[k]!, P.val[k]!); }),
    initial: buildAliasRows(1, (_, add) => { for (let s = 0; s < S; s++) add(s, mdp.initial[s]!); }),
    rewards: mdp.rewards,
    noiseKind: noise === undefined ? NOISE_NONE : noise.kind === 'gaussian' ? (noise.std > 0 ? NOISE_GAUSSIAN : NOISE_NONE) : NOISE_BERNOULLI,
    noiseStd: noise?.kind === 'gaussian' ? noise.std : 0,
    terminal: mdp.terminal,
  };
}

/**
 * The length cap L of an episode under geometric stopping with continuation probability γ:
 * L = 1 + ⌊ln u / ln γ⌋ for u uniform in (0, 1], so that Pr(L > t) = Pr(u ≤ γ^t) = γ^t —
 * the same law as stopping after each transition with probability 1 − γ, for one draw per
 * episode instead of one per transition. γ = 1 never stops (L = ∞); γ = 0 gives L = 1.
 */
export function geometricLength(rng: Rng, gamma: number): number {
  const u = 1 - rng.uniform();
  if (gamma >= 1) return Infinity;
  if (gamma <= 0) return 1;
  return 1 + Math.floor(Math.log(u) / Math.log(gamma));
}

/** The sampled reward of (s,a) at row `sa = s*A + a` under the noise model. */
export function drawReward(T: SamplerTables, sa: number, rng: Rng): number {
  const r = T.rewards[sa]!;
  if (T.noiseKind === NOISE_NONE) return r;
  if (T.noiseKind === NOISE_GAUSSIAN) return r + T.noiseStd * rng.normal();
  return rng.uniform() < r ? 1 : 0;
}
