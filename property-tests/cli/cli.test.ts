// The `pgtruth` binary as a user runs it (built by `npm test`'s pretest step).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, [join(root, 'bin/pgtruth.js'), ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const tmp = mkdtempSync(join(tmpdir(), 'pgtruth-cli-'));
const file = (name: string, content: unknown) => {
  const p = join(tmp, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
};

describe('pgtruth --help and --version', () => {
  it('prints help on every command', () => {
    for (const args of [['--help'], ['exact', '--help'], ['report', '--help'], ['mdp', '--help']]) {
      const r = run(...args);
      expect(r.code).toBe(0);
      expect(r.out.length).toBeGreaterThan(50);
    }
    expect(run('--version').out.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('pgtruth exact', () => {
  it('--json emits one object with exactly the keys V, Q, A, d, eta, J, grad; grad shaped like θ', () => {
    const r = run('exact', 'examples/mdps/short-corridor.json', '--policy', 'examples/policies/corridor-softmax.json', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(Object.keys(j)).toEqual(['V', 'Q', 'A', 'd', 'eta', 'J', 'grad']);
    expect(j.grad).toHaveLength(4);
    expect(j.grad[0]).toHaveLength(2);
    expect(j.Q[0]).toHaveLength(2);
  });
  it('reproduces the corridor at p = 0.3 from files: J = (2p − 4)/(p(1 − p)), ∇J shaped like θ = (θ_R, θ_L)', () => {
    const j = JSON.parse(run('exact', 'examples/mdps/short-corridor.json', '--policy', 'examples/policies/corridor-shared-p03.json', '--json').out);
    expect(j.J).toBeCloseTo((2 * 0.3 - 4) / (0.3 * 0.7), 10);
    expect(j.grad).toHaveLength(2);
    expect(j.grad[0]).toBeCloseTo(-j.grad[1], 10);
  });
  it('--fisher adds a numParams × numParams matrix', () => {
    const j = JSON.parse(run('exact', 'builtin:short-corridor', '--policy', 'uniform', '--json', '--fisher').out);
    expect(Object.keys(j)).toEqual(['V', 'Q', 'A', 'd', 'eta', 'J', 'grad', 'fisher']);
    expect(j.fisher).toHaveLength(8);
  });
  it('--rational prints fractions and checks the theorem with a difference of exactly 0', () => {
    const r = run('exact', 'examples/mdps/two-state-rational.json', '--policy', 'examples/policies/two-state-direct.json', '--rational');
    expect(r.code).toBe(0);
    expect(r.out).toContain('J = 8980/837');
    expect(r.out).toContain('difference exactly 0');
    const j = JSON.parse(run('exact', 'examples/mdps/two-state-rational.json', '--policy', 'examples/policies/two-state-direct.json', '--rational', '--json').out);
    expect(j.J).toBe('8980/837');
  });
  it('the text report shows V, η, d, π, Q, A and ∇J', () => {
    const r = run('exact', 'builtin:gridworld-4x4', '--policy', 'uniform');
    expect(r.code).toBe(0);
    for (const s of ['J = ', 'Σ η', 'π(a|s)', 'Q(s,a)', 'A(s,a)', '∇J']) expect(r.out).toContain(s);
  });
  it('invalid input: a non-zero exit and one line naming the code, the place and the value', () => {
    const bad = file('bad-row.json', { states: 2, actions: 1, transitions: [[[0.5, 0.4]], [[0, 1]]], rewards: [[0], [0]], gamma: 0.9, initial: [1, 0] });
    const cases: [string[], string[]][] = [
      [['exact', bad, '--policy', 'uniform'], ['MDP_ROW_SUM', 'transitions[0][0]', '0.9', bad]],
      [['exact', join(tmp, 'missing.json'), '--policy', 'uniform'], ['FILE_NOT_FOUND', 'missing.json']],
      [['exact', file('broken.json', '{"states": '), '--policy', 'uniform'], ['JSON_PARSE', 'broken.json']],
      [['exact', 'builtin:short-corridor'], ['CLI_USAGE', '--policy']],
      [['exact', 'builtin:short-corridor', '--policy', 'uniform', '--frobnicate'], ['CLI_USAGE', 'frobnicate']],
      [['exact', 'builtin:nope', '--policy', 'uniform'], ['MDP_UNKNOWN', 'nope']],
      [['exact', 'builtin:short-corridor', '--policy', file('p.json', { kind: 'direct', probs: [[0.5, 0.6], [1, 0], [1, 0], [1, 0]] })], ['POLICY_NOT_DISTRIBUTION', 'probs[0]', '1.1']],
      [['exact', 'builtin:short-corridor', '--policy', file('left.json', { kind: 'direct', probs: [[1, 0], [1, 0], [1, 0], [1, 0]] })], ['MDP_NOT_TERMINATING', 'state 0']],
      [['exact', 'builtin:short-corridor', '--policy', 'examples/policies/corridor-softmax.json', '--rational'], ['POLICY_KIND', 'direct']],
      [['frobnicate'], ['CLI_USAGE', 'unknown command']],
    ];
    for (const [args, fragments] of cases) {
      const r = run(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.out).toBe('');
      expect(r.err.trim().split('\n'), r.err).toHaveLength(1);
      for (const f of fragments) expect(r.err).toContain(f);
    }
  });
});

describe('pgtruth mdp', () => {
  it('lists the library, shows a built-in as JSON, and checks files', () => {
    expect(run('mdp', 'list').out).toContain('short-corridor');
    const shown = run('mdp', 'show', 'gridworld-5x5');
    const p = file('g5.json', shown.out);
    const r = run('mdp', 'check', p);
    expect(r.code).toBe(0);
    expect(r.out).toContain('25 states, 4 actions');
  });
});

describe('pgtruth report (npm start)', () => {
  it('runs the default suite, every claim passes and every control is rejected; --json for machines', () => {
    const r = run('report', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.passed).toBe(true);
    expect(j.claims.length).toBeGreaterThanOrEqual(12);
    for (const c of j.claims) {
      expect(c.verdict, c.id).toBe('pass');
      expect(c.control.rejected, c.id).toBe(c.control.checks.length);
    }
    // the reliability argument of the default suite: Σα over its stochastic checks is within the
    // 1e-4 budget, and every stochastic control is rejected by a margin of at least 4 standard
    // errors (a rejected control that could go either way would itself be a spurious failure)
    expect(j.falseAlarm.sum).toBeLessThanOrEqual(j.falseAlarm.bound);
    for (const c of j.claims) for (const k of c.control.checks) {
      if (!k.stats) continue;
      const z = typeof k.discrepancy === 'string' ? Infinity : k.discrepancy;
      expect(z - k.tolerance, `${c.id}: ${k.instance}`).toBeGreaterThanOrEqual(4);
    }
    // the flagship REINFORCE checks (b = V^π) resolve a bias of 2% of ‖∇J‖₂ on every built-in MDP
    const flagship = j.claims.find((c: { id: string }) => c.id === 'estimators.reinforce-unbiased');
    const withV = flagship.checks.filter((k: { instance: string }) => k.instance.includes('b = V^π'));
    expect(withV.length).toBe(4);
    for (const k of withV) {
      const m = /resolution ([0-9.]+)% of ‖∇J‖₂/.exec(k.note);
      expect(m, k.instance).not.toBeNull();
      expect(Number(m![1]), k.instance).toBeLessThanOrEqual(2);
    }
    // every mutant of the catalogue is exercised by some control, and rejected
    for (const m of j.mutations) expect(m.rejected, m.id).toBe(true);
  }, 300_000);
  it('prints the verdict table', () => {
    const r = run('report', '--only', 'known.');
    expect(r.code).toBe(0);
    expect(r.out).toContain('known.short-corridor');
    expect(r.out).toMatch(/4 claims: 4 pass/);
    expect(r.out).toContain('known.schulman-kl-table');
  });
});
