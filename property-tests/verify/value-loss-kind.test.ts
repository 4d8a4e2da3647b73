// The value-loss kind (src/verify/value-loss-kind.ts, deep-claims.ts, deep-tasks.ts): the exact
// clipped-loss table agrees with the linear route where the clip cannot bind; the claim passes
// the correct reference loss and rejects every shipped bug (named by the diagnosis) on fixed
// seeds; a user module goes through the sandbox (correct example passes, buggy ones fail naming
// the bug); bad declarations are LOSS_DECLARATION. Stochastic checks at α = 1e-6 each.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { advantageExpectation } from '../../src/exact/advantage-expectation.js';
import { createMDP } from '../../src/mdp/index.js';
import { mapBatchesSync, type BatchTask } from '../../src/sampling/map.js';
import type { RunContext } from '../../src/verify/claim.js';
import { continuingGarnetInstance, criticSettings, criticsFor } from '../../src/verify/claims/critics.js';
import { episodicInstances } from '../../src/verify/claims/estimators.js';
import { checkModule } from '../../src/verify/check.js';
import { valueLossClaims, type DeepRun } from '../../src/verify/deep-claims.js';
import { valueLossVariantTask, type ValueLossBug } from '../../src/verify/deep-tasks.js';
import { visitCountTask } from '../../src/verify/tasks.js';
import type { LoadedEstimator } from '../../src/verify/plugin.js';
import { clippedTermTable, lossDeclaration } from '../../src/verify/value-loss-kind.js';
import { expectError } from '../helpers.js';

const inst = { episodic: episodicInstances(), continuing: [continuingGarnetInstance()] };
const examples = new URL('../../examples/estimators/', import.meta.url).pathname;
const P = { fraction: 0.1, budget: 30, minSamples: 1600 };

/** A loaded value-loss estimator with the given declaration (its estimate is never called: the fake runner runs the reference). */
const loaded = (decl: object, name = 'ref'): LoadedEstimator => ({ estimator: { kind: 'value-loss', name, estimate: () => { throw new Error('unused'); }, ...decl } as never, name, module: 'test', key: 'default' });

/** Runs the user task as the built-in reference loss with `bug` (absent: correct), in this thread. */
const fakeRun = (bug?: ValueLossBug): DeepRun => async (_ctx, x, source, batches, task, options, stream) => {
  const plan = { source, batches: Math.max(50, batches), seed: `1/${stream}` };
  const spec = { mdp: x.mdp, policy: x.policy };
  if (task === 'visitCountTask') return mapBatchesSync(spec, plan, visitCountTask as unknown as BatchTask<object>, options);
  return mapBatchesSync(spec, plan, valueLossVariantTask as unknown as BatchTask<object>, { ...options, ...(bug ? { bug } : {}) });
};
const ctx: RunContext = { seed: 1, scale: 1 };

describe('the exact clipped-loss table', () => {
  it('equals V − E[R | s,a,m] of the linear route when ε is so large the clip never binds (GAE at λ = 0, the 2-step return)', () => {
    for (const s of criticSettings(inst).filter((q) => q.source.kind === 'segments')) {
      const x = s.x, pi = x.policy.param.probs(x.policy.theta), Vold = criticsFor(x)[3]!.values, V = Vold.map((v, i) => v + 0.3 * (i - 2));
      for (const def of ['gae', { nStep: 2 }] as const) {
        const t = clippedTermTable(x.mdp, pi, V, Vold, def, 0, 1e300, 8);
        const lin = advantageExpectation(x.mdp, pi, Vold, def, 0, { horizons: 8 });
        const SA = x.mdp.numStates * x.mdp.numActions;
        for (let k = 0; k < 8 * SA; k++) expect(t[SA + k]!).toBeCloseTo(V[Math.floor((k % SA) / x.mdp.numActions)]! - lin.targets[k]!, 10);
      }
    }
  });
  it('equals a hand computation where the clip binds (a 2-state MDP, one-step targets: ψ = 0 on the clipped branch, V − R on the other)', () => {
    // state 1 terminal; from 0: a = 0 → 0 or 1 with probability ½ each (reward 1), a = 1 → 1 (reward 2); γ = 0.9
    const mdp = createMDP({ states: 2, actions: 2, transitions: [[[0.5, 0.5], [0, 1]], [[0, 1], [0, 1]]], rewards: [[1, 2], [0, 0]], gamma: 0.9, initial: [1, 0], terminal: [1] });
    const t = clippedTermTable(mdp, [0.5, 0.5, 0.5, 0.5], [3.6, 5], [3, 5], 'gae', 0, 0.2, 1);
    // (0,0): R = 1 + 0.9·3 = 3.7 → (3.6 − 3.7)² < (3.2 − 3.7)², clipped, |V − V_old| ≥ ε → 0; R = 1 → (2.6)² ≥ (2.2)² → 2.6; mean 1.3
    // (0,1): R = 2 → (1.6)² ≥ (1.2)² → 1.6
    expect(t[4]).toBeCloseTo(1.3, 14);
    expect(t[5]).toBeCloseTo(1.6, 14);
  });
  it('refuses GAE at λ > 0 (an unbounded target window) and reward noise: LOSS_DECLARATION', () => {
    const x = inst.continuing[0]!, pi = x.policy.param.probs(x.policy.theta), V = x.ev.V;
    expectError(() => clippedTermTable(x.mdp, pi, V, V, 'gae', 0.5, 0.2, 4), 'LOSS_DECLARATION', 'λ = 0.5');
  });
});

describe('the value-loss claim with the reference loss', () => {
  for (const [label, decl] of [['GAE, mean, ½', {}], ['2-step, sum, no ½, value clip 0.3', { definition: { nStep: 2 }, reduction: 'sum', half: false, valueClip: 0.3 }]] as const) {
    it(`${label}: the correct loss passes and every control is rejected`, async () => {
      const [claim] = valueLossClaims(loaded(decl), fakeRun(), inst, P, 'test');
      const checks = await claim!.run(ctx);
      expect(checks.every((c) => c.passed), checks.map((c) => `${c.instance}: ${c.discrepancy} vs ${c.tolerance} ${c.note}`).join('\n')).toBe(true);
      const controls = await claim!.control!.run(ctx);
      expect(controls.length).toBe('valueClip' in decl ? 4 : 3);
      expect(controls.every((c) => !c.passed), controls.map((c) => `${c.instance}: ${c.discrepancy}`).join('\n')).toBe(true);
    }, 30_000);
  }
  // (bootstrap-through-termination and clip-min are named on the buggy examples below)
  for (const bug of ['targets-from-current-V'] as const) {
    it(`a loss with ${bug} fails, and the diagnosis names it`, async () => {
      const [claim] = valueLossClaims(loaded({ valueClip: 0.2 }), fakeRun(bug), inst, P, 'test');
      const failed = (await claim!.run(ctx)).filter((c) => !c.passed && c.discrepancy > c.tolerance);
      expect(failed.length).toBeGreaterThan(0);
      expect(failed.some((c) => c.diagnosis?.looksLike?.includes(`(${bug})`)), failed.map((c) => c.diagnosis?.looksLike).join('; ')).toBe(true);
    }, 30_000);
  }
});

describe('bad declarations', () => {
  it('are LOSS_DECLARATION naming the field and the value', () => {
    expectError(() => lossDeclaration(loaded({ reduction: 'avg' })), 'LOSS_DECLARATION', 'default.reduction', 'avg');
    expectError(() => lossDeclaration(loaded({ half: 1 })), 'LOSS_DECLARATION', 'default.half');
    expectError(() => lossDeclaration(loaded({ valueClip: -0.2 })), 'LOSS_DECLARATION', 'default.valueClip', '-0.2');
    expectError(() => lossDeclaration(loaded({ definition: { nStep: 0 } })), 'LOSS_DECLARATION', 'default.definition');
    expect(lossDeclaration(loaded({}))).toEqual({ definition: 'gae', reduction: 'mean', half: true });
  });
});

describe('pgtruth check on the examples (sandboxed; one module re-exporting all five, one sandbox)', () => {
  const all = { 'value-loss': 'pass', 'value-loss-terminal-bug': 'bootstrap-through-termination', 'value-clip-bug': 'clip-min', 'actor-critic': 'pass', 'actor-critic-no-detach-bug': 'advantage-not-detached' } as const;
  it('passes value-loss.ts and actor-critic.ts; fails the three buggy ones, each naming its bug', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgtruth-deep-'));
    const file = join(dir, 'all.mts');
    writeFileSync(file, Object.keys(all).map((f) => `export { default as ${f.replace(/-/g, '_')} } from ${JSON.stringify(join(examples, `${f}.ts`))};`).join('\n'));
    const { results } = await checkModule(file, { samples: 1600, resolution: 0.1, workers: 1 });
    const ids = ['check.ppo-value-loss.value-loss', 'check.value-loss-terminal-bug.value-loss', 'check.value-clip-min-bug.value-loss', 'check.a2c-loss.actor-critic', 'check.a2c-no-detach-bug.actor-critic'];
    expect(results.map((r) => r.id).sort()).toEqual([...ids].sort());
    for (const [i, want] of Object.values(all).entries()) {
      const r = results.find((x) => x.id === ids[i])!;
      if (want === 'pass') { expect(r.verdict, r.id).toBe('pass'); continue; }
      expect(r.verdict, r.id).toBe('fail');
      expect(r.checks.some((c) => c.diagnosis?.looksLike?.includes(`(${want})`)), r.id).toBe(true);
    }
  }, 120_000);
});

describe('Python modules (needs /usr/bin/python3 with numpy and torch)', () => {
  it('numpy value loss and torch A2C loss pass; the torch loss without .detach() fails, named — one module, one worker', async () => {
    const { results } = await checkModule(new URL('./fixtures/deep_losses.py', import.meta.url).pathname, { samples: 1600, resolution: 0.1, workers: 1 });
    expect(results.map((r) => [r.id, r.verdict])).toEqual([['check.ppo-value-loss-numpy.value-loss', 'pass'], ['check.a2c-torch.actor-critic', 'pass'], ['check.a2c-torch-no-detach-bug.actor-critic', 'fail']]);
    expect(results[2]!.checks.some((c) => c.diagnosis?.looksLike?.includes('(advantage-not-detached)'))).toBe(true);
    for (const r of results) expect(r.control.rejected, r.id).toBe(r.control.checks.length);
  }, 120_000);
});
