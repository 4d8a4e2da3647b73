// The worker pool: one seed gives bit-identical batches and estimates whatever the number of
// workers, and the same as the in-thread functions; workers start from the TypeScript
// sources (this vitest run: tsx bootstrap) and from the compiled JavaScript (a fresh tsc
// build run by plain node); typed errors raised in a worker keep their code.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { garnet, shortCorridor, suttonBartoGridworld4x4 } from '../../src/mdp/index.js';
import { shortCorridorPolicy, shortCorridorTheta } from '../../src/policy/library.js';
import { validateBatch } from '../../src/sampling/batch.js';
import { sampleEpisodes } from '../../src/sampling/episodes.js';
import { mapBatchesSync } from '../../src/sampling/map.js';
import type { BatchPlan } from '../../src/sampling/plan.js';
import { mapBatches, SamplerPool, workerEntry } from '../../src/sampling/worker-pool.js';
import { SegmentCollector } from '../../src/sampling/segments.js';
import { Rng } from '../../src/stats/rng.js';
import { expectError } from '../helpers.js';
import { digest, logRatioSum, visitCounts } from './fixtures/tasks.js';
import { expectSameBatch, randomSoftmax } from './helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tasks = fileURLToPath(new URL('./fixtures/tasks.ts', import.meta.url));
const mdp = garnet({ states: 9, actions: 3, branching: 3, gamma: 0.9, seed: 7 });
const spec = { mdp, policy: randomSoftmax(mdp, 1), behaviour: randomSoftmax(mdp, 2) };
const corridor = { mdp: shortCorridor(), policy: { param: shortCorridorPolicy(), theta: shortCorridorTheta(0.4) } };
let one: SamplerPool, two: SamplerPool;

beforeAll(async () => { [one, two] = await Promise.all([SamplerPool.create({ workers: 1 }), SamplerPool.create({ workers: 2 })]); });
afterAll(async () => { await Promise.all([one?.close(), two?.close()]); });

describe('determinism across worker counts', () => {
  it('workers start from the TypeScript sources here (tsx bootstrap)', () => {
    expect(workerEntry().mode).toBe('ts+tsx');
    expect(two.mode).toBe('ts+tsx');
    expect(two.size).toBe(2);
  });

  it('sampleEpisodes: 1 worker, 2 workers and this thread give the same batch, bit for bit', async () => {
    for (const [s, o] of [[spec, { episodes: 1001, seed: 5, geometric: true }], [spec, { episodes: 300, seed: 'x', maxSteps: 17 }], [corridor, { episodes: 777, seed: 9 }]] as const) {
      const here = sampleEpisodes(s, o);
      const [a, b] = await Promise.all([one.sampleEpisodes(s, o), two.sampleEpisodes(s, o)]);
      validateBatch(a);
      expectSameBatch(a, here);
      expectSameBatch(b, here);
    }
    // and the seed matters (negative control of the comparison itself)
    const other = await two.sampleEpisodes(spec, { episodes: 1001, seed: 6, geometric: true });
    expect(() => expectSameBatch(other, sampleEpisodes(spec, { episodes: 1001, seed: 5, geometric: true }))).toThrow();
  });

  it('mapBatches: the K×d estimates are identical with 1 and 2 workers, in this thread, and from a fresh pool', async () => {
    const plan: BatchPlan = { source: { kind: 'episodes', episodes: 50, geometric: true }, batches: 37, seed: 3 };
    const ref = mapBatchesSync(spec, plan, visitCounts);
    expect(ref.dim).toBe(27);
    const runs = await Promise.all([
      one.mapBatches(spec, plan, { module: tasks, name: 'visitCounts' }),
      two.mapBatches(spec, plan, { module: tasks, name: 'visitCounts' }),
      mapBatches(spec, plan, { module: tasks, name: 'visitCounts' }, { workers: 0 }),
      mapBatches(spec, plan, { module: new URL('./fixtures/tasks.ts', import.meta.url), name: 'visitCounts' }, { workers: 2 }),
    ]);
    for (const r of runs) {
      expect(r.batches).toBe(37);
      expect(r.transitions).toBe(ref.transitions);
      expect(Buffer.from(r.values.buffer).equals(Buffer.from(ref.values.buffer))).toBe(true);
    }
  });

  it('batch k of a plan is sampleEpisodes with the seed Rng.from(seed).split(k); segment plans likewise', () => {
    const plan: BatchPlan = { source: { kind: 'episodes', episodes: 40, maxSteps: 30 }, batches: 5, seed: 'plan' };
    const rows = mapBatchesSync(spec, plan, digest, { scale: 2 });
    for (let k = 0; k < 5; k++) {
      const b = sampleEpisodes(spec, { episodes: 40, maxSteps: 30, seed: Rng.from('plan').split(k) });
      expect(Array.from(rows.values.subarray(6 * k, 6 * k + 6))).toEqual(digest(b, { index: k, options: { scale: 2 } } as never));
    }
    const seg: BatchPlan = { source: { kind: 'segments', envs: 3, length: 20, skip: 2, maxSteps: 15 }, batches: 4, seed: 8 };
    const segRows = mapBatchesSync(spec, seg, digest, { scale: 1 });
    for (let k = 0; k < 4; k++) {
      const c = new SegmentCollector(spec, { envs: 3, length: 20, maxSteps: 15, seed: Rng.from(8).split(k) });
      c.next(); c.next();
      expect(Array.from(segRows.values.subarray(6 * k, 6 * k + 6))).toEqual(digest(c.next(), { index: k, options: { scale: 1 } } as never));
    }
  });

  it('the builder a thread keeps between calls changes nothing: calls of other shapes in between, and a plan mapped inside a task', () => {
    const plan: BatchPlan = { source: { kind: 'episodes', episodes: 30, maxSteps: 25 }, batches: 6, seed: 11 };
    const first = mapBatchesSync(spec, plan, digest, { scale: 1 });
    mapBatchesSync(spec, { source: { kind: 'episodes', episodes: 400, maxSteps: 60 }, batches: 2, seed: 1 }, digest, { scale: 1 }); // grows the kept builder
    mapBatchesSync(spec, { source: { kind: 'segments', envs: 5, length: 9 }, batches: 2, seed: 1 }, digest, { scale: 1 });
    mapBatchesSync(corridor, { source: { kind: 'episodes', episodes: 5 }, batches: 2, seed: 1 }, digest, { scale: 1 }); // another shape
    expect(Array.from(mapBatchesSync(spec, plan, digest, { scale: 1 }).values)).toEqual(Array.from(first.values));
    // an inner plan drawn while the outer batch is in use must not overwrite it
    const other = { ...plan, seed: 99 };
    const nested = mapBatchesSync(spec, plan, (b, ctx) => {
      const before = digest(b, ctx);
      mapBatchesSync(spec, other, digest, { scale: 1 });
      return [...before, ...digest(b, ctx)];
    }, { scale: 1 });
    for (let k = 0; k < 6; k++) {
      const row = Array.from(nested.values.subarray(12 * k, 12 * k + 12));
      expect(row.slice(6)).toEqual(row.slice(0, 6));
      expect(row.slice(0, 6)).toEqual(Array.from(first.values.subarray(6 * k, 6 * k + 6)));
    }
    // negative control: the digest tells the inner plan's batches apart from the outer's
    expect(Array.from(mapBatchesSync(spec, other, digest, { scale: 1 }).values)).not.toEqual(Array.from(first.values));
  });

  it('the task sees the evaluated policy while logp_t is the behaviour’s (a log-linear policy survives the trip)', async () => {
    const plan: BatchPlan = { source: { kind: 'episodes', episodes: 20 }, batches: 6, seed: 1 };
    const sc = { ...corridor, behaviour: { param: shortCorridorPolicy(), theta: shortCorridorTheta(0.7) } };
    const w = await two.mapBatches(sc, plan, { module: tasks, name: 'logRatioSum' });
    expect(Buffer.from(w.values.buffer).equals(Buffer.from(mapBatchesSync(sc, plan, logRatioSum).values.buffer))).toBe(true);
    expect(w.values.every((x) => x !== 0)).toBe(true); // π ≠ μ: the ratios are not all 1
    const same = mapBatchesSync(corridor, plan, logRatioSum); // no behaviour: log π − log μ = 0 (negative control)
    expect(same.values.every((x) => x === 0)).toBe(true);
  });
});

describe('errors raised in workers keep their codes', () => {
  const plan: BatchPlan = { source: { kind: 'episodes', episodes: 10, maxSteps: 20 }, batches: 8, seed: 1 };
  it('a task of the wrong shape or with NaN: ESTIMATOR_INVALID; a throwing task or a missing export: WORKER_FAILED', async () => {
    const code = async (p: Promise<unknown>) => p.then(() => 'resolved', (e: { code?: string; message: string }) => `${e.code}: ${e.message}`);
    expect(await code(two.mapBatches(spec, plan, { module: tasks, name: 'ragged' }))).toMatch(/^ESTIMATOR_INVALID: .*batch/);
    expect(await code(two.mapBatches(spec, plan, { module: tasks, name: 'notFinite' }))).toMatch(/^ESTIMATOR_INVALID: .*batch 3\b.*NaN/);
    expect(await code(two.mapBatches(spec, plan, { module: tasks, name: 'throws' }))).toMatch(/^WORKER_FAILED: .*always fails/);
    expect(await code(two.mapBatches(spec, plan, { module: tasks, name: 'nope' }))).toMatch(/^WORKER_FAILED: .*no exported function "nope"/);
    expect(await code(two.mapBatches(spec, { ...plan, source: { kind: 'episodes', episodes: 10, maxSteps: 20, maxTransitions: 50 } }, { module: tasks, name: 'visitCounts' }))).toMatch(/^TOO_LARGE: /);
    // the pool is still usable after task errors
    expect((await two.mapBatches(spec, plan, { module: tasks, name: 'visitCounts' })).batches).toBe(8);
  });
  it('invalid requests fail in the calling thread with typed errors', async () => {
    await expect(two.sampleEpisodes(spec, { episodes: 0, seed: 1, maxSteps: 5 })).rejects.toMatchObject({ code: 'SAMPLING_COUNT' });
    await expect(two.sampleEpisodes(spec, { episodes: 5, seed: Rng.from(1), maxSteps: 5 })).rejects.toMatchObject({ code: 'SAMPLING_OPTIONS' });
    await expect(two.sampleEpisodes(spec, { episodes: 5, seed: 1 })).rejects.toMatchObject({ code: 'SAMPLING_UNBOUNDED' });
    await expect(two.mapBatches(spec, { ...plan, batches: 1.5 }, { module: tasks, name: 'visitCounts' })).rejects.toMatchObject({ code: 'SAMPLING_COUNT' });
    await expect(SamplerPool.create({ workers: 0 })).rejects.toMatchObject({ code: 'SAMPLING_COUNT' });
    const closed = await SamplerPool.create({ workers: 1 });
    await closed.close();
    await expect(closed.sampleEpisodes(spec, { episodes: 5, seed: 1, maxSteps: 5 })).rejects.toMatchObject({ code: 'WORKER_FAILED' });
    expectError(() => mapBatchesSync(spec, plan, 'visitCounts' as never), 'SAMPLING_OPTIONS', 'task');
  });
});

describe('workers from the compiled JavaScript (plain node, no tsx)', () => {
  const out = join(root, 'node_modules/.cache/pgtruth-sampling-test');
  beforeAll(() => {
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.json'), '--outDir', join(out, 'dist'), '--tsBuildInfoFile', join(out, 'tsbuildinfo'), '--sourceMap', 'false', '--declaration', 'false'], { stdio: 'pipe' });
  }, 180_000);

  it('start as plain `worker.js` workers and give the same bits as the sources in this process', async () => {
    const script = join(out, 'run.mjs');
    writeFileSync(script, `
      import { SamplerPool, sampleEpisodes, garnet, softmaxPolicy, Rng } from './dist/src/index.js';
      const mdp = garnet({ states: 9, actions: 3, branching: 3, gamma: 0.9, seed: 7 });
      const pol = (seed) => { const r = Rng.from(seed); return { param: softmaxPolicy(9, 3), theta: Float64Array.from({ length: 27 }, () => r.normal()) }; };
      const spec = { mdp, policy: pol(1), behaviour: pol(2) };
      const opts = { episodes: 1001, seed: 5, geometric: true };
      const pool = await SamplerPool.create({ workers: 2 });
      const b = await pool.sampleEpisodes(spec, opts);
      const here = sampleEpisodes(spec, opts);
      const tsPool = await SamplerPool.create({ workers: 2, typescript: true });
      const plan = { source: { kind: 'episodes', episodes: 50, geometric: true }, batches: 37, seed: 3 };
      const est = await tsPool.mapBatches(spec, plan, { module: ${JSON.stringify(tasks)}, name: 'visitCounts' });
      await pool.close(); await tsPool.close();
      const hex = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
      console.log(JSON.stringify({ mode: pool.mode, tsMode: tsPool.mode, same: hex(b.r_t) === hex(here.r_t) && hex(b.s_t) === hex(here.s_t),
        r: hex(b.r_t), s: hex(b.s_t), logp: hex(b.logp_t), est: hex(est.values) }));
    `);
    const r = spawnSync(process.execPath, [script], { cwd: out, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const got = JSON.parse(r.stdout) as Record<string, string | boolean>;
    expect(got.mode).toBe('js');
    expect(got.tsMode).toBe('js+tsx');
    expect(got.same).toBe(true);
    const b = await two.sampleEpisodes(spec, { episodes: 1001, seed: 5, geometric: true });
    const b64 = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
    expect(got.r).toBe(b64(b.r_t));
    expect(got.s).toBe(b64(b.s_t));
    expect(got.logp).toBe(b64(b.logp_t));
    expect(got.est).toBe(b64(mapBatchesSync(spec, { source: { kind: 'episodes', episodes: 50, geometric: true }, batches: 37, seed: 3 }, visitCounts).values));
  }, 120_000);
});

describe('episodic MDPs through the pool', () => {
  it('gridworld 4×4 episodes end at terminal states with any number of workers', async () => {
    const g = { mdp: suttonBartoGridworld4x4(), policy: randomSoftmax(suttonBartoGridworld4x4(), 3) };
    const b = await two.sampleEpisodes(g, { episodes: 500, seed: 2 });
    validateBatch(b);
    expectSameBatch(b, await one.sampleEpisodes(g, { episodes: 500, seed: 2 }));
    expect(b.terminated_t.reduce((x, y) => x + y, 0)).toBe(500);
  });
});
