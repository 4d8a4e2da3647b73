/**
 * The library of classic MDPs, each with the answers the literature gives for it
 * (../shared/REFERENCES.md), reproduced by the tests.
 *
 * @module
 */
import { fail } from '../../errors.js';
import type { FiniteMDP } from '../model.js';
import { builtinContextualBandit } from './bandit.js';
import { chain } from './chain.js';
import { deceptive } from './deceptive.js';
import { shortCorridor } from './corridor.js';
import { garnet } from './garnet.js';
import { suttonBartoGridworld4x4, suttonBartoGridworld5x5 } from './gridworld.js';
import { builtinTokenMDP } from './token.js';

export * from './chain.js';
export * from './corridor.js';
export * from './garnet.js';
export * from './gridworld.js';
export * from './bandit.js';
export * from './token.js';
export * from './features.js';
export * from './deceptive.js';

/** A named built-in MDP. */
export interface LibraryEntry {
  readonly name: string;
  readonly description: string;
  readonly build: () => FiniteMDP;
}

/** The built-in MDPs, by name (what `pgtruth exact builtin:<name>` and `pgtruth mdp <name>` use). */
export const LIBRARY: readonly LibraryEntry[] = [
  { name: 'short-corridor', description: 'Sutton & Barto Example 13.1: short corridor with switched actions, γ = 1', build: shortCorridor },
  { name: 'gridworld-5x5', description: 'Sutton & Barto Examples 3.5/3.8: 5×5 gridworld with A→A′ (+10) and B→B′ (+5), γ = 0.9', build: suttonBartoGridworld5x5 },
  { name: 'gridworld-4x4', description: 'Sutton & Barto Example 4.1: 4×4 episodic gridworld, −1 per step, γ = 1', build: suttonBartoGridworld4x4 },
  { name: 'chain', description: 'Strens (2000) 5-state chain, slip 0.2, γ = 0.9', build: () => chain() },
  { name: 'garnet', description: 'seeded Garnet random MDP: 6 states, 3 actions, branching 3, γ = 0.9 (seed 1)', build: () => garnet({ states: 6, actions: 3, branching: 3, gamma: 0.9, seed: 1 }) },
  { name: 'garnet-episodic', description: 'seeded Garnet with 2 terminal states, exit probability 0.2, γ = 1 (seed 2)', build: () => garnet({ states: 7, actions: 3, branching: 3, gamma: 1, seed: 2, terminal: 2, exitProbability: 0.2 }) },
  { name: 'bandit-contextual', description: 'contextual bandit (one-step MDP): 3 prompts (ρ = 0.5, 0.3, 0.2), 4 responses, Bernoulli rewards', build: builtinContextualBandit },
  { name: 'deceptive', description: 'deceptive corridor: take at the start pays 1 at once, a corridor of 8 pays 4 at its end (J* = 4), γ = 1', build: () => deceptive() },
  { name: 'deceptive-lottery', description: 'deceptive corridor whose decoy is a lottery (pays 20 with probability 0.05: mean 1), corridor of 8 pays 4 (J* = 4), γ = 1', build: () => deceptive({ lottery: 0.05 }) },
  { name: 'token-mdp', description: 'token-level MDP: 2 prompts, tokens a, b, <eos>, at most 3 tokens, reward at the end, γ = 1', build: builtinTokenMDP },
];

/** The built-in MDP called `name`; `MDP_UNKNOWN` lists the names when there is none. */
export function builtinMDP(name: string): FiniteMDP {
  const e = LIBRARY.find((x) => x.name === name);
  if (!e) fail('MDP_UNKNOWN', `no built-in MDP is called "${name}" (known: ${LIBRARY.map((x) => x.name).join(', ')})`, { where: 'name', value: name });
  return e.build();
}
