/**
 * The advantage kind's critic claim: an advantage estimator run with value tables other
 * than V^π, and on episodes cut by time limits and by segments that start mid-episode,
 * against the exact conditional means of the definition it declares
 * (src/exact/advantage-expectation.ts).
 *
 * **Why other critics.** With V^π every later TD error has conditional mean zero, so any
 * weighting of the later TD errors, any bootstrap at a termination (V^π is 0 there) and a
 * carry that crosses an episode end leave E[Â | s,a] = A^π: no sample size can see them.
 * Under other critics they change the mean. The critics, per instance (scale
 * σ = max(1, max|V^π|)):
 *
 * | critic | exposes |
 * | --- | --- |
 * | V^π | the classic claim on the truncated layouts below (E[Â] = A^π at every m) |
 * | 0 | decay weights (Â = Σ weights·r), a leaked carry (the next episode's return) |
 * | V^π + σ(1 + s mod 3)/3 | a bootstrap through a termination (non-zero on terminal states), cut bootstraps |
 * | σ·N(0,1) per state, seeded | anything linear in V that the others miss by symmetry |
 *
 * **Where.** Complete episodes (m = ∞) on the episodic instances; a time limit of 8 steps on
 * the 4×4 gridworld (most episodes are cut); segments of 32 environments × 8 steps taken
 * from the second segment on (they start mid-episode, at t_index > 0, and episodes end at
 * random offsets inside them) on the episodic Garnet, and with a time limit of 20 on the
 * continuing Garnet (6 states, γ = 0.9; the user's MDP with --mdp). One in eight transitions of a segment batch is the last before a
 * cut; those get a check of their own (./../advantage-targets.ts), so a bug acting only at
 * cuts is resolved by a test that does not dilute it among uncut transitions.
 *
 * @module
 */
import { fail, show } from '../../errors.js';
import { advantageExpectation, checkDefinition, type AdvantageDefinition } from '../../exact/advantage-expectation.js';
import type { BatchEstimates } from '../../sampling/map.js';
import type { BatchSource } from '../../sampling/plan.js';
import { evaluatePolicy } from '../../exact/evaluate.js';
import { policyGradient } from '../../exact/gradient.js';
import { garnet } from '../../mdp/library/garnet.js';
import { softmaxPolicy } from '../../policy/softmax.js';
import { Rng } from '../../stats/rng.js';
import { summarize } from '../../stats/summary.js';
import { hasCuts, type CriticTaskOptions } from '../advantage-targets.js';
import type { Check, Claim, RunContext } from '../claim.js';
import type { AdvantageEstimator, LoadedEstimator } from '../plugin.js';
import { CHECK_ALPHA, meanCheck } from '../sampled.js';
import { diagnose, type Candidate, type Reader } from '../diagnose.js';
import { findMutation } from '../mutations.js';
import { batchesFor, PILOT_BATCHES, sizeAndRun, spreads, sizedDecision, STATED_VISIT_FRACTION, type Scaling, type SizedItem } from '../power.js';
import type { EstimatorInstance } from './estimators.js';

/** One critic: a name and a value table V[s]. */
export interface Critic {
  readonly name: string;
  readonly values: Float64Array;
}

/** The critics of the module comment for one instance. */
export function criticsFor(x: EstimatorInstance): Critic[] {
  const S = x.mdp.numStates, V = Float64Array.from(x.ev.V);
  const sigma = Math.max(1, ...Array.from(V, Math.abs));
  const rng = Rng.from(`check/critic/${x.label}`);
  return [
    { name: 'V^π', values: V },
    { name: '0', values: new Float64Array(S) },
    { name: 'V^π + offset', values: V.map((v, s) => v + (sigma * (1 + (s % 3))) / 3) },
    { name: 'random', values: Float64Array.from({ length: S }, () => sigma * rng.normal()) },
  ];
}

let garnetCache: EstimatorInstance | undefined;
/**
 * The continuing instance of the built-in critic settings: the library's Garnet (6 states,
 * 3 actions, branching 3, γ = 0.9, seed 1) with a seeded softmax policy. Stochastic
 * transitions and dense rewards make each (s, a)'s residual a sum of many small outcomes;
 * on the deterministic 5×5 gridworld (rare −1 rewards at the walls) a per-(s, a) residual is
 * a rare-event indicator whose studentized mean is not close to normal at 375 batches.
 */
export function continuingGarnetInstance(): EstimatorInstance {
  if (garnetCache) return garnetCache;
  const mdp = garnet({ states: 6, actions: 3, branching: 3, gamma: 0.9, seed: 1 });
  const rng = Rng.from('check/critic/garnet');
  const policy = { param: softmaxPolicy(6, 3), theta: Float64Array.from({ length: 18 }, () => 0.7 * rng.normal()) };
  const ev = evaluatePolicy(mdp, policy.param.probs(policy.theta));
  const grad = policyGradient(mdp, policy, ev);
  garnetCache = { label: 'garnet γ=0.9 continuing softmax', mdp, policy, ev, grad, norm: Math.hypot(...grad) };
  return garnetCache;
}

/** One instance with one way of drawing its batches. */
export interface CriticSetting {
  readonly x: EstimatorInstance;
  readonly source: BatchSource;
  /** The layout in words. */
  readonly what: string;
}

const SEGMENTS = (skip: number, maxSteps?: number): BatchSource => ({ kind: 'segments', envs: 32, length: 8, skip, ...(maxSteps ? { maxSteps } : {}) });

/**
 * The settings: every episodic instance on complete episodes; the second episodic instance
 * (the 4×4 gridworld, or the user's MDP) with a time limit of 8; the last episodic instance
 * in segments from the second on; the continuing instance in segments from the third on
 * with a time limit of 20.
 */
export function criticSettings(inst: { readonly episodic: readonly EstimatorInstance[]; readonly continuing: readonly EstimatorInstance[] }): CriticSetting[] {
  const out: CriticSetting[] = inst.episodic.map((x) => ({ x, source: { kind: 'episodes', episodes: 16 }, what: 'complete episodes' }));
  const ep = inst.episodic;
  if (ep.length) {
    out.push({ x: ep[Math.min(1, ep.length - 1)]!, source: { kind: 'episodes', episodes: 16, maxSteps: 8 }, what: 'episodes cut by a time limit of 8' });
    out.push({ x: ep[ep.length - 1]!, source: SEGMENTS(1), what: 'segments 32×8 from the 2nd (mid-episode starts)' });
  }
  for (const x of inst.continuing) out.push({ x, source: SEGMENTS(2, 20), what: 'segments 32×8 from the 3rd, time limit 20' });
  return out;
}

/** The steps-to-cut layout of a source. */
function layout(source: BatchSource): { segmentLength: number; maxSteps: number; horizons: number; normalizer: number } {
  const maxSteps = source.maxSteps ?? 0;
  if (source.geometric) fail('SAMPLING_OPTIONS', 'the critic check needs cuts fixed in advance; geometric stopping is not', { where: 'source.geometric' });
  if (source.kind === 'segments') return { segmentLength: source.length, maxSteps, horizons: maxSteps ? Math.min(maxSteps, source.length) : source.length, normalizer: source.envs };
  return { segmentLength: 0, maxSteps, horizons: Math.max(1, maxSteps), normalizer: source.episodes };
}

/** The task options (exact tables included) of one setting, definition and λ. */
export function criticOptions(s: CriticSetting, critics: readonly Critic[], definition: AdvantageDefinition, lambda: number): CriticTaskOptions {
  const L = layout(s.source), SA = s.x.mdp.numStates * s.x.mdp.numActions, cuts = hasCuts(L);
  const pi = s.x.policy.param.probs(s.x.policy.theta);
  const advantages: number[][] = [], targets: number[][] = [];
  for (const c of critics) {
    const e = advantageExpectation(s.x.mdp, pi, c.values, definition, lambda, { horizons: L.horizons, uncut: !cuts });
    const a = new Array<number>((L.horizons + 1) * SA).fill(0), t = a.slice();
    for (let k = 0; k < L.horizons * SA; k++) { a[SA + k] = e.advantages[k]!; t[SA + k] = e.targets[k]!; }
    if (e.uncut) for (let k = 0; k < SA; k++) { a[k] = e.uncut.advantages[k]!; t[k] = e.uncut.targets[k]!; }
    advantages.push(a); targets.push(t);
  }
  return { gamma: s.x.mdp.gamma, lambda, critics: critics.map((c) => Array.from(c.values)), advantages, targets, ...L };
}

/**
 * Where a block of residuals is worst, in the estimator's own terms: the critic, (s, a),
 * advantage or target, the mean residual per episode (or environment) ± its standard error,
 * and the studentized size. Coordinates constant across batches count as 0 unless non-zero.
 */
export function worstCoordinate(block: BatchEstimates, critics: readonly string[], numActions: number, unit = 'batch'): string {
  const acc = summarize(block.values, block.dim, false), se = acc.standardErrors();
  const SA = block.dim / (2 * critics.length);
  let worst = 0, z = -1;
  for (let j = 0; j < block.dim; j++) {
    const m = Math.abs(acc.mean[j]!), zj = se[j]! > 0 ? m / se[j]! : m > 1e-9 ? Infinity : 0;
    if (zj > z) { z = zj; worst = j; }
  }
  const c = Math.floor(worst / (2 * SA)), r = worst % (2 * SA), k = r % SA;
  return `worst: critic ${critics[c]}, s = ${Math.floor(k / numActions)}, a = ${k % numActions}, ${r < SA ? 'advantage' : 'target'}: mean residual ${acc.mean[worst]!.toExponential(2)} ± ${se[worst]!.toExponential(1)} per ${unit} (|z| = ${Number.isFinite(z) ? z.toFixed(1) : '∞'})`;
}

/** The checks of one setting's estimates: all transitions, and (with cuts) the last transition before each cut; a failing one names its worst coordinate. */
export function criticChecks(label: string, est: BatchEstimates, cuts: boolean, critics?: readonly string[], numActions?: number, unit?: string, decide: (name: string, block: BatchEstimates, half: number) => Check = (name, block) => meanCheck(name, block, new Float64Array(block.dim))): Check[] {
  const check = (name: string, block: BatchEstimates, h = 0): Check => {
    const c = decide(name, block, h);
    return c.passed || !critics || !numActions ? c : { ...c, note: `${c.note ?? ''}; ${worstCoordinate(block, critics, numActions, unit)}` };
  };
  if (!cuts) return [check(`${label} (advantages and targets)`, est)];
  const d = est.dim / 2;
  const half = (h: number): BatchEstimates => {
    const v = new Float64Array(est.batches * d);
    for (let k = 0; k < est.batches; k++) v.set(est.values.subarray(k * est.dim + h * d, k * est.dim + (h + 1) * d), k * d);
    return { ...est, dim: d, values: v };
  };
  return [check(`${label} (advantages and targets)`, half(0), 0), check(`${label}: the last transition before each cut`, half(1), 1)];
}

/** Draws a setting's batches and runs the task: the user's (`builtin` absent) or a library estimator / mutant by name. */
export type CriticRun = (ctx: RunContext, s: CriticSetting, batches: number, options: CriticTaskOptions & { key?: string; estimator?: string }, stream: string, builtin?: string) => Promise<BatchEstimates>;

/** The definition an advantage estimator declares (`'gae'` when absent); `PLUGIN_INVALID` names it when malformed. */
export function declaredDefinition(e: LoadedEstimator): AdvantageDefinition {
  const d = (e.estimator as AdvantageEstimator).definition;
  if (d === undefined) return 'gae';
  try { return checkDefinition(d, `${e.key}.definition`); } catch {
    return fail('PLUGIN_INVALID', `${e.module}: export ${e.key}.definition is ${show(d)}: expected 'gae', 'lambda-return' or { nStep: n } with an integer n ≥ 1`, { where: `${e.key}.definition`, value: d });
  }
}

const describeDefinition = (d: AdvantageDefinition) => (typeof d === 'object' ? `the ${d.nStep}-step advantage` : d === 'gae' ? 'GAE(γ, λ)' : 'the λ-return');

/** A control: a catalogue mutant, the built-in setting (index into {@link criticSettings}) where it shows, its λ (n for n-step), and where it can show at all. */
export interface CriticControl {
  readonly mutant: string;
  readonly setting: number;
  readonly lambda: number;
  shows(s: CriticSetting): boolean;
}

const discounted = (s: CriticSetting) => s.x.mdp.gamma < 1 && s.x.mdp.gamma > 0;
const anyGamma = (s: CriticSetting) => s.x.mdp.gamma > 0;

/** The controls of a GAE / λ-return definition (bench/critics.ts measures their margins over seeds). */
export const GAE_CONTROLS: readonly CriticControl[] = [
  { mutant: 'mutant.gae-lambda-without-gamma', setting: 2, lambda: 1, shows: discounted },
  { mutant: 'mutant.gae-future-weights-shifted', setting: 2, lambda: 0.8, shows: anyGamma },
  { mutant: 'mutant.lambda-return-swapped-mix', setting: 3, lambda: 0.8, shows: anyGamma },
  { mutant: 'mutant.bootstrap-through-termination', setting: 1, lambda: 0.8, shows: (s) => s.x.mdp.terminalStates.length > 0 && s.source.kind === 'episodes' },
  { mutant: 'mutant.gae-no-reset', setting: 4, lambda: 0.8, shows: anyGamma },
  { mutant: 'mutant.truncation-as-termination', setting: 5, lambda: 0.8, shows: (s) => anyGamma(s) && s.source.kind === 'segments' },
];

/** The control of an n-step definition (n = 3 for the mutant: its window must reach a bootstrap). */
export const NSTEP_CONTROLS: readonly CriticControl[] = [
  { mutant: 'mutant.nstep-bootstrap-off-by-one', setting: 5, lambda: 3, shows: (s) => discounted(s) && s.source.kind === 'segments' },
];

/** Each control on its setting, or on the first setting where it can show (dropped where none can). */
export function placeControls(controls: readonly CriticControl[], settings: readonly CriticSetting[]): { control: CriticControl; setting: CriticSetting }[] {
  return controls.flatMap((control) => {
    const home = settings[control.setting];
    const setting = home && control.shows(home) ? home : settings.find((s) => control.shows(s));
    return setting ? [{ control, setting }] : [];
  });
}

/** The critic claim for one user advantage estimator. */
/** `pgtruth check`'s power settings (../power.ts): the resolution required, the time budget, the minimum sample size. */
export interface CriticPower { readonly fraction: number; readonly budget: number; readonly minSamples: number }

/**
 * The scaling of a critic check's coordinates (layout of ../advantage-targets.ts): coordinate
 * j sums the residuals of one (critic, advantage | target, s, a[, last before a cut]) per
 * episode (or environment), so a bias b of the conditional mean shows as n_j·b, n_j = the
 * coordinate's visits per episode (`visits`, from the pilot); it is read against the scale of
 * its target — the critic's max |E[Â | s,a,m]| (or max |E[target | s,a,m]|) — and stated for
 * the coordinates visited at least {@link STATED_VISIT_FRACTION} as often as the most visited
 * one of its block (all transitions; the last ones before a cut).
 */
function criticScaling(o: CriticTaskOptions, names: readonly string[], numActions: number, visits: Float64Array): Scaling {
  const C = o.critics.length, d = visits.length, SA = d / ((hasCuts(o) ? 4 : 2) * C), block = 2 * C * SA;
  const maxAbs = (t: readonly number[]) => t.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  const scaleOf = C === 0 ? [] : o.advantages.map((a, c) => [Math.max(1e-9, maxAbs(a)), Math.max(1e-9, maxAbs(o.targets[c]!))]);
  const peak = [0, 0];
  for (let j = 0; j < d; j++) peak[Math.floor(j / block)] = Math.max(peak[Math.floor(j / block)]!, visits[j]!);
  const part = (j: number) => { const b = Math.floor(j / block), r = j % block, c = Math.floor(r / (2 * SA)), t = r % (2 * SA) >= SA ? 1 : 0, k = r % SA; return { b, c, t, k }; };
  return {
    name: (j) => { const { c, t } = part(j); return `critic ${names[c]}'s max|E[${t ? 'target' : 'Â'} | s,a]|`; },
    scale: Float64Array.from({ length: d }, (_, j) => { const { c, t } = part(j); return scaleOf[c]![t]!; }),
    weight: visits,
    stated: Array.from({ length: d }, (_, j) => visits[j]! > 0 && visits[j]! >= STATED_VISIT_FRACTION * peak[part(j).b]!),
    coordinate: (j) => { const { b, c, t, k } = part(j); return `critic ${names[c]}, the ${t ? 'value target' : 'advantage Â'} at (s=${Math.floor(k / numActions)}, a=${k % numActions})${b ? ', last transition before a cut' : ''}`; },
  };
}

/** A scaling restricted to coordinates lo … lo + d − 1. */
function sliceScaling(sc: Scaling, lo: number, d: number): Scaling {
  return { name: (k) => sc.name(lo + k), scale: Array.from({ length: d }, (_, k) => sc.scale[lo + k]!), weight: Array.from({ length: d }, (_, k) => sc.weight[lo + k]!), stated: Array.from({ length: d }, (_, k) => sc.stated[lo + k]!), coordinate: (k) => sc.coordinate(lo + k) };
}

export function criticClaim(e: LoadedEstimator, run: CriticRun, settings: readonly CriticSetting[], batches: number, tag: string, power?: CriticPower): Claim {
  const definition = declaredDefinition(e);
  const nStep = typeof definition === 'object' ? definition.nStep : 0;
  const lambdas = nStep ? [1] : [0.8, 1];
  const critics = new Map(settings.map((s) => [s.x, criticsFor(s.x)] as const));
  const one = async (ctx: RunContext, s: CriticSetting, lambda: number, builtin?: string): Promise<Check[]> => {
    const cs = critics.get(s.x)!;
    // a control's n-step mutant gets its own n (its `lambda`); a user's n-step estimator gets λ = 1, which it ignores
    const def = builtin && nStep ? { nStep: lambda } : definition;
    const options = criticOptions(s, cs, def, builtin && nStep ? 1 : lambda);
    const label = `${s.x.label}: ${builtin ?? e.name}${builtin && nStep ? `, n = ${lambda}` : nStep ? '' : `, λ = ${lambda}`}, ${s.what}; critics ${cs.map((c) => c.name).join(', ')}`;
    const opts = builtin ? { ...options, estimator: builtin, lambda } : { ...options, key: e.key };
    const stream = `${tag}/critics/${s.x.label}/${s.what}/${lambda}/${builtin ?? 'user'}`, unit = s.source.kind === 'episodes' ? 'episode' : 'environment';
    const per = s.source.kind === 'episodes' ? s.source.episodes : s.source.envs;
    const names = cs.map((c) => c.name), cuts = hasCuts(options) && !builtin;
    if (!power || builtin) {
      // a control runs with the largest sample size the user's checks of its setting had
      const est = await run(ctx, s, (builtin ? sized.get(s) : undefined) ?? batches, opts, stream, builtin ? 'criticResidualTask' : undefined);
      // a control is one check over every coordinate (rejected when any block shows the bug)
      return criticChecks(label, est, cuts, names, s.x.mdp.numActions, unit);
    }
    return [];
  };
  /** The user's check of one setting and λ: the pilot's visits and scaling, its sized run, and how to decide it. */
  const prepare = async (ctx: RunContext, s: CriticSetting, lambda: number, p: CriticPower): Promise<{ item: SizedItem; second: (batches: number) => Promise<BatchEstimates>; paired: (m: string, rows: number, stream: string) => Promise<BatchEstimates>; stream: string; scaling: Scaling; finish: (est: BatchEstimates) => Check[] }> => {
    const cs = critics.get(s.x)!, options = criticOptions(s, cs, definition, lambda), names = cs.map((c) => c.name);
    const label = `${s.x.label}: ${e.name}${nStep ? '' : `, λ = ${lambda}`}, ${s.what}; critics ${names.join(', ')}`;
    const opts = { ...options, key: e.key }, cuts = hasCuts(options);
    const stream = `${tag}/critics/${s.x.label}/${s.what}/${lambda}/user`, unit = s.source.kind === 'episodes' ? 'episode' : 'environment';
    const per = s.source.kind === 'episodes' ? s.source.episodes : s.source.envs;
    const zeros = (d: number) => new Float64Array(d);
    const dim = (cuts ? 4 : 2) * cs.length * s.x.mdp.numStates * s.x.mdp.numActions;
    const visits = summarize((await run(ctx, s, PILOT_BATCHES, options, `${stream}/pilot`, 'criticVisitTask')).values, dim, false).mean;
    const scaling = criticScaling(options, names, s.x.mdp.numActions, visits);
    return {
      item: { pilot: () => run(ctx, s, PILOT_BATCHES, opts, `${stream}/pilot`), main: (k) => run(ctx, s, k, opts, stream), scaling, target: zeros(dim), minBatches: Math.max(batches, Math.ceil(p.minSamples / per)) },
      second: (k) => run(ctx, s, k, opts, `${stream}/second`),
      /** The catalogue mutants of the declared definition, on the first `rows` batches of the stream the user's main run had (paired). */
      // the mutant at the user's λ (for an n-step definition: at the user's n, its fourth argument)
      paired: (m: string, rows: number, main: string) => run(ctx, s, rows, { ...options, estimator: m, lambda: nStep || lambda }, main, 'criticResidualTask'),
      stream, scaling,
      // no zero-mean guard here: the V^π claim of the same estimator has it
      finish: (est) => criticChecks(label, est, cuts, names, s.x.mdp.numActions, unit, (name, block, h) => sizedDecision(name, summarize(block.values, block.dim, false), zeros(block.dim), {
        alpha: CHECK_ALPHA, fraction: p.fraction, scaling: sliceScaling(scaling, h * block.dim, block.dim), unit: `batches of ${per} ${unit}s`, samplesPerBatch: per, sampleName: s.source.kind === 'episodes' ? 'episodes' : `segments of ${s.source.length} steps`, transitions: block.transitions,
      })),
    };
  };
  const sized = new Map<CriticSetting, number>();
  /** The user's checks: pilots, one shared budget (../power.ts), main runs. */
  const sizedRun = async (ctx: RunContext, p: CriticPower): Promise<Check[]> => {
    const jobs: { s: CriticSetting; prep: Awaited<ReturnType<typeof prepare>> }[] = [];
    for (const s of settings) for (const l of lambdas) jobs.push({ s, prep: await prepare(ctx, s, l, p) });
    const t0 = performance.now();
    const runs = await sizeAndRun(jobs.map((j) => j.prep.item), p.fraction, p.budget, CHECK_ALPHA);
    const out: Check[] = [];
    let matched = 0;
    for (const [i, j] of jobs.entries()) {
      let { est, batches: K } = runs[i]!;
      let checks = j.prep.finish(est);
      // as in ../check.ts: a check that passed short of its resolution gets one second, independent
      // run sized from the first one's spread, if the budget has room (α counted twice)
      if (checks.some((c) => c.inconclusive)) {
        const K2 = Math.max(K, batchesFor(spreads(est.values, est.dim), CHECK_ALPHA, j.prep.item.scaling, p.fraction));
        if (K2 * ((performance.now() - t0) / 1000 / runs.reduce((a, r) => a + r.batches, 0)) <= p.budget - (performance.now() - t0) / 1000) {
          est = await j.prep.second(K2); K = K2;
          checks = j.prep.finish(est).map((c) => ({ ...c, stats: { ...c.stats!, falseAlarmRate: 2 * CHECK_ALPHA }, note: `${c.note}; a second, independent run (the first could not resolve the bias): α counted twice` }));
        }
      }
      sized.set(j.s, Math.max(sized.get(j.s) ?? 0, K));
      // a failed check: its worst coordinate per visit, and the catalogue mutants (the controls'
      // ones, at their λ or n) compared on the same batches (../diagnose.ts)
      const stream = K === runs[i]!.batches && est === runs[i]!.est ? j.prep.stream : `${j.prep.stream}/second`;
      const half = est.dim / checks.length;
      for (const [h, c] of checks.entries()) {
        if (c.passed || c.discrepancy <= c.tolerance) { out.push(c); continue; }
        const rows = Math.min(1000, K), block = (v: Float64Array, n: number) => { const o = new Float64Array(n * half); for (let r = 0; r < n; r++) o.set(v.subarray(r * est.dim + h * half, r * est.dim + (h + 1) * half), r * half); return o; };
        const sc = j.prep.scaling, acc = summarize(block(est.values, est.batches), half, false), se = acc.standardErrors();
        let worst = 0, z = -1;
        for (let k = 0; k < half; k++) { const zk = se[k]! > 0 ? Math.abs(acc.mean[k]!) / se[k]! : Math.abs(acc.mean[k]!) > 0 ? Infinity : 0; if (zk > z) { z = zk; worst = k; } }
        // at most four failed checks are compared with the catalogue (the others name their worst coordinate)
        const candidates: Candidate[] = matched++ >= 4 ? [] : (nStep ? NSTEP_CONTROLS : GAE_CONTROLS).map((m) => ({
          id: m.mutant, description: findMutation(m.mutant)?.description ?? m.mutant,
          paired: async () => block((await j.prep.paired(m.mutant, rows, stream)).values, rows),
        }));
        const reader: Reader = { coordinate: (k) => `${sc.coordinate(h * half + k)} (mean residual per visit)`, expected: () => 0, weight: (k) => sc.weight[h * half + k]! || 1, compared: () => [0, half] };
        out.push({ ...c, diagnosis: await diagnose(block(est.values, est.batches), half, new Float64Array(half), worst, reader, candidates, rows) });
      }
    }
    return out;
  };
  const controls = placeControls(nStep ? NSTEP_CONTROLS : GAE_CONTROLS, settings);
  return {
    id: `${tag}.critics`,
    title: `${e.name}: with critics V ≠ V^π and on episodes cut by time limits and segments, its advantages and targets have the exact means of ${describeDefinition(definition)}`,
    source: 'Lehmann 2024, eq. 14 and Algorithm 7 / eq. 19; derivation 5, step gae.wrong-critic',
    statement: String.raw`\mathbb E[\hat A_t \mid s_t=s,a_t=a,m_t=m] = \textstyle\sum_{k<\min(m,w)} \kappa^k\,\mathbb E[\delta_{t+k}\mathbb 1\{\text{alive}\}\mid s,a],\quad \mathbb E[\text{target}_t\mid s,a,m] = \text{that} + V(s)`,
    relation: 'unbiased',
    rule: 'studentized max over (critic, s, a, advantage | target), Šidák, α = 1e-6 per check; the last transition before each cut checked on its own',
    run: async (ctx) => { if (power) return sizedRun(ctx, power); const out: Check[] = []; for (const s of settings) for (const l of lambdas) out.push(...(await one(ctx, s, l))); return out; },
    control: {
      description: nStep
        ? 'the 3-step advantage with its bootstrap discounted by γ^{k−1} (mutant.nstep-bootstrap-off-by-one), on segments of a γ < 1 instance'
        : 'GAE with λ^k weights (λ = 1), with (γλ)^{k+1} weights, a λ-return with its mix swapped, a bootstrap through termination, a carry not reset at episode ends, a truncation treated as termination (catalogue mutants, each where it can show; λ = 0.8 unless said)',
      run: async (ctx) => { const out: Check[] = []; for (const { control, setting } of controls) out.push(...(await one(ctx, setting, control.lambda, control.mutant))); return out; },
    },
  };
}
