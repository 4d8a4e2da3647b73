// `pgtruth check` for a user's TRPO machinery (kinds trpo-fvp, trpo-cg, trpo-linesearch:
// src/verify/trpo-kind.ts). The claims are exact, so the tests run them in this thread on the
// examples (the sandbox is exercised by vmpo-kind.test.ts and the CLI): the correct modules
// pass with every control rejected, the buggy ones fail naming their bug. The targets are
// checked by independent routes: the Fisher against the nested-dual Hessian of the weighted
// KL, the Krylov iterate against the library's conjugate gradient, the reversed-KL control's
// Hessian against finite differences.
import { describe, expect, it } from 'vitest';
import { conjugateGradient } from '../../src/linalg/cg.js';
import { matVec } from '../../src/linalg/dense.js';
import { backtrackingLineSearch } from '../../src/algorithms/line-search.js';
import { fisherMatrix } from '../../src/exact/fisher.js';
import { weightedKLHessian } from '../../src/exact/klhessian.js';
import { klPerState } from '../../src/exact/divergence.js';
import { collectEstimators, type LoadedEstimator } from '../../src/verify/plugin.js';
import { checkModule } from '../../src/verify/check.js';
import { machineryClaims, runMachinery } from '../../src/verify/machinery.js';
import { runClaims, type ClaimResult } from '../../src/verify/runner.js';
import { krylovIterate, reversedKLHessian, runTrpoMachinery, trpoInstances, type TrpoCgEstimator, type TrpoFvpBatchEstimator, type TrpoLineSearchEstimator } from '../../src/verify/trpo-kind.js';
import { expectError, expectErrorAsync, rel } from '../helpers.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const example = async (f: string): Promise<LoadedEstimator> => collectEstimators(await import(`../../examples/estimators/${f}.ts`), f)[0]!;
const check = async (e: LoadedEstimator, opts: { resolution?: number; budget?: number } = {}): Promise<ClaimResult[]> => runClaims(machineryClaims(e, async (_k, p) => runMachinery(e, p, (g) => g()), opts));
const passesWithControls = (rs: ClaimResult[]) => {
  for (const r of rs) {
    expect(r.verdict, `${r.id}: ${r.error ?? r.checks.filter((c) => !c.passed).map((c) => c.note).join('; ')}`).toBe('pass');
    expect(r.control.rejected).toBe(r.control.checks.length);
  }
};
const [grid, garnet] = trpoInstances();

describe('pgtruth check, TRPO kinds: the exact targets by independent routes', () => {
  it('F_w(θ) is the nested-dual Hessian of Σ_s w(s) KL(π_old‖π_θ) at θ ≠ θ_old (softmax), and the reversed KL\'s Hessian is not', () => {
    const x = garnet!, { param } = x.policy, n = param.numParams;
    const H = weightedKLHessian(param, x.policy.theta, x.moved, x.weights);
    const F = fisherMatrix(x.mdp, { param, theta: x.moved }, undefined, x.weights);
    expect(rel(F, H)).toBeLessThan(1e-12);
    // the reversed order: analytic Hessian against second differences of Σ w KL(π_θ‖π_old)
    const f = (t: Float64Array) => klPerState(param.probs(t), param.probs(x.policy.theta), param.numStates, param.numActions).reduce((acc, k, s) => acc + x.weights[s]! * k, 0);
    const R = reversedKLHessian(param.numStates, param.numActions, x.moved, x.policy.theta, x.weights), h = 1e-4;
    for (const [i, j] of [[0, 0], [0, 1], [4, 5], [7, 7], [9, 11]] as const) {
      const at = (di: number, dj: number) => f(x.moved.map((t, k) => t + (k === i ? di : 0) + (k === j ? dj : 0)));
      const fd = (at(h, h) - at(h, -h) - at(-h, h) + at(-h, -h)) / (4 * h * h);
      expect(Math.abs(fd - R[i * n + j]!), `(${i}, ${j})`).toBeLessThan(1e-6);
    }
    expect(rel(R, F)).toBeGreaterThan(1e-2);
  });
  it('the Krylov-space minimizer equals the library CG after k = 1, 2, 3 iterations (damped and singular Fisher)', () => {
    for (const x of [grid!, garnet!]) {
      const { param, theta } = x.policy, n = param.numParams, F = fisherMatrix(x.mdp, { param, theta }, undefined, x.weights);
      for (const damping of [0.1, 0]) {
        const M = F.map((v, k) => v + (k % (n + 1) === 0 ? damping : 0));
        for (const k of [1, 2, 3]) {
          const cg = conjugateGradient((v, out) => out.set(matVec(M, n, n, v)), x.grad, { maxIterations: k }).x;
          expect(rel(krylovIterate(M, n, x.grad, k), cg), `${x.label}, λ = ${damping}, k = ${k}`).toBeLessThan(1e-9);
        }
      }
    }
  });
});

describe('pgtruth check, TRPO kinds: the examples', () => {
  it('trpo-fvp.ts passes, its four controls rejected; the uncentered Fisher fails everywhere and is named', async () => {
    passesWithControls(await check(await example('trpo-fvp')));
    const [bad] = await check(await example('trpo-fvp-uncentered-bug'));
    expect(bad!.verdict).toBe('fail');
    for (const c of bad!.checks) {
      expect(c.passed).toBe(false);
      expect(c.discrepancy).toBeGreaterThan(1e6 * c.tolerance);
      expect(c.diagnosis?.looksLike).toMatch(/without the mean-score subtraction/);
    }
  });
  it('trpo-cg.ts passes (singular Fisher compared in the quotient); the stale r·r CG fails from 2 iterations on and is named', async () => {
    passesWithControls(await check(await example('trpo-cg')));
    const [bad] = await check(await example('trpo-cg-stale-rr-bug'));
    expect(bad!.verdict).toBe('fail');
    const failed = bad!.checks.filter((c) => !c.passed);
    expect(failed.length).toBe(12); // 6 of 8 cases on each instance: all but 1 iteration
    expect(bad!.checks.filter((c) => c.instance.includes(' 1 iteration')).every((c) => c.passed)).toBe(true);
    for (const c of failed) expect(c.diagnosis?.looksLike, c.instance).toMatch(/r·r of the wrong iterate/);
  }, 20_000);
  it('trpo-linesearch.ts passes both claims; the line search that does not restore θ fails on the uphill step only', async () => {
    passesWithControls(await check(await example('trpo-linesearch')));
    const [safe, grid_] = await check(await example('trpo-linesearch-norestore-bug'));
    for (const r of [safe!, grid_!]) {
      expect(r.verdict).toBe('fail');
      expect(r.checks.filter((c) => !c.passed).map((c) => c.instance.includes('uphill'))).toEqual([true, true]);
    }
    expect(safe!.checks.find((c) => !c.passed)!.note).toMatch(/θ is not restored/);
  });
  it('through the sandbox (evaluate and the in-place θ live in the worker): the same verdicts', async () => {
    const { results } = await checkModule(new URL('../../examples/estimators/trpo-linesearch-norestore-bug.ts', import.meta.url).pathname, { workers: 0 });
    expect(results.map((r) => r.verdict)).toEqual(['fail', 'fail']);
    expect(results[0]!.checks.filter((c) => !c.passed).map((c) => c.note)).toEqual([expect.stringMatching(/left 56 of 64 entries of θ changed/), expect.stringMatching(/left 15 of 21 entries/)]);
  }, 30_000);
  it('a CG that never returns is stopped by --timeout (USER_CODE_TIMEOUT naming the call)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pgtruth-trpo-')), 'hang.mjs');
    writeFileSync(file, "export default { kind: 'trpo-cg', name: 'hang', estimate() { for (;;) {} } };\n");
    await expectErrorAsync(() => checkModule(file, { workers: 0, timeout: 0.5 }), 'USER_CODE_TIMEOUT', 'hang.estimate');
  }, 30_000);
  it('the library\'s conjugateGradient, wrapped as a user CG, passes', async () => {
    const builtin: TrpoCgEstimator = { kind: 'trpo-cg', name: 'builtin', estimate: (apply, b, iterations) => conjugateGradient((v, out) => out.set(apply(v)), b, { maxIterations: iterations }).x };
    passesWithControls(await check({ estimator: builtin, name: 'builtin', module: 'test', key: 'builtin' }));
  });
  it('the library\'s backtrackingLineSearch, wrapped as a user line search, passes both claims', async () => {
    const builtin: TrpoLineSearchEstimator = {
      kind: 'trpo-linesearch', name: 'builtin',
      estimate(theta, step, expected, maxKl, evaluate) {
        const r = backtrackingLineSearch((t) => evaluate(t), theta, step, expected, { maxKl });
        theta.set(r.theta);
        return r.accepted;
      },
    };
    passesWithControls(await check({ estimator: builtin, name: 'builtin', module: 'test', key: 'builtin' }));
  });
});

describe('pgtruth check, trpo-fvp with fisher: \'batch\' (sampled, sized by the power guard)', () => {
  it('trpo-fvp-batch.ts (the batch mean KL\'s Hessian) and the empirical Fisher g gᵀ v pass, their controls rejected; the uncentered batch Fisher fails and is named (at resolutions of 10% and 20%: the default 5% runs in the CLI figures)', async () => {
    passesWithControls(await check(await example('trpo-fvp-batch'), { resolution: 0.1 }));
    const empirical: TrpoFvpBatchEstimator = {
      kind: 'trpo-fvp', name: 'empirical', fisher: 'batch',
      estimate(policy, _old, batch, v) {
        const out = new Float64Array(v.length);
        for (let i = 0; i < batch.size; i++) { const g = policy.score(batch.s_t[i]!, batch.a_t[i]!); let gv = 0; g.forEach((x, k) => { gv += x * v[k]!; }); g.forEach((x, k) => { out[k]! += (x * gv) / batch.size; }); }
        return out;
      },
    };
    passesWithControls(await check({ estimator: empirical, name: 'empirical', module: 'test', key: 'empirical' }, { resolution: 0.2 }));
    const uncentered: TrpoFvpBatchEstimator = {
      kind: 'trpo-fvp', name: 'uncentered', fisher: 'batch',
      estimate(policy, _old, batch, v) {
        const out = new Float64Array(v.length), A = policy.numActions;
        for (let i = 0; i < batch.size; i++) { const s = batch.s_t[i]!, pi = policy.probs(s); for (let a = 0; a < A; a++) out[s * A + a]! += (pi[a]! * v[s * A + a]!) / batch.size; }
        return out;
      },
    };
    const [bad] = await check({ estimator: uncentered, name: 'uncentered', module: 'test', key: 'uncentered' }, { resolution: 0.2 });
    expect(bad!.verdict).toBe('fail');
    for (const c of bad!.checks) {
      expect(c.passed).toBe(false);
      expect(c.diagnosis?.looksLike, c.instance).toMatch(/without the mean-score subtraction/);
    }
  }, 30_000);
});

describe('pgtruth check, TRPO kinds: bad declarations and results', () => {
  const loaded = (x: object): LoadedEstimator => ({ estimator: x as never, name: 'mine', module: 'm.ts', key: 'default' });
  it('PLUGIN_INVALID names a bad damping or backtracking factor', () => {
    expectError(() => machineryClaims(loaded({ kind: 'trpo-fvp', damping: -1, estimate: () => [] }), async () => new Float64Array(), {}), 'PLUGIN_INVALID', 'default.damping', '-1');
    expectError(() => machineryClaims(loaded({ kind: 'trpo-linesearch', shrink: 1.5, estimate: () => true }), async () => new Float64Array(), {}), 'PLUGIN_INVALID', 'default.shrink', '1.5');
    expectError(() => machineryClaims(loaded({ kind: 'trpo-fvp', fisher: 'sampled', estimate: () => [] }), async () => new Float64Array(), {}), 'PLUGIN_INVALID', 'default.fisher', 'sampled');
  });
  it('ESTIMATOR_INVALID names a line search that returns no boolean and an FVP of the wrong length', () => {
    const x = garnet!, { param } = x.policy;
    const ls = { op: 'trpo-linesearch' as const, S: param.numStates, A: param.numActions, piOld: param.probs(x.policy.theta), etaOld: x.etaDec, advantage: x.ev.A, weights: x.weights, cases: [{ theta0: x.policy.theta, fullStep: x.grad, expectedImprovement: 1, maxKl: 0.01 }] };
    expectError(() => runTrpoMachinery(loaded({ kind: 'trpo-linesearch', estimate: () => 1 }), ls, (g) => g()), 'ESTIMATOR_INVALID', 'mine.estimate returned 1');
    const fvp = { op: 'trpo-fvp' as const, S: param.numStates, A: param.numActions, cases: [{ theta: x.policy.theta, thetaOld: x.policy.theta, weights: x.weights, v: x.grad }] };
    expectError(() => runTrpoMachinery(loaded({ kind: 'trpo-fvp', estimate: () => [1, 2] }), fvp, (g) => g()), 'ESTIMATOR_INVALID', 'mine.estimate returned 2 numbers');
  });
});
