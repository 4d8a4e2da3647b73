// HalfCheetah-v5 and Hopper-v5 through mujoco-js: spaces, rewards recomputed in this file from
// qpos before and after each step (Gymnasium v5's formulas), Hopper's healthy rules written out
// again here, reset noise, determinism, and the typed errors when mujoco-js is absent (the
// loader seam) or a model cannot be compiled. Negative controls: a wrong dt, v4's healthy reward,
// a wrong reset-noise scale — each rejected by the same comparison.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  HalfCheetahEnv, HopperEnv, TimeLimit, VectorEnv, assetFolders, compileModel, loadMujoco, makeEnv, readModelXML, setMujocoLoader, type Env,
} from '../../src/env/index.js';
import { Rng } from '../../src/stats/rng.js';

const inner = <T>(e: Env) => (e as TimeLimit).inner as T;
const sq = (a: ArrayLike<number>) => Array.from(a).reduce((s, x) => s + x * x, 0);
const randomAction = (rng: Rng, n: number, scale = 1) => Float64Array.from({ length: n }, () => scale * (2 * rng.uniform() - 1));

/** Hopper-v5's healthy rule, written out from the spec. */
function healthyByHand(qpos: Float64Array, qvel: Float64Array): boolean {
  const state = [...qpos.slice(2), ...qvel];
  return state.every((v) => v > -100 && v < 100) && qpos[1]! > 0.7 && qpos[2]! > -0.2 && qpos[2]! < 0.2;
}

describe('MuJoCo tasks (mujoco-js)', () => {
  afterEach(() => setMujocoLoader(undefined));

  it('HalfCheetah-v5: spaces, dt = 0.05, limit 1000; reward = Δx/dt − 0.1Σa² and obs = qpos[1:] ++ qvel on every step (a dt of 0.01 is rejected)', async () => {
    const env = await makeEnv('HalfCheetah-v5');
    const hc = inner<HalfCheetahEnv>(env);
    expect(env.observationSize).toBe(17);
    expect(env.actionSpace).toMatchObject({ kind: 'box', shape: [6] });
    expect(Array.from((env.actionSpace as { low: Float64Array }).low)).toEqual([-1, -1, -1, -1, -1, -1]);
    expect(hc.dt).toBeCloseTo(0.05, 15);
    expect(env.maxEpisodeSteps).toBe(1000);
    env.reset(3);
    const rng = Rng.from(4);
    let wrongDtMisses = 0;
    for (let t = 0; t < 60; t++) {
      const x0 = hc.qpos()[0]!, a = randomAction(rng, 6);
      const r = env.step(a);
      const qpos = hc.qpos(), qvel = hc.qvel();
      const want = (qpos[0]! - x0) / 0.05 - 0.1 * sq(a);
      expect(Math.abs(r.reward - want)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(want)));
      if (Math.abs(r.reward - ((qpos[0]! - x0) / 0.01 - 0.1 * sq(a))) > 1e-6) wrongDtMisses++;
      expect(Array.from(r.observation)).toEqual([...qpos.slice(1), ...qvel]);
      expect(r.terminated).toBe(false);
    }
    expect(wrongDtMisses).toBeGreaterThan(50);
  });

  it('Hopper-v5: spaces, dt = 0.008; reward = Δx/dt + 1[healthy] − 0.001Σa², terminated iff unhealthy, obs velocities clipped to ±10 (v4\'s unconditional +1 is rejected)', async () => {
    const env = await makeEnv('Hopper-v5');
    const h = inner<HopperEnv>(env);
    expect(env.observationSize).toBe(11);
    expect(env.actionSize).toBe(3);
    expect(h.dt).toBeCloseTo(0.008, 15);
    const rng = Rng.from(8);
    let terminations = 0, clipped = 0, v4Rejected = 0;
    for (let ep = 0; ep < 6; ep++) {
      env.reset(100 + ep);
      for (let t = 0; t < 1000; t++) {
        const x0 = h.qpos()[0]!, a = randomAction(rng, 3);
        const r = env.step(a);
        const qpos = h.qpos(), qvel = h.qvel(), healthy = healthyByHand(qpos, qvel);
        const want = (qpos[0]! - x0) / 0.008 + (healthy ? 1 : 0) - 0.001 * sq(a);
        expect(Math.abs(r.reward - want)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(want)));
        expect(r.terminated).toBe(!healthy);
        expect(Array.from(r.observation)).toEqual([...qpos.slice(1), ...Array.from(qvel, (v) => Math.min(Math.max(v, -10), 10))]);
        if (qvel.some((v) => Math.abs(v) > 10)) clipped++;
        if (r.terminated) {
          terminations++;
          const v4 = (qpos[0]! - x0) / 0.008 + 1 - 0.001 * sq(a);
          if (Math.abs(r.reward - v4) > 0.5) v4Rejected++;
          break;
        }
      }
    }
    expect(terminations).toBe(6); // random actions topple the hopper within an episode
    expect(v4Rejected).toBe(6);
    // fast joints: the observation clips qvel to ±10 while the state keeps it
    env.reset(0);
    h.setState(h.qpos(), [0, 0, 0, 40, -40, 0]);
    const r = env.step(new Float64Array(3));
    const qvel = h.qvel();
    expect(Math.abs(qvel[3]!)).toBeGreaterThan(10);
    expect(Math.abs(qvel[4]!)).toBeGreaterThan(10);
    expect(Array.from(r.observation.subarray(5))).toEqual(Array.from(qvel, (v) => Math.min(Math.max(v, -10), 10)));
    expect(clipped).toBe(0); // (the random-action episodes above never reached 10)
  });

  it('reset noise: HalfCheetah qpos0 ± 0.1 and qvel 0.1·N(0,1); Hopper qpos0 ± 0.005 and qvel ± 0.005 (variance test α = 1e-6; σ = 0.12 rejected)', async () => {
    const hc = inner<HalfCheetahEnv>(await makeEnv('HalfCheetah-v5'));
    const hop = inner<HopperEnv>(await makeEnv('Hopper-v5'));
    expect(Array.from(hop.initQpos)).toEqual([0, 1.25, 0, 0, 0, 0]);
    let ss = 0, n = 0, maxDev = 0;
    for (let seed = 0; seed < 300; seed++) {
      hc.reset(seed);
      const qpos = hc.qpos(), qvel = hc.qvel();
      qpos.forEach((v, i) => { const d = Math.abs(v - hc.initQpos[i]!); expect(d).toBeLessThanOrEqual(0.1); maxDev = Math.max(maxDev, d); });
      for (const v of qvel) { ss += v * v; n++; }
      const o = hop.reset(seed), hq = hop.qpos(), hv = hop.qvel();
      hq.forEach((v, i) => expect(Math.abs(v - hop.initQpos[i]!)).toBeLessThanOrEqual(0.005));
      hv.forEach((v) => expect(Math.abs(v)).toBeLessThanOrEqual(0.005));
      expect(o[0]).toBeGreaterThan(1.24); // z = 1.25 ± 0.005 is observed first (x excluded)
    }
    expect(maxDev).toBeGreaterThan(0.099); // covers the range: Pr(all 2700 |U| < 0.099) = 0.99^2700 < 1e-11
    // Σ qvel²/σ² ∼ χ²(n), n = 2700: z = (S − n)/√(2n) within ±4.892 (α = 1e-6). A scale of 0.12
    // would give z ≈ (1.44 − 1)·n/√(2n) ≈ 16 (power ≈ 1; detects a 10% scale error with power 0.999).
    const z = (s2: number) => (ss / s2 - n) / Math.sqrt(2 * n);
    expect(Math.abs(z(0.01))).toBeLessThan(4.892);
    expect(Math.abs(z(0.12 ** 2))).toBeGreaterThan(4.892);
  });

  it('determinism: one seed gives a bit-identical trajectory; vector copies equal single environments with split seeds', async () => {
    const run = async (seed: number) => {
      const env = await makeEnv('Hopper-v5');
      const rng = Rng.from(1), out: number[] = [...env.reset(seed)];
      for (let t = 0; t < 150; t++) {
        const r = env.step(randomAction(rng, 3));
        out.push(...r.observation, r.reward);
        if (r.terminated || r.truncated) out.push(...env.reset());
      }
      return out;
    };
    const a = await run(2), b = await run(2), c = await run(3);
    expect(a.every((x, i) => Object.is(x, b[i]))).toBe(true);
    expect(a.every((x, i) => Object.is(x, c[i]))).toBe(false);

    const vec = new VectorEnv([await makeEnv('HalfCheetah-v5'), await makeEnv('HalfCheetah-v5')]);
    const singles = [await makeEnv('HalfCheetah-v5'), await makeEnv('HalfCheetah-v5')];
    vec.reset(9);
    singles.forEach((e, i) => e.reset(Rng.from(9).split(i)));
    const rng = Rng.from(2);
    for (let t = 0; t < 40; t++) {
      const acts = randomAction(rng, 12);
      vec.step(acts);
      singles.forEach((e, i) => {
        const r = e.step(acts.subarray(6 * i, 6 * i + 6));
        expect(Array.from(vec.nextObservations.subarray(17 * i, 17 * i + 17))).toEqual(Array.from(r.observation));
        expect(vec.rewards[i]).toBe(r.reward);
      });
    }
    expect(vec.nextObservations.subarray(0, 17)).not.toEqual(vec.nextObservations.subarray(17, 34));
  });

  it('steps stay right across a WebAssembly heap growth (other copies created between two steps detach the old heap views)', async () => {
    const env = await makeEnv('HalfCheetah-v5');
    const hc = inner<HalfCheetahEnv>(env);
    env.reset(1);
    const a = new Float64Array(6).fill(0.5);
    env.step(a);
    const oldView = (hc as unknown as { qposView: Float64Array }).qposView;
    const mj = await loadMujoco();
    const model = compileModel(mj, 'half_cheetah.xml');
    const extra = Array.from({ length: 20 }, () => new mj.MjData(model));
    expect(oldView.length).toBe(0); // the control: the heap did grow, so a cached view would read undefined (NaN rewards)
    const x0 = hc.qpos()[0]!;
    const r = env.step(a);
    const want = (hc.qpos()[0]! - x0) / 0.05 - 0.1 * sq(a);
    expect(Math.abs(r.reward - want)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(want)));
    extra.forEach((d) => d.delete());
  });

  it('close frees a copy; a closed copy refuses to step or reset (ENV_NEEDS_RESET)', async () => {
    const env = await makeEnv('Hopper-v5');
    env.reset(0);
    env.close();
    expect(() => env.step(new Float64Array(3))).toThrow(/ENV_NEEDS_RESET.*closed/);
    expect(() => env.reset(0)).toThrow(/ENV_NEEDS_RESET.*closed/);
    env.close(); // idempotent
    const other = await makeEnv('Hopper-v5'); // the shared model is unaffected
    other.reset(0);
    expect(Number.isFinite(other.step(new Float64Array(3)).reward)).toBe(true);
  });

  it('the 1000-step limit truncates HalfCheetah', async () => {
    const env = await makeEnv('HalfCheetah-v5');
    env.reset(0);
    const zero = new Float64Array(6);
    let r;
    for (let t = 1; t <= 1000; t++) { r = env.step(zero); if (t < 1000) expect(r.truncated).toBe(false); }
    expect(r!.truncated).toBe(true);
    expect(r!.terminated).toBe(false);
  });

  it('ENV_MUJOCO_UNAVAILABLE when mujoco-js cannot be loaded (simulated through the loader seam), with the install command; it recovers', async () => {
    setMujocoLoader(() => Promise.reject(new Error("Cannot find package 'mujoco-js'")));
    await expect(makeEnv('HalfCheetah-v5')).rejects.toMatchObject({ code: 'ENV_MUJOCO_UNAVAILABLE' });
    await expect(makeEnv('Hopper-v5')).rejects.toThrow(/npm install mujoco-js/);
    setMujocoLoader(async () => ({ notMujoco: true }));
    await expect(loadMujoco()).rejects.toMatchObject({ code: 'ENV_MUJOCO_UNAVAILABLE' });
    // classic tasks never load it
    await expect(makeEnv('CartPole-v1')).resolves.toBeDefined();
    setMujocoLoader(undefined);
    await expect(makeEnv('Hopper-v5')).resolves.toBeDefined();
  });

  it('the shipped models compile to the object counts Gymnasium\'s own test expects (test_mujoco_v5.py: test_model_object_count)', async () => {
    const mj = await loadMujoco();
    const count = (file: string) => {
      const m = compileModel(mj, file) as unknown as Record<string, number> & { opt: { timestep: number } };
      return { nq: m.nq, nv: m.nv, nu: m.nu, nbody: m.nbody, njnt: m.njnt, ngeom: m.ngeom, ntendon: m.ntendon, timestep: m.opt.timestep };
    };
    expect(count('half_cheetah.xml')).toEqual({ nq: 9, nv: 9, nu: 6, nbody: 8, njnt: 9, ngeom: 9, ntendon: 0, timestep: 0.01 });
    expect(count('hopper.xml')).toEqual({ nq: 6, nv: 6, nu: 3, nbody: 5, njnt: 6, ngeom: 5, ntendon: 0, timestep: 0.002 });
  });

  it('the compiled build finds the shipped models: from dist/src/env/mujoco/ the search reaches src/env/mujoco/assets', () => {
    const root = new URL('../../', import.meta.url);
    const folders = assetFolders(new URL('dist/src/env/mujoco/loader.js', root).href);
    expect(folders[1]).toBe(fileURLToPath(new URL('src/env/mujoco/assets', root)));
    for (const f of ['half_cheetah.xml', 'hopper.xml', 'NOTICE', 'LICENSE-Gymnasium']) expect(existsSync(join(folders[1]!, f))).toBe(true);
    expect(readFileSync(join(folders[1]!, 'NOTICE'), 'utf8')).toMatch(/MIT License/);
  });

  it('ENV_MUJOCO_MODEL for a missing or malformed model file', async () => {
    expect(() => readModelXML('no-such-model.xml')).toThrow(/ENV_MUJOCO_MODEL/);
    const mj = await loadMujoco();
    expect(() => compileModel(mj, 'broken.xml', '<mujoco><worldbody><body><geom type="nonsense"/></body></worldbody></mujoco>')).toThrow(/ENV_MUJOCO_MODEL/);
    expect(readModelXML('hopper.xml')).toMatch(/<mujoco model="hopper">/);
  });
});
