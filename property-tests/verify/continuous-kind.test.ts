// `pgtruth check` with policy declarations (issue 10, items 3 and 5): a policy-gradient
// estimator declaring `policy: 'gaussian' | 'tanh-gaussian'` is checked against exact ∇J on the
// LQR and the clipped and tanh bandits; `policy: 'mlp'` against the exact ∇_w J of an MLP
// policy. The correct examples pass with their controls rejected; the shipped bugs (score at
// the clipped action, tanh Jacobian at the squashed value, REINFORCE without γ^t) fail and are
// named; bad declarations and results are refused. Small runs (resolution 25–30%): the bugs'
// biases are 20–60% of ‖∇J‖₂.
import { describe, expect, it } from 'vitest';
import { checkModule } from '../../src/verify/index.js';
import { continuousCases, continuousEstimatorClaims, declaredPolicy, gaussianPolicyView, LQR_HORIZON } from '../../src/verify/continuous-kind.js';
import { loadEstimators } from '../../src/verify/plugin.js';
import { Rng } from '../../src/stats/rng.js';
import { expectError, expectErrorAsync } from '../helpers.js';
import { continuousLqrInstance } from '../../src/verify/claims/continuous.js';
import { validateBatch } from '../../src/sampling/batch.js';
import { chain } from '../../src/mdp/index.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const example = (f: string) => new URL(`../../examples/estimators/${f}`, import.meta.url).pathname;
const fixture = (f: string) => new URL(`./fixtures/policy-views/${f}`, import.meta.url).pathname;
const small = { resolution: 0.3, samples: 400, workers: 0, seed: 11 };

describe('pgtruth check, continuous policies', () => {
  it('the batches: valid, transition-indexed, a_cont_t and the view agree with the sampler\'s logp_t; the LQR cut at H with γ^H ≤ 2e-7', () => {
    expect(continuousLqrInstance().problem.gamma ** LQR_HORIZON).toBeLessThan(2e-7);
    for (const x of [...continuousCases('gaussian'), ...continuousCases('tanh-gaussian')]) {
      const { batch } = x.draw(Rng.from(`test/${x.label}`));
      validateBatch(batch);
      const view = gaussianPolicyView(x.spec, x.theta), lp = view.logProbs(batch);
      for (let i = 0; i < batch.size; i++) expect(lp[i]).toBeCloseTo(batch.logp_t[i]!, 12);
      // the score in θ: a central difference of logProb at one transition
      const d = batch.obsDim, k = batch.actionDim, obs = batch.obs_t.subarray(0, d), a = batch.a_cont_t.subarray(0, k), g = view.score(obs, a);
      for (let j = 0; j < x.theta.length; j++) {
        const h = 1e-6, up = Float64Array.from(x.theta), dn = Float64Array.from(x.theta);
        up[j]! += h; dn[j]! -= h;
        expect(g[j]).toBeCloseTo((gaussianPolicyView(x.spec, up).logProb(obs, a) - gaussianPolicyView(x.spec, dn).logProb(obs, a)) / (2 * h), 5);
      }
    }
  });
  it('Gaussian REINFORCE passes on the LQR and the clipped bandit; the score at the clipped action fails there and is named', async () => {
    const ok = await checkModule(example('gaussian-reinforce.ts'), small);
    expect(ok.results[0]!.verdict).toBe('pass');
    expect(ok.results[0]!.control.rejected).toBe(2);
    const bug = await checkModule(example('gaussian-clipped-score-bug.ts'), small);
    const clipped = bug.results[0]!.checks.find((c) => c.instance.includes('clip(a)'))!;
    expect(bug.results[0]!.verdict).toBe('fail');
    expect(clipped.passed).toBe(false);
    expect(clipped.discrepancy).toBeGreaterThan(clipped.tolerance);
    expect(clipped.diagnosis?.looksLike).toContain('score-at-clipped-action');
  }, 60_000);
  it('the tanh-Gaussian estimator passes; the Jacobian at the squashed value fails and is named', async () => {
    const ok = await checkModule(example('tanh-gaussian.ts'), small);
    expect(ok.results[0]!.verdict).toBe('pass');
    expect(ok.results[0]!.control.rejected).toBe(1);
    const bug = await checkModule(example('tanh-jacobian-bug.ts'), small);
    expect(bug.results[0]!.verdict).toBe('fail');
    expect(bug.results[0]!.checks[0]!.diagnosis?.looksLike).toContain('tanh-jacobian-at-squashed-value');
  }, 60_000);
  it('bad declarations and results: PLUGIN_POLICY, ESTIMATOR_INVALID, --mdp refused', async () => {
    await expectErrorAsync(() => checkModule(fixture('unknown-policy.ts'), { workers: 0 }), 'PLUGIN_POLICY', 'policy is "beta"');
    const onAdvantage = (await loadEstimators(fixture('policy-on-advantage.ts')))[0]!;
    expectError(() => declaredPolicy(onAdvantage), 'PLUGIN_POLICY', 'on kind advantage');
    const r = await checkModule(fixture('wrong-length.ts'), small);
    expect(r.results[0]!.verdict).toBe('error');
    expect(r.results[0]!.error).toContain('ESTIMATOR_INVALID');
    const gauss = (await loadEstimators(example('gaussian-reinforce.ts')))[0]!;
    expectError(() => continuousEstimatorClaims(gauss, () => Promise.resolve(new Float64Array(0)), { mdp: chain() }), 'CLI_USAGE', '--mdp');
    // sealed like every kind: a continuous estimate that never returns is stopped
    await expectErrorAsync(() => checkModule(fixture('hang.ts'), { ...small, timeout: 0.5 }), 'USER_CODE_TIMEOUT', 'hang.estimate');
  }, 30_000);
});

describe('pgtruth check, continuous policies in Python', () => {
  it('the numpy tanh-Gaussian example passes; with the Jacobian at the squashed value it fails and is named; an MLP policy in the time-major layout is refused', async () => {
    const ok = await checkModule(new URL('../../examples/python/tanh_gaussian.py', import.meta.url).pathname, small);
    expect(ok.results[0]!.verdict).toBe('pass');
    const dir = mkdtempSync(join(tmpdir(), 'pgtruth-ckcont-'));
    const src = readFileSync(new URL('../../examples/python/tanh_gaussian.py', import.meta.url), 'utf8');
    writeFileSync(join(dir, 'bug.py'), src.replace('JACOBIAN_AT_SQUASHED = False', 'JACOBIAN_AT_SQUASHED = True'));
    const bug = await checkModule(join(dir, 'bug.py'), small);
    expect(bug.results[0]!.verdict).toBe('fail');
    expect(bug.results[0]!.checks[0]!.diagnosis?.looksLike).toContain('tanh-jacobian-at-squashed-value');
    // the MLP view itself is python-mlp.test.ts's
    writeFileSync(join(dir, 'mlp.py'), "PGTRUTH = {'kind': 'policy-gradient', 'policy': 'mlp', 'function': 'f', 'layout': 'time-major'}\ndef f(batch, policy, gamma):\n    return 0\n");
    await expectErrorAsync(() => checkModule(join(dir, 'mlp.py'), { workers: 0 }), 'PLUGIN_POLICY', 'an mlp policy takes flat batches');
  }, 90_000);
});

describe('pgtruth check, MLP policy view', () => {
  it('MLP REINFORCE passes on the gridworld and the Garnet; without γ^t it fails on the Garnet', async () => {
    const ok = await checkModule(example('mlp-reinforce.ts'), { ...small, resolution: 0.25 });
    expect(ok.results[0]!.verdict).toBe('pass');
    const bug = await checkModule(example('mlp-reinforce-no-discount.ts'), { ...small, resolution: 0.25 });
    const garnet = bug.results[0]!.checks.find((c) => c.instance.includes('garnet'))!;
    expect(garnet.passed).toBe(false);
    expect(garnet.discrepancy).toBeGreaterThan(garnet.tolerance);
    expect(garnet.diagnosis?.looksLike).toContain('mutant.reinforce-no-discount-weight');
  }, 90_000);
});
