// The surrogate kind of `pgtruth check` for Gaussian and tanh-Gaussian policies
// (src/verify/continuous-surrogate.ts, src/exact/gaussian-surrogate.ts): the exact clipped
// surrogate gradient at θ ≠ θ_old agrees with a central difference of the objective computed
// by an independent quadrature (under π_old, the min written out); the SB3 −log π entropy
// estimate's expected gradient is ∇KL(π_old‖π_θ); the correct PPO losses pass with their
// controls rejected, and the shipped bugs (ρ at the clipped action, the Gaussian's entropy for
// the tanh-Gaussian, min over the ratios before Â) fail and are named. Small runs (resolution
// 30%): the bugs' biases are 28–100% of ‖∇J‖₂ at the checks asserted (resolution 20% for the 28%).
import { describe, expect, it } from 'vitest';
import { clipBoundaries, gaussianClippedSurrogateGradient, signChanges } from '../../src/exact/gaussian-surrogate.js';
import { clippedGaussianBandit, normalExpectation, tanhGaussianBandit } from '../../src/exact/gaussian-bandit.js';
import { gaussianAddKlGradRow, gaussianLogProbRow } from '../../src/policy/gaussian.js';
import { checkModule, userEstimatorClaims, type Runner } from '../../src/verify/index.js';
import { advantageMoments, continuousSurrogateClaims, continuousSurrogateTarget, NORMALIZED_DRAWS } from '../../src/verify/continuous-surrogate.js';
import { mlpBanditInstance } from '../../src/verify/gaussian-mlp-kind.js';
import { gaussianMlpSurrogateCases } from '../../src/verify/gaussian-mlp-surrogate.js';
import { loadEstimators } from '../../src/verify/plugin.js';
import { CLIP, clipPolicy, clipReward, TANH_LS, TANH_MU, tanhReward } from '../../src/verify/claims/continuous.js';
import { expectError } from '../helpers.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const example = (f: string) => new URL(`../../examples/estimators/${f}`, import.meta.url).pathname;
const fixture = (f: string) => new URL(`./fixtures/continuous-surrogate/${f}`, import.meta.url).pathname;
const small = { resolution: 0.3, samples: 400, workers: 0, seed: 11 };
const logN = (u: number, mu: number, ls: number) => gaussianLogProbRow([u], 0, [mu], 0, [ls], 0, 1);

describe('the exact clipped surrogate gradient of a Gaussian policy', () => {
  const J = clippedGaussianBandit(clipReward, CLIP[0], CLIP[1], clipPolicy.mu, clipPolicy.logStd).value;
  const Jt = tanhGaussianBandit(tanhReward, TANH_MU, TANH_LS).value;
  const problems = [
    { old: clipPolicy, A: (u: number) => clipReward(Math.min(1, Math.max(-1, u))) - J, breaks: [-1, 1] },
    { old: { mu: TANH_MU, logStd: TANH_LS }, A: (u: number) => tanhReward(Math.tanh(u)) - Jt, breaks: [] },
  ];
  it('equals a central difference of E_old[min(ρA, clip(ρ)A)] (an independent quadrature); ∇J at θ_old; the clip boundaries solve ρ = 1 ± ε', () => {
    for (const { old, A, breaks } of problems) for (const eps of [0.2, 0.5]) for (const [dm, dl] of [[-0.25, -0.2], [0.4, -0.25], [0.1, 0.1]] as const) {
      const at = { mu: old.mu + dm, logStd: old.logStd + dl };
      for (const u of clipBoundaries(old, at, eps)) expect(Math.abs(Math.abs(logN(u, at.mu, at.logStd) - logN(u, old.mu, old.logStd)) - Math.abs(Math.log1p(Math.sign(logN(u, at.mu, at.logStd) - logN(u, old.mu, old.logStd)) * eps)))).toBeLessThan(1e-12);
      const L = (mu: number, ls: number) => normalExpectation((u) => {
        const r = Math.exp(logN(u, mu, ls) - logN(u, old.mu, old.logStd)), x = A(u);
        return Math.min(r * x, Math.min(1 + eps, Math.max(1 - eps, r)) * x);
      }, old.mu, Math.exp(old.logStd), { breaks: [...breaks, ...clipBoundaries(old, { mu, logStd: ls }, eps), ...signChanges(A, old.mu, Math.exp(old.logStd))] });
      const g = gaussianClippedSurrogateGradient(A, old, at, eps, breaks), h = 1e-5;
      expect(g.gradMu).toBeCloseTo((L(at.mu + h, at.logStd) - L(at.mu - h, at.logStd)) / (2 * h), 7);
      expect(g.gradLogStd).toBeCloseTo((L(at.mu, at.logStd + h) - L(at.mu, at.logStd - h)) / (2 * h), 7);
    }
    const o = clippedGaussianBandit(clipReward, CLIP[0], CLIP[1], clipPolicy.mu, clipPolicy.logStd), g0 = gaussianClippedSurrogateGradient(problems[0]!.A, clipPolicy, clipPolicy, 0.2, CLIP);
    expect(g0.gradMu).toBeCloseTo(o.gradMu, 12);
    expect(g0.gradLogStd).toBeCloseTo(o.gradLogStd, 12);
    // the control: min over the ratios before multiplying by A has another gradient there
    const at = { mu: clipPolicy.mu - 0.25, logStd: clipPolicy.logStd - 0.2 }, A = problems[0]!.A;
    const minFirst = normalExpectation((u) => { const r = Math.exp(logN(u, at.mu, at.logStd) - logN(u, clipPolicy.mu, clipPolicy.logStd)); return r <= Math.min(1.2, Math.max(0.8, r)) ? A(u) * (u - at.mu) * Math.exp(-2 * at.logStd) : 0; }, at.mu, Math.exp(at.logStd), { breaks: [...CLIP, ...clipBoundaries(clipPolicy, at, 0.2)] });
    expect(Math.abs(minFirst - gaussianClippedSurrogateGradient(A, clipPolicy, at, 0.2, CLIP).gradMu)).toBeGreaterThan(0.5);
  });
  it("the −log π entropy estimate (entropy: 'sample') has expected gradient ∇_θ KL(π_old‖π_θ), 0 at θ_old, not ∇H = (0, 1)", () => {
    const old = { mu: 0.3, logStd: -0.2 }, at = { mu: 0.7, logStd: -0.5 }, s = Math.exp(at.logStd);
    const kl = new Float64Array(2);
    gaussianAddKlGradRow([old.mu], 0, [old.logStd], 0, [at.mu], 0, [at.logStd], 0, 1, 1, kl, 0, kl, 1);
    // E_{u∼old}[−∇_θ log N(u; θ)] by quadrature
    expect(normalExpectation((u) => -(u - at.mu) / (s * s), old.mu, Math.exp(old.logStd))).toBeCloseTo(kl[0]!, 12);
    expect(normalExpectation((u) => 1 - ((u - at.mu) / s) ** 2, old.mu, Math.exp(old.logStd))).toBeCloseTo(kl[1]!, 12);
    const zero = new Float64Array(2);
    gaussianAddKlGradRow([old.mu], 0, [old.logStd], 0, [old.mu], 0, [old.logStd], 0, 1, 1, zero, 0, zero, 1);
    expect(Array.from(zero)).toEqual([0, 0]);
  });
});

describe('pgtruth check, surrogates of continuous policies', () => {
  it('Gaussian PPO with entropy and KL terms passes on the LQR and the clipped bandit; ρ at the clipped action fails and is named', async () => {
    const ok = await checkModule(example('gaussian-ppo.ts'), small);
    expect(ok.results[0]!.verdict).toBe('pass');
    expect(ok.results[0]!.checks.map((c) => c.instance.slice(0, 3))).toEqual(['LQR', 'ban', 'ban']);
    expect(ok.results[0]!.control.rejected).toBe(3);
    const bug = await checkModule(example('gaussian-ppo-bug.ts'), { ...small, resolution: 0.2 }); // its bias at θ_old: 28% of ‖∇J‖₂
    expect(bug.results[0]!.verdict).toBe('fail');
    const atOld = bug.results[0]!.checks.find((c) => c.instance.startsWith('bandit') && c.instance.includes('at θ_old'))!;
    expect(atOld.discrepancy).toBeGreaterThan(atOld.tolerance);
    expect(atOld.diagnosis?.looksLike).toContain('ratio-at-clipped-action');
  }, 60_000);
  it("tanh PPO: the SB3 −log π entropy declared passes; the Gaussian's entropy for the tanh-Gaussian fails; min before Â fails at θ ≠ θ_old; each named", async () => {
    const r = await checkModule(fixture('tanh-ppo.ts'), small);
    const by = (n: string) => r.results.find((x) => x.id === `check.${n}.gradient`)!;
    expect(by('tanh-ppo-sample').verdict).toBe('pass');
    expect(by('tanh-ppo-sample').control.rejected).toBe(2);
    for (const [n, id] of [['tanh-ppo-gaussian-entropy', 'gaussian-entropy-for-tanh'], ['tanh-ppo-min-bug', 'mutant.ppo-min-before-multiply']]) {
      expect(by(n!).verdict).toBe('fail');
      const moved = by(n!).checks.find((c) => c.instance.includes('θ ≠ θ_old'))!;
      expect(moved.discrepancy).toBeGreaterThan(moved.tolerance);
      expect(moved.diagnosis?.looksLike).toContain(id);
    }
  }, 60_000);
  it("bad declarations: an unknown entropy estimate, and 'sample' on a tabular surrogate, are PLUGIN_INVALID; an MLP policy is PLUGIN_POLICY; normalizeAdvantages on a Gaussian leaves the LQR out and says so", async () => {
    const all = await loadEstimators(fixture('bad.ts')), [bad, normalized, mlp] = ['badEntropy', 'normalized', 'mlp'].map((k) => all.find((e) => e.key === k));
    const run = () => Promise.resolve(new Float64Array(0));
    expectError(() => continuousSurrogateClaims(bad!, run, {}), 'PLUGIN_INVALID', 'bogus');
    const [claim] = continuousSurrogateClaims(normalized!, run, {});
    expect(claim!.title).toMatch(/the LQR is not checked \(its advantages' moments over the state distribution are not computed\)/);
    expect(claim!.title).toMatch(/BIASED for ∇J \(bandit r = −\(clip\(a\) − 2\)², clip \[-1, 1\]: σ_A = [0-9.]+, biased by \d+% of ‖∇J‖₂\)/);
    expectError(() => continuousSurrogateClaims(mlp!, run, {}), 'PLUGIN_POLICY', 'surrogates');
    // a tabular surrogate's target has the exact entropy: the −log π declaration is refused there
    const tabular = all.find((e) => e.key === 'tabularSample')!, runner = { continuousSurrogate: run } as unknown as Runner;
    expectError(() => userEstimatorClaims(tabular, runner, {}), 'PLUGIN_INVALID', "entropy: 'sample'");
  });
});

describe('pgtruth check, continuous surrogates in Python', () => {
  it('the numpy Gaussian PPO example passes; with ρ at the clipped action it fails and is named', async () => {
    const path = new URL('../../examples/python/gaussian_ppo.py', import.meta.url).pathname;
    const ok = await checkModule(path, small);
    expect(ok.results[0]!.verdict).toBe('pass');
    const dir = mkdtempSync(join(tmpdir(), 'pgtruth-ckcont-'));
    writeFileSync(join(dir, 'bug.py'), readFileSync(path, 'utf8').replace('RATIO_AT_ENV_ACTION = False', 'RATIO_AT_ENV_ACTION = True'));
    const bug = await checkModule(join(dir, 'bug.py'), { ...small, resolution: 0.2 });
    expect(bug.results[0]!.verdict).toBe('fail');
    const atOld = bug.results[0]!.checks.find((c) => c.instance.startsWith('bandit') && c.instance.includes('at θ_old'))!;
    expect(atOld.discrepancy).toBeGreaterThan(atOld.tolerance);
    expect(atOld.diagnosis?.looksLike).toContain('ratio-at-clipped-action');
  }, 90_000);
});

// Per-batch advantage normalization (normalizeAdvantages: true) on the continuous surrogates: the
// target is the large-batch limit, the clipped surrogate gradient with Ã = (A − μ)/σ, μ and σ of
// A under π_old. Exact checks against independent routes: at θ_old the limit is ∇J/σ (μ = 0:
// A = r − J), σ² = E_old[A²] by the test's own quadrature, on the two bandits and, through the
// network, the MLP heads' contextual bandit (σ pooled over the contexts with weights ρ(s)); at
// θ ≠ θ_old it equals a central difference of E_old[min(ρÃ, clip(ρ)Ã)] (the min written out). Then
// one verdict each (resolution 30%): the declared example passes with its controls rejected; the
// undeclared twin fails, named. Its bias at θ_old is |1/σ_A − 1| = 109% of ‖∇J‖₂.
describe('pgtruth check, continuous surrogates with per-batch advantage normalization', () => {
  const J = clippedGaussianBandit(clipReward, CLIP[0], CLIP[1], clipPolicy.mu, clipPolicy.logStd);
  const Jt = tanhGaussianBandit(tanhReward, TANH_MU, TANH_LS);
  const bandits = [
    { policy: 'gaussian' as const, old: clipPolicy, advantage: (u: number) => clipReward(Math.min(1, Math.max(-1, u))) - J.value, breaks: [-1, 1], grad: [J.gradMu, J.gradLogStd] },
    { policy: 'tanh-gaussian' as const, old: { mu: TANH_MU, logStd: TANH_LS }, advantage: (u: number) => tanhReward(Math.tanh(u)) - Jt.value, breaks: [] as number[], grad: [Jt.gradMu, Jt.gradLogStd] },
  ];
  const E = (x: (typeof bandits)[number], f: (u: number) => number) => normalExpectation(f, x.old.mu, Math.exp(x.old.logStd), { breaks: x.breaks });

  it('the limit target is ∇J/σ_A at θ_old and the central difference of the normalized clipped objective elsewhere (bandits)', () => {
    for (const x of bandits) {
      const sigma = Math.sqrt(E(x, (u) => x.advantage(u) ** 2) - E(x, x.advantage) ** 2), moments = advantageMoments([{ ...x, weight: 1 }]);
      expect(Math.abs(moments.mu)).toBeLessThan(1e-12);
      expect(moments.sigma).toBeCloseTo(sigma, 12);
      const atOld = continuousSurrogateTarget({ ...x, moments }, [x.old.mu, x.old.logStd], { clip: 0.2, normalizeAdvantages: true });
      expect(atOld[0]).toBeCloseTo(x.grad[0]! / sigma, 10);
      expect(atOld[1]).toBeCloseTo(x.grad[1]! / sigma, 10);
      // the negative control: the unnormalized target is ∇J, a factor σ away
      expect(Math.abs(continuousSurrogateTarget({ ...x, moments }, [x.old.mu, x.old.logStd], { clip: 0.2 })[0]! - atOld[0]!)).toBeGreaterThan(0.1 * Math.abs(atOld[0]!));
      const at = { mu: x.old.mu + 0.4, logStd: x.old.logStd - 0.25 }, eps = 0.2, A = (u: number) => x.advantage(u) / sigma;
      const L = (mu: number, ls: number) => normalExpectation((u) => {
        const r = Math.exp(logN(u, mu, ls) - logN(u, x.old.mu, x.old.logStd)), a = A(u);
        return Math.min(r * a, Math.min(1 + eps, Math.max(1 - eps, r)) * a);
      }, x.old.mu, Math.exp(x.old.logStd), { breaks: [...x.breaks, ...clipBoundaries(x.old, { mu, logStd: ls }, eps), ...signChanges(A, x.old.mu, Math.exp(x.old.logStd))] });
      const g = continuousSurrogateTarget({ ...x, moments }, [at.mu, at.logStd], { clip: eps, normalizeAdvantages: true }), h = 1e-5;
      expect(g[0]).toBeCloseTo((L(at.mu + h, at.logStd) - L(at.mu - h, at.logStd)) / (2 * h), 7);
      expect(g[1]).toBeCloseTo((L(at.mu, at.logStd + h) - L(at.mu, at.logStd - h)) / (2 * h), 7);
    }
  });

  it('the MLP heads: at w_old the limit target is ∇_w J/σ_A, σ_A² = Σ_s ρ(s) E_s[A_s²] over the contexts', () => {
    for (const policy of ['gaussian-mlp', 'tanh-gaussian-mlp'] as const) {
      const x = mlpBanditInstance(policy), { bandit: b, exact } = x, tanh = policy === 'tanh-gaussian-mlp';
      let m2 = 0;
      for (let s = 0; s < b.numContexts; s++) {
        const A = (u: number) => b.reward(s, 0, tanh ? Math.tanh(u) : Math.min(1, Math.max(-1, u))) - exact.values[s]!;
        m2 += b.rho[s]! * normalExpectation((u) => A(u) ** 2, exact.mu[s]!, Math.exp(exact.logStd[s]!), { breaks: tanh ? [] : [-1, 1] });
      }
      const [atOld] = gaussianMlpSurrogateCases(policy, { clip: 0.2, normalizeAdvantages: true }, { clip: 0.2 });
      const want = exact.grad.map((g) => g / Math.sqrt(m2));
      for (let j = 0; j < want.length; j++) expect(atOld!.target[j]).toBeCloseTo(want[j]!, 10);
      expect(atOld!.perBatch).toBe(NORMALIZED_DRAWS);
    }
  });

  it('the declared tanh-Gaussian example passes (controls rejected); the undeclared twin fails, named', async () => {
    const ok = await checkModule(example('tanh-gaussian-ppo-normalized.ts'), small);
    expect(ok.results[0]!.verdict).toBe('pass');
    expect(ok.results[0]!.control.rejected).toBe(2);
    expect(ok.results[0]!.title).toMatch(/BIASED for ∇J \(tanh bandit .*: σ_A = 0\.480, biased by 109% of ‖∇J‖₂\)/);
    const bug = await checkModule(example('tanh-gaussian-ppo-normalized-undeclared.ts'), small);
    expect(bug.results[0]!.verdict).toBe('fail');
    const failed = bug.results[0]!.checks.filter((c) => c.discrepancy > c.tolerance);
    expect(failed.length).toBe(2);
    for (const c of failed) expect(c.diagnosis?.looksLike).toContain('per-batch advantage normalization that is not declared');
  }, 60_000);
});
