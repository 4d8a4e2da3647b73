// The advantage kind's critic claim (src/verify/claims/critics.ts, src/verify/advantage-targets.ts):
// the catalogue mutants that V^π cannot see are rejected on every fixed seed, the correct GAE and
// n-step advantage pass on the same batches, the last transition before each cut has its own
// check, and a user module goes through the same claim (a λ^k GAE fails only the critic claim).
// Every stochastic check here is at α = 1e-6; bench/critics.ts shows the margins over 20 seeds.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AdvantageDefinition } from '../../src/exact/advantage-expectation.js';
import { allocateBatch } from '../../src/sampling/batch.js';
import { mapBatchesSync, type BatchTask } from '../../src/sampling/map.js';
import { stepsToCut } from '../../src/verify/advantage-targets.js';
import { GAE_CONTROLS, NSTEP_CONTROLS, continuingGarnetInstance, criticChecks, criticOptions, criticSettings, criticsFor, declaredDefinition, placeControls, type CriticSetting } from '../../src/verify/claims/critics.js';
import { episodicInstances } from '../../src/verify/claims/estimators.js';
import { checkModule } from '../../src/verify/check.js';
import { criticResidualTask } from '../../src/verify/tasks.js';
import type { LoadedEstimator } from '../../src/verify/plugin.js';
import { expectError } from '../helpers.js';

const settings = criticSettings({ episodic: episodicInstances(), continuing: [continuingGarnetInstance()] });
const examples = new URL('../../examples/estimators/', import.meta.url).pathname;

/** The critic checks of a library estimator (or mutant) on one setting: `split` as the claim does for a user estimator. */
function run(s: CriticSetting, estimator: string, definition: AdvantageDefinition, lambda: number, parameter: number, seed: string, split: boolean) {
  const o = criticOptions(s, criticsFor(s.x), definition, lambda);
  const est = mapBatchesSync({ mdp: s.x.mdp, policy: s.x.policy }, { source: s.source, batches: 375, seed }, criticResidualTask as unknown as BatchTask<unknown>, { ...o, estimator, lambda: parameter });
  return criticChecks(estimator, est, split && (o.segmentLength > 0 || o.maxSteps > 0));
}

describe('the critic claim on the built-in settings', () => {
  const placed = placeControls([...GAE_CONTROLS, ...NSTEP_CONTROLS], settings);
  it('places every control where it shows (six GAE mutants and the n-step one)', () => {
    expect(placed.map((p) => p.control.mutant)).toEqual([...GAE_CONTROLS, ...NSTEP_CONTROLS].map((c) => c.mutant));
    for (const p of placed) expect(p.setting, p.control.mutant).toBe(settings[p.control.setting]);
  });
  for (const seed of ['t1', 't2', 't3']) {
    it(`rejects every control mutant, and passes its correct twin on the same batches (seed ${seed})`, () => {
      for (const { control, setting } of placed) {
        const nStep = control.mutant.startsWith('mutant.nstep');
        const def: AdvantageDefinition = nStep ? { nStep: control.lambda } : 'gae', lambda = nStep ? 1 : control.lambda;
        const bad = run(setting, control.mutant, def, lambda, control.lambda, seed, false);
        expect(bad.every((c) => !c.passed), `${control.mutant}: ${bad.map((c) => `${c.discrepancy} vs ${c.tolerance}`).join(', ')}`).toBe(true);
        const good = run(setting, nStep ? 'nStepAdvantages' : 'gae', def, lambda, control.lambda, seed, true);
        expect(good.every((c) => c.passed), `${control.mutant}'s twin: ${good.map((c) => `${c.discrepancy} vs ${c.tolerance}`).join(', ')}`).toBe(true);
      }
    }, 40_000);
  }
  it('checks the last transition before each cut on its own: a truncation treated as termination fails there too', () => {
    const seg = settings[4]!; // the episodic Garnet in segments that start mid-episode
    const checks = run(seg, 'mutant.truncation-as-termination', 'gae', 0.8, 0.8, 'cut', true);
    expect(checks).toHaveLength(2);
    expect(checks[1]!.instance).toMatch(/last transition before each cut/);
    expect(checks.map((c) => c.passed)).toEqual([false, false]);
  });
});

describe('steps to the cut', () => {
  it('is T − (i mod T) in segments, maxSteps − t_index under a time limit, the smaller of both, 0 for complete episodes', () => {
    const b = allocateBatch(16, 2, 1, 0.9);
    for (let i = 0; i < 16; i++) b.t_index[i] = 10 + i;
    expect(stepsToCut(b, 0, 8, 0)).toBe(8);
    expect(stepsToCut(b, 13, 8, 0)).toBe(3);
    expect(stepsToCut(b, 0, 0, 20)).toBe(10);
    expect(stepsToCut(b, 1, 8, 20)).toBe(7);
    expect(stepsToCut(b, 9, 8, 20)).toBe(1);
    expect(stepsToCut(b, 3, 0, 0)).toBe(0);
  });
});

describe('the declared definition', () => {
  const loaded = (definition: unknown): LoadedEstimator => ({ estimator: { kind: 'advantage', definition, estimate: () => ({ advantages: [], targets: [] }) } as never, name: 'mine', module: 'file:///m.ts', key: 'default' });
  it('is GAE by default and accepts gae, lambda-return and {nStep: n}', () => {
    expect(declaredDefinition(loaded(undefined))).toBe('gae');
    expect(declaredDefinition(loaded('lambda-return'))).toBe('lambda-return');
    expect(declaredDefinition(loaded({ nStep: 5 }))).toEqual({ nStep: 5 });
  });
  it('rejects anything else with PLUGIN_INVALID naming the export and the value', () => {
    expectError(() => declaredDefinition(loaded('td(λ)')), 'PLUGIN_INVALID', 'default.definition', 'td(λ)');
    expectError(() => declaredDefinition(loaded({ nStep: 0 })), 'PLUGIN_INVALID', 'default.definition');
  });
});

describe('a user module through pgtruth check', () => {
  it('a GAE with λ^k weights passes the V^π claim and fails the critic claim; a declared 3-step advantage passes both', async () => {
    // a coarse resolution (20% of each target's scale) and a short budget keep this test short;
    // the default (5%) is exercised by examples/examples.test.ts
    const coarse = { workers: 2, resolution: 0.2, budget: 10 };
    const bug = await checkModule(join(examples, 'gae-lambda-bug.ts'), coarse);
    expect(bug.results.map((r) => [r.id, r.verdict])).toEqual([['check.gae-lambda-bug.unbiased', 'pass'], ['check.gae-lambda-bug.critics', 'fail']]);
    const failed = bug.results[1]!.checks.filter((c) => !c.passed);
    expect(failed.length).toBeGreaterThan(0);
    for (const c of failed) expect(c.note).toMatch(/worst: critic .+, s = \d+, a = \d+, (advantage|target): mean residual .+ per (episode|environment)/);
    // and names the catalogue mutant it is (paired on the same batches: distance 0); the first
    // four failed checks are compared with the catalogue, the others name their worst coordinate
    const matched = failed.filter((x) => x.diagnosis?.candidates.length);
    expect(matched.length).toBe(Math.min(4, failed.filter((x) => x.discrepancy > x.tolerance).length));
    for (const c of matched) expect(c.diagnosis?.looksLike, c.instance).toContain('mutant.gae-lambda-without-gamma');
    const ok = await checkModule(join(examples, 'nstep.ts'), coarse);
    expect(ok.results.map((r) => [r.id, r.verdict])).toEqual([['check.nstep-3.unbiased', 'pass'], ['check.nstep-3.critics', 'pass']]);
  }, 120_000);
});
