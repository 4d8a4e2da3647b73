// Issue 11, the rest: the reach-J* claim on exact curves with its control, the critic's shared
// step, the MLP-over-states parameterization the learners train (against the exact truth of
// src/exact/neural.ts and finite differences), PPO with an MLP policy, `train --policy`, and
// the deceptive built-in.
import { describe, expect, it } from 'vitest';
import { initialPolicy, LEARNERS, mlpStatePolicy, mlpTabularParameterization, samplingPolicy, SegmentRollout, uniformSoftmax, ValueTable } from '../../src/algorithms/index.js';
import { main } from '../../src/cli/main.js';
import { isPgTruthError } from '../../src/errors.js';
import { gae, valueTargets } from '../../src/estimators/advantages.js';
import { evaluatePolicy } from '../../src/exact/evaluate.js';
import { policyGradient } from '../../src/exact/gradient.js';
import { mlpPolicyTable, mlpTabularPolicy as exactMlpPolicy, neuralPolicyGradient } from '../../src/exact/neural.js';
import { NumberField } from '../../src/field/number.js';
import { policyIteration } from '../../src/exact/control.js';
import { builtinMDP, deceptive } from '../../src/mdp/library/index.js';
import { Mlp } from '../../src/policy/mlp.js';
import { defaultClaims } from '../../src/verify/claims/index.js';
import { learnerCurveClaim } from '../../src/verify/claims/learner-curves.js';

function codeOf(f: () => unknown): string | undefined {
  try { f(); } catch (e) { return isPgTruthError(e) ? e.code : `not a PgTruthError: ${String(e)}`; }
  return undefined;
}

describe('learners.reach-jstar', () => {
  it('every learner reaches 5% of the initial gap on both MDPs on 3 seeds within its budget; with step size 0 none does', async () => {
    const checks = await learnerCurveClaim.run({ seed: 7, scale: 1 });
    expect(checks).toHaveLength(10);
    for (const c of checks) expect(c.passed, `${c.instance}: ${c.note}`).toBe(true);
    const control = await learnerCurveClaim.control.run({ seed: 7, scale: 1 });
    expect(control).toHaveLength(5);
    // standing still keeps the whole initial gap: the relative gap is 1 (TRPO's 1e-12 trust region moves θ by ~1e-6)
    for (const c of control) { expect(c.passed, c.instance).toBe(false); expect(c.discrepancy).toBeGreaterThan(0.999); }
    expect(defaultClaims().map((c) => c.id)).toContain('learners.reach-jstar');
  });
});

describe('the critic step the four critic learners share', () => {
  it('critic.advantages(batch) is gae and valueTargets under the table before the fit, to the bit', () => {
    const mdp = builtinMDP('chain');
    const batch = new SegmentRollout(mdp, 3, 20, 40, 5).collect(uniformSoftmax(mdp));
    const critic = new ValueTable(mdp.numStates, 0.5);
    critic.fit(batch, Float64Array.from({ length: batch.size }, (_, i) => i % 7), 3);
    const V = Float64Array.from(critic.V);
    const { values, adv, targets } = critic.advantages(batch, 0.9, 0.95);
    expect(Array.from(values)).toEqual(Array.from(V));
    const adv2 = gae(batch, V, 0.9, 0.95);
    expect(Array.from(adv)).toEqual(Array.from(adv2));
    expect(Array.from(targets)).toEqual(Array.from(valueTargets(batch, V, adv2)));
    // the control: another λ gives other advantages
    expect(Array.from(gae(batch, V, 0.9, 0.9))).not.toEqual(Array.from(adv));
  });
});

describe('the MLP-over-states parameterization', () => {
  const mdp = builtinMDP('gridworld-4x4');
  const policy = mlpStatePolicy(mdp, [6], 3);
  // larger weights than the ×0.01 init, so that π is far from uniform and every derivative matters
  const theta = Float64Array.from(policy.theta, (x, k) => x * 40 + 0.05 * Math.sin(k));
  const { param } = policy;
  const exact = exactMlpPolicy(mdp, new Mlp([16, 6, 4]), theta);

  it('its table is src/exact/neural.ts\'s π_w, its log-probabilities are log π, and probsIn over numbers is the same table', () => {
    const table = param.probs(theta), ref = mlpPolicyTable(exact);
    for (let k = 0; k < ref.length; k++) expect(table[k]).toBeCloseTo(ref[k]!, 14);
    const row = new Float64Array(4);
    for (let s = 0; s < 16; s++) {
      param.probsRow(theta, s, row);
      for (let a = 0; a < 4; a++) { expect(row[a]).toBeCloseTo(ref[s * 4 + a]!, 14); expect(param.logProb(theta, s, a)).toBeCloseTo(Math.log(ref[s * 4 + a]!), 12); }
    }
    const generic = param.probsIn(NumberField, Array.from(theta));
    for (let k = 0; k < ref.length; k++) expect(generic[k]).toBeCloseTo(ref[k]!, 13);
  });

  it('the exact ∇_w J through its addDProbs equals src/exact/neural.ts\'s pullback of the tabular gradient', () => {
    const viaContract = policyGradient(mdp, { param, theta });
    const viaExact = neuralPolicyGradient(mdp, exact).grad;
    let scale = 0;
    for (const x of viaExact) scale = Math.max(scale, Math.abs(x));
    expect(scale).toBeGreaterThan(1e-3);
    for (let k = 0; k < viaExact.length; k++) expect(Math.abs(viaContract[k]! - viaExact[k]!)).toBeLessThan(1e-10 * scale);
  });

  it('addScore is the gradient of logProb (central differences, h = 1e-5)', () => {
    for (const [s, a, w] of [[1, 0, 1], [6, 3, -2.5], [14, 2, 0.7]] as const) {
      const g = new Float64Array(param.numParams);
      param.addScore(theta, s, a, w, g);
      for (const k of [0, 5, 17, 40, param.numParams - 1]) {
        const tp = Float64Array.from(theta), tm = Float64Array.from(theta);
        tp[k] = tp[k]! + 1e-5; tm[k] = tm[k]! - 1e-5;
        const fd = (w * (param.logProb(tp, s, a) - param.logProb(tm, s, a))) / 2e-5;
        expect(Math.abs(g[k]! - fd), `s ${s} a ${a} k ${k}`).toBeLessThan(1e-7 * Math.max(1, Math.abs(fd)));
      }
    }
  });

  it('samplingPolicy gives the same log-probabilities to the bit (the batch\'s logp_t); a tabular policy is passed through', () => {
    const sp = samplingPolicy({ param, theta });
    for (let s = 0; s < 16; s++) for (let a = 0; a < 4; a++) expect(Object.is(sp.param.logProb(sp.theta, s, a), param.logProb(theta, s, a))).toBe(true);
    const tab = uniformSoftmax(mdp);
    expect(samplingPolicy(tab)).toBe(tab);
  });

  it('rejects a network of the wrong width, a policy of another MDP, and a bad hidden width', () => {
    expect(codeOf(() => mlpTabularParameterization(mdp, new Mlp([16, 4, 3])))).toBe('NN_ARCHITECTURE');
    expect(codeOf(() => mlpTabularParameterization(mdp, new Mlp([15, 4, 4])))).toBe('NN_ARCHITECTURE');
    expect(codeOf(() => initialPolicy(builtinMDP('chain'), { seed: 1, policy }))).toBe('LEARNER_OPTIONS');
    expect(codeOf(() => mlpStatePolicy(mdp, [0], 1))).toBe('LEARNER_OPTIONS');
  });
});

describe('learners with an MLP policy', () => {
  const mdp = builtinMDP('gridworld-4x4');
  it('PPO from an MLP (one hidden layer of 8) over one-hot states gets within 5% of the gap in 10 updates (2 560 samples); with lr 0 J stays', () => {
    const ppo = LEARNERS.find((l) => l.name === 'ppo')!;
    const r = ppo.run(mdp, { updates: 10 }, { seed: 1, policy: mlpStatePolicy(mdp, [8], 1) });
    const recs = r.curve.records;
    // the exact curve is of the MLP's table: J_0 is that of the initial network, not of the uniform policy
    expect(recs[0]!.J).toBeCloseTo(evaluatePolicy(mdp, mlpStatePolicy(mdp, [8], 1).param.probs(mlpStatePolicy(mdp, [8], 1).theta)).J, 12);
    expect(recs[10]!.gap / recs[0]!.gap).toBeLessThan(0.05);
    expect(r.policy.theta.length).toBe(16 * 8 + 8 + 8 * 4 + 4);
    const still = ppo.run(mdp, { updates: 3, lr: 0 }, { seed: 1, policy: mlpStatePolicy(mdp, [8], 1) });
    expect(still.curve.records[3]!.J).toBe(still.curve.records[0]!.J);
  });

  it('every learner raises J from the MLP start in a few updates, deterministically given the seed', () => {
    const few: Record<string, Record<string, number>> = { reinforce: { updates: 8 }, a2c: { updates: 8 }, trpo: { updates: 5 }, ppo: { updates: 3, epochs: 2 }, vmpo: { updates: 3, epochs: 2 } };
    for (const l of LEARNERS) {
      const a = l.run(mdp, few[l.name]!, { seed: 2, policy: mlpStatePolicy(mdp, [8], 2) }).curve.records;
      expect(a[a.length - 1]!.J, l.name).toBeGreaterThan(a[0]!.J + 1);
      const b = l.run(mdp, few[l.name]!, { seed: 2, policy: mlpStatePolicy(mdp, [8], 2) }).curve.records;
      expect(b.map((x) => x.J)).toEqual(a.map((x) => x.J));
    }
  });

  it('pgtruth train --policy mlp:8 trains and prints its summary; a malformed --policy is CLI_USAGE (exit 2)', async () => {
    let out = '';
    expect(await main(['train', 'builtin:short-corridor', '--algo', 'trpo', '--updates', '5', '--policy', 'mlp:8'], (s) => { out += s; })).toBe(0);
    expect(out).toMatch(/^trpo on short-corridor .*updates 5/);
    let err = '';
    const code = await main(['train', 'builtin:short-corridor', '--algo', 'trpo', '--policy', 'mlp:0'], () => {}, (s: string) => { err += s; });
    expect(code).toBe(2);
    expect(err).toMatch(/CLI_USAGE.*--policy "mlp:0"/);
  });
});

describe('builtin:deceptive', () => {
  it('has J* = prize and J(uniform) = decoy/2 + 2^−(L+1)·prize (hand-computed), and a typed error for L < 1', () => {
    const m = builtinMDP('deceptive');
    const Jstar = (x: typeof m) => { const V = policyIteration(x).V; return V[0]!; };
    expect(Jstar(m)).toBeCloseTo(4, 12);
    expect(evaluatePolicy(m, new Float64Array(m.numStates * 2).fill(0.5)).J).toBeCloseTo(0.5 + 4 / 512, 12);
    const small = deceptive({ length: 3, decoy: 1, prize: 2 });
    expect(Jstar(small)).toBeCloseTo(2, 12);
    expect(evaluatePolicy(small, new Float64Array(small.numStates * 2).fill(0.5)).J).toBeCloseTo(0.625, 12);
    // a prize below the decoy makes `take` optimal: J* = decoy
    expect(Jstar(deceptive({ length: 2, decoy: 1, prize: 0.5 }))).toBeCloseTo(1, 12);
    expect(codeOf(() => deceptive({ length: 0 }))).toBe('MDP_SHAPE');
    // the lottery variant: the same means (J* = 4, J(uniform) = 1/2 + 4/512), one more state; q outside (0, 1] is MDP_SHAPE
    const lot = builtinMDP('deceptive-lottery');
    expect(lot.numStates).toBe(11);
    expect(Jstar(lot)).toBeCloseTo(4, 12);
    expect(evaluatePolicy(lot, new Float64Array(lot.numStates * 2).fill(0.5)).J).toBeCloseTo(0.5 + 4 / 512, 12);
    // the always-take policy: 0.05 · 20 = 1, the decoy's mean
    expect(evaluatePolicy(lot, Float64Array.from({ length: lot.numStates * 2 }, (_, k) => (k % 2 === 0 ? 1 : 0))).J).toBeCloseTo(1, 12);
    expect(codeOf(() => deceptive({ lottery: 0 }))).toBe('MDP_SHAPE');
    expect(codeOf(() => deceptive({ lottery: 1.5 }))).toBe('MDP_SHAPE');
  });
});
