// The exact conditional expectation of GAE / n-step advantages under any critic
// (src/exact/advantage-expectation.ts), against (1) brute-force enumeration of every path from
// (s, a) with m steps left, each run through the library's own estimators (gae,
// nStepAdvantages) on a one-piece batch; (2) the V^π case, where every horizon gives A^π;
// (3) the uncut limit, where H_M → H_∞ geometrically.
import { describe, expect, it } from 'vitest';
import { advantageExpectation, checkDefinition, truncatedTdSumsIn } from '../../src/exact/advantage-expectation.js';
import { evaluatePolicy } from '../../src/exact/evaluate.js';
import { gae, nStepAdvantages } from '../../src/estimators/advantages.js';
import { NumberField } from '../../src/field/number.js';
import { garnet } from '../../src/mdp/library/garnet.js';
import { denseTransitions, type FiniteMDP } from '../../src/mdp/model.js';
import { liftMDP } from '../../src/mdp/generic.js';
import { softmaxPolicy } from '../../src/policy/softmax.js';
import { allocateBatch } from '../../src/sampling/batch.js';
import { Rng } from '../../src/stats/rng.js';
import { PgTruthError } from '../../src/errors.js';

function instance(seed: number, gamma: number): { mdp: FiniteMDP; pi: Float64Array; V: Float64Array } {
  const mdp = garnet({ states: 5, actions: 2, branching: 2, gamma, seed, terminal: 1, exitProbability: 0.3 });
  const rng = Rng.from(`adv-exp/${seed}`);
  const pi = softmaxPolicy(mdp.numStates, mdp.numActions).probs(Float64Array.from({ length: mdp.numStates * mdp.numActions }, () => rng.normal()));
  const V = Float64Array.from({ length: mdp.numStates }, () => 3 * rng.normal()); // a wrong critic, non-zero at the terminal state too
  return { mdp, pi, V };
}

/** E[f(piece)] over every piece that starts with (s, a) and is cut after m transitions unless it terminates first. */
function bruteForce(mdp: FiniteMDP, pi: Float64Array, s0: number, a0: number, m: number, f: (b: ReturnType<typeof allocateBatch>) => number): number {
  const { numStates: S, numActions: A } = mdp, P = denseTransitions(mdp);
  const s: number[] = [], a: number[] = [], s2: number[] = [];
  let total = 0;
  const emit = (prob: number, terminated: boolean) => {
    const n = a.length, b = allocateBatch(n, S, A, mdp.gamma);
    for (let i = 0; i < n; i++) { b.s_t[i] = s[i]!; b.a_t[i] = a[i]!; b.s_tp1[i] = s2[i]!; b.r_t[i] = mdp.rewards[s[i]! * A + a[i]!]!; b.t_index[i] = i; }
    if (terminated) b.terminated_t[n - 1] = 1; else b.truncated_t[n - 1] = 1;
    total += prob * f(b);
  };
  const step = (state: number, act: number, prob: number) => {
    for (let next = 0; next < S; next++) {
      const p = P[(state * A + act) * S + next]!;
      if (p === 0) continue;
      s.push(state); a.push(act); s2.push(next);
      if (mdp.terminal[next]) emit(prob * p, true);
      else if (a.length === m) emit(prob * p, false);
      else for (let b = 0; b < A; b++) if (pi[next * A + b]! > 0) step(next, b, prob * p * pi[next * A + b]!);
      s.pop(); a.pop(); s2.pop();
    }
  };
  step(s0, a0, 1);
  return total;
}

describe('advantageExpectation', () => {
  it('equals brute-force enumeration of the library estimators (GAE and n-step) under a wrong critic, for every (s, a) and m = 1…4', () => {
    for (const seed of [1, 2, 3]) {
      const { mdp, pi, V } = instance(seed, [0.9, 1, 0.75][seed - 1]!);
      const SA = mdp.numStates * mdp.numActions;
      for (const def of [{ d: 'gae' as const, lambda: 0.8 }, { d: 'lambda-return' as const, lambda: 0.3 }, { d: { nStep: 2 }, lambda: 0.5 }]) {
        const ex = advantageExpectation(mdp, pi, V, def.d, def.lambda, { horizons: 4 });
        for (let m = 1; m <= 4; m++) {
          for (let k = 0; k < SA; k++) {
            const s = Math.floor(k / mdp.numActions), a = k % mdp.numActions;
            if (mdp.terminal[s]) continue;
            const est = (b: ReturnType<typeof allocateBatch>) => (typeof def.d === 'object' ? nStepAdvantages(b, V, mdp.gamma, def.d.nStep) : gae(b, V, mdp.gamma, def.lambda))[0]!;
            const want = bruteForce(mdp, pi, s, a, m, est);
            expect(Math.abs(ex.advantages[(m - 1) * SA + k]! - want)).toBeLessThan(1e-12 * (1 + Math.abs(want)));
            expect(Math.abs(ex.targets[(m - 1) * SA + k]! - want - V[s]!)).toBeLessThan(1e-12 * (1 + Math.abs(want)));
          }
        }
      }
    }
  });

  it('gives A^π at every horizon and uncut when V = V^π (the reason a wrong weighting is invisible there)', () => {
    for (const seed of [4, 5]) {
      const { mdp, pi } = instance(seed, 0.9);
      const ev = evaluatePolicy(mdp, pi);
      for (const d of ['gae', { nStep: 3 }] as const) {
        const ex = advantageExpectation(mdp, pi, ev.V, d, 0.7, { horizons: 6, uncut: true });
        const SA = mdp.numStates * mdp.numActions;
        for (let j = 0; j < 6; j++) for (let k = 0; k < SA; k++) if (!mdp.terminal[Math.floor(k / mdp.numActions)]) expect(Math.abs(ex.advantages[j * SA + k]! - ev.A[k]!)).toBeLessThan(1e-10);
        for (let k = 0; k < SA; k++) if (!mdp.terminal[Math.floor(k / mdp.numActions)]) expect(Math.abs(ex.uncut!.advantages[k]! - ev.A[k]!)).toBeLessThan(1e-10);
      }
    }
  });

  it('the uncut expectation is the limit of the truncated ones (κ < 1, and κ = 1 on a terminating MDP)', () => {
    for (const [seed, gamma, lambda] of [[6, 0.9, 0.95], [7, 1, 1]] as const) {
      const { mdp, pi, V } = instance(seed, gamma);
      const ex = advantageExpectation(mdp, pi, V, 'gae', lambda, { horizons: 400, uncut: true });
      const SA = mdp.numStates * mdp.numActions;
      let diff = 0;
      for (let k = 0; k < SA; k++) diff = Math.max(diff, Math.abs(ex.advantages[399 * SA + k]! - ex.uncut!.advantages[k]!));
      expect(diff).toBeLessThan(1e-9);
    }
  });

  it('a wrong critic separates the definitions that V^π cannot tell apart (negative control: λ^k weights, swapped λ-return mix)', () => {
    const { mdp, pi, V } = instance(8, 0.9);
    const right = advantageExpectation(mdp, pi, V, 'gae', 0.9, { horizons: 5, uncut: true });
    const noGamma = truncatedTdSumsIn(NumberField, liftMDP(NumberField, mdp), Array.from(pi), Array.from(V), 0.9, 5); // κ = λ
    const swapped = advantageExpectation(mdp, pi, V, 'gae', 0.1, { horizons: 5 });
    const SA = mdp.numStates * mdp.numActions;
    let d1 = 0, d2 = 0;
    for (let k = 0; k < SA; k++) { d1 = Math.max(d1, Math.abs(noGamma[4]![k]! - right.advantages[4 * SA + k]!)); d2 = Math.max(d2, Math.abs(swapped.advantages[4 * SA + k]! - right.advantages[4 * SA + k]!)); }
    expect(d1).toBeGreaterThan(1e-3);
    expect(d2).toBeGreaterThan(1e-3);
  });

  it('rejects an invalid definition, λ or value table with ESTIMATOR_ARGUMENT naming it', () => {
    const { mdp, pi, V } = instance(9, 0.9);
    for (const bad of ['td', { nStep: 0 }, { nStep: 1.5 }, { nStep: 2, extra: 1 }, null]) expect(() => checkDefinition(bad, 'x.definition')).toThrow(/x\.definition/);
    expect(() => advantageExpectation(mdp, pi, V, 'gae', 1.5, { horizons: 2 })).toThrow(PgTruthError);
    expect(() => advantageExpectation(mdp, pi, V.slice(1), 'gae', 0.5, { horizons: 2 })).toThrow(/value table/);
    expect(() => advantageExpectation(mdp, pi, Float64Array.of(NaN, 0, 0, 0, 0), 'gae', 0.5, { horizons: 2 })).toThrow(/values\[0\]/);
  });
});
