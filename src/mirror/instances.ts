/**
 * The paper's instances of mirror learning (Lehmann 2024, §5.2.2; Kuba et al. 2022),
 * each a drift and a neighbourhood (with ν = d_π unless given):
 *
 * | instance | drift | neighbourhood |
 * | --- | --- | --- |
 * | REINFORCE / A3C (generalized policy iteration in the exact limit) | trivial | trivial |
 * | TRPO | trivial | average-KL ball, radius δ |
 * | PPO | PPO's, clip ε | trivial |
 * | MDPO | c·KL(π̄‖π) | trivial |
 * | any other | user-supplied | user-supplied |
 *
 * @module
 */
import { klDrift, trivialDrift } from './builtin-drifts.js';
import type { Drift } from './drift-functional.js';
import { averageKLBall, noNeighbourhood, type Neighbourhood } from './neighbourhood.js';
import { ppoDrift } from './ppo.js';
import type { MirrorConfig } from './update.js';
import type { StateDistribution } from './weights.js';

/** REINFORCE/A3C: trivial drift and neighbourhood — the update is greedy in Q_π (Theorem 2.1). */
export function generalizedPolicyIteration(): MirrorConfig {
  return { drift: trivialDrift, neighbourhood: noNeighbourhood };
}

/** TRPO: trivial drift, average-KL ball of radius δ. */
export function trpoInstance(delta: number): MirrorConfig {
  return { drift: trivialDrift, neighbourhood: averageKLBall(delta) };
}

/** PPO: PPO's drift with clip ε, trivial neighbourhood. */
export function ppoInstance(epsilon: number): MirrorConfig {
  return { drift: ppoDrift(epsilon), neighbourhood: noNeighbourhood };
}

/** MDPO: the KL drift c·KL(π̄‖π), trivial neighbourhood. */
export function mdpoInstance(c: number): MirrorConfig {
  return { drift: klDrift(c), neighbourhood: noNeighbourhood };
}

/** Any drift and neighbourhood (and ν). */
export function mirrorInstance(drift: Drift, neighbourhood: Neighbourhood = noNeighbourhood, nu: StateDistribution = 'visitation'): MirrorConfig {
  return { drift, neighbourhood, nu };
}

/** A label such as `drift ppo:0.2, neighbourhood none`. */
export function describeConfig(c: MirrorConfig): string {
  return `drift ${c.drift.name}, neighbourhood ${c.neighbourhood.name}${c.nu && c.nu !== 'visitation' ? ', ν fixed' : ''}`;
}
