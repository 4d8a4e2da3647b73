// The Gaussian policy on a batch's nodes (src/policy/gaussian-samples.ts) and the node-indexed
// batches of src/sampling/lqr.ts and src/sampling/bandit.ts: the batches keep their invariants,
// logp_t is the policy's log π, and the score is ∇_θ log π by Ridders differences through the
// linear and constant heads.
import { describe, expect, it } from 'vitest';
import { lqrEvaluate } from '../../src/exact/lqr.js';
import { reinforceRewardToGo } from '../../src/estimators/reinforce.js';
import { derivative } from '../../src/linalg/differentiate.js';
import { constantGaussianHead, linearGaussianHead, sampledGaussianPolicy } from '../../src/policy/gaussian-samples.js';
import { sampleGaussianBandit } from '../../src/sampling/bandit.js';
import { validateBatch } from '../../src/sampling/batch.js';
import { sampleLqrEpisodes } from '../../src/sampling/lqr.js';
import { Rng } from '../../src/stats/rng.js';
import { randomInstance } from '../exact/lqr-instances.js';
import { expectError } from '../helpers.js';

describe('sampled Gaussian policies', () => {
  it('LQR episodes: valid node-indexed batches, logp_t = log π_θ, and addScore = Ridders differences of logProb in θ = [vec K, log σ]', () => {
    const { problem, K, sigma } = randomInstance();
    const logSigma = sigma.map(Math.log);
    for (const stopping of [{ kind: 'geometric' } as const, { kind: 'horizon', horizon: 7 } as const]) {
      const eps = sampleLqrEpisodes(problem, K, logSigma, 20, stopping, Rng.from('nodes'));
      validateBatch(eps.batch);
      expect(eps.numNodes).toBe(eps.batch.size + 20);
      const param = sampledGaussianPolicy(linearGaussianHead(problem.n, problem.m, eps.x), eps.numNodes, eps.actions), theta = Float64Array.of(...K, ...logSigma);
      param.check(theta);
      for (let i = 0; i < eps.batch.size; i += 7) {
        const s = eps.batch.s_t[i]!;
        expect(param.logProb(theta, s, 0)).toBe(eps.batch.logp_t[i]);
        const g = new Float64Array(theta.length);
        param.addScore(theta, s, 0, 1, g);
        for (let j = 0; j < theta.length; j++) {
          const d = derivative((v) => { const t = Float64Array.from(theta); t[j] = v; return param.logProb(t, s, 0); }, theta[j]!, 0.05);
          expect(Math.abs(g[j]! - d.value)).toBeLessThan(1e-7 * Math.max(1, Math.abs(d.value)));
        }
        // the closed form of REFERENCES.md: ∇_K log π = −S⁻²(a + Kx)xᵀ
        const x = eps.x.subarray(s * problem.n, (s + 1) * problem.n), a = eps.actions.subarray(s * problem.m, (s + 1) * problem.m);
        for (let r = 0; r < problem.m; r++) {
          let kx = 0;
          for (let c = 0; c < problem.n; c++) kx += K[r * problem.n + c]! * x[c]!;
          for (let c = 0; c < problem.n; c++) expect(g[r * problem.n + c]).toBeCloseTo((-(a[r]! + kx) / sigma[r]! ** 2) * x[c]!, 12);
        }
      }
      // rewards are −(xᵀQx + aᵀRa) and states follow the dynamics
      const i = 3, s = eps.batch.s_t[i]!, n = problem.n, m = problem.m;
      let cost = 0;
      for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) cost += eps.x[s * n + r]! * problem.Q[r * n + c]! * eps.x[s * n + c]!;
      for (let r = 0; r < m; r++) for (let c = 0; c < m; c++) cost += eps.actions[s * m + r]! * problem.R[r * m + c]! * eps.actions[s * m + c]!;
      expect(eps.batch.r_t[i]).toBeCloseTo(-cost, 12);
    }
    expect(lqrEvaluate(problem, K, sigma).cost).toBeGreaterThan(0);
  });

  it('bandit draws: one terminated transition per draw, squashed draws store u and reward tanh(u), clipped draws keep the sampled a', () => {
    const mu = [0.4], ls = [Math.log(0.7)];
    const plain = sampleGaussianBandit(mu, ls, 1, 50, (a, o) => a[o]!, Rng.from('b'), { clip: [-0.5, 0.5] });
    validateBatch(plain.batch);
    for (let i = 0; i < 50; i++) {
      expect(plain.envActions[i]).toBe(Math.min(0.5, Math.max(-0.5, plain.actions[2 * i]!)));
      expect(plain.batch.r_t[i]).toBe(plain.envActions[i]);
    }
    const sq = sampleGaussianBandit(mu, ls, 1, 50, (a, o) => a[o]!, Rng.from('b'), { squashed: true });
    const param = sampledGaussianPolicy(constantGaussianHead(1), sq.numNodes, sq.actions, true), theta = Float64Array.of(...mu, ...ls);
    for (let i = 0; i < 50; i++) {
      expect(sq.envActions[i]).toBe(Math.tanh(sq.actions[2 * i]!));
      expect(param.logProb(theta, 2 * i, 0)).toBe(sq.batch.logp_t[i]);
    }
    // REINFORCE on one-step draws is (1/N) Σ r_i ∇log π(a_i)
    const g = reinforceRewardToGo(sq.batch, { param, theta }, 1), direct = new Float64Array(2);
    for (let i = 0; i < 50; i++) param.addScore(theta, 2 * i, 0, sq.batch.r_t[i]! / 50, direct);
    expect(Math.abs(g[0]! - direct[0]!)).toBeLessThan(1e-14);
    expect(Math.abs(g[1]! - direct[1]!)).toBeLessThan(1e-14);
  });

  it('invalid use throws typed errors: sums over actions, unknown nodes, bad θ', () => {
    const param = sampledGaussianPolicy(constantGaussianHead(1), 2, new Float64Array(2));
    expectError(() => param.probs(Float64Array.of(0, 0)), 'FIELD_UNSUPPORTED', 'probs');
    expectError(() => param.logProb(Float64Array.of(0, 0), 5, 0), 'POLICY_SHAPE', 'node 5');
    expectError(() => param.check(Float64Array.of(0, 70)), 'POLICY_SCALE', 'log σ[0]');
    expectError(() => param.check(Float64Array.of(NaN, 0)), 'POLICY_NOT_FINITE', 'θ[0]');
    expectError(() => param.check(Float64Array.of(0)), 'POLICY_SHAPE', '1 entries');
    expectError(() => sampleGaussianBandit([0], [0], 1, 0, () => 0, Rng.from(1)), 'SAMPLING_COUNT', 'draws');
    expectError(() => sampleGaussianBandit([0], [NaN], 1, 5, () => 0, Rng.from(1)), 'POLICY_NOT_FINITE', 'bandit policy');
    const { problem, K } = randomInstance();
    expectError(() => sampleLqrEpisodes(problem, K.subarray(1), [0, 0], 3, { kind: 'geometric' }, Rng.from(1)), 'LQR_INVALID', 'K has 5');
    expectError(() => sampleLqrEpisodes(problem, K, [0, 80], 3, { kind: 'geometric' }, Rng.from(1)), 'POLICY_SCALE', 'LQR policy');
    expectError(() => sampleLqrEpisodes(problem, K, [0, 0], 3, { kind: 'horizon', horizon: 0 }, Rng.from(1)), 'SAMPLING_HORIZON', 'horizon');
  });
});
