import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryPolicy } from '../../src/arbitraries/index.js';
import { meanKl, vmpoPolicyLoss, vmpoTemperatureLoss, vmpoTopHalf, vmpoTrustRegionLoss, vmpoWeights } from '../../src/estimators/index.js';
import { Dual, DualField, NumberField } from '../../src/field/index.js';
import { derivative, gradientByDifferences } from '../../src/linalg/index.js';
import type { Policy } from '../../src/policy/types.js';
import { expectError, rel } from '../helpers.js';
import { arbitraryEpisodes, buildBatch } from './batches.js';

const S = 3, A = 3;
const advantages = fc.array(fc.integer({ min: -20, max: 20 }).map((x) => x / 4), { minLength: 1, maxLength: 12 }).map((a) => Float64Array.from(a));
const etas = fc.integer({ min: 1, max: 40 }).map((x) => x / 10);
const D = DualField(NumberField);

/** L_η computed naively in dual numbers: η ε + η log((1/k) Σ exp(Â_j/η)). */
function temperatureDual(adv: Float64Array, sel: Int32Array, eta: number, eps: number): Dual<number> {
  const e = new Dual(eta, 1);
  let sum = D.zero;
  for (const j of sel) sum = D.add(sum, D.exp(D.div(D.fromNumber(adv[j]!), e)));
  const lme = D.log(D.div(sum, D.fromNumber(sel.length)));
  return D.add(D.mul(e, D.fromNumber(eps)), D.mul(e, lme));
}

describe('V-MPO', () => {
  it('top-half selection: the ⌈n/2⌉ largest advantages, ties to the earlier index, indices increasing', () => {
    expect(Array.from(vmpoTopHalf(Float64Array.of(3, 1, 4, 1, 5)))).toEqual([0, 2, 4]);
    expect(Array.from(vmpoTopHalf(Float64Array.of(2, 2, 2, 2)))).toEqual([0, 1]);
    expect(Array.from(vmpoTopHalf(Float64Array.of(-1)))).toEqual([0]);
    fc.assert(fc.property(advantages, (adv) => {
      const sel = vmpoTopHalf(adv), inSel = new Set(sel);
      expect(sel.length).toBe(Math.ceil(adv.length / 2));
      const minSel = Math.min(...Array.from(sel, (i) => adv[i]!));
      for (let i = 0; i < adv.length; i++) if (!inSel.has(i)) expect(adv[i]!).toBeLessThanOrEqual(minSel);
    }));
  });
  it('ψ sums to 1 over the selected half, is 0 outside, and is ∝ exp(Â/η) — also for large Â/η', () => {
    fc.assert(fc.property(advantages, etas, (adv, eta) => {
      const sel = vmpoTopHalf(adv), psi = vmpoWeights(adv, sel, eta);
      expect(Array.from(sel, (j) => psi[j]!).reduce((x, y) => x + y, 0)).toBeCloseTo(1, 14);
      const inSel = new Set(sel);
      for (let i = 0; i < adv.length; i++) if (!inSel.has(i)) expect(psi[i]).toBe(0);
      const j0 = sel[0]!;
      for (const j of sel) expect(Math.abs(psi[j]! / psi[j0]! / Math.exp((adv[j]! - adv[j0]!) / eta) - 1)).toBeLessThan(1e-12);
    }));
    const big = vmpoWeights(Float64Array.of(1000, 999), Int32Array.of(0, 1), 0.01);
    expect(big.every(Number.isFinite)).toBe(true);
    expect(big[0]! + big[1]!).toBeCloseTo(1, 15);
  });
  it('the temperature loss matches the naive formula and its derivative matches dual numbers and Ridders', () => {
    fc.assert(fc.property(advantages, etas, fc.constantFrom(0, 0.01, 0.1), (adv, eta, eps) => {
      const sel = vmpoTopHalf(adv), L = vmpoTemperatureLoss(adv, sel, eta, eps), dual = temperatureDual(adv, sel, eta, eps);
      expect(L.loss).toBeCloseTo(dual.re, 10);
      expect(L.gradient).toBeCloseTo(dual.du, 10);
      expect(L.gradient).toBeCloseTo(derivative((e) => vmpoTemperatureLoss(adv, sel, e, eps).loss, eta, eta / 10).value, 7);
    }));
    // L_η is finite where the naive exp(Â/η) overflows
    const L = vmpoTemperatureLoss(Float64Array.of(1000, 10), Int32Array.of(0, 1), 0.5, 0.1);
    expect(Number.isFinite(L.loss) && Number.isFinite(L.gradient)).toBe(true);
  });
  it('the policy loss −Σ ψ log π and the trust-region gradient ν∇D̄ match Ridders; ∂L_ν/∂ν = ε_ν − D̄, L_ν = ν ε_ν', () => {
    const cases = fc.record({ episodes: arbitraryEpisodes(S, A), old: arbitraryPolicy(S, A, { kinds: ['softmax', 'loglinear'], maxMagnitude: 1.5 }), shift: fc.array(fc.integer({ min: -4, max: 4 }).map((x) => x / 10), { minLength: 9, maxLength: 9 }), nu: fc.constantFrom(0, 0.5, 3) });
    fc.assert(fc.property(cases, etas, ({ episodes, old, shift, nu }, eta) => {
      const batch = buildBatch(S, A, 1, episodes, (s, a) => old.param.logProb(old.theta, s, a));
      const policy: Policy = { param: old.param, theta: old.theta.map((x, k) => x + shift[k % 9]!) };
      const adv = Float64Array.from(batch.r_t), psi = vmpoWeights(adv, vmpoTopHalf(adv), eta);
      const at = (th: Float64Array): Policy => ({ param: policy.param, theta: th });
      const pl = vmpoPolicyLoss(batch, policy, psi);
      let naive = 0;
      for (let i = 0; i < batch.size; i++) naive -= psi[i]! * policy.param.logProb(policy.theta, batch.s_t[i]!, batch.a_t[i]!);
      expect(pl.loss).toBeCloseTo(naive, 12);
      expect(rel(pl.gradient, gradientByDifferences((th) => vmpoPolicyLoss(batch, at(th), psi).loss, policy.theta, 0.01).value, 1)).toBeLessThan(1e-7);
      const tr = vmpoTrustRegionLoss(batch, policy, old, nu, 0.01), D = meanKl(batch, old, policy, 1);
      expect(tr.kl).toBe(D);
      expect(tr.nuGradient).toBeCloseTo(0.01 - D, 15);
      expect(tr.loss).toBeCloseTo(nu * 0.01, 15);
      const numeric = gradientByDifferences((th) => nu * meanKl(batch, old, at(th), 1), policy.theta, 0.01).value;
      expect(rel(tr.gradient, numeric, 1)).toBeLessThan(1e-7);
    }));
  });
  it('negative control: without the stop-gradient on D̄ in the ν term, ∇_θ would vanish — the returned gradient does not', () => {
    const [old] = fc.sample(arbitraryPolicy(S, A, { kinds: ['softmax'] }), { numRuns: 1, seed: 3 });
    const batch = buildBatch(S, A, 1, [{ states: [0, 1, 2], actions: [0, 1], rewards: [1, 2], end: 'terminated' }], (s, a) => old!.param.logProb(old!.theta, s, a));
    const policy = { param: old!.param, theta: old!.theta.map((x, k) => x + (k % 2 ? 0.3 : -0.2)) };
    const tr = vmpoTrustRegionLoss(batch, policy, old!, 2, 0.01);
    // the value L_ν = νε_ν is constant in θ, so a derivative of the value alone is 0 …
    expect(Math.max(...gradientByDifferences((th) => vmpoTrustRegionLoss(batch, { param: policy.param, theta: th }, old!, 2, 0.01).loss, policy.theta, 0.01).value.map(Math.abs))).toBeLessThan(1e-9);
    // … while the stop-gradient form pulls θ back toward θ_old
    expect(Math.max(...tr.gradient.map(Math.abs))).toBeGreaterThan(1e-3);
  });
  it('errors: η ≤ 0, an empty or malformed selection, negative ν', () => {
    const adv = Float64Array.of(1, 2);
    expectError(() => vmpoWeights(adv, Int32Array.of(1), 0), 'ESTIMATOR_ARGUMENT', 'eta');
    expectError(() => vmpoWeights(adv, new Int32Array(0), 1), 'ESTIMATOR_EMPTY_BATCH');
    expectError(() => vmpoWeights(adv, Int32Array.of(1, 0), 1), 'ESTIMATOR_ARGUMENT', 'selected[1]');
    expectError(() => vmpoWeights(adv, Int32Array.of(5), 1), 'ESTIMATOR_ARGUMENT', 'selected[0]');
    expectError(() => vmpoTopHalf(Float64Array.of(NaN)), 'ESTIMATOR_ARGUMENT', 'advantages[0]');
    const [p] = fc.sample(arbitraryPolicy(S, A, { kinds: ['softmax'] }), { numRuns: 1, seed: 1 });
    const b = buildBatch(S, A, 1, [{ states: [0, 1], actions: [0], rewards: [1], end: 'terminated' }]);
    expectError(() => vmpoTrustRegionLoss(b, p!, p!, -1, 0.01), 'ESTIMATOR_ARGUMENT', 'nu');
  });
});
