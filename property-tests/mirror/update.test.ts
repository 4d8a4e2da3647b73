// The exact mirror-learning update against an independent route (golden-section search on
// the per-state objective) for every drift × neighbourhood, over fast-check random MDPs;
// the closed form of MDPO's update; the neighbourhoods are respected; the typed errors.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryMDP, arbitraryPolicyTable } from '../../src/arbitraries/index.js';
import { evaluatePolicy, type Evaluation } from '../../src/exact/index.js';
import type { FiniteMDP } from '../../src/mdp/index.js';
import {
  averageKLBall, ballPerState, customDrift, customNeighbourhood, type Ball, exchangeSolve, klDrift, linearShape, maxKLBall, mirrorUpdate, noNeighbourhood, ppoDrift,
  actionPieces, trivialDrift, tvDrift, tvNeighbourhood, type Drift, type MirrorConfig, type Neighbourhood,
} from '../../src/mirror/index.js';
import { expectError } from '../helpers.js';
import { bruteMax2, bruteMax3 } from './brute.js';

/** c·Σ (x − p)²/p: a user-supplied drift (χ²), given by its derivative — the solver bisects. */
const chi2 = (c: number): Drift => customDrift({
  name: `chi2:${c}`,
  term: (x, ctx) => (c * (x - ctx.p) ** 2) / ctx.p,
  derivative: (x, ctx) => (2 * c * (x - ctx.p)) / ctx.p,
});

/** A user-supplied ball: Σ_a (x_a − p_a)²/p_a ≤ δ per state (χ²), by its derivative. */
const chi2Ball: Ball = {
  name: 'chi2',
  term: (x, p) => (x - p) ** 2 / p,
  shape: (p) => ({ kinks: [], slopes: [0], entropy: 0, barrier: 0, zeroOnly: false, derivative: (x) => (2 * (x - p)) / p }),
};

const DRIFTS: Drift[] = [trivialDrift, ppoDrift(0.2), klDrift(0.5), tvDrift(0.3), chi2(0.5)];
const BALLS: Neighbourhood[] = [noNeighbourhood, maxKLBall(0.05), tvNeighbourhood(0.1), averageKLBall(0.05), customNeighbourhood(chi2Ball, 0.05, 'max')];

const twoActions = arbitraryMDP({ regime: 'any', minActions: 2, maxActions: 2, maxStates: 5 })
  .chain((mdp) => arbitraryPolicyTable(mdp.numStates, 2, { allowZeros: false }).map((pi) => ({ mdp, pi })));

/** The per-state objective Σ_a x_a A(s,a) − w Σ_a ψ(x_a) (the update's objective minus V(s)). */
function objective(drift: Drift, s: number, w: number, p: number[], adv: number[]) {
  return (x: number[]) => x.reduce((acc, xa, a) => acc + xa * adv[a]! - (w > 0 ? w * drift.term(xa, { s, a, p: p[a]!, adv: adv[a]! }) : 0), 0);
}

function row(arr: ArrayLike<number>, s: number, A: number): number[] {
  return Array.from({ length: A }, (_, a) => arr[s * A + a]!);
}

/** Checks the update state by state against golden-section search; returns the worst shortfall relative to max(1, |A|). */
function shortfall(mdp: FiniteMDP, pi: Float64Array, ev: Evaluation, config: MirrorConfig): number {
  const A = mdp.numActions;
  const up = mirrorUpdate(mdp, pi, ev, config);
  const n = config.neighbourhood;
  let worst = 0;
  const scale = Math.max(1, ...Array.from(ev.A, Math.abs));
  for (let s = 0; s < mdp.numStates; s++) {
    if (mdp.terminal[s]) continue;
    const p = row(pi, s, A), adv = row(ev.A, s, A), x = row(up.policy, s, A);
    const f = objective(config.drift, s, up.weight[s]!, p, adv);
    const C = n.kind === 'ball' ? (y: number[]) => y.reduce((acc, ya, a) => acc + n.ball.term(ya, p[a]!), 0) : undefined;
    let best: number, got: number;
    if (n.kind === 'ball' && n.mode === 'average') {
      // KKT: with the reported μ each row maximizes the Lagrangian f − μ C
      const L = up.multiplier > 0 ? (y: number[]) => f(y) - up.multiplier * C!(y) : f;
      best = (A === 2 ? bruteMax2({ f: L, p }) : bruteMax3(L)).value;
      got = L(x);
    } else {
      best = (A === 2 ? bruteMax2({ f, C, delta: n.kind === 'ball' ? n.delta : undefined, p }) : bruteMax3(f)).value;
      got = f(x);
      if (C) expect(C(x)).toBeLessThanOrEqual(n.kind === 'ball' ? n.delta * (1 + 1e-9) : 0);
    }
    worst = Math.max(worst, (best - got) / scale);
    expect(got, 'the safeguard: never worse than π itself').toBeGreaterThanOrEqual(f(p) - 1e-12 * scale);
  }
  if (n.kind === 'ball' && n.mode === 'average') {
    const c = ballPerState(n.ball, pi, up.policy, mdp.numStates, A);
    let tot = 0;
    for (let s = 0; s < mdp.numStates; s++) if (!mdp.terminal[s]) tot += ev.d[s]! * c[s]!;
    expect(tot).toBeLessThanOrEqual(n.delta * (1 + 1e-9));
    if (up.multiplier > 1e-6) expect(tot, 'complementary slackness').toBeGreaterThanOrEqual(n.delta * (1 - 1e-6));
  }
  return worst;
}

describe('the per-state maximization is exact (independent golden-section search)', () => {
  for (const n of BALLS) {
    it(`two actions, every drift, neighbourhood ${n.name}`, () => {
      fc.assert(fc.property(twoActions, ({ mdp, pi }) => {
        const ev = evaluatePolicy(mdp, pi);
        for (const drift of DRIFTS) expect(shortfall(mdp, pi, ev, { drift, neighbourhood: n }), `${drift.name} / ${n.name}`).toBeLessThan(1e-9);
      }), { numRuns: 25 });
    });
  }
  it('three actions, every drift, trivial neighbourhood (nested golden-section search)', () => {
    const three = arbitraryMDP({ regime: 'discounted', minActions: 3, maxActions: 3, maxStates: 3 })
      .chain((mdp) => arbitraryPolicyTable(mdp.numStates, 3, { allowZeros: false }).map((pi) => ({ mdp, pi })));
    fc.assert(fc.property(three, ({ mdp, pi }) => {
      const ev = evaluatePolicy(mdp, pi);
      for (const drift of DRIFTS) expect(shortfall(mdp, pi, ev, { drift, neighbourhood: noNeighbourhood }), drift.name).toBeLessThan(1e-8);
    }), { numRuns: 10 });
  });
  it('control: a deliberately truncated exchange (one move) falls short of the optimum', () => {
    // the same brute force rejects a solver that stops early: moving only δ/4 of the mass the TV ball allows
    let rejected = 0;
    fc.assert(fc.property(twoActions, ({ mdp, pi }) => {
      const ev = evaluatePolicy(mdp, pi);
      const s = mdp.terminal.indexOf(0);
      const p = row(pi, s, 2), adv = row(ev.A, s, 2);
      const pieces = [0, 1].map((a) => actionPieces(adv[a]!, p[a]!, linearShape([], [0]), 1));
      const x = Array.from(exchangeSolve(pieces, p, 0, 0.025).x);
      const f = objective(trivialDrift, s, 1, p, adv);
      const best = bruteMax2({ f, C: (y) => 0.5 * (Math.abs(y[0]! - p[0]!) + Math.abs(y[1]! - p[1]!)), delta: 0.1, p }).value;
      if (best - f(x) > 1e-9) rejected++;
    }), { numRuns: 25 });
    expect(rejected).toBeGreaterThan(15);
  });
});

describe('closed forms and neighbourhoods', () => {
  it("MDPO's update is π(a|s) e^{A(s,a)/c} / Z(s) (ν = d, so w = 1)", () => {
    fc.assert(fc.property(twoActions, fc.constantFrom(0.1, 0.5, 2), ({ mdp, pi }, c) => {
      const ev = evaluatePolicy(mdp, pi);
      const up = mirrorUpdate(mdp, pi, ev, { drift: klDrift(c), neighbourhood: noNeighbourhood });
      for (let s = 0; s < mdp.numStates; s++) {
        if (mdp.terminal[s]) continue;
        const m = Math.max(ev.A[2 * s]!, ev.A[2 * s + 1]!) / c;
        const e = [0, 1].map((a) => pi[2 * s + a]! * Math.exp(ev.A[2 * s + a]! / c - m));
        const z = e[0]! + e[1]!;
        for (let a = 0; a < 2; a++) expect(Math.abs(up.policy[2 * s + a]! - e[a]! / z)).toBeLessThan(1e-12);
      }
    }), { numRuns: 30 });
  });
  it('generalized policy iteration puts all mass on a greedy action, and keeps π where it is already greedy', () => {
    fc.assert(fc.property(twoActions, ({ mdp, pi }) => {
      const ev = evaluatePolicy(mdp, pi);
      const up = mirrorUpdate(mdp, pi, ev, { drift: trivialDrift, neighbourhood: noNeighbourhood });
      for (let s = 0; s < mdp.numStates; s++) {
        if (mdp.terminal[s]) continue;
        const q = [ev.Q[2 * s]!, ev.Q[2 * s + 1]!];
        const tie = Math.abs(q[0]! - q[1]!) <= 1e-12 * Math.max(1, Math.abs(q[0]!), Math.abs(q[1]!)) * 4;
        if (tie) continue;
        const best = q[0]! > q[1]! ? 0 : 1;
        expect(up.policy[2 * s + best]).toBe(1);
      }
      // π is kept where it is already greedy: the update of the greedy policy w.r.t. its own old Q is itself
      const same = mirrorUpdate(mdp, up.policy, ev, { drift: trivialDrift, neighbourhood: noNeighbourhood });
      expect(Array.from(same.policy)).toEqual(Array.from(up.policy));
    }), { numRuns: 30 });
  });
  it('every neighbourhood is respected: max-KL and TV per state, average KL under d', () => {
    fc.assert(fc.property(twoActions, ({ mdp, pi }) => {
      const ev = evaluatePolicy(mdp, pi);
      for (const n of BALLS.slice(1)) {
        const up = mirrorUpdate(mdp, pi, ev, { drift: trivialDrift, neighbourhood: n });
        if (n.kind === 'ball') expect(up.distance).toBeLessThanOrEqual(n.delta * (1 + 1e-9));
      }
    }), { numRuns: 30 });
  });
});

describe('typed errors', () => {
  const mdp = arbitraryMDP({ regime: 'discounted', minStates: 2, maxStates: 2, minActions: 2, maxActions: 2 });
  it('invalid drift parameters, radii, shapes and ν', () => {
    expectError(() => ppoDrift(0), 'MIRROR_DRIFT', 'ε', '0');
    expectError(() => ppoDrift(-0.1), 'MIRROR_DRIFT', '-0.1');
    expectError(() => klDrift(Number.NaN), 'MIRROR_DRIFT', 'NaN');
    expectError(() => tvDrift(Infinity), 'MIRROR_DRIFT', 'Infinity');
    expectError(() => customDrift({ name: 'mine', term: () => 0 }), 'MIRROR_DRIFT', 'mine');
    expectError(() => averageKLBall(0), 'MIRROR_NEIGHBOURHOOD', 'δ', '0');
    expectError(() => maxKLBall(-1), 'MIRROR_NEIGHBOURHOOD', '-1');
    expectError(() => tvNeighbourhood(Number.NaN), 'MIRROR_NEIGHBOURHOOD', 'NaN');
    fc.assert(fc.property(mdp, (m) => {
      const pi = new Float64Array(4).fill(0.5);
      const ev = evaluatePolicy(m, pi);
      const badShape = customDrift({ name: 'concave', term: () => 0, shape: () => linearShape([0.5], [1, 0]) });
      expectError(() => mirrorUpdate(m, pi, ev, { drift: badShape, neighbourhood: noNeighbourhood }), 'MIRROR_DRIFT', 'slopes must not decrease');
      const badKink = customDrift({ name: 'kinky', term: () => 0, shape: () => linearShape([1.5], [0, 1]) });
      expectError(() => mirrorUpdate(m, pi, ev, { drift: badKink, neighbourhood: noNeighbourhood }), 'MIRROR_DRIFT', 'kink 0', '1.5');
      expectError(() => mirrorUpdate(m, pi, ev, { drift: trivialDrift, neighbourhood: noNeighbourhood, nu: [0.7, 0.7] }), 'MIRROR_WEIGHT', 'sums to 1.4');
      expectError(() => mirrorUpdate(m, pi, ev, { drift: trivialDrift, neighbourhood: noNeighbourhood, nu: [1] }), 'MIRROR_WEIGHT', '1 entries');
      expectError(() => mirrorUpdate(m, pi, ev, { drift: trivialDrift, neighbourhood: noNeighbourhood, nu: [-0.5, 1.5] }), 'MIRROR_WEIGHT', 'ν(0)', '-0.5');
      expectError(() => mirrorUpdate(m, pi, { ...ev, d: Float64Array.from([1, 0]) }, { drift: trivialDrift, neighbourhood: noNeighbourhood, nu: [0.5, 0.5] }), 'MIRROR_WEIGHT', 'state 1', 'never visits');
    }), { numRuns: 5 });
  });
});
