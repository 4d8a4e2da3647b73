/**
 * Token-level episodic MDPs: a response is a sequence of tokens from a small vocabulary,
 * generated one token per step, ending with the end token or at the length limit, with the
 * reward at the end — the MDP of RL fine-tuning of language models at the token level
 * (Shao et al. 2024, DeepSeekMath §4.1.2, "process" vs "outcome" supervision: outcome here).
 *
 * A state is the pair (prompt q, prefix o_{<t}); an action is a token (one of the vocabulary
 * or `endToken`). The end token moves to the terminal state with reward R(q, o_{<t}); any
 * other token appends itself to the prefix — or, when that makes `maxTokens` tokens, ends the
 * response with reward R(q, o). So a response of |o| tokens is an episode of |o| steps (the
 * end token counts as a token, as it does in the loss of an LLM), every state is visited at
 * most once (the MDP is a tree per prompt), and γ = 1: J = Σ_q ρ(q) E_{o∼π(·|q)}[R(q, o)].
 *
 * Sizes: P·Σ_{k<L} V^k + 1 states for P prompts, V tokens and L = `maxTokens`.
 *
 * @module
 */
import { fail, show } from '../../errors.js';
import { buildCSR } from '../../linalg/sparse.js';
import { createMDP, type FiniteMDP, type RewardNoise } from '../model.js';

/** What {@link tokenMDP} accepts. */
export interface TokenMDPSpec {
  /** The prompts' names. */
  readonly prompts: readonly string[];
  /** ρ(q) (default uniform). */
  readonly promptProbs?: readonly number[];
  /** The tokens other than the end token. */
  readonly vocabulary: readonly string[];
  /** The end-of-sequence token's name (default `<eos>`); it is the last action. */
  readonly endToken?: string;
  /** L ≥ 1: the most tokens a response has (a response that reaches L tokens ends there). */
  readonly maxTokens: number;
  /** R(q, o): the mean reward of the response whose non-end tokens are `tokens` (vocabulary indices). */
  readonly reward: (prompt: number, tokens: readonly number[]) => number;
  readonly rewardNoise?: RewardNoise;
}

/** The most states {@link tokenMDP} builds. */
export const TOKEN_MDP_MAX_STATES = 100_000;

/**
 * The token MDP of `spec` (module comment). States are named `prompt|t1 t2 …` (the prefix
 * in token names) and `end`; actions are `[...vocabulary, endToken]`. Throws `MDP_SHAPE`
 * for an empty vocabulary, a `maxTokens` that is not a positive integer or a mis-sized
 * `promptProbs`, `MDP_NOT_FINITE` for a reward that is not finite, and `TOO_LARGE` beyond
 * {@link TOKEN_MDP_MAX_STATES} states.
 */
export function tokenMDP(spec: TokenMDPSpec): FiniteMDP {
  const { prompts, vocabulary, maxTokens: L } = spec;
  const V = vocabulary?.length ?? 0, A = V + 1, P = prompts?.length ?? 0;
  if (!(V >= 1)) fail('MDP_SHAPE', `vocabulary has ${V} tokens: a token MDP needs at least one token besides the end token`, { where: 'vocabulary', value: V });
  if (!(P >= 1)) fail('MDP_SHAPE', `prompts has ${P} entries: a token MDP needs at least one prompt`, { where: 'prompts', value: P });
  if (!(Number.isSafeInteger(L) && L >= 1)) fail('MDP_SHAPE', `maxTokens is ${show(L)}: expected a positive integer`, { where: 'maxTokens', value: L });
  let perPrompt = 0;
  for (let k = 0, vk = 1; k < L; k++, vk *= V) { perPrompt += vk; if (P * perPrompt + 1 > TOKEN_MDP_MAX_STATES) fail('TOO_LARGE', `a token MDP with ${P} prompts, ${V} tokens and maxTokens ${L} has more than ${TOKEN_MDP_MAX_STATES} states`, { value: L }); }
  const S = P * perPrompt + 1, end = S - 1;
  const stateNames: string[] = [];
  const next = new Int32Array(S * A), rewards = new Float64Array(S * A); // the one next state of each (s, a): a tree, stored sparse
  const R = (q: number, tokens: readonly number[], where: string): number => {
    const r = spec.reward(q, tokens);
    if (typeof r !== 'number' || !Number.isFinite(r)) fail('MDP_NOT_FINITE', `reward(${q}, [${tokens.join(', ')}]) is ${show(r)} (${where}): rewards must be finite`, { where, value: r });
    return r;
  };
  for (let q = 0; q < P; q++) {
    // prefixes in breadth-first order: the prefix at offset j of level k has children at level k + 1
    const base = q * perPrompt;
    const prefixes: number[][] = [[]];
    for (let i = 0; i < prefixes.length; i++) {
      const prefix = prefixes[i]!, s = base + i;
      stateNames.push(`${prompts[q]}|${prefix.map((t) => vocabulary[t]).join(' ')}`);
      rewards[s * A + V] = R(q, prefix, `state ${stateNames[s]}, ${spec.endToken ?? '<eos>'}`);
      next[s * A + V] = end;
      for (let t = 0; t < V; t++) {
        const child = [...prefix, t];
        if (child.length === L) { rewards[s * A + t] = R(q, child, `state ${stateNames[s]}, ${vocabulary[t]}`); next[s * A + t] = end; }
        else { next[s * A + t] = base + prefixes.length; prefixes.push(child); }
      }
    }
  }
  stateNames.push('end');
  for (let a = 0; a < A; a++) next[end * A + a] = end;
  const transitions = buildCSR(S * A, S, (row, add) => add(next[row]!, 1), S * A);
  const rho = spec.promptProbs ?? prompts.map(() => 1 / P);
  if (!Array.isArray(rho) || rho.length !== P) fail('MDP_SHAPE', `promptProbs has ${(rho as { length?: number })?.length ?? show(rho)} entries, expected one per prompt (${P})`, { where: 'promptProbs' });
  const initial = new Float64Array(S);
  rho.forEach((p, q) => { initial[q * perPrompt] = p; });
  return createMDP({
    states: stateNames, actions: [...vocabulary, spec.endToken ?? '<eos>'], transitions, rewards, gamma: 1, initial, terminal: [end],
    ...(spec.rewardNoise ? { rewardNoise: spec.rewardNoise } : {}),
  });
}

/**
 * The spec of the built-in token MDP `token-mdp`: prompts `short` and `a-rich` (ρ uniform),
 * tokens `a`, `b` and `<eos>`, at most 3 tokens (15 states, 15 responses per prompt).
 * R(short, o) = 1 − k/3 and R(a-rich, o) = (number of `a`)/3, k the number of non-end
 * tokens: the first prompt rewards stopping early, the second writing long — so responses of
 * different lengths carry different rewards, which is what per-token loss normalizations weigh.
 */
export const BUILTIN_TOKEN_MDP_SPEC: TokenMDPSpec = Object.freeze({
  prompts: ['short', 'a-rich'], vocabulary: ['a', 'b'], maxTokens: 3,
  reward: (q: number, tokens: readonly number[]) => (q === 0 ? 1 - tokens.length / 3 : tokens.filter((t) => t === 0).length / 3),
});

/** The built-in token MDP `token-mdp` ({@link BUILTIN_TOKEN_MDP_SPEC}). */
export function builtinTokenMDP(): FiniteMDP {
  return tokenMDP(BUILTIN_TOKEN_MDP_SPEC);
}
