// The MLP policy view of the Python bridge (python/pgtruth_bridge.py MlpPolicy, unflatten,
// flatten; src/verify/python/estimators.ts): on a batch, what a Python estimator computes from
// the view's data — w in pgtruth's layout, the widths, the activation, φ(s) — equals the
// TypeScript view's own score sum Σ_t c_t ∇_w log π_w(a_t|s_t) (src/verify/mlp-kind.ts
// mlpPolicyView: the categorical scores at the logits pulled back by one VJP) to rounding, for
// tanh, ReLU and swish networks, one-hot and given features; the shipped bug (no γ^t) is a
// different vector on the γ = 0.9 Garnet (the negative control); every bad output is a typed
// error naming the output and the value. Exact checks (no sampling statistics); one batch each.
// Needs /usr/bin/python3 with numpy and torch (Debian: python3-numpy, python3-torch).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PgTruthError } from '../../src/errors.js';
import { countEpisodes, discountWeights } from '../../src/estimators/score.js';
import { rewardToGo } from '../../src/estimators/returns.js';
import { logitPolicy, type MlpTabularPolicy } from '../../src/exact/neural.js';
import { Mlp, type ActivationName } from '../../src/policy/mlp.js';
import { sampleEpisodes, type Batch } from '../../src/sampling/index.js';
import { Rng } from '../../src/stats/rng.js';
import { discountedEpisodicGarnet } from '../../src/verify/claims/estimators.js';
import { mlpSampledInstances } from '../../src/verify/claims/mlp.js';
import { mlpPolicyView, type MlpPolicyGradientEstimator, type MlpPolicyView } from '../../src/verify/mlp-kind.js';
import { PythonBridge } from '../../src/verify/python/bridge.js';
import { loadPythonEstimators } from '../../src/verify/python/estimators.js';
import { rel } from '../helpers.js';
import type { FiniteMDP } from '../../src/mdp/index.js';

const dir = mkdtempSync(join(tmpdir(), 'pgtruth-python-mlp-'));
const mod = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };
const examples = new URL('../../examples/python/', import.meta.url).pathname;
const open: PythonBridge[] = [];
afterAll(() => { for (const b of open) b.close(); });
const load = (path: string) => { const r = loadPythonEstimators(path); open.push(r.bridge); return r.estimators.map((e) => e.estimator as unknown as MlpPolicyGradientEstimator); };

function caught(f: () => unknown): PgTruthError {
  try { f(); } catch (e) { expect(e).toBeInstanceOf(PgTruthError); return e as PgTruthError; }
  throw new Error('expected a PgTruthError');
}

/** A seeded network on `mdp` with given (dense, not one-hot) features φ(s) ∈ R^3. */
function denseNet(mdp: FiniteMDP, activation: ActivationName): MlpTabularPolicy {
  const r = Rng.from(`python-mlp/${activation}`), S = mdp.numStates, mlp = new Mlp([3, 5, 4, mdp.numActions], activation);
  return { mlp, numStates: S, theta: Float64Array.from({ length: mlp.numParams }, () => 0.8 * r.normal()), features: Float64Array.from({ length: 3 * S }, () => r.normal()) };
}

interface Case { label: string; gamma: number; view: MlpPolicyView; batch: Batch }
function cases(): Case[] {
  const nets: [string, FiniteMDP, MlpTabularPolicy, ActivationName][] = [
    ...mlpSampledInstances().map((x) => [`${x.label} (tanh, one-hot φ)`, x.mdp, x.policy, 'tanh'] as [string, FiniteMDP, MlpTabularPolicy, ActivationName]),
    ...(['relu', 'swish'] as const).map((a) => [`garnet γ=0.9 (${a}, dense φ)`, discountedEpisodicGarnet(), denseNet(discountedEpisodicGarnet(), a), a] as [string, FiniteMDP, MlpTabularPolicy, ActivationName]),
  ];
  return nets.map(([label, mdp, p, a], i) => ({ label, gamma: mdp.gamma, view: mlpPolicyView(p, a), batch: sampleEpisodes({ mdp, policy: logitPolicy(p) }, { episodes: 24, seed: 40 + i }) }));
}

/** c_t = γ^t G_t / E (REINFORCE, Lehmann 2024 Theorem 3.1), or G_t / E without γ^t (the bug). */
function coefficients(b: Batch, gamma: number, discount: boolean): Float64Array {
  const G = rewardToGo(b, gamma), w = discountWeights(b, gamma), E = countEpisodes(b);
  return Float64Array.from({ length: b.size }, (_, t) => ((discount ? w[t]! : 1) * G[t]!) / E);
}

// one torch import for every torch case: the example's function imported beside the others
const [torchOk, lossOk, layout, flatLoss] = load(mod('torch_cases.py', [
  'import sys',
  `sys.path.insert(0, ${JSON.stringify(examples)})`,
  'import numpy as np',
  'import torch',
  'from mlp_reinforce import reinforce',
  "PGTRUTH = [{'kind': 'policy-gradient', 'policy': 'mlp', 'function': 'reinforce'},",
  "           {'kind': 'policy-gradient', 'policy': 'mlp', 'function': 'loss', 'loss': True, 'framework': 'torch'},",
  "           {'kind': 'policy-gradient', 'policy': 'mlp', 'function': 'unflattened'},",
  "           {'kind': 'policy-gradient', 'policy': 'mlp', 'function': 'flat_loss', 'loss': True, 'framework': 'torch'}]",
  'ACT = {"tanh": torch.tanh, "relu": torch.relu, "swish": torch.nn.functional.silu}',
  'def loss(batch, policy, gamma):',
  '    # −Σ_t c_t log π_w(a_t|s_t) built on the leaf policy.weights through policy.layers(): −∇_w of it is REINFORCE',
  '    layers = policy.layers()',
  '    h = policy.features[batch.s_t]',
  '    for l, (W, b) in enumerate(layers):',
  '        h = torch.nn.functional.linear(h, W, b)',
  '        if l < len(layers) - 1:',
  '            h = ACT[policy.activation](h)',
  '    logp = torch.log_softmax(h, -1)[torch.arange(batch.size), batch.a_t]',
  '    G, out = 0.0, [0.0] * batch.size',
  '    for i in range(batch.size - 1, -1, -1):',
  '        G = float(batch.r_t[i]) + gamma * (0.0 if (batch.terminated_t[i] or batch.truncated_t[i]) else G)',
  '        out[i] = G',
  '    E = torch.unique(batch.episode_t).numel()',
  '    return -(torch.tensor(out, dtype=torch.float64) * gamma ** batch.t_index.double() * logp).sum() / E',
  'def unflattened(batch, policy, gamma):',
  '    # flatten(unflatten(w)) is w, and unflatten is the layout pgtruth documents: W_l row-major, then b_l',
  '    import pgtruth_bridge as pb',
  '    w = policy.weights',
  '    assert np.array_equal(pb.flatten(policy.layers()), w)',
  '    o, n = 0, policy.sizes',
  '    for l, (W, b) in enumerate(policy.layers()):',
  '        assert W.shape == (n[l + 1], n[l]) and b.shape == (n[l + 1],)',
  '        assert W[n[l + 1] - 1, 0] == w[o + (n[l + 1] - 1) * n[l]] and b[0] == w[o + n[l + 1] * n[l]]',
  '        o += n[l + 1] * (n[l] + 1)',
  '    assert o == policy.num_params == w.size',
  '    return w',
  'def flat_loss(batch, policy, gamma): return torch.tensor(1.0, dtype=torch.float64)',
  '',
].join('\n')));

describe('the MLP view: a Python estimator computes what the TypeScript view computes', () => {
  const xs = cases();
  const src = readFileSync(join(examples, 'mlp_reinforce_no_discount_bug.py'), 'utf8');
  const [numpyBug] = load(join(examples, 'mlp_reinforce_no_discount_bug.py'));
  const [numpyOk] = load(mod('numpy_ok.py', src.replace('DISCOUNT_SCORE = False', 'DISCOUNT_SCORE = True')));

  it('torch nn.Linear REINFORCE, numpy backprop and a torch loss equal the view\'s score sum with c_t = γ^t G_t / E (tanh, ReLU, swish)', () => {
    for (const x of xs) {
      const want = x.view.scoreSum(x.batch, coefficients(x.batch, x.gamma, true));
      for (const [name, e] of [['torch', torchOk], ['numpy', numpyOk], ['torch loss', lossOk]] as const) {
        expect(rel(e!.estimate(x.batch, x.view, x.gamma), want), `${name} on ${x.label}`).toBeLessThan(1e-12);
      }
      // the view hands over w itself, in pgtruth's layout, and flatten inverts unflatten
      expect(Array.from(layout!.estimate(x.batch, x.view, x.gamma))).toEqual(Array.from(x.view.weights));
    }
  });

  it('the shipped bug (no γ^t) equals the view\'s score sum with c_t = G_t / E, and differs from REINFORCE where γ < 1', () => {
    for (const x of xs) {
      const got = numpyBug!.estimate(x.batch, x.view, x.gamma);
      expect(rel(got, x.view.scoreSum(x.batch, coefficients(x.batch, x.gamma, false))), x.label).toBeLessThan(1e-12);
      if (x.gamma < 1) expect(rel(got, x.view.scoreSum(x.batch, coefficients(x.batch, x.gamma, true))), x.label).toBeGreaterThan(1e-2);
    }
  });
});

describe('the MLP view: bad outputs and declarations are typed errors naming the place and the value', () => {
  const [x] = cases();
  const P = x!.view.numParams;
  const bad = load(mod('bad_mlp.py', [
    'import numpy as np',
    "PGTRUTH = [{'kind': 'policy-gradient', 'policy': 'mlp', 'function': f} for f in ('short', 'column', 'nan', 'none', 'text')]",
    'def short(batch, policy, gamma): return np.zeros(policy.num_params - 1)',
    'def column(batch, policy, gamma): return np.zeros((policy.num_params, 1))',
    'def nan(batch, policy, gamma):',
    '    g = np.zeros(policy.num_params); g[7] = np.nan; return g',
    'def none(batch, policy, gamma): return None',
    "def text(batch, policy, gamma): return 'gradient'",
    '',
  ].join('\n')));
  const call = (i: number) => caught(() => bad[i]!.estimate(x!.batch, x!.view, x!.gamma));

  it('a gradient of the wrong length or shape, a NaN, None, a string, a loss without w: ESTIMATOR_INVALID', () => {
    const want: [number, RegExp][] = [
      [0, new RegExp(`short\\(batch, policy, gamma\\) gradient has shape \\(${P - 1},\\): expected \\(${P},\\)`)],
      [1, new RegExp(`column\\(batch, policy, gamma\\) gradient has shape \\(${P}, 1\\): expected \\(${P},\\)`)],
      [2, /nan\(batch, policy, gamma\) gradient\[7\] is nan \(1 non-finite entries\)/],
      [3, /none\(batch, policy, gamma\) gradient has dtype object/],
      [4, /text\(batch, policy, gamma\) gradient has dtype <U8/],
    ];
    for (const [i, re] of want) {
      const e = call(i);
      expect(e.code, re.source).toBe('ESTIMATOR_INVALID');
      expect(e.message).toMatch(re);
    }
    const e = caught(() => flatLoss!.estimate(x!.batch, x!.view, x!.gamma));
    expect(e.code).toBe('ESTIMATOR_INVALID');
    expect(e.message).toMatch(/flat_loss returned a loss that does not depend on policy\.weights/);
  });

  it('an MLP policy in the time-major layout, or on another kind: PLUGIN_POLICY naming the declaration', () => {
    const tm = caught(() => PythonBridge.start(mod('tm.py', "PGTRUTH = {'kind': 'policy-gradient', 'policy': 'mlp', 'function': 'f', 'layout': 'time-major'}\ndef f(b, p, g): return 0\n")));
    expect(tm.code).toBe('PLUGIN_POLICY');
    expect(tm.message).toMatch(/tm\.py: f: an mlp policy takes flat batches/);
    const adv = caught(() => PythonBridge.start(mod('adv.py', "PGTRUTH = {'kind': 'advantage', 'policy': 'mlp', 'function': 'f'}\ndef f(b, v, g, l): return 0\n")));
    expect(adv.code).toBe('PLUGIN_POLICY');
    expect(adv.message).toMatch(/declares policy 'mlp' on kind advantage/);
  });
});
