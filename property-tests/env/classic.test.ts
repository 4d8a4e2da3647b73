// Classic control against steps computed by hand from the task specifications
// (../shared/REFERENCES.md, "Gymnasium task specifications"). Every expected number here is
// either a literal computed outside pgtruth (a separate Python transcription of the spec
// formulas, quoted with the state it starts from) or recomputed in this file from the spec
// formulas written out again — never by the code under test. Each check has a negative
// control: a plausible wrong variant (another integrator, the "nips" Acrobot, the cost of the
// next state, the clipped action in the cost, …) that the same comparison rejects.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AcrobotEnv, CartPoleEnv, MountainCarContinuousEnv, PendulumEnv, makeClassicEnv, normalizeAngle, wrapInto, type Env, TimeLimit } from '../../src/env/index.js';
import { Rng } from '../../src/stats/rng.js';

/** |a − b| ≤ 1e-12 (1 + |b|) entrywise. */
function close(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-12): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!(Math.abs(a[i]! - b[i]!) <= tol * (1 + Math.abs(b[i]!)))) return false;
  return true;
}

// ---- CartPole-v1 by hand: explicit Euler, positions from the old velocities ----
function cartPoleByHand(s: readonly number[], action: number, variant: 'euler' | 'semi-implicit' = 'euler'): number[] {
  const [x, xd, th, thd] = s as [number, number, number, number];
  const g = 9.8, mc = 1.0, mp = 0.1, l = 0.5, tau = 0.02, M = mc + mp;
  const F = action === 1 ? 10 : -10;
  const temp = (F + mp * l * thd * thd * Math.sin(th)) / M;
  const thAcc = (g * Math.sin(th) - Math.cos(th) * temp) / (l * (4 / 3 - (mp * Math.cos(th) ** 2) / M));
  const xAcc = temp - (mp * l * thAcc * Math.cos(th)) / M;
  if (variant === 'semi-implicit') {
    const xd2 = xd + tau * xAcc, thd2 = thd + tau * thAcc;
    return [x + tau * xd2, xd2, th + tau * thd2, thd2];
  }
  return [x + tau * xd, xd + tau * xAcc, th + tau * thd, thd + tau * thAcc];
}

describe('CartPole-v1', () => {
  it('one step from rest pushing right: (0, 0.1951219512195122, 0, −0.2926829268292683) [Python transcription of the spec]', () => {
    const env = new CartPoleEnv();
    env.reset(0);
    env.state.fill(0);
    const r = env.step(1);
    expect(close(r.observation, [0, 0.1951219512195122, 0, -0.2926829268292683])).toBe(true);
    expect(r.reward).toBe(1);
    expect(r.terminated).toBe(false);
    // negative control: pushing left mirrors it
    expect(close(r.observation, cartPoleByHand([0, 0, 0, 0], 0))).toBe(false);
  });

  it('two steps from seeded resets match the spec formulas; the semi-implicit variant is rejected', () => {
    for (let seed = 0; seed < 20; seed++) {
      const env = new CartPoleEnv();
      let s = Array.from(env.reset(seed));
      for (const a of [seed % 2, 1 - (seed % 2)]) {
        const want = cartPoleByHand(s, a);
        const got = env.step(a).observation;
        expect(close(got, want), `seed ${seed}`).toBe(true);
        expect(close(got, cartPoleByHand(s, a, 'semi-implicit'), 1e-9)).toBe(false);
        s = Array.from(got);
      }
    }
  });

  it('terminates past |x| > 2.4 or |θ| > 12° with reward 1 on the terminating step; not just inside', () => {
    const env = new CartPoleEnv();
    env.reset(0);
    env.state.set([2.39, 1, 0, 0]); // x → 2.41
    let r = env.step(1);
    expect(r.terminated).toBe(true);
    expect(r.reward).toBe(1);
    env.reset(0);
    env.state.set([0, 0, 0.2094, 0.1]); // θ → 0.2114 > 0.20944
    expect(env.step(1).terminated).toBe(true);
    env.reset(0);
    env.state.set([0, 0, -0.2094, -0.1]);
    expect(env.step(0).terminated).toBe(true);
    // control: inside both thresholds after the step
    env.reset(0);
    env.state.set([2.38, 0.5, 0.2, 0.1]); // x → 2.39, θ → 0.202
    r = env.step(1);
    expect(r.terminated).toBe(false);
    expect(r.reward).toBe(1);
  });

  it('a balancing controller is truncated at exactly 500 steps with return 500', () => {
    const env = makeClassicEnv('CartPole-v1');
    let obs = env.reset(3), ret = 0, t = 0, end = { terminated: false, truncated: false };
    while (!end.terminated && !end.truncated) {
      const a = obs[2]! + 0.5 * obs[3]! + 0.05 * obs[1]! > 0 ? 1 : 0;
      const r = env.step(a);
      obs = r.observation; ret += r.reward; t++; end = r;
      if (t < 500) expect(r.truncated).toBe(false);
    }
    expect(end.truncated).toBe(true);
    expect(end.terminated).toBe(false);
    expect(t).toBe(500);
    expect(ret).toBe(500);
  });

  it('reset draws each coordinate from U(−0.05, 0.05), covering the range', () => {
    const env = new CartPoleEnv();
    const lo = [1, 1, 1, 1], hi = [-1, -1, -1, -1];
    for (let seed = 0; seed < 2000; seed++) {
      const o = env.reset(seed);
      for (let i = 0; i < 4; i++) { lo[i] = Math.min(lo[i]!, o[i]!); hi[i] = Math.max(hi[i]!, o[i]!); }
    }
    // In range; and coverage: under U(±0.05), Pr(max < 0.045) = 0.95^2000 < 1e-44 per coordinate,
    // so a narrower law such as U(±0.04) (or a reset at 0) is rejected.
    for (let i = 0; i < 4; i++) {
      expect(lo[i]).toBeGreaterThanOrEqual(-0.05); expect(hi[i]).toBeLessThanOrEqual(0.05);
      expect(lo[i]).toBeLessThan(-0.045); expect(hi[i]).toBeGreaterThan(0.045);
    }
  });
});

// ---- Acrobot-v1 by hand ----
function acrobotDerivByHand(s: readonly number[], tau: number, book: boolean): number[] {
  const [t1, t2, w1, w2] = s as [number, number, number, number];
  const m1 = 1, m2 = 1, l1 = 1, lc1 = 0.5, lc2 = 0.5, I1 = 1, I2 = 1, g = 9.8;
  const d1 = m1 * lc1 ** 2 + m2 * (l1 ** 2 + lc2 ** 2 + 2 * l1 * lc2 * Math.cos(t2)) + I1 + I2;
  const d2 = m2 * (lc2 ** 2 + l1 * lc2 * Math.cos(t2)) + I2;
  const phi2 = m2 * lc2 * g * Math.cos(t1 + t2 - Math.PI / 2);
  const phi1 = -m2 * l1 * lc2 * w2 ** 2 * Math.sin(t2) - 2 * m2 * l1 * lc2 * w2 * w1 * Math.sin(t2) + (m1 * lc1 + m2 * l1) * g * Math.cos(t1 - Math.PI / 2) + phi2;
  const extra = book ? m2 * l1 * lc2 * w1 ** 2 * Math.sin(t2) : 0;
  const a2 = (tau + (d2 / d1) * phi1 - extra - phi2) / (m2 * lc2 ** 2 + I2 - d2 ** 2 / d1);
  const a1 = -(d2 * a2 + phi1) / d1;
  return [w1, w2, a1, a2];
}
function acrobotByHand(s: readonly number[], action: number, opts: { book?: boolean; euler?: boolean } = {}): number[] {
  const book = opts.book ?? true, dt = 0.2, tau = action - 1;
  const add = (x: readonly number[], k: readonly number[], h: number) => x.map((v, i) => v + h * k[i]!);
  let n: number[];
  if (opts.euler) n = add(s, acrobotDerivByHand(s, tau, book), dt);
  else {
    const k1 = acrobotDerivByHand(s, tau, book), k2 = acrobotDerivByHand(add(s, k1, dt / 2), tau, book);
    const k3 = acrobotDerivByHand(add(s, k2, dt / 2), tau, book), k4 = acrobotDerivByHand(add(s, k3, dt), tau, book);
    n = s.map((v, i) => v + (dt / 6) * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!));
  }
  const wrap = (x: number) => { while (x > Math.PI) x -= 2 * Math.PI; while (x < -Math.PI) x += 2 * Math.PI; return x; };
  const clip = (x: number, b: number) => Math.min(Math.max(x, -b), b);
  return [wrap(n[0]!), wrap(n[1]!), clip(n[2]!, 4 * Math.PI), clip(n[3]!, 9 * Math.PI)];
}
const acrobotObs = (s: readonly number[]) => [Math.cos(s[0]!), Math.sin(s[0]!), Math.cos(s[1]!), Math.sin(s[1]!), s[2]!, s[3]!];

describe('Acrobot-v1', () => {
  it('two RK4 steps from (0.1, −0.2, 0.3, −0.4) with torques +1 then −1 match the Python transcription; the "nips" dynamics are rejected', () => {
    const env = new AcrobotEnv();
    env.reset(0);
    env.state.set([0.1, -0.2, 0.3, -0.4]);
    env.step(2);
    expect(close(env.state, [0.1282116312891261, -0.211840321026976, -0.023484731535001357, 0.28679521459777013])).toBe(true);
    // negative control: the "nips" variant (no −m2 l1 lc2 θ̇1² sin θ2 term) gives (0.128269, −0.211989, −0.023123, 0.285846)
    expect(close(env.state, [0.12826887194999317, -0.2119891159469492, -0.023123278665851565, 0.2858456867249499], 1e-6)).toBe(false);
    const r = env.step(0);
    expect(close(env.state, [0.11784404947450917, -0.15731524450506706, -0.07632067137914837, 0.24745843481895552])).toBe(true);
    expect(close(r.observation, acrobotObs(env.state))).toBe(true);
    expect(r.reward).toBe(-1);
    expect(r.terminated).toBe(false);
  });

  it('wraps θ1 into [−π, π] and clips θ̇1 to ±4π (from (±3, 0, ±12.5, 0), no torque)', () => {
    const env = new AcrobotEnv();
    for (const sign of [1, -1]) {
      env.reset(0);
      env.state.set([3 * sign, 0, 12.5 * sign, 0]);
      env.step(1);
      // unwrapped RK4 result (Python): θ1 = ±5.57062803139461, θ̇1 = ±13.19973055139623
      const want = [sign * (5.57062803139461 - 2 * Math.PI), sign * -0.0588789733152621, sign * 4 * Math.PI, sign * -0.25813630152551226];
      expect(close(env.state, want, 1e-11)).toBe(true);
      // control: without the wrap and the clip the state would be elsewhere
      expect(close(env.state, [sign * 5.57062803139461, sign * -0.0588789733152621, sign * 13.19973055139623, sign * -0.25813630152551226], 1e-6)).toBe(false);
    }
  });

  it('steps from seeded resets match the spec formulas; one Euler step instead of RK4 is rejected', () => {
    for (let seed = 0; seed < 10; seed++) {
      const env = new AcrobotEnv();
      env.reset(seed);
      let s = Array.from(env.state);
      for (const a of [0, 2, 1]) {
        const want = acrobotByHand(s, a);
        env.step(a);
        expect(close(env.state, want), `seed ${seed}`).toBe(true);
        expect(close(env.state, acrobotByHand(s, a, { euler: true }), 1e-6)).toBe(false);
        s = Array.from(env.state);
      }
    }
  });

  it('terminates with reward 0 when −cos θ1 − cos(θ1 + θ2) > 1, else reward −1', () => {
    const env = new AcrobotEnv();
    env.reset(0);
    env.state.set([Math.PI, 0, 0, 0]); // pointing up: height 2
    let r = env.step(1);
    expect(-Math.cos(env.state[0]!) - Math.cos(env.state[0]! + env.state[1]!)).toBeGreaterThan(1);
    expect(r.terminated).toBe(true);
    expect(r.reward).toBe(0);
    env.reset(0);
    env.state.set([Math.PI / 2, 0, 0, 0]); // horizontal: height ≈ 0 → 1 − … not above the bar
    r = env.step(1);
    expect(r.terminated).toBe(false);
    expect(r.reward).toBe(-1);
  });

  it('reset draws (θ1, θ2, θ̇1, θ̇2) from U(−0.1, 0.1), covering the range', () => {
    const env = new AcrobotEnv();
    const lo = [1, 1, 1, 1], hi = [-1, -1, -1, -1];
    for (let seed = 0; seed < 2000; seed++) {
      const o = env.reset(seed);
      expect(close(o, acrobotObs(env.state))).toBe(true);
      for (let i = 0; i < 4; i++) { lo[i] = Math.min(lo[i]!, env.state[i]!); hi[i] = Math.max(hi[i]!, env.state[i]!); }
    }
    // Pr(max < 0.09) = 0.95^2000 < 1e-44 under U(±0.1)
    for (let i = 0; i < 4; i++) { expect(lo[i]).toBeGreaterThanOrEqual(-0.1); expect(hi[i]).toBeLessThanOrEqual(0.1); expect(lo[i]).toBeLessThan(-0.09); expect(hi[i]).toBeGreaterThan(0.09); }
  });
});

// ---- Pendulum-v1 by hand ----
function pendulumByHand(th: number, thd: number, u: number, costOfNext = false): { th: number; thd: number; r: number } {
  const uc = Math.min(Math.max(u, -2), 2);
  let nthd = thd + ((3 * 10) / 2 * Math.sin(th) + 3 * uc) * 0.05;
  nthd = Math.min(Math.max(nthd, -8), 8);
  const nth = th + nthd * 0.05;
  const norm = (x: number) => { let m = (x + Math.PI) % (2 * Math.PI); if (m < 0) m += 2 * Math.PI; return m - Math.PI; };
  const [ct, cd] = costOfNext ? [nth, nthd] : [th, thd];
  return { th: nth, thd: nthd, r: -(norm(ct) ** 2 + 0.1 * cd ** 2 + 0.001 * uc ** 2) };
}

describe('Pendulum-v1', () => {
  it('from (θ, θ̇) = (1, 0.5), u = 1: r = −1.026, θ̇ = 1.2811032386059225, θ = 1.064055161930296 (Python)', () => {
    const env = new PendulumEnv();
    env.reset(0);
    env.state.set([1, 0.5]);
    const r = env.step([1]);
    expect(r.reward).toBeCloseTo(-1.026, 14);
    expect(close(env.state, [1.064055161930296, 1.2811032386059225])).toBe(true);
    expect(close(r.observation, [Math.cos(1.064055161930296), Math.sin(1.064055161930296), 1.2811032386059225])).toBe(true);
    // control: the cost of the next state instead of the current one
    expect(Math.abs(r.reward - pendulumByHand(1, 0.5, 1, true).r)).toBeGreaterThan(0.1);
  });

  it('clips the torque to ±2 and the speed to ±8, normalizes θ in the cost only: from (4, 7.9), u = 5 (Python)', () => {
    const env = new PendulumEnv();
    env.reset(0);
    env.state.set([4, 7.9]);
    const r = env.step([5]);
    expect(r.reward).toBeCloseTo(-11.457935146920741, 12);
    expect(close(env.state, [4.381619906425953, 7.632398128519054])).toBe(true);
    // control: the unclipped torque 5 would have pushed θ̇ to the speed limit 8
    expect(Math.min(7.9 + (15 * Math.sin(4) + 3 * 5) * 0.05, 8)).toBe(8);
    expect(Math.abs(env.state[1]! - 8)).toBeGreaterThan(0.3);
    env.state.set([0, 7.9]);
    env.step([2]);
    expect(env.state[1]).toBe(8);
  });

  it('steps from seeded resets match the spec formulas; never terminates; truncated at 200', () => {
    const env = makeClassicEnv('Pendulum-v1') as TimeLimit;
    const inner = env.inner as PendulumEnv;
    const rng = Rng.from(9);
    env.reset(4);
    for (let t = 1; t <= 200; t++) {
      const [th, thd] = inner.state;
      const u = 6 * rng.uniform() - 3;
      const want = pendulumByHand(th!, thd!, u);
      const r = env.step([u]);
      expect(close(inner.state, [want.th, want.thd])).toBe(true);
      expect(Math.abs(r.reward - want.r)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(want.r)));
      expect(r.terminated).toBe(false);
      expect(r.truncated).toBe(t === 200);
    }
  });

  it('reset draws θ ∼ U(−π, π) and θ̇ ∼ U(−1, 1), covering both ranges', () => {
    const env = new PendulumEnv();
    let lo = [9, 9], hi = [-9, -9];
    for (let seed = 0; seed < 2000; seed++) {
      const o = env.reset(seed);
      const [th, thd] = env.state;
      expect(close(o, [Math.cos(th!), Math.sin(th!), thd!])).toBe(true);
      lo = [Math.min(lo[0]!, th!), Math.min(lo[1]!, thd!)]; hi = [Math.max(hi[0]!, th!), Math.max(hi[1]!, thd!)];
    }
    expect(lo[0]).toBeGreaterThanOrEqual(-Math.PI); expect(hi[0]).toBeLessThanOrEqual(Math.PI);
    expect(lo[0]).toBeLessThan(-0.95 * Math.PI); expect(hi[0]).toBeGreaterThan(0.95 * Math.PI);
    expect(lo[1]).toBeGreaterThanOrEqual(-1); expect(hi[1]).toBeLessThanOrEqual(1);
    expect(lo[1]).toBeLessThan(-0.95); expect(hi[1]).toBeGreaterThan(0.95);
  });
});

describe('MountainCarContinuous-v0', () => {
  it('from (−0.5, 0.01), a = 0.7: x = −0.48912684300416925, v = 0.010873156995830743, r = −0.049 (Python)', () => {
    const env = new MountainCarContinuousEnv();
    env.reset(0);
    env.state.set([-0.5, 0.01]);
    const r = env.step([0.7]);
    expect(close(r.observation, [-0.48912684300416925, 0.010873156995830743])).toBe(true);
    expect(r.reward).toBeCloseTo(-0.049, 15);
    expect(r.terminated).toBe(false);
  });

  it('the action cost uses the unclipped action while the force is clipped; the clipped cost is rejected', () => {
    const env = new MountainCarContinuousEnv();
    env.reset(0);
    env.state.set([-0.5, 0.0]);
    const r = env.step([3]);
    expect(r.reward).toBeCloseTo(-0.9, 14); // −0.1·3², not −0.1·1²
    const v = 0.0015 * 1 - 0.0025 * Math.cos(3 * -0.5);
    expect(close(r.observation, [-0.5 + v, v])).toBe(true);
  });

  it('clips v to ±0.07, stops at the left wall, terminates at x ≥ 0.45 with v ≥ 0 paying 100 − 0.1a²', () => {
    const env = new MountainCarContinuousEnv();
    env.reset(0);
    env.state.set([-Math.PI / 6, 0.0699]); // cos 3x = 0: v + 0.0015 = 0.0714 → 0.07
    env.step([1]);
    expect(env.state[1]).toBe(0.07);
    env.state.set([-1.19, -0.05]);
    env.step([-1]);
    expect(env.state[0]).toBe(-1.2);
    expect(env.state[1]).toBe(0);
    env.state.set([0.44, 0.02]);
    const r = env.step([0.5]);
    expect(r.terminated).toBe(true);
    expect(r.reward).toBeCloseTo(100 - 0.025, 12);
    // control: just short of the goal
    const e2 = new MountainCarContinuousEnv();
    e2.reset(0);
    e2.state.set([0.42, 0.02]);
    const r2 = e2.step([0]);
    expect(e2.state[0]).toBeLessThan(0.45);
    expect(r2.terminated).toBe(false);
    expect(r2.reward).toBe(0);
  });

  it('reset draws x ∼ U(−0.6, −0.4) with v = 0; truncated at 999', () => {
    const env = new MountainCarContinuousEnv();
    let lo = 0, hi = -1;
    for (let seed = 0; seed < 2000; seed++) {
      const o = env.reset(seed);
      expect(o[1]).toBe(0);
      lo = Math.min(lo, o[0]!); hi = Math.max(hi, o[0]!);
    }
    expect(lo).toBeGreaterThanOrEqual(-0.6); expect(hi).toBeLessThanOrEqual(-0.4);
    expect(lo).toBeLessThan(-0.59); expect(hi).toBeGreaterThan(-0.41);
    const lim = makeClassicEnv('MountainCarContinuous-v0');
    lim.reset(0);
    let t = 0, r;
    do { r = lim.step([0]); t++; } while (!r.terminated && !r.truncated);
    expect(r.truncated).toBe(true);
    expect(t).toBe(999);
  });
});

describe('determinism of the classic tasks', () => {
  const run = (env: Env, seed: number, steps: number) => {
    const rng = Rng.from(seed + 1000), out: number[] = [];
    let o = env.reset(seed);
    for (let t = 0; t < steps; t++) {
      const a = env.actionSpace.kind === 'discrete' ? rng.int(env.actionSpace.n) : [4 * rng.uniform() - 2];
      const r = env.step(a);
      out.push(...r.observation, r.reward, +r.terminated, +r.truncated);
      o = r.terminated || r.truncated ? env.reset() : r.observation;
    }
    out.push(...o);
    return out;
  };
  for (const id of ['CartPole-v1', 'Acrobot-v1', 'Pendulum-v1', 'MountainCarContinuous-v0']) {
    it(`${id}: the same seed gives a bit-identical trajectory; another seed does not`, () => {
      const a = run(makeClassicEnv(id), 7, 600), b = run(makeClassicEnv(id), 7, 600), c = run(makeClassicEnv(id), 8, 600);
      expect(a.every((x, i) => Object.is(x, b[i]))).toBe(true);
      expect(a.length === c.length && a.every((x, i) => Object.is(x, c[i]))).toBe(false);
    });
  }
});

describe('angle maps', () => {
  it('wrapInto(θ, −π, π) lies in [−π, π] and differs from θ by a whole number of turns; values inside are kept', () => {
    fc.assert(fc.property(fc.integer({ min: -40000, max: 40000 }), (k) => {
      const theta = k / 1000; // −40 … 40 rad
      const w = wrapInto(theta, -Math.PI, Math.PI);
      expect(w).toBeGreaterThanOrEqual(-Math.PI);
      expect(w).toBeLessThanOrEqual(Math.PI);
      const turns = (theta - w) / (2 * Math.PI);
      expect(Math.abs(turns - Math.round(turns))).toBeLessThan(1e-12);
      if (Math.abs(theta) <= Math.PI) expect(w).toBe(theta);
    }));
    expect(wrapInto(Math.PI, -Math.PI, Math.PI)).toBe(Math.PI); // the bound stays (a modulo would map it to −π)
  });

  it('normalizeAngle(θ) = ((θ + π) mod 2π) − π lies in [−π, π) and differs from θ by whole turns', () => {
    fc.assert(fc.property(fc.integer({ min: -40000, max: 40000 }), (k) => {
      const theta = k / 1000;
      const n = normalizeAngle(theta);
      expect(n).toBeGreaterThanOrEqual(-Math.PI);
      expect(n).toBeLessThan(Math.PI);
      const turns = (theta - n) / (2 * Math.PI);
      expect(Math.abs(turns - Math.round(turns))).toBeLessThan(1e-12);
    }));
    expect(normalizeAngle(Math.PI)).toBe(-Math.PI);
    expect(normalizeAngle(-7)).toBeCloseTo(-7 + 2 * Math.PI, 14); // JavaScript's % keeps the sign: the remainder must be made non-negative
  });
});
