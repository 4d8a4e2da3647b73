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
  for (const m of ['../src/exact/rational.js', '../src/policy/softmax.js', '../src/estimators/advantages.js', '../src/mirror/rational.js', '../src/exact/bounds.js', '../src/estimators/vmpo.js', '../src/mirror/update.js', '../src/exact/advantage-expectation.js']) vi.doUnmock(m);
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

  it('a bug in the library\'s GAE (the carry not reset at a truncation) fails the GAE steps, not the n-step ones', async () => {
    vi.resetModules();
    vi.doMock('../src/estimators/advantages.js', async (importOriginal) => {
      const orig = await importOriginal<typeof import('../src/estimators/advantages.js')>();
      return {
        ...orig,
        gae: (b: Parameters<typeof orig.gae>[0], values: Float64Array, gamma: number, lambda: number) => {
          const out = new Float64Array(b.size);
          let carry = 0;
          for (let i = b.size - 1; i >= 0; i--) {
            const delta = b.r_t[i]! + (b.terminated_t[i] ? 0 : gamma * values[b.s_tp1[i]!]!) - values[b.s_t[i]!]!;
            carry = b.terminated_t[i] ? delta : delta + gamma * lambda * carry; // the bug: truncated_t ignored
            out[i] = carry;
          }
          return out;
        },
      };
    });
    const checks = await freshChecks();
    expect(failing(checks, ['gae.recursion', 'gae.weighting'])).toEqual(['gae.recursion', 'gae.weighting']);
    expect(failing(checks, ['gae.nstep-telescoping', 'gae.td-error'])).toEqual([]);
  });

  it('a bug in the exact wrong-critic expectation (a termination bootstrapped from the critic) fails gae.wrong-critic, and only it', async () => {
    vi.resetModules();
    vi.doMock('../src/exact/advantage-expectation.js', async (importOriginal) => {
      const orig = await importOriginal<typeof import('../src/exact/advantage-expectation.js')>();
      return {
        ...orig,
        truncatedTdSumsIn: <T>(F: Parameters<typeof orig.truncatedTdSumsIn<T>>[0], m: Parameters<typeof orig.truncatedTdSumsIn<T>>[1], pi: readonly T[], values: readonly T[], kappa: T, horizons: number) =>
          orig.truncatedTdSumsIn(F, { ...m, terminal: new Uint8Array(m.numStates) }, pi, values, kappa, horizons), // the bug: terminal states treated as live
      };
    });
    const checks = await freshChecks();
    expect(failing(checks, ['gae.wrong-critic'])).toEqual(['gae.wrong-critic']);
    expect(failing(checks, ['gae.weighting', 'gae.later-td-errors', 'gae.td-error'])).toEqual([]);
  });

  it('a bug in the exact PPO term (the max(0, ·) dropped) fails the drift steps of derivation 7', async () => {
    vi.resetModules();
    vi.doMock('../src/mirror/rational.js', async (importOriginal) => {
      const orig = await importOriginal<typeof import('../src/mirror/rational.js')>();
      return {
        ...orig,
        ppoTermIn: <T>(F: import('../src/mirror/rational.js').OrderedField<T>, x: T, p: T, adv: T, epsilon: T): T => {
          if (F.isZero(p)) return F.mul(x, adv);
          const r = F.div(x, p);
          return F.mul(p, F.mul(F.sub(r, orig.clipIn(F, r, F.sub(F.one, epsilon), F.add(F.one, epsilon))), adv));
        },
      };
    });
    const checks = await freshChecks();
    expect(failing(checks, ['ppo.per-action', 'ppo.drift-nonnegative', 'ppo.mirror-objective'])).toEqual(['ppo.per-action', 'ppo.drift-nonnegative', 'ppo.mirror-objective']);
    expect(failing(checks, ['ppo.min-identity', 'trpo.performance-difference'])).toEqual([]);
  });

  it('a bug in TRPO\'s penalty (1 − γ in place of (1 − γ)²) fails the step that checks the bound\'s terms', async () => {
    vi.resetModules();
    vi.doMock('../src/exact/bounds.js', async (importOriginal) => {
      const orig = await importOriginal<typeof import('../src/exact/bounds.js')>();
      return {
        ...orig,
        trpoBound: (...args: Parameters<typeof orig.trpoBound>) => {
          const b = orig.trpoBound(...args), C = b.C * (1 - args[0].gamma);
          return { ...b, C, boundTV: b.L - C * b.alpha * b.alpha };
        },
      };
    });
    const checks = await freshChecks();
    expect(failing(checks, ['trpo.bound-terms'])).toEqual(['trpo.bound-terms']);
    expect(failing(checks, ['trpo.bound', 'trpo.surrogate'])).toEqual([]);
  });

  it('a bug in V-MPO\'s temperature gradient (the ψ term with the wrong sign) fails the temperature steps that use it', async () => {
    vi.resetModules();
    vi.doMock('../src/estimators/vmpo.js', async (importOriginal) => {
      const orig = await importOriginal<typeof import('../src/estimators/vmpo.js')>();
      return {
        ...orig,
        vmpoTemperatureLoss: (adv: Float64Array, selected: Int32Array, eta: number, eps: number) => {
          const r = orig.vmpoTemperatureLoss(adv, selected, eta, eps), psi = orig.vmpoWeights(adv, selected, eta);
          let m = 0;
          for (const j of selected) m += (psi[j]! * adv[j]!) / eta;
          return { loss: r.loss, gradient: r.gradient + 2 * m };
        },
      };
    });
    const checks = await freshChecks();
    expect(failing(checks, ['vmpo.temperature-gradient', 'vmpo.temperature-minimizer'])).toEqual(['vmpo.temperature-gradient', 'vmpo.temperature-minimizer']);
    expect(failing(checks, ['vmpo.temperature-dual', 'vmpo.estep-value'])).toEqual([]);
  });

  it('a mirror update that minimizes (advantages with the wrong sign) fails Theorem 5.4\'s inequalities', async () => {
    vi.resetModules();
    vi.doMock('../src/mirror/update.js', async (importOriginal) => {
      const orig = await importOriginal<typeof import('../src/mirror/update.js')>();
      return {
        ...orig,
        mirrorUpdate: (mdp: Parameters<typeof orig.mirrorUpdate>[0], pi: Float64Array, ev: Parameters<typeof orig.mirrorUpdate>[2], config: Parameters<typeof orig.mirrorUpdate>[3]) =>
          orig.mirrorUpdate(mdp, pi, { ...ev, A: ev.A.map((x) => -x), Q: ev.Q.map((x) => -x), V: ev.V.map((x) => -x) }, config),
      };
    });
    const checks = await freshChecks();
    const keys = ['mirror.per-state-gain', 'mirror.value-improvement', 'mirror.return-improvement', 'mirror.limit-optimal'];
    expect(failing(checks, keys)).toEqual(keys);
    expect(failing(checks, ['mirror.value-difference', 'mirror.visitation-floor'])).toEqual([]);
  });
});
