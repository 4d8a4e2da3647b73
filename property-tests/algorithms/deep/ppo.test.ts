// Deep PPO (src/algorithms/deep/ppo.ts) on CartPole-v1 and Pendulum-v1: short smoke runs
// (finite numbers; CartPole improves within 8192 steps on a fixed seed, and the same run with
// α = 0 — the negative control — does not), determinism, the first policy gradient against
// scoreSum of the core's PPO coefficients bit for bit, and the CLI.
// Deterministic (fixed seeds): no false-alarm rate to state; the improvement margins were set
// from runs at 8192 steps: ratio final/first 1.82, 1.70, 1.84 on seeds 1–3, and 1.04, 1.14, 1.08
// for the α = 0 control (the threshold 1.5 sits between the two groups).
import { describe, expect, it } from 'vitest';
import { trainPpo, type FirstGradientProbe, type TrainResult } from '../../../src/algorithms/deep/ppo.js';
import { policyGradientCoefficients, ppoClipCoefficients } from '../../../src/estimators/core.js';
import { main } from '../../../src/cli/main.js';

function allFinite(r: TrainResult): boolean {
  for (const u of r.updates) for (const v of [u.klK3, u.clipFraction, u.policyLoss ?? 0, u.valueLoss ?? 0, u.lr, u.meanReturn ?? 0, u.entropy ?? 0]) if (!Number.isFinite(v)) return false;
  return r.params.every(Number.isFinite) && r.episodeReturns.every(Number.isFinite);
}

describe('PPO on CartPole-v1 (cleanrl preset)', () => {
  it('improves within 8192 steps on seed 1: the last 100 episodes average ≥ 1.5× the first update\'s; with α = 0 it does not', async () => {
    const run = await trainPpo('CartPole-v1', { steps: 8192, seed: 1 });
    expect(allFinite(run)).toBe(true);
    const first = run.updates[0]!.meanReturn!;
    expect(run.finalReturn! / first).toBeGreaterThanOrEqual(1.5);
    const control = await trainPpo('CartPole-v1', { steps: 8192, seed: 1, overrides: { lr: 0 } });
    expect(control.finalReturn! / control.updates[0]!.meanReturn!).toBeLessThan(1.5);
    expect(run.updates.every((u) => u.klK3 >= 0)).toBe(true);
    expect(control.updates.every((u) => u.klK3 === 0)).toBe(true); // α = 0: π_new = π_old exactly
  }, 180_000);

  it('is deterministic: the same seed gives identical returns and parameters, another seed does not', async () => {
    const a = await trainPpo('CartPole-v1', { steps: 1024, seed: 7 });
    const b = await trainPpo('CartPole-v1', { steps: 1024, seed: 7 });
    const c = await trainPpo('CartPole-v1', { steps: 1024, seed: 8 });
    expect(b.episodeReturns).toEqual(a.episodeReturns);
    expect(Array.from(b.params)).toEqual(Array.from(a.params));
    expect(Array.from(c.params)).not.toEqual(Array.from(a.params));
  }, 90_000);

  it('the first policy gradient is −scoreSum of the core PPO coefficients on the same minibatch, bit for bit', async () => {
    let probe: FirstGradientProbe | undefined;
    await trainPpo('CartPole-v1', { steps: 512, seed: 3, overrides: { entCoef: 0 }, onFirstGradient: (p) => { probe = p; } });
    const p = probe!;
    const T = p.logpOld.length;
    const gradientFrom = (adv: Float64Array) => {
      const logp = p.policy.logProb(p.thetaPolicy, p.obs, T, p.actions as never);
      const { coefficients } = ppoClipCoefficients(logp, p.logpOld, adv, p.epsilon, new Float64Array(T).fill(1 / T));
      return Array.from(p.policy.scoreSum(p.thetaPolicy, p.obs, T, p.actions as never, coefficients)).map((x) => -x);
    };
    expect(Array.from(p.policyGradient)).toEqual(gradientFrom(p.advantages));
    // negative control: the advantages before the per-minibatch normalization give another gradient
    expect(Array.from(p.policyGradient)).not.toEqual(gradientFrom(p.advantagesRaw));
  }, 90_000);
});

describe('A2C and REINFORCE on CartPole-v1 (the same loop with c_t = Â_t/B)', () => {
  it('A2C: finite numbers, and its first policy gradient is −scoreSum of policyGradientCoefficients bit for bit; the unnormalized advantages are the negative control', async () => {
    let probe: FirstGradientProbe | undefined;
    const r = await trainPpo('CartPole-v1', { algo: 'a2c', steps: 1024, seed: 4, overrides: { entCoef: 0 }, onFirstGradient: (p) => { probe = p; } });
    expect(allFinite(r)).toBe(true);
    expect(r.updates.every((u) => u.policyLoss === null && u.valueLoss !== null)).toBe(true);
    const p = probe!, T = p.logpOld.length;
    const grad = (adv: Float64Array) => Array.from(p.policy.scoreSum(p.thetaPolicy, p.obs, T, p.actions as never, policyGradientCoefficients(adv, new Float64Array(T).fill(1 / T)))).map((x) => -x);
    expect(Array.from(p.policyGradient)).toEqual(grad(p.advantages));
    expect(Array.from(p.policyGradient)).not.toEqual(grad(p.advantagesRaw));
  }, 90_000);
  it('REINFORCE: finite numbers, no critic (value loss null), KL logged', async () => {
    const r = await trainPpo('CartPole-v1', { algo: 'reinforce', steps: 1024, seed: 4 });
    expect(allFinite(r)).toBe(true);
    expect(r.updates.every((u) => u.valueLoss === null && u.klK3 >= 0)).toBe(true);
  }, 90_000);
});

describe('PPO on Pendulum-v1', () => {
  it('cleanrl (Gaussian head, normalized observations and rewards): finite numbers over 2 updates', async () => {
    const r = await trainPpo('Pendulum-v1', { steps: 4096, seed: 1, overrides: { epochs: 2, minibatches: 8 } });
    expect(r.updates.length).toBe(2);
    expect(allFinite(r)).toBe(true);
    expect(r.episodeReturns.length).toBe(20); // 4096 steps / 200-step episodes
  }, 90_000);
  it('lehmann2024 (tanh-Gaussian head, swish 4×32 / 5×256, 8 envs): finite numbers over 2 short updates', async () => {
    const r = await trainPpo('Pendulum-v1', { steps: 256, seed: 1, preset: 'lehmann2024', overrides: { numSteps: 16, epochs: 1 } });
    expect(r.updates.length).toBe(2);
    expect(allFinite(r)).toBe(true);
  }, 90_000);
});

describe('pgtruth train --env', () => {
  it('prints one JSON line per update and a summary; a bad preset is TRAIN_OPTIONS with exit 2', async () => {
    const lines: string[] = [];
    const code = await main(['train', '--env', 'CartPole-v1', '--algo', 'ppo', '--steps', '1024', '--json'], (s) => lines.push(s), () => {});
    expect(code).toBe(0);
    const objs = lines.join('').trim().split('\n').map((l) => JSON.parse(l) as { type: string; klK3?: number; finalReturn?: number });
    expect(objs.map((o) => o.type)).toEqual(['update', 'update', 'summary']);
    expect(Number.isFinite(objs[2]!.finalReturn)).toBe(true);
    const errs: string[] = [];
    expect(await main(['train', '--env', 'CartPole-v1', '--preset', 'nope'], () => {}, (s) => errs.push(s))).toBe(2);
    expect(errs.join('')).toContain('[TRAIN_OPTIONS]');
    expect(await main(['train', '--env', 'CartPole-v1', '--algo', 'sac'], () => {}, (s) => errs.push(s))).toBe(2);
  }, 90_000);
});
