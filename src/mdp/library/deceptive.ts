/**
 * A deceptive MDP built to show what an entropy bonus is for (Lehmann 2024, §6, Fig. 6: A2C
 * without the bonus collapses to a deterministic policy). From `start`, action `take` ends the
 * episode at once with the small reward `decoy`; action `go` enters a corridor c1 … cL in which
 * `go` moves on and `take` falls off (episode over, reward 0); `go` from cL pays `prize` and
 * ends the episode. γ = 1, every episode ends within L + 1 steps.
 *
 * Why it deceives: under the uniform policy the corridor is finished with probability 2^{−L},
 * so Q(start, go) = 2^{−L}·prize ≪ decoy = Q(start, take), and the sampled gradient at `start`
 * points to `take` until the corridor has been learned — which needs `go` at `start` to be
 * tried. A learner that makes `start` deterministic first stays at J = decoy < J* = prize.
 *
 * $$J^* = \text{prize},\qquad J(\text{uniform}) = \tfrac12\,\text{decoy} + 2^{-(L+1)}\,\text{prize}.$$
 *
 * With `lottery` q < 1 the decoy is a lottery of the same mean: `take` at `start` leads with
 * probability q to a state `jackpot` that pays decoy/q (any action) and ends, else straight to
 * the end with 0. Q and J are unchanged; only the advantages' noise grows (standard deviation
 * decoy·√((1 − q)/q) at `start`), which weakens the normalized advantage's pull toward `take`
 * so that an entropy bonus can balance it (`builtin:deceptive-lottery`: q = 0.05).
 *
 * The defaults (L = 8, decoy 1, prize 4) are `examples/mdps/distractor.json`: J* = 4, J(uniform) = 1/2 + 4/512 ≈ 0.508.
 *
 * @module
 */
import { fail, show } from '../../errors.js';
import { createMDP, type FiniteMDP } from '../model.js';

/** Options of {@link deceptive}. */
export interface DeceptiveSpec {
  /** The corridor's length L ≥ 1 (default 8). */
  readonly length?: number;
  /** `take` at `start` (default 1). */
  readonly decoy?: number;
  /** `go` at the corridor's end (default 4); J* = prize when prize > decoy. */
  readonly prize?: number;
  /** The decoy's winning probability q ∈ (0, 1] (default 1: the decoy is paid at once). */
  readonly lottery?: number;
}

/** The deceptive MDP: states `start, c1 … cL, [jackpot,] end` (end terminal), actions `take, go`; starts in `start`. */
export function deceptive(spec: DeceptiveSpec = {}): FiniteMDP {
  const L = spec.length ?? 8, decoy = spec.decoy ?? 1, prize = spec.prize ?? 4, q = spec.lottery ?? 1;
  if (!Number.isSafeInteger(L) || L < 1) fail('MDP_SHAPE', `deceptive: the corridor length is ${show(L)}: it must be an integer ≥ 1`, { where: 'length', value: L });
  if (!(q > 0 && q <= 1)) fail('MDP_SHAPE', `deceptive: the lottery's winning probability is ${show(q)}: it must lie in (0, 1]`, { where: 'lottery', value: q });
  const jackpot = q < 1 ? L + 1 : -1, S = q < 1 ? L + 3 : L + 2, end = S - 1;
  const P = new Float64Array(S * 2 * S), r = new Float64Array(S * 2);
  for (let s = 0; s < S; s++) {
    // action 0 = take, action 1 = go
    P[(s * 2) * S + end] = 1;
    P[(s * 2 + 1) * S + (s < L ? s + 1 : end)] = 1;
  }
  if (q < 1) {
    P[end] = 1 - q; P[jackpot] = q; // take at start: the lottery
    r[jackpot * 2] = r[jackpot * 2 + 1] = decoy / q;
  } else r[0] = decoy; // take at start
  r[L * 2 + 1] = prize; // go at cL
  const initial = new Float64Array(S);
  initial[0] = 1;
  const states = ['start', ...Array.from({ length: L }, (_, k) => `c${k + 1}`), ...(q < 1 ? ['jackpot'] : []), 'end'];
  return createMDP({ states, actions: ['take', 'go'], transitions: P, rewards: r, gamma: 1, initial, terminal: [end] });
}
