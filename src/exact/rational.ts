/**
 * The exact rational mode. For rational P, r, γ, p0 and a rational direct policy, V, Q,
 * A, η, J and ∇J are rational, and mathjs Fractions (BigInt-backed) compute them with no
 * rounding at all. The policy gradient theorem, ∂J/∂θ_{s,a} = η(s) Q(s,a) for the direct
 * parameterization, is then checked against forward-mode AD in Dual<Fraction> arithmetic
 * with a difference of exactly zero.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import { FractionField, type Fraction } from '../field/fraction.js';
import { jsonRational, type MDPIn } from '../mdp/generic.js';
import { evaluateIn, type EvaluationIn } from './generic.js';
import { gradientForwardModeIn } from './autodiff.js';

/** A rational direct policy table (`pi[s*A + a]`) from `{"kind": "direct", "probs": [[…]]}` JSON; rows must sum to exactly 1. */
export function rationalPolicyFromJSON(json: unknown, S: number, A: number): Fraction[] {
  const o = json as Record<string, unknown>;
  if (typeof o !== 'object' || o === null || o.kind !== 'direct') fail('POLICY_KIND', `exact rational mode takes a direct policy {"kind": "direct", "probs": …}, got kind ${show(o?.kind)}`, { where: 'kind', value: o?.kind });
  const rows = o.probs;
  if (!Array.isArray(rows) || rows.length !== S) fail('POLICY_SHAPE', `probs has ${Array.isArray(rows) ? rows.length : show(rows)} rows, expected ${S}`, { where: 'probs' });
  return rationalPolicyTable(rows.map((row: unknown, s: number) => {
    if (!Array.isArray(row) || row.length !== A) fail('POLICY_SHAPE', `probs[${s}] has ${Array.isArray(row) ? row.length : show(row)} entries, expected ${A}`, { where: `probs[${s}]` });
    return row.map((v: unknown, a: number) => jsonRational(v, `probs[${s}][${a}]`));
  }));
}

/** Validates nested rational rows (non-negative, summing to exactly 1) and flattens them. */
export function rationalPolicyTable(rows: readonly (readonly Fraction[])[]): Fraction[] {
  rows.forEach((row, s) => {
    let tot = FractionField.zero;
    row.forEach((p, a) => {
      if (p.s < 0n && p.n !== 0n) fail('POLICY_NOT_DISTRIBUTION', `probs[${s}][${a}] is ${p.toFraction()}: probabilities must be ≥ 0`, { where: `probs[${s}][${a}]`, value: p.toFraction() });
      tot = tot.add(p);
    });
    if (!tot.equals(1)) fail('POLICY_NOT_DISTRIBUTION', `probs[${s}] sums to ${tot.toFraction()}: in exact mode each row must sum to exactly 1`, { where: `probs[${s}]`, value: tot.toFraction() });
  });
  return rows.flat();
}

/** Exact V, Q, A, η, d and J (d = η/Σ η; `horizon` = Σ η). */
export interface ExactEvaluation extends EvaluationIn<Fraction> {
  readonly eta: Fraction[];
  readonly d: Fraction[];
  readonly horizon: Fraction;
}

/**
 * Evaluates a rational direct policy exactly. For γ < 1 the terminal states' η is filled
 * as in the floating-point evaluator, so that Σ η = 1/(1−γ) exactly.
 */
export function evaluateExact(m: MDPIn<Fraction>, pi: readonly Fraction[]): ExactEvaluation {
  const F = FractionField;
  const e = evaluateIn(F, m, pi);
  const { numStates: S, numActions: A } = m;
  const eta = e.eta!.slice();
  if (!m.undiscounted) {
    const oneMinus = F.sub(F.one, m.gamma);
    for (let t = 0; t < S; t++) {
      if (!m.terminal[t]) continue;
      let inflow = m.initial[t]!;
      for (let s = 0; s < S; s++) {
        if (m.terminal[s]) continue;
        for (let a = 0; a < A; a++) inflow = F.add(inflow, F.mul(m.gamma, F.mul(eta[s]!, F.mul(pi[s * A + a]!, m.P[(s * A + a) * S + t]!))));
      }
      eta[t] = F.div(inflow, oneMinus);
    }
  }
  const horizon = eta.reduce((acc, x) => F.add(acc, x), F.zero);
  if (F.isZero(horizon)) fail('MDP_NO_DECISIONS', 'gamma = 1 and p0 puts all its mass on terminal states: d is undefined');
  return { ...e, eta, d: eta.map((x) => F.div(x, horizon)), horizon };
}

/** $\partial J/\partial\theta_{s,a} = \eta(s)\,Q(s,a)$: the theorem for the direct parameterization, exactly. */
export function exactPolicyGradient(m: MDPIn<Fraction>, pi: readonly Fraction[], ev?: ExactEvaluation): Fraction[] {
  const e = ev ?? evaluateExact(m, pi);
  const A = m.numActions;
  return e.Q.map((q, i) => e.eta[Math.floor(i / A)]!.mul(q));
}

/** ∇J by forward-mode AD in Dual<Fraction> arithmetic: exact, and independent of the theorem. */
export function exactGradientForwardMode(m: MDPIn<Fraction>, pi: readonly Fraction[]): Fraction[] {
  return gradientForwardModeIn(FractionField, m, (_F, th) => th, pi);
}

/** The theorem against forward-mode AD, exactly: `exact` is true when every difference is 0. */
export function checkPolicyGradientTheoremExact(m: MDPIn<Fraction>, pi: readonly Fraction[]): { theorem: Fraction[]; forward: Fraction[]; differences: Fraction[]; exact: boolean } {
  const theorem = exactPolicyGradient(m, pi);
  const forward = exactGradientForwardMode(m, pi);
  const differences = theorem.map((x, i) => x.sub(forward[i]!));
  return { theorem, forward, differences, exact: differences.every((x) => x.n === 0n) };
}
