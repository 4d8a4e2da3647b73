/**
 * The claims `pgtruth check` runs for the `value-loss` and `actor-critic` kinds
 * (./value-loss-kind.ts has the losses, the exact targets and the residuals).
 *
 * **Where.** The segment settings of the advantage kind's critic claim (./claims/critics.ts):
 * segments of 32 environments × 8 steps from the 2nd on in the episodic Garnet (mid-episode
 * starts, terminations inside segments) and from the 3rd on in the continuing Garnet with a
 * time limit of 20 (truncations); with `--mdp`, the user's MDP. Segments hold a fixed number
 * of transitions, which a mean-reduced loss divides by (complete episodes would make it a
 * random count: see the module comment of ./value-loss-kind.ts).
 *
 * **Critics.** V_old = V^π + σ(1 + s mod 3)/3 (non-zero on terminal states, so a bootstrap
 * through a termination shows), σ = max(1, max|V^π|).
 *
 * | kind | check | V (current) | λ | exact by |
 * | --- | --- | --- | --- | --- |
 * | value-loss | linear | V_old + ½σ·N(0,1) per state (no clip declared) or V_old + ε·U(−½, ½) (|V − V_old| < ε: the clip is inactive) | 0.8 (n-step: its n) | linearity (advantage-expectation.ts) |
 * | value-loss, `valueClip` ε | clipped | V_old ± ε/2 on even states, ± 3ε on odd ones (the clip binds there) | 0 (n-step: its n) | enumerating the target's outcomes |
 * | actor-critic | linear | V = V_old (one critic: A2C) | 0.8 (n-step: its n) | linearity |
 *
 * Power as for every kind (./power.ts): a pilot sizes each check to resolve `resolution` of
 * its scale (the largest expected per-transition term) at power 0.9 within the budget,
 * α = 1e-6 per check; a failed check names its worst state (or (s, a)) and the known bug of
 * ./deep-tasks.ts its bias matches, compared on the same batches (paired).
 *
 * @module
 */
import type { BatchEstimates } from '../sampling/map.js';
import { mapBatchesSync, type BatchTask } from '../sampling/map.js';
import type { BatchSource } from '../sampling/plan.js';
import { Rng } from '../stats/rng.js';
import { summarize } from '../stats/summary.js';
import { DETECTION_POWER } from '../stats/tests.js';
import type { Check, Claim, RunContext } from './claim.js';
import { criticOptions, criticsFor, criticSettings, type CriticSetting } from './claims/critics.js';
import type { EstimatorInstance } from './claims/estimators.js';
import { actorCriticVariantTask, deepTaskModule, valueLossVariantTask, type ActorCriticBug, type ValueLossBug } from './deep-tasks.js';
import { diagnose, type Candidate, type Reader } from './diagnose.js';
import { entropyGradient } from '../exact/objectives.js';
import type { LoadedEstimator } from './plugin.js';
import { PILOT_BATCHES, sizeAndRun, sizedDecision, STATED_VISIT_FRACTION, type Scaling, type SizedItem } from './power.js';
import { CHECK_ALPHA, meanCheck } from './sampled.js';
import { clippedTermTable, halfFactor, lossDeclaration, type ActorCriticDeclaration, type ActorCriticTaskOptions, type ValueLossDeclaration, type ValueLossTaskOptions } from './value-loss-kind.js';

/** Runs a user task (the sandbox) or a built-in task of ./tasks.ts (`visitCountTask`) on a setting's batches. */
export type DeepRun = (ctx: RunContext, x: EstimatorInstance, source: BatchSource, batches: number, task: 'userValueLossTask' | 'userActorCriticTask' | 'visitCountTask', options: object, stream: string) => Promise<BatchEstimates>;

/** The power settings of a run (../check.ts). */
export interface DeepPower { readonly fraction: number; readonly budget: number; readonly minSamples: number }

const DESCRIPTIONS: Record<ValueLossBug | ActorCriticBug, string> = {
  'bootstrap-through-termination': 'targets that bootstrap from V(s_T) at a terminal state',
  'targets-from-current-V': 'targets computed from the V being trained instead of the rollout-time V_old',
  'half-mismatch': 'the gradient of (V − R)² where ½(V − R)² is declared, or the reverse (a factor 2)',
  'clip-min': 'value clipping with min instead of max of the clipped and unclipped squared errors',
  'advantage-not-detached': 'the policy loss differentiated through Â into the critic (a missing stop-gradient on the advantages)',
  'advantage-not-detached-in-both': 'the advantages not detached, and the targets built from them (R = Â + V.detach()): both losses differentiate through Â into the critic',
  'target-not-detached': 'the value loss differentiated through its target (a missing stop-gradient on the returns: the residual gradient)',
  'entropy-sign-flipped': 'the entropy term with the wrong sign (+c_H·H in the loss)',
};

/** A built-in variant's residuals on `batches` batches of `stream` (paired with the user's on the same stream). */
async function runVariant(ctx: RunContext, x: EstimatorInstance, source: BatchSource, batches: number, name: 'valueLossVariantTask' | 'actorCriticVariantTask', options: object, stream: string): Promise<BatchEstimates> {
  const spec = { mdp: x.mdp, policy: x.policy };
  const plan = { source, batches: Math.max(50, Math.round(batches * ctx.scale)), seed: `${ctx.seed}/${stream}` };
  if (ctx.pool) return ctx.pool.mapBatches(spec, plan, { module: deepTaskModule(), name }, options);
  const task = (name === 'valueLossVariantTask' ? valueLossVariantTask : actorCriticVariantTask) as unknown as BatchTask<object>;
  return mapBatchesSync(spec, plan, task, options);
}

/** One planned check: a setting, its options, how its coordinates read, and the bugs to compare a failure with. */
interface DeepPlan {
  readonly key: string;
  readonly label: string;
  readonly s: CriticSetting;
  readonly options: object;
  readonly bugs: readonly string[];
  /** Coordinate names, scale per coordinate (given the visits of each state per transition). */
  scaling(visits: Float64Array): Scaling;
  /** Where a candidate is compared when coordinate k decided. */
  compared(k: number): readonly [number, number];
  /** Actor-critic: the bias of an entropy sign flip, max over (s, a) of |2c_H ∂H(s)/∂θ(s,a)| per visit, as a fraction of the θ block's scale. */
  readonly entropyShare?: number;
}

const transitionsPer = (src: BatchSource) => (src.kind === 'segments' ? src.envs * src.length : 0);
const maxAbs = (t: ArrayLike<number>, from = 0) => { let m = 0; for (let i = from; i < t.length; i++) m = Math.max(m, Math.abs(t[i]!)); return Math.max(m, 1e-9); };

/** Per-state visits per transition from the pilot (visitCountTask, normalized by the transitions per batch). */
async function stateVisits(ctx: RunContext, run: DeepRun, s: CriticSetting, stream: string): Promise<Float64Array> {
  const est = await run(ctx, s.x, s.source, PILOT_BATCHES, 'visitCountTask', { normalizer: transitionsPer(s.source) }, `${stream}/pilot`);
  const sa = summarize(est.values, est.dim, false).mean, A = s.x.mdp.numActions, out = new Float64Array(s.x.mdp.numStates);
  for (let k = 0; k < sa.length; k++) out[Math.floor(k / A)] = out[Math.floor(k / A)]! + sa[k]!;
  return out;
}

/** Stated: coordinates whose state is visited at least {@link STATED_VISIT_FRACTION} as often as the most visited. */
function statedBy(visits: Float64Array, stateOf: (k: number) => number, d: number): boolean[] {
  const peak = Math.max(...visits);
  return Array.from({ length: d }, (_, k) => visits[stateOf(k)]! > 0 && visits[stateOf(k)]! >= STATED_VISIT_FRACTION * peak);
}

/** Runs the plans sized (pilot, shared budget, main runs), decides them, diagnoses failures; fills `sizes` for the controls. */
async function runPlans(ctx: RunContext, e: LoadedEstimator, run: DeepRun, task: 'userValueLossTask' | 'userActorCriticTask', variant: 'valueLossVariantTask' | 'actorCriticVariantTask', plans: readonly DeepPlan[], p: DeepPower, tag: string, sizes: Map<string, number>): Promise<Check[]> {
  const prepared: { plan: DeepPlan; item: SizedItem; stream: string }[] = [];
  for (const plan of plans) {
    const stream = `${tag}/${plan.key}/user`, opts = { ...plan.options, key: e.key };
    const visits = await stateVisits(ctx, run, plan.s, stream);
    const scaling = plan.scaling(visits), envs = plan.s.source.kind === 'segments' ? plan.s.source.envs : 1;
    prepared.push({ plan, stream, item: {
      pilot: () => run(ctx, plan.s.x, plan.s.source, PILOT_BATCHES, task, opts, `${stream}/pilot`),
      main: (k) => run(ctx, plan.s.x, plan.s.source, k, task, opts, stream),
      scaling, target: new Float64Array(scaling.scale.length), minBatches: Math.max(50, Math.ceil(p.minSamples / envs)),
    } });
  }
  const runs = await sizeAndRun(prepared.map((x) => x.item), p.fraction, p.budget, CHECK_ALPHA);
  const out: Check[] = [];
  for (const [i, { plan, item, stream }] of prepared.entries()) {
    const { est, batches } = runs[i]!, src = plan.s.source;
    sizes.set(plan.key, batches);
    const envs = src.kind === 'segments' ? src.envs : 1;
    const c = sizedDecision(plan.label, summarize(est.values, est.dim, false), item.target, {
      alpha: CHECK_ALPHA, fraction: p.fraction, scaling: item.scaling, unit: `batches of ${envs} segments × ${src.kind === 'segments' ? src.length : 0} steps`,
      samplesPerBatch: envs, sampleName: `segments of ${src.kind === 'segments' ? src.length : 0} steps`, transitions: est.transitions,
    });
    if (c.passed || c.discrepancy <= c.tolerance) { out.push(c); continue; }
    const rows = Math.min(1000, batches);
    const candidates: Candidate[] = plan.bugs.map((bug) => ({
      id: bug, description: DESCRIPTIONS[bug as ValueLossBug] ?? bug,
      paired: async () => (await runVariant(ctx, plan.s.x, src, rows, variant, { ...plan.options, bug }, stream)).values,
    }));
    const reader: Reader = { coordinate: (k) => `${item.scaling.coordinate(k)} (residual per transition)`, expected: () => 0, weight: (k) => item.scaling.weight[k]! || 1, compared: (k) => plan.compared(k) };
    out.push({ ...c, diagnosis: await diagnose(est.values, est.dim, item.target, c.worstIndex, reader, candidates, rows) });
  }
  return out;
}

/** The segment settings of the critic claim (the built-in ones, or the user's MDP). */
function segmentSettings(inst: { episodic: readonly EstimatorInstance[]; continuing: readonly EstimatorInstance[] }): CriticSetting[] {
  return criticSettings(inst).filter((s) => s.source.kind === 'segments');
}

/** The rollout-time critic of the module comment and its scale σ. */
function rolloutCritic(x: EstimatorInstance): { Vold: Float64Array; sigma: number } {
  const Vold = criticsFor(x).find((c) => c.name === 'V^π + offset')!.values;
  return { Vold, sigma: Math.max(1, ...Array.from(x.ev.V, Math.abs)) };
}

const describe = (d: ValueLossDeclaration) => `${typeof d.definition === 'object' ? `${d.definition.nStep}-step` : d.definition} targets, ${d.reduction}, ${d.half ? '½(V − R)²' : '(V − R)²'}`;

/** Places a control on the first plan (of a list) that suits it. */
interface PlacedControl { readonly plan: DeepPlan; readonly bug: string }

function controlClaim(desc: string, controls: () => PlacedControl[], variant: 'valueLossVariantTask' | 'actorCriticVariantTask', tag: string, sizes: Map<string, number>, p: DeepPower): Claim['control'] {
  return {
    description: desc,
    run: async (ctx) => {
      const out: Check[] = [];
      for (const { plan, bug } of controls()) {
        const envs = plan.s.source.kind === 'segments' ? plan.s.source.envs : 1;
        const est = await runVariant(ctx, plan.s.x, plan.s.source, sizes.get(plan.key) ?? Math.max(50, Math.ceil(p.minSamples / envs)), variant, { ...plan.options, bug }, `${tag}/${plan.key}/${bug}`);
        out.push(meanCheck(`${plan.label}: ${bug}`, est, new Float64Array(est.dim), { unit: `batches of ${envs} segments` }));
      }
      return out;
    },
  };
}

/** The claim of a `value-loss` estimator. */
export function valueLossClaims(e: LoadedEstimator, run: DeepRun, inst: { episodic: readonly EstimatorInstance[]; continuing: readonly EstimatorInstance[] }, p: DeepPower, tag: string): Claim[] {
  const d = lossDeclaration(e) as ValueLossDeclaration;
  const eps = d.valueClip, nStep = typeof d.definition === 'object';
  const sizes = new Map<string, number>();
  const plans = (): DeepPlan[] => segmentSettings(inst).flatMap((s) => {
    const { Vold, sigma } = rolloutCritic(s.x), rng = Rng.from(`check/value-loss/${s.x.label}`), S = s.x.mdp.numStates;
    const mk = (which: 'linear' | 'clipped'): DeepPlan => {
      const lambda = which === 'clipped' ? 0 : 0.8;
      const V = which === 'linear'
        ? Vold.map((v) => v + (eps ? eps * (rng.uniform() - 0.5) : 0.5 * sigma * rng.normal()))
        : Vold.map((v, st) => v + eps! * (st % 2 === 0 ? 0.5 : 3) * (rng.normal() < 0 ? -1 : 1));
      const o = criticOptions(s, [{ name: 'V_old', values: Vold }], d.definition, lambda);
      const pi = s.x.policy.param.probs(s.x.policy.theta), A = s.x.mdp.numActions;
      const psi = which === 'clipped'
        ? Array.from(clippedTermTable(s.x.mdp, pi, V, Vold, d.definition, lambda, eps!, o.horizons))
        : o.targets[0]!.map((t, k) => V[Math.floor((k % (S * A)) / A)]! - t);
      const options: ValueLossTaskOptions = { gamma: o.gamma, lambda, values: Array.from(V), valuesOld: Array.from(Vold), psi, horizons: o.horizons, segmentLength: o.segmentLength, maxSteps: o.maxSteps, decl: d };
      const scale = maxAbs(psi, S * A);
      const bugs = [...(s.x.mdp.terminalStates.length ? ['bootstrap-through-termination'] : []), 'targets-from-current-V', 'half-mismatch', ...(eps ? ['clip-min'] : [])];
      return {
        key: `${s.x.label}/${s.what}/${which}`, s, options, bugs,
        label: `${s.x.label}, ${s.what}: ∇_V ${e.name} (${describe(d)}${eps ? `, value clip ε = ${eps}` : ''}), ${which === 'clipped' ? 'the clip binding at odd states' : eps ? 'the clip inactive' : 'V ≠ V_old'}, ${nStep ? '' : `λ = ${lambda}`}`,
        scaling: (visits) => ({ name: () => 'max|E[∂ℓ/∂V]|', scale: new Float64Array(S).fill(scale), weight: visits, stated: statedBy(visits, (k) => k, S), coordinate: (k) => `∂L/∂V(s=${k})` }),
        compared: () => [0, S],
      };
    };
    return eps ? [mk('linear'), mk('clipped')] : [mk('linear')];
  });
  const controls = (): PlacedControl[] => {
    const all = plans(), out: PlacedControl[] = [];
    const first = (f: (q: DeepPlan) => boolean) => all.find(f);
    const term = first((q) => q.key.endsWith('/linear') && q.s.x.mdp.terminalStates.length > 0);
    if (term) out.push({ plan: term, bug: 'bootstrap-through-termination' });
    const last = all.filter((q) => q.key.endsWith(eps ? '/clipped' : '/linear')).at(-1)!;
    out.push({ plan: last, bug: 'targets-from-current-V' }, { plan: all.filter((q) => q.key.endsWith('/linear')).at(-1)!, bug: 'half-mismatch' });
    if (eps) out.push({ plan: last, bug: 'clip-min' });
    return out;
  };
  return [{
    id: `${tag}.value-loss`,
    title: `${e.name}: E[∇_V loss] is the gradient against the exact regression target (${describe(d)}${eps ? `, value clipping ε = ${eps}` : ''})`,
    source: 'Lehmann 2024, §4.3, Algorithm 5; Schulman et al. 2017 (value clipping as in their code); src/exact/advantage-expectation.ts',
    statement: String.raw`\mathbb E\big[\nabla_V L\big] = \mathbb E\Big[\tfrac{c}{Z}\textstyle\sum_t e_{s_t}\,\mathbb E[\psi(R_t)\mid s_t,a_t,m_t]\Big],\quad \psi(R) = \partial\ell/\partial V(s_t)`,
    relation: 'unbiased',
    rule: `studentized max over states, Šidák, α = 1e-6 per check; inconclusive (a failure) unless it resolves a bias of ${(100 * p.fraction).toFixed(1)}% of max|E[∂ℓ/∂V]| per visit at power ${DETECTION_POWER}`,
    run: (ctx) => runPlans(ctx, e, run, 'userValueLossTask', 'valueLossVariantTask', plans(), p, tag, sizes),
    control: controlClaim(`the same loss with targets bootstrapped through termination, targets from the current V, the ½ ${d.half ? 'missing' : 'added'}${eps ? ', min instead of max in the value clip' : ''} (./deep-tasks.ts)`, controls, 'valueLossVariantTask', tag, sizes, p),
  }];
}

/** The claim of an `actor-critic` estimator. */
export function actorCriticClaims(e: LoadedEstimator, run: DeepRun, inst: { episodic: readonly EstimatorInstance[]; continuing: readonly EstimatorInstance[] }, p: DeepPower, tag: string): Claim[] {
  const d = lossDeclaration(e) as ActorCriticDeclaration;
  const nStep = typeof d.definition === 'object';
  const sizes = new Map<string, number>();
  const plans = (): DeepPlan[] => segmentSettings(inst).map((s) => {
    const { Vold: V } = rolloutCritic(s.x), S = s.x.mdp.numStates, A = s.x.mdp.numActions, SA = S * A, lambda = 0.8;
    const o = criticOptions(s, [{ name: 'V', values: V }], d.definition, lambda);
    const options: ActorCriticTaskOptions = { gamma: o.gamma, lambda, values: Array.from(V), advantages: o.advantages[0]!, targets: o.targets[0]!, horizons: o.horizons, segmentLength: o.segmentLength, maxSteps: o.maxSteps, decl: d };
    const aScale = maxAbs(o.advantages[0]!, SA), vScale = d.valueCoef * halfFactor(d) * maxAbs(o.targets[0]!.map((t, k) => V[Math.floor((k % SA) / A)]! - t), SA);
    const stateOf = (k: number) => (k < SA ? Math.floor(k / A) : k - SA);
    // an entropy sign flip adds 2c_H ∇H(s) per visit of s (exact: src/exact/objectives.ts)
    let flip = 0;
    for (let st = 0; st < S; st++) {
      if (s.x.mdp.terminal[st]) continue;
      const h = entropyGradient(s.x.policy, Float64Array.from({ length: S }, (_, j) => (j === st ? 1 : 0)));
      for (let a = 0; a < A; a++) flip = Math.max(flip, Math.abs(2 * d.entropyCoef * h[st * A + a]!));
    }
    return {
      entropyShare: flip / aScale,
      key: `${s.x.label}/${s.what}`, s, options,
      bugs: ['advantage-not-detached', 'advantage-not-detached-in-both', 'target-not-detached', ...(d.entropyCoef ? ['entropy-sign-flipped'] : [])],
      label: `${s.x.label}, ${s.what}: ∇_θ L and ∇_V L of ${e.name} (${describe(d)}, c_v = ${d.valueCoef}, c_H = ${d.entropyCoef}${nStep ? '' : `, λ = ${lambda}`}), critic V^π + offset`,
      scaling: (visits) => ({
        name: (k) => (k < SA ? 'max|E[Â]|' : 'c_v·max|E[∂ℓ/∂V]|'),
        scale: Float64Array.from({ length: SA + S }, (_, k) => (k < SA ? aScale : vScale)),
        weight: Float64Array.from({ length: SA + S }, (_, k) => visits[stateOf(k)]!),
        stated: statedBy(visits, stateOf, SA + S),
        coordinate: (k) => (k < SA ? `∂L/∂θ(s=${Math.floor(k / A)}, a=${k % A})` : `∂L/∂V(s=${k - SA})`),
      }),
      compared: (k) => (k < SA ? [0, SA] : [SA, SA + S]),
    };
  });
  // an entropy sign flip is a control only where the check resolves it (twice its resolution)
  const entropyShare = () => Math.max(0, ...plans().map((q) => q.entropyShare ?? 0));
  const entropyControlled = () => d.entropyCoef > 0 && entropyShare() >= 2 * p.fraction;
  const controls = (): PlacedControl[] => {
    const all = plans(), home = all.reduce((b, q) => ((q.entropyShare ?? 0) > (b.entropyShare ?? 0) ? q : b), all[0]!);
    return [{ plan: all[0]!, bug: 'advantage-not-detached' }, { plan: all.at(-1)!, bug: 'target-not-detached' }, ...(entropyControlled() ? [{ plan: home, bug: 'entropy-sign-flipped' }] : [])];
  };
  const entropyNote = d.entropyCoef > 0 && !entropyControlled()
    ? ` — an entropy sign flip at c_H = ${d.entropyCoef} is a bias of at most ${(100 * entropyShare()).toPrecision(2)}% of max|E[Â]| per visit, below twice the resolution (${(200 * p.fraction).toFixed(0)}%): not covered`
    : '';
  return [{
    id: `${tag}.actor-critic`,
    title: `${e.name}: E[∇_θ L] is the exact expected policy gradient of its advantages under the critic${d.entropyCoef ? ' minus c_H·∇H' : ''}, and E[∇_V L] c_v times the value loss's gradient against the exact target (${describe(d)})${entropyNote}`,
    source: 'Lehmann 2024, eq. 18, Algorithm 5; Mnih et al. 2016; src/exact/advantage-expectation.ts, src/exact/objectives.ts',
    statement: String.raw`\mathbb E[\nabla_\theta L] = -\mathbb E\Big[\tfrac1Z\textstyle\sum_t \big(\mathbb E[\hat A\mid s_t,a_t,m_t]\nabla\log\pi(a_t|s_t) + c_H\nabla H(s_t)\big)\Big],\ \mathbb E[\nabla_V L] = c_v\,\mathbb E\Big[\tfrac{c}{Z}\textstyle\sum_t e_{s_t}\big(V(s_t) - \mathbb E[R\mid s_t,a_t,m_t]\big)\Big]`,
    relation: 'unbiased',
    rule: `studentized max over θ and V coordinates, Šidák, α = 1e-6 per check; inconclusive (a failure) unless it resolves a bias of ${(100 * p.fraction).toFixed(1)}% of its scale per visit at power ${DETECTION_POWER}`,
    run: (ctx) => runPlans(ctx, e, run, 'userActorCriticTask', 'actorCriticVariantTask', plans(), p, tag, sizes),
    control: controlClaim(`the same loss with the advantages not detached (∇ flows into V), the target not detached (the residual gradient)${entropyControlled() ? ', the entropy sign flipped' : ''} (./deep-tasks.ts)`, controls, 'actorCriticVariantTask', tag, sizes, p),
  }];
}
