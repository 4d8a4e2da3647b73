// The finite MDP as an environment: its steps follow P and r, terminal states terminate, the
// time limit truncates, the three observation modes, and the sampled frequencies match P
// (stated tests: α = 1e-6 two-sided per check, |z| ≤ 4.892; powers in the comments).
import { describe, expect, it } from 'vitest';
import { isPgTruthError } from '../../src/errors.js';
import { TabularEnv, VectorEnv, makeClassicEnv, makeEnv, makeVectorEnv, tabularEnv } from '../../src/env/index.js';
import { createMDP, shortCorridor, suttonBartoGridworld4x4 } from '../../src/mdp/index.js';
import { Rng } from '../../src/stats/rng.js';

const Z_CRIT = 4.892; // two-sided α = 1e-6

/** A 3-state MDP: from 0, action 0 goes to 1 w.p. p (else stays), action 1 to the terminal 2; reward r(0,·) = (0.5, 1). */
const twoWay = (p: number, rewardNoise?: { kind: 'gaussian'; std: number }) => createMDP({
  states: 3, actions: 2,
  transitions: [[[1 - p, p, 0], [0, 0, 1]], [[1, 0, 0], [0, 0, 1]], [[0, 0, 1], [0, 0, 1]]],
  rewards: [[0.5, 1], [0, 0], [0, 0]], gamma: 0.9, initial: [1, 0, 0], terminal: [2],
  ...(rewardNoise ? { rewardNoise } : {}),
});

describe('the tabular MDP as an environment', () => {
  it('short corridor: deterministic steps, reward −1, the goal terminates (Sutton & Barto Ex. 13.1)', () => {
    const env = tabularEnv(shortCorridor(), { id: 'corridor' });
    expect(env.observationSpace).toMatchObject({ kind: 'discrete', n: 4 });
    expect(Array.from(env.reset(0))).toEqual([0]);
    const path = [[1, 1], [1, 0], [1, 1], [0, 2], [1, 3]] as const; // (action, next state): right, right (switched: back), right, left (switched: on), right → goal
    path.forEach(([a, s2], i) => {
      const r = env.step(a);
      expect(Array.from(r.observation)).toEqual([s2]);
      expect(r.reward).toBe(-1);
      expect(r.terminated).toBe(i === 4);
      expect(r.truncated).toBe(false);
    });
    expect(() => env.step(0)).toThrow(/ENV_NEEDS_RESET/);
  });

  it('one-hot and feature observations, and the time limit', () => {
    const g = suttonBartoGridworld4x4();
    const hot = tabularEnv(g, { observation: 'one-hot' });
    const o = hot.reset(2);
    expect(o.length).toBe(16);
    expect(o.reduce((x, y) => x + y, 0)).toBe(1);
    const phi = Float64Array.from({ length: 16 * 2 }, (_, k) => (k % 2 === 0 ? Math.floor(k / 2) : -Math.floor(k / 2)));
    const feat = new TabularEnv(g, { features: phi, dim: 2 });
    const f = feat.reset(2);
    expect(Array.from(f)).toEqual([feat.state, -feat.state]);
    expect(o[feat.state]).toBe(1); // the same seed gives the same s_0 whatever the observation
    // the corridor's state 0 stays put under `left`: only the time limit ends the episode
    const lim = tabularEnv(shortCorridor(), { observation: 'one-hot', maxEpisodeSteps: 3 });
    lim.reset(0);
    const flags = [0, 1, 2].map(() => { const r = lim.step(0); expect(Array.from(r.observation)).toEqual([1, 0, 0, 0]); return [r.terminated, r.truncated]; });
    expect(flags).toEqual([[false, false], [false, false], [false, true]]);
  });

  it('next-state frequencies follow P(·|s,a): p = 0.7 accepted, the swapped 0.3 rejected (n = 20000; detects |Δp| ≥ 0.026 with power 0.999)', () => {
    const z = (truthP: number, envP: number) => {
      const env = new TabularEnv(twoWay(envP), 'index');
      env.reset(Rng.from(12));
      const n = 20000;
      let hits = 0;
      for (let i = 0; i < n; i++) {
        env.reset();
        if (env.step(0).observation[0] === 1) hits++;
      }
      return (hits / n - truthP) / Math.sqrt((truthP * (1 - truthP)) / n);
    };
    expect(Math.abs(z(0.7, 0.7))).toBeLessThan(Z_CRIT);
    expect(Math.abs(z(0.7, 0.3))).toBeGreaterThan(Z_CRIT); // negative control
  });

  it('Gaussian reward noise has mean r(s,a): accepted at 0.5, a wrong mean 0.6 rejected (n = 20000, σ = 1; detects 0.057 with power 0.999)', () => {
    const env = new TabularEnv(twoWay(0.7, { kind: 'gaussian', std: 1 }));
    env.reset(5);
    const n = 20000;
    let sum = 0;
    for (let i = 0; i < n; i++) { env.reset(); sum += env.step(0).reward; }
    const mean = sum / n, se = 1 / Math.sqrt(n);
    expect(Math.abs((mean - 0.5) / se)).toBeLessThan(Z_CRIT);
    expect(Math.abs((mean - 0.6) / se)).toBeGreaterThan(Z_CRIT);
  });

  it('vectorized tabular copies: action 1 always terminates with reward 1 and the final observation is the terminal state', () => {
    const v = new VectorEnv([new TabularEnv(twoWay(0.5)), new TabularEnv(twoWay(0.5))]);
    v.reset(1);
    v.step([1, 1]);
    expect(Array.from(v.terminated)).toEqual([1, 1]);
    expect(Array.from(v.nextObservations)).toEqual([2, 2]);
    expect(Array.from(v.observations)).toEqual([0, 0]);
    expect(Array.from(v.rewards)).toEqual([1, 1]);
  });

  it('the registry makes builtin:NAME tabular environments', async () => {
    const env = await makeEnv('builtin:short-corridor', { maxEpisodeSteps: 2, observation: 'one-hot' });
    expect(env.id).toBe('builtin:short-corridor');
    expect(Array.from(env.reset(0))).toEqual([1, 0, 0, 0]);
    expect(env.step(0).truncated).toBe(false);
    expect(env.step(0).truncated).toBe(true);
    const v = await makeVectorEnv('builtin:chain', 3, { seed: 2 });
    expect(v.observations.length).toBe(3);
    expect(() => makeClassicEnv('builtin:no-such-mdp')).toThrow(/MDP_UNKNOWN/);
    expect(() => makeClassicEnv('CartPole-v1', { observation: 'one-hot' })).toThrow(/ENV_OPTIONS/);
  });

  it('refuses a p0 on a terminal state, bad features and unknown options', () => {
    const bad = createMDP({ states: 2, actions: 1, transitions: [[[0, 1]], [[0, 1]]], rewards: [[1], [0]], gamma: 0.9, initial: [0.5, 0.5], terminal: [1] });
    const codeOf = (f: () => unknown) => { try { f(); } catch (e) { return isPgTruthError(e) ? e.code : 'other'; } return undefined; };
    expect(codeOf(() => tabularEnv(bad))).toBe('SAMPLING_INITIAL_TERMINAL');
    expect(codeOf(() => tabularEnv(shortCorridor(), { observation: { features: [1, 2, 3], dim: 1 } }))).toBe('ENV_OPTIONS');
    expect(codeOf(() => tabularEnv(shortCorridor(), { observation: { features: [1, 2, 3, NaN], dim: 1 } }))).toBe('ENV_OPTIONS');
    expect(codeOf(() => tabularEnv(shortCorridor(), { observation: 'onehot' as never }))).toBe('ENV_OPTIONS');
    expect(codeOf(() => tabularEnv(shortCorridor(), { horizon: 5 } as never))).toBe('ENV_OPTIONS');
    expect(codeOf(() => tabularEnv(shortCorridor(), { maxEpisodeSteps: 2.5 }))).toBe('ENV_OPTIONS');
    expect(codeOf(() => tabularEnv(shortCorridor()))).toBeUndefined();
  });
});
