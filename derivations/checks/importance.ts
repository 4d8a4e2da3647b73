/**
 * The checks of derivation 4, importance sampling (Lehmann 2024, §3.3; Precup, Sutton &
 * Singh 2000 for per-decision weights), exactly: trajectories of length H are enumerated
 * under a behaviour policy β, and the target is the library's exact J_H of π on the
 * time-augmented MDP, or its exact V^π and Q^π.
 *
 * @module
 */
import { evaluateExact } from '../../src/exact/rational.js';
import { defineStep } from '../framework/step.js';
import { F, expectation, forEachTrajectory, fpow, fsum, smallCases, timeAugmented, timeAugmentedPolicy, type Fraction, type RationalCase, type Trajectory } from './common.js';
import { memo } from './memo.js';

const H = 3;
const cases = (seed: number) => smallCases(seed + 1);

/** J_H(π) from the library's exact evaluation of the time-augmented MDP. */
const targetJ = memo((c: RationalCase) => evaluateExact(timeAugmented(c.m, H), timeAugmentedPolicy(c.pi, c.m.numStates, c.m.numActions, H)).J);

const ratio = (c: RationalCase, s: number, a: number) => c.pi[s * c.m.numActions + a]!.div(c.beta[s * c.m.numActions + a]!);

/** ρ_{from:to} = Π_{k=from}^{to} π(a_k|s_k)/β(a_k|s_k) (1 when empty). */
function rho(c: RationalCase, tau: Trajectory, from: number, to: number): Fraction {
  let p = F.one;
  for (let k = from; k <= to; k++) p = p.mul(ratio(c, tau.s[k]!, tau.a[k]!));
  return p;
}

/** p(τ) under a policy, dynamics and p0 included. */
function density(c: RationalCase, pi: readonly Fraction[], tau: Trajectory): Fraction {
  const A = c.m.numActions, S = c.m.numStates;
  let p = c.m.initial[tau.s[0]!]!;
  for (let t = 0; t < H; t++) {
    const i = tau.s[t]! * A + tau.a[t]!;
    p = p.mul(pi[i]!);
    if (t + 1 < H) p = p.mul(c.m.P[i * S + tau.s[t + 1]!]!);
  }
  return p;
}

function underBeta(c: RationalCase, f: (tau: Trajectory) => Fraction[]): Fraction[] {
  return expectation(c.m, c.beta, H, f);
}

/** Σ_t γ^t ρ_{0:t+shift} r_t: per-decision weights (shift 0) or one step short (shift −1). */
function perDecision(c: RationalCase, tau: Trajectory, shift: number): Fraction {
  return fsum(tau.r.map((r, t) => fpow(c.m.gamma, t).mul(rho(c, tau, 0, t + shift)).mul(r)));
}

const R = (c: RationalCase, tau: Trajectory) => tau.r.reduce((acc, r, t) => acc.add(fpow(c.m.gamma, t).mul(r)), F.zero);

export const importanceChecks = [
  defineStep<RationalCase>({
    key: 'is.trajectory-ratio', exact: true, implementedBy: [],
    lhsIs: 'p_π(τ)/p_β(τ) with p0 and the dynamics, for every trajectory under β', rhsIs: 'Π_t π(a_t|s_t)/β(a_t|s_t)',
    instances: cases,
    lhs: (c) => { const out: Fraction[] = []; forEachTrajectory(c.m, c.beta, H, (tau, p) => out.push(density(c, c.pi, tau).div(p))); return out; },
    rhs: (c) => { const out: Fraction[] = []; forEachTrajectory(c.m, c.beta, H, (tau) => out.push(rho(c, tau, 0, H - 1))); return out; },
    control: { description: 'the ratio of the last action only', rhs: (c) => { const out: Fraction[] = []; forEachTrajectory(c.m, c.beta, H, (tau) => out.push(rho(c, tau, H - 1, H - 1))); return out; } },
  }),
  defineStep<RationalCase>({
    key: 'is.trajectory-unbiased', exact: true, implementedBy: ['evaluateExact'],
    lhsIs: 'J_H(π) from the library (time-augmented MDP)', rhsIs: 'E_{τ∼β}[ρ_{0:H−1}(τ) R(τ)], enumerated',
    instances: cases,
    lhs: (c) => [targetJ(c)],
    rhs: (c) => underBeta(c, (tau) => [rho(c, tau, 0, H - 1).mul(R(c, tau))]),
    control: { description: 'no importance weight (the return of β)', rhs: (c) => underBeta(c, (tau) => [R(c, tau)]) },
  }),
  defineStep<RationalCase>({
    key: 'is.future-ratios', exact: true, implementedBy: [],
    lhsIs: 'E_β[ρ_{0:H−1}] and E_β[ρ_{0:H−1} r_t] for every t, enumerated', rhsIs: '1 and E_β[ρ_{0:t} r_t]',
    instances: cases,
    lhs: (c) => underBeta(c, (tau) => [rho(c, tau, 0, H - 1), ...tau.r.map((r) => rho(c, tau, 0, H - 1).mul(r))]),
    rhs: (c) => underBeta(c, (tau) => [F.one, ...tau.r.map((r, t) => rho(c, tau, 0, t).mul(r))]),
    control: { description: 'ρ_{0:t−1} r_t: the ratio of the action that earned r_t left out', rhs: (c) => underBeta(c, (tau) => [F.one, ...tau.r.map((r, t) => rho(c, tau, 0, t - 1).mul(r))]) },
  }),
  defineStep<RationalCase>({
    key: 'is.per-decision', exact: true, implementedBy: ['evaluateExact'],
    lhsIs: 'J_H(π) from the library (time-augmented MDP)', rhsIs: 'E_β[Σ_t γ^t ρ_{0:t} r_t], enumerated',
    instances: cases,
    lhs: (c) => [targetJ(c)],
    rhs: (c) => underBeta(c, (tau) => [perDecision(c, tau, 0)]),
    control: { description: 'weights ρ_{0:t−1}, one action short', rhs: (c) => underBeta(c, (tau) => [perDecision(c, tau, -1)]) },
  }),
  defineStep<RationalCase>({
    key: 'is.action-ratio', exact: true, implementedBy: ['evaluateExact'],
    lhsIs: 'V^π(s) from the library', rhsIs: 'E_{a∼β(·|s)}[π(a|s)/β(a|s) Q^π(s,a)] with the library\'s Q^π',
    instances: cases,
    lhs: (c) => evaluateExact(c.m, c.pi).V,
    rhs: (c) => actionRatio(c, false),
    control: { description: 'the ratio inverted (β/π)', rhs: (c) => actionRatio(c, true) },
  }),
];

function actionRatio(c: RationalCase, inverted: boolean): Fraction[] {
  const { numStates: S, numActions: A } = c.m;
  const Q = evaluateExact(c.m, c.pi).Q;
  return Array.from({ length: S }, (_, s) => {
    let x = F.zero;
    for (let a = 0; a < A; a++) {
      const w = inverted ? F.one.div(ratio(c, s, a)) : ratio(c, s, a);
      x = x.add(c.beta[s * A + a]!.mul(w).mul(Q[s * A + a]!));
    }
    return x;
  });
}
