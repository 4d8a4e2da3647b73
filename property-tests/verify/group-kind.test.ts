// `pgtruth check` for group-relative estimators (kind `group`), sealed like every kind: the
// groups are drawn in this thread and the user's `estimate` (and `scale`) run in the sandbox's
// workers. A correct RLOO and a correct Dr. GRPO (declaring its 1 − 1/G) pass with their
// control rejected; GRPO with the std and 1/|o| fails on every instance with a bias far above
// the resolution; invalid exports and results are refused.
import { describe, expect, it } from 'vitest';
import { builtinTokenMDP, chain } from '../../src/mdp/index.js';
import { checkModule } from '../../src/verify/index.js';
import { expectErrorAsync } from '../helpers.js';

const example = (f: string) => new URL(`../../examples/estimators/${f}`, import.meta.url).pathname;
const fixture = (f: string) => new URL(`./fixtures/group/${f}`, import.meta.url).pathname;
const bias = (note: string | undefined) => Number(/= ([\d.]+)% of/.exec(note ?? '')![1]);

describe('pgtruth check, kind group', () => {
  it('RLOO and Dr. GRPO pass, their controls rejected; GRPO (std, 1/|o|) fails everywhere, its bias ≥ 30% of ‖∇J‖', async () => {
    for (const f of ['rloo.ts', 'dr-grpo.ts']) {
      const { results } = await checkModule(example(f), { samples: 64_000, workers: 0 });
      expect(results.map((r) => r.verdict), f).toEqual(['pass']);
      expect(results[0]!.control.rejected).toBe(results[0]!.control.checks.length);
    }
    const { results } = await checkModule(example('grpo-bug.ts'), { samples: 64_000, workers: 0 });
    expect(results[0]!.verdict).toBe('fail');
    for (const c of results[0]!.checks) {
      expect(c.passed, c.instance).toBe(false);
      expect(bias(c.note), c.note).toBeGreaterThan(30);
    }
  }, 90_000);
  it('the same verdicts and statistics with 1 and 2 workers (the groups are drawn in this thread)', async () => {
    const a = await checkModule(example('dr-grpo.ts'), { samples: 8_000, workers: 0, seed: 7 });
    const b = await checkModule(example('dr-grpo.ts'), { samples: 8_000, workers: 2, seed: 7 });
    expect(b.results[0]!.checks.map((c) => c.discrepancy)).toEqual(a.results[0]!.checks.map((c) => c.discrepancy));
  }, 60_000);
  it('Dr. GRPO without its declared 1 − 1/G fails (the group mean that includes the sample)', async () => {
    const { results } = await checkModule(fixture('dr-grpo-undeclared.ts'), { samples: 64_000, workers: 0, seed: 1 });
    expect(results[0]!.verdict).toBe('fail');
  }, 60_000);
  it('an estimator that returns { loss, gradient }: RLOO as the loss −(1/N) Σ A log π passes; with the sample in the mean it fails', async () => {
    const { results } = await checkModule(fixture('loss.ts'), { samples: 64_000, seed: 5 });
    expect(Object.fromEntries(results.map((r) => [r.id, r.verdict]))).toEqual({ 'check.RLOO loss.unbiased': 'pass', 'check.loss with r̄.unbiased': 'fail' });
  }, 90_000);
  it('--mdp: checks on the user\'s MDP (G = 4), and refuses one whose responses never end', async () => {
    const r = await checkModule(example('rloo.ts'), { samples: 64_000, mdp: builtinTokenMDP(), mdpLabel: 'my token MDP', seed: 3, workers: 0 });
    expect(r.results[0]!.verdict).toBe('pass');
    expect(r.results[0]!.checks.map((c) => c.instance)).toEqual(['my token MDP, G = 4: RLOO']);
    const bad = await checkModule(example('rloo.ts'), { samples: 64_000, mdp: chain(), seed: 3, workers: 0 });
    expect(bad.results[0]!.error).toContain('never terminates');
  }, 60_000);
  it('refuses a result of the wrong length, a scale that is not a function and a scale that is not finite', async () => {
    const r = await checkModule(fixture('wrong-length.ts'), { samples: 3200, seed: 1, workers: 0 });
    expect(r.results[0]!.verdict).toBe('error');
    expect(r.results[0]!.error).toContain('ESTIMATOR_INVALID');
    await expectErrorAsync(() => checkModule(fixture('scale-number.ts'), { workers: 0 }), 'PLUGIN_INVALID', 'scale is 0.5');
    await expectErrorAsync(() => checkModule(fixture('scale-nan.ts'), { workers: 0 }), 'PLUGIN_INVALID', 'scale(3) is NaN');
  }, 60_000);
});
