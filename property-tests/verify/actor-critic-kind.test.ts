// The actor-critic kind (src/verify/value-loss-kind.ts, deep-claims.ts, deep-tasks.ts): the
// Jacobian a missing stop-gradient differentiates through equals finite differences of the
// library's GAE and n-step advantages; the claim passes the correct reference loss and rejects
// the stop-gradient bugs and a flipped entropy sign, each named by the diagnosis; an entropy
// flip too small to resolve is not claimed as a control; bad declarations are LOSS_DECLARATION.
// (The sandboxed examples actor-critic.ts / actor-critic-no-detach-bug.ts run in
// value-loss-kind.test.ts, in the same sandbox as the value-loss examples.) α = 1e-6 per check.
import { describe, expect, it } from 'vitest';
import { gae, nStepAdvantages } from '../../src/estimators/index.js';
import { mapBatchesSync, type BatchTask } from '../../src/sampling/map.js';
import type { Batch } from '../../src/sampling/batch.js';
import type { RunContext } from '../../src/verify/claim.js';
import { continuingGarnetInstance } from '../../src/verify/claims/critics.js';
import { episodicInstances } from '../../src/verify/claims/estimators.js';
import { actorCriticClaims, type DeepRun } from '../../src/verify/deep-claims.js';
import { actorCriticVariantTask, type ActorCriticBug } from '../../src/verify/deep-tasks.js';
import { visitCountTask } from '../../src/verify/tasks.js';
import type { LoadedEstimator } from '../../src/verify/plugin.js';
import { addAdvantageJacobianT, lossDeclaration } from '../../src/verify/value-loss-kind.js';
import { expectError } from '../helpers.js';

const inst = { episodic: episodicInstances(), continuing: [continuingGarnetInstance()] };
const P = { fraction: 0.1, budget: 30, minSamples: 1600 };
const ctx: RunContext = { seed: 2, scale: 1 };

const loaded = (decl: object): LoadedEstimator => ({ estimator: { kind: 'actor-critic', name: 'ref', estimate: () => { throw new Error('unused'); }, ...decl } as never, name: 'ref', module: 'test', key: 'default' });

/** Runs the user task as the built-in reference loss with `bug` (absent: correct), in this thread. */
const fakeRun = (bug?: ActorCriticBug): DeepRun => async (_ctx, x, source, batches, task, options, stream) => {
  const plan = { source, batches: Math.max(50, batches), seed: `2/${stream}` };
  const spec = { mdp: x.mdp, policy: x.policy };
  if (task === 'visitCountTask') return mapBatchesSync(spec, plan, visitCountTask as unknown as BatchTask<object>, options);
  return mapBatchesSync(spec, plan, actorCriticVariantTask as unknown as BatchTask<object>, { ...options, ...(bug ? { bug } : {}) });
};

describe('the advantage Jacobian of a missing stop-gradient', () => {
  it('Σ_t w_t ∂Â_t/∂V equals central differences of the library GAE (λ = 0.8) and 3-step advantage, across terminations and truncations', () => {
    const x = inst.episodic[2]!;
    const b = mapBatchesSync({ mdp: x.mdp, policy: x.policy }, { source: { kind: 'segments', envs: 4, length: 8, skip: 1 }, batches: 1, seed: 'jac' }, ((batch: Batch) => { captured = batch; return [0]; }) as BatchTask<undefined>);
    expect(b.batches).toBe(1);
    const batch = captured!, S = x.mdp.numStates, w = Float64Array.from({ length: batch.size }, (_, i) => Math.sin(i + 1));
    expect(Array.from(batch.terminated_t).some((t) => t === 1) && Array.from(batch.truncated_t).some((t) => t === 1)).toBe(true);
    const V = Float64Array.from({ length: S }, (_, s) => 0.7 * s - 1);
    for (const [def, f] of [['gae', (v: Float64Array) => gae(batch, v, x.mdp.gamma, 0.8)], [{ nStep: 3 }, (v: Float64Array) => nStepAdvantages(batch, v, x.mdp.gamma, 3)]] as const) {
      const J = addAdvantageJacobianT(batch, w, def, x.mdp.gamma, 0.8, new Float64Array(S));
      for (let s = 0; s < S; s++) {
        const up = Float64Array.from(V), dn = Float64Array.from(V), h = 1e-5;
        up[s] = up[s]! + h; dn[s] = dn[s]! - h;
        const au = f(up), ad = f(dn);
        let fd = 0;
        for (let i = 0; i < batch.size; i++) fd += (w[i]! * (au[i]! - ad[i]!)) / (2 * h);
        expect(J[s]!).toBeCloseTo(fd, 7);
      }
    }
  });
});
let captured: Batch | undefined;

describe('the actor-critic claim with the reference loss', () => {
  it('the correct loss (c_H = 1) passes and every control, the entropy sign included, is rejected', async () => {
    const [claim] = actorCriticClaims(loaded({ valueCoef: 0.5, entropyCoef: 1 }), fakeRun(), inst, P, 'test');
    const checks = await claim!.run(ctx);
    expect(checks.every((c) => c.passed), checks.map((c) => `${c.instance}: ${c.discrepancy} vs ${c.tolerance} ${c.note}`).join('\n')).toBe(true);
    const controls = await claim!.control!.run(ctx);
    expect(controls.map((c) => c.instance.split(': ').at(-1))).toEqual(['advantage-not-detached', 'target-not-detached', 'entropy-sign-flipped']);
    expect(controls.every((c) => !c.passed), controls.map((c) => `${c.instance}: ${c.discrepancy}`).join('\n')).toBe(true);
  }, 30_000);
  it('an entropy flip below twice the resolution (c_H = 0.001) is not a control, and the title says so', () => {
    const [claim] = actorCriticClaims(loaded({ valueCoef: 1, entropyCoef: 0.001 }), fakeRun(), inst, P, 'test');
    expect(claim!.title).toMatch(/entropy sign flip at c_H = 0\.001 is a bias of at most .*% of max\|E\[Â\]\|.*not covered/);
    expect(claim!.control!.description).not.toMatch(/entropy/);
  });
  for (const bug of ['target-not-detached', 'advantage-not-detached-in-both', 'entropy-sign-flipped'] as const) {
    it(`a loss with ${bug} fails, and the diagnosis names it`, async () => {
      const [claim] = actorCriticClaims(loaded({ valueCoef: 0.5, entropyCoef: 1, definition: { nStep: 3 }, reduction: 'sum' }), fakeRun(bug), inst, P, 'test');
      const failed = (await claim!.run(ctx)).filter((c) => !c.passed && c.discrepancy > c.tolerance);
      expect(failed.length).toBeGreaterThan(0);
      expect(failed.some((c) => c.diagnosis?.looksLike?.includes(`(${bug})`)), failed.map((c) => c.diagnosis?.looksLike).join('; ')).toBe(true);
    }, 30_000);
  }
});

describe('bad declarations', () => {
  it('are LOSS_DECLARATION naming the field and the value', () => {
    expectError(() => lossDeclaration(loaded({})), 'LOSS_DECLARATION', 'default.valueCoef', 'undefined');
    expectError(() => lossDeclaration(loaded({ valueCoef: 0 })), 'LOSS_DECLARATION', 'default.valueCoef', '0');
    expectError(() => lossDeclaration(loaded({ valueCoef: 1, entropyCoef: -0.1 })), 'LOSS_DECLARATION', 'default.entropyCoef', '-0.1');
    expectError(() => lossDeclaration(loaded({ valueCoef: 1, definition: 'td' })), 'LOSS_DECLARATION', 'default.definition', 'td');
    expect(lossDeclaration(loaded({ valueCoef: 0.5 }))).toEqual({ definition: 'gae', reduction: 'mean', half: true, valueCoef: 0.5, entropyCoef: 0 });
  });
});
