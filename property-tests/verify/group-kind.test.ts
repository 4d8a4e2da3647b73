// `pgtruth check` for group-relative estimators (kind `group`), in this thread: a correct RLOO
// and a correct Dr. GRPO (declaring its 1 − 1/G) pass with their control rejected; GRPO with the
// std and 1/|o| fails on every instance with a bias far above the resolution; invalid exports
// and results are refused.
import { describe, expect, it } from 'vitest';
import { builtinTokenMDP, chain } from '../../src/mdp/index.js';
import { checkModule, collectEstimators, groupEstimatorClaims, runClaims } from '../../src/verify/index.js';
import { expectError } from '../helpers.js';

const example = (f: string) => new URL(`../../examples/estimators/${f}`, import.meta.url).pathname;
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
  }, 60_000);
  it('Dr. GRPO without its declared 1 − 1/G fails (the group mean that includes the sample)', async () => {
    const mod = await import(example('dr-grpo.ts'));
    const undeclared = { ...mod.default, scale: undefined, name: 'Dr. GRPO claimed unbiased' };
    const [e] = collectEstimators({ default: undeclared }, 'inline');
    const r = await runClaims(groupEstimatorClaims(e!, { samples: 64_000 }), { seed: 1 });
    expect(r[0]!.verdict).toBe('fail');
  }, 60_000);
  it('an estimator that returns { loss, gradient }: RLOO as the loss −(1/N) Σ A log π passes; with the sample in the mean it fails', async () => {
    const loss = (inMean: boolean) => ({
      kind: 'group', name: inMean ? 'loss with r̄' : 'RLOO loss',
      estimate(b: { numPrompts: number; groupSize: number; maxTokens: number; rewards: Float64Array; mask: Uint8Array; s_t: Int32Array; a_t: Int32Array; logp_t: Float64Array }, policy: { numStates: number; numActions: number; addScore(s: number, a: number, w: number, out: Float64Array): void }) {
        const G = b.groupSize, T = b.maxTokens, N = b.numPrompts * G, gradient = new Float64Array(policy.numStates * policy.numActions);
        let L = 0;
        for (let i = 0; i < N; i++) {
          const g0 = Math.floor(i / G) * G;
          let sum = 0;
          for (let j = 0; j < G; j++) sum += b.rewards[g0 + j]!;
          const A = inMean ? b.rewards[i]! - sum / G : b.rewards[i]! - (sum - b.rewards[i]!) / (G - 1);
          for (let t = 0; t < T; t++) if (b.mask[i * T + t]) { L -= (A * b.logp_t[i * T + t]!) / N; policy.addScore(b.s_t[i * T + t]!, b.a_t[i * T + t]!, -A / N, gradient); }
        }
        return { loss: L, gradient };
      },
    });
    const [good] = collectEstimators({ default: loss(false) }, 'inline'), [bad] = collectEstimators({ default: loss(true) }, 'inline');
    expect((await runClaims(groupEstimatorClaims(good!, { samples: 64_000 }), { seed: 5 }))[0]!.verdict).toBe('pass');
    expect((await runClaims(groupEstimatorClaims(bad!, { samples: 64_000 }), { seed: 5 }))[0]!.verdict).toBe('fail');
  }, 60_000);
  it('--mdp: checks on the user\'s MDP (G = 4), and refuses one whose responses never end', async () => {
    const [e] = collectEstimators(await import(example('rloo.ts')), 'rloo.ts');
    const r = await runClaims(groupEstimatorClaims(e!, { samples: 64_000, mdp: builtinTokenMDP(), mdpLabel: 'my token MDP' }), { seed: 3 });
    expect(r[0]!.verdict).toBe('pass');
    expect(r[0]!.checks.map((c) => c.instance)).toEqual(['my token MDP, G = 4: RLOO']);
    const bad = await runClaims(groupEstimatorClaims(e!, { samples: 64_000, mdp: chain() }), { seed: 3 });
    expect(bad[0]!.error).toContain('never terminates');
  }, 60_000);
  it('refuses a scale that is not a function, and a result of the wrong length', async () => {
    const bad = collectEstimators({ default: { kind: 'group', estimate: () => [1, 2, 3] } }, 'inline')[0]!;
    const r = await runClaims(groupEstimatorClaims(bad, { samples: 3200 }), { seed: 1 });
    expect(r[0]!.verdict).toBe('error');
    expect(r[0]!.error).toContain('ESTIMATOR_INVALID');
    const e = collectEstimators({ default: { kind: 'group', scale: 0.5, estimate: () => [] } }, 'inline')[0]!;
    expectError(() => groupEstimatorClaims(e, {}), 'PLUGIN_INVALID', 'scale is 0.5');
  });
});
