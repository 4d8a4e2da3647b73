/**
 * State features φ(s) for neural policies on the problems of RL for language models, so that
 * an MLP over (prompt, prefix) features gives π_w(·|s) = softmax(f_w(φ(s))) and
 * `src/exact/neural.ts` gives J(w) and ∇_w J exactly by the chain rule (issue 15, item 1).
 *
 * - Contextual bandit ({@link contextualBanditFeatures}): the prompt's one-hot.
 * - Token MDP ({@link tokenMDPFeatures}), for the state (q, o_{<t}):
 *   [one-hot of q (P) | one-hot of the prefix length t (L) | token counts n_v(o_{<t})/L (V) |
 *   one-hot of the last token, or "none" at t = 0 (V + 1)]: n_0 = P + L + 2V + 1. Different
 *   prefixes with the same prompt, length, counts and last token share a feature row (an
 *   aliased state: they get the same π row).
 *
 * The terminal state `end` gets the zero row (η = 0 there: it does not enter ∇J). Rows are in
 * the state order of `contextualBandit` / `tokenMDP` (the breadth-first order of prefixes per
 * prompt), S × n_0 row-major.
 *
 * @module
 */
import { fail, show } from '../../errors.js';
import type { TokenMDPSpec } from './token.js';

/** The prompt one-hot features of a contextual bandit with P prompts: (P + 1) × P (the last row, `end`, zero). */
export function contextualBanditFeatures(numPrompts: number): Float64Array {
  if (!(Number.isSafeInteger(numPrompts) && numPrompts >= 1)) fail('NN_INPUT', `the number of prompts is ${show(numPrompts)}: expected a positive integer`, { where: 'numPrompts', value: numPrompts });
  const P = numPrompts, x = new Float64Array((P + 1) * P);
  for (let q = 0; q < P; q++) x[q * P + q] = 1;
  return x;
}

/** n_0 of {@link tokenMDPFeatures}: P + L + 2V + 1. */
export function tokenFeatureDim(spec: TokenMDPSpec): number {
  return spec.prompts.length + spec.maxTokens + 2 * spec.vocabulary.length + 1;
}

/** The (prompt, prefix) features of the token MDP of `spec` (module comment), S × n_0 in `tokenMDP`'s state order. */
export function tokenMDPFeatures(spec: TokenMDPSpec): Float64Array {
  const P = spec.prompts.length, V = spec.vocabulary.length, L = spec.maxTokens, d = tokenFeatureDim(spec);
  if (!(P >= 1 && V >= 1 && Number.isSafeInteger(L) && L >= 1)) fail('NN_INPUT', `a token MDP spec with ${P} prompts, ${V} tokens and maxTokens ${show(L)} has no features`, { where: 'spec', value: L });
  const rows: number[][] = [];
  for (let q = 0; q < P; q++) {
    const prefixes: number[][] = [[]];
    for (let i = 0; i < prefixes.length; i++) {
      const prefix = prefixes[i]!, row = new Array<number>(d).fill(0);
      row[q] = 1;
      row[P + prefix.length] = 1;
      for (const t of prefix) row[P + L + t] = row[P + L + t]! + 1 / L;
      row[P + L + V + (prefix.length === 0 ? V : prefix[prefix.length - 1]!)] = 1;
      rows.push(row);
      for (let t = 0; t < V; t++) if (prefix.length + 1 < L) prefixes.push([...prefix, t]);
    }
  }
  rows.push(new Array<number>(d).fill(0)); // end
  return Float64Array.from(rows.flat());
}
