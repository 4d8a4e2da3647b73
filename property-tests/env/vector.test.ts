// The interface's contracts: the time limit, the vectorized copies with auto-reset (the true
// final observation kept apart from the reset observation), seeding by split streams, and the
// typed errors of bad actions, stepping without a reset, unknown ids and options.
import { describe, expect, it } from 'vitest';
import { isPgTruthError, type ErrorCode } from '../../src/errors.js';
import {
  CARTPOLE, CartPoleEnv, ENV_IDS, PendulumEnv, TimeLimit, VectorEnv, envSpec, makeClassicEnv, makeEnv, makeVectorEnv, type Env,
} from '../../src/env/index.js';
import { Rng } from '../../src/stats/rng.js';

function code(f: () => unknown): ErrorCode | undefined {
  try { f(); } catch (e) { return isPgTruthError(e) ? e.code : undefined; }
  return undefined;
}

describe('the time limit', () => {
  it('sets truncated on the T-th step only, then refuses to step until reset', () => {
    const env = new TimeLimit(new PendulumEnv(), 5);
    env.reset(1);
    for (let t = 1; t <= 5; t++) expect(env.step([0]).truncated).toBe(t === 5);
    expect(code(() => env.step([0]))).toBe('ENV_NEEDS_RESET');
    env.reset();
    expect(env.step([0]).truncated).toBe(false);
    expect(env.elapsedSteps).toBe(1);
  });

  it('a termination on the last allowed step is reported as terminated only', () => {
    const env = new TimeLimit(new CartPoleEnv(), 1);
    env.reset(0);
    (env.inner as CartPoleEnv).state.set([2.39, 1, 0, 0]);
    const r = env.step(1);
    expect(r.terminated).toBe(true);
    expect(r.truncated).toBe(false);
    // control: the same step without the termination is truncated
    env.reset(0);
    expect(env.step(1).truncated).toBe(true);
  });

  it('makeEnv applies Gymnasium\'s limits (500, 500, 200, 999), overridable, and null removes it', async () => {
    expect(ENV_IDS).toEqual(['CartPole-v1', 'Acrobot-v1', 'Pendulum-v1', 'MountainCarContinuous-v0', 'HalfCheetah-v5', 'Hopper-v5']);
    const limits = await Promise.all(['CartPole-v1', 'Acrobot-v1', 'Pendulum-v1', 'MountainCarContinuous-v0'].map(async (id) => (await makeEnv(id)).maxEpisodeSteps));
    expect(limits).toEqual([500, 500, 200, 999]);
    expect(makeClassicEnv('Pendulum-v1', { maxEpisodeSteps: 3 }).maxEpisodeSteps).toBe(3);
    const free = makeClassicEnv('Pendulum-v1', { maxEpisodeSteps: null });
    free.reset(0);
    for (let t = 0; t < 250; t++) expect(free.step([0]).truncated).toBe(false);
    expect(envSpec('CartPole-v1').rewardThreshold).toBe(475);
  });
});

describe('vectorized copies', () => {
  /** N single environments reset with Rng.from(seed).split(i), fed the vector's actions. */
  function compare(id: string, N: number, seed: number, steps: number) {
    const vec = new VectorEnv(Array.from({ length: N }, () => makeClassicEnv(id)));
    const singles: Env[] = Array.from({ length: N }, () => makeClassicEnv(id));
    const d = vec.observationSize, m = vec.actionSize;
    vec.reset(seed);
    const single0 = singles.map((e, i) => e.reset(Rng.from(seed).split(i)));
    for (let i = 0; i < N; i++) expect(Array.from(vec.observations.subarray(i * d, (i + 1) * d))).toEqual(Array.from(single0[i]!));
    const rng = Rng.from(seed + 77), actions = new Float64Array(N * m);
    let ends = 0, terminations = 0;
    for (let t = 0; t < steps; t++) {
      for (let k = 0; k < N * m; k++) actions[k] = vec.actionSpace.kind === 'discrete' ? rng.int(vec.actionSpace.n) : 4 * rng.uniform() - 2;
      vec.step(actions);
      for (let i = 0; i < N; i++) {
        const r = singles[i]!.step(vec.actionSpace.kind === 'discrete' ? actions[i]! : actions.subarray(i * m, (i + 1) * m));
        const final = Array.from(vec.nextObservations.subarray(i * d, (i + 1) * d));
        expect(final.every((x, k) => Object.is(x, r.observation[k]))).toBe(true);
        expect(vec.rewards[i]).toBe(r.reward);
        expect(vec.terminated[i]).toBe(+r.terminated);
        expect(vec.truncated[i]).toBe(+r.truncated);
        const current = Array.from(vec.observations.subarray(i * d, (i + 1) * d));
        if (r.terminated || r.truncated) {
          ends++; terminations += +r.terminated;
          const s0 = singles[i]!.reset(); // continues copy i's stream, as the auto-reset did
          expect(current.every((x, k) => Object.is(x, s0[k]))).toBe(true);
          expect(current).not.toEqual(final); // the final observation is kept apart from the reset one
        } else {
          expect(current).toEqual(final);
        }
      }
    }
    return { ends, terminations, vec };
  }

  it('CartPole-v1: copy i equals a single environment seeded with Rng.from(seed).split(i), through auto-resets', () => {
    const { ends, terminations } = compare('CartPole-v1', 4, 11, 300);
    expect(terminations).toBeGreaterThan(20); // random actions end CartPole episodes within ~22 steps
    expect(ends).toBe(terminations);
  });

  it('Pendulum-v1: the same through truncations at 200', () => {
    const { ends, terminations } = compare('Pendulum-v1', 3, 5, 450);
    expect(ends).toBe(6);
    expect(terminations).toBe(0);
  });

  it('the final observation of a terminated CartPole episode lies beyond a threshold; the reset one inside ±0.05', () => {
    const vec = new VectorEnv(Array.from({ length: 2 }, () => makeClassicEnv('CartPole-v1')));
    vec.reset(3);
    const push = Float64Array.of(1, 1); // always right: falls within a few dozen steps
    let seen = 0;
    for (let t = 0; t < 200; t++) {
      vec.step(push);
      for (let i = 0; i < 2; i++) {
        if (!vec.terminated[i]) continue;
        seen++;
        const f = vec.nextObservations.subarray(4 * i, 4 * i + 4), o = vec.observations.subarray(4 * i, 4 * i + 4);
        expect(Math.abs(f[0]!) > CARTPOLE.xThreshold || Math.abs(f[2]!) > CARTPOLE.thetaThreshold).toBe(true);
        expect(Array.from(o).every((x) => Math.abs(x) <= 0.05)).toBe(true);
        expect(vec.episodeLengths[i]).toBeGreaterThan(0);
        expect(vec.episodeReturns[i]).toBe(vec.episodeLengths[i]); // reward 1 per step
      }
    }
    expect(seen).toBeGreaterThan(4);
  });

  it('one seed gives bit-identical vector runs; different copies get different streams', async () => {
    const run = async (seed: number) => {
      const v = await makeVectorEnv('Acrobot-v1', 3, { seed });
      const out: number[] = [...v.observations];
      const rng = Rng.from(1), a = new Float64Array(3);
      for (let t = 0; t < 100; t++) { for (let i = 0; i < 3; i++) a[i] = rng.int(3); v.step(a); out.push(...v.nextObservations, ...v.rewards); }
      return { out, first: Array.from(v.observations) };
    };
    const a = await run(4), b = await run(4), c = await run(5);
    expect(a.out.every((x, i) => Object.is(x, b.out[i]))).toBe(true);
    expect(a.out.every((x, i) => Object.is(x, c.out[i]))).toBe(false);
    const v = await makeVectorEnv('Acrobot-v1', 3, { seed: 4 });
    expect(v.observations.subarray(0, 6)).not.toEqual(v.observations.subarray(6, 12));
  });
});

describe('typed errors', () => {
  it('ENV_ACTION: wrong length, NaN or infinite, out-of-range or non-integer discrete actions', () => {
    const p = makeClassicEnv('Pendulum-v1'), c = makeClassicEnv('CartPole-v1');
    p.reset(0); c.reset(0);
    expect(code(() => p.step([1, 2]))).toBe('ENV_ACTION');
    expect(code(() => p.step([]))).toBe('ENV_ACTION');
    expect(code(() => p.step([NaN]))).toBe('ENV_ACTION');
    expect(code(() => p.step([Infinity]))).toBe('ENV_ACTION');
    expect(code(() => c.step(2))).toBe('ENV_ACTION');
    expect(code(() => c.step(-1))).toBe('ENV_ACTION');
    expect(code(() => c.step(0.5))).toBe('ENV_ACTION');
    expect(code(() => c.step([0, 1]))).toBe('ENV_ACTION');
    // controls: valid actions pass, including an out-of-range torque (clipped by the task)
    expect(code(() => p.step([7]))).toBeUndefined();
    expect(code(() => c.step(1))).toBeUndefined();
    const v = new VectorEnv([makeClassicEnv('CartPole-v1'), makeClassicEnv('CartPole-v1')]);
    v.reset(0);
    expect(code(() => v.step([1]))).toBe('ENV_ACTION');
    expect(code(() => v.step([1, 3]))).toBe('ENV_ACTION');
    expect(code(() => v.step([1, 0]))).toBeUndefined();
  });

  it('the error names the offending place and value', () => {
    const c = makeClassicEnv('CartPole-v1');
    c.reset(0);
    expect(() => c.step(5)).toThrow(/^\[ENV_ACTION\] CartPole-v1: action 5 is not an integer in 0…1$/);
    const p = makeClassicEnv('Pendulum-v1');
    p.reset(0);
    expect(() => p.step([NaN])).toThrow(/action\[0\] is NaN/);
  });

  it('ENV_NEEDS_RESET: before the first reset, and after a termination', () => {
    const c = new CartPoleEnv();
    expect(code(() => c.step(0))).toBe('ENV_NEEDS_RESET');
    c.reset(0);
    c.state.set([2.39, 1, 0, 0]);
    expect(c.step(1).terminated).toBe(true);
    expect(code(() => c.step(1))).toBe('ENV_NEEDS_RESET');
    c.reset();
    expect(code(() => c.step(1))).toBeUndefined();
    expect(code(() => new VectorEnv([new CartPoleEnv()]).step([0]))).toBe('ENV_NEEDS_RESET');
  });

  it('ENV_DIVERGED: a step whose observation overflows is refused, not handed on as ±Infinity/NaN', () => {
    const c = new CartPoleEnv();
    c.reset(0);
    c.state.set([0, 0, 0, 1e200]); // θ̇² overflows
    expect(() => c.step(0)).toThrow(/ENV_DIVERGED.*observation entry [0-3] = (NaN|-?Infinity)/);
    c.reset(0);
    c.state.set([0, 0, 0, 1e100]); // large but representable: a (terminating) step, no error
    expect(c.step(0).terminated).toBe(true);
  });

  it('ENV_UNKNOWN_ID and ENV_OPTIONS', async () => {
    await expect(makeEnv('CartPole-v0')).rejects.toMatchObject({ code: 'ENV_UNKNOWN_ID' });
    expect(code(() => makeClassicEnv('cartpole'))).toBe('ENV_UNKNOWN_ID');
    expect(code(() => makeClassicEnv('HalfCheetah-v5'))).toBe('ENV_UNKNOWN_ID');
    expect(code(() => makeClassicEnv('CartPole-v1', { maxEpisodeSteps: 0 }))).toBe('ENV_OPTIONS');
    expect(code(() => makeClassicEnv('CartPole-v1', { seed: -1 }))).toBe('ENV_OPTIONS');
    expect(code(() => makeClassicEnv('CartPole-v1', { horizon: 3 } as never))).toBe('ENV_OPTIONS');
    expect(code(() => new VectorEnv([]))).toBe('ENV_OPTIONS');
    const e = new CartPoleEnv();
    expect(code(() => new VectorEnv([e, e]))).toBe('ENV_OPTIONS');
    expect(code(() => new VectorEnv([new CartPoleEnv(), new PendulumEnv()]))).toBe('ENV_OPTIONS');
  });
});
