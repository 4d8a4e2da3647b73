/**
 * PPO's drift, its decomposition and the drift conditions in exact arithmetic.
 *
 * For a rational MDP and rational direct policies every quantity here is rational: A_π
 * (exact evaluation), the ratios r = π̄/π, clip(r, 1−ε, 1+ε) for rational ε, and the
 * maxima and minima of the drift and the clipped objective (piecewise rational). So PPO's
 * decomposition E_{a∼π}[min(rA, clip(r)A)] = E_{a∼π̄}[A] − D_π(π̄|s) and the drift
 * conditions hold with a difference of exactly zero — not merely to a tolerance:
 *
 * - non-negativity is an exact comparison with 0;
 * - D_π(π|s) is exactly 0;
 * - the one-sided Gâteaux derivative is exact, because t ↦ D_π(π + t h|s) is piecewise
 *   linear in t with kinks where some π(a|s) + t h_a meets a kink of the drift's term
 *   ((1 ± ε)π(a|s) for PPO); on [0, t₁] below the first such kink it is linear, so
 *   ∂_h D = (D_π(π + t h|s) − D_π(π|s))/t exactly for any t ∈ (0, t₁].
 *
 * The arithmetic is generic over an ordered field (doubles or mathjs Fractions).
 *
 * @module
 */
import { fail } from '../errors.js';
import type { Field } from '../field/field.js';
import { FractionField, type Fraction } from '../field/fraction.js';
import { NumberField } from '../field/number.js';

/** A field with a total order. */
export interface OrderedField<T> extends Field<T> {
  /** −1, 0 or 1 as a < b, a = b, a > b. */
  compare(a: T, b: T): number;
}

/** Doubles, ordered. */
export const orderedNumbers: OrderedField<number> = { ...NumberField, compare: (a, b) => (a < b ? -1 : a > b ? 1 : 0) };

/** Exact rationals, ordered (mathjs stays lazily loaded: the getters are forwarded). */
export const orderedFractions: OrderedField<Fraction> = {
  name: 'fraction',
  get zero() { return FractionField.zero; },
  get one() { return FractionField.one; },
  fromInt: (n) => FractionField.fromInt(n),
  add: (a, b) => a.add(b),
  sub: (a, b) => a.sub(b),
  mul: (a, b) => a.mul(b),
  div: (a, b) => FractionField.div(a, b),
  neg: (a) => a.neg(),
  isZero: (a) => a.n === 0n,
  invertible: (a) => a.n !== 0n,
  magnitude: (a) => Math.abs(a.valueOf()),
  toNumber: (a) => a.valueOf(),
  compare: (a, b) => a.compare(b),
};

const maxIn = <T>(F: OrderedField<T>, a: T, b: T): T => (F.compare(a, b) >= 0 ? a : b);
const minIn = <T>(F: OrderedField<T>, a: T, b: T): T => (F.compare(a, b) <= 0 ? a : b);
const absIn = <T>(F: OrderedField<T>, a: T): T => (F.compare(a, F.zero) < 0 ? F.neg(a) : a);

/** clip(x, lo, hi). */
export function clipIn<T>(F: OrderedField<T>, x: T, lo: T, hi: T): T {
  return F.compare(x, lo) < 0 ? lo : F.compare(x, hi) > 0 ? hi : x;
}

/** π(a|s)·max(0, (r − clip(r, 1−ε, 1+ε))A) with r = x/p; max(0, xA) when p = 0. */
export function ppoTermIn<T>(F: OrderedField<T>, x: T, p: T, adv: T, epsilon: T): T {
  if (F.isZero(p)) return maxIn(F, F.zero, F.mul(x, adv));
  const r = F.div(x, p);
  const c = clipIn(F, r, F.sub(F.one, epsilon), F.add(F.one, epsilon));
  return F.mul(p, maxIn(F, F.zero, F.mul(F.sub(r, c), adv)));
}

/** π(a|s)·min(rA, clip(r, 1−ε, 1+ε)A) with r = x/p; min(xA, 0) when p = 0. */
export function clippedTermIn<T>(F: OrderedField<T>, x: T, p: T, adv: T, epsilon: T): T {
  if (F.isZero(p)) return minIn(F, F.mul(x, adv), F.zero);
  const r = F.div(x, p);
  const c = clipIn(F, r, F.sub(F.one, epsilon), F.add(F.one, epsilon));
  return F.mul(p, minIn(F, F.mul(r, adv), F.mul(c, adv)));
}

/** c·½|x − p|: the c·TV term (whose derivative at x = p is not zero). */
export function tvTermIn<T>(F: OrderedField<T>, x: T, p: T, c: T): T {
  return F.div(F.mul(c, absIn(F, F.sub(x, p))), F.fromInt(2));
}

/**
 * PPO's decomposition in every state, exactly: `differences[s]` =
 * $\mathbb{E}_{a\sim\pi}[\min(rA, \operatorname{clip}(r)A)] - \big(\mathbb{E}_{a\sim\bar\pi}[A] - \mathcal D_\pi(\bar\pi|s)\big)$. `positivePart: false` drops the max(0, ·) from D (the
 * negative control).
 */
export function ppoDecompositionIn<T>(F: OrderedField<T>, piOld: readonly T[], piNew: readonly T[], adv: readonly T[], S: number, A: number, epsilon: T, positivePart = true): { differences: T[]; exact: boolean } {
  const differences: T[] = [];
  for (let s = 0; s < S; s++) {
    let lhs = F.zero, ea = F.zero, d = F.zero;
    for (let a = 0; a < A; a++) {
      const i = s * A + a, x = piNew[i]!, p = piOld[i]!, q = adv[i]!;
      lhs = F.add(lhs, clippedTermIn(F, x, p, q, epsilon));
      ea = F.add(ea, F.mul(x, q));
      const term = positivePart || F.isZero(p) ? ppoTermIn(F, x, p, q, epsilon)
        : F.mul(p, F.mul(F.sub(F.div(x, p), clipIn(F, F.div(x, p), F.sub(F.one, epsilon), F.add(F.one, epsilon))), q));
      d = F.add(d, term);
    }
    differences.push(F.sub(lhs, F.sub(ea, d)));
  }
  return { differences, exact: differences.every((x) => F.isZero(x)) };
}

/** A separable piecewise-linear term over a field, with its kinks in x. */
export interface ExactTerm<T> {
  value(x: T, a: number): T;
  kinks(a: number): T[];
}

/**
 * The exact one-sided derivative $\lim_{t\to0^+} \big(\sum_a \psi(p_a + t h_a) - \sum_a \psi(p_a)\big)/t$ of a
 * piecewise-linear separable term along h (Σ h = 0), from the first kink t₁ > 0 (see the
 * module comment). Throws `POLICY_NOT_DISTRIBUTION` when h leaves the simplex at once.
 */
export function exactDirectionalDerivative<T>(F: OrderedField<T>, term: ExactTerm<T>, p: readonly T[], h: readonly T[]): T {
  let t: T | undefined;
  const consider = (c: T) => { if (F.compare(c, F.zero) > 0 && (t === undefined || F.compare(c, t) < 0)) t = c; };
  p.forEach((pa, a) => {
    if (F.isZero(h[a]!)) return;
    for (const k of term.kinks(a)) consider(F.div(F.sub(k, pa), h[a]!));
    if (F.compare(h[a]!, F.zero) < 0) consider(F.div(pa, F.neg(h[a]!))); // the simplex boundary
  });
  if (t === undefined) fail('POLICY_NOT_DISTRIBUTION', 'the direction leaves the simplex at once (it lowers a zero probability)');
  const step = F.div(t!, F.fromInt(2));
  let moved = F.zero, here = F.zero;
  p.forEach((pa, a) => {
    moved = F.add(moved, term.value(F.add(pa, F.mul(step, h[a]!)), a));
    here = F.add(here, term.value(pa, a));
  });
  return F.div(F.sub(moved, here), step);
}

/** PPO's term at state s as an {@link ExactTerm}: kinks at (1 ± ε)π(a|s). */
export function ppoExactTerm<T>(F: OrderedField<T>, p: readonly T[], adv: readonly T[], epsilon: T): ExactTerm<T> {
  return {
    value: (x, a) => ppoTermIn(F, x, p[a]!, adv[a]!, epsilon),
    kinks: (a) => [F.mul(F.sub(F.one, epsilon), p[a]!), F.mul(F.add(F.one, epsilon), p[a]!)],
  };
}

/** c·TV at state s as an {@link ExactTerm}: a kink at π(a|s) itself. */
export function tvExactTerm<T>(F: OrderedField<T>, p: readonly T[], c: T): ExactTerm<T> {
  return { value: (x, a) => tvTermIn(F, x, p[a]!, c), kinks: (a) => [p[a]!] };
}
