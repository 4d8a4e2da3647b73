/**
 * The checks of derivation 7, PPO as mirror learning (Lehmann 2024, §5.2.2; Kuba et al.
 * 2022; Schulman et al. 2017 for the clipped objective): every line of the drift
 * derivation — min(x, y) = x − max(0, x − y), the per-action forms, the decomposition, the
 * drift conditions of Definition 5.1 — exactly, in mathjs Fractions, for rational direct
 * policies on rational MDPs with the library's exact A_π and its generic (ordered-field)
 * PPO terms; then, in doubles, that the exact mirror update with PPO's drift maximizes
 * PPO's clipped objective.
 *
 * @module
 */
import { evaluatePolicy } from '../../src/exact/evaluate.js';
import { evaluateExact, type ExactEvaluation } from '../../src/exact/rational.js';
import { generalizedPolicyIteration, ppoInstance } from '../../src/mirror/instances.js';
import { clippedObjectivePerState } from '../../src/mirror/ppo.js';
import {
  clippedTermIn, exactDirectionalDerivative, orderedFractions, ppoDecompositionIn, ppoExactTerm, ppoTermIn, tvExactTerm,
} from '../../src/mirror/rational.js';
import { mirrorUpdate } from '../../src/mirror/update.js';
import { randomPolicyTable } from '../../src/verify/instances.js';
import { Rng } from '../../src/stats/rng.js';
import { defineStep, type Instance } from '../framework/step.js';
import { F, floatMDP, floats, fsum, q, rationalCases, type Fraction, type RationalCase } from './common.js';
import { memo } from './memo.js';

const O = orderedFractions;

/** A rational case, a candidate π̄, the clip ε, and how π̄ was chosen. */
interface PPOCase {
  readonly c: RationalCase;
  readonly eps: Fraction;
  /** π̄(a|s) at s*A + a. */
  readonly piBar: Fraction[];
  /** `far`: π̄ = β; `middle`: (π + β)/2; `near`: π + (β − π)/10; `worst`: all mass on argmin_a A_π(s,a). */
  readonly kind: 'far' | 'middle' | 'near' | 'worst';
}

const EPSILONS = ['1/5', '1/10', '1/2'];
const KINDS = ['far', 'middle', 'near'] as const;

function ppoCases(seed: number): Instance<PPOCase>[] {
  return rationalCases(seed + 71, { count: 9 }).map(({ label, data: c }, i) => {
    const kind = KINDS[i % 3]!, eps = q(EPSILONS[i % EPSILONS.length]!);
    const t = kind === 'far' ? F.one : kind === 'middle' ? q('1/2') : q('1/10');
    const piBar = c.pi.map((p, k) => p.add(t.mul(c.beta[k]!.sub(p))));
    return { label: `${label} ε=${eps.toFraction()} π̄ ${kind}`, data: { c, eps, piBar, kind } };
  });
}

/**
 * Candidates that move all the mass to the worst action, argmin_a A_π(s,a), with ε ≤ 1/5:
 * every π(a|s) ≤ 4/5 < 1/(1+ε), so the worst action's ratio exceeds 1 + ε while its
 * advantage is negative (in every state where A_π is not identically 0) — the case where
 * the max(0, ·) of the drift matters.
 */
function worstCases(seed: number): Instance<PPOCase>[] {
  return rationalCases(seed + 71, { count: 6 }).map(({ label, data: c }, i) => {
    const A = c.m.numActions, adv = evaluateExact(c.m, c.pi).A;
    const piBar = c.pi.map((_, k) => {
      const s = Math.floor(k / A), row = adv.slice(s * A, s * A + A);
      const worst = row.reduce((b, v, a) => (v.compare(row[b]!) < 0 ? a : b), 0);
      return k % A === worst ? F.one : F.zero;
    });
    const eps = q(i % 2 ? '1/10' : '1/5');
    return { label: `${label} ε=${eps.toFraction()} π̄ worst`, data: { c, eps, piBar, kind: 'worst' as const } };
  });
}

/**
 * Cases with a state where two actions have positive advantage (up to 4 actions, ε = 1/10,
 * so (1+ε)π(a|s) < 1): there greedy forgoes the second action's (1+ε)π·A and is not a
 * maximizer of the clipped objective.
 */
function twoPositive(seed: number): Instance<PPOCase>[] {
  return rationalCases(seed + 73, { count: 12, maxActions: 4 }).filter(({ data: c }) => {
    const A = c.m.numActions, adv = evaluateExact(c.m, c.pi).A;
    return Array.from({ length: c.m.numStates }, (_, s) => adv.slice(s * A, s * A + A).filter((v) => v.compare(F.zero) > 0).length).some((k) => k >= 2);
  }).map(({ label, data: c }) => ({ label: `${label} ε=1/10`, data: { c, eps: q('1/10'), piBar: c.beta, kind: 'far' as const } }));
}

const exact = memo((x: PPOCase): ExactEvaluation => evaluateExact(x.c.m, x.c.pi));
const dims = (x: PPOCase) => ({ S: x.c.m.numStates, A: x.c.m.numActions });
const pairs = (x: PPOCase) => Array.from({ length: dims(x).S * dims(x).A }, (_, i) => i);

const maxF = (a: Fraction, b: Fraction) => (a.compare(b) >= 0 ? a : b);
/** clip(r, 1 − ε, 1 + ε), written out here (not the library's `clipIn`). */
const clip = (r: Fraction, eps: Fraction) => (r.compare(F.one.sub(eps)) < 0 ? F.one.sub(eps) : r.compare(F.one.add(eps)) > 0 ? F.one.add(eps) : r);

/** π(a|s)·min(rA, clip(r)A) from the library's generic PPO term. */
const libraryClipped = (x: PPOCase, i: number) => clippedTermIn(O, x.piBar[i]!, x.c.pi[i]!, exact(x).A[i]!, x.eps);
/** π(a|s)·max(0, (r − clip r)A) from the library. */
const libraryTerm = (x: PPOCase, i: number, piBar = x.piBar) => ppoTermIn(O, piBar[i]!, x.c.pi[i]!, exact(x).A[i]!, x.eps);

/** π̄A − π·max(0, s·(rA − clip(r)A)) with s = 1 (right) or s = −1 (the wrong variant max(0, y − x)). */
function minByMax(x: PPOCase, i: number, sign: 1 | -1 = 1): Fraction {
  const p = x.c.pi[i]!, xb = x.piBar[i]!, adv = exact(x).A[i]!, r = xb.div(p);
  const diff = r.mul(adv).sub(clip(r, x.eps).mul(adv));
  return xb.mul(adv).sub(p.mul(maxF(F.zero, sign === 1 ? diff : diff.neg())));
}

/** The per-action case form: A·max(0, π̄ − (1+ε)π) for A ≥ 0, |A|·max(0, (1−ε)π − π̄) for A < 0; `swap` exchanges the bounds. */
function caseForm(x: PPOCase, i: number, swap = false, piBar = x.piBar): Fraction {
  const p = x.c.pi[i]!, xb = piBar[i]!, adv = exact(x).A[i]!;
  const up = F.one.add(swap ? x.eps.neg() : x.eps), down = F.one.sub(swap ? x.eps.neg() : x.eps);
  return adv.compare(F.zero) >= 0 ? adv.mul(maxF(F.zero, xb.sub(up.mul(p)))) : adv.neg().mul(maxF(F.zero, down.mul(p).sub(xb)));
}

/** Per state: Σ_a f(s·A + a). */
const perState = (x: PPOCase, f: (i: number) => Fraction) => Array.from({ length: dims(x).S }, (_, s) => fsum(Array.from({ length: dims(x).A }, (_, a) => f(s * dims(x).A + a))));

/** E_{a∼π̄}[A_π(s,a)] per state. */
const expectedAdvantage = (x: PPOCase) => perState(x, (i) => x.piBar[i]!.mul(exact(x).A[i]!));

/** The decomposition's right side per state, E_π̄[A] − D with D from the case form (no max(0,·) when `positivePart` is false). */
function decompositionRhs(x: PPOCase, positivePart = true): Fraction[] {
  const ea = expectedAdvantage(x);
  const d = perState(x, (i) => {
    if (positivePart) return caseForm(x, i);
    const p = x.c.pi[i]!, r = x.piBar[i]!.div(p), adv = exact(x).A[i]!;
    return p.mul(r.sub(clip(r, x.eps)).mul(adv));
  });
  return ea.map((e, s) => e.sub(d[s]!));
}

/** The tangent direction h(s,·) of the case in state s. */
const tangentRow = (x: PPOCase, s: number) => x.c.tangent.slice(s * dims(x).A, (s + 1) * dims(x).A);
const piRow = (x: PPOCase, s: number) => x.c.pi.slice(s * dims(x).A, (s + 1) * dims(x).A);
const advRow = (x: PPOCase, s: number) => exact(x).A.slice(s * dims(x).A, (s + 1) * dims(x).A);

/** The exact one-sided derivative at π̄ = π along the case's tangent direction, per state with h ≠ 0. */
function derivativeAtPi(x: PPOCase, term: 'ppo' | 'tv'): Fraction[] {
  const out: Fraction[] = [];
  for (let s = 0; s < dims(x).S; s++) {
    const h = tangentRow(x, s), p = piRow(x, s);
    if (h.every((v) => v.n === 0n)) continue;
    const t = term === 'ppo' ? ppoExactTerm(O, p, advRow(x, s), x.eps) : tvExactTerm(O, p, q('1/2'));
    out.push(exactDirectionalDerivative(O, t, p, h));
  }
  return out;
}

/** Σ_s d(s) [E_π̄[Q] − D(π̄|s)] − Σ_s d(s) V(s), with D from the library. */
function mirrorForm(x: PPOCase): Fraction[] {
  const e = exact(x);
  const eq = perState(x, (i) => x.piBar[i]!.mul(e.Q[i]!)), d = perState(x, (i) => libraryTerm(x, i));
  return [fsum(eq.map((v, s) => e.d[s]!.mul(v.sub(d[s]!).sub(e.V[s]!))))];
}

// ─── the mirror update (doubles) ──────────────────────────────────────────────────────

/** The float MDP, the policy π, its evaluation, ε, and candidate policies. */
interface UpdateCase {
  readonly x: PPOCase;
  readonly piF: Float64Array;
  readonly adv: Float64Array;
  readonly candidates: Float64Array[];
  readonly ppo: Float64Array;
  readonly greedy: Float64Array;
}

const updateCase = memo((x: PPOCase): UpdateCase => {
  const mdp = floatMDP(x.c.m), piF = floats(x.c.pi), ev = evaluatePolicy(mdp, piF);
  const { S, A } = dims(x), eps = x.eps.valueOf();
  const ppo = mirrorUpdate(mdp, piF, ev, ppoInstance(eps)).policy;
  const greedy = mirrorUpdate(mdp, piF, ev, generalizedPolicyIteration()).policy;
  const rng = Rng.from(S * 131 + A).split(x.c.pi.length);
  const candidates = [piF, floats(x.c.beta), floats(x.piBar), greedy, ...Array.from({ length: 12 }, () => randomPolicyTable(rng, S, A, 0))];
  return { x, piF, adv: ev.A, candidates, ppo, greedy };
});

/** L^CLIP(π̄|s) per state for the policy `pi`, and the best over the candidates (and `extra`). */
const clipped = (u: UpdateCase, pi: Float64Array) => clippedObjectivePerState(u.piF, pi, u.adv, dims(u.x).S, dims(u.x).A, u.x.eps.valueOf());
function bestCandidate(u: UpdateCase, extra: Float64Array[] = []): Float64Array {
  const all = [...u.candidates, ...extra].map((p) => clipped(u, p));
  return all[0]!.map((_, s) => Math.max(...all.map((v) => v[s]!)));
}

export const ppoChecks = [
  defineStep<PPOCase>({
    key: 'ppo.min-identity', exact: true, implementedBy: ['clippedTermIn'],
    lhsIs: 'π(a|s)·min(rA, clip(r, 1−ε, 1+ε)A) from the library\'s generic clipped term, for every (s, a)', rhsIs: 'π̄(a|s)A − π(a|s)·max(0, rA − clip(r)A), with clip and max written out in the check',
    instances: ppoCases,
    lhs: (x) => pairs(x).map((i) => libraryClipped(x, i)),
    rhs: (x) => pairs(x).map((i) => minByMax(x, i)),
    control: { description: 'min(x, y) = x − max(0, y − x) (the difference taken the wrong way round), on candidates that move all mass to the worst action', instances: worstCases, rhs: (x) => pairs(x).map((i) => minByMax(x, i, -1)) },
  }),
  defineStep<PPOCase>({
    key: 'ppo.per-action', exact: true, implementedBy: ['ppoTermIn', 'ppoTerm'],
    lhsIs: 'π(a|s)·max(0, (r − clip(r))A) from the library\'s generic PPO term, for every (s, a)', rhsIs: 'A·max(0, π̄ − (1+ε)π) for A ≥ 0 and |A|·max(0, (1−ε)π − π̄) for A < 0',
    instances: ppoCases,
    lhs: (x) => pairs(x).map((i) => libraryTerm(x, i)),
    rhs: (x) => pairs(x).map((i) => caseForm(x, i)),
    control: { description: 'the two clip bounds exchanged ((1−ε)π for A > 0, (1+ε)π for A < 0)', rhs: (x) => pairs(x).map((i) => caseForm(x, i, true)) },
  }),
  defineStep<PPOCase>({
    key: 'ppo.decomposition', exact: true, implementedBy: ['clippedTermIn', 'ppoDecompositionIn', 'ppoDecomposition'],
    lhsIs: 'per state Σ_a π·min(rA, clip(r)A) from the library, then the library\'s own decomposition residuals ppoDecompositionIn', rhsIs: 'E_{a∼π̄}[A_π(s,a)] − Σ_a (the per-action case form), computed in the check; zeros for the residuals',
    instances: ppoCases,
    lhs: (x) => [...perState(x, (i) => libraryClipped(x, i)), ...ppoDecompositionIn(O, x.c.pi, x.piBar, exact(x).A, dims(x).S, dims(x).A, x.eps).differences],
    rhs: (x) => [...decompositionRhs(x), ...Array.from({ length: dims(x).S }, () => F.zero)],
    control: {
      description: 'the drift without the max(0, ·) — both in the check\'s right side and in the library\'s positivePart = false variant — on candidates that move all mass to the worst action',
      instances: worstCases,
      lhs: (x) => [...perState(x, (i) => libraryClipped(x, i)), ...ppoDecompositionIn(O, x.c.pi, x.piBar, exact(x).A, dims(x).S, dims(x).A, x.eps, false).differences],
      rhs: (x) => [...decompositionRhs(x, false), ...Array.from({ length: dims(x).S }, () => F.zero)],
    },
  }),
  defineStep<PPOCase>({
    key: 'ppo.mirror-objective', exact: true, implementedBy: ['evaluateExact', 'ppoTermIn'],
    lhsIs: 'Σ_s d_π(s) Σ_a π·min(rA, clip(r)A), the clipped objective under the library\'s exact d_π', rhsIs: 'Σ_s d_π(s) [E_{a∼π̄}[Q_π(s,a)] − D_π(π̄|s) − V_π(s)] with the library\'s Q, V and PPO terms',
    instances: ppoCases,
    lhs: (x) => [fsum(perState(x, (i) => libraryClipped(x, i)).map((v, s) => exact(x).d[s]!.mul(v)))],
    rhs: (x) => mirrorForm(x),
    control: { description: 'the constant E_{s∼d}[V_π(s)] forgotten (the objective read as E_π̄[Q] − D itself)', rhs: (x) => [mirrorForm(x)[0]!.add(fsum(exact(x).V.map((v, s) => exact(x).d[s]!.mul(v))))] },
  }),
  defineStep<PPOCase>({
    key: 'ppo.drift-nonnegative', exact: true, relation: 'atLeast', implementedBy: ['ppoTermIn', 'ppoDrift'],
    lhsIs: 'π(a|s)·max(0, (r − clip r)A) from the library, for every (s, a) (so every D_π(π̄|s) ≥ 0)', rhsIs: '0',
    instances: ppoCases,
    lhs: (x) => pairs(x).map((i) => libraryTerm(x, i)),
    rhs: (x) => pairs(x).map(() => F.zero),
    control: {
      description: 'the term without the max(0, ·), π(a|s)(r − clip r)A, on candidates that move all mass to the worst action',
      instances: worstCases,
      lhs: (x) => pairs(x).map((i) => { const p = x.c.pi[i]!, r = x.piBar[i]!.div(p); return p.mul(r.sub(clip(r, x.eps)).mul(exact(x).A[i]!)); }),
    },
  }),
  defineStep<PPOCase>({
    key: 'ppo.drift-zero', exact: true, implementedBy: ['ppoTermIn', 'ppoDrift'],
    lhsIs: 'D_π(π|s) = Σ_a (the library\'s PPO term at π̄ = π), per state', rhsIs: '0',
    instances: ppoCases,
    lhs: (x) => perState(x, (i) => libraryTerm(x, i, x.c.pi)),
    rhs: (x) => perState(x, () => F.zero),
    control: { description: 'the clip forgotten: E_{a∼π}[max(0, rA)] at r = 1', lhs: (x) => perState(x, (i) => x.c.pi[i]!.mul(maxF(F.zero, exact(x).A[i]!))) },
  }),
  defineStep<PPOCase>({
    key: 'ppo.drift-derivative', exact: true, implementedBy: ['exactDirectionalDerivative', 'ppoExactTerm'],
    lhsIs: 'the exact one-sided derivative lim_{t→0⁺} D_π(π + t h|s)/t from the library (piecewise linear below the first kink), per state, h a random rational direction with Σ_a h_a = 0', rhsIs: '0',
    instances: ppoCases,
    lhs: (x) => derivativeAtPi(x, 'ppo'),
    rhs: (x) => derivativeAtPi(x, 'ppo').map(() => F.zero),
    control: { description: '½·TV in place of PPO\'s drift: its derivative is ½·½Σ_a|h_a| ≠ 0', lhs: (x) => derivativeAtPi(x, 'tv') },
  }),
  defineStep<PPOCase>({
    key: 'ppo.mirror-update', exact: false, tolerance: 1e-12, relation: 'atLeast', implementedBy: ['mirrorUpdate', 'ppoDrift', 'clippedObjectivePerState'],
    lhsIs: 'L^CLIP(π_new|s) in every state, π_new the library\'s exact mirror update with PPO\'s drift (ν = d, trivial neighbourhood), in doubles', rhsIs: 'the largest L^CLIP(π̄|s) over 16 candidates: π, β, π̄, the greedy policy and 12 random policies',
    instances: ppoCases,
    lhs: (x) => clipped(updateCase(x), updateCase(x).ppo),
    rhs: (x) => bestCandidate(updateCase(x)),
    scale: (x) => Math.max(1e-12, ...Array.from(updateCase(x).adv, Math.abs)),
    control: {
      description: 'the greedy update of generalized policy iteration (the trivial drift) in place of PPO\'s, compared with the candidates and PPO\'s update, on cases with a state where two actions have positive advantage',
      instances: twoPositive,
      lhs: (x) => clipped(updateCase(x), updateCase(x).greedy),
      rhs: (x) => bestCandidate(updateCase(x), [updateCase(x).ppo]),
    },
  }),
];
