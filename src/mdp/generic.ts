/**
 * An MDP over any number field: the form the generic (exact rational, dual-number)
 * computations take. Dense, for small problems.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import type { Field } from '../field/field.js';
import { FractionField, rational, type Fraction } from '../field/fraction.js';
import { denseTransitions, type FiniteMDP } from './model.js';
import { mdpFromJSON } from './json.js';

/** A dense MDP with entries in a field `T`. Layouts as in {@link FiniteMDP}. */
export interface MDPIn<T> {
  readonly numStates: number;
  readonly numActions: number;
  /** P[(s*A + a)*S + s′]. */
  readonly P: readonly T[];
  /** r[s*A + a]. */
  readonly r: readonly T[];
  readonly gamma: T;
  readonly initial: readonly T[];
  readonly terminal: Uint8Array;
  /** γ is exactly 1 (episodic, undiscounted). */
  readonly undiscounted: boolean;
}

/** Lifts a floating-point MDP into a field that can represent doubles (numbers, duals). */
export function liftMDP<T>(F: Field<T> & { fromNumber(x: number): T }, mdp: FiniteMDP): MDPIn<T> {
  return {
    numStates: mdp.numStates,
    numActions: mdp.numActions,
    P: Array.from(denseTransitions(mdp), (x) => F.fromNumber(x)),
    r: Array.from(mdp.rewards, (x) => F.fromNumber(x)),
    gamma: F.fromNumber(mdp.gamma),
    initial: Array.from(mdp.initial, (x) => F.fromNumber(x)),
    terminal: mdp.terminal,
    undiscounted: mdp.gamma === 1,
  };
}

/** Maps every entry of an MDP from one field to another (e.g. lifting into duals). */
export function mapMDP<S, T>(m: MDPIn<S>, f: (x: S) => T): MDPIn<T> {
  return { ...m, P: m.P.map(f), r: m.r.map(f), gamma: f(m.gamma), initial: m.initial.map(f) };
}

/**
 * A JSON number or string as an exact rational. Strings `"p/q"` and decimals are exact;
 * a JSON number is read as the decimal it prints as (`0.1` → 1/10), which is the literal
 * the file contains whenever that literal is the shortest one for its double.
 */
export function jsonRational(x: unknown, where: string): Fraction {
  if (typeof x === 'number') {
    if (!Number.isFinite(x)) fail('RATIONAL_INPUT', `${where} is ${show(x)}: not a finite number`, { where, value: x });
    if (Number.isSafeInteger(x)) return rational(x, where);
    const text = String(x);
    if (/e/i.test(text)) fail('RATIONAL_INPUT', `${where} is ${text}: write it as a rational string such as "1/3"`, { where, value: x });
    return rational(text, where);
  }
  if (typeof x === 'string') return rational(x, where);
  return fail('RATIONAL_INPUT', `${where} is ${show(x)}: expected a number or a rational string`, { where, value: x });
}

/**
 * An exact rational MDP from MDP JSON (see {@link mdpFromJSON} for the format). The
 * structure is validated by the floating-point reader first; then P's rows and p0 must
 * sum to exactly 1 (`MDP_ROW_SUM`, `MDP_INITIAL`).
 */
export function rationalMDPFromJSON(json: unknown): MDPIn<Fraction> {
  const m = mdpFromJSON(json); // shapes, ranges, terminal states, termination of γ = 1 without terminals
  const obj = json as Record<string, unknown>;
  const S = m.numStates, A = m.numActions;
  const F = FractionField;
  const P: Fraction[] = new Array(S * A * S).fill(F.zero);
  const tr = obj.transitions as unknown[][];
  for (let s = 0; s < S; s++) {
    for (let a = 0; a < A; a++) {
      const row = tr[s]![a];
      const where = `transitions[${s}][${a}]`;
      let total = F.zero;
      const entries: [number, unknown][] = Array.isArray(row) ? row.map((v, i) => [i, v]) : Object.entries(row as object).map(([k, v]) => [Number(k), v]);
      for (const [s2, v] of entries) {
        const p = jsonRational(v, `${where}[${s2}]`);
        P[(s * A + a) * S + s2] = p;
        total = F.add(total, p);
      }
      if (!total.equals(1)) fail('MDP_ROW_SUM', `${where} sums to ${total.toFraction()}: in exact mode each row of P must sum to exactly 1`, { where, value: total.toFraction() });
    }
  }
  const r = (obj.rewards as unknown[][]).flatMap((row, s) => row.map((v, a) => jsonRational(v, `rewards[${s}][${a}]`)));
  const initial = (obj.initial as unknown[]).map((v, i) => jsonRational(v, `initial[${i}]`));
  const total = initial.reduce((acc, x) => acc.add(x), F.zero);
  if (!total.equals(1)) fail('MDP_INITIAL', `initial sums to ${total.toFraction()}: in exact mode p0 must sum to exactly 1`, { where: 'initial', value: total.toFraction() });
  const gamma = jsonRational(obj.gamma, 'gamma');
  return { numStates: S, numActions: A, P, r, gamma, initial, terminal: m.terminal, undiscounted: gamma.equals(1) };
}

/** The rational MDP as doubles, for cross-checks against the floating-point solvers. */
export function rationalToFloatSpec(m: MDPIn<Fraction>): { P: Float64Array; r: Float64Array; gamma: number; initial: Float64Array } {
  return {
    P: Float64Array.from(m.P, (x) => x.valueOf()),
    r: Float64Array.from(m.r, (x) => x.valueOf()),
    gamma: m.gamma.valueOf(),
    initial: Float64Array.from(m.initial, (x) => x.valueOf()),
  };
}
