// Python group-kind modules declare `objective` and `klPenalty` as TypeScript modules do
// (python/pgtruth_bridge.py, src/verify/python/estimators.ts; src/verify/group-kind.ts): the
// declarations reach the estimator object the claims read; on one sampled batch of the token
// MDP (responses of 1–3 tokens, so 1/|o| matters) the numpy examples compute exactly what their
// TypeScript twins compute — the per-sequence RLOO advantages, the k1 reward-to-go KL
// coefficients, and with K3 = True the k3 loss term's — and a torch klPenalty *loss* gives the
// same ∇L_KL as the coefficients (the sign convention); bad declarations are PLUGIN_INVALID
// naming them. Exact checks (no sampling statistics); the verdicts are examples/python's test.
// Needs /usr/bin/python3 with numpy and torch.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PgTruthError } from '../../src/errors.js';
import { sampleGroups } from '../../src/sampling/groups.js';
import { Rng } from '../../src/stats/rng.js';
import { referencePolicy, tokenInstance } from '../../src/verify/claims/group.js';
import { userKlPenaltyGradient, type GroupEstimator, type ReferenceGroupBatch } from '../../src/verify/group-kind.js';
import { policyView } from '../../src/verify/plugin.js';
import { PythonBridge } from '../../src/verify/python/bridge.js';
import { loadPythonEstimators } from '../../src/verify/python/estimators.js';
import rlooPerSequenceTs from '../../examples/estimators/rloo-per-sequence.js';
import k1Ts from '../../examples/estimators/grpo-kl-k1-reward.js';
import k3Ts from '../../examples/estimators/grpo-kl-k3-wrong-direction-bug.js';
import { rel } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'pgtruth-python-group-'));
const mod = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };
const examples = new URL('../../examples/python/', import.meta.url).pathname;
const open: PythonBridge[] = [];
afterAll(() => { for (const b of open) b.close(); });
const load = (path: string) => { const r = loadPythonEstimators(path); open.push(r.bridge); return r.estimators.map((e) => e.estimator as GroupEstimator); };

function caught(f: () => unknown): PgTruthError {
  try { f(); } catch (e) { expect(e).toBeInstanceOf(PgTruthError); return e as PgTruthError; }
  throw new Error('expected a PgTruthError');
}

/** The masked entries of a per-token array (padding is ignored by the kind). */
const masked = (b: ReferenceGroupBatch, x: ArrayLike<number>) => Float64Array.from(b.mask, (m, k) => (m ? x[k]! : 0));

describe('Python group modules: objective and klPenalty, as in TypeScript', () => {
  const x = tokenInstance(), ref = referencePolicy(x);
  const g = sampleGroups(x.mdp, x.policy, { prompts: 8, groupSize: 3, maxTokens: x.maxTokens }, Rng.from('python-group'));
  const logpRef_t = new Float64Array(g.mask.length);
  for (let k = 0; k < logpRef_t.length; k++) if (g.mask[k]) logpRef_t[k] = ref.param.logProb(ref.theta, g.s_t[k]!, g.a_t[k]!);
  const b: ReferenceGroupBatch = { ...g, logpRef_t }, view = policyView(x.policy);

  it('the declarations reach the estimator; the numpy examples equal their TypeScript twins on the same batch', () => {
    expect(new Set(b.lengths).size).toBeGreaterThan(1); // responses of different lengths: 1/|o| is not a constant
    const [perSeq] = load(join(examples, 'rloo_per_sequence.py'));
    expect(perSeq!.objective).toBe('length-normalized');
    expect(perSeq!.klPenalty).toBeUndefined();
    expect(rel(masked(b, perSeq!.estimate(b, view) as Float64Array), masked(b, rlooPerSequenceTs.estimate(b, view) as Float64Array))).toBeLessThan(1e-14);
    const [k1] = load(join(examples, 'rloo_kl_k1.py'));
    const src = readFileSync(join(examples, 'rloo_kl_k1.py'), 'utf8');
    const [k3] = load(mod('k3.py', src.replace('K3 = False', 'K3 = True')));
    expect(k1!.objective).toBeUndefined();
    const c1 = masked(b, k1!.klPenalty!(b, view) as Float64Array), c3 = masked(b, k3!.klPenalty!(b, view) as Float64Array);
    expect(rel(c1, masked(b, k1Ts.klPenalty!(b, view) as Float64Array))).toBeLessThan(1e-12);
    expect(rel(c3, masked(b, k3Ts.klPenalty!(b, view) as Float64Array))).toBeLessThan(1e-12);
    expect(rel(c3, c1)).toBeGreaterThan(1e-1); // the bug is another vector
    // estimate and klPenalty are two functions of one worker: the estimate is still RLOO's
    expect(rel(masked(b, k1!.estimate(b, view) as Float64Array), masked(b, k1Ts.estimate(b, view) as Float64Array))).toBeLessThan(1e-14);
  });

  it('a torch klPenalty loss gives the ∇L_KL the coefficients give (the kind reads −gradient of the estimate, +gradient of the KL term)', () => {
    const [lossKl] = load(mod('kl_loss.py', [
      'import torch',
      "PGTRUTH = {'kind': 'group', 'function': 'loss', 'loss': True, 'framework': 'torch', 'klPenalty': 'kl_loss'}",
      'def loss(batch, policy):',
      '    return -(policy.log_prob(batch.s_t, batch.a_t) * batch.mask).sum() * 0',
      'def kl_loss(batch, policy):',
      '    # L_KL = (1/N) Σ m c log π, c the k1 reward-to-go held fixed: ∇L_KL = (1/N) Σ m c ∇log π',
      '    m = batch.mask.double()',
      '    c = torch.flip(torch.cumsum(torch.flip((batch.logp_t - batch.logpRef_t) * m, [1]), 1), [1]) * m',
      '    return (c * policy.log_prob(batch.s_t, batch.a_t) * m).sum() / batch.mask.shape[0]',
      '',
    ].join('\n')));
    const [k1] = load(join(examples, 'rloo_kl_k1.py'));
    const fromLoss = userKlPenaltyGradient('kl_loss', lossKl!.klPenalty!(b, view), x.policy, b);
    const fromCoefficients = userKlPenaltyGradient('k1', k1!.klPenalty!(b, view), x.policy, b);
    expect(rel(fromLoss, fromCoefficients)).toBeLessThan(1e-12);
    expect(Math.hypot(...fromCoefficients)).toBeGreaterThan(1e-3);
  });

  it('bad declarations: PLUGIN_INVALID naming the key and the value', () => {
    const start = (name: string, decl: string) => caught(() => PythonBridge.start(mod(name, `PGTRUTH = {${decl}}\ndef f(b, p): return 0\nBETA = 3\n`)));
    const want: [string, string, RegExp][] = [
      ['obj.py', "'kind': 'group', 'function': 'f', 'objective': 'tokens'", /obj\.py: f has objective 'tokens': expected 'J' or 'length-normalized'/],
      ['objkind.py', "'kind': 'kl', 'function': 'f', 'objective': 'J'", /objkind\.py: f: objective is for the group kind, not kl/],
      ['klname.py', "'kind': 'group', 'function': 'f', 'klPenalty': 'kl'", /klname\.py: f has klPenalty 'kl', which the module does not define as a function/],
      ['klnum.py', "'kind': 'group', 'function': 'f', 'klPenalty': 3", /klnum\.py: f has klPenalty 3: expected a function of \(batch, policy\)/],
    ];
    for (const [file, decl, re] of want) {
      const e = start(file, decl);
      expect(e.code, file).toBe('PLUGIN_INVALID');
      expect(e.message).toMatch(re);
    }
  });
});
