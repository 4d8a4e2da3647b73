// `pgtruth check` with `policy: 'gaussian-mlp' | 'tanh-gaussian-mlp'` (src/verify/gaussian-mlp-kind.ts):
// Gaussian and tanh-Gaussian heads on an MLP, judged against the exact ∇_w J of a contextual
// bandit. The batches and the view agree with the sampler (log π, the score by differences, the
// score sum by the per-transition scores); the correct examples pass with their controls
// rejected; the shipped bugs (the score at the clipped action; the tanh Jacobian at the squashed
// value) fail and are named; bad shapes and declarations are refused. Small runs (resolution
// 30%, fixed seed, α = 1e-6 per check): the bugs' biases are 12% and 60% of ‖∇_w J‖₂ in their
// worst coordinates, far beyond the checks' thresholds at these sizes (measured: |z| 8.8 and 32
// at the default resolution).
import { describe, expect, it } from 'vitest';
import { continuousEstimatorClaims } from '../../src/verify/continuous-kind.js';
import { gaussianMlpCases, gaussianMlpPolicyView, mlpBanditInstance } from '../../src/verify/gaussian-mlp-kind.js';
import { gaussianMlpSurrogateCases } from '../../src/verify/gaussian-mlp-surrogate.js';
import { mlpBanditObjective } from '../../src/exact/gaussian-mlp-bandit.js';
import { checkModule } from '../../src/verify/index.js';
import { mlpGaussianChainRuleClaim } from '../../src/verify/claims/continuous-mlp.js';
import { defaultClaims } from '../../src/verify/claims/index.js';
import { runClaims } from '../../src/verify/runner.js';
import { loadEstimators } from '../../src/verify/plugin.js';
import { validateBatch } from '../../src/sampling/batch.js';
import { chain } from '../../src/mdp/index.js';
import { Rng } from '../../src/stats/rng.js';
import { expectError, rel } from '../helpers.js';

const example = (f: string) => new URL(`../../examples/estimators/${f}`, import.meta.url).pathname;
const small = { resolution: 0.3, samples: 400, workers: 0, seed: 11 };

describe('the MLP-head view and its batches', () => {
  for (const policy of ['gaussian-mlp', 'tanh-gaussian-mlp'] as const) {
    it(`${policy}: valid one-step batches; the view's log π is the sampler's logp_t, its score the difference of log π, its scoreSum the sum of scores`, () => {
      const [x] = gaussianMlpCases(policy), { batch } = x!.draw(Rng.from(`test/${policy}`));
      validateBatch(batch);
      expect(batch.terminated_t.every((v) => v === 1)).toBe(true);
      const view = gaussianMlpPolicyView(mlpBanditInstance(policy).spec, x!.theta), lp = view.logProbs(batch);
      for (let i = 0; i < batch.size; i++) expect(lp[i]).toBeCloseTo(batch.logp_t[i]!, 12);
      // the environment's action: clip(u) for the Gaussian head, tanh(u) for the tanh head
      for (let i = 0; i < batch.size; i++) expect(batch.a_env_t[i]).toBe(policy === 'tanh-gaussian-mlp' ? Math.tanh(batch.a_cont_t[i]!) : Math.min(1, Math.max(-1, batch.a_cont_t[i]!)));
      const d = batch.obsDim, k = batch.actionDim, obs = batch.obs_t.subarray(0, d), a = batch.a_cont_t.subarray(0, k), g = view.score(obs, a);
      for (let j = 0; j < view.numParams; j += 3) {
        const h = 1e-6, up = Float64Array.from(x!.theta), dn = Float64Array.from(x!.theta);
        up[j]! += h; dn[j]! -= h;
        expect(g[j]).toBeCloseTo((gaussianMlpPolicyView(mlpBanditInstance(policy).spec, up).logProb(obs, a) - gaussianMlpPolicyView(mlpBanditInstance(policy).spec, dn).logProb(obs, a)) / (2 * h), 5);
      }
      const c = Float64Array.from(batch.r_t, (r, i) => r - batch.v_t[i]!), sum = view.scoreSum(batch, c), acc = new Float64Array(view.numParams);
      for (let i = 0; i < batch.size; i++) view.addScore(batch.obs_t.subarray(i * d, (i + 1) * d), batch.a_cont_t.subarray(i * k, (i + 1) * k), c[i]!, acc);
      for (let j = 0; j < view.numParams; j++) expect(sum[j]).toBeCloseTo(acc[j]!, 12);
      if (policy === 'gaussian-mlp') expect(view.logStd(obs)[0]).toBe(x!.theta[view.logStdOffset!]);
      else expect(view.logStdOffset).toBeNull();
    });
  }
  it('shapes are checked: POLICY_SHAPE for a wrong w, observation or batch', () => {
    const x = mlpBanditInstance('tanh-gaussian-mlp'), view = gaussianMlpPolicyView(x.spec, x.theta);
    expectError(() => gaussianMlpPolicyView(x.spec, x.theta.subarray(1)), 'POLICY_SHAPE', 'w has 31 entries');
    expectError(() => view.mean([1, 2, 3]), 'POLICY_SHAPE', 'obs has 3');
    const { batch } = gaussianMlpCases('tanh-gaussian-mlp')[0]!.draw(Rng.from('shape'));
    expectError(() => view.scoreSum({ ...batch, obsDim: 3 }, new Float64Array(batch.size)), 'POLICY_SHAPE', 'obsDim 3');
    expectError(() => view.scoreSum(batch, new Float64Array(2)), 'POLICY_SHAPE', 'coefficients have 2');
    expectError(() => view.addScore([0, 0], [0], 1, new Float64Array(3)), 'POLICY_SHAPE', "addScore's out");
  });
});

describe('pgtruth check, Gaussian and tanh-Gaussian MLP heads', () => {
  it('the correct examples pass with their controls rejected; the score at the clipped action and the tanh Jacobian at the squashed value fail and are named', async () => {
    // one module with the four examples: one sandbox (./fixtures/gaussian-mlp/examples.ts)
    const { results } = await checkModule(new URL('./fixtures/gaussian-mlp/examples.ts', import.meta.url).pathname, small);
    const of = (name: string) => results.find((r) => r.id === `check.${name}.unbiased` || r.id === `check.${name}.gradient`)!;
    for (const name of ['gaussian-mlp-reinforce', 'tanh-gaussian-mlp']) {
      expect(of(name).verdict).toBe('pass');
      expect(of(name).control.rejected).toBe(1);
    }
    for (const [name, looksLike] of [['gaussian-mlp-clipped-score-bug', 'score-at-clipped-action'], ['tanh-gaussian-mlp-jacobian-bug', 'tanh-jacobian-at-squashed-value']] as const) {
      const c = of(name).checks[0]!;
      expect(of(name).verdict).toBe('fail');
      expect(c.discrepancy).toBeGreaterThan(c.tolerance);
      expect(c.diagnosis?.looksLike).toContain(looksLike);
    }
    // the PPO surrogate kind with the MLP heads: at w_old and at w ≠ w_old; the bugs named at w_old
    expect(of('gaussian-mlp-ppo').verdict).toBe('pass');
    expect(of('gaussian-mlp-ppo').control.rejected).toBe(2);
    expect(of('tanh-gaussian-mlp-ppo').verdict).toBe('pass');
    expect(of('tanh-gaussian-mlp-ppo').control.rejected).toBe(2);
    for (const [name, looksLike] of [['gaussian-mlp-ppo-clipped-ratio-bug', 'ratio-at-clipped-action'], ['tanh-gaussian-mlp-ppo-jacobian-bug', 'tanh-jacobian-at-squashed-value']] as const) {
      const atOld = of(name).checks[0]!;
      expect(of(name).verdict).toBe('fail');
      expect(atOld.discrepancy).toBeGreaterThan(atOld.tolerance);
      expect(atOld.diagnosis?.looksLike).toContain(looksLike);
    }
  }, 60_000);
  it('--mdp is refused with an MLP head (CLI_USAGE)', async () => {
    const e = (await loadEstimators(example('gaussian-mlp-reinforce.ts')))[0]!;
    expectError(() => continuousEstimatorClaims(e, () => Promise.resolve(new Float64Array(0)), { mdp: chain() }), 'CLI_USAGE', '--mdp');
  });
});

describe('the default report\'s claim continuous.mlp-chain-rule', () => {
  it('passes (chain rule = Ridders to 1e-8) with its control (log σ detached) rejected on both instances; it is in the default report', async () => {
    const [r] = await runClaims([mlpGaussianChainRuleClaim], { seed: 1 });
    expect(r!.verdict).toBe('pass');
    expect(r!.checks.every((c) => c.discrepancy < 1e-11)).toBe(true);
    expect(r!.control.rejected).toBe(2);
    const ids = defaultClaims().map((c) => c.id);
    expect(ids).toContain('continuous.mlp-chain-rule');
  });
});

describe('the surrogate targets of the MLP heads', () => {
  for (const policy of ['gaussian-mlp', 'tanh-gaussian-mlp'] as const) {
    it(`${policy}: at w_old the clipped surrogate's target is ∇_w J; at w ≠ w_old the unclipped one's is ∇_w J(w), since E_old[ρA] = E_w[A] (independent routes: the bandit routines at w)`, () => {
      const x = mlpBanditInstance(policy);
      const [atOld, moved] = gaussianMlpSurrogateCases(policy, { clip: 0.2 }, { clip: 0.2 });
      expect(rel(atOld!.target, x.exact.grad)).toBeLessThan(1e-9);
      const [, unclipped] = gaussianMlpSurrogateCases(policy, {}, {});
      const atW = mlpBanditObjective(x.bandit, x.policy, moved!.theta);
      expect(rel(unclipped!.target, atW.grad)).toBeLessThan(1e-9);
      // the clip changes the target off w_old (else the θ ≠ θ_old check would test nothing beyond ∇J(w))
      expect(rel(moved!.target, atW.grad)).toBeGreaterThan(1e-2);
    });
  }
});
