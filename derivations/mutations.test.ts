// A broken step must show as a failing step: a mutated right-hand side, and bugs planted in
// the library functions that implement a step (the checks are re-imported with the buggy
// module in place). Untouched steps keep passing, so the failure points at the bug.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Fraction } from '../src/field/fraction.js';
import type { Side, StepCheck } from './framework/step.js';
import { runStep } from './framework/step.js';

async function freshChecks(): Promise<ReadonlyMap<string, StepCheck<unknown>>> {
  const { allChecks } = await import('./checks/index.js');
  return allChecks();
}

const failing = (checks: ReadonlyMap<string, StepCheck<unknown>>, keys: string[]) => keys.filter((k) => !runStep(checks.get(k)!).passed);

afterEach(() => {
  vi.doUnmock('../src/exact/rational.js');
  vi.doUnmock('../src/policy/softmax.js');
  vi.resetModules();
});

describe('a deliberately broken step fails', () => {
  it('an exact step with its right-hand side off by 1/1000 fails; the same step unmutated passes', async () => {
    const checks = await freshChecks();
    const step = checks.get('pgt.theorem')!;
    expect(runStep(step).passed).toBe(true);
    const mutated: StepCheck<unknown> = { ...step, rhs: (x) => (step.rhs(x) as readonly Fraction[]).map((v) => v.mul(1001).div(1000)) };
    const r = runStep(mutated);
    expect(r.passed).toBe(false);
    expect(r.outcomes.every((o) => !o.passed && !o.exactZero)).toBe(true);
  });

  it('a floating-point step with its right-hand side off by 1e-6 (relative) fails', async () => {
    const checks = await freshChecks();
    const step = checks.get('score.baseline-unbiased')!;
    const mutated: StepCheck<unknown> = { ...step, rhs: (x): Side => Float64Array.from(step.rhs(x) as ArrayLike<number>, (v) => v * (1 + 1e-6) + 1e-6) };
    expect(runStep(mutated).passed).toBe(false);
  });

  it('a step whose control is not rejected fails (a check that cannot fail is not a pass)', async () => {
    const checks = await freshChecks();
    const step = checks.get('gae.weighting')!;
    const toothless: StepCheck<unknown> = { ...step, control: { description: 'the right variant itself', rhs: step.rhs } };
    const r = runStep(toothless);
    expect(r.outcomes.every((o) => o.passed)).toBe(true);
    expect(r.passed).toBe(false);
  });

  it('a bug in the library theorem (d in place of η) fails the steps it implements, and only those', async () => {
    vi.resetModules();
    vi.doMock('../src/exact/rational.js', async (importOriginal) => {
      const orig = await importOriginal<typeof import('../src/exact/rational.js')>();
      return {
        ...orig,
        exactPolicyGradient: (m: Parameters<typeof orig.exactPolicyGradient>[0], pi: Parameters<typeof orig.exactPolicyGradient>[1], ev?: Parameters<typeof orig.exactPolicyGradient>[2]) => {
          const e = ev ?? orig.evaluateExact(m, pi);
          return e.Q.map((x, i) => e.d[Math.floor(i / m.numActions)]!.mul(x)); // the bug
        },
      };
    });
    const checks = await freshChecks();
    expect(failing(checks, ['pgt.theorem', 'reinforce.likelihood-ratio', 'reinforce.reward-to-go', 'reinforce.gamma-t'])).toEqual(['pgt.theorem', 'reinforce.likelihood-ratio', 'reinforce.reward-to-go', 'reinforce.gamma-t']);
    expect(failing(checks, ['pgt.product-rule', 'pgt.unrolled', 'pgt.visitation', 'reinforce.q-form', 'is.per-decision'])).toEqual([]);
  });

  it('a bug in the softmax score (the −π(b|s) term dropped) fails the score steps', async () => {
    vi.resetModules();
    vi.doMock('../src/policy/softmax.js', async (importOriginal) => {
      const orig = await importOriginal<typeof import('../src/policy/softmax.js')>();
      return {
        ...orig,
        softmaxPolicy: (S: number, A: number) => {
          const p = orig.softmaxPolicy(S, A);
          return { ...p, addScore: (_theta: Float64Array, s: number, a: number, w: number, out: Float64Array) => { out[s * A + a] = out[s * A + a]! + w; } };
        },
      };
    });
    const checks = await freshChecks();
    expect(failing(checks, ['score.log-derivative', 'score.zero-mean', 'score.baseline-unbiased', 'pgt.log-derivative'])).toEqual(['score.log-derivative', 'score.zero-mean', 'score.baseline-unbiased', 'pgt.log-derivative']);
    expect(failing(checks, ['pgt.theorem', 'gae.td-error'])).toEqual([]);
  });
});
