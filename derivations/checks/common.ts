/**
 * Shared machinery of the step checks: seeded rational instances (MDPs, direct policies,
 * directions in parameter space), exact directional derivatives by dual numbers through
 * the library's generic evaluator, P_π and its powers, the time-augmented MDP whose
 * infinite-horizon value is a finite-horizon objective, and exact expectations over
 * trajectories by enumeration.
 *
 * @module
 */
import { Dual, DualField } from '../../src/field/dual-numbers.js';
import { FractionField, rational, type Fraction } from '../../src/field/fraction.js';
import { evaluateIn, type EvaluationIn } from '../../src/exact/generic.js';
import { mapMDP, rationalMDPFromJSON, rationalToFloatSpec, type MDPIn } from '../../src/mdp/generic.js';
import { createMDP, type FiniteMDP } from '../../src/mdp/model.js';
import { Rng } from '../../src/stats/rng.js';
import type { Instance } from '../framework/step.js';

export const F = FractionField;
export type { Fraction };

/** An exact rational. */
export const q = (x: number | string): Fraction => rational(x);

/** Σ of Fractions. */
export const fsum = (xs: readonly Fraction[]): Fraction => xs.reduce((a, b) => a.add(b), F.zero);

/** Dot product of Fraction vectors. */
export const fdot = (x: readonly Fraction[], y: readonly Fraction[]): Fraction => x.reduce((acc, xi, i) => acc.add(xi.mul(y[i]!)), F.zero);

/** γ^k exactly. */
export const fpow = (x: Fraction, k: number): Fraction => { let p = F.one; for (let i = 0; i < k; i++) p = p.mul(x); return p; };

/** A rational MDP with a direct policy π, a second direct policy β, and directions in θ-space. */
export interface RationalCase {
  readonly m: MDPIn<Fraction>;
  /** π(a|s) at `s*A + a`, every entry positive. */
  readonly pi: Fraction[];
  /** Another policy, every entry positive (a behaviour policy). */
  readonly beta: Fraction[];
  /** A direction v in θ-space (any rational vector). */
  readonly v: Fraction[];
  /** A direction tangent to the simplices: Σ_a v(s,a) = 0 in every state. */
  readonly tangent: Fraction[];
}

/** Options of {@link rationalCases}. */
export interface CaseOptions {
  readonly count?: number;
  /** Largest number of non-terminal states (default 4). */
  readonly maxLive?: number;
  /** Largest number of actions (default 3). */
  readonly maxActions?: number;
  /** Which regimes (default both, alternating discounted / episodic). */
  readonly regime?: 'both' | 'discounted' | 'episodic';
}

const GAMMAS = ['1/2', '9/10', '2/3', '3/4', '1/3'];

function weights(rng: Rng, n: number): number[] {
  return Array.from({ length: n }, () => 1 + rng.int(4));
}

function fractions(w: number[]): string[] {
  const t = w.reduce((a, b) => a + b, 0);
  return w.map((x) => `${x}/${t}`);
}

/** A seeded rational MDP as JSON (episodic ones get one terminal state, reached with probability 1). */
function rationalMDPJSON(rng: Rng, live: number, A: number, episodic: boolean, gamma: string): Record<string, unknown> {
  const S = live + (episodic ? 1 : 0);
  const transitions = Array.from({ length: S }, (_, s) => Array.from({ length: A }, () => {
    if (s >= live) return Array.from({ length: S }, (_, t) => (t === s ? 1 : 0));
    const w = weights(rng, S);
    if (episodic) w[S - 1] = w[S - 1]! + 2;
    return fractions(w);
  }));
  return {
    states: S, actions: A, transitions,
    rewards: Array.from({ length: S }, (_, s) => Array.from({ length: A }, () => (s >= live ? 0 : `${rng.int(9) - 4}/${1 + rng.int(3)}`))),
    gamma: episodic ? 1 : gamma,
    initial: fractions([...weights(rng, live), ...(episodic ? [0] : [])]),
    terminal: episodic ? [live] : [],
  };
}

/** A rational direct policy with every probability positive. */
export function rationalPolicy(rng: Rng, S: number, A: number): Fraction[] {
  return Array.from({ length: S }, () => fractions(weights(rng, A))).flat().map(q);
}

function direction(rng: Rng, n: number): Fraction[] {
  const v = Array.from({ length: n }, () => rng.int(7) - 3);
  if (!v.some((x) => x !== 0)) v[0] = 1;
  return v.map(q);
}

/** Projects v onto the tangent space of the simplices: v(s,·) − mean_a v(s,·). */
export function tangentOf(v: readonly Fraction[], S: number, A: number): Fraction[] {
  const out: Fraction[] = [];
  for (let s = 0; s < S; s++) {
    const row = v.slice(s * A, s * A + A);
    const mean = fsum(row).div(q(A));
    out.push(...row.map((x) => x.sub(mean)));
  }
  return out;
}

/** Seeded rational cases, alternating discounted and episodic (γ = 1, one terminal state). */
export function rationalCases(seed: number, opts: CaseOptions = {}): Instance<RationalCase>[] {
  const rng = Rng.from(seed).split(5050);
  const count = opts.count ?? 6;
  const out: Instance<RationalCase>[] = [];
  for (let i = 0; i < count; i++) {
    const episodic = opts.regime === 'episodic' || (opts.regime !== 'discounted' && i % 2 === 1);
    const live = 2 + rng.int(Math.max(1, (opts.maxLive ?? 4) - 1));
    const A = 2 + rng.int(Math.max(1, (opts.maxActions ?? 3) - 1));
    const gamma = GAMMAS[i % GAMMAS.length]!;
    const json = rationalMDPJSON(rng, live, A, episodic, gamma);
    const m = rationalMDPFromJSON(json);
    const S = m.numStates;
    const v = direction(rng, S * A);
    let tangent = tangentOf(direction(rng, S * A), S, A);
    if (tangent.every((x) => x.n === 0n)) tangent = tangentOf(v.map((x, k) => x.add(q(k % A))), S, A);
    const c: RationalCase = { m, pi: rationalPolicy(rng, S, A), beta: rationalPolicy(rng, S, A), v, tangent };
    out.push({ label: `rational#${i} S=${S} A=${A} γ=${json.gamma as string}`, data: c });
  }
  return out;
}

/** V, Q, J and their directional derivatives along v, exactly: the library evaluator run in Dual<Fraction>. */
export function dualEvaluation(m: MDPIn<Fraction>, pi: readonly Fraction[], v: readonly Fraction[]): EvaluationIn<Dual<Fraction>> {
  const D = DualField(F);
  const mD = mapMDP(m, (x) => new Dual(x, F.zero));
  return evaluateIn(D, mD, pi.map((p, i) => new Dual(p, v[i]!)), { valuesOnly: true });
}

/** P_π as a dense S×S matrix of rows. */
export function policyMatrix(m: MDPIn<Fraction>, pi: readonly Fraction[]): Fraction[][] {
  const { numStates: S, numActions: A } = m;
  return Array.from({ length: S }, (_, s) => Array.from({ length: S }, (_, t) => {
    let p = F.zero;
    for (let a = 0; a < A; a++) p = p.add(pi[s * A + a]!.mul(m.P[(s * A + a) * S + t]!));
    return p;
  }));
}

/** x P (a row vector times a matrix). */
export function rowTimes(x: readonly Fraction[], P: readonly (readonly Fraction[])[]): Fraction[] {
  return P[0]!.map((_, t) => x.reduce((acc, xs, s) => acc.add(xs.mul(P[s]![t]!)), F.zero));
}

/** P x (a matrix times a column vector). */
export function timesCol(P: readonly (readonly Fraction[])[], x: readonly Fraction[]): Fraction[] {
  return P.map((row) => fdot(row, x));
}

/** ρ_π(s → ·, k) = e_sᵀ P_π^k: the k-step state distribution from s. */
export function kStep(P: readonly (readonly Fraction[])[], s: number, k: number): Fraction[] {
  let x = P.map((_, t) => (t === s ? F.one : F.zero));
  for (let i = 0; i < k; i++) x = rowTimes(x, P);
  return x;
}

/** r_π(s) = Σ_a π(a|s) r(s,a). */
export function policyReward(m: MDPIn<Fraction>, pi: readonly Fraction[]): Fraction[] {
  const A = m.numActions;
  return Array.from({ length: m.numStates }, (_, s) => {
    let x = F.zero;
    for (let a = 0; a < A; a++) x = x.add(pi[s * A + a]!.mul(m.r[s * A + a]!));
    return x;
  });
}

/** The row P(·|s,a). */
export function transitionRow(m: MDPIn<Fraction>, s: number, a: number): Fraction[] {
  const S = m.numStates;
  return m.P.slice((s * m.numActions + a) * S, (s * m.numActions + a + 1) * S);
}

/**
 * The time-augmented MDP with states (t, s), t < H, at index t·S + s, and one absorbing
 * terminal state at H·S: its infinite-horizon value is the horizon-H objective
 * J_H = E[Σ_{t<H} γ^t r_t] of the original MDP.
 */
export function timeAugmented(m: MDPIn<Fraction>, H: number): MDPIn<Fraction> {
  const { numStates: S, numActions: A } = m;
  const N = H * S + 1, sink = H * S;
  const P: Fraction[] = new Array(N * A * N).fill(F.zero);
  const r: Fraction[] = new Array(N * A).fill(F.zero);
  for (let t = 0; t < H; t++) {
    for (let s = 0; s < S; s++) {
      for (let a = 0; a < A; a++) {
        const row = ((t * S + s) * A + a) * N;
        r[(t * S + s) * A + a] = m.r[s * A + a]!;
        if (t + 1 === H) { P[row + sink] = F.one; continue; }
        for (let s2 = 0; s2 < S; s2++) P[row + (t + 1) * S + s2] = m.P[(s * A + a) * S + s2]!;
      }
    }
  }
  for (let a = 0; a < A; a++) P[(sink * A + a) * N + sink] = F.one;
  const initial: Fraction[] = new Array(N).fill(F.zero);
  for (let s = 0; s < S; s++) initial[s] = m.initial[s]!;
  const terminal = new Uint8Array(N);
  terminal[sink] = 1;
  return { numStates: N, numActions: A, P, r, gamma: m.gamma, initial, terminal, undiscounted: m.undiscounted };
}

/** The time-augmented policy: π(a|(t, s)) = π(a|s); uniform in the terminal state. */
export function timeAugmentedPolicy(pi: readonly Fraction[], S: number, A: number, H: number): Fraction[] {
  const out: Fraction[] = [];
  for (let t = 0; t < H; t++) out.push(...pi);
  for (let a = 0; a < A; a++) out.push(q(1).div(q(A)));
  return out.slice(0, (H * S + 1) * A);
}

/** The gradient of a time-tied policy: ∂/∂θ(s,a) = Σ_t ∂/∂θ((t, s), a). */
export function tiedGradient(g: readonly Fraction[], S: number, A: number, H: number): Fraction[] {
  return Array.from({ length: S * A }, (_, i) => {
    let x = F.zero;
    for (let t = 0; t < H; t++) x = x.add(g[t * S * A + i]!);
    return x;
  });
}

/** A trajectory of length H: states s_0…s_{H−1}, actions a_0…a_{H−1}, rewards r_t = r(s_t, a_t). */
export interface Trajectory {
  readonly s: readonly number[];
  readonly a: readonly number[];
  readonly r: readonly Fraction[];
}

/** Calls `f(τ, p_π(τ))` for every trajectory of length H with positive probability under π. */
export function forEachTrajectory(m: MDPIn<Fraction>, pi: readonly Fraction[], H: number, f: (tau: Trajectory, p: Fraction) => void): void {
  const { numStates: S, numActions: A } = m;
  const s: number[] = [], a: number[] = [], r: Fraction[] = [];
  const walk = (t: number, state: number, p: Fraction): void => {
    for (let act = 0; act < A; act++) {
      const pa = p.mul(pi[state * A + act]!);
      if (pa.n === 0n) continue;
      s[t] = state; a[t] = act; r[t] = m.r[state * A + act]!;
      if (t + 1 === H) { f({ s: s.slice(), a: a.slice(), r: r.slice() }, pa); continue; }
      for (let next = 0; next < S; next++) {
        const pn = pa.mul(m.P[(state * A + act) * S + next]!);
        if (pn.n !== 0n) walk(t + 1, next, pn);
      }
    }
  };
  for (let s0 = 0; s0 < S; s0++) if (m.initial[s0]!.n !== 0n) walk(0, s0, m.initial[s0]!);
}

/** E_{τ∼π}[g(τ)] exactly, over trajectories of length H. */
export function expectation(m: MDPIn<Fraction>, pi: readonly Fraction[], H: number, g: (tau: Trajectory, p: Fraction) => readonly Fraction[]): Fraction[] {
  let acc: Fraction[] | undefined;
  forEachTrajectory(m, pi, H, (tau, p) => {
    const x = g(tau, p);
    acc = acc ? acc.map((y, i) => y.add(p.mul(x[i]!))) : x.map((y) => p.mul(y));
  });
  return acc ?? [];
}

/** Σ_{t<H} γ^t r_t. */
export function discountedReturn(tau: Trajectory, gamma: Fraction, from = 0): Fraction {
  let g = F.zero;
  for (let t = tau.r.length - 1; t >= from; t--) g = tau.r[t]!.add(gamma.mul(g));
  return g;
}

/** Shorter cases for trajectory enumeration: 2–3 live states, 2 actions. */
export function smallCases(seed: number, count = 6): Instance<RationalCase>[] {
  return rationalCases(seed + 17, { count, maxLive: 3, maxActions: 2 });
}

/**
 * The double `x` as the exact rational it is (sign · mantissa · 2^exponent), built from
 * integer strings. Every finite double is a dyadic rational; this is how a floating-point
 * result of the library is compared with an exact one without rounding either.
 */
export function exactDouble(x: number): Fraction {
  if (!Number.isFinite(x)) throw new RangeError(`exactDouble: ${x} is not a finite number`);
  if (x === 0) return F.zero;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const sign = bits >> 63n ? -1n : 1n;
  const biased = Number((bits >> 52n) & 0x7ffn);
  const mantissa = (bits & ((1n << 52n) - 1n)) | (biased === 0 ? 0n : 1n << 52n);
  const exponent = (biased === 0 ? 1 : biased) - 1075;
  return exponent >= 0 ? q((sign * (mantissa << BigInt(exponent))).toString()) : q(`${sign * mantissa}/${1n << BigInt(-exponent)}`);
}

/** A float vector as exact rationals ({@link exactDouble} entry by entry). */
export const exactDoubles = (x: ArrayLike<number>): Fraction[] => Array.from(x, exactDouble);

/** The rational MDP in doubles, for the library's floating-point functions. */
export function floatMDP(m: MDPIn<Fraction>): FiniteMDP {
  const spec = rationalToFloatSpec(m);
  const terminal = Array.from({ length: m.numStates }, (_, s) => s).filter((s) => m.terminal[s]);
  return createMDP({ states: m.numStates, actions: m.numActions, transitions: spec.P, rewards: spec.r, gamma: spec.gamma, initial: spec.initial, terminal });
}

/** A rational policy table in doubles. */
export const floats = (x: readonly Fraction[]): Float64Array => Float64Array.from(x, (v) => v.valueOf());
