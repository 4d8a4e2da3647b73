/**
 * Gridworlds of any size, built straight into sparse form (a 1000×1000 grid has 10⁶ states
 * and 4·10⁶ transition rows). Sutton & Barto's 5×5 (Examples 3.5/3.8) and 4×4
 * (Example 4.1) gridworlds are instances.
 *
 * @module
 */
import { fail, show } from '../../errors.js';
import { buildCSR } from '../../linalg/sparse.js';
import { createMDP, type FiniteMDP } from '../model.js';

/** The four moves, in action order. */
export const GRID_ACTIONS = ['up', 'down', 'left', 'right'] as const;
const DR = [-1, 1, 0, 0];
const DC = [0, 0, -1, 1];

/** A cell `[row, col]`, 0-indexed from the top-left. */
export type Cell = readonly [number, number];

/** What {@link gridworld} builds. */
export interface GridworldSpec {
  readonly rows: number;
  readonly cols: number;
  readonly gamma: number;
  /** Reward of every move from a non-terminal cell. Default 0. */
  readonly stepReward?: number;
  /** Extra reward for a move off the grid (the agent stays). Default −1. */
  readonly wallReward?: number;
  /** Cells from which every action jumps to `to` with `reward` (S&B's A → A′). */
  readonly teleports?: readonly { readonly from: Cell; readonly to: Cell; readonly reward: number }[];
  /** Terminal cells (absorbing, zero reward). */
  readonly terminals?: readonly Cell[];
  /** Probability that the chosen action is replaced by a uniformly random one. Default 0. */
  readonly slip?: number;
  /** `uniform` over all cells (default), `nonterminal` (uniform over non-terminal cells), or a start cell. */
  readonly initial?: 'uniform' | 'nonterminal' | Cell;
  /** Name states `(r,c)`; default for grids of at most 10 000 cells. */
  readonly names?: boolean;
}

/** A rows×cols gridworld; state `r*cols + c`; actions up, down, left, right. */
export function gridworld(spec: GridworldSpec): FiniteMDP {
  const { rows, cols, gamma } = spec;
  if (!Number.isSafeInteger(rows) || rows < 1 || !Number.isSafeInteger(cols) || cols < 1) fail('MDP_SHAPE', `gridworld needs positive integer rows and cols, got ${show(rows)}×${show(cols)}`, { where: 'rows/cols' });
  const S = rows * cols;
  const A = 4;
  const stepReward = spec.stepReward ?? 0;
  const wallReward = spec.wallReward ?? -1;
  const slip = spec.slip ?? 0;
  if (!(slip >= 0 && slip <= 1)) fail('MDP_SHAPE', `slip is ${show(slip)}: it must lie in [0, 1]`, { where: 'slip', value: slip });
  const idx = (c: Cell, what: string) => {
    const [r, k] = c;
    if (!Number.isSafeInteger(r) || !Number.isSafeInteger(k) || r < 0 || r >= rows || k < 0 || k >= cols) fail('MDP_SHAPE', `${what} cell ${show(c)} lies outside the ${rows}×${cols} grid`, { where: what, value: c });
    return r * cols + k;
  };
  const terminal = new Uint8Array(S);
  for (const c of spec.terminals ?? []) terminal[idx(c, 'terminal')] = 1;
  const teleportTo = new Map<number, { to: number; reward: number }>();
  for (const t of spec.teleports ?? []) teleportTo.set(idx(t.from, 'teleport'), { to: idx(t.to, 'teleport target'), reward: t.reward });
  const rewards = new Float64Array(S * A);
  const probs = [0, 0, 0, 0];
  const transitions = buildCSR(S * A, S, (row, add) => {
    const s = Math.floor(row / A), a = row % A;
    if (terminal[s]) { add(s, 1); return; }
    const tp = teleportTo.get(s);
    if (tp) { add(tp.to, 1); rewards[row] = tp.reward; return; }
    const r = Math.floor(s / cols), c = s % cols;
    for (let b = 0; b < 4; b++) probs[b] = slip / 4 + (b === a ? 1 - slip : 0);
    let er = 0;
    for (let b = 0; b < 4; b++) {
      const p = probs[b]!;
      if (p === 0) continue;
      const nr = r + DR[b]!, nc = c + DC[b]!;
      const off = nr < 0 || nr >= rows || nc < 0 || nc >= cols;
      add(off ? s : nr * cols + nc, p);
      er += p * (stepReward + (off ? wallReward : 0));
    }
    rewards[row] = er;
  }, S * A);
  const initial = new Float64Array(S);
  const init = spec.initial ?? 'uniform';
  if (init === 'uniform') initial.fill(1 / S);
  else if (init === 'nonterminal') {
    let n = 0;
    for (let s = 0; s < S; s++) if (!terminal[s]) n++;
    if (n === 0) fail('MDP_INITIAL', 'every cell is terminal: there is no non-terminal start', { where: 'initial' });
    for (let s = 0; s < S; s++) if (!terminal[s]) initial[s] = 1 / n;
  } else initial[idx(init, 'initial')] = 1;
  const names = spec.names ?? S <= 10_000;
  const terminalStates: number[] = [];
  for (let s = 0; s < S; s++) if (terminal[s]) terminalStates.push(s);
  return createMDP({
    states: names ? Array.from({ length: S }, (_, s) => `(${Math.floor(s / cols)},${s % cols})`) : S,
    actions: [...GRID_ACTIONS],
    transitions, rewards, gamma, initial, terminal: terminalStates,
  });
}

/**
 * Sutton & Barto (2nd ed.) Examples 3.5/3.8: the 5×5 gridworld, γ = 0.9. Off-grid moves
 * stay with reward −1; from A = (0,1) every action jumps to A′ = (4,1) with +10, from
 * B = (0,3) to B′ = (2,3) with +5; all else 0. p0 is uniform (the book gives none).
 */
export function suttonBartoGridworld5x5(): FiniteMDP {
  return gridworld({
    rows: 5, cols: 5, gamma: 0.9, stepReward: 0, wallReward: -1,
    teleports: [{ from: [0, 1], to: [4, 1], reward: 10 }, { from: [0, 3], to: [2, 3], reward: 5 }],
  });
}

/**
 * Sutton & Barto Example 4.1: the 4×4 gridworld, γ = 1, reward −1 on every move,
 * off-grid moves stay; the corners (0,0) and (3,3) are terminal. p0 is uniform over the
 * non-terminal cells.
 */
export function suttonBartoGridworld4x4(): FiniteMDP {
  return gridworld({
    rows: 4, cols: 4, gamma: 1, stepReward: -1, wallReward: 0,
    terminals: [[0, 0], [3, 3]], initial: 'nonterminal',
  });
}

/**
 * The benchmark gridworld: n×n, γ = 0.99, −1 for bumping a wall, and +10 for any action
 * in the bottom-right corner, which returns the agent to the top-left corner.
 */
export function benchmarkGridworld(n: number, gamma = 0.99): FiniteMDP {
  return gridworld({
    rows: n, cols: n, gamma, stepReward: 0, wallReward: -1,
    teleports: n > 1 ? [{ from: [n - 1, n - 1], to: [0, 0], reward: 10 }] : [],
  });
}
