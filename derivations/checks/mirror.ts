/**
 * The checks of derivation 9, mirror learning's Theorem 5.4 (Lehmann 2024, §5; Kuba, de
 * Witt & Foerster 2022), inequality by inequality, on the iterates of the
 * library's exact mirror learning (`mirrorLearning`, records of every step).
 *
 * The library computes the iterates π_0, π_1, … in doubles. Each iterate is read as the
 * rational policy it is (every double is a dyadic rational; each row is renormalized to sum
 * to exactly 1), and everything the proof says about consecutive iterates — advantages,
 * visitations, values, drifts — is recomputed for those rational policies in exact
 * arithmetic. So the inequalities are checked with no rounding at all, on policies within
 * 10⁻¹⁶ of the library's; a separate step checks that the library's records agree with the
 * exact values.
 *
 * Runs: PPO's drift (ε = 1/5, 1/10), generalized policy iteration (trivial drift) and TRPO's
 * average-KL ball (δ = 1/20), five updates each from the cases' random policies, ν = d (so
 * ν/d = 1 in every non-terminal state).
 *
 * @module
 */
import { policyIteration } from '../../src/exact/control.js';
import { evaluateExact, type ExactEvaluation } from '../../src/exact/rational.js';
import type { FiniteMDP } from '../../src/mdp/model.js';
import { generalizedPolicyIteration, ppoInstance, trpoInstance } from '../../src/mirror/instances.js';
import { mirrorLearning, type MirrorRun } from '../../src/mirror/iterate.js';
import { exactDirectionalDerivative, orderedFractions, ppoExactTerm, ppoTermIn, tvExactTerm } from '../../src/mirror/rational.js';
import type { MirrorConfig } from '../../src/mirror/update.js';
import { tvFixedPointRuns } from '../../src/verify/claims/mirror.js';
import { defineStep, type Instance } from '../framework/step.js';
import { exactDouble, F, fdot, floatMDP, fsum, q, rationalCases, type Fraction, type RationalCase } from './common.js';
import { memo } from './memo.js';

const O = orderedFractions;

/** A configuration: its library form and, for PPO, the exact ε of its drift. */
interface Setting { readonly label: string; readonly config: MirrorConfig; readonly eps?: Fraction }

const SETTINGS: (() => Setting)[] = [
  () => ({ label: 'PPO ε=1/5', config: ppoInstance(0.2), eps: q('1/5') }),
  () => ({ label: 'GPI', config: generalizedPolicyIteration() }),
  () => ({ label: 'PPO ε=1/10', config: ppoInstance(0.1), eps: q('1/10') }),
  () => ({ label: 'TRPO δ=1/20', config: trpoInstance(0.05) }),
];

/** A run of the library's mirror learning and its iterates as exact rational policies. */
interface MirrorCase {
  readonly c: RationalCase;
  readonly setting: Setting;
  readonly mdp: FiniteMDP;
  readonly run: MirrorRun;
  /** π_n, exactly (rows renormalized to sum to 1). */
  readonly pi: Fraction[][];
}

/** A double policy table as an exact rational one: every entry read exactly, each row divided by its exact sum. */
function rationalize(p: Float64Array, A: number): Fraction[] {
  const x = Array.from(p, exactDouble), out: Fraction[] = [];
  for (let s = 0; s < x.length / A; s++) {
    const row = x.slice(s * A, s * A + A), tot = fsum(row);
    out.push(...row.map((v) => v.div(tot)));
  }
  return out;
}

function mirrorCases(seed: number): Instance<MirrorCase>[] {
  return rationalCases(seed + 97, { count: 8 }).map(({ label, data: c }, i) => {
    const setting = SETTINGS[i % SETTINGS.length]!(), mdp = floatMDP(c.m);
    const run = mirrorLearning(mdp, Float64Array.from(c.pi, (v) => v.valueOf()), setting.config, { iterations: 5 });
    return { label: `${label} ${setting.label}`, data: { c, setting, mdp, run, pi: run.records.map((r) => rationalize(r.policy, c.m.numActions)) } };
  });
}

/** The exact evaluation of iterate n (from p0, or from the start state `from`). */
const evalAt = memo((x: MirrorCase) => x.pi.map((p) => evaluateExact(x.c.m, p)));
/** For every iterate, the exact evaluation from each non-terminal start state s (p0 = δ_s), by position in {@link live}. */
const evalFrom = memo((x: MirrorCase) => x.pi.map((p) => live(x).map((s) => evaluateExact({ ...x.c.m, initial: x.c.m.initial.map((_, t) => (t === s ? F.one : F.zero)) }, p))));

const steps = (x: MirrorCase) => Array.from({ length: x.pi.length - 1 }, (_, n) => n);
const states = (x: MirrorCase) => Array.from({ length: x.c.m.numStates }, (_, s) => s);
/** The non-terminal states (start states of the value identities). */
const live = (x: MirrorCase) => states(x).filter((s) => !x.c.m.terminal[s]);
const row = (p: readonly Fraction[], s: number, A: number) => p.slice(s * A, s * A + A);

/** w(s) = ν(s)/d(s) with ν = d: 1 in non-terminal states, 0 in terminal ones. */
const weight = (x: MirrorCase, s: number) => (x.c.m.terminal[s] ? F.zero : F.one);

/** E_{a∼to}[A_from(s,a)] in every state, with the exact advantages of `from`. */
function gain(x: MirrorCase, to: readonly Fraction[], fromEval: ExactEvaluation): Fraction[] {
  const A = x.c.m.numActions;
  return states(x).map((s) => fdot(row(to, s, A), row(fromEval.A, s, A)));
}

/** D_from(to|s) in every state: PPO's drift in exact arithmetic (0 for the trivial drift). */
function drift(x: MirrorCase, from: readonly Fraction[], to: readonly Fraction[], fromEval: ExactEvaluation): Fraction[] {
  const A = x.c.m.numActions, eps = x.setting.eps;
  return states(x).map((s) => (eps ? fsum(Array.from({ length: A }, (_, a) => ppoTermIn(O, to[s * A + a]!, from[s * A + a]!, fromEval.A[s * A + a]!, eps))) : F.zero));
}

/** For each step n (or the step read backwards, π_{n+1} → π_n): the gains and weighted drifts per state. */
function stepTerms(x: MirrorCase, n: number, backwards = false): { gain: Fraction[]; wd: Fraction[] } {
  const [i, j] = backwards ? [n + 1, n] : [n, n + 1];
  const ev = evalAt(x)[i]!;
  const d = drift(x, x.pi[i]!, x.pi[j]!, ev);
  return { gain: gain(x, x.pi[j]!, ev), wd: d.map((v, s) => v.mul(weight(x, s))) };
}

/** Σ_x η(x) w(x) D(x) for a visitation η. */
const weightedBy = (eta: readonly Fraction[], wd: readonly Fraction[]) => fdot(eta, wd);

/** The optimal values: the library's policy-iteration policy (deterministic) evaluated exactly; V* and Q*. */
const optimum = memo((x: MirrorCase): ExactEvaluation => {
  const A = x.c.m.numActions, pi = policyIteration(x.mdp).policy;
  return evaluateExact(x.c.m, Array.from(pi, (v) => (v === 1 ? F.one : F.zero)).slice(0, x.c.m.numStates * A));
});

// ─── step 5: the first-order gain at an iterate with full support ──────────────────────

/** Iterates n and states s with π_n(·|s) > 0 everywhere, and each action b: the one-sided derivative along h = δ_b − π_n(·|s). */
function firstOrder(x: MirrorCase, useTv = false): { lhs: Fraction[]; rhs: Fraction[] } {
  const A = x.c.m.numActions, eps = x.setting.eps ?? q('1/5'), lhs: Fraction[] = [], rhs: Fraction[] = [];
  x.pi.forEach((p, n) => {
    const ev = evalAt(x)[n]!;
    for (const s of states(x)) {
      if (x.c.m.terminal[s]) continue;
      const pr = row(p, s, A), adv = row(ev.A, s, A);
      if (pr.some((v) => v.n === 0n)) continue;
      const term = useTv ? tvExactTerm(O, pr, q('1/2')) : ppoExactTerm(O, pr, adv, eps);
      for (let b = 0; b < A; b++) {
        const h = pr.map((v, a) => (a === b ? F.one : F.zero).sub(v));
        lhs.push(fdot(h, adv).sub(weight(x, s).mul(exactDirectionalDerivative(O, term, pr, h))));
        rhs.push(adv[b]!);
      }
    }
  });
  return { lhs, rhs };
}

// ─── step 5: the limit (doubles, long runs) ───────────────────────────────────────────

/** A long run from the uniform policy and the optimal values. */
interface LimitCase { readonly run: MirrorRun; readonly VStar: Float64Array }

function limitCases(seed: number): Instance<LimitCase>[] {
  const long = [{ label: 'GPI', config: generalizedPolicyIteration(), iterations: 20 }, { label: 'PPO ε=0.2', config: ppoInstance(0.2), iterations: 150 }, { label: 'TRPO δ=0.05', config: trpoInstance(0.05), iterations: 15 }];
  return rationalCases(seed + 97, { count: 6 }).map(({ label, data: c }, i) => {
    const st = long[i % long.length]!, mdp = floatMDP(c.m), S = mdp.numStates, A = mdp.numActions;
    const run = mirrorLearning(mdp, new Float64Array(S * A).fill(1 / A), st.config, { iterations: st.iterations, stopWhenStationary: true });
    return { label: `${label} ${st.label} from uniform, ${run.records.length - 1} updates`, data: { run, VStar: run.VStar } };
  });
}

const tvTraps = (): Instance<LimitCase>[] => tvFixedPointRuns().map((x) => ({ label: `${x.label}, stationary from update ${x.run.stationaryAt}`, data: { run: x.run, VStar: x.run.VStar } }));
const lastV = (x: LimitCase) => x.run.records[x.run.records.length - 1]!.V;

/** For each iterate, the library's record [J, V…, drift, bound, improvement] (`lag` reads the records shifted by one). */
function recordValues(x: MirrorCase, lag = 0): number[] {
  return x.run.records.slice(1).flatMap((r, k) => {
    const rr = x.run.records[k + 1 - lag]!;
    return [rr.J, ...rr.V, r.drift, r.bound, r.improvement];
  });
}

/** The same quantities recomputed exactly for the rational iterates. */
function exactRecordValues(x: MirrorCase): number[] {
  return steps(x).flatMap((n) => {
    const e = evalAt(x)[n + 1]!, prev = evalAt(x)[n]!, t = stepTerms(x, n);
    return [e.J, ...e.V, fdot(prev.d, t.wd), fdot(x.c.m.initial, t.wd), e.J.sub(prev.J)].map((v) => v.valueOf());
  });
}

export const mirrorChecks = [
  defineStep<MirrorCase>({
    key: 'mirror.iterates', exact: false, tolerance: 1e-9, implementedBy: ['mirrorLearning', 'mirrorUpdate'],
    lhsIs: 'the library\'s records of every update: J(π_n), V_{π_n}, the weighted drift D^ν, the bound E_{p0}[(ν/d)D] and ΔJ', rhsIs: 'the same quantities computed exactly for the rational iterates',
    instances: mirrorCases,
    lhs: (x) => recordValues(x),
    rhs: (x) => exactRecordValues(x),
    scale: (x) => x.run.scale,
    control: { description: 'the records read one update late (J and V of π_{n−1} reported for π_n)', lhs: (x) => recordValues(x, 1) },
  }),
  defineStep<MirrorCase>({
    key: 'mirror.per-state-gain', exact: true, relation: 'atLeast', implementedBy: ['mirrorUpdate', 'ppoTermIn'],
    lhsIs: '[E_{a∼π_{n+1}}[A_{π_n}(s,a)], (ν/d)(s) D_{π_n}(π_{n+1}|s)] for every update n and state s, exactly', rhsIs: '[(ν/d)(s) D_{π_n}(π_{n+1}|s), 0]',
    instances: mirrorCases,
    lhs: (x) => steps(x).flatMap((n) => { const t = stepTerms(x, n); return [...t.gain, ...t.wd]; }),
    rhs: (x) => steps(x).flatMap((n) => { const t = stepTerms(x, n); return [...t.wd, ...t.wd.map(() => F.zero)]; }),
    control: { description: 'the update read backwards (π_n as the update of π_{n+1}): a step that lowered J', lhs: (x) => steps(x).flatMap((n) => { const t = stepTerms(x, n, true); return [...t.gain, ...t.wd]; }), rhs: (x) => steps(x).flatMap((n) => { const t = stepTerms(x, n, true); return [...t.wd, ...t.wd.map(() => F.zero)]; }) },
  }),
  defineStep<MirrorCase>({
    key: 'mirror.value-difference', exact: true, implementedBy: ['evaluateExact'],
    lhsIs: 'V_{π_{n+1}}(s) − V_{π_n}(s) for every update n and non-terminal start state s, exactly', rhsIs: 'Σ_x η^s_{π_{n+1}}(x) E_{a∼π_{n+1}}[A_{π_n}(x,a)], η^s the exact visitation of π_{n+1} from s',
    instances: mirrorCases,
    lhs: (x) => steps(x).flatMap((n) => live(x).map((s) => evalAt(x)[n + 1]!.V[s]!.sub(evalAt(x)[n]!.V[s]!))),
    rhs: (x) => steps(x).flatMap((n) => { const g = stepTerms(x, n).gain; return live(x).map((_, k) => fdot(evalFrom(x)[n + 1]![k]!.eta, g)); }),
    control: { description: 'the visitation of π_n in place of π_{n+1} (the surrogate)', rhs: (x) => steps(x).flatMap((n) => { const g = stepTerms(x, n).gain; return live(x).map((_, k) => fdot(evalFrom(x)[n]![k]!.eta, g)); }) },
  }),
  defineStep<MirrorCase>({
    key: 'mirror.value-improvement', exact: true, relation: 'atLeast', implementedBy: ['mirrorLearning', 'evaluateExact'],
    lhsIs: '[V_{π_{n+1}}(s), V_{π_n}(s) + Σ_x η^s_{π_{n+1}}(x)(ν/d)(x)D_{π_n}(π_{n+1}|x)] for every n and s', rhsIs: '[V_{π_n}(s) + Σ_x η^s_{π_{n+1}}(x)(ν/d)(x)D(x), V_{π_n}(s)]',
    instances: mirrorCases,
    lhs: (x) => steps(x).flatMap((n) => { const wd = stepTerms(x, n).wd; return live(x).flatMap((s, k) => [evalAt(x)[n + 1]!.V[s]!, evalAt(x)[n]!.V[s]!.add(weightedBy(evalFrom(x)[n + 1]![k]!.eta, wd))]); }),
    rhs: (x) => steps(x).flatMap((n) => { const wd = stepTerms(x, n).wd; return live(x).flatMap((s, k) => [evalAt(x)[n]!.V[s]!.add(weightedBy(evalFrom(x)[n + 1]![k]!.eta, wd)), evalAt(x)[n]!.V[s]!]); }),
    control: { description: 'the update read backwards: V_{π_n} ≥ V_{π_{n+1}}', lhs: (x) => steps(x).flatMap((n) => live(x).map((s) => evalAt(x)[n]!.V[s]!)), rhs: (x) => steps(x).flatMap((n) => live(x).map((s) => evalAt(x)[n + 1]!.V[s]!)) },
  }),
  defineStep<MirrorCase>({
    key: 'mirror.visitation-floor', exact: true, relation: 'atLeast', implementedBy: ['evaluateExact'],
    lhsIs: 'η_{π_n}(s) for every iterate and state, the library\'s exact visitation', rhsIs: 'p0(s)',
    instances: mirrorCases,
    lhs: (x) => evalAt(x).flatMap((e) => e.eta),
    rhs: (x) => evalAt(x).flatMap(() => x.c.m.initial),
    control: { description: 'the normalized d_{π_n} in place of η_{π_n}', lhs: (x) => evalAt(x).flatMap((e) => e.d) },
  }),
  defineStep<MirrorCase>({
    key: 'mirror.return-improvement', exact: true, relation: 'atLeast', implementedBy: ['mirrorLearning', 'evaluateExact'],
    lhsIs: '[J(π_{n+1}), J(π_n) + Σ_x η_{π_{n+1}}(x)(ν/d)(x)D_{π_n}(π_{n+1}|x)] for every update', rhsIs: '[J(π_n) + Σ_x η_{π_{n+1}}(x)(ν/d)(x)D(x), J(π_n) + E_{x∼p0}[(ν/d)(x)D_{π_n}(π_{n+1}|x)]]',
    instances: mirrorCases,
    lhs: (x) => steps(x).flatMap((n) => { const wd = stepTerms(x, n).wd, J = evalAt(x)[n]!.J; return [evalAt(x)[n + 1]!.J, J.add(weightedBy(evalAt(x)[n + 1]!.eta, wd))]; }),
    rhs: (x) => steps(x).flatMap((n) => { const wd = stepTerms(x, n).wd, J = evalAt(x)[n]!.J; return [J.add(weightedBy(evalAt(x)[n + 1]!.eta, wd)), J.add(weightedBy(x.c.m.initial, wd))]; }),
    control: { description: 'the update read backwards: J(π_n) ≥ J(π_{n+1}) + the reverse step\'s bound', lhs: (x) => steps(x).map((n) => evalAt(x)[n]!.J), rhs: (x) => steps(x).map((n) => evalAt(x)[n + 1]!.J.add(weightedBy(x.c.m.initial, stepTerms(x, n, true).wd))) },
  }),
  defineStep<MirrorCase>({
    key: 'mirror.bounded-by-optimum', exact: true, relation: 'atLeast', implementedBy: ['policyIteration', 'evaluateExact'],
    lhsIs: '[V*(s) for every iterate and state; V*(s) for every action]: V* of the library\'s policy-iteration policy, evaluated exactly', rhsIs: '[V_{π_n}(s); Q*(s,a)] (the second part says V* is optimal: no action improves on it)',
    instances: mirrorCases,
    lhs: (x) => [...evalAt(x).flatMap(() => optimum(x).V), ...optimum(x).Q.map((_, i) => optimum(x).V[Math.floor(i / x.c.m.numActions)]!)],
    rhs: (x) => [...evalAt(x).flatMap((e) => e.V), ...optimum(x).Q],
    control: { description: 'the start policy\'s values V_{π_0} as the bound', lhs: (x) => evalAt(x).flatMap(() => evalAt(x)[0]!.V), rhs: (x) => evalAt(x).flatMap((e) => e.V) },
  }),
  defineStep<MirrorCase>({
    key: 'mirror.first-order-gain', exact: true, implementedBy: ['exactDirectionalDerivative', 'ppoExactTerm'],
    lhsIs: 'the exact one-sided derivative at t = 0⁺ of E_{a∼π+th}[A_π(s,a)] − (ν/d)(s) D_π(π + th|s), h = δ_b − π(·|s), at every iterate and state with full support, for every action b (PPO\'s drift; ε = 1/5 where the run has none)', rhsIs: 'A_π(s,b)',
    instances: mirrorCases,
    lhs: (x) => firstOrder(x).lhs,
    rhs: (x) => firstOrder(x).rhs,
    control: { description: '½·TV in place of the drift: the gain is A_π(s,b) − ½·½Σ_a|h_a|', lhs: (x) => firstOrder(x, true).lhs },
  }),
  defineStep<LimitCase>({
    key: 'mirror.limit-optimal', exact: false, tolerance: 1e-8, implementedBy: ['mirrorLearning'],
    lhsIs: 'V_{π_N}(s), the library\'s last record after N updates from the uniform policy (GPI 20, PPO ε = 0.2 150, TRPO δ = 0.05 15, stopping when stationary)', rhsIs: 'V*(s) by policy iteration',
    instances: limitCases,
    lhs: (x) => lastV(x),
    rhs: (x) => x.VStar,
    scale: (x) => Math.max(1, ...Array.from(x.VStar, Math.abs)),
    control: { description: 'the "drift" ½·TV (non-zero derivative at π̄ = π) on the built-in MDPs where it stops at a suboptimal fixed point', instances: () => tvTraps() },
  }),
];
