/**
 * The n-chain of Strens (2000), a classic exploration benchmark: states 0…n−1 in a row.
 * Action `forward` moves one step right (staying at the end) with reward 0, except at the
 * last state, where it pays `bigReward`; action `back` returns to state 0 paying
 * `smallReward`. With probability `slip` the other action happens instead.
 *
 * @module
 */
import { fail, show } from '../../errors.js';
import { createMDP, type FiniteMDP } from '../model.js';

/** Options of {@link chain}. */
export interface ChainSpec {
  readonly n?: number;
  readonly slip?: number;
  readonly gamma?: number;
  readonly smallReward?: number;
  readonly bigReward?: number;
}

/** The n-chain (defaults: n = 5, slip 0.2, γ = 0.9, rewards 2 and 10); starts in state 0. */
export function chain(spec: ChainSpec = {}): FiniteMDP {
  const n = spec.n ?? 5, slip = spec.slip ?? 0.2, gamma = spec.gamma ?? 0.9;
  const small = spec.smallReward ?? 2, big = spec.bigReward ?? 10;
  if (!Number.isSafeInteger(n) || n < 2) fail('MDP_SHAPE', `chain length n is ${show(n)}: it must be an integer ≥ 2`, { where: 'n', value: n });
  if (!(slip >= 0 && slip <= 1)) fail('MDP_SHAPE', `slip is ${show(slip)}: it must lie in [0, 1]`, { where: 'slip', value: slip });
  const P = new Float64Array(n * 2 * n);
  const r = new Float64Array(n * 2);
  for (let s = 0; s < n; s++) {
    const fwd = Math.min(s + 1, n - 1);
    const fwdReward = s === n - 1 ? big : 0;
    // action 0 = forward, action 1 = back
    P[(s * 2) * n + fwd] += 1 - slip;
    P[(s * 2) * n + 0] += slip;
    r[s * 2] = (1 - slip) * fwdReward + slip * small;
    P[(s * 2 + 1) * n + 0] += 1 - slip;
    P[(s * 2 + 1) * n + fwd] += slip;
    r[s * 2 + 1] = (1 - slip) * small + slip * fwdReward;
  }
  const initial = new Float64Array(n);
  initial[0] = 1;
  return createMDP({ states: n, actions: ['forward', 'back'], transitions: P, rewards: r, gamma, initial });
}
