// The learners of src/algorithms: short smoke runs (finite curves, J improves on a fixed seed,
// same seed → identical curve), the integration claim with its control, the rollout's batch
// layout, the hyperparameter errors, the grep the before-stop hook runs, and `pgtruth train`.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { episodeTimeLimit, LEARNERS, SegmentRollout, uniformSoftmax, minibatchIndices } from '../../src/algorithms/index.js';
import { main } from '../../src/cli/main.js';
import { isPgTruthError } from '../../src/errors.js';
import { builtinMDP } from '../../src/mdp/library/index.js';
import { validateBatch } from '../../src/sampling/batch.js';
import { Rng } from '../../src/stats/rng.js';
import { learnerIntegrationClaim } from '../../src/verify/claims/learners.js';

/** Budgets for smoke runs: a few updates each (the bench runs the real budgets). */
const SMOKE: Record<string, Record<string, number>> = {
  reinforce: { updates: 15, episodes: 8 },
  a2c: { updates: 15, envs: 4, length: 16 },
  trpo: { updates: 10, envs: 4, length: 16 },
  ppo: { updates: 6, envs: 4, length: 16, epochs: 4, minibatches: 4 },
  vmpo: { updates: 6, envs: 4, length: 16, epochs: 4, minibatches: 4 },
};

describe('the learners on gridworld-4x4 (smoke runs)', () => {
  const mdp = builtinMDP('gridworld-4x4');
  for (const l of LEARNERS) {
    it(`${l.name}: finite exact curve, J rises on seed 3, same seed → identical curve, other seed → another`, () => {
      const a = l.run(mdp, SMOKE[l.name]!, { seed: 3 });
      const recs = a.curve.records;
      expect(recs).toHaveLength((SMOKE[l.name]!.updates as number) + 1);
      for (const r of recs) {
        for (const x of [r.J, r.gap, r.entropy, r.samples]) expect(Number.isFinite(x)).toBe(true);
        expect(r.gap).toBeGreaterThanOrEqual(-1e-9);
        if (r.update > 0) { expect(r.klExact!).toBeGreaterThanOrEqual(0); expect(Number.isFinite(r.klK3!)).toBe(true); }
      }
      expect(recs[0]!.klExact).toBeNull();
      expect(recs[recs.length - 1]!.J).toBeGreaterThan(recs[0]!.J + 1); // J(uniform) = −18.3, J* = −2
      expect(recs[recs.length - 1]!.samples).toBeGreaterThan(recs[1]!.samples);
      const b = l.run(mdp, SMOKE[l.name]!, { seed: 3 });
      expect(b.curve).toEqual(a.curve);
      expect(Array.from(b.policy.theta)).toEqual(Array.from(a.policy.theta));
      const c = l.run(mdp, SMOKE[l.name]!, { seed: 4 });
      expect(Array.from(c.policy.theta)).not.toEqual(Array.from(a.policy.theta));
    });
  }

  it('takes epochs × minibatches optimizer steps per update (PPO, V-MPO), epochs per batch (REINFORCE, A2C), one step (TRPO)', () => {
    const expected: Record<string, number> = { reinforce: 3, a2c: 2, trpo: 1, ppo: 3 * 4, vmpo: 2 * 4 };
    const hp: Record<string, Record<string, number>> = { reinforce: { epochs: 3 }, a2c: { epochs: 2 }, trpo: {}, ppo: { epochs: 3, minibatches: 4 }, vmpo: { epochs: 2, minibatches: 4 } };
    for (const l of LEARNERS) {
      const steps: number[] = [];
      const etas: number[] = [];
      l.run(mdp, { ...SMOKE[l.name]!, ...hp[l.name]!, updates: 2 }, { seed: 1, probe: (e) => { steps.push(e.update); if (e.scalars) etas.push(e.scalars.eta!, e.scalars.nu!); } });
      expect(steps.filter((u) => u === 0).length, l.name).toBe(expected[l.name]);
      expect(steps.filter((u) => u === 1).length, l.name).toBe(expected[l.name]);
      for (const x of etas) expect(x).toBeGreaterThanOrEqual(1e-8);
    }
  });

  it('rejects unknown, mistyped and out-of-range hyperparameters with LEARNER_OPTIONS naming the key', () => {
    const bad: [string, Record<string, unknown>, string][] = [
      ['ppo', { clip: -0.1 }, 'clip'], ['a2c', { lambda: 1.5 }, 'lambda'], ['trpo', { maxKl: 0 }, 'maxKl'],
      ['vmpo', { epochs: 2.5 }, 'epochs'], ['reinforce', { clip: 0.2 }, 'clip'], ['a2c', { normalizeAdvantages: 1 }, 'normalizeAdvantages'],
    ];
    for (const [algo, hp, key] of bad) {
      let err: unknown;
      try { LEARNERS.find((l) => l.name === algo)!.run(mdp, hp as Record<string, number>, { seed: 0 }); } catch (e) { err = e; }
      expect(isPgTruthError(err) && err.code === 'LEARNER_OPTIONS' && err.where === key).toBe(true);
    }
  });
});

describe('the integration claim', () => {
  it('every learner\'s first direction is bit-identical to the estimators\' on chain and gridworld-5x5 and from an MLP policy on chain; the control (no γ^t, λ − 0.05) is rejected on every instance', async () => {
    const checks = await learnerIntegrationClaim.run({ seed: 11, scale: 1 });
    expect(checks).toHaveLength(15);
    for (const c of checks) expect(c.passed, `${c.instance}: ${c.note}`).toBe(true);
    const control = await learnerIntegrationClaim.control.run({ seed: 11, scale: 1 });
    for (const c of control) expect(c.passed, `${c.instance}: ${c.note}`).toBe(false);
  });
});

describe('the segment rollout', () => {
  it('writes valid environment-major batches whose episodes continue across segments with the true s_tp1', () => {
    const mdp = builtinMDP('gridworld-4x4'), policy = uniformSoftmax(mdp);
    const r = new SegmentRollout(mdp, 3, 20, 7, 5);
    const b1 = r.collect(policy), b2 = r.collect(policy);
    for (const b of [b1, b2]) {
      validateBatch(b);
      expect(b.size).toBe(60);
      for (let e = 0; e < 3; e++) {
        const last = e * 20 + 19;
        expect(b.terminated_t[last]! + b.truncated_t[last]!).toBe(1);
        for (let k = 0; k < 19; k++) { const i = e * 20 + k; if (b.t_index[i]! >= 6) expect(b.terminated_t[i]! + b.truncated_t[i]!).toBe(1); } // time limit 7
      }
    }
    for (let e = 0; e < 3; e++) {
      const i = e * 20 + 19, j = e * 20;
      if (!b1.terminated_t[i] && b1.t_index[i]! < 6) { expect(b2.s_t[j]).toBe(b1.s_tp1[i]); expect(b2.t_index[j]).toBe(b1.t_index[i]! + 1); }
    }
  });

  it('uses the automatic time limit 200 for γ = 1 and ⌈4/(1 − γ)⌉ for γ < 1, or the one given', () => {
    expect(episodeTimeLimit(0, 1)).toBe(200);
    expect(episodeTimeLimit(0, 0.9)).toBe(40);
    expect(episodeTimeLimit(0, 0.99)).toBe(400);
    expect(episodeTimeLimit(0, 0.5)).toBe(8);
    expect(episodeTimeLimit(7, 0.9)).toBe(7);
  });

  it('cuts a shuffle into minibatches that partition the batch', () => {
    const parts = minibatchIndices(50, 4, Rng.from(1));
    const all = parts.flatMap((p) => Array.from(p)).sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(parts.map((p) => p.length)).toEqual([12, 13, 12, 13]);
  });
});

describe('no learner computes an estimator quantity of its own', () => {
  it('src/algorithms (with src/algorithms/deep) contains none of the patterns the before-stop hook greps for', () => {
    const dir = new URL('../../src/algorithms/', import.meta.url).pathname;
    const files = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
    expect(files).toContain(join('deep', 'ppo.ts'));
    for (const f of files) {
      const text = readFileSync(join(dir, f), 'utf8');
      for (const pattern of [/Math\.pow\(gamma/, /gamma \* lambda/, /Math\.exp\([^)]*logp/, /logp - logp/]) expect(pattern.test(text), `${f}: ${pattern}`).toBe(false);
    }
  });
});

describe('pgtruth train', () => {
  const run = async (...args: string[]) => {
    let out = '', err = '';
    const code = await main(args, (s) => { out += s; }, (s) => { err += s; });
    return { code, out, err };
  };

  it('--json prints one curve record per update and a summary; --out writes a policy that pgtruth exact reads to the same J', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgtruth-train-'));
    const file = join(dir, 'policy.json');
    const r = await run('train', 'builtin:short-corridor', '--algo', 'trpo', '--updates', '4', '--envs', '2', '--length', '16', '--seed', '2', '--json', '--out', file);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n').map((x) => JSON.parse(x));
    expect(lines).toHaveLength(6);
    expect(Object.keys(lines[1])).toEqual(expect.arrayContaining(['update', 'samples', 'J', 'gap', 'klExact', 'klK3', 'entropy']));
    const summary = lines[5].summary;
    expect(summary.updates).toBe(4);
    expect(summary.J).toBe(lines[4].J);
    const policy = JSON.parse(readFileSync(file, 'utf8'));
    expect(policy.kind).toBe('softmax');
    const ex = await run('exact', 'builtin:short-corridor', '--policy', file, '--json');
    expect(ex.code).toBe(0);
    expect(JSON.parse(ex.out).J).toBeCloseTo(summary.J, 10);
  });

  it('--html writes one self-contained page whose plots carry the run\'s curve (J against J*, KL, entropy); an empty file name is CLI_USAGE', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgtruth-train-'));
    const file = join(dir, 'curve.html');
    const r = await run('train', 'builtin:gridworld-4x4', '--algo', 'ppo', '--updates', '3', '--seed', '1', '--html', file);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`page → ${file}`);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('ppo on gridworld-4x4 (built-in), seed 1');
    expect((html.match(/<svg/g) ?? []).length).toBe(3);
    expect(html).not.toMatch(/<script|(src|href)="https?:/);
    const bad = await run('train', 'builtin:gridworld-4x4', '--algo', 'ppo', '--updates', '1', '--html', ' ');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/CLI_USAGE.*--html/);
  });

  it('prints a summary line by default', async () => {
    const r = await run('train', 'builtin:gridworld-4x4', '--algo', 'a2c', '--updates', '3', '--seed', '1');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^a2c on gridworld-4x4 \(built-in\), seed 1: J = .* J\* = -2 .*gap = .*updates 3 .*samples 768 .*wall/);
  });

  it('invalid options exit 2 with CLI_USAGE naming the option and value', async () => {
    const cases: [string[], RegExp][] = [
      [['--algo', 'sac'], /--algo "sac"/],
      [[], /needs --algo/],
      [['--algo', 'a2c', '--clip', '0.2'], /--clip is not a hyperparameter of a2c/],
      [['--algo', 'ppo', '--clip', 'wide'], /--clip "wide": expected a number/],
      [['--algo', 'ppo', '--lr-decay', 'yes'], /--lr-decay "yes": expected true or false/],
      [['--algo', 'ppo', '--epochs', '0'], /epochs is 0/],
      [['--algo', 'ppo', '--seed', '-3'], /--seed/],
      [['--algo', 'ppo', '--bogus', '1'], /bogus/],
    ];
    for (const [args, re] of cases) {
      const r = await run('train', 'builtin:short-corridor', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(/CLI_USAGE/);
      expect(r.err).toMatch(re);
    }
    const help = await run('train', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/--entropy-coef 0.1/);
    expect((await run('--help')).out).toMatch(/pgtruth train/);
  });
});
