/**
 * The state distribution ν that weights the drift (Lehmann 2024, Definition 5.1), and the
 * per-state weight ν(s)/d_π(s) it puts on the drift in the update (eq. 26) and in the
 * improvement bound of Theorem 5.4.
 *
 * - `visitation`: ν = d_π, so ν/d ≡ 1 (the choice of TRPO, PPO and MDPO). pgtruth uses
 *   the continuous extension ν/d = 1 also where d_π(s) = 0.
 * - a fixed distribution ν: ν(s)/d_π(s) where d_π(s) > 0; 0 where both vanish; and where
 *   d_π(s) = 0 < ν(s) at a non-terminal state the weight is infinite and pgtruth refuses
 *   (`MIRROR_WEIGHT`, naming the state).
 *
 * Terminal states get weight 0: the update leaves them unchanged.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import type { FiniteMDP } from '../mdp/model.js';

/** ν: the visitation of the current policy, or a fixed distribution over the states. */
export type StateDistribution = 'visitation' | ArrayLike<number>;

/** Throws `MIRROR_WEIGHT` unless ν has S non-negative finite entries summing to 1 (within 1e-9). */
export function checkStateDistribution(nu: ArrayLike<number>, S: number): void {
  if (nu.length !== S) fail('MIRROR_WEIGHT', `ν has ${nu.length} entries, the MDP has ${S} states`, { where: 'nu', value: nu.length });
  let tot = 0;
  for (let s = 0; s < S; s++) {
    const v = nu[s]!;
    if (!(Number.isFinite(v) && v >= 0)) fail('MIRROR_WEIGHT', `ν(${s}) is ${show(v)}: it must be a non-negative finite number`, { where: `nu[${s}]`, value: v });
    tot += v;
  }
  if (Math.abs(tot - 1) > 1e-9) fail('MIRROR_WEIGHT', `ν sums to ${show(tot)}; it must sum to 1 (within 1e-9)`, { where: 'nu', value: tot });
}

/** ν as an array, and the weights w(s) = ν(s)/d(s) (see the module comment). */
export function stateWeights(mdp: FiniteMDP, d: ArrayLike<number>, nu: StateDistribution): { nu: Float64Array; weight: Float64Array } {
  const S = mdp.numStates;
  const weight = new Float64Array(S);
  if (nu === 'visitation') {
    for (let s = 0; s < S; s++) weight[s] = mdp.terminal[s] ? 0 : 1;
    return { nu: Float64Array.from(d), weight };
  }
  checkStateDistribution(nu, S);
  for (let s = 0; s < S; s++) {
    if (mdp.terminal[s] || nu[s] === 0) continue;
    if (!(d[s]! > 0)) fail('MIRROR_WEIGHT', `ν(${s}) = ${show(nu[s])} but the current policy never visits state ${s} (d(${s}) = 0): the weight ν/d is infinite`, { where: `state ${s}`, value: nu[s] });
    weight[s] = nu[s]! / d[s]!;
  }
  return { nu: Float64Array.from(nu), weight };
}
