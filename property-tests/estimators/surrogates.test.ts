import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryPolicy } from '../../src/arbitraries/index.js';
import {
  actorCriticGradient, entropyBonus, fisherVectorProduct, klPenalty, meanKl, meanKlGradient,
  ppoClipSurrogate, trpoSurrogate,
} from '../../src/estimators/index.js';
import { entropyPerState, evaluatePolicy, fisherMatrix, klPerState } from '../../src/exact/index.js';
import { backtrackingLineSearch } from '../../src/algorithms/line-search.js';
import { trpoStep } from '../../src/algorithms/trpo-step.js';
import { conjugateGradient, gradientByDifferences } from '../../src/linalg/index.js';
import type { Policy } from '../../src/policy/types.js';
import type { Batch } from '../../src/sampling/batch.js';
import { expectError, rel } from '../helpers.js';
import { arbitraryEpisodes, buildBatch, type Episode } from './batches.js';
import { arbitraryLayeredMDP, enumerateEpisodes, expectation } from './enumerate.js';

const S = 3, A = 3;
const smooth = arbitraryPolicy(S, A, { kinds: ['softmax', 'loglinear'], maxMagnitude: 1.5 });
const advs = (n: number) => fc.array(fc.integer({ min: -8, max: 8 }).map((x) => x / 4), { minLength: n, maxLength: n }).map((a) => Float64Array.from(a));
/** Episodes collected by `old` (logp_t = log π_old), a policy π_θ near it, advantages, γ. */
const cases = fc.record({ episodes: arbitraryEpisodes(S, A, { segments: true }), old: smooth, gamma: fc.constantFrom(0.5, 0.9, 1), shift: fc.array(fc.integer({ min: -4, max: 4 }).map((x) => x / 10), { minLength: 9, maxLength: 9 }) })
  .chain((c) => {
    const n = c.episodes.reduce((m, e) => m + e.actions.length, 0);
    return advs(n).map((adv) => {
      const batch = buildBatch(S, A, c.gamma, c.episodes, (s, a) => c.old.param.logProb(c.old.theta, s, a));
      const theta = Float64Array.from(c.old.theta, (x, k) => x + c.shift[k % 9]!);
      return { ...c, batch, adv, policy: { param: c.old.param, theta } as Policy };
    });
  });

const at = (p: Policy, theta: Float64Array): Policy => ({ param: p.param, theta });
/** Ridders' derivative of a loss in θ. */
const numeric = (p: Policy, loss: (q: Policy) => number) => gradientByDifferences((th) => loss(at(p, th)), p.theta, 0.01).value;

/** Σ_i w_i g_i g_iᵀ / Σ_i w_i + damping·I, formed explicitly (w_i = γ^{t_i}). */
function explicitFisher(b: Batch, p: Policy, gamma: number, damping: number): Float64Array {
  const n = p.param.numParams, F = new Float64Array(n * n), g = new Float64Array(n);
  let W = 0;
  for (let i = 0; i < b.size; i++) {
    const w = gamma ** b.t_index[i]!;
    g.fill(0); p.param.addScore(p.theta, b.s_t[i]!, b.a_t[i]!, 1, g);
    for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) F[j * n + k] = F[j * n + k]! + w * g[j]! * g[k]!;
    W += w;
  }
  for (let j = 0; j < n * n; j++) F[j] = F[j]! / W;
  for (let j = 0; j < n; j++) F[j * n + j] = F[j * n + j]! + damping;
  return F;
}
const matVec = (M: Float64Array, v: Float64Array) => Float64Array.from(v, (_, j) => v.reduce((s, x, k) => s + M[j * v.length + k]! * x, 0));

describe('TRPO and PPO surrogates', () => {
  it('at θ = θ_old both gradients are −(the actor-critic gradient) on the same batch, and the losses agree', () => {
    fc.assert(fc.property(cases, ({ batch, adv, old, gamma }) => {
      const pg = actorCriticGradient(batch, old, gamma, adv);
      const trpo = trpoSurrogate(batch, old, gamma, adv), ppo = ppoClipSurrogate(batch, old, gamma, adv, 0.2);
      expect(rel(trpo.gradient.map((x) => -x), pg, 1)).toBeLessThan(1e-12);
      expect(rel(ppo.gradient.map((x) => -x), pg, 1)).toBeLessThan(1e-12);
      expect(Math.abs(trpo.loss - ppo.loss)).toBeLessThan(1e-12);
    }));
  });
  it('away from θ_old the gradients are the derivatives of the losses (Ridders), PPO away from its kinks', () => {
    fc.assert(fc.property(cases, ({ batch, adv, policy, gamma }) => {
      expect(rel(trpoSurrogate(batch, policy, gamma, adv).gradient, numeric(policy, (q) => trpoSurrogate(batch, q, gamma, adv).loss), 1)).toBeLessThan(1e-7);
      const eps = 0.2;
      const rho = Array.from(batch.a_t, (a, i) => Math.exp(policy.param.logProb(policy.theta, batch.s_t[i]!, a) - batch.logp_t[i]!));
      fc.pre(rho.every((r) => Math.abs(r - 1 - eps) > 0.05 && Math.abs(r - 1 + eps) > 0.05));
      expect(rel(ppoClipSurrogate(batch, policy, gamma, adv, eps).gradient, numeric(policy, (q) => ppoClipSurrogate(batch, q, gamma, adv, eps).loss), 1)).toBeLessThan(1e-7);
    }));
  });
  it('negative control: the same Ridders check rejects the θ_old gradient (no ratio ρ) used at θ ≠ θ_old', () => {
    const [c] = fc.sample(cases.filter(({ adv }) => adv.some((x) => Math.abs(x) > 0.5)), { numRuns: 1, seed: 13 });
    const { batch, adv, policy, gamma } = c!;
    const stale = actorCriticGradient(batch, policy, gamma, adv).map((x) => -x); // −(1/E)Σγ^t ∇log π_θ Â, ρ forgotten
    expect(rel(stale, numeric(policy, (q) => trpoSurrogate(batch, q, gamma, adv).loss), 1)).toBeGreaterThan(1e-3);
  });
  it('the PPO gradient vanishes where the clip is active (Â > 0, ρ > 1+ε; Â < 0, ρ < 1−ε), and only there', () => {
    const [p] = fc.sample(arbitraryPolicy(S, A, { kinds: ['softmax'] }), { numRuns: 1, seed: 4 });
    const eps: Episode[] = [{ states: [0, 1, 2, 0], actions: [0, 1, 2], rewards: [0, 0, 0], end: 'truncated' }];
    // ρ = 2 on the first two transitions (logp_t = log π − log 2), ρ = 0.5 on the third
    const logs = [Math.log(2), Math.log(2), Math.log(0.5)];
    let i = 0;
    const batch = buildBatch(S, A, 1, eps, (s, a) => p!.param.logProb(p!.theta, s, a) - logs[i++]!);
    const clipped = ppoClipSurrogate(batch, p!, 1, Float64Array.of(1, 3, -2), 0.2);
    expect(Array.from(clipped.gradient)).toEqual(new Array(9).fill(0));
    expect(clipped.loss).toBeCloseTo(-(1.2 * 1 + 1.2 * 3 + 0.8 * -2), 12);
    // negative control: with Â of the other signs nothing is clipped and the gradient is the TRPO one
    const free = ppoClipSurrogate(batch, p!, 1, Float64Array.of(-1, -3, 2), 0.2);
    expect(rel(free.gradient, trpoSurrogate(batch, p!, 1, Float64Array.of(-1, -3, 2)).gradient, 1)).toBeLessThan(1e-14);
    expect(free.gradient.some((x) => x !== 0)).toBe(true);
  });
  it('errors: bad ε, advantages of the wrong length', () => {
    const [p] = fc.sample(smooth, { numRuns: 1, seed: 1 });
    const b = buildBatch(S, A, 1, [{ states: [0, 1], actions: [0], rewards: [1], end: 'terminated' }]);
    expectError(() => ppoClipSurrogate(b, p!, 1, Float64Array.of(1), -0.1), 'ESTIMATOR_ARGUMENT', 'epsilon');
    expectError(() => trpoSurrogate(b, p!, 1, Float64Array.of(1, 2)), 'ESTIMATOR_ARGUMENT', 'advantages', '2 entries');
  });
});

describe('Fisher-vector product, conjugate gradient, line search, TRPO step', () => {
  it('the sample Fisher-vector product equals the explicit F̂v (with damping)', () => {
    fc.assert(fc.property(cases, fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 9, maxLength: 9 }), fc.constantFrom(0, 0.1), ({ batch, policy, gamma }, vv, damping) => {
      const v = Float64Array.from(vv.slice(0, policy.param.numParams));
      expect(rel(fisherVectorProduct(batch, policy, gamma, v, damping), matVec(explicitFisher(batch, policy, gamma, damping), v), 1)).toBeLessThan(1e-12);
    }));
  });
  it('its expectation ratio over every episode is the Fisher matrix under the visitation of decision states', () => {
    const inst = arbitraryLayeredMDP(2, 2, 2).chain((mdp) => arbitraryPolicy(mdp.numStates, 2, { kinds: ['softmax'] }).map((policy) => ({ mdp, policy })));
    fc.assert(fc.property(inst, ({ mdp, policy }) => {
      const eps = enumerateEpisodes(mdp, policy.param.probs(policy.theta), 10);
      const n = policy.param.numParams, v = Float64Array.from({ length: n }, (_, k) => (k % 3) - 1);
      // E[Σ_i w_i g_i g_iᵀ v] / E[Σ_i w_i], each episode's F̂v times its own weight total
      const num = expectation(eps, (b) => { const W = Array.from(b.t_index, (t) => mdp.gamma ** t).reduce((x, y) => x + y, 0); return fisherVectorProduct(b, policy, mdp.gamma, v).map((x) => x * W); });
      const den = expectation(eps, (b) => [Array.from(b.t_index, (t) => mdp.gamma ** t).reduce((x, y) => x + y, 0)])[0]!;
      const ev = evaluatePolicy(mdp, policy.param.probs(policy.theta));
      const d = ev.eta.map((e, s) => (mdp.terminal[s] ? 0 : e));
      const total = d.reduce((x, y) => x + y, 0);
      const F = fisherMatrix(mdp, policy, ev, d.map((x) => x / total));
      expect(rel(num.map((x) => x / den), matVec(F, v), 1)).toBeLessThan(1e-12);
    }), { numRuns: 20 });
  });
  it('conjugate gradient solves SPD systems BᵀB + I, and PSD ones with b in the range', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 8 }).chain((n) => fc.record({ n: fc.constant(n), B: fc.array(fc.integer({ min: -3, max: 3 }), { minLength: n * n, maxLength: n * n }), x: fc.array(fc.integer({ min: -5, max: 5 }), { minLength: n, maxLength: n }) })), ({ n, B, x }) => {
      const M = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) { let s = 0; for (let k = 0; k < n; k++) s += B[k * n + i]! * B[k * n + j]!; M[i * n + j] = s + (i === j ? 1 : 0); }
      const xs = Float64Array.from(x), b = matVec(M, xs);
      const r = conjugateGradient((v, out) => out.set(matVec(M, v)), b, { maxIterations: 3 * n });
      expect(rel(r.x, xs, 1)).toBeLessThan(1e-8);
      expect(r.converged).toBe(true);
      // singular PSD: BᵀB with b = BᵀB x is in the range; CG finds a solution
      const Ms = M.map((m, k) => m - (Math.floor(k / n) === k % n ? 1 : 0));
      const bs = matVec(Ms, xs), rs = conjugateGradient((v, out) => out.set(matVec(Ms, v)), bs, { maxIterations: 3 * n });
      expect(rel(matVec(Ms, rs.x), bs, 1)).toBeLessThan(1e-7);
    }));
  });
  it('conjugate gradient: b = 0 gives 0; an indefinite matrix is SOLVER_INDEFINITE; truncation is reported, not thrown', () => {
    expect(Array.from(conjugateGradient((v, out) => out.set(v), new Float64Array(3)).x)).toEqual([0, 0, 0]);
    expectError(() => conjugateGradient((v, out) => { out[0] = v[0]!; out[1] = -v[1]!; }, Float64Array.of(1, 1)), 'SOLVER_INDEFINITE', 'iteration');
    const diag = Float64Array.of(1, 10, 100, 1000);
    const r = conjugateGradient((v, out) => { for (let i = 0; i < 4; i++) out[i] = diag[i]! * v[i]!; }, Float64Array.of(1, 1, 1, 1), { maxIterations: 2 });
    expect(r.iterations).toBe(2);
    expect(r.converged).toBe(false);
    expect(r.residual).toBeGreaterThan(1e-3);
  });
  it('the line search backtracks until the KL limit holds and the loss improves enough', () => {
    // loss(θ) = −θ₀ (linear), KL(θ) = θ₀²/2: the full step 1 has KL 0.5 > 0.02, step 1/8 has KL 1/128 ≤ 0.02
    const evaluate = (th: Float64Array) => ({ loss: -th[0]!, kl: th[0]! ** 2 / 2 });
    const r = backtrackingLineSearch(evaluate, Float64Array.of(0), Float64Array.of(1), 1, { maxKl: 0.02 });
    expect(r.accepted).toBe(true);
    expect(r.stepFraction).toBe(1 / 8);
    expect(r.trials).toBe(4);
    expect(r.kl).toBeLessThanOrEqual(0.02);
    expect(Array.from(r.theta)).toEqual([1 / 8]);
    // improvement check: a loss that gets worse along the step is never accepted
    const worse = backtrackingLineSearch((th) => ({ loss: th[0]!, kl: 0 }), Float64Array.of(0), Float64Array.of(1), 1, { maxKl: 1 });
    expect(worse.accepted).toBe(false);
    expect(Array.from(worse.theta)).toEqual([0]);
    // accept ratio: improvement 1e-3·fraction while 1·fraction was predicted → rejected at ratio 0.1, accepted at 0
    const weak = (th: Float64Array) => ({ loss: -1e-3 * th[0]!, kl: 0 });
    expect(backtrackingLineSearch(weak, Float64Array.of(0), Float64Array.of(1), 1, { maxKl: 1 }).accepted).toBe(false);
    expect(backtrackingLineSearch(weak, Float64Array.of(0), Float64Array.of(1), 1, { maxKl: 1, acceptRatio: 0 }).stepFraction).toBe(1);
    expectError(() => backtrackingLineSearch(evaluate, Float64Array.of(0), Float64Array.of(1), 1, { maxKl: 0 }), 'ESTIMATOR_ARGUMENT', 'maxKl');
    expectError(() => backtrackingLineSearch(evaluate, Float64Array.of(0), Float64Array.of(1), 1, { maxKl: 1, shrink: 1 }), 'ESTIMATOR_ARGUMENT', 'shrink');
  });
  it('a TRPO step improves the surrogate and keeps the exact mean KL within δ', () => {
    fc.assert(fc.property(cases, fc.constantFrom(0.001, 0.01, 0.05), ({ batch, adv, old, gamma }, delta) => {
      const r = trpoStep(batch, old, gamma, adv, { maxKl: delta });
      if (r.accepted) {
        expect(r.kl).toBeLessThanOrEqual(delta);
        expect(meanKl(batch, old, at(old, r.theta), gamma)).toBeCloseTo(r.kl, 14);
        expect(r.loss).toBeLessThan(r.lossBefore);
      } else expect(Array.from(r.theta)).toEqual(Array.from(old.theta));
      return true;
    }));
    // a non-trivial instance is accepted; zero advantages give no step
    const [c] = fc.sample(cases.filter(({ adv }) => adv.some((x) => x !== 0)), { numRuns: 1, seed: 9 });
    const r = trpoStep(c!.batch, c!.old, c!.gamma, c!.adv, { maxKl: 0.01 });
    expect(r.accepted).toBe(true);
    expect(r.stepFraction).toBeGreaterThan(0);
    expect(trpoStep(c!.batch, c!.old, c!.gamma, new Float64Array(c!.adv.length), { maxKl: 0.01 }).accepted).toBe(false);
  });
});

describe('mean KL, entropy bonus, KL penalty', () => {
  it('meanKl is the γ^t-weighted mean of klPerState over the batch states; its gradient is Ridders\'', () => {
    fc.assert(fc.property(cases, ({ batch, old, policy, gamma }) => {
      const kl = klPerState(old.param.probs(old.theta), policy.param.probs(policy.theta), S, A);
      let num = 0, den = 0;
      for (let i = 0; i < batch.size; i++) { const w = gamma ** batch.t_index[i]!; num += w * kl[batch.s_t[i]!]!; den += w; }
      expect(meanKl(batch, old, policy, gamma)).toBeCloseTo(num / den, 12);
      expect(rel(meanKlGradient(batch, old, policy, gamma), numeric(policy, (q) => meanKl(batch, old, q, gamma)), 1)).toBeLessThan(1e-7);
      expect(meanKl(batch, old, old, gamma)).toBe(0);
    }));
  });
  it('the entropy bonus is −c (1/E) Σ γ^t H(s_i), its gradient is Ridders\'; the sign raises entropy', () => {
    fc.assert(fc.property(cases, fc.constantFrom(0.01, 0.5), ({ batch, policy, gamma }, c) => {
      const H = entropyPerState(policy.param.probs(policy.theta), S, A);
      let sum = 0;
      for (let i = 0; i < batch.size; i++) sum += gamma ** batch.t_index[i]! * H[batch.s_t[i]!]!;
      const E = new Set(batch.episode_t).size, bonus = entropyBonus(batch, policy, gamma, c);
      expect(bonus.loss).toBeCloseTo((-c * sum) / E, 12);
      expect(bonus.loss).toBeLessThanOrEqual(0);
      expect(rel(bonus.gradient, numeric(policy, (q) => entropyBonus(batch, q, gamma, c).loss), 1)).toBeLessThan(1e-7);
    }));
    // a descent step on the loss raises the entropy
    const [{ batch, policy, gamma }] = fc.sample(cases, { numRuns: 1, seed: 21 });
    const b = entropyBonus(batch!, policy!, gamma!, 1), stepped = at(policy!, policy!.theta.map((x, k) => x - 1e-3 * b.gradient[k]!));
    expect(entropyBonus(batch!, stepped, gamma!, 1).loss).toBeLessThan(b.loss);
  });
  it('the KL penalty is 0 with gradient 0 at θ_old, and its gradient is Ridders\' elsewhere', () => {
    fc.assert(fc.property(cases, fc.constantFrom(0.1, 2), ({ batch, old, policy, gamma }, beta) => {
      const atOld = klPenalty(batch, old, gamma, beta);
      expect(Math.abs(atOld.loss)).toBeLessThan(1e-15);
      expect(Math.max(...atOld.gradient.map(Math.abs))).toBeLessThan(1e-15);
      const p = klPenalty(batch, policy, gamma, beta);
      expect(p.loss).toBeGreaterThanOrEqual(0);
      expect(rel(p.gradient, numeric(policy, (q) => klPenalty(batch, q, gamma, beta).loss), 1)).toBeLessThan(1e-7);
    }));
  });
  it('exact expectation: the KL penalty and its gradient are unbiased for β Σ_s η(s) KL(π_old‖π_θ)(s) and its gradient; the entropy bonus for −c Σ_s η(s) H(s)', () => {
    const inst = arbitraryLayeredMDP().chain((mdp) => fc.tuple(arbitraryPolicy(mdp.numStates, 2, { kinds: ['softmax', 'loglinear'] }), fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 14, maxLength: 14 })).map(([old, sh]) => ({ mdp, old, policy: at(old, old.theta.map((x, k) => x + sh[k]! / 5)) })));
    fc.assert(fc.property(inst, ({ mdp, old, policy }) => {
      const piOld = old.param.probs(old.theta), eps = enumerateEpisodes(mdp, piOld, 10);
      const ev = evaluatePolicy(mdp, piOld), St = mdp.numStates;
      const kl = klPerState(piOld, policy.param.probs(policy.theta), St, 2), H = entropyPerState(policy.param.probs(policy.theta), St, 2);
      let klTarget = 0, hTarget = 0;
      const gTarget = new Float64Array(policy.param.numParams);
      for (let s = 0; s < St; s++) {
        if (mdp.terminal[s]) continue;
        klTarget += ev.eta[s]! * kl[s]!; hTarget += ev.eta[s]! * H[s]!;
        for (let a = 0; a < 2; a++) policy.param.addScore(policy.theta, s, a, -ev.eta[s]! * piOld[s * 2 + a]!, gTarget);
      }
      const mean = expectation(eps, (b) => { const p = klPenalty(b, policy, mdp.gamma, 1); return [p.loss, ...p.gradient]; });
      expect(mean[0]).toBeCloseTo(klTarget, 12);
      expect(rel(mean.slice(1), gTarget, 1)).toBeLessThan(1e-10);
      expect(expectation(eps, (b) => [entropyBonus(b, policy, mdp.gamma, 1).loss])[0]).toBeCloseTo(-hTarget, 12);
    }), { numRuns: 20 });
  });
});
