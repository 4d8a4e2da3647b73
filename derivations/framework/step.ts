/**
 * A step check: the two sides of one line of a derivation, computed on seeded random
 * tabular instances, and the discrepancy between them — with a negative control, a wrong
 * variant of the line that the same rule must reject (as for claims in `src/verify`).
 *
 * - `exact` steps compute both sides in mathjs Fractions: the step holds when every
 *   difference is exactly zero.
 * - `float` steps compute in doubles: the step holds when the relative discrepancy
 *   max|lhs − rhs| / max(scale, max|rhs|) is within `tolerance`.
 * - `approximation` steps hold within `tolerance` only where the stated assumption holds
 *   (the `instances`); on general instances (the control's) the approximation must be
 *   *rejected* — that is what makes calling it an approximation honest.
 * - `relation: 'atLeast'` makes a step an inequality lhs ≥ rhs, entry by entry: the
 *   discrepancy is the largest violation max(0, rhs − lhs) (relative, for float steps), so
 *   an exact inequality holds when no entry is violated in rational arithmetic; the
 *   smallest margin min(lhs − rhs) is reported beside it, so a bound that holds only
 *   loosely shows as such. Its control must *violate* the inequality on every instance.
 *
 * One side calls the library function that implements the step (named in
 * `implementedBy`), the other computes it independently, so a bug in the code shows as a
 * failing step.
 *
 * @module
 */
import type { Fraction } from '../../src/field/fraction.js';

/** One side of a step: a vector of exact rationals or of doubles. */
export type Side = readonly Fraction[] | ArrayLike<number>;

/** A labelled instance the two sides are computed on. */
export interface Instance<I> {
  readonly label: string;
  readonly data: I;
}

/** How a step is established. */
export type StepStatus = 'exact' | 'checked' | 'approximation';

/** What a step asserts between its two sides: equality, or lhs ≥ rhs entry by entry. */
export type StepRelation = 'equal' | 'atLeast';

/** The two sides of a step, their instances, and the negative control. */
export interface StepCheck<I = unknown> {
  /** Stable key, `derivation.step`; the Markdown names it in `::: step KEY`. */
  readonly key: string;
  /** Both sides in exact rational arithmetic (the rule is then "exactly zero"). */
  readonly exact: boolean;
  /** `atLeast`: the step is the inequality lhs ≥ rhs (default `equal`). */
  readonly relation?: StepRelation;
  /** Present for a step that is an approximation: where it holds exactly. */
  readonly approximation?: { readonly assumption: string };
  /** Relative tolerance of floating-point steps (ignored for exact ones). */
  readonly tolerance?: number;
  /** The API symbols that implement the step (`policyGradient`, `Parameterization.addScore`). */
  readonly implementedBy: readonly string[];
  /** What each side computes, in words. */
  readonly lhsIs: string;
  readonly rhsIs: string;
  instances(seed: number): Instance<I>[];
  lhs(x: I): Side;
  rhs(x: I): Side;
  /** A floor for the relative discrepancy of float steps (default: max|rhs|, at least 1e-12). */
  scale?(x: I): number;
  /** The wrong variant: other instances and/or a replaced side; the rule must reject it on every instance. */
  readonly control: {
    readonly description: string;
    instances?(seed: number): Instance<I>[];
    lhs?(x: I): Side;
    rhs?(x: I): Side;
  };
}

/** Declares a step check (keeps the instance type `I` inside the check). */
export function defineStep<I>(check: StepCheck<I>): StepCheck<unknown> {
  return check as unknown as StepCheck<unknown>;
}

/** The default tolerance of floating-point steps. */
export const FLOAT_TOLERANCE = 1e-9;

/** The status a step is displayed with. */
export function statusOf(check: StepCheck<unknown>): StepStatus {
  return check.approximation ? 'approximation' : check.exact ? 'exact' : 'checked';
}

function isFractionSide(x: Side): x is readonly Fraction[] {
  return Array.isArray(x) && x.length > 0 && typeof x[0] === 'object';
}

/** The relation of a step (default `equal`). */
export function relationOf(check: StepCheck<unknown>): StepRelation {
  return check.relation ?? 'equal';
}

/**
 * The discrepancy of one instance. Equalities: `exactZero` only when exact arithmetic gives
 * 0 everywhere. Inequalities (lhs ≥ rhs): `value` is the largest violation max(0, rhs − lhs),
 * `exactZero` means no entry is violated in exact arithmetic, and `margin` is min(lhs − rhs)
 * (relative to the scale for float steps).
 */
export function discrepancy(check: StepCheck<unknown>, lhs: Side, rhs: Side, scale?: number): { value: number; exactZero: boolean; margin?: number } {
  if (lhs.length !== rhs.length) return { value: Infinity, exactZero: false };
  const atLeast = relationOf(check) === 'atLeast';
  if (check.exact) {
    if (lhs.length > 0 && !(isFractionSide(lhs) && isFractionSide(rhs))) return { value: Infinity, exactZero: false };
    const l = lhs as readonly Fraction[], r = rhs as readonly Fraction[];
    let worst = 0, zero = true, margin = Infinity;
    for (let i = 0; i < l.length; i++) {
      const d = l[i]!.sub(r[i]!);
      if (atLeast) {
        margin = Math.min(margin, d.valueOf());
        if (d.s < 0n && d.n !== 0n) { zero = false; worst = Math.max(worst, -d.valueOf(), Number.MIN_VALUE); }
      } else if (d.n !== 0n) { zero = false; worst = Math.max(worst, Math.abs(d.valueOf()), Number.MIN_VALUE); }
    }
    return atLeast ? { value: worst, exactZero: zero, margin } : { value: worst, exactZero: zero };
  }
  let diff = 0, mag = 0, margin = Infinity;
  for (let i = 0; i < lhs.length; i++) {
    const a = Number(lhs[i]), b = Number(rhs[i]);
    diff = Math.max(diff, atLeast ? Math.max(0, b - a) : Math.abs(a - b));
    if (atLeast) margin = Math.min(margin, a - b);
    if (!(a === a && b === b)) diff = NaN;
    mag = Math.max(mag, Math.abs(b));
  }
  const norm = Math.max(scale ?? mag, 1e-12);
  const value = diff / norm;
  const out = { value: Number.isFinite(value) ? value : Infinity, exactZero: false };
  return atLeast ? { ...out, margin: margin / norm } : out;
}

/** The outcome on one instance. */
export interface InstanceOutcome {
  readonly label: string;
  readonly discrepancy: number;
  readonly exactZero: boolean;
  readonly passed: boolean;
  /** Inequalities: min(lhs − rhs) over the entries (relative for float steps). */
  readonly margin?: number;
}

/** The outcome of a step and of its control. */
export interface StepResult {
  readonly key: string;
  readonly status: StepStatus;
  /** Every instance passed and the control was rejected on every control instance. */
  readonly passed: boolean;
  readonly outcomes: readonly InstanceOutcome[];
  /** The largest discrepancy over the instances (0 for exact steps that hold). */
  readonly worst: number;
  readonly tolerance: number;
  readonly control: { readonly description: string; readonly outcomes: readonly InstanceOutcome[]; readonly rejected: number; readonly smallest: number };
  /** A thrown error, when the check could not run. */
  readonly error?: string;
  readonly seconds: number;
}

function decideAll(check: StepCheck<unknown>, xs: Instance<unknown>[], lhs: (x: unknown) => Side, rhs: (x: unknown) => Side): InstanceOutcome[] {
  const tol = check.exact ? 0 : check.tolerance ?? FLOAT_TOLERANCE;
  return xs.map(({ label, data }) => {
    const d = discrepancy(check, lhs(data), rhs(data), check.scale?.(data));
    const passed = check.exact ? d.exactZero : d.value <= tol;
    return d.margin === undefined ? { label, discrepancy: d.value, exactZero: d.exactZero, passed } : { label, discrepancy: d.value, exactZero: d.exactZero, passed, margin: d.margin };
  });
}

/** Runs a step and its control. An exception becomes a failed result naming it. */
export function runStep(check: StepCheck<unknown>, seed = 20240124): StepResult {
  const t0 = performance.now();
  const tolerance = check.exact ? 0 : check.tolerance ?? FLOAT_TOLERANCE;
  const status = statusOf(check);
  try {
    const outcomes = decideAll(check, check.instances(seed), (x) => check.lhs(x), (x) => check.rhs(x));
    const c = check.control;
    const cx = c.instances ? c.instances(seed) : check.instances(seed);
    const controlOutcomes = decideAll(check, cx, (x) => (c.lhs ?? check.lhs)(x), (x) => (c.rhs ?? check.rhs)(x));
    const rejected = controlOutcomes.filter((o) => !o.passed).length;
    const passed = outcomes.length > 0 && outcomes.every((o) => o.passed) && controlOutcomes.length > 0 && rejected === controlOutcomes.length;
    const worst = Math.max(0, ...outcomes.map((o) => o.discrepancy));
    const smallest = Math.min(...controlOutcomes.map((o) => o.discrepancy));
    return { key: check.key, status, passed, outcomes, worst, tolerance, control: { description: c.description, outcomes: controlOutcomes, rejected, smallest }, seconds: (performance.now() - t0) / 1000 };
  } catch (e) {
    const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return { key: check.key, status, passed: false, outcomes: [], worst: Infinity, tolerance, control: { description: check.control.description, outcomes: [], rejected: 0, smallest: NaN }, error, seconds: (performance.now() - t0) / 1000 };
  }
}

/** One line saying how the step was established, e.g. `exact: 0 in rational arithmetic on 8 instances`. */
export function describeResult(r: StepResult, check: StepCheck<unknown>): string {
  if (r.error) return `error: ${r.error}`;
  const n = r.outcomes.length, m = r.control.outcomes.length;
  const fmt = (x: number) => (x === 0 ? '0' : x.toExponential(1));
  if (!r.passed) {
    const bad = r.outcomes.filter((o) => !o.passed).map((o) => o.label);
    if (bad.length) return `FAILED on ${bad.length}/${n} instances (${bad.slice(0, 3).join('; ')}), largest discrepancy ${fmt(r.worst)}`;
    return `FAILED: the control was rejected on only ${r.control.rejected}/${m} instances`;
  }
  const ineq = relationOf(check) === 'atLeast';
  const margins = r.outcomes.map((o) => o.margin ?? Infinity);
  const margin = ineq ? `, smallest margin lhs − rhs ${fmt(Math.min(...margins))}${check.exact ? '' : ' (relative)'}` : '';
  if (r.status === 'approximation') {
    return `approximation: holds ${check.exact ? 'exactly' : `within ${fmt(r.tolerance)}`} on ${n} instances where ${check.approximation!.assumption}; off by at least ${fmt(r.control.smallest)} on each of ${m} general instances`;
  }
  if (r.status === 'exact') return ineq ? `exact: lhs ≥ rhs with no violation in rational arithmetic on ${n} instances${margin}` : `exact: difference 0 in rational arithmetic on ${n} instances`;
  if (ineq) return `checked: lhs ≥ rhs on ${n} instances, largest relative violation ${fmt(r.worst)} (tolerance ${fmt(r.tolerance)})${margin}`;
  return `checked: largest relative discrepancy ${fmt(r.worst)} over ${n} instances (tolerance ${fmt(r.tolerance)})`;
}
