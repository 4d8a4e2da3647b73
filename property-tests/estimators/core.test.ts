// The estimator cores (src/estimators/core.ts) against the Batch estimators they underlie, on
// random tabular batches: bit for bit where the operations are the same, else to 1e-15 of the
// terms' magnitude; and negative controls (a wrong variant of each core that the check rejects).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryPolicy } from '../../src/arbitraries/index.js';
import {
  actorCriticGradient, discountWeighted, discountWeights, gae, gaeFromValues, klK3, klK3Coefficients, klK3FromLogProbs, klPenalty, logRatios, MAX_POWER_TABLE,
  meanKlK3FromLogProbs, policyGradientCoefficients, ppoClipCoefficients, ppoClipSurrogate, reinforceRewardToGo, returnsFromRewards, rewardToGo,
  trpoSurrogate, valueTargets, valueTargetsFromAdvantages,
} from '../../src/estimators/index.js';
import { logProbs, scoreSum } from '../../src/policy/score-sum.js';
import { softmaxPolicy } from '../../src/policy/softmax.js';
import type { Policy } from '../../src/policy/types.js';
import type { Batch } from '../../src/sampling/batch.js';
import { expectError } from '../helpers.js';
import { arbitraryEpisodes, arbitraryValues, buildBatch, unitGrid } from './batches.js';

const S = 3, A = 3;
const smooth = arbitraryPolicy(S, A, { kinds: ['softmax', 'loglinear'], maxMagnitude: 1.5 });
const anyKind = arbitraryPolicy(S, A, { kinds: ['softmax', 'loglinear', 'direct'], maxMagnitude: 1.5 });
const advs = (n: number) => fc.array(fc.integer({ min: -8, max: 8 }).map((x) => x / 4), { minLength: n, maxLength: n }).map((a) => Float64Array.from(a));
const size = (eps: { actions: readonly number[] }[]) => eps.reduce((m, e) => m + e.actions.length, 0);

/** Batches collected by `old` (logp_t = log π_old), π_θ near it, advantages, γ; `segments` allows t_index > 0 starts. */
const surrogateCases = (segments: boolean) => fc.record({ episodes: arbitraryEpisodes(S, A, { segments }), old: smooth, gamma: fc.constantFrom(0.5, 0.9, 1), shift: fc.array(fc.integer({ min: -6, max: 6 }).map((x) => x / 10), { minLength: 9, maxLength: 9 }) })
  .chain((c) => advs(size(c.episodes)).map((adv) => {
    const batch = buildBatch(S, A, c.gamma, c.episodes, (s, a) => c.old.param.logProb(c.old.theta, s, a));
    const theta = Float64Array.from(c.old.theta, (x, k) => x + c.shift[k % 9]!);
    return { ...c, batch, adv, policy: { param: c.old.param, theta } as Policy };
  }));

const bits = (x: ArrayLike<number>) => Array.from(x);
const episodes = (b: Batch) => { let e = 0; for (let i = 0; i < b.size; i++) if (i === 0 || b.episode_t[i] !== b.episode_t[i - 1]) e++; return e; };
/** v_t = V(s_t), v_tp1 = V(s_tp1): the table gathered per transition. */
const gather = (b: Batch, V: Float64Array) => ({ v_t: Float64Array.from(b.s_t, (s) => V[s]!), v_tp1: Float64Array.from(b.s_tp1, (s) => V[s]!) });
/** Σ_t c_t ∇log π(a_t|s_t) transition by transition (the independent route to scoreSum). */
function perTransitionScore(p: Policy, b: Batch, c: Float64Array): Float64Array {
  const g = new Float64Array(p.param.numParams);
  for (let i = 0; i < b.size; i++) p.param.addScore(p.theta, b.s_t[i]!, b.a_t[i]!, c[i]!, g);
  return g;
}
/** max |x − y| / (Σ_t |c_t| · max |∇log π| bound 2·(1 + max feature)): a rounding-level comparison scale. */
function closeTo(x: Float64Array, y: Float64Array, magnitude: number, tol: number): void {
  expect(x.length).toBe(y.length);
  let d = 0;
  for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i]! - y[i]!));
  expect(d).toBeLessThanOrEqual(tol * Math.max(magnitude, Number.MIN_VALUE));
}
const l1 = (c: Float64Array) => c.reduce((s, x) => s + Math.abs(x), 0);

describe('discountWeights', () => {
  it('equals γ^t by repeated multiplication, bit for bit, and γ^t = gamma ** t to 1e-15 relative', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 30 }), unitGrid, (t, gamma) => {
      const w = discountWeights(Int32Array.from(t), gamma);
      t.forEach((ti, i) => {
        let x = 1;
        for (let k = 0; k < ti; k++) x *= gamma;
        expect(w[i]).toBe(x);
        expect(Math.abs(w[i]! - gamma ** ti)).toBeLessThanOrEqual(1e-15 * ti * gamma ** ti);
      });
    }));
  });
  it('the Batch form reads batch.t_index; on batches from t = 0 it is the old episode recursion bit for bit', () => {
    fc.assert(fc.property(arbitraryEpisodes(S, A), unitGrid, (eps, gamma) => {
      const b = buildBatch(S, A, gamma, eps);
      const old = new Float64Array(b.size);
      for (let i = 0, x = 1; i < b.size; i++) { x = i === 0 || b.episode_t[i] !== b.episode_t[i - 1] ? Math.pow(gamma, b.t_index[i]!) : x * gamma; old[i] = x; }
      expect(bits(discountWeights(b, gamma))).toEqual(bits(old));
      expect(bits(discountWeights(b.t_index, gamma))).toEqual(bits(old));
    }));
  });
  it('discountWeighted(x, t_index, γ) is policyGradientCoefficients(x, discountWeights(t_index, γ)) bit for bit, also in place', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: -40, max: 40 })), { maxLength: 30 }), unitGrid, (tx, gamma) => {
      const t = Int32Array.from(tx, ([ti]) => ti), x = Float64Array.from(tx, ([, xi]) => xi / 7);
      const ref = policyGradientCoefficients(x, discountWeights(t, gamma));
      expect(bits(discountWeighted(x, t, gamma))).toEqual(bits(ref));
      expect(bits(discountWeighted(x, t, gamma, x))).toEqual(bits(ref));
    }));
    expect(discountWeighted(Float64Array.of(2), Int32Array.of(MAX_POWER_TABLE + 1), 0.9999)[0]).toBe(Math.pow(0.9999, MAX_POWER_TABLE + 1) * 2);
    expectError(() => discountWeighted(Float64Array.of(1), Int32Array.of(-2), 0.5), 'ESTIMATOR_ARGUMENT', 't_index[0]');
    expectError(() => discountWeighted(Float64Array.of(1, 2), Int32Array.of(0), 0.5), 'ESTIMATOR_ARGUMENT', 'x');
  });
  it('writes into out (and returns it), switches to Math.pow past the table, and rejects bad input', () => {
    const out = new Float64Array(4).fill(NaN);
    expect(discountWeights(Int32Array.of(0, 2, 1), 0.5, out)).toBe(out);
    expect(bits(out)).toEqual([1, 0.25, 0.5, NaN]);
    const far = Int32Array.of(MAX_POWER_TABLE + 5, 3);
    expect(discountWeights(far, 0.9999)[0]).toBe(Math.pow(0.9999, MAX_POWER_TABLE + 5));
    expect(discountWeights(Int32Array.of(0, 3), 0)[0]).toBe(1);
    expectError(() => discountWeights(Int32Array.of(0, -1), 0.9), 'ESTIMATOR_ARGUMENT', 't_index[1]', '-1');
    expectError(() => discountWeights(Int32Array.of(0), 1.5), 'ESTIMATOR_ARGUMENT', 'gamma');
    expectError(() => discountWeights(Int32Array.of(0, 1), 0.5, new Float64Array(1)), 'ESTIMATOR_ARGUMENT', 'out');
  });
});

describe('gaeFromValues, returnsFromRewards, valueTargetsFromAdvantages', () => {
  const cases = fc.record({ episodes: arbitraryEpisodes(S, A, { segments: true }), V: arbitraryValues(S), gamma: unitGrid, lambda: unitGrid });
  it('equal gae, rewardToGo and valueTargets of the batch bit for bit', () => {
    fc.assert(fc.property(cases, ({ episodes: eps, V, gamma, lambda }) => {
      const b = buildBatch(S, A, gamma, eps), { v_t, v_tp1 } = gather(b, V);
      const adv = gaeFromValues(b.r_t, v_t, v_tp1, b.terminated_t, b.truncated_t, gamma, lambda);
      expect(bits(adv)).toEqual(bits(gae(b, V, gamma, lambda)));
      expect(bits(returnsFromRewards(b.r_t, b.terminated_t, b.truncated_t, gamma))).toEqual(bits(rewardToGo(b, gamma)));
      expect(bits(returnsFromRewards(b.r_t, b.terminated_t, b.truncated_t, gamma, v_tp1))).toEqual(bits(rewardToGo(b, gamma, V)));
      expect(bits(valueTargetsFromAdvantages(adv, v_t))).toEqual(bits(valueTargets(b, V, adv)));
    }));
  });
  it('negative control: GAE that does not reset its carry at a truncation differs exactly at the transitions before a cut that another episode follows', () => {
    let seen = 0;
    fc.assert(fc.property(cases, ({ episodes: eps, V, gamma, lambda }) => {
      const b = buildBatch(S, A, gamma, eps), { v_t, v_tp1 } = gather(b, V);
      const right = gaeFromValues(b.r_t, v_t, v_tp1, b.terminated_t, b.truncated_t, gamma, lambda);
      // the wrong variant: truncations are not episode ends for the carry (δ still bootstraps from v_tp1)
      const wrong = gaeFromValues(b.r_t, v_t, v_tp1, b.terminated_t, new Uint8Array(b.size), gamma, lambda);
      const cutBefore = b.size > 0 && Array.from(b.truncated_t.subarray(0, b.size - 1)).some((x) => x === 1);
      const differs = right.some((x, i) => x !== wrong[i]);
      if (differs) seen++;
      if (!cutBefore || gamma * lambda === 0) expect(differs).toBe(false);
    }));
    expect(seen).toBeGreaterThan(0);
    // a hand case: episode 1 cut after one step, episode 2 with a large advantage
    const b = buildBatch(S, A, 1, [{ states: [0, 1], actions: [0], rewards: [0], end: 'truncated' }, { states: [2, 0], actions: [0], rewards: [8], end: 'terminated' }]);
    const V = Float64Array.of(0, 0, 0), { v_t, v_tp1 } = gather(b, V);
    expect(bits(gaeFromValues(b.r_t, v_t, v_tp1, b.terminated_t, b.truncated_t, 1, 1))).toEqual([0, 8]);
    expect(bits(gaeFromValues(b.r_t, v_t, v_tp1, b.terminated_t, new Uint8Array(2), 1, 1))).toEqual([8, 8]);
  });
  it('rejects arrays of the wrong length and λ outside [0, 1]', () => {
    const r = new Float64Array(3), u = new Uint8Array(3);
    expectError(() => gaeFromValues(r, new Float64Array(2), r, u, u, 0.9, 0.9), 'ESTIMATOR_ARGUMENT', 'v_t', '2');
    expectError(() => gaeFromValues(r, r, r, u, new Uint8Array(4), 0.9, 0.9), 'ESTIMATOR_ARGUMENT', 'truncated_t');
    expectError(() => gaeFromValues(r, r, r, u, u, 0.9, -0.1), 'ESTIMATOR_ARGUMENT', 'lambda');
    expectError(() => valueTargetsFromAdvantages(r, new Float64Array(1)), 'ESTIMATOR_ARGUMENT', 'v_t');
  });
});

describe('coefficients and scoreSum', () => {
  it('scoreSum equals the per-transition sum Σ_t c_t ∇log π(a_t|s_t) (softmax, log-linear, direct) to rounding; a wrong key (s, a) ↦ (s, 0) does not', () => {
    fc.assert(fc.property(arbitraryEpisodes(S, A, { maxEpisodes: 6 }), anyKind, (eps, p) => {
      const b = buildBatch(S, A, 0.9, eps), c = Float64Array.from(b.r_t, (r, i) => r - 0.25 * i);
      const g = scoreSum(p.param, p.theta, b, c), ref = perTransitionScore(p, b, c);
      closeTo(g, ref, l1(c) * 4, 1e-14);
      const out = new Float64Array(p.param.numParams).fill(7);
      expect(bits(scoreSum(p.param, p.theta, b, c, out))).toEqual(bits(g));
    }));
    // the wrong key on a case that must separate
    const b = buildBatch(S, A, 0.9, [{ states: [0, 1], actions: [2], rewards: [1], end: 'terminated' }]);
    const p: Policy = { param: softmaxPolicy(S, A), theta: new Float64Array(9) };
    const c = Float64Array.of(1);
    expect(scoreSum(p.param, p.theta, b, c)[2]).toBeCloseTo(2 / 3, 15);
    expect(scoreSum(p.param, p.theta, { ...b, a_t: Int32Array.of(0) }, c)[2]).toBeCloseTo(-1 / 3, 15);
    expectError(() => scoreSum(p.param, p.theta, b, new Float64Array(2)), 'ESTIMATOR_ARGUMENT', 'c_t', '2');
  });
  it('logProbs equals logRatios + logp_t bit for bit', () => {
    fc.assert(fc.property(surrogateCases(true), ({ batch, policy }) => {
      const lr = logRatios(batch, policy), lp = logProbs(policy.param, policy.theta, batch);
      expect(bits(lp.map((x, i) => x - batch.logp_t[i]!))).toEqual(bits(lr));
    }));
  });
  it('policyGradientCoefficients with w_t = γ^t gives actorCriticGradient bit for bit (scale 1/E in scoreSum), and REINFORCE to rounding', () => {
    fc.assert(fc.property(surrogateCases(false), ({ batch, policy, gamma, adv }) => {
      const w = discountWeights(batch.t_index, gamma), E = episodes(batch);
      const c = policyGradientCoefficients(adv, w);
      expect(bits(scoreSum(policy.param, policy.theta, batch, c, undefined, 1 / E))).toEqual(bits(actorCriticGradient(batch, policy, gamma, adv)));
      const G = rewardToGo(batch, gamma), cg = policyGradientCoefficients(G, w);
      closeTo(scoreSum(policy.param, policy.theta, batch, cg, undefined, 1 / E), reinforceRewardToGo(batch, policy, gamma), (l1(cg) / E) * 4, 1e-14);
      // negative control: dropping γ^t (w_t = 1) is a different estimator when some t > 0 and γ < 1
      const c1 = policyGradientCoefficients(G, new Float64Array(batch.size).fill(1));
      const same = c1.every((x, i) => x === cg[i]);
      if (gamma < 1 && batch.t_index.some((t, i) => t > 0 && G[i] !== 0)) expect(same).toBe(false);
    }));
  });
  it('ppoClipCoefficients with w_t = γ^t reproduces ppoClipSurrogate bit for bit; with w_t = γ^t/E to 1e-15', () => {
    let clippedCases = 0;
    fc.assert(fc.property(surrogateCases(false), fc.constantFrom(0.05, 0.2), ({ batch, policy, gamma, adv }, eps) => {
      const ref = ppoClipSurrogate(batch, policy, gamma, adv, eps), E = episodes(batch);
      const logp = logProbs(policy.param, policy.theta, batch), w = discountWeights(batch.t_index, gamma);
      const r = ppoClipCoefficients(logp, batch.logp_t, adv, eps, w);
      expect(r.loss * (1 / E)).toBe(ref.loss);
      expect(bits(scoreSum(policy.param, policy.theta, batch, r.coefficients, undefined, -1 / E))).toEqual(bits(ref.gradient));
      const wE = w.map((x) => x / E), r2 = ppoClipCoefficients(logp, batch.logp_t, adv, eps, wE);
      expect(Math.abs(r2.loss - ref.loss)).toBeLessThanOrEqual(1e-15 * Math.max(1, l1(r2.coefficients)) * 4);
      const g2 = scoreSum(policy.param, policy.theta, batch, r2.coefficients);
      closeTo(g2.map((x) => -x), ref.gradient, l1(r2.coefficients) * 4, 1e-15 * 8);
      expect(r2.clipFraction).toBe(r.clipFraction);
      // the clip fraction counts the transitions whose clipped term is strictly smaller
      let count = 0;
      for (let i = 0; i < batch.size; i++) {
        const rho = Math.exp(logp[i]! - batch.logp_t[i]!), u = rho * adv[i]!, cl = Math.min(Math.max(rho, 1 - eps), 1 + eps) * adv[i]!;
        if (u > cl) count++;
      }
      expect(r.clipFraction).toBe(count / batch.size);
      if (count > 0) {
        clippedCases++;
        // negative control: keeping the gradient of clipped transitions (c_t = w ρ Â everywhere) is the TRPO coefficient, not PPO's
        const all = policyGradientCoefficients(adv.map((a, i) => Math.exp(logp[i]! - batch.logp_t[i]!) * a), w);
        expect(all.some((x, i) => x !== r.coefficients[i])).toBe(true);
      }
    }));
    expect(clippedCases).toBeGreaterThan(5);
  });
  it('ppoClipCoefficients: w_t = 1/T by default, at ρ = 1 the coefficients are w_t Â_t, and bad input throws', () => {
    const lp = Float64Array.of(-1, -2, -0.5), adv = Float64Array.of(1, -2, 3);
    const r = ppoClipCoefficients(lp, lp, adv, 0.2, undefined);
    expect(bits(r.coefficients)).toEqual([1 / 3, -2 / 3, 3 / 3]);
    expect(r.loss).toBeCloseTo(-(1 - 2 + 3) / 3, 15);
    expect(r.clipFraction).toBe(0);
    // ρ = e^{0.5} > 1.2 with Â > 0: clipped, coefficient 0, loss −1.2·Â/T
    const c = ppoClipCoefficients(Float64Array.of(0.5), Float64Array.of(0), Float64Array.of(2), 0.2, undefined);
    expect(bits(c.coefficients)).toEqual([0]);
    expect(c.loss).toBeCloseTo(-2.4, 15);
    expect(c.clipFraction).toBe(1);
    expectError(() => ppoClipCoefficients(new Float64Array(0), new Float64Array(0), new Float64Array(0), 0.2, undefined), 'ESTIMATOR_EMPTY_BATCH');
    expectError(() => ppoClipCoefficients(lp, lp, adv, -0.1, undefined), 'ESTIMATOR_ARGUMENT', 'epsilon');
    expectError(() => ppoClipCoefficients(lp, lp, adv, 0.2, new Float64Array(2)), 'ESTIMATOR_ARGUMENT', 'weight_t');
    expectError(() => ppoClipCoefficients(Float64Array.of(800), Float64Array.of(0), Float64Array.of(-1), 0.2, undefined), 'ESTIMATOR_OVERFLOW');
  });
  it('k3: klK3FromLogProbs is klK3 of the log-ratios bit for bit; klK3Coefficients gives klPenalty\'s gradient bit for bit', () => {
    fc.assert(fc.property(surrogateCases(false), fc.constantFrom(0.5, 2), ({ batch, policy, gamma }, beta) => {
      const logp = logProbs(policy.param, policy.theta, batch), lr = logRatios(batch, policy), E = episodes(batch);
      expect(bits(klK3FromLogProbs(logp, batch.logp_t))).toEqual(bits(klK3(lr)));
      const w = discountWeights(batch.t_index, gamma), ref = klPenalty(batch, policy, gamma, beta);
      const c = klK3Coefficients(logp, batch.logp_t, w);
      expect(bits(scoreSum(policy.param, policy.theta, batch, c, undefined, beta / E))).toEqual(bits(ref.gradient));
      const m = meanKlK3FromLogProbs(logp, batch.logp_t, w);
      expect(Math.abs(beta * m / E - ref.loss)).toBeLessThanOrEqual(1e-15 * Math.max(1, ref.loss));
      const k3 = klK3(lr);
      expect(meanKlK3FromLogProbs(logp, batch.logp_t)).toBeCloseTo(k3.reduce((s, x) => s + x, 0) / batch.size, 14);
    }));
  });
  it('TRPO surrogate: policyGradientCoefficients(Â, γ^t ρ) gives trpoSurrogate\'s gradient bit for bit', () => {
    fc.assert(fc.property(surrogateCases(false), ({ batch, policy, gamma, adv }) => {
      const logp = logProbs(policy.param, policy.theta, batch), w = discountWeights(batch.t_index, gamma), E = episodes(batch);
      const wr = w.map((x, i) => x * Math.exp(logp[i]! - batch.logp_t[i]!));
      const c = policyGradientCoefficients(adv, wr);
      expect(bits(scoreSum(policy.param, policy.theta, batch, c, undefined, -1 / E))).toEqual(bits(trpoSurrogate(batch, policy, gamma, adv).gradient));
    }));
  });
});

describe('learner code lives outside estimators/ (issue 10 item 1)', () => {
  it('conjugate gradient is in linalg/, trpoStep and the line search in algorithms/; estimators/ exports none of them', async () => {
    const est: Record<string, unknown> = await import('../../src/estimators/index.js');
    const lin = await import('../../src/linalg/index.js'), step = await import('../../src/algorithms/trpo-step.js'), ls = await import('../../src/algorithms/line-search.js');
    expect(typeof lin.conjugateGradient).toBe('function');
    expect(typeof step.trpoStep).toBe('function');
    expect(typeof ls.backtrackingLineSearch).toBe('function');
    for (const name of ['conjugateGradient', 'trpoStep', 'backtrackingLineSearch']) expect(est[name]).toBeUndefined();
  });
});
