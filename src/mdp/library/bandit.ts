/**
 * Contextual bandits as one-step episodic MDPs: the problem of RL for language models with
 * whole responses as actions (Shao et al. 2024, DeepSeekMath §4.1: a prompt q ∼ P(Q), a
 * response o ∼ π_θ(·|q), a reward r(q, o) at the end).
 *
 * States are the prompts and one terminal state `end`; every action (a response) moves to
 * `end`; γ = 1; p0 is the prompt distribution ρ. So the existing exact machinery applies
 * unchanged: V(q) = Σ_o π(o|q) r(q,o), J = Σ_q ρ(q) V(q), and the visitation of a prompt is
 * η(q) = ρ(q), so ∇J = Σ_q ρ(q) Σ_o ∇π(o|q) r(q,o) (Lehmann 2024, Theorem 3.1 with one step).
 *
 * Rewards are given by their means r(q,o); the sampled reward is r(q,o) itself, a Bernoulli
 * draw with that mean (a verifier that is right with probability r), or r(q,o) plus Gaussian
 * noise (`rewardNoise`).
 *
 * @module
 */
import { fail, show } from '../../errors.js';
import { buildCSR } from '../../linalg/sparse.js';
import { createMDP, type FiniteMDP, type RewardNoise } from '../model.js';

/** What {@link contextualBandit} accepts. */
export interface ContextualBanditSpec {
  /** The number of prompts, or their names. */
  readonly prompts: number | readonly string[];
  /** ρ(q), the prompt distribution (default uniform). */
  readonly promptProbs?: readonly number[];
  /** The number of responses per prompt, or their names (the same set for every prompt). */
  readonly responses: number | readonly string[];
  /** The mean reward r(q, o), `[prompt][response]`. */
  readonly rewards: readonly (readonly number[])[];
  /** How sampled rewards scatter around r(q, o); absent means exactly r(q, o). */
  readonly rewardNoise?: RewardNoise;
}

const names = (x: number | readonly string[], prefix: string, what: string): string[] => {
  if (typeof x === 'number') {
    if (!Number.isSafeInteger(x) || x < 1) fail('MDP_SHAPE', `${what} is ${show(x)}: expected a positive integer or a list of names`, { where: what, value: x });
    return Array.from({ length: x }, (_, i) => `${prefix}${i}`);
  }
  return x.slice();
};

/**
 * The contextual bandit of `spec` as a finite MDP: states `[...prompts, 'end']` (`end`
 * terminal), actions the responses, P(end | q, o) = 1, r(q, o) the mean reward, γ = 1,
 * p0 = (ρ, 0). Invalid input raises the `MDP_*` errors of `createMDP`, naming the entry.
 */
export function contextualBandit(spec: ContextualBanditSpec): FiniteMDP {
  const prompts = names(spec.prompts, 'q', 'prompts'), responses = names(spec.responses, 'o', 'responses');
  const P = prompts.length, K = responses.length, S = P + 1;
  const rho = spec.promptProbs ?? prompts.map(() => 1 / P);
  if (!Array.isArray(rho) || rho.length !== P) fail('MDP_SHAPE', `promptProbs has ${(rho as { length?: number })?.length ?? show(rho)} entries, expected one per prompt (${P})`, { where: 'promptProbs' });
  if (!Array.isArray(spec.rewards) || spec.rewards.length !== P) fail('MDP_SHAPE', `rewards has ${Array.isArray(spec.rewards) ? spec.rewards.length : show(spec.rewards)} rows, expected one per prompt (${P})`, { where: 'rewards' });
  const transitions = buildCSR(S * K, S, (_row, add) => add(P, 1), S * K); // every response ends the episode
  const rewards = [...spec.rewards.map((row) => row.slice()), responses.map(() => 0)];
  return createMDP({
    states: [...prompts, 'end'], actions: responses, transitions, rewards, gamma: 1,
    initial: [...rho, 0], terminal: [P], ...(spec.rewardNoise ? { rewardNoise: spec.rewardNoise } : {}),
  });
}

/**
 * The built-in contextual bandit `bandit-contextual`: three prompts of unequal difficulty
 * (ρ = 0.5, 0.3, 0.2) and four responses, each right with a probability (Bernoulli rewards, a
 * noisy verifier): `easy` 0.9, 0.7, 0.5, 0.2; `medium` 0.6, 0.4, 0.2, 0.1; `hard` 0.3, 0.1,
 * 0.05, 0. Binary rewards whose success rate differs across prompts are where GRPO's std
 * normalization reweights prompts.
 */
export function builtinContextualBandit(): FiniteMDP {
  return contextualBandit({
    prompts: ['easy', 'medium', 'hard'], promptProbs: [0.5, 0.3, 0.2], responses: ['o1', 'o2', 'o3', 'o4'],
    rewards: [[0.9, 0.7, 0.5, 0.2], [0.6, 0.4, 0.2, 0.1], [0.3, 0.1, 0.05, 0]],
    rewardNoise: { kind: 'bernoulli' },
  });
}
