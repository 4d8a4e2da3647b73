// An MLP Gaussian head on a batch's nodes (src/policy/mlp-samples.ts): log π and the score at
// node s are the head's own at that node's observation and action (both heads, both log-σ
// modes), the score is the difference of log π in w, and what needs a finite action set is
// refused.
import { describe, expect, it } from 'vitest';
import { gaussianMlpPolicy, tanhGaussianMlpPolicy } from '../../src/policy/gaussian-head.js';
import { initMlp, Mlp } from '../../src/policy/mlp.js';
import { sampledMlpPolicy } from '../../src/policy/mlp-samples.js';
import { Rng } from '../../src/stats/rng.js';
import { expectError } from '../helpers.js';

describe('sampledMlpPolicy', () => {
  for (const squashed of [false, true]) for (const mode of ['state-independent', 'state-dependent'] as const) {
    it(`${squashed ? 'tanh-Gaussian' : 'Gaussian'}, ${mode}: log π and the score at each node are the head's; the score is the difference of log π`, () => {
      const k = 2, d = 3, N = 5, mlp = new Mlp([d, 4, mode === 'state-dependent' ? 2 * k : k], 'tanh');
      const head = (squashed ? tanhGaussianMlpPolicy : gaussianMlpPolicy)(mlp, { logStd: mode });
      const rng = Rng.from(`mlp-samples/${squashed}/${mode}`), w = new Float64Array(head.numParams);
      w.set(initMlp(mlp, rng, { lastGain: 1 }));
      const obs = Float64Array.from({ length: N * d }, () => rng.normal()), acts = head.sample(w, obs, N, rng);
      const p = sampledMlpPolicy(head, N, obs, acts), lp = head.logProb(w, obs, N, acts);
      for (let s = 0; s < N; s++) {
        expect(p.logProb(w, s, 0)).toBe(lp[s]);
        const c = new Float64Array(N); c[s] = 1.5;
        const g = new Float64Array(head.numParams).fill(0.25);
        p.addScore(w, s, 0, 1.5, g);
        const ref = head.scoreSum(w, obs, N, acts, c);
        for (let j = 0; j < head.numParams; j++) expect(g[j]! - 0.25).toBeCloseTo(ref[j]!, 13);
        for (const j of [0, head.numParams - 1]) {
          const h = 1e-6, up = Float64Array.from(w), dn = Float64Array.from(w);
          up[j]! += h; dn[j]! -= h;
          expect((g[j]! - 0.25) / 1.5).toBeCloseTo((p.logProb(up, s, 0) - p.logProb(dn, s, 0)) / (2 * h), 6);
        }
      }
    });
  }
  it('refuses a node out of range, another action, wrong shapes, and what sums over actions', () => {
    const mlp = new Mlp([2, 3, 1], 'tanh'), head = gaussianMlpPolicy(mlp), w = new Float64Array(head.numParams);
    const p = sampledMlpPolicy(head, 2, new Float64Array(4), new Float64Array(2));
    expectError(() => p.logProb(w, 2, 0), 'POLICY_SHAPE', 'node 2');
    expectError(() => p.logProb(w, 0, 1), 'POLICY_SHAPE', 'action 1');
    expectError(() => sampledMlpPolicy(head, 3, new Float64Array(4), new Float64Array(3)), 'POLICY_SHAPE', 'need 6');
    expectError(() => p.probs(w), 'FIELD_UNSUPPORTED', 'probs');
  });
});
