// `pgtruth check`, kind group: the user-level checks of loss aggregation (the declared
// objective: ∇J or the length-normalized ∇E[(R − V)/|o|]) and of the KL-to-reference term
// (E[∇L_KL] = ∇KL(π_θ‖π_ref) of whole responses), each with a correct example that passes
// and a buggy one that fails with the right diagnosis. Resolution 15% (the biases are 30–55%
// of the target's norm: src/verify/claims/group.ts, measured by enumeration), to stay cheap.
import { describe, expect, it } from 'vitest';
import { checkModule } from '../../src/verify/index.js';
import { groupDeclaration, type GroupEstimator } from '../../src/verify/group-kind.js';
import { expectError } from '../helpers.js';

const example = (f: string) => new URL(`../../examples/estimators/${f}`, import.meta.url).pathname;
const fixture = (f: string) => new URL(`./fixtures/group/${f}`, import.meta.url).pathname;
const FAST = { samples: 3200, resolution: 0.15, workers: 0, seed: 11 } as const;

describe('pgtruth check, kind group: aggregation and the KL term', () => {
  it('RLOO with the per-sequence mean passes when it declares the length-normalized objective, and fails on the token MDP only (the bandits have one token per response) when it claims ∇J', async () => {
    const ok = await checkModule(example('rloo-per-sequence.ts'), FAST);
    expect(ok.results.map((r) => r.verdict)).toEqual(['pass']);
    expect(ok.results[0]!.control.rejected).toBe(3);
    const bad = await checkModule(example('rloo-per-sequence-bug.ts'), FAST);
    expect(bad.results[0]!.verdict).toBe('fail');
    expect(bad.results[0]!.checks.map((c) => c.passed)).toEqual([true, true, false]);
    expect(JSON.stringify(bad.results[0]!.checks[2]!.diagnosis)).toContain('length-normalized');
  }, 60_000);

  it('the KL term: k1 in the reward (reward-to-go coefficients, or as { loss, gradient }) passes; GRPO\'s k3 loss term fails on both problems, named as the per-state reverse KL; a flipped sign fails', async () => {
    const ok = await checkModule(example('grpo-kl-k1-reward.ts'), FAST);
    expect(Object.fromEntries(ok.results.map((r) => [r.id.split('.').pop(), r.verdict]))).toEqual({ unbiased: 'pass', 'kl-penalty': 'pass' });
    const kl = ok.results.find((r) => r.id.endsWith('kl-penalty'))!;
    expect(kl.control.rejected).toBe(2);
    const bad = await checkModule(example('grpo-kl-k3-wrong-direction-bug.ts'), FAST);
    const k3 = bad.results.find((r) => r.id.endsWith('kl-penalty'))!;
    expect(k3.verdict).toBe('fail');
    for (const c of k3.checks) {
      expect(c.passed, c.instance).toBe(false);
      expect(JSON.stringify(c.diagnosis)).toContain('k3-loss-term');
    }
    const loss = await checkModule(fixture('kl-penalty-loss.ts'), FAST);
    expect(Object.fromEntries(loss.results.filter((r) => r.id.endsWith('kl-penalty')).map((r) => [r.id, r.verdict]))).toEqual({ 'check.k1 penalty as a loss.kl-penalty': 'pass', 'check.k1 penalty as a loss, sign flipped.kl-penalty': 'fail' });
  }, 90_000);

  it('refuses an objective that is not "J" or "length-normalized" and a klPenalty that is not a function (PLUGIN_INVALID, at describe time)', () => {
    const loaded = (estimator: object) => ({ estimator: { kind: 'group', estimate: () => [], ...estimator } as unknown as GroupEstimator, name: 'x', module: 'm.ts', key: 'default' });
    expectError(() => groupDeclaration(loaded({ objective: 'tokens' })), 'PLUGIN_INVALID', 'objective is "tokens"');
    expectError(() => groupDeclaration(loaded({ klPenalty: 3 })), 'PLUGIN_INVALID', 'klPenalty is 3');
    expect(groupDeclaration(loaded({ objective: 'length-normalized', klPenalty: () => [] }))).toEqual({ objective: 'length-normalized', klPenalty: true });
    expect(groupDeclaration(loaded({}))).toEqual({});
  });
});
