// The MLP-policy claims (src/verify/claims/mlp.ts) and their task (src/verify/mlp-tasks.ts):
// the per-batch estimate — the library estimator at the logits pulled back by one VJP — equals
// the per-transition score sum of the categorical head, Σ_t c_t ∇_w log π(a_t|s_t), with c_t
// built here from the library's rewardToGo / gae and discountWeights (the chain rule applied
// to samples); the claims pass with their controls rejected by ≥ 4 SE; workers give the
// same rows as this thread.
import { describe, expect, it } from 'vitest';
import { gae } from '../../src/estimators/advantages.js';
import { rewardToGo } from '../../src/estimators/returns.js';
import { countEpisodes, discountWeights } from '../../src/estimators/score.js';
import { logitPolicy } from '../../src/exact/neural.js';
import { categoricalMlpPolicy } from '../../src/policy/categorical.js';
import { sampleEpisodes, SamplerPool, mapBatchesSync } from '../../src/sampling/index.js';
import type { Batch } from '../../src/sampling/batch.js';
import type { TaskContext } from '../../src/sampling/map.js';
import { MLP_ALPHA, mlpChainRuleClaim, mlpEstimatorsClaim, mlpSampledInstances, type MlpInstance } from '../../src/verify/claims/mlp.js';
import { mlpPolicyGradientTask, type MlpGradientOptions } from '../../src/verify/mlp-tasks.js';
import { runClaim } from '../../src/verify/runner.js';
import { defaultClaims, mlpClaims } from '../../src/verify/claims/index.js';
import { rel } from '../helpers.js';

function options(x: MlpInstance, extra: Partial<MlpGradientOptions>): MlpGradientOptions {
  const { mlp, theta, features, numStates } = x.policy;
  return { sizes: mlp.sizes, activation: 'tanh', theta: Array.from(theta), features: Array.from(features), numStates, gamma: x.mdp.gamma, estimator: 'reinforceRewardToGo', ...extra };
}

/** Σ_t c_t ∇_w log π(a_t|s_t) by the categorical head over the feature rows φ(s_t). */
function headScoreSum(x: MlpInstance, b: Batch, c: Float64Array): Float64Array {
  const { mlp, theta, features } = x.policy, d = mlp.inputDim;
  const obs = new Float64Array(b.size * d);
  for (let t = 0; t < b.size; t++) obs.set(features.subarray(b.s_t[t]! * d, (b.s_t[t]! + 1) * d), t * d);
  return categoricalMlpPolicy(mlp).scoreSum(theta, obs, b.size, b.a_t.slice(0, b.size), c);
}

describe('the MLP task: the chain rule applied to samples', () => {
  const x = mlpSampledInstances()[1]!; // the γ = 0.9 Garnet: γ^t matters
  const spec = { mdp: x.mdp, policy: logitPolicy(x.policy) };
  const b = sampleEpisodes(spec, { episodes: 32, seed: 5 });
  const ctx = (o: MlpGradientOptions): TaskContext<MlpGradientOptions> => ({ mdp: x.mdp, policy: spec.policy, behaviour: spec.policy, index: 0, source: { kind: 'episodes', episodes: 32 }, options: o });
  const V = x.exact.ev.V, gamma = x.mdp.gamma, E = countEpisodes(b), w = discountWeights(b, gamma);

  it('REINFORCE (reward-to-go, γ^t, b = V^π): pullback of the tabular estimate = the head\'s score sum with c_t = γ^t (G_t − V(s_t)) / E', () => {
    const G = rewardToGo(b, gamma);
    const c = Float64Array.from({ length: b.size }, (_, t) => (w[t]! * (G[t]! - V[b.s_t[t]!]!)) / E);
    const est = mlpPolicyGradientTask(b, ctx(options(x, { baseline: Array.from(V) })));
    expect(rel(est, headScoreSum(x, b, c))).toBeLessThan(1e-12);
    // the control's coefficients lack γ^t: a different vector on this batch
    const noGamma = mlpPolicyGradientTask(b, ctx(options(x, { estimator: 'mutant.reinforce-no-discount-weight', baseline: Array.from(V) })));
    const cNo = Float64Array.from({ length: b.size }, (_, t) => (G[t]! - V[b.s_t[t]!]!) / E);
    expect(rel(noGamma, headScoreSum(x, b, cNo))).toBeLessThan(1e-12);
    expect(rel(noGamma, est)).toBeGreaterThan(1e-2);
  });

  it('actor-critic with GAE on V^π: c_t = γ^t Â_t / E', () => {
    const adv = gae(b, V, gamma, 0.95);
    const c = Float64Array.from({ length: b.size }, (_, t) => (w[t]! * adv[t]!) / E);
    const est = mlpPolicyGradientTask(b, ctx(options(x, { advantage: { estimator: 'gae', parameter: 0.95, values: Array.from(V) } })));
    expect(rel(est, headScoreSum(x, b, c))).toBeLessThan(1e-12);
  });

  it('workers load the task module and give the rows of this thread', async () => {
    const o = options(x, { baseline: Array.from(V) });
    const plan = { source: { kind: 'episodes' as const, episodes: 8 }, batches: 6, seed: 'mlp-pool' };
    const local = mapBatchesSync(spec, plan, mlpPolicyGradientTask, o);
    const pool = await SamplerPool.create({ workers: 1 });
    try {
      const remote = await pool.mapBatches(spec, plan, { module: new URL('../../src/verify/mlp-tasks.ts', import.meta.url), name: 'mlpPolicyGradientTask' }, o);
      expect(Array.from(remote.values)).toEqual(Array.from(local.values));
    } finally {
      await pool.close();
    }
  }, 30_000);
});

describe('the MLP claims', () => {
  it('are in the default report, after the estimator claims', () => {
    const ids = defaultClaims().map((c) => c.id);
    for (const c of mlpClaims) expect(ids).toContain(c.id);
    expect(ids.indexOf('mlp.estimators-unbiased')).toBeGreaterThan(ids.indexOf('estimators.reinforce-unbiased'));
  });

  it('mlp.chain-rule holds on every instance and rejects the softmax-Jacobian-dropped control everywhere', async () => {
    const r = await runClaim(mlpChainRuleClaim, { seed: 1, scale: 1 });
    expect(r.verdict, r.error).toBe('pass');
    expect(r.checks.length).toBe(12);
    expect(r.control.rejected).toBe(r.control.checks.length);
    for (const c of r.control.checks) expect(c.discrepancy).toBeGreaterThan(1);
  });

  it('mlp.estimators-unbiased passes at α = 1e-7 per check with its resolution stated, and its control is rejected by ≥ 4 SE', async () => {
    const r = await runClaim(mlpEstimatorsClaim, { seed: 11, scale: 0.5 });
    expect(r.verdict, r.error).toBe('pass');
    expect(r.checks.length).toBe(4);
    for (const c of r.checks) {
      expect(c.stats!.falseAlarmRate).toBe(MLP_ALPHA);
      expect(c.note).toMatch(/resolution [0-9.]+% of ‖∇_w J‖₂/);
    }
    for (const c of r.control.checks) expect(c.discrepancy - c.tolerance).toBeGreaterThanOrEqual(4);
  });
});
