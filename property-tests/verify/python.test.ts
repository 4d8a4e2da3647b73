// The Python bridge (src/verify/python, python/pgtruth_bridge.py): what a Python estimator
// computes on a batch is what the same formula computes in TypeScript, through both the
// inline pipe and the shared-memory file and in both layouts; and every user-code failure is
// a clear typed error. Needs /usr/bin/python3 with numpy and torch (Debian: python3-numpy,
// python3-torch).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PgTruthError } from '../../src/errors.js';
import { evaluatePolicy } from '../../src/exact/index.js';
import { gae, ppoClipSurrogate, reinforceRewardToGo } from '../../src/estimators/index.js';
import { shortCorridor, suttonBartoGridworld5x5 } from '../../src/mdp/index.js';
import { softmaxPolicy } from '../../src/policy/index.js';
import { sampleEpisodes, SegmentCollector, type Batch } from '../../src/sampling/index.js';
import { Rng } from '../../src/stats/rng.js';
import { checkModule } from '../../src/verify/check.js';
import { UserSandbox } from '../../src/verify/sandbox.js';
import { checkVerdict } from '../../src/report/check-table.js';
import { policyView, type AdvantageEstimator, type PolicyGradientEstimator, type SurrogateEstimator } from '../../src/verify/plugin.js';
import { PythonBridge, INLINE_LIMIT } from '../../src/verify/python/bridge.js';
import { loadPythonEstimators } from '../../src/verify/python/estimators.js';
import { rel } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'pgtruth-python-'));
const mod = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };
const examples = new URL('../../examples/python/', import.meta.url).pathname;
const root = new URL('../../', import.meta.url).pathname;
const open: PythonBridge[] = [];
afterAll(() => { for (const b of open) b.close(); });
const load = (path: string, opts = {}) => { const r = loadPythonEstimators(path, opts); open.push(r.bridge); return r.estimators; };

/** A gridworld with a softmax policy, its V^π, a segment batch (truncations at the cuts) and an episode batch. */
function fixtures() {
  const mdp = suttonBartoGridworld5x5();
  const r = Rng.from('python-test');
  const policy = { param: softmaxPolicy(mdp.numStates, mdp.numActions), theta: Float64Array.from({ length: mdp.numStates * mdp.numActions }, () => r.normal()) };
  const V = evaluatePolicy(mdp, policy.param.probs(policy.theta)).V;
  const segments = (envs: number, length: number) => new SegmentCollector({ mdp, policy }, { envs, length, seed: 'python-test', maxSteps: 20 }).next();
  return { mdp, policy, V, segments };
}

function caught(f: () => unknown): PgTruthError {
  try { f(); } catch (e) { expect(e).toBeInstanceOf(PgTruthError); return e as PgTruthError; }
  throw new Error('expected a PgTruthError');
}

describe('the bridge computes what TypeScript computes', () => {
  const { V, segments } = fixtures();
  it('numpy GAE on [T, N] equals src/estimators gae on segments and on episodes, inline and through /dev/shm; the truncation bug does not', () => {
    const [ok] = load(join(examples, 'gae.py'));
    const [bug] = load(join(examples, 'gae_truncation_bug.py'));
    const corridor = shortCorridor();
    const cp = { param: softmaxPolicy(corridor.numStates, corridor.numActions), theta: Float64Array.of(0.3, -0.2, 0.1, 0.4, -0.5, 0.2, 0, 0) };
    const episodes = sampleEpisodes({ mdp: corridor, policy: cp }, { episodes: 23, seed: 5 });
    const Vc = evaluatePolicy(corridor, cp.param.probs(cp.theta)).V;
    for (const [batch, values, gamma, lambda] of [[segments(8, 32), V, 0.9, 0.95], [segments(64, 600), V, 0.99, 0.5], [episodes, Vc, 1, 0.8]] as [Batch, Float64Array, number, number][]) {
      const want = gae(batch, values, gamma, lambda);
      const got = (ok!.estimator as AdvantageEstimator).estimate(batch, values, gamma, lambda);
      expect(rel(got.advantages, want)).toBeLessThan(1e-12);
      expect(rel(got.targets, want.map((a, i) => a + values[batch.s_t[i]!]!))).toBeLessThan(1e-12);
      // negative control: the bug differs where a segment was cut (there are truncations in the segment batches)
      const wrong = (bug!.estimator as AdvantageEstimator).estimate(batch, values, gamma, lambda).advantages;
      if (batch.truncated_t.some((x) => x === 1)) expect(rel(wrong, want)).toBeGreaterThan(1e-3);
    }
    expect(segments(64, 600).size * 38).toBeGreaterThan(INLINE_LIMIT); // the second case went through the shared-memory file
  });

  it('every Batch column arrives exactly, in the flat layout', () => {
    const [echo] = load(mod('columns.py', [
      "PGTRUTH = {'kind': 'advantage', 'function': 'columns'}",
      'def columns(batch, values, gamma, lam):',
      '    a = batch.s_t * 1e6 + batch.a_t * 1e4 + batch.s_tp1 * 10 + batch.terminated_t * 2 + batch.truncated_t * 4 + gamma + lam',
      '    return a, batch.r_t + batch.logp_t * 3 + batch.t_index * 1e-3 + batch.episode_t + values[batch.s_t] + batch.gamma',
      '',
    ].join('\n')));
    const b = segments(16, 50);
    const r = (echo!.estimator as AdvantageEstimator).estimate(b, V, 0.25, 0.5);
    for (let i = 0; i < b.size; i++) {
      expect(r.advantages[i]).toBe(b.s_t[i]! * 1e6 + b.a_t[i]! * 1e4 + b.s_tp1[i]! * 10 + b.terminated_t[i]! * 2 + b.truncated_t[i]! * 4 + 0.25 + 0.5);
      expect(r.targets[i]).toBe(b.r_t[i]! + b.logp_t[i]! * 3 + b.t_index[i]! * 1e-3 + b.episode_t[i]! + V[b.s_t[i]!]! + b.gamma);
    }
  });

  it('numpy REINFORCE equals reinforceRewardToGo; torch PPO\'s autograd gradient equals ppoClipSurrogate\'s at θ ≠ θ_old', () => {
    const corridor = shortCorridor();
    const policy = { param: softmaxPolicy(corridor.numStates, corridor.numActions), theta: Float64Array.of(0.3, -0.2, 0.1, 0.4, -0.5, 0.2, 0, 0) };
    const batch = sampleEpisodes({ mdp: corridor, policy }, { episodes: 64, seed: 9 });
    const [pg] = load(join(examples, 'reinforce.py'));
    const g = (pg!.estimator as PolicyGradientEstimator).estimate(batch, policyView(policy), corridor.gamma);
    expect(rel(g, reinforceRewardToGo(batch, policy, corridor.gamma))).toBeLessThan(1e-12);
    const moved = { param: policy.param, theta: policy.theta.map((t, i) => t + 0.4 * Math.sin(3 * i + 1)) };
    const adv = Float64Array.from({ length: batch.size }, (_, i) => Math.cos(i));
    const want = ppoClipSurrogate(batch, moved, corridor.gamma, adv, 0.2);
    const [ok, bug, vec, flat, pgLoss, pgTN, ppoTN] = torchCases();
    // the same two in Gymnasium's [T, N] layout (episodes packed into columns, padding masked)
    expect(rel((pgTN!.estimator as PolicyGradientEstimator).estimate(batch, policyView(policy), corridor.gamma), reinforceRewardToGo(batch, policy, corridor.gamma))).toBeLessThan(1e-12);
    const tn = (ppoTN!.estimator as SurrogateEstimator).estimate(batch, policyView(moved), adv);
    expect(rel(tn.gradient, want.gradient)).toBeLessThan(1e-10);
    expect(Math.abs(tn.loss - want.loss)).toBeLessThan(1e-10 * Math.max(1, Math.abs(want.loss)));
    // a REINFORCE loss: −∇ of it is the estimate
    expect(rel((pgLoss!.estimator as PolicyGradientEstimator).estimate(batch, policyView(policy), corridor.gamma), reinforceRewardToGo(batch, policy, corridor.gamma))).toBeLessThan(1e-12);
    const r = (ok!.estimator as SurrogateEstimator).estimate(batch, policyView(moved), adv);
    expect(rel(r.gradient, want.gradient)).toBeLessThan(1e-10);
    expect(Math.abs(r.loss - want.loss)).toBeLessThan(1e-10 * Math.max(1, Math.abs(want.loss)));
    // negative control: the catalogue's bug differs
    expect(rel((bug!.estimator as SurrogateEstimator).estimate(batch, policyView(moved), adv).gradient, want.gradient)).toBeGreaterThan(1e-2);
    // a torch loss that is not a scalar, or does not depend on θ: ESTIMATOR_INVALID saying so
    expect(caught(() => (vec!.estimator as SurrogateEstimator).estimate(batch, policyView(policy), adv)).message).toMatch(/\[ESTIMATOR_INVALID\] vec returned a loss of shape \(\d+,\): expected a scalar tensor/);
    expect(caught(() => (flat!.estimator as SurrogateEstimator).estimate(batch, policyView(policy), adv)).message).toMatch(/const returned a loss that does not depend on policy\.logits/);
  });
});

/** The torch cases in one module (one torch import): the two PPO examples, a vector "loss", a loss without θ. */
function torchCases() {
  return load(mod('torch_cases.py', [
    `import sys; sys.path.insert(0, ${JSON.stringify(examples)})`,
    'import torch',
    'from ppo import ppo_loss as ppo_ok',
    'from ppo_min_bug import ppo_loss as ppo_bug',
    'def vec(batch, policy, advantages):',
    '    return policy.log_prob(batch.s_t, batch.a_t)',
    'def const(batch, policy, advantages):',
    '    return advantages.sum()',
    'def reinforce_loss(batch, policy, gamma):',
    '    r, ended = batch.r_t.tolist(), (batch.terminated_t | batch.truncated_t).tolist()',
    '    G, g = [0.0] * len(r), 0.0',
    '    for i in reversed(range(len(r))):',
    '        g = r[i] + gamma * (0.0 if ended[i] else g)',
    '        G[i] = g',
    '    w = torch.tensor(G, dtype=torch.float64) * gamma ** batch.t_index.double() / torch.unique(batch.episode_t).numel()',
    '    return -(w * policy.log_prob(batch.s_t, batch.a_t)).sum()',
    'import numpy as np',
    'def reinforce_tn(batch, policy, gamma):',
    '    ended = (batch.terminated_t | batch.truncated_t).astype(bool)',
    '    G, g = np.zeros_like(batch.r_t), np.zeros(batch.r_t.shape[1])',
    '    for t in reversed(range(batch.r_t.shape[0])):',
    '        g = batch.r_t[t] + gamma * np.where(ended[t], 0.0, g)',
    '        G[t] = g',
    '    episodes = np.unique(batch.episode_t[batch.mask == 1]).size',
    '    return policy.add_score(batch.s_t, batch.a_t, gamma ** batch.t_index * G / episodes, np.zeros((policy.num_states, policy.num_actions)))',
    'def ppo_tn(batch, policy, advantages):',
    '    assert batch.r_t.ndim == 2 and advantages.shape == batch.r_t.shape',
    '    ratio = torch.exp(policy.log_prob(batch.s_t, batch.a_t) - batch.logp_t)',
    '    surrogate = torch.min(ratio * advantages, torch.clamp(ratio, 0.8, 1.2) * advantages)',
    '    episodes = torch.unique(batch.episode_t[batch.mask == 1]).numel()',
    '    return -(batch.gamma ** batch.t_index.double() * surrogate).sum() / episodes',
    "PGTRUTH = [{'kind': 'surrogate', 'function': f, 'loss': True, 'clip': 0.2} for f in ('ppo_ok', 'ppo_bug')] + [{'kind': 'surrogate', 'name': f, 'function': f, 'loss': True} for f in ('vec', 'const')] + [{'kind': 'policy-gradient', 'function': 'reinforce_loss', 'loss': True}, {'kind': 'policy-gradient', 'function': 'reinforce_tn', 'layout': 'time-major'}, {'kind': 'surrogate', 'function': 'ppo_tn', 'loss': True, 'clip': 0.2, 'layout': 'time-major'}]",
    '',
  ].join('\n')));
}

describe('user-code failures are clear typed errors', () => {
  const { V, segments } = fixtures();
  const b = segments(4, 10);
  const adv = (file: string, body: string, opts = {}) => load(mod(file, `import numpy as np, time\nPGTRUTH = {'kind': 'advantage', 'function': 'f'}\ndef f(batch, values, gamma, lam):\n${body}\n`), opts)[0]!.estimator as AdvantageEstimator;

  it('an exception: PYTHON_ERROR with the Python traceback naming the user\'s file and line', () => {
    const e = caught(() => adv('raises.py', '    x = 1\n    raise ValueError("lambda too large")').estimate(b, V, 0.9, 0.5));
    expect(e.code).toBe('PYTHON_ERROR');
    expect(e.message).toMatch(/ValueError: lambda too large/);
    expect(e.message).toMatch(/Traceback[\s\S]*raises\.py", line 5, in f/);
  });
  it('a wrong shape, a wrong dtype, a NaN, a missing output: ESTIMATOR_INVALID naming the output and the value', () => {
    expect(caught(() => adv('shape.py', '    return np.zeros(3), np.zeros(batch.size)').estimate(b, V, 0.9, 0.5)).message).toMatch(/\[ESTIMATOR_INVALID\] f\(…\) advantages has shape \(3,\): expected \(40,\)/);
    expect(caught(() => adv('dtype.py', '    return np.array(["a"] * batch.size), np.zeros(batch.size)').estimate(b, V, 0.9, 0.5)).message).toMatch(/\[ESTIMATOR_INVALID\].*advantages has dtype <U1: expected real numbers/);
    expect(caught(() => adv('nan.py', '    a = np.zeros(batch.size); a[7] = np.nan\n    return a, a').estimate(b, V, 0.9, 0.5)).message).toMatch(/\[ESTIMATOR_INVALID\] f\(…\) advantages\[7\] is nan/);
    expect(caught(() => adv('one.py', '    return np.zeros(batch.size)').estimate(b, V, 0.9, 0.5)).message).toMatch(/\[ESTIMATOR_INVALID\].*returned ndarray: expected \(advantages, targets\)/);
  });
  it('a hang — in Python or in C holding the GIL — is PYTHON_TIMEOUT after the time limit, and the worker is killed', () => {
    for (const [file, body] of [['sleep.py', '    time.sleep(60)'], ['spin.py', '    return sum(range(10 ** 12))']]) {
      const f = adv(file, body, { timeout: 1 });
      const t0 = performance.now();
      const e = caught(() => f.estimate(b, V, 0.9, 0.5));
      expect(e.code).toBe('PYTHON_TIMEOUT');
      expect(e.message).toMatch(/f\(batch, values, gamma, lam\) did not return within the time limit of 1 s/);
      expect(performance.now() - t0).toBeLessThan(10_000);
      expect(caught(() => f.estimate(b, V, 0.9, 0.5)).code).toBe('PYTHON_TIMEOUT'); // and stays failed
    }
  });
  it('the interpreter missing or not Python, numpy missing, torch missing, jax missing: PYTHON_UNAVAILABLE saying what to install', () => {
    const gaePy = join(examples, 'gae.py');
    expect(caught(() => PythonBridge.start(gaePy, { python: '/nonexistent/python3' })).message).toMatch(/\[PYTHON_UNAVAILABLE\] the Python interpreter "\/nonexistent\/python3" does not exist/);
    expect(caught(() => PythonBridge.start(gaePy, { python: 'no-such-python-here' })).message).toMatch(/is not on the PATH/);
    expect(caught(() => PythonBridge.start(gaePy, { python: '/bin/true' })).message).toMatch(/\[PYTHON_UNAVAILABLE\] \/bin\/true did not start the Python bridge \(it exited/);
    // an interpreter without numpy: Debian's python3 without its site directories (-S)
    const noSite = join(dir, 'python-no-site');
    writeFileSync(noSite, '#!/bin/sh\nexec /usr/bin/python3 -S "$@"\n');
    chmodSync(noSite, 0o755);
    expect(caught(() => PythonBridge.start(gaePy, { python: noSite })).message).toMatch(/\[PYTHON_UNAVAILABLE\] .* cannot import numpy .*python3-numpy/);
    // an interpreter where torch cannot be imported: a torch package that raises what a missing one raises, first on the path
    mkdirSync(join(dir, 'hide', 'torch'), { recursive: true });
    writeFileSync(join(dir, 'hide', 'torch', '__init__.py'), 'raise ModuleNotFoundError("No module named \'torch\'", name="torch")\n');
    const noTorch = join(dir, 'python-no-torch');
    writeFileSync(noTorch, `#!/bin/sh\nPYTHONPATH=${join(dir, 'hide')} exec /usr/bin/python3 "$@"\n`);
    chmodSync(noTorch, 0o755);
    const e = caught(() => PythonBridge.start(join(examples, 'ppo.py'), { python: noTorch }));
    expect(e.code).toBe('PYTHON_UNAVAILABLE');
    expect(e.message).toMatch(/ppo\.py uses torch, which .* cannot import .*python3-torch/);
    // jax is not installed here: a module importing it, and one declaring it
    expect(caught(() => PythonBridge.start(mod('jaxloss.py', "import jax\nPGTRUTH = {'kind': 'surrogate', 'function': 'f', 'loss': True}\ndef f(batch, policy, advantages):\n    return -(policy.log_prob(batch.s_t, batch.a_t) * advantages).sum()\n"))).message).toMatch(/\[PYTHON_UNAVAILABLE\] .*jaxloss\.py uses jax, which .* cannot import/);
    expect(caught(() => PythonBridge.start(mod('jaxdecl.py', "PGTRUTH = {'kind': 'surrogate', 'function': 'f', 'loss': True, 'framework': 'jax'}\ndef f(batch, policy, advantages):\n    return 0\n"))).message).toMatch(/\[PYTHON_UNAVAILABLE\] .*uses jax/);
  });
  it('modules that declare nothing, or declare wrongly, or do not import: PLUGIN_INVALID naming the module and the declaration', () => {
    expect(caught(() => PythonBridge.start(mod('none.py', 'def f(): pass\n'))).message).toMatch(/\[PLUGIN_INVALID\] .*none\.py declares no estimator: define PGTRUTH/);
    expect(caught(() => PythonBridge.start(mod('kind.py', "PGTRUTH = {'kind': 'value', 'function': 'f'}\ndef f(): pass\n"))).message).toMatch(/kind\.py: f has kind 'value': expected one of policy-gradient, advantage, kl, surrogate/);
    expect(caught(() => PythonBridge.start(mod('nofn.py', "PGTRUTH = {'kind': 'kl', 'function': 'g'}\n"))).message).toMatch(/PGTRUTH\[0\] names function 'g', which the module does not define/);
    expect(caught(() => PythonBridge.start(mod('two.py', "PGTRUTH = {'kind': 'kl', 'function': 'f'}\ndef f(x): return x\ndef g(x): return x\n") + ':g')).message).toMatch(/two\.py:g is not declared/);
    expect(caught(() => PythonBridge.start(mod('syntax.py', 'def f(:\n'))).message).toMatch(/\[PLUGIN_INVALID\] cannot import .*syntax\.py:[\s\S]*SyntaxError/);
    expect(caught(() => PythonBridge.start(mod('both.py', "PGTRUTH = {'kind': 'surrogate', 'function': 'f', 'loss': True}\ndef f(b, p, a): return 0\n"))).message).toMatch(/returns a loss to differentiate, and the module imports neither torch nor jax: declare "framework"/);
    expect(caught(() => PythonBridge.start(mod('tm.py', "PGTRUTH = {'kind': 'kl', 'function': 'f', 'layout': 'time-major'}\ndef f(x): return x\n"))).message).toMatch(/layout "time-major" \(\[T, N\]\) is for batches of transitions; a kl estimator takes a flat array/);
  });
});

describe('pgtruth check on Python modules: the verdicts, the exit codes and the pytest helper', () => {
  it('a Python KL estimator gets the same claims and verdicts as a TypeScript one (correct: pass; k3 bug: fail)', async () => {
    // one declared in PGTRUTH, one with the decorator of the shipped file
    const k3 = mod('k3.py', "import numpy as np\nimport pgtruth_bridge\nPGTRUTH = [{'kind': 'kl', 'name': 'k3', 'function': 'k3'}]\ndef k3(log_ratio):\n    return np.expm1(log_ratio) - log_ratio\n@pgtruth_bridge.estimator(kind='kl', name='k3-bug')\ndef k3_bug(log_ratio):\n    r = np.exp(log_ratio)\n    return np.expm1(r) - r\n");
    const { estimators, results } = await checkModule(k3, { samples: 20_000, workers: 0 });
    expect(estimators.map((e) => [e.name, e.key, e.estimator.kind])).toEqual([['k3', 'k3', 'kl'], ['k3-bug', 'k3_bug', 'kl']]);
    expect(results.map((r) => r.verdict)).toEqual(['pass', 'fail']);
  });
  it('an exception inside a check is an ERROR verdict with the traceback (exit 1); a module that cannot load exits 2 with one line', () => {
    const raises = mod('pg_raises.py', "PGTRUTH = {'kind': 'policy-gradient', 'function': 'f'}\ndef f(batch, policy, gamma):\n    raise RuntimeError('boom')\n");
    const r = spawnSync(process.execPath, ['bin/pgtruth.js', 'check', raises, '--samples', '3200', '--json'], { cwd: root, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as { passed: boolean; claims: { verdict: string; error: string }[] };
    expect(report.passed).toBe(false);
    expect(report.claims[0]!.verdict).toBe('error');
    expect(report.claims[0]!.error).toMatch(/\[PYTHON_ERROR\] f\(batch, policy, gamma\) raised RuntimeError: boom[\s\S]*pg_raises\.py", line 3, in f/);
    const bad = spawnSync(process.execPath, ['bin/pgtruth.js', 'check', mod('bad.py', 'x = 1\n')], { cwd: root, encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^pgtruth: \[PLUGIN_INVALID\] .*bad\.py declares no estimator/);
    const missing = spawnSync(process.execPath, ['bin/pgtruth.js', 'check', join(dir, 'absent.py'), '--python', '/usr/bin/python3', '--timeout', '5'], { cwd: root, encoding: 'utf8' });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/\[FILE_NOT_FOUND\] cannot read .*absent\.py/);
    const t = spawnSync(process.execPath, ['bin/pgtruth.js', 'check', raises, '--timeout', 'soon'], { cwd: root, encoding: 'utf8' });
    expect(t.status).toBe(2);
    expect(t.stderr).toMatch(/\[CLI_USAGE\] --timeout must be a number of seconds in \(0, 1e6\], got "soon"/);
  });
  it('assert_check_passes (pytest): returns the report when every claim passes, raises AssertionError with the verdicts otherwise', () => {
    const kl = mod('kl_ok.py', "import numpy as np\nPGTRUTH = {'kind': 'kl', 'name': 'k1', 'function': 'k1'}\ndef k1(log_ratio):\n    return -log_ratio\n");
    const klBad = mod('kl_bad.py', "import numpy as np\nPGTRUTH = {'kind': 'kl', 'name': 'k1-bug', 'function': 'k1'}\ndef k1(log_ratio):\n    return log_ratio\n");
    const script = [
      'import sys', `sys.path.insert(0, ${JSON.stringify(join(root, 'python'))})`, 'from pgtruth_bridge import assert_check_passes',
      `report = assert_check_passes(${JSON.stringify(kl)}, '--samples', '20000')`, "print('PASSED', report['passed'])",
      'try:', `    assert_check_passes(${JSON.stringify(klBad)}, '--samples', '20000')`, 'except AssertionError as e:', "    print('RAISED', e)",
    ].join('\n');
    const r = spawnSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('PASSED True');
    expect(r.stdout).toMatch(/RAISED pgtruth check .*kl_bad\.py: 1 claim\(s\) did not pass \(exit 1\):\nFAIL check\.k1-bug\.unbiased: q = N\(0,1\), p = N\(0\.1,1\): k1-bug \(\|z\| = /);
  });
});

describe('Python modules through the sandbox: declared data, the critic claim, the group kind, the one time limit', () => {
  // the 3-step advantage of examples/estimators/nstep.ts, vectorized over the batch in numpy
  const nstep = (definition: string) => mod(`nstep_${definition ? 'declared' : 'plain'}.py`, [
    'import numpy as np',
    `PGTRUTH = {'kind': 'advantage', 'name': 'py-nstep-3', 'function': 'nstep'${definition}}`,
    'def nstep(batch, values, gamma, lam):',
    '    n, r, s_tp1 = batch.size, batch.r_t, batch.s_tp1',
    '    term, trunc = batch.terminated_t.astype(bool), batch.truncated_t.astype(bool)',
    '    g, w, alive, j = np.zeros(n), np.ones(n), np.ones(n, bool), np.arange(n)',
    '    for k in range(3):',
    '        g += np.where(alive, w * r[j], 0.0)',
    '        w = w * gamma',
    '        g += np.where(alive & ~term[j] & (trunc[j] | (k == 2)), w * values[s_tp1[j]], 0.0)',
    '        alive &= ~term[j] & ~trunc[j]',
    '        j = np.minimum(j + 1, n - 1)',
    '    adv = g - values[batch.s_t]',
    '    return adv, adv + values[batch.s_t]',
    '',
  ].join('\n'));
  // at a resolution of 20% (a sixteenth of the default sample sizes): the default 5% run takes 77 s here
  it('a declared definition reaches the critic claim: a 3-step advantage declared as such passes both claims; undeclared (GAE assumed), the critic claim fails', async () => {
    const ok = await checkModule(nstep(", 'definition': {'nStep': 3}"), { resolution: 0.2, seed: 3 });
    expect(ok.results.map((r) => [r.id, r.verdict])).toEqual([['check.py-nstep-3.unbiased', 'pass'], ['check.py-nstep-3.critics', 'pass']]);
    expect(ok.results[1]!.control.rejected).toBe(ok.results[1]!.control.checks.length);
    // undeclared: the critic claim rejects GAE's mean outright (a rejection needs no resolution, so a small budget will do)
    const bad = await checkModule(nstep(''), { resolution: 0.2, budget: 5, seed: 3 });
    const critics = bad.results.find((r) => r.id === 'check.py-nstep-3.critics')!;
    expect(critics.verdict).toBe('fail');
    expect(critics.checks.some((c) => !c.passed && c.discrepancy > c.tolerance)).toBe(true);
  }, 180_000);
  it('the group kind: a PyTorch Dr. GRPO loss declaring scale 1 − 1/G passes; the same without scale fails', async () => {
    const drgrpo = (scale: string) => mod(`drgrpo_${scale ? 'scaled' : 'plain'}.py`, [
      'import torch',
      `PGTRUTH = {'kind': 'group', 'name': 'torch-dr-grpo', 'function': 'loss', 'loss': True${scale}}`,
      'def loss(batch, policy):',
      '    r = batch.rewards.reshape(-1, batch.group_size)',
      '    a = (r - r.mean(dim=1, keepdim=True)).reshape(-1)',
      '    logp = policy.log_prob(batch.s_t, batch.a_t) * batch.mask.double()',
      '    return -(logp.sum(dim=1) * a).mean()',
      '',
    ].join('\n'));
    const ok = await checkModule(drgrpo(", 'scale': lambda G: 1 - 1 / G"), { samples: 64_000, seed: 4 });
    expect(ok.results.map((r) => r.verdict)).toEqual(['pass']);
    expect(ok.results[0]!.checks[0]!.stats!.relativeTo!.name).toBe('‖0.75·∇J‖₂');
    const bad = await checkModule(drgrpo(''), { samples: 64_000, seed: 4 });
    expect(bad.results.map((r) => r.verdict)).toEqual(['fail']);
  }, 120_000);
  it('bad declarations of definition and scale: PLUGIN_INVALID naming them', () => {
    expect(caught(() => PythonBridge.start(mod('def_bad.py', "PGTRUTH = {'kind': 'advantage', 'function': 'f', 'definition': 'td'}\ndef f(b, v, g, l): pass\n"))).message).toMatch(/\[PLUGIN_INVALID\] .*f has definition 'td': expected 'gae', 'lambda-return' or \{'nStep': n\}/);
    expect(caught(() => PythonBridge.start(mod('def_kind.py', "PGTRUTH = {'kind': 'kl', 'function': 'f', 'definition': 'gae'}\ndef f(x): return x\n"))).message).toMatch(/definition is for the advantage kind, not kl/);
    expect(caught(() => PythonBridge.start(mod('scale_num.py', "PGTRUTH = {'kind': 'group', 'function': 'f', 'scale': 0.5}\ndef f(b, p): pass\n"))).message).toMatch(/f has scale 0\.5: expected a function of the group size G/);
    expect(caught(() => PythonBridge.start(mod('scale_nan.py', "PGTRUTH = {'kind': 'group', 'function': 'f', 'scale': lambda G: float('nan')}\ndef f(b, p): pass\n"))).message).toMatch(/scale\(3\) is nan: expected a finite number/);
  });
  it('a hang in Python stops the whole check with PYTHON_TIMEOUT after --timeout (exit 2), as a hang in TypeScript does', () => {
    const hang = mod('pg_hang.py', "import time\nPGTRUTH = {'kind': 'policy-gradient', 'function': 'f'}\ndef f(batch, policy, gamma):\n    time.sleep(600)\n");
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['bin/pgtruth.js', 'check', hang, '--samples', '3200', '--timeout', '1'], { cwd: root, encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(/\[PYTHON_TIMEOUT\] f\(batch, policy, gamma\) did not return within the time limit of 1 s/);
    expect(performance.now() - t0).toBeLessThan(30_000);
  }, 60_000);
  it('the power guard: Python estimators that ignore their batch (zero-mean noise) fail or are inconclusive on every kind', async () => {
    const noise = mod('hostile_noise.py', [
      'import numpy as np',
      'rng = np.random.default_rng(5)',
      "PGTRUTH = [{'kind': 'policy-gradient', 'function': 'pg'}, {'kind': 'kl', 'function': 'kl'}, {'kind': 'surrogate', 'function': 'sur', 'clip': 0.2}, {'kind': 'group', 'function': 'grp'}]",
      'def pg(batch, policy, gamma):',
      '    return rng.normal(0, 10, (policy.num_states, policy.num_actions))',
      'def kl(log_ratio):',
      '    return rng.normal(0, 10, log_ratio.shape)',
      'def sur(batch, policy, advantages):',
      '    return 0.0, rng.normal(0, 10, (policy.num_states, policy.num_actions))',
      'def grp(batch, policy):',
      '    return rng.normal(0, 10, batch.mask.shape)',
      '',
    ].join('\n'));
    const { results } = await checkModule(noise, { samples: 1000, budget: 2, seed: 5 });
    expect(results.map((r) => r.id)).toEqual(['check.pg.unbiased', 'check.kl.unbiased', 'check.sur.gradient', 'check.grp.unbiased']);
    for (const r of results) {
      expect(r.verdict, `${r.id}: ${r.error ?? ''}`).toBe('fail');
      expect(['FAIL', 'INCONCLUSIVE']).toContain(checkVerdict(r));
    }
  }, 120_000);
  it('a surrogate\'s declared entropyCoef, klCoef and clip reach the main process in its description; the regularized PPO passes declared and fails undeclared', async () => {
    const file = join(examples, 'ppo_regularized.py');
    const box = await UserSandbox.open(file, { workers: 0 });
    try {
      expect(box.estimators.map((e) => e.estimator)).toMatchObject([{ kind: 'surrogate', name: 'torch-ppo-regularized', clip: 0.2, entropyCoef: 0.1, klCoef: 0.5 }]);
    } finally { await box.close(); }
    const undeclared = mod('ppo_undeclared.py', readFileSync(file, 'utf8').replace(",\n           'entropyCoef': ENTROPY, 'klCoef': KL}", '}'));
    const { results } = await checkModule(undeclared, { seed: 2 });
    expect(results.map((r) => r.verdict)).toEqual(['fail']);
  }, 120_000);
});
