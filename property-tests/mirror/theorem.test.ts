// Theorem 5.4 over fast-check random MDPs (discounted and episodic), from random start
// policies, for every drift × neighbourhood and for a fixed ν; generalized policy
// iteration (Theorem 2.1); and the negative controls: a negative "drift" loses value, and
// c·TV stops at a suboptimal fixed point (the instance kept from the search).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryMDP, arbitraryPolicyTable } from '../../src/arbitraries/index.js';
import { evaluatePolicy, policyIteration, valueIteration } from '../../src/exact/index.js';
import { builtinMDP, createMDP } from '../../src/mdp/index.js';
import {
  averageKLBall, generalizedPolicyIteration, klDrift, oneSidedDerivative, maxKLBall, mdpoInstance, mirrorInstance, mirrorLearning, noNeighbourhood, ppoDrift, ppoInstance,
  trivialDrift, trpoInstance, tvDrift, tvNeighbourhood, type MirrorConfig,
} from '../../src/mirror/index.js';
import { convergenceDiscrepancy, gpiDiscrepancy, negativeDriftStep, TV_TRAP_MDPS, tvFixedPointRuns } from '../../src/verify/claims/mirror.js';

const CONFIGS: MirrorConfig[] = [
  generalizedPolicyIteration(), trpoInstance(0.05), ppoInstance(0.2), mdpoInstance(0.5),
  mirrorInstance(trivialDrift, maxKLBall(0.1)), mirrorInstance(trivialDrift, tvNeighbourhood(0.2)),
  mirrorInstance(ppoDrift(0.1), maxKLBall(0.05)), mirrorInstance(klDrift(1), tvNeighbourhood(0.1)), mirrorInstance(ppoDrift(0.2), averageKLBall(0.02)),
];

const withStart = (opts: Parameters<typeof arbitraryMDP>[0]) => arbitraryMDP(opts)
  .chain((mdp) => arbitraryPolicyTable(mdp.numStates, mdp.numActions, { allowZeros: false }).map((start) => ({ mdp, start })));

describe('Theorem 5.4: J(π_{n+1}) ≥ J(π_n) + E_p0[(ν/d)D(π_{n+1}|S)] and V_{n+1} ≥ V_n, from random policies', () => {
  it('discounted and episodic random MDPs, every configuration, 5 updates', () => {
    fc.assert(fc.property(withStart({ regime: 'any', maxStates: 5, maxActions: 3 }), ({ mdp, start }) => {
      for (const c of CONFIGS) {
        const run = mirrorLearning(mdp, start, c, { iterations: 5 });
        for (const r of run.records) {
          expect(r.improvement, `${c.drift.name}/${c.neighbourhood.name} step ${r.n}`).toBeGreaterThanOrEqual(r.bound - run.tolerance);
          expect(r.minValueChange).toBeGreaterThanOrEqual(-run.tolerance);
        }
      }
    }), { numRuns: 20 });
  });
  it('with a fixed ν (uniform over the states) the bound uses ν/d', () => {
    const fullP0 = withStart({ regime: 'discounted', maxStates: 5, maxActions: 3 }).filter(({ mdp }) => mdp.gamma > 0 && mdp.initial.every((p) => p > 0));
    fc.assert(fc.property(fullP0, ({ mdp, start }) => {
      const nu = new Float64Array(mdp.numStates).fill(1 / mdp.numStates);
      for (const drift of [ppoDrift(0.2), klDrift(0.5)]) {
        const run = mirrorLearning(mdp, start, { drift, neighbourhood: noNeighbourhood, nu }, { iterations: 4 });
        expect(run.allHeld).toBe(true);
        // the bound is E_p0[(ν/d) D], recomputed here from the records' own policies
        const r1 = run.records[1]!, ev0 = evaluatePolicy(mdp, start);
        const A = mdp.numActions;
        let bound = 0;
        for (let s = 0; s < mdp.numStates; s++) {
          let D = 0;
          for (let a = 0; a < A; a++) D += drift.term(r1.policy[s * A + a]!, { s, a, p: start[s * A + a]!, adv: ev0.A[s * A + a]! });
          bound += mdp.initial[s]! * (nu[s]! / ev0.d[s]!) * D;
        }
        expect(Math.abs(r1.bound - bound)).toBeLessThanOrEqual(1e-12 * Math.max(1, bound));
      }
    }), { numRuns: 20 });
  });
  it('control: the "drift" −c·KL (not non-negative) gives an update that loses value in some state', () => {
    let lost = 0, total = 0;
    fc.assert(fc.property(withStart({ regime: 'discounted', minStates: 2, maxStates: 5, minActions: 2, maxActions: 3 }).filter(({ mdp }) => mdp.rewards.some((r) => r !== 0)), ({ mdp, start }) => {
      const ev = evaluatePolicy(mdp, start);
      const next = evaluatePolicy(mdp, negativeDriftStep(mdp, start, ev, 100 * Math.max(1, ...Array.from(ev.A, Math.abs))));
      total++;
      if (next.V.some((v, s) => v < ev.V[s]! - 1e-9)) lost++;
    }), { numRuns: 40 });
    expect(lost / total).toBeGreaterThan(0.5);
  });
});

describe('convergence', () => {
  it('generalized policy iteration (Theorem 2.1) becomes stationary at V* (value iteration) on random MDPs', () => {
    fc.assert(fc.property(withStart({ regime: 'any', maxStates: 6, maxActions: 3 }), ({ mdp, start }) => {
      expect(gpiDiscrepancy(mdp, start)).toBeLessThan(1e-9);
    }), { numRuns: 30 });
  });
  it('control: myopic GPI (γ dropped from the evaluation) misses V* on many discounted MDPs', () => {
    let missed = 0;
    fc.assert(fc.property(withStart({ regime: 'discounted', minStates: 3, maxStates: 6, minActions: 2, maxActions: 3 }).filter(({ mdp }) => mdp.gamma >= 0.9), ({ mdp, start }) => {
      if (gpiDiscrepancy(mdp, start, true) > 1e-9) missed++;
    }), { numRuns: 30 });
    expect(missed).toBeGreaterThan(5); // 12–16 of 30 for the seeds tried
  });
  it('MDPO and TRPO converge to J* on random discounted MDPs; PPO does too unless it zeroed an action', () => {
    fc.assert(fc.property(withStart({ regime: 'discounted', maxStates: 4, maxActions: 3 }).filter(({ mdp }) => mdp.gamma <= 0.9), ({ mdp, start }) => {
      const opt = policyIteration(mdp);
      const scale = Math.max(1, ...Array.from(opt.V, Math.abs));
      for (const [c, n] of [[mdpoInstance(0.05), 200], [trpoInstance(0.1), 40], [ppoInstance(0.3), 250]] as const) {
        const run = mirrorLearning(mdp, start, c, { iterations: n, optimal: opt });
        const last = run.records[run.records.length - 1]!;
        if (c.drift.name.startsWith('ppo') && Math.abs(last.gap) / scale >= 1e-6) {
          // the boundary failure (see below): an action PPO drove to probability 0 is now better than the policy
          const ev = evaluatePolicy(mdp, last.policy);
          expect(Array.from(last.policy).some((p, i) => p === 0 && ev.A[i]! > 0)).toBe(true);
          continue;
        }
        expect(Math.abs(last.gap) / scale, c.drift.name + c.neighbourhood.name).toBeLessThan(1e-6);
      }
    }), { numRuns: 12 });
  });
});

describe("exact PPO can stop at a suboptimal policy on the boundary of the simplex (found by fast-check, kept)", () => {
  // State 1: A = (−0.39, 0.065) under π₀(·|1) = (1/7, 6/7). Since (1+ε)·6/7 ≥ 1 the clip never binds for action 1, and with
  // ν = d lowering action 0 below (1−ε)/7 is free (slope A(1−w) = 0): the exact update moves all of action 0's mass.
  // Later action 0 becomes the better one in state 1, but PPO's ratio cannot grow a probability of 0.
  const mdp = createMDP({ states: 2, actions: 2, transitions: [[[1, 0], [17 / 18, 1 / 18]], [[1, 0], [0.4, 0.6]]], rewards: [[8.5, -0.5], [0.25, 0.75]], gamma: 0.2, initial: [0.2, 0.8] });
  const start = Float64Array.from([1 / 6, 5 / 6, 1 / 7, 6 / 7]);
  it('π(0|1) becomes 0 in one update, the run becomes stationary, and J stays 0.45 below J*', () => {
    const run = mirrorLearning(mdp, start, ppoInstance(0.3), { iterations: 20 });
    expect(run.records[1]!.policy[2]).toBe(0);
    expect(run.stationaryAt).toBeDefined();
    expect(run.records[20]!.gap).toBeGreaterThan(0.4);
    expect(run.allHeld).toBe(true); // monotonic improvement still holds; convergence does not
    const ev = evaluatePolicy(mdp, run.records[20]!.policy);
    expect(ev.A[2]).toBeGreaterThan(0.5); // the lost action is better, by 0.557
  });
  it('the reason: at a policy with π(a|s) = 0 the PPO drift has derivative A(s,a)⁺ ≠ 0 towards a (condition 3 fails on the boundary)', () => {
    const run = mirrorLearning(mdp, start, ppoInstance(0.3), { iterations: 5 });
    const pi = run.records[5]!.policy, ev = evaluatePolicy(mdp, pi);
    const D = ppoDrift(0.3);
    const along = (t: number) => D.term(pi[2]! + t, { s: 1, a: 0, p: pi[2]!, adv: ev.A[2]! }) + D.term(pi[3]! - t, { s: 1, a: 1, p: pi[3]!, adv: ev.A[3]! });
    expect(Math.abs(oneSidedDerivative(along, 0.5).value - ev.A[2]!)).toBeLessThan(1e-9);
    // while MDPO's KL drift keeps full support and converges from the same start
    const mdpo = mirrorLearning(mdp, start, mdpoInstance(0.05), { iterations: 200 });
    expect(Math.abs(mdpo.records[200]!.gap)).toBeLessThan(1e-9);
  });
});

describe('the zero-derivative condition is needed: c·TV stops at a suboptimal fixed point', () => {
  it(`on ${TV_TRAP_MDPS.join(', ')}: stationary, suboptimal, and certified (no exchange gains more than c per unit moved)`, () => {
    for (const { label, mdp, run } of tvFixedPointRuns()) {
      expect(run.stationaryAt, label).toBeDefined();
      const last = run.records[run.records.length - 1]!;
      expect(last.gap, label).toBeGreaterThan(1e-3);
      expect(convergenceDiscrepancy(run)).toBeGreaterThan(1e-8);
      // the LP optimality certificate, independent of the solver: in every state, moving mass
      // from an action b with π(b|s) > 0 to any a changes the objective by A(s,a) − A(s,b) − c·w ≤ 0
      const ev = evaluatePolicy(mdp, last.policy), A = mdp.numActions;
      for (let s = 0; s < mdp.numStates; s++) {
        if (mdp.terminal[s]) continue;
        for (let b = 0; b < A; b++) {
          if (!(last.policy[s * A + b]! > 0)) continue;
          for (let a = 0; a < A; a++) expect(ev.A[s * A + a]! - ev.A[s * A + b]! - 0.5, `${label} s=${s} ${b}→${a}`).toBeLessThanOrEqual(1e-12);
        }
      }
      // with a true drift on the same MDP, mirror learning converges
      const ok = mirrorLearning(mdp, new Float64Array(mdp.numStates * A).fill(1 / A), ppoInstance(0.2), { iterations: 150 });
      expect(convergenceDiscrepancy(ok), label).toBeLessThan(1e-8);
    }
  });
  it('c·TV with a small c on the same MDPs does reach J* (the trap needs c to exceed the advantages)', () => {
    const mdp = builtinMDP('garnet');
    const run = mirrorLearning(mdp, new Float64Array(mdp.numStates * mdp.numActions).fill(1 / mdp.numActions), mirrorInstance(tvDrift(0.001)), { iterations: 50, stopWhenStationary: true });
    expect(Math.abs(run.records[run.records.length - 1]!.gap)).toBeLessThan(1e-9);
  });
  it('value iteration agrees with the J* the runs use', () => {
    for (const name of TV_TRAP_MDPS) {
      const mdp = builtinMDP(name);
      const vi = valueIteration(mdp, 1e-12).V, pi = policyIteration(mdp).V;
      for (let s = 0; s < mdp.numStates; s++) expect(Math.abs(vi[s]! - pi[s]!)).toBeLessThan(1e-9);
    }
  });
});
