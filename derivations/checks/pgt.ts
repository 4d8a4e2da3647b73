/**
 * The checks of derivation 1, the policy gradient theorem (Lehmann 2024, Theorem 3.1;
 * Sutton et al. 2000): every line of the unrolling, exactly, along a random direction v in
 * the direct parameterization (D_v π(a|s) = v(s,a)); then the discounted and episodic
 * normalizations, and the log-derivative form in floating point.
 *
 * @module
 */
import { evaluatePolicy } from '../../src/exact/evaluate.js';
import { gradientForwardMode } from '../../src/exact/autodiff.js';
import { evaluateExact, exactPolicyGradient } from '../../src/exact/rational.js';
import type { MDPIn } from '../../src/mdp/generic.js';
import { standardInstances, type Instance as LibraryInstance } from '../../src/verify/instances.js';
import { defineStep, type Instance } from '../framework/step.js';
import { F, fdot, fpow, fsum, kStep, policyMatrix, q, rationalCases, dualEvaluation, timesCol, rowTimes, type Fraction, type RationalCase } from './common.js';
import { memo } from './memo.js';

const dual = memo((c: RationalCase) => dualEvaluation(c.m, c.pi, c.v));
const exact = memo((c: RationalCase) => evaluateExact(c.m, c.pi));
const Ppi = memo((c: RationalCase) => policyMatrix(c.m, c.pi));

const live = (m: MDPIn<Fraction>) => Array.from({ length: m.numStates }, (_, s) => s).filter((s) => !m.terminal[s]);
const dV = (c: RationalCase) => dual(c).V.map((x) => x.du);
const dQ = (c: RationalCase) => dual(c).Q.map((x) => x.du);

/** φ(s) = Σ_a D_vπ(a|s) Q(s,a), with Q from the library's exact evaluation. */
const phi = memo((c: RationalCase) => {
  const { numStates: S, numActions: A } = c.m;
  const Q = exact(c).Q;
  return Array.from({ length: S }, (_, s) => fdot(c.v.slice(s * A, s * A + A), Q.slice(s * A, s * A + A)));
});

const cases = (seed: number) => rationalCases(seed);
const discounted = (seed: number) => rationalCases(seed).filter((x) => !x.data.m.undiscounted);
const episodic = (seed: number) => rationalCases(seed, { regime: 'episodic', count: 4 });

/** Σ_{k<K} γ^k ρ(s→·,k)·φ + γ^K ρ(s→·,K)·D_vV, for every live s. */
function unrolled(c: RationalCase, K: number, opts: { remainder?: boolean; discountInside?: boolean } = {}): Fraction[] {
  const P = Ppi(c), g = c.m.gamma;
  return live(c.m).map((s) => {
    let acc = F.zero;
    for (let k = 0; k < K; k++) acc = acc.add((opts.discountInside === false ? F.one : fpow(g, k)).mul(fdot(kStep(P, s, k), phi(c))));
    if (opts.remainder !== false) acc = acc.add(fpow(g, K).mul(fdot(kStep(P, s, K), dV(c))));
    return acc;
  });
}

/** η_s: the library's exact visitation with p0 = δ_s. */
const etaFrom = memo((c: RationalCase) => live(c.m).map((s) => evaluateExact({ ...c.m, initial: c.m.initial.map((_, t) => (t === s ? F.one : F.zero)) }, c.pi)));

/** The expected number of decisions E[T]: J of the same MDP with reward 1 for every action of a live state. */
const episodeLength = memo((c: RationalCase) => {
  const ones = c.m.r.map((_, i) => (c.m.terminal[Math.floor(i / c.m.numActions)] ? F.zero : F.one));
  return evaluateExact({ ...c.m, r: ones }, c.pi).J;
});

const liveOnly = (c: RationalCase, x: readonly Fraction[]) => live(c.m).map((s) => x[s]!);

export const pgtChecks = [
  defineStep<RationalCase>({
    key: 'pgt.value-average', exact: true, implementedBy: ['evaluateExact', 'evaluateIn'],
    lhsIs: 'V(s) from the exact solve', rhsIs: 'Σ_a π(a|s) Q(s,a) with the exact Q',
    instances: cases,
    lhs: (c) => liveOnly(c, exact(c).V),
    rhs: (c) => live(c.m).map((s) => fdot(c.pi.slice(s * c.m.numActions, (s + 1) * c.m.numActions), exact(c).Q.slice(s * c.m.numActions, (s + 1) * c.m.numActions))),
    control: {
      description: 'max_a Q(s,a) in place of the π-average (the optimality equation, not the policy\'s)',
      rhs: (c) => live(c.m).map((s) => exact(c).Q.slice(s * c.m.numActions, (s + 1) * c.m.numActions).reduce((a, b) => (a.compare(b) >= 0 ? a : b))),
    },
  }),
  defineStep<RationalCase>({
    key: 'pgt.product-rule', exact: true, implementedBy: ['evaluateIn', 'DualField'],
    lhsIs: 'D_v V(s) by dual numbers through the exact solve', rhsIs: 'Σ_a v(s,a) Q(s,a) + Σ_a π(a|s) D_v Q(s,a)',
    instances: cases,
    lhs: (c) => liveOnly(c, dV(c)),
    rhs: (c) => live(c.m).map((s) => phi(c)[s]!.add(fdot(c.pi.slice(s * c.m.numActions, (s + 1) * c.m.numActions), dQ(c).slice(s * c.m.numActions, (s + 1) * c.m.numActions)))),
    control: {
      description: 'the second term Σ_a π ∇Q dropped (Q treated as independent of θ)',
      rhs: (c) => liveOnly(c, phi(c)),
    },
  }),
  defineStep<RationalCase>({
    key: 'pgt.q-gradient', exact: true, implementedBy: ['evaluateIn', 'actionValues'],
    lhsIs: 'D_v Q(s,a) by dual numbers', rhsIs: 'γ Σ_s′ P(s′|s,a) D_v V(s′)',
    instances: cases,
    lhs: (c) => dQ(c),
    rhs: (c) => c.m.r.map((_, i) => c.m.gamma.mul(fdot(c.m.P.slice(i * c.m.numStates, (i + 1) * c.m.numStates), dV(c)))),
    control: {
      description: 'the discount dropped (∇Q = Σ P ∇V)',
      instances: discounted,
      rhs: (c) => c.m.r.map((_, i) => fdot(c.m.P.slice(i * c.m.numStates, (i + 1) * c.m.numStates), dV(c))),
    },
  }),
  defineStep<RationalCase>({
    key: 'pgt.recursion', exact: true, implementedBy: ['evaluateIn'],
    lhsIs: 'D_v V(s) by dual numbers', rhsIs: 'φ(s) + γ Σ_s′ P_π(s′|s) D_v V(s′), φ from the exact Q',
    instances: cases,
    lhs: (c) => liveOnly(c, dV(c)),
    rhs: (c) => { const x = timesCol(Ppi(c), dV(c)); return live(c.m).map((s) => phi(c)[s]!.add(c.m.gamma.mul(x[s]!))); },
    control: {
      description: 'P_π read backwards (P_πᵀ: flows into s instead of out of s)',
      rhs: (c) => { const x = rowTimes(dV(c), Ppi(c)); return live(c.m).map((s) => phi(c)[s]!.add(c.m.gamma.mul(x[s]!))); },
    },
  }),
  defineStep<RationalCase>({
    key: 'pgt.unroll-2', exact: true, implementedBy: ['evaluateIn'],
    lhsIs: 'D_v V(s) by dual numbers', rhsIs: 'φ(s) + γ ρ(s→·,1)·φ + γ² ρ(s→·,2)·D_v V, with ρ = powers of P_π',
    instances: cases,
    lhs: (c) => liveOnly(c, dV(c)),
    rhs: (c) => unrolled(c, 2),
    control: { description: 'the remainder γ² ρ(s→·,2)·∇V dropped (the unrolling cut off)', rhs: (c) => unrolled(c, 2, { remainder: false }) },
  }),
  defineStep<RationalCase>({
    key: 'pgt.unroll-k', exact: true, implementedBy: ['evaluateIn'],
    lhsIs: 'D_v V(s) by dual numbers, for K = 1…5', rhsIs: 'Σ_{k<K} γ^k ρ(s→·,k)·φ + γ^K ρ(s→·,K)·D_v V',
    instances: cases,
    lhs: (c) => [1, 2, 3, 4, 5].flatMap(() => liveOnly(c, dV(c))),
    rhs: (c) => [1, 2, 3, 4, 5].flatMap((K) => unrolled(c, K)),
    control: { description: 'the γ^k dropped inside the sum', instances: discounted, rhs: (c) => [1, 2, 3, 4, 5].flatMap((K) => unrolled(c, K, { discountInside: false })) },
  }),
  defineStep<RationalCase>({
    key: 'pgt.unrolled', exact: true, implementedBy: ['evaluateExact'],
    lhsIs: 'D_v V(s) by dual numbers', rhsIs: 'Σ_x η_s(x) φ(x), η_s the library\'s exact visitation from p0 = δ_s',
    instances: cases,
    lhs: (c) => liveOnly(c, dV(c)),
    rhs: (c) => etaFrom(c).map((e) => fdot(e.eta, phi(c))),
    control: { description: 'the normalized d_s in place of η_s (the horizon factor dropped)', rhs: (c) => etaFrom(c).map((e) => fdot(e.d, phi(c))) },
  }),
  defineStep<RationalCase>({
    key: 'pgt.visitation', exact: true, implementedBy: ['evaluateExact', 'evaluatePolicy'],
    lhsIs: 'η from the library (a transposed linear solve)', rhsIs: 'p0(x′) + γ Σ_x η(x) P_π(x′|x), substituted',
    instances: cases,
    lhs: (c) => (c.m.undiscounted ? liveOnly(c, exact(c).eta) : exact(c).eta),
    rhs: (c) => {
      const flow = rowTimes(exact(c).eta, Ppi(c)).map((x, t) => c.m.initial[t]!.add(c.m.gamma.mul(x)));
      return c.m.undiscounted ? liveOnly(c, flow) : flow;
    },
    control: {
      description: 'P_π in place of P_πᵀ (η gathered from successors)',
      rhs: (c) => {
        const flow = timesCol(Ppi(c), exact(c).eta).map((x, t) => c.m.initial[t]!.add(c.m.gamma.mul(x)));
        return c.m.undiscounted ? liveOnly(c, flow) : flow;
      },
    },
  }),
  defineStep<RationalCase>({
    key: 'pgt.theorem', exact: true, implementedBy: ['exactPolicyGradient', 'policyGradient'],
    lhsIs: 'D_v J = Σ_s p0(s) D_v V(s) by dual numbers', rhsIs: 'v · ∇J from the library\'s theorem, ∂J/∂θ(s,a) = η(s) Q(s,a)',
    instances: cases,
    lhs: (c) => [dual(c).J.du],
    rhs: (c) => [fdot(c.v, exactPolicyGradient(c.m, c.pi, exact(c)))],
    control: {
      description: 'the normalized d in place of η',
      rhs: (c) => [fdot(c.v, exact(c).Q.map((x, i) => exact(c).d[Math.floor(i / c.m.numActions)]!.mul(x)))],
    },
  }),
  defineStep<RationalCase>({
    key: 'pgt.discounted-form', exact: true, implementedBy: ['evaluateExact'],
    lhsIs: 'D_v J by dual numbers (γ < 1)', rhsIs: '(1/(1−γ)) Σ_s d(s) φ(s) with the library\'s d, and Σ_s d(s) = 1',
    instances: discounted,
    lhs: (c) => [dual(c).J.du, F.one],
    rhs: (c) => [fdot(exact(c).d, phi(c)).div(F.one.sub(c.m.gamma)), fsum(exact(c).d)],
    control: { description: 'the 1/(1−γ) factor dropped', rhs: (c) => [fdot(exact(c).d, phi(c)), fsum(exact(c).d)] },
  }),
  defineStep<RationalCase>({
    key: 'pgt.episode-length', exact: true, implementedBy: ['evaluateExact'],
    lhsIs: 'Σ_s η(s) from the library (γ = 1)', rhsIs: 'E[T]: J of the same MDP with reward 1 per decision',
    instances: episodic,
    lhs: (c) => [exact(c).horizon],
    rhs: (c) => [episodeLength(c)],
    control: { description: 'Σ_s d(s) (= 1) in place of Σ_s η(s)', lhs: (c) => [fsum(exact(c).d)] },
  }),
  defineStep<RationalCase>({
    key: 'pgt.episodic-form', exact: true, implementedBy: ['evaluateExact', 'exactPolicyGradient'],
    lhsIs: 'D_v J by dual numbers (γ = 1)', rhsIs: 'E[T] · Σ_s d(s) φ(s), E[T] by the reward-1 evaluation',
    instances: episodic,
    lhs: (c) => [dual(c).J.du],
    rhs: (c) => [episodeLength(c).mul(fdot(exact(c).d, phi(c)))],
    control: { description: 'the proportionality constant η = E[T] dropped (∝ read as =)', rhs: (c) => [fdot(exact(c).d, phi(c))] },
  }),
  defineStep<LibraryInstance>({
    key: 'pgt.log-derivative', exact: false, tolerance: 1e-8, implementedBy: ['Parameterization.addScore', 'evaluatePolicy', 'gradientForwardMode'],
    lhsIs: '∇J by forward-mode AD through the solve (floating point)', rhsIs: '(Σ η) Σ_s d(s) Σ_a π(a|s) ∇log π(a|s) Q(s,a) with the library\'s score',
    instances: (seed) => standardInstances(seed).map((x) => ({ label: x.label, data: x })),
    lhs: (x) => gradientForwardMode(x.mdp, x.policy),
    rhs: (x) => scoreForm(x, true),
    control: { description: 'the expectation over a taken without the weights π(a|s)', instances: (seed) => standardInstances(seed).filter((x) => x.mdp.gamma > 0).map((x) => ({ label: x.label, data: x })), rhs: (x) => scoreForm(x, false) },
  }),
];

/** (Σ η) Σ_s d(s) Σ_a π(a|s) Q(s,a) ∇log π(a|s), with `weighted = false` dropping π(a|s). */
function scoreForm(x: LibraryInstance, weighted: boolean): Float64Array {
  const { param, theta } = x.policy;
  const pi = param.probs(theta);
  const ev = evaluatePolicy(x.mdp, pi);
  const A = x.mdp.numActions;
  const g = new Float64Array(param.numParams);
  for (let s = 0; s < x.mdp.numStates; s++) {
    if (ev.d[s] === 0) continue;
    for (let a = 0; a < A; a++) {
      const w = ev.horizon * ev.d[s]! * (weighted ? pi[s * A + a]! : 1) * ev.Q[s * A + a]!;
      if (w !== 0) param.addScore(theta, s, a, w, g);
    }
  }
  return g;
}

export type { Instance };
void q;
