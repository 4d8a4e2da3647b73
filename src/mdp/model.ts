/**
 * The finite MDP: S states, A actions, P(s′|s,a), expected reward r(s,a), discount γ,
 * initial distribution p0, and terminal states (absorbing, zero reward).
 *
 * Conventions (../shared/DESIGN.md): P is addressed as row `s*A + a`, column `s′` — the
 * dense layout is `P[(s*A + a)*S + s′]`. It is stored as a CSR matrix so that sparse
 * gridworlds with 10⁶ states fit in memory; {@link denseTransitions} gives the dense layout
 * for small problems.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import type { CSR } from '../linalg/sparse.js';
import { buildCSR } from '../linalg/sparse.js';

/** Tolerance on the row sums of P and on Σ p0. */
export const PROBABILITY_TOLERANCE = 1e-9;

/** An optional reward noise model around r(s,a), used by the samplers. */
export type RewardNoise =
  | { readonly kind: 'gaussian'; readonly std: number }
  | { readonly kind: 'bernoulli' };

/** A validated finite MDP. Construct with {@link createMDP}; immutable by convention. */
export interface FiniteMDP {
  readonly numStates: number;
  readonly numActions: number;
  readonly stateNames: readonly string[] | undefined;
  readonly actionNames: readonly string[] | undefined;
  /** P(s′|s,a) at row `s*A + a`, column `s′`. */
  readonly transitions: CSR;
  /** r(s,a) at `s*A + a`. */
  readonly rewards: Float64Array;
  readonly gamma: number;
  /** p0(s). */
  readonly initial: Float64Array;
  /** `terminal[s] = 1` for terminal states. */
  readonly terminal: Uint8Array;
  /** The terminal states, ascending. */
  readonly terminalStates: readonly number[];
  /** How sampled rewards scatter around r(s,a); absent means r(s,a) exactly. */
  readonly rewardNoise: RewardNoise | undefined;
}

/** Transitions given as nested arrays `[s][a][s′]`, a flat dense `Float64Array`, or CSR. */
export type TransitionsInput = readonly (readonly (readonly number[])[])[] | Float64Array | CSR;

/** What {@link createMDP} accepts. */
export interface MDPSpec {
  /** A count, or the state names. */
  readonly states: number | readonly string[];
  /** A count, or the action names. */
  readonly actions: number | readonly string[];
  readonly transitions: TransitionsInput;
  /** `[s][a]` nested, or flat `s*A + a`. */
  readonly rewards: readonly (readonly number[])[] | Float64Array;
  readonly gamma: number;
  readonly initial: readonly number[] | Float64Array;
  readonly terminal?: readonly number[];
  readonly rewardNoise?: RewardNoise;
}

function countAndNames(x: unknown, what: 'states' | 'actions'): { n: number; names: string[] | undefined } {
  if (typeof x === 'number') {
    if (!Number.isSafeInteger(x) || x < 1) fail('MDP_SHAPE', `${what} is ${show(x)}: expected a positive integer or a list of names`, { where: what, value: x });
    return { n: x, names: undefined };
  }
  if (!Array.isArray(x) || x.length === 0) fail('MDP_SHAPE', `${what} is ${show(x)}: expected a positive integer or a non-empty list of names`, { where: what, value: x });
  const seen = new Set<string>();
  x.forEach((name, i) => {
    if (typeof name !== 'string' || name.length === 0) fail('MDP_NAMES', `${what}[${i}] is ${show(name)}: names must be non-empty strings`, { where: `${what}[${i}]`, value: name });
    if (seen.has(name)) fail('MDP_NAMES', `${what}[${i}] repeats the name ${show(name)}`, { where: `${what}[${i}]`, value: name });
    seen.add(name);
  });
  return { n: x.length, names: x.slice() as string[] };
}

function checkFinite(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail('MDP_NOT_FINITE', `${where} is ${show(v)}: expected a finite number`, { where, value: v });
  return v;
}

function isCSR(x: unknown): x is CSR {
  return typeof x === 'object' && x !== null && 'rowPtr' in x && 'col' in x && 'val' in x;
}

function transitionsToCSR(t: TransitionsInput, S: number, A: number): CSR {
  if (isCSR(t)) {
    if (t.nRows !== S * A || t.nCols !== S || t.rowPtr.length !== S * A + 1) {
      fail('MDP_SHAPE', `transitions is a ${t.nRows}×${t.nCols} sparse matrix, expected ${S * A}×${S} (rows s*A + a)`, { where: 'transitions' });
    }
    for (let k = 0; k < t.col.length; k++) {
      if (!(t.col[k]! >= 0 && t.col[k]! < S)) fail('MDP_SHAPE', `transitions has next-state index ${t.col[k]} outside 0…${S - 1}`, { where: 'transitions', value: t.col[k] });
    }
    return t;
  }
  if (t instanceof Float64Array) {
    if (t.length !== S * A * S) fail('MDP_SHAPE', `transitions has ${t.length} entries, expected S·A·S = ${S * A * S}`, { where: 'transitions', value: t.length });
    return buildCSR(S * A, S, (row, add) => {
      for (let s2 = 0; s2 < S; s2++) { const p = t[row * S + s2]!; if (p !== 0 || Number.isNaN(p)) add(s2, p); }
    });
  }
  if (!Array.isArray(t) || t.length !== S) fail('MDP_SHAPE', `transitions has ${Array.isArray(t) ? t.length : show(t)} rows, expected ${S} (one per state)`, { where: 'transitions' });
  t.forEach((rowS, s) => {
    if (!Array.isArray(rowS) || rowS.length !== A) fail('MDP_SHAPE', `transitions[${s}] has ${Array.isArray(rowS) ? rowS.length : show(rowS)} entries, expected ${A} (one per action)`, { where: `transitions[${s}]` });
    rowS.forEach((rowSA, a) => {
      if (!Array.isArray(rowSA) || rowSA.length !== S) fail('MDP_SHAPE', `transitions[${s}][${a}] has ${Array.isArray(rowSA) ? rowSA.length : show(rowSA)} entries, expected ${S} (one per next state)`, { where: `transitions[${s}][${a}]` });
      rowSA.forEach((p, s2) => checkFinite(p, `transitions[${s}][${a}][${s2}]`));
    });
  });
  return buildCSR(S * A, S, (row, add) => {
    const r = t[Math.floor(row / A)]![row % A]!;
    for (let s2 = 0; s2 < S; s2++) { const p = r[s2]!; if (p !== 0) add(s2, p); }
  });
}

/**
 * Builds and validates a finite MDP. Every failure is a {@link PgTruthError} naming the
 * offending index and value: `MDP_SHAPE`, `MDP_NOT_FINITE`, `MDP_NEGATIVE_PROBABILITY`,
 * `MDP_ROW_SUM`, `MDP_GAMMA_RANGE`, `MDP_INITIAL`, `MDP_TERMINAL_INDEX`,
 * `MDP_TERMINAL_NOT_ABSORBING`, `MDP_NAMES`, and `MDP_NOT_TERMINATING` when γ = 1 and
 * there is no terminal state at all.
 */
export function createMDP(spec: MDPSpec): FiniteMDP {
  const { n: S, names: stateNames } = countAndNames(spec.states, 'states');
  const { n: A, names: actionNames } = countAndNames(spec.actions, 'actions');
  const P = transitionsToCSR(spec.transitions, S, A);
  for (let row = 0; row < S * A; row++) {
    const s = Math.floor(row / A), a = row % A;
    let total = 0;
    for (let k = P.rowPtr[row]!; k < P.rowPtr[row + 1]!; k++) {
      const p = P.val[k]!;
      const where = `transitions[${s}][${a}][${P.col[k]}]`;
      checkFinite(p, where);
      if (p < 0) fail('MDP_NEGATIVE_PROBABILITY', `${where} is ${show(p)}: probabilities must be ≥ 0`, { where, value: p });
      total += p;
    }
    if (Math.abs(total - 1) > PROBABILITY_TOLERANCE) {
      fail('MDP_ROW_SUM', `transitions[${s}][${a}] sums to ${show(total)}: each row of P must sum to 1 (within ${PROBABILITY_TOLERANCE})`, { where: `transitions[${s}][${a}]`, value: total });
    }
  }
  const rewards = new Float64Array(S * A);
  if (spec.rewards instanceof Float64Array) {
    if (spec.rewards.length !== S * A) fail('MDP_SHAPE', `rewards has ${spec.rewards.length} entries, expected S·A = ${S * A}`, { where: 'rewards' });
    spec.rewards.forEach((v, i) => { rewards[i] = checkFinite(v, `rewards[${Math.floor(i / A)}][${i % A}]`); });
  } else {
    const r = spec.rewards;
    if (!Array.isArray(r) || r.length !== S) fail('MDP_SHAPE', `rewards has ${Array.isArray(r) ? r.length : show(r)} rows, expected ${S}`, { where: 'rewards' });
    r.forEach((row, s) => {
      if (!Array.isArray(row) || row.length !== A) fail('MDP_SHAPE', `rewards[${s}] has ${Array.isArray(row) ? row.length : show(row)} entries, expected ${A}`, { where: `rewards[${s}]` });
      row.forEach((v, a) => { rewards[s * A + a] = checkFinite(v, `rewards[${s}][${a}]`); });
    });
  }
  const gamma = spec.gamma;
  if (typeof gamma !== 'number' || !Number.isFinite(gamma)) fail('MDP_NOT_FINITE', `gamma is ${show(gamma)}: expected a number in [0, 1]`, { where: 'gamma', value: gamma });
  if (gamma < 0 || gamma > 1) fail('MDP_GAMMA_RANGE', `gamma is ${show(gamma)}: it must lie in [0, 1]`, { where: 'gamma', value: gamma });
  const p0in = spec.initial;
  if (!(Array.isArray(p0in) || p0in instanceof Float64Array) || p0in.length !== S) {
    fail('MDP_SHAPE', `initial has ${(p0in as { length?: number })?.length ?? show(p0in)} entries, expected ${S}`, { where: 'initial' });
  }
  const initial = new Float64Array(S);
  let p0sum = 0;
  for (let s = 0; s < S; s++) {
    const v = checkFinite(p0in[s], `initial[${s}]`);
    if (v < 0) fail('MDP_INITIAL', `initial[${s}] is ${show(v)}: probabilities must be ≥ 0`, { where: `initial[${s}]`, value: v });
    initial[s] = v;
    p0sum += v;
  }
  if (Math.abs(p0sum - 1) > PROBABILITY_TOLERANCE) fail('MDP_INITIAL', `initial sums to ${show(p0sum)}: p0 must sum to 1 (within ${PROBABILITY_TOLERANCE})`, { where: 'initial', value: p0sum });
  const terminal = new Uint8Array(S);
  const termList = spec.terminal ?? [];
  if (!Array.isArray(termList)) fail('MDP_SHAPE', `terminal is ${show(termList)}: expected a list of state indices`, { where: 'terminal' });
  termList.forEach((t, i) => {
    if (!Number.isSafeInteger(t) || t < 0 || t >= S) fail('MDP_TERMINAL_INDEX', `terminal[${i}] is ${show(t)}: state indices run from 0 to ${S - 1}`, { where: `terminal[${i}]`, value: t });
    if (terminal[t]) fail('MDP_TERMINAL_INDEX', `terminal[${i}] repeats state ${t}`, { where: `terminal[${i}]`, value: t });
    terminal[t] = 1;
    for (let a = 0; a < A; a++) {
      const row = t * A + a;
      let stay = 0;
      for (let k = P.rowPtr[row]!; k < P.rowPtr[row + 1]!; k++) if (P.col[k] === t) stay += P.val[k]!;
      if (Math.abs(stay - 1) > PROBABILITY_TOLERANCE) {
        fail('MDP_TERMINAL_NOT_ABSORBING', `terminal state ${t} is not absorbing: transitions[${t}][${a}][${t}] is ${show(stay)}, must be 1`, { where: `transitions[${t}][${a}]`, value: stay });
      }
      if (rewards[row] !== 0) fail('MDP_TERMINAL_NOT_ABSORBING', `terminal state ${t} has reward rewards[${t}][${a}] = ${show(rewards[row])}; terminal states have zero reward`, { where: `rewards[${t}][${a}]`, value: rewards[row] });
    }
  });
  const terminalStates = termList.slice().sort((x, y) => x - y);
  if (gamma === 1 && terminalStates.length === 0) {
    fail('MDP_NOT_TERMINATING', 'gamma is 1 but the MDP has no terminal state: no policy terminates, so the undiscounted values are infinite', { where: 'gamma', value: gamma });
  }
  const noise = spec.rewardNoise;
  if (noise !== undefined) validateNoise(noise, rewards);
  return Object.freeze({
    numStates: S, numActions: A, stateNames, actionNames, transitions: P, rewards, gamma, initial, terminal, terminalStates,
    rewardNoise: noise,
  });
}

function validateNoise(noise: RewardNoise, rewards: Float64Array): void {
  if (noise.kind === 'gaussian') {
    if (typeof noise.std !== 'number' || !Number.isFinite(noise.std) || noise.std < 0) fail('MDP_NOT_FINITE', `rewardNoise.std is ${show(noise.std)}: expected a finite number ≥ 0`, { where: 'rewardNoise.std', value: noise.std });
  } else if (noise.kind === 'bernoulli') {
    rewards.forEach((r, i) => {
      if (r < 0 || r > 1) fail('MDP_SHAPE', `bernoulli reward noise needs 0 ≤ r ≤ 1, but reward index ${i} is ${r}`, { where: `rewards[${i}]`, value: r });
    });
  } else {
    fail('JSON_TYPE', `rewardNoise.kind is ${show((noise as { kind: unknown }).kind)}: expected "gaussian" or "bernoulli"`, { where: 'rewardNoise.kind' });
  }
}

/** P(s′|s,a). */
export function transitionProbability(mdp: FiniteMDP, s: number, a: number, s2: number): number {
  const P = mdp.transitions;
  const row = s * mdp.numActions + a;
  for (let k = P.rowPtr[row]!; k < P.rowPtr[row + 1]!; k++) if (P.col[k] === s2) return P.val[k]!;
  return 0;
}

/** The dense row-major layout `P[(s*A + a)*S + s′]` (refuses more than 5·10⁷ entries). */
export function denseTransitions(mdp: FiniteMDP): Float64Array {
  const { numStates: S, numActions: A, transitions: P } = mdp;
  if (S * A * S > 5e7) fail('TOO_LARGE', `a dense P would have ${S * A * S} entries; use the sparse transitions`, { value: S * A * S });
  const out = new Float64Array(S * A * S);
  for (let row = 0; row < S * A; row++) {
    for (let k = P.rowPtr[row]!; k < P.rowPtr[row + 1]!; k++) out[row * S + P.col[k]!] += P.val[k]!;
  }
  return out;
}

/** The display name of a state (its name, or its index). */
export function stateLabel(mdp: FiniteMDP, s: number): string {
  return mdp.stateNames?.[s] ?? String(s);
}

/** The display name of an action (its name, or its index). */
export function actionLabel(mdp: FiniteMDP, a: number): string {
  return mdp.actionNames?.[a] ?? String(a);
}

/** A copy of `mdp` with other fields replaced (re-validated). */
export function withChanges(mdp: FiniteMDP, changes: Partial<MDPSpec>): FiniteMDP {
  return createMDP({
    states: mdp.stateNames ?? mdp.numStates,
    actions: mdp.actionNames ?? mdp.numActions,
    transitions: mdp.transitions,
    rewards: mdp.rewards,
    gamma: mdp.gamma,
    initial: mdp.initial,
    terminal: mdp.terminalStates,
    ...(mdp.rewardNoise ? { rewardNoise: mdp.rewardNoise } : {}),
    ...changes,
  });
}
