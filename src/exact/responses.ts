/**
 * Exact expectations over whole responses and over groups of responses, for the
 * group-relative estimators of RL for language models (GRPO, RLOO, Dr. GRPO; see
 * derivations/10-group-relative.md).
 *
 * A *response* is a complete episode from an initial state (a *prompt*) to a terminal
 * state: on a contextual bandit one action, on a token MDP one token sequence. For an
 * episodic MDP whose episodes are bounded, the responses of a prompt q are finitely many,
 * and {@link enumerateResponses} lists them with
 *
 * - π(o|q) = Π_t π(a_t|s_t) P(s_{t+1}|s_t,a_t),
 * - R(o) = Σ_t γ^t r(s_t,a_t) (the mean reward),
 * - |o|, the number of steps (tokens),
 * - the summed score φ(o) = Σ_t ∇_θ log π_θ(a_t|s_t) = ∇_θ log π_θ(o|q).
 *
 * Then ∇J = Σ_q ρ(q) Σ_o π(o|q) R(o) φ(o) (the score-function identity at the sequence
 * level), and the exact mean of any estimator computed from a group of G responses drawn
 * i.i.d. from π(·|q) is a finite sum over the |O|^G groups ({@link expectOverGroups}).
 * Bernoulli reward noise makes each response's sampled reward a finite distribution
 * ({@link rewardOutcomes}); Gaussian noise does not, and is refused.
 *
 * @module
 */
import { fail } from '../errors.js';
import type { FiniteMDP } from '../mdp/model.js';
import type { Policy } from '../policy/types.js';

/** One complete response of one prompt. */
export interface Response {
  /** The prompt: the initial state it starts from. */
  readonly prompt: number;
  /** π(o|q) (with the transition probabilities, for stochastic MDPs). */
  readonly probability: number;
  /** R(o) = Σ_t γ^t r(s_t, a_t), the mean reward. */
  readonly reward: number;
  /** s_t and a_t, t = 0 … |o| − 1. */
  readonly s_t: Int32Array;
  readonly a_t: Int32Array;
  /** φ(o) = Σ_t ∇_θ log π_θ(a_t|s_t). */
  readonly score: Float64Array;
}

/** The responses of every prompt. */
export interface ResponseTable {
  /** The prompts (initial states with p0 > 0), ascending. */
  readonly prompts: readonly number[];
  /** ρ(q) = p0(q) for each prompt. */
  readonly promptProbs: readonly number[];
  /** The responses of `prompts[i]`, with probability > 0. */
  readonly responses: readonly (readonly Response[])[];
}

/** Limits of {@link enumerateResponses}. */
export interface EnumerateOptions {
  /** The most steps of a response (default 64). */
  readonly maxTokens?: number;
  /** The most responses in all (default 100 000). */
  readonly maxResponses?: number;
}

/**
 * Every response of every prompt by depth-first search (module comment). Throws
 * `GROUP_ENUMERATION` when a response exceeds `maxTokens` steps or the responses exceed
 * `maxResponses`, and `POLICY_SHAPE` when the policy does not act on the MDP.
 */
export function enumerateResponses(mdp: FiniteMDP, policy: Policy, opts: EnumerateOptions = {}): ResponseTable {
  const { numStates: S, numActions: A, transitions: T, rewards, gamma, terminal } = mdp;
  const { param, theta } = policy;
  if (param.numStates !== S || param.numActions !== A) fail('POLICY_SHAPE', `the policy acts on ${param.numStates}×${param.numActions} states×actions, the MDP has ${S}×${A}`, { where: 'policy' });
  param.check(theta);
  const pi = Float64Array.from(param.probs(theta));
  const maxTokens = opts.maxTokens ?? 64, maxResponses = opts.maxResponses ?? 100_000;
  const prompts: number[] = [], promptProbs: number[] = [], responses: Response[][] = [];
  let total = 0;
  const ss: number[] = [], as: number[] = [];
  for (let q = 0; q < S; q++) {
    if (!(mdp.initial[q]! > 0) || terminal[q]) continue;
    const list: Response[] = [];
    const walk = (s: number, prob: number, ret: number, disc: number): void => {
      if (terminal[s]) {
        if (++total > maxResponses) fail('GROUP_ENUMERATION', `more than ${maxResponses} responses: too many to enumerate exactly`, { where: 'maxResponses', value: maxResponses });
        const score = new Float64Array(param.numParams);
        for (let t = 0; t < ss.length; t++) param.addScore(theta, ss[t]!, as[t]!, 1, score);
        list.push({ prompt: q, probability: prob, reward: ret, s_t: Int32Array.from(ss), a_t: Int32Array.from(as), score });
        return;
      }
      if (ss.length >= maxTokens) fail('GROUP_ENUMERATION', `a response from prompt ${q} is longer than ${maxTokens} steps (it reaches state ${s}): responses must end within the limit to be enumerated`, { where: `state ${s}`, value: maxTokens });
      for (let a = 0; a < A; a++) {
        const p = pi[s * A + a]!;
        if (p === 0) continue;
        ss.push(s); as.push(a);
        for (let k = T.rowPtr[s * A + a]!; k < T.rowPtr[s * A + a + 1]!; k++) {
          if (T.val[k]! > 0) walk(T.col[k]!, prob * p * T.val[k]!, ret + disc * rewards[s * A + a]!, disc * gamma);
        }
        ss.pop(); as.pop();
      }
    };
    walk(q, 1, 0, 1);
    prompts.push(q); promptProbs.push(mdp.initial[q]!); responses.push(list);
  }
  return { prompts, promptProbs, responses };
}

/** A response's sampled reward as a finite distribution: values and their probabilities. */
export interface RewardOutcomes { readonly values: readonly number[]; readonly probs: readonly number[] }

/**
 * The distribution of a response's sampled reward Σ_t γ^t r̃_t: a point mass at R(o) without
 * reward noise; with Bernoulli noise (r̃_t ∼ Bernoulli(r(s_t,a_t)), independent) the
 * convolution of the per-step Bernoulli variables. Throws `GROUP_ENUMERATION` for Gaussian
 * noise (a continuum of outcomes).
 */
export function rewardOutcomes(mdp: FiniteMDP, o: Response): RewardOutcomes {
  const noise = mdp.rewardNoise;
  if (!noise || (noise.kind === 'gaussian' && noise.std === 0)) return { values: [o.reward], probs: [1] };
  if (noise.kind !== 'bernoulli') fail('GROUP_ENUMERATION', 'Gaussian reward noise has a continuum of outcomes: exact group expectations need deterministic or Bernoulli rewards', { where: 'rewardNoise' });
  let dist = new Map<number, number>([[0, 1]]);
  let disc = 1;
  for (let t = 0; t < o.s_t.length; t++, disc *= mdp.gamma) {
    const r = mdp.rewards[o.s_t[t]! * mdp.numActions + o.a_t[t]!]!;
    if (r === 0) continue;
    const next = new Map<number, number>();
    for (const [v, p] of dist) {
      if (r < 1) next.set(v, (next.get(v) ?? 0) + p * (1 - r));
      next.set(v + disc, (next.get(v + disc) ?? 0) + p * r);
    }
    dist = next;
  }
  return { values: [...dist.keys()], probs: [...dist.values()] };
}

/** The most groups {@link expectOverGroups} enumerates. */
export const MAX_GROUPS = 4_000_000;

/**
 * E[f(X_1, …, X_G)] for X_i i.i.d. with P(X = k) = `probs[k]`, by enumerating all
 * |O|^G groups: `f(members, weight, out)` adds weight·f(members) into `out` (length `dim`).
 * Throws `GROUP_ENUMERATION` beyond {@link MAX_GROUPS} groups.
 */
export function expectOverGroups(probs: ArrayLike<number>, G: number, dim: number, f: (members: Int32Array, weight: number, out: Float64Array) => void): Float64Array {
  const n = probs.length;
  if (!(Number.isSafeInteger(G) && G >= 1)) fail('GROUP_ENUMERATION', `the group size is ${G}: expected a positive integer`, { where: 'G', value: G });
  if (Math.pow(n, G) > MAX_GROUPS) fail('GROUP_ENUMERATION', `${n} outcomes in groups of ${G} make ${n}^${G} groups, more than ${MAX_GROUPS}`, { where: 'G', value: G });
  const out = new Float64Array(dim), members = new Int32Array(G);
  const rec = (i: number, w: number): void => {
    if (i === G) { f(members, w, out); return; }
    for (let k = 0; k < n; k++) {
      const p = probs[k]!;
      if (p === 0) continue;
      members[i] = k;
      rec(i + 1, w * p);
    }
  };
  rec(0, 1);
  return out;
}
