/**
 * The checks of derivation 3, REINFORCE and its causality (reward-to-go) lemma with the
 * γ^t factor (Williams 1992; Lehmann 2024, §3.2), exactly: the objective is the horizon-H
 * return J_H = E[Σ_{t<H} γ^t r_t], expectations over trajectories are sums over every
 * trajectory of length H, and the true gradient is the library's policy gradient theorem on
 * the time-augmented MDP (the policy tied across time). Directions v are tangent to the
 * simplices, where the direct parameterization's score has zero mean.
 *
 * @module
 */
import { Dual, DualField } from '../../src/field/dual-numbers.js';
import { evaluateExact, exactPolicyGradient } from '../../src/exact/rational.js';
import { defineStep, type Instance } from '../framework/step.js';
import {
  F, discountedReturn, expectation, fdot, forEachTrajectory, fpow, smallCases, tiedGradient, timeAugmented, timeAugmentedPolicy,
  type Fraction, type RationalCase, type Trajectory,
} from './common.js';
import { memo } from './memo.js';

/** The horizon of the enumerated trajectories. */
export const HORIZON = 3;
const H = HORIZON;

const aug = memo((c: RationalCase) => {
  const { numStates: S, numActions: A } = c.m;
  const m = timeAugmented(c.m, H), pi = timeAugmentedPolicy(c.pi, S, A, H);
  return { m, pi, ev: evaluateExact(m, pi) };
});

/** D_v J_H from the library's theorem on the time-augmented MDP, tied over time. */
const trueGradient = memo((c: RationalCase) => {
  const a = aug(c);
  return fdot(c.tangent, tiedGradient(exactPolicyGradient(a.m, a.pi, a.ev), c.m.numStates, c.m.numActions, H));
});

/** D_v log π(a|s) = v(s,a)/π(a|s) for the direct parameterization. */
const score = (c: RationalCase, s: number, a: number) => c.tangent[s * c.m.numActions + a]!.div(c.pi[s * c.m.numActions + a]!);

const cases = (seed: number) => smallCases(seed);
const discounted = (seed: number) => smallCases(seed).filter((x) => !x.data.m.undiscounted);

/** E_τ[Σ_t w_t(τ) · D_v log π(a_t|s_t)] for a per-time weight. */
function scoreSum(c: RationalCase, w: (tau: Trajectory, t: number) => Fraction, useScore = true): Fraction[] {
  return expectation(c.m, c.pi, H, (tau) => {
    let g = F.zero;
    for (let t = 0; t < H; t++) g = g.add(w(tau, t).mul(useScore ? score(c, tau.s[t]!, tau.a[t]!) : c.tangent[tau.s[t]! * c.m.numActions + tau.a[t]!]!));
    return [g];
  });
}

/** The density p_θ(τ) with π given in any field (dual numbers for its derivative). */
function densityDual(c: RationalCase, tau: Trajectory): Dual<Fraction> {
  const D = DualField(F);
  const A = c.m.numActions, S = c.m.numStates;
  let p = new Dual(c.m.initial[tau.s[0]!]!, F.zero);
  for (let t = 0; t < H; t++) {
    const i = tau.s[t]! * A + tau.a[t]!;
    p = D.mul(p, new Dual(c.pi[i]!, c.tangent[i]!));
    if (t + 1 < H) p = D.mul(p, new Dual(c.m.P[i * S + tau.s[t + 1]!]!, F.zero));
  }
  return p;
}

function perTrajectory(c: RationalCase, f: (tau: Trajectory) => Fraction): Fraction[] {
  const out: Fraction[] = [];
  forEachTrajectory(c.m, c.pi, H, (tau) => out.push(f(tau)));
  return out;
}

/** E[D_v log π(a_t|s_t) γ^k r_k] for every pair with k < t (past) or k = t (present). */
function pairs(c: RationalCase, present: boolean): Fraction[] {
  const out: Fraction[] = [];
  for (let t = 0; t < H; t++) {
    for (let k = 0; k <= t; k++) {
      if ((k === t) !== present) continue;
      out.push(expectation(c.m, c.pi, H, (tau) => [score(c, tau.s[t]!, tau.a[t]!).mul(fpow(c.m.gamma, k)).mul(tau.r[k]!)])[0]!);
    }
  }
  return out;
}

/** Σ_{k=from}^{H−1} γ^k r_k. */
function tail(tau: Trajectory, gamma: Fraction, from: number): Fraction {
  let g = F.zero;
  for (let k = from; k < H; k++) g = g.add(fpow(gamma, k).mul(tau.r[k]!));
  return g;
}

export const causalityChecks = [
  defineStep<RationalCase>({
    key: 'reinforce.trajectory-score', exact: true, implementedBy: ['DualField'],
    lhsIs: 'D_v p_θ(τ) / p_θ(τ), the density differentiated in dual numbers (dynamics included)', rhsIs: 'Σ_t D_v log π(a_t|s_t) = Σ_t v(s_t,a_t)/π(a_t|s_t)',
    instances: cases,
    lhs: (c) => perTrajectory(c, (tau) => { const p = densityDual(c, tau); return p.du.div(p.re); }),
    rhs: (c) => perTrajectory(c, (tau) => tau.s.reduce((acc, s, t) => acc.add(score(c, s, tau.a[t]!)), F.zero)),
    control: { description: 'Σ_t ∇π(a_t|s_t) in place of Σ_t ∇log π(a_t|s_t)', rhs: (c) => perTrajectory(c, (tau) => tau.s.reduce((acc, s, t) => acc.add(c.tangent[s * c.m.numActions + tau.a[t]!]!), F.zero)) },
  }),
  defineStep<RationalCase>({
    key: 'reinforce.likelihood-ratio', exact: true, implementedBy: ['exactPolicyGradient', 'evaluateExact'],
    lhsIs: 'D_v J_H from the library\'s theorem on the time-augmented MDP', rhsIs: 'E_τ[(Σ_t D_v log π(a_t|s_t)) R(τ)] over every trajectory',
    instances: cases,
    lhs: (c) => [trueGradient(c)],
    rhs: (c) => scoreSum(c, (tau) => discountedReturn(tau, c.m.gamma)),
    control: { description: '∇π in place of ∇log π (the density ratio forgotten)', rhs: (c) => scoreSum(c, (tau) => discountedReturn(tau, c.m.gamma), false) },
  }),
  defineStep<RationalCase>({
    key: 'reinforce.past-rewards', exact: true, implementedBy: [],
    lhsIs: 'E[D_v log π(a_t|s_t) γ^k r_k] for every k < t < H, enumerated', rhsIs: '0',
    instances: cases,
    lhs: (c) => pairs(c, false),
    rhs: (c) => pairs(c, false).map(() => F.zero),
    control: { description: 'the present reward k = t (it depends on a_t)', lhs: (c) => pairs(c, true), rhs: (c) => pairs(c, true).map(() => F.zero) },
  }),
  defineStep<RationalCase>({
    key: 'reinforce.reward-to-go', exact: true, implementedBy: ['exactPolicyGradient'],
    lhsIs: 'D_v J_H from the library\'s theorem', rhsIs: 'E[Σ_t D_v log π(a_t|s_t) Σ_{k≥t} γ^k r_k], enumerated',
    instances: cases,
    lhs: (c) => [trueGradient(c)],
    rhs: (c) => scoreSum(c, (tau, t) => tail(tau, c.m.gamma, t)),
    control: { description: 'the reward-to-go started one step late (Σ_{k>t}: r_t left out)', rhs: (c) => scoreSum(c, (tau, t) => tail(tau, c.m.gamma, t + 1)) },
  }),
  defineStep<RationalCase>({
    key: 'reinforce.gamma-t', exact: true, implementedBy: ['exactPolicyGradient'],
    lhsIs: 'D_v J_H from the library\'s theorem', rhsIs: 'E[Σ_t γ^t D_v log π(a_t|s_t) G_t], G_t = Σ_{k≥t} γ^{k−t} r_k, enumerated',
    instances: cases,
    lhs: (c) => [trueGradient(c)],
    rhs: (c) => scoreSum(c, (tau, t) => fpow(c.m.gamma, t).mul(discountedReturn(tau, c.m.gamma, t))),
    control: { description: 'the γ^t factor dropped (the common bug)', instances: discounted, rhs: (c) => scoreSum(c, (tau, t) => discountedReturn(tau, c.m.gamma, t)) },
  }),
  defineStep<RationalCase>({
    key: 'reinforce.q-form', exact: true, implementedBy: ['evaluateExact'],
    lhsIs: 'E[Σ_t γ^t D_v log π(a_t|s_t) G_t], enumerated', rhsIs: 'E[Σ_t γ^t D_v log π(a_t|s_t) Q_{H−t}(s_t,a_t)], Q from the library on the time-augmented MDP',
    instances: cases,
    lhs: (c) => scoreSum(c, (tau, t) => fpow(c.m.gamma, t).mul(discountedReturn(tau, c.m.gamma, t))),
    rhs: (c) => scoreSum(c, (tau, t) => fpow(c.m.gamma, t).mul(aug(c).ev.Q[(t * c.m.numStates + tau.s[t]!) * c.m.numActions + tau.a[t]!]!)),
    control: {
      description: 'the infinite-horizon Q in place of the remaining-horizon Q_{H−t}',
      rhs: (c) => { const Q = evaluateExact(c.m, c.pi).Q; return scoreSum(c, (tau, t) => fpow(c.m.gamma, t).mul(Q[tau.s[t]! * c.m.numActions + tau.a[t]!]!)); },
    },
  }),
];

export type { Instance };
