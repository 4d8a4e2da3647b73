// Exact PG and NPG curves (src/algorithms/exact-pg.ts): the bandit iteration against the closed
// form written out here (π ⊙ (r − πᵀr), Mei et al. 2020, Lemma 2), the NPG step against the one
// through the pseudo-inverse of the exact Fisher matrix, the records against their definitions,
// monotone improvement of NPG (AJKS 2021, Lemma 17), and the typed errors.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exactDirection, exactPGCurve } from '../../src/algorithms/exact-pg.js';
import { evaluatePolicy, naturalGradient } from '../../src/exact/index.js';
import { chain, garnet, suttonBartoGridworld4x4 } from '../../src/mdp/library/index.js';
import { softmaxPolicy } from '../../src/policy/softmax.js';
import { banditMDP } from '../../src/verify/claims/rates.js';
import { expectError } from '../helpers.js';

const softmax = (th: number[]) => { const m = Math.max(...th); const e = th.map((x) => Math.exp(x - m)); const z = e.reduce((a, b) => a + b, 0); return e.map((x) => x / z); };

describe('exact softmax PG on a bandit', () => {
  it('follows θ ← θ + η π ⊙ (r − πᵀr) written out by hand, with J = πᵀr, the KL and the entropy of their definitions', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 2, maxLength: 5 }), fc.integer({ min: 1, max: 30 }), (ints, stepTenths) => {
      const r = ints.map((k) => k / 20), step = stepTenths / 10;
      const curve = exactPGCurve(banditMDP(r), { method: 'pg', step, iterations: 8 });
      let th = r.map(() => 0);
      let prev: number[] | undefined;
      for (const rec of curve.records) {
        const p = softmax(th);
        const J = p.reduce((a, pa, i) => a + pa * r[i]!, 0);
        expect(Math.abs(rec.J - J)).toBeLessThan(1e-12);
        expect(Math.abs(rec.gap - (Math.max(...r) - J))).toBeLessThan(1e-12);
        expect(Math.abs(rec.entropy + p.reduce((a, pa) => a + (pa > 0 ? pa * Math.log(pa) : 0), 0))).toBeLessThan(1e-12);
        if (prev) expect(Math.abs(rec.klExact! - prev.reduce((a, q, i) => a + q * Math.log(q / p[i]!), 0))).toBeLessThan(1e-12);
        else expect(rec.klExact).toBeNull();
        expect(rec.samples).toBe(0);
        expect(rec.klK3).toBeNull();
        prev = p;
        th = th.map((t, i) => t + step * p[i]! * (r[i]! - J));
      }
    }), { numRuns: 40 });
  });
  it('keep() thins the records but always keeps n = 0 and n = N', () => {
    const c = exactPGCurve(banditMDP([1, 0.9, 0.1]), { method: 'pg', step: 0.4, iterations: 50, keep: (n) => n % 20 === 0 });
    expect(c.records.map((x) => x.update)).toEqual([0, 20, 40, 50]);
  });
});

describe('exact natural PG', () => {
  it('its step (Σ_s η(s))·A gives the same next policy as the step along F⁺∇J (pseudo-inverse of the exact Fisher matrix)', () => {
    for (const mdp of [chain(), garnet({ states: 6, actions: 3, branching: 3, gamma: 0.9, seed: 4 }), suttonBartoGridworld4x4()]) {
      const param = softmaxPolicy(mdp.numStates, mdp.numActions);
      const theta = Float64Array.from({ length: param.numParams }, (_, i) => Math.sin(3 * i));
      const ev = evaluatePolicy(mdp, param.probs(theta));
      const a = exactDirection(mdp, 'npg', theta, ev);
      const b = naturalGradient(mdp, { param, theta }, ev).direction;
      const step = (d: Float64Array) => param.probs(theta.map((t, i) => t + 0.3 * d[i]!)).slice();
      const pa = step(a), pb = step(b);
      // states the policy never visits have F = 0 there (the pseudo-inverse leaves them), so compare visited states
      for (let s = 0; s < mdp.numStates; s++) {
        if (!(ev.d[s]! > 0) || mdp.terminal[s]) continue;
        for (let k = 0; k < mdp.numActions; k++) expect(Math.abs(pa[s * mdp.numActions + k]! - pb[s * mdp.numActions + k]!)).toBeLessThan(1e-9);
      }
    }
  });
  it('improves J monotonically (AJKS 2021, Lemma 17) and its last gap is far below the first', () => {
    const c = exactPGCurve(chain(), { method: 'npg', step: 0.5, iterations: 40 });
    for (let n = 1; n < c.records.length; n++) expect(c.records[n]!.J).toBeGreaterThanOrEqual(c.records[n - 1]!.J - 1e-12);
    expect(c.records[40]!.gap).toBeLessThan(1e-6 * c.records[0]!.gap);
  });
  it('the hyperparameters and labels are recorded', () => {
    const c = exactPGCurve(chain(), { method: 'npg', step: 0.5, iterations: 2, mdpName: 'chain' });
    expect(c).toMatchObject({ algo: 'exact-npg', mdp: 'chain', seed: 0, hyperparameters: { method: 'npg', step: 0.5, iterations: 2 } });
    expect(c.records).toHaveLength(3);
  });
});

describe('invalid options are CURVE_OPTIONS naming the option', () => {
  it.each([
    [{ step: 0 }, 'step', '0'], [{ step: NaN }, 'step', 'NaN'], [{ iterations: 0 }, 'iterations', '0'], [{ iterations: 2.5 }, 'iterations', '2.5'],
    [{ theta0: new Float64Array(3) }, 'theta0', '3 entries'], [{ method: 'sgd' }, 'method', 'sgd'],
  ] as const)('%o', (bad, where, value) => {
    expectError(() => exactPGCurve(chain(), { method: 'pg', step: 1, iterations: 2, ...(bad as object) }), 'CURVE_OPTIONS', where, value);
  });
});
