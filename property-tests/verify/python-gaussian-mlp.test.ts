// The MLP heads' view of the Python bridge (python/pgtruth_bridge.py GaussianMlpPolicy;
// src/verify/python/estimators.ts): on one batch of the contextual bandits of
// src/verify/gaussian-mlp-kind.ts, what a Python estimator computes from the view's data — w
// (the network in torch.nn.Linear's layout, then a state-independent log σ at log_std_offset),
// the widths, the activation, the head's layout — equals the TypeScript view's own
// Σ_t c_t ∇_w log π_w(u_t|x_t) (gaussianMlpPolicyView.scoreSum: one VJP of the network) to
// rounding, with c_t = γ^t ρ_t G_t / E and ρ_t from the view's log π (logProbs), at w_old and
// at a w ≠ w_old (ρ ≠ 1: the forward pass is checked too), for the state-independent Gaussian
// head and the state-dependent tanh head; the buggy example (the tanh Jacobian at the squashed
// value) equals the same sum with its own ρ and differs from the correct one (the negative
// control); a surrogate's loss and gradient from Python equal the view's; every bad output is a
// typed error naming the place. Exact checks (no sampling statistics); one batch each. The
// verdicts of `pgtruth check` on the two examples: examples/python/python.test.ts.
// Needs /usr/bin/python3 with numpy and torch (Debian: python3-numpy, python3-torch).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PgTruthError } from '../../src/errors.js';
import { logOneMinusTanhSq } from '../../src/policy/gaussian.js';
import { Rng } from '../../src/stats/rng.js';
import type { ContinuousBatch } from '../../src/verify/continuous-kind.js';
import { gaussianMlpCases, gaussianMlpPolicyView, type GaussianMlpPolicyGradientEstimator, type GaussianMlpPolicyView, type GaussianMlpSurrogateEstimator } from '../../src/verify/gaussian-mlp-kind.js';
import { PythonBridge } from '../../src/verify/python/bridge.js';
import { loadPythonEstimators } from '../../src/verify/python/estimators.js';
import { rel } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'pgtruth-python-gaussian-mlp-'));
const mod = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };
const examples = new URL('../../examples/python/', import.meta.url).pathname;
const open: PythonBridge[] = [];
afterAll(() => { for (const b of open) b.close(); });
const load = (path: string) => { const r = loadPythonEstimators(path); open.push(r.bridge); return r.estimators.map((e) => e.estimator); };

function caught(f: () => unknown): PgTruthError {
  try { f(); } catch (e) { expect(e).toBeInstanceOf(PgTruthError); return e as PgTruthError; }
  throw new Error('expected a PgTruthError');
}

// every Python estimator of the test in one worker: the examples' functions under both heads,
// a surrogate and the view's data
const [tanhOk, tanhBug, gaussOk, surrogate, data, gaussSurrogate] = load(mod('cases.py', [
  'import sys',
  `sys.path.insert(0, ${JSON.stringify(examples)})`,
  'import numpy as np',
  'import torch',
  'from tanh_gaussian_mlp import reinforce, log_prob',
  'from tanh_gaussian_mlp_jacobian_bug import reinforce as reinforce_bug',
  "PGTRUTH = [{'kind': 'policy-gradient', 'policy': 'tanh-gaussian-mlp', 'function': 'reinforce'},",
  "           {'kind': 'policy-gradient', 'policy': 'tanh-gaussian-mlp', 'function': 'reinforce_bug'},",
  "           {'kind': 'policy-gradient', 'policy': 'gaussian-mlp', 'function': 'reinforce', 'name': 'gauss'},",
  "           {'kind': 'surrogate', 'policy': 'tanh-gaussian-mlp', 'function': 'trpo'},",
  "           {'kind': 'policy-gradient', 'policy': 'gaussian-mlp', 'function': 'data'},",
  "           {'kind': 'surrogate', 'policy': 'gaussian-mlp', 'function': 'trpo', 'name': 'gauss-trpo'}]",
  'def trpo(batch, policy, advantages):',
  '    # the unclipped surrogate loss −(1/T) Σ ρ_t Â_t, differentiated by torch',
  '    w = torch.tensor(policy.weights, requires_grad=True)',
  '    rho = torch.exp(log_prob(policy, w, torch.from_numpy(batch.obs_t), torch.from_numpy(batch.a_cont_t)) - torch.from_numpy(batch.logp_t))',
  '    loss = -(rho * torch.from_numpy(advantages)).sum() / batch.size',
  '    (g,) = torch.autograd.grad(loss, w)',
  '    return float(loss), g.numpy()',
  'def data(batch, policy, gamma):',
  '    # the view: w (gamma 1), or [P_net, log σ offset or −1, d, k, state-dependent, tanh, first layer\'s W[0, 1], widths…] (gamma 2)',
  '    if gamma == 1:',
  '        return policy.weights',
  "    off = -1 if policy.log_std_offset is None else policy.log_std_offset",
  "    meta = [policy.num_net_params, off, policy.obs_dim, policy.action_dim, policy.log_std_mode == 'state-dependent', policy.family == 'tanh-gaussian', policy.layers()[0][0][0, 1], *policy.sizes]",
  '    return np.concatenate([meta, np.zeros(policy.num_params - len(meta))])',
  '',
].join('\n'))) as [GaussianMlpPolicyGradientEstimator, GaussianMlpPolicyGradientEstimator, GaussianMlpPolicyGradientEstimator, GaussianMlpSurrogateEstimator, GaussianMlpPolicyGradientEstimator, GaussianMlpSurrogateEstimator];

interface Case { label: string; view: GaussianMlpPolicyView; batch: ContinuousBatch; tanh: boolean }
function cases(): Case[] {
  return (['gaussian-mlp', 'tanh-gaussian-mlp'] as const).flatMap((policy) => {
    const [c] = gaussianMlpCases(policy), batch = c!.draw(Rng.from(`python-gaussian-mlp/${policy}`)).batch;
    const r = Rng.from(`python-gaussian-mlp/${policy}/moved`), moved = c!.theta.map((x) => x + 0.15 * r.normal());
    return [['w_old', c!.theta], ['w ≠ w_old', moved]].map(([where, w]) => ({ label: `${policy} at ${where as string}`, view: gaussianMlpPolicyView(c!.spec, w as Float64Array), batch, tanh: policy === 'tanh-gaussian-mlp' }));
  });
}

/** ρ_t from the view's log π, times exp(Σ_i [log(1 − tanh² u) − log(1 − tanh²(tanh u))]) for the bug. */
function ratios(x: Case, bug: boolean): Float64Array {
  const lp = x.view.logProbs(x.batch), k = x.batch.actionDim;
  return Float64Array.from(lp, (l, t) => {
    let extra = 0;
    if (bug) for (let i = 0; i < k; i++) { const u = x.batch.a_cont_t[t * k + i]!; extra += logOneMinusTanhSq(u) - logOneMinusTanhSq(Math.tanh(u)); }
    return Math.exp(l + extra - x.batch.logp_t[t]!);
  });
}

/** c_t = γ^t ρ_t G_t / E: one-step episodes (G_t = r_t, t = 0, E = T), checked. */
function coefficients(x: Case, rho: Float64Array): Float64Array {
  const b = x.batch;
  for (let t = 0; t < b.size; t++) expect(b.t_index[t] === 0 && (b.terminated_t[t]! | b.truncated_t[t]!) === 1).toBe(true);
  return Float64Array.from(rho, (p, t) => (p * b.r_t[t]!) / b.size);
}

describe('the MLP heads\' view: a Python estimator computes what the TypeScript view computes', () => {
  const xs = cases();

  it('the view hands over w in pgtruth\'s layout, the widths and the head\'s layout', () => {
    for (const x of [xs[1]!, xs[3]!]) {
      expect(Array.from(data.estimate(x.batch, x.view, 1)), x.label).toEqual(Array.from(x.view.theta));
      const w = x.view.theta, n = x.view.sizes, Pnet = n.slice(1).reduce((s, m, l) => s + m * (n[l]! + 1), 0);
      // W_0[0, 1] is w[1] (row-major n_1 × n_0); state-independent: log σ after the network (P = P_net + k), else n_L = 2k
      const meta = [Pnet, x.tanh ? -1 : Pnet, 2, 1, x.tanh ? 1 : 0, x.tanh ? 1 : 0, w[1]!, ...n];
      expect(Array.from(data.estimate(x.batch, x.view, 2).slice(0, meta.length)), x.label).toEqual(meta);
      expect(x.view.numParams).toBe(x.tanh ? Pnet : Pnet + 1);
      expect(n[n.length - 1]).toBe(x.tanh ? 2 : 1);
    }
  });

  it('torch REINFORCE (ρ-weighted) equals the view\'s score sum with c_t = ρ_t r_t / T, both heads, at w_old and w ≠ w_old', () => {
    for (const x of xs) {
      const want = x.view.scoreSum(x.batch, coefficients(x, ratios(x, false)));
      expect(rel((x.tanh ? tanhOk : gaussOk).estimate(x.batch, x.view, 1), want), x.label).toBeLessThan(1e-12);
    }
  });

  it('the buggy twin equals the sum with its own ρ (Jacobian at tanh(u)) and differs from the correct one', () => {
    for (const x of xs.filter((c) => c.tanh)) {
      const got = tanhBug.estimate(x.batch, x.view, 1);
      expect(rel(got, x.view.scoreSum(x.batch, coefficients(x, ratios(x, true)))), x.label).toBeLessThan(1e-12);
      expect(rel(got, x.view.scoreSum(x.batch, coefficients(x, ratios(x, false)))), x.label).toBeGreaterThan(1e-2);
    }
  });

  it('a surrogate (unclipped, torch) gives the loss −(1/T) Σ ρ_t Â_t and −(1/T) Σ ρ_t Â_t ∇log π', () => {
    for (const x of xs) {
      const A = Float64Array.from(x.batch.r_t, (r, t) => r - x.batch.v_t[t]!), rho = ratios(x, false), T = x.batch.size;
      const { loss, gradient } = (x.tanh ? surrogate : gaussSurrogate).estimate(x.batch, x.view, A);
      const want = x.view.scoreSum(x.batch, rho.map((p, t) => (-p * A[t]!) / T));
      expect(rel(gradient, want), x.label).toBeLessThan(1e-12);
      expect(Math.abs(loss + rho.reduce((s, p, t) => s + p * A[t]!, 0) / T), x.label).toBeLessThan(1e-12);
    }
  });
});

describe('the MLP heads\' view: bad outputs and declarations are typed errors naming the place and the value', () => {
  const x = cases()[2]!, P = x.view.numParams;
  const bad = load(mod('bad_heads.py', [
    'import numpy as np',
    "PGTRUTH = [{'kind': 'policy-gradient', 'policy': 'tanh-gaussian-mlp', 'function': f} for f in ('short', 'nan', 'none')] + [{'kind': 'surrogate', 'policy': 'tanh-gaussian-mlp', 'function': 'single'}]",
    'def short(batch, policy, gamma): return np.zeros(policy.num_params - 1)',
    'def nan(batch, policy, gamma):',
    '    g = np.zeros(policy.num_params); g[5] = np.nan; return g',
    'def none(batch, policy, gamma): return None',
    'def single(batch, policy, advantages): return np.zeros(policy.num_params)',
    '',
  ].join('\n'))) as GaussianMlpPolicyGradientEstimator[];

  it('a gradient of the wrong length, a NaN, None; a surrogate without its loss: ESTIMATOR_INVALID', () => {
    const want: [number, RegExp][] = [
      [0, new RegExp(`short\\(batch, policy, gamma\\) gradient has shape \\(${P - 1},\\): expected \\(${P},\\)`)],
      [1, /nan\(batch, policy, gamma\) gradient\[5\] is nan/],
      [2, /none\(batch, policy, gamma\) gradient has dtype object/],
    ];
    for (const [i, re] of want) {
      const e = caught(() => bad[i]!.estimate(x.batch, x.view, 1));
      expect(e.code, re.source).toBe('ESTIMATOR_INVALID');
      expect(e.message).toMatch(re);
    }
    const e = caught(() => (bad[3] as unknown as GaussianMlpSurrogateEstimator).estimate(x.batch, x.view, new Float64Array(x.batch.size)));
    expect(e.code).toBe('ESTIMATOR_INVALID');
    expect(e.message).toMatch(/single\(batch, policy, advantages\)/);
  });

  it('an MLP head with a loss to differentiate, or on another kind: PLUGIN_POLICY naming the declaration', () => {
    const loss = caught(() => PythonBridge.start(mod('loss.py', "PGTRUTH = {'kind': 'policy-gradient', 'policy': 'gaussian-mlp', 'function': 'f', 'loss': True, 'framework': 'torch'}\ndef f(b, p, g): return 0\n")));
    expect(loss.code).toBe('PLUGIN_POLICY');
    expect(loss.message).toMatch(/loss\.py: f: a gaussian-mlp policy takes flat batches and returns the gradient/);
    const adv = caught(() => PythonBridge.start(mod('adv.py', "PGTRUTH = {'kind': 'advantage', 'policy': 'tanh-gaussian-mlp', 'function': 'f'}\ndef f(b, v, g, l): return 0\n")));
    expect(adv.code).toBe('PLUGIN_POLICY');
    expect(adv.message).toMatch(/declares policy 'tanh-gaussian-mlp' on kind advantage/);
  });
});
