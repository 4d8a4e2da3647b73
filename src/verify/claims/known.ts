/**
 * Known answers from the literature (../shared/REFERENCES.md), reproduced. The expected
 * numbers below are the published ones (and closed forms from the book), not outputs of
 * pgtruth.
 *
 * @module
 */
import { evaluatePolicy } from '../../exact/evaluate.js';
import { policyGradient } from '../../exact/gradient.js';
import { policyIteration, valueIteration } from '../../exact/control.js';
import { createMDP } from '../../mdp/model.js';
import { shortCorridor } from '../../mdp/library/corridor.js';
import { gridworld, suttonBartoGridworld4x4, suttonBartoGridworld5x5 } from '../../mdp/library/gridworld.js';
import { shortCorridorPolicy, shortCorridorTheta } from '../../policy/library.js';
import type { FiniteMDP } from '../../mdp/model.js';
import { decide, type Check, type Claim } from '../claim.js';

/** Sutton & Barto Example 13.1: published values at p = π(right). */
export const CORRIDOR_REFERENCE = {
  J: [[0.05, -82.105263], [0.5, -12], [0.95, -44.210526]] as const,
  gradient: [[0.05, 75.894737], [0.5, 2], [0.95, -37.789474]] as const,
  etaAtHalf: [6, 4, 2] as const,
  pStar: 2 - Math.SQRT2,
  JStar: -(6 + 4 * Math.SQRT2),
  /** Closed forms from the book. */
  Jp: (p: number) => (2 * p - 4) / (p * (1 - p)),
  v2: (p: number) => (3 - p) / (p * (p - 1)),
  v3: (p: number) => -3 / p,
};

/** Sutton & Barto Example 3.5: v_π of the equiprobable policy (4 decimals, as published). */
export const GRID5_V_RANDOM = [
  3.309, 8.7893, 4.4276, 5.3224, 1.4922,
  1.5216, 2.9923, 2.2501, 1.9076, 0.5474,
  0.0508, 0.7382, 0.6731, 0.3582, -0.4031,
  -0.9736, -0.4355, -0.3549, -0.5856, -1.1831,
  -1.8577, -1.3452, -1.2293, -1.4229, -1.9752,
];

/** Sutton & Barto Example 3.8: v* (4 decimals; v*(A) = 10/(1 − 0.9⁵)). */
export const GRID5_V_STAR = [
  21.9775, 24.4194, 21.9775, 19.4194, 17.4775,
  19.7797, 21.9775, 19.7797, 17.8018, 16.0216,
  17.8018, 19.7797, 17.8018, 16.0216, 14.4194,
  16.0216, 17.8018, 16.0216, 14.4194, 12.9775,
  14.4194, 16.0216, 14.4194, 12.9775, 11.6797,
];

/** Sutton & Barto Example 4.1: v_π of the equiprobable policy (exact integers). */
export const GRID4_V_RANDOM = [0, -14, -20, -22, -14, -18, -20, -20, -20, -20, -18, -14, -22, -20, -14, 0];

/** The largest |x − y| over a table. */
function worst(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < y.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  return m;
}

/** Golden-section maximization of f on [a, b]. */
function argmax(f: (x: number) => number, a: number, b: number, tol = 1e-12): number {
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a), d = a + g * (b - a);
  let fc = f(c), fd = f(d);
  while (b - a > tol) {
    if (fc > fd) { b = d; d = c; fd = fc; c = b - g * (b - a); fc = f(c); }
    else { a = c; c = d; fc = fd; d = a + g * (b - a); fd = f(d); }
  }
  return (a + b) / 2;
}

/** The corridor checks on any MDP built like the corridor (the control passes an unswitched one). */
export function corridorChecks(mdp: FiniteMDP): Check[] {
  const param = shortCorridorPolicy();
  const at = (p: number) => {
    const policy = { param, theta: shortCorridorTheta(p) };
    const ev = evaluatePolicy(mdp, param.probs(policy.theta));
    return { ev, grad: policyGradient(mdp, policy, ev) };
  };
  const R = CORRIDOR_REFERENCE;
  const out: Check[] = [];
  // published to 6 decimals: |error| ≤ 5e-7 plus rounding slack
  out.push(decide('J(p) at p = 0.05, 0.5, 0.95 (published, 6 decimals)', Math.max(...R.J.map(([p, j]) => Math.abs(at(p).ev.J - j))), 6e-7, { note: 'absolute' }));
  out.push(decide('∇J = (g, −g) at p = 0.05, 0.5, 0.95 (published, 6 decimals)', Math.max(...R.gradient.map(([p, g]) => {
    const gr = at(p).grad;
    return Math.max(Math.abs(gr[0]! - g), Math.abs(gr[1]! + g));
  })), 6e-7, { note: 'absolute' }));
  const half = at(0.5).ev;
  out.push(decide('η at p = 0.5 is (6, 4, 2); Σ η = 12 = −J', Math.max(worst(half.eta, R.etaAtHalf), Math.abs(half.horizon + half.J), Math.abs(half.horizon - 12)), 1e-10, { note: 'absolute' }));
  const grid = [0.1, 0.3, 0.5, 0.7, 0.9];
  out.push(decide('J, v₂, v₃ match the closed forms on p ∈ {0.1, …, 0.9}', Math.max(...grid.map((p) => {
    const e = at(p).ev;
    return Math.max(Math.abs(e.J / R.Jp(p) - 1), Math.abs(e.V[1]! / R.v2(p) - 1), Math.abs(e.V[2]! / R.v3(p) - 1));
  })), 1e-12, { note: 'relative' }));
  const pStar = argmax((p) => at(p).ev.J, 0.01, 0.99, 1e-9);
  out.push(decide('argmax_p J = 2 − √2 and J(p*) = −(6 + 4√2)', Math.max(Math.abs(pStar - R.pStar), Math.abs(at(pStar).ev.J - R.JStar)), 1e-6, { note: 'absolute; p* by golden-section search on the exact J' }));
  return out;
}

export const corridorClaim: Claim = {
  id: 'known.short-corridor',
  title: "Sutton & Barto's short corridor (Example 13.1): J, η and ∇J as published",
  statement: String.raw`J(p) = \frac{2p-4}{p(1-p)},\quad \eta_{p=1/2} = (6,4,2),\quad \nabla J = J'(p)\,p(1-p)\,(1,-1)`,
  source: 'Sutton & Barto (2nd ed.), Example 13.1',
  relation: 'identity',
  rule: 'published decimals within rounding; closed forms within 1e-12 relative',
  run: () => corridorChecks(shortCorridor()),
  control: {
    description: 'the corridor without the switched state (state 2 behaves like the others)',
    run: () => {
      const unswitched = createMDP({
        states: ['s1', 's2', 's3', 'goal'], actions: ['left', 'right'],
        transitions: [
          [[1, 0, 0, 0], [0, 1, 0, 0]],
          [[1, 0, 0, 0], [0, 0, 1, 0]],
          [[0, 1, 0, 0], [0, 0, 0, 1]],
          [[0, 0, 0, 1], [0, 0, 0, 1]],
        ],
        rewards: [[-1, -1], [-1, -1], [-1, -1], [0, 0]], gamma: 1, initial: [1, 0, 0, 0], terminal: [3],
      });
      // at p = 1/2 both actions are equally likely, so the switch is invisible: η(1/2) is the
      // same for both corridors, and that one check is left out of the control
      return corridorChecks(unswitched).filter((c) => !c.instance.startsWith('η at p = 0.5'));
    },
  },
};

/** The 5×5 checks on any 5×5 gridworld (the control passes one without the wall penalty). */
export function grid5Checks(mdp: FiniteMDP): Check[] {
  const uniform = new Float64Array(100).fill(0.25);
  // published to 4 decimals: |error| ≤ 5e-5
  return [
    decide('v_π of the equiprobable policy (Example 3.5)', worst(evaluatePolicy(mdp, uniform).V, GRID5_V_RANDOM), 5.0001e-5, { note: 'absolute, 4 published decimals' }),
    decide('v* by value iteration (Example 3.8)', worst(valueIteration(mdp, 1e-10).V, GRID5_V_STAR), 5.0001e-5, { note: 'absolute, 4 published decimals' }),
    decide('v* by policy iteration (Example 3.8)', worst(policyIteration(mdp).V, GRID5_V_STAR), 5.0001e-5, { note: 'absolute, 4 published decimals' }),
    decide('v*(A) = 10/(1 − 0.9⁵)', Math.abs(policyIteration(mdp).V[1]! - 10 / (1 - 0.9 ** 5)), 1e-9, { note: 'absolute' }),
  ];
}

export const grid5Claim: Claim = {
  id: 'known.gridworld-5x5',
  title: "Sutton & Barto's 5×5 gridworld (Examples 3.5, 3.8): v_π and v* as published",
  statement: String.raw`v_\pi \text{ (equiprobable)},\ v^* \text{ with } v^*(A) = \tfrac{10}{1-0.9^5}`,
  source: 'Sutton & Barto (2nd ed.), Examples 3.5 and 3.8',
  relation: 'identity',
  rule: 'every cell within the published rounding (5e-5)',
  run: () => grid5Checks(suttonBartoGridworld5x5()),
  control: {
    description: 'the same gridworld without the −1 for moving off the grid',
    run: () => grid5Checks(gridworld({
      rows: 5, cols: 5, gamma: 0.9, stepReward: 0, wallReward: 0,
      teleports: [{ from: [0, 1], to: [4, 1], reward: 10 }, { from: [0, 3], to: [2, 3], reward: 5 }],
    })).slice(0, 1),
  },
};

export const grid4Claim: Claim = {
  id: 'known.gridworld-4x4',
  title: "Sutton & Barto's 4×4 episodic gridworld (Example 4.1): v_π exactly",
  statement: String.raw`v_\pi = \begin{smallmatrix}0&-14&-20&-22\\-14&-18&-20&-20\\-20&-20&-18&-14\\-22&-20&-14&0\end{smallmatrix}`,
  source: 'Sutton & Barto (2nd ed.), Example 4.1',
  relation: 'identity',
  rule: 'every cell within 1e-9 of the integer table',
  run: () => [decide('v_π of the equiprobable policy, γ = 1', worst(evaluatePolicy(suttonBartoGridworld4x4(), new Float64Array(64).fill(0.25)).V, GRID4_V_RANDOM), 1e-9, { note: 'absolute' })],
  control: {
    description: 'the same gridworld with a single terminal corner (0,0)',
    run: () => {
      const m = gridworld({ rows: 4, cols: 4, gamma: 1, stepReward: -1, wallReward: 0, terminals: [[0, 0]], initial: 'nonterminal' });
      return [decide('v_π, one terminal corner', worst(evaluatePolicy(m, new Float64Array(64).fill(0.25)).V, GRID4_V_RANDOM), 1e-9, { note: 'absolute' })];
    },
  },
};

/** The literature claims, in report order. */
export const knownAnswerClaims: readonly Claim[] = [corridorClaim, grid5Claim, grid4Claim];
