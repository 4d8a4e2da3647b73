/**
 * `pgtruth check` and `expectUnbiased`: every applicable claim about a user's estimators.
 *
 * | kind | claims (each on every instance) | negative control (a known bug of the same kind, on the same instances) |
 * | --- | --- | --- |
 * | policy-gradient | E[ĝ] = ∇J on complete episodes | REINFORCE without γ^t (γ < 1) and with a baseline read at s_{t+1} |
 * | advantage | E[Â_t | s,a] = A^π(s,a) and E[target_t | s,a] = Q^π(s,a), given V^π, for λ ∈ {0, ½, 0.95, 1}, on episodes and on segments cut by truncation | GAE treating truncation as termination |
 * | kl | E[k̂] = KL(q‖p) for Gaussian and categorical pairs | k3 computed as (e^r − 1) − r |
 * | group | E[(1/N) Σ A_{i,t} ∇log π] = κ(G)∇J (or κ∇E[(R − V)/\|o\|] when it declares `objective: 'length-normalized'`) on bandits and a token MDP; with a `klPenalty`, E[∇L_KL] = ∇KL(π_θ‖π_ref) (./group-kind.ts) | GRPO as published (std, 1/\|o\|); GRPO's k3 loss term |
 * | policy-gradient with `policy: 'gaussian' \| 'tanh-gaussian'` | E[ĝ] = ∇_θ J on the LQR (episodes cut at H = 150) and a clipped-action bandit, or a tanh bandit (./continuous-kind.ts) | REINFORCE without γ^t; the score at the clipped action; the tanh Jacobian at the squashed value |
 * | policy-gradient with `policy: 'mlp'` | E[ĝ] = ∇_w J with an MLP policy view (./mlp-kind.ts) | REINFORCE without γ^t |
 * | policy-gradient with `policy: 'gaussian-mlp' \| 'tanh-gaussian-mlp'` | E[ĝ] = ∇_w J of a Gaussian (state-independent log σ, environment clip) or tanh-Gaussian (state-dependent log σ) head on an MLP over a contextual bandit: exact by the chain rule (./gaussian-mlp-kind.ts) | the score at the clipped action; the tanh Jacobian at the squashed value |
 * | surrogate with `policy: 'gaussian-mlp' \| 'tanh-gaussian-mlp'` | as for the Gaussian surrogates, on the MLP heads' contextual bandit at w_old and at w ≠ w_old, per context by quadrature and through one VJP (./gaussian-mlp-surrogate.ts) | ρ at the clipped action or with the tanh Jacobian at the squashed value (w_old); min over ratios before Â (w ≠ w_old) |
 * | surrogate with `policy: 'gaussian' \| 'tanh-gaussian'` | E[−∇loss] = ∇J at θ_old (the LQR, and a clipped-action or a tanh bandit) and the exact (clipped) surrogate gradient at θ ≠ θ_old on the bandits, by quadrature, plus declared entropy (`entropy: 'exact' \| 'sample'`) and KL terms; with `normalizeAdvantages`, the large-batch limit (A − μ)/σ_A on the bandits (batches of 1024 draws; the LQR left out) (./continuous-surrogate.ts) | ρ from log π at the clipped action or with the tanh Jacobian at the squashed value (θ_old); min over ratios before Â (θ ≠ θ_old) |
 * | surrogate | E[−∇loss] = ∇J at θ = θ_old, and the exact gradient of the (clipped, if `clip` is set) surrogate objective at θ ≠ θ_old, plus the exact gradients of a declared entropy bonus (`entropyCoef`) and KL penalty (`klCoef`); with `normalizeAdvantages`, the large-batch limit (A − μ)/σ within a stated margin, and the verdict states the bias for ∇J | PPO with min over ratios before multiplying by Â (or, for an unclipped surrogate, PPO's clipped one) |
 *
 * The control shows that the check, on those instances and with that many samples, would
 * have caught such a bug: a claim whose control is not rejected is reported WEAK.
 *
 * Power (./power.ts): a pilot sizes every check to resolve `resolution` (default 5%) of its
 * target's scale at power 0.9 within the time budget; a check that cannot is inconclusive,
 * a failure. A failed check names its worst coordinate and the catalogue mutants whose
 * bias matches (./diagnose.ts). The same holds for every kind, the critic claim and the
 * group kind included, and for Python modules (./python/), whose estimators run through the
 * same tasks.
 *
 * The user's code runs only in the sandbox's worker threads (./sandbox.ts): every task of
 * the {@link Runner}, the KL and group kinds' included.
 *
 * The advantage kind has a second claim, `critics` (./claims/critics.ts): the estimator run
 * with value tables other than V^π, on complete episodes, a time limit and segments that start
 * mid-episode, against the exact E[Â | s, a, steps to the cut] of the definition it declares.
 *
 * @module
 */
import { PgTruthError, fail, isPgTruthError } from '../errors.js';
import { evaluatePolicy } from '../exact/evaluate.js';
import { clippedObjectiveGradient, decisionVisitation, entropyGradient, klGradient } from '../exact/objectives.js';
import { firstNonTerminating } from '../exact/termination.js';
import { shortCorridor } from '../mdp/library/corridor.js';
import { withChanges, type FiniteMDP } from '../mdp/model.js';
import { softmaxPolicy } from '../policy/softmax.js';
import type { Policy } from '../policy/types.js';
import type { BatchEstimates } from '../sampling/map.js';
import type { BatchSource } from '../sampling/plan.js';
import { Rng } from '../stats/rng.js';
import type { Check, Claim, RunContext } from './claim.js';
import { continuingInstance, episodicInstances, type EstimatorInstance } from './claims/estimators.js';
import { continuingGarnetInstance, criticClaim, criticSettings } from './claims/critics.js';
import { discreteCase, gaussianCase } from './claims/kl.js';
import { findMutation, klK3ExpOfRatio } from './mutations.js';
import { continuousEstimatorClaims, declaredPolicy, type ContinuousRun } from './continuous-kind.js';
import { mlpEstimatorClaims } from './mlp-kind.js';
import { continuousSurrogateClaims, declaredEntropy, type ContinuousSurrogateRun } from './continuous-surrogate.js';
import { NORMALIZATION_MARGIN } from './normalization-margin.js';
import { groupEstimatorClaims, type GroupRun } from './group-kind.js';
import { gaussianMlpSurrogateCases } from './gaussian-mlp-surrogate.js';
import { machineryClaims, type MachineryRun } from './machinery.js';
import { surrogateDeclaration, type LoadedEstimator, type SurrogateDeclaration } from './plugin.js';
import { UserSandbox } from './sandbox.js';
import { runClaims, type ClaimResult } from './runner.js';
import { CHECK_ALPHA, meanCheck, sampleEstimates } from './sampled.js';
import { DETECTION_POWER, meanTest } from '../stats/tests.js';
import { MeanCovariance, summarize } from '../stats/summary.js';
import { allocate, batchesFor, batchesToReject, DEFAULT_BUDGET_SECONDS, DEFAULT_RESOLUTION, fmtCount, PILOT_BATCHES, sizedDecision, spreads, STATED_VISIT_FRACTION, type Scaling } from './power.js';
import type { TaskName } from './tasks.js';
import { diagnose, type Candidate, type Reader } from './diagnose.js';
import { undiscountedWeightedGradient } from './claims/estimators.js';
import { policyGradient } from '../exact/gradient.js';
import { actorCriticClaims, valueLossClaims, type DeepRun } from './deep-claims.js';

/** Options of {@link checkModule} and {@link expectUnbiased}. */
export interface CheckOptions {
  readonly seed?: number;
  /**
   * The minimum sample size per check (default {@link DEFAULT_MIN_SAMPLES}): episodes for
   * checks on complete episodes, segments of 32 steps for checks on truncated segments,
   * draws for KL checks. The pilot raises it where the resolution needs more.
   */
  readonly samples?: number;
  /** The resolution each check must reach, as a fraction of its target's scale (default 0.05). */
  readonly resolution?: number;
  /** Seconds the main runs of one estimator's checks may take together (default {@link DEFAULT_BUDGET_SECONDS}); pilots and controls come on top. */
  readonly budget?: number;
  /** Check on this MDP (with a seeded softmax policy) instead of the built-in instances. */
  readonly mdp?: FiniteMDP;
  readonly mdpLabel?: string;
  /** Worker threads (default 2; 0 = one: user code never runs on the calling thread, see ./sandbox.ts). */
  readonly workers?: number;
  /** Seconds one call into the user's code may take before the check stops it (default 60), in any language. */
  readonly timeout?: number;
  /** Python modules: the interpreter (default /usr/bin/python3, then python3 on the PATH). */
  readonly python?: string;
  readonly onProgress?: (done: number, total: number, current: string) => void;
}

/** The default minimum sample size per check (`--samples`). */
export const DEFAULT_MIN_SAMPLES = 6400;

function seededSoftmax(mdp: FiniteMDP, seed: string): Policy {
  const rng = Rng.from(seed);
  return { param: softmaxPolicy(mdp.numStates, mdp.numActions), theta: Float64Array.from({ length: mdp.numStates * mdp.numActions }, () => 0.7 * rng.normal()) };
}

function instanceOf(label: string, mdp: FiniteMDP, policy: Policy): EstimatorInstance {
  const ev = evaluatePolicy(mdp, policy.param.probs(policy.theta));
  const grad = policyGradient(mdp, policy, ev);
  return { label, mdp, policy, ev, grad, norm: Math.hypot(...grad) };
}

/** True when every episode of the MDP terminates under full-support policies. */
function terminates(mdp: FiniteMDP): boolean {
  if (mdp.terminalStates.length === 0) return false;
  const T = mdp.transitions;
  return firstNonTerminating(mdp.numStates, mdp.terminal, (s) => mdp.initial[s]! > 0, function* (s) {
    for (let row = s * mdp.numActions; row < (s + 1) * mdp.numActions; row++) for (let k = T.rowPtr[row]!; k < T.rowPtr[row + 1]!; k++) yield T.col[k]!;
  }).state < 0;
}

/** The instances: the built-in ones with softmax policies, or the user's MDP. */
function instances(opts: CheckOptions): { episodic: EstimatorInstance[]; continuing: EstimatorInstance[] } {
  if (opts.mdp) {
    const x = instanceOf(opts.mdpLabel ?? 'your MDP', opts.mdp, seededSoftmax(opts.mdp, 'check/user-mdp'));
    return terminates(opts.mdp) ? { episodic: [x], continuing: [x] } : { episodic: [], continuing: [x] };
  }
  const corridor = instanceOf('short-corridor softmax', shortCorridor(), seededSoftmax(shortCorridor(), 'check/corridor'));
  return { episodic: [corridor, ...episodicInstances().slice(1)], continuing: [continuingInstance()] };
}

export { writeTaskModule } from './sandbox.js';

/** The user tasks of the generated module. */
type UserTask = 'userPolicyGradientTask' | 'userAdvantageTask' | 'userSurrogateTask' | 'userCriticTask' | 'userValueLossTask' | 'userActorCriticTask' | 'userMlpPolicyGradientTask';

/** How user tasks run: on the sandbox's pool (./sandbox.ts), never in this thread. */
export interface Runner {
  run<O>(ctx: RunContext, x: EstimatorInstance, source: BatchSource, batches: number, task: UserTask | 'builtin', options: O, stream: string, builtin?: TaskName): Promise<BatchEstimates>;
  /** A KL estimator's per-sample estimates (the user's code runs in the sandbox). */
  kl(key: string, logRatio: Float64Array): Promise<ArrayLike<number>>;
  /** A group estimator's estimates on a chunk of batches (./group-kind.ts; the user's code runs in the sandbox). */
  group: GroupRun;
  /** A TRPO or V-MPO kind's outputs on a payload of cases (./machinery.ts; the user's code runs in the sandbox). */
  machinery: MachineryRun;
  /** A continuous-policy estimator's estimates on a chunk of batches (./continuous-kind.ts; the user's code runs in the sandbox). */
  continuous: ContinuousRun;
  /** A continuous-policy surrogate's −∇loss on a chunk of batches (./continuous-surrogate.ts; the user's code runs in the sandbox). */
  continuousSurrogate: ContinuousSurrogateRun;
}

const EP = (n: number): BatchSource => ({ kind: 'episodes', episodes: n });
const SEG: BatchSource = { kind: 'segments', envs: 8, length: 32 };

/** One planned check of a user estimator: what to sample, what to compare, how to read it. */
interface Planned {
  /** Names the instance (the control of the same instance reuses its sample size). */
  readonly key: string;
  readonly instance: string;
  readonly x: EstimatorInstance;
  readonly source: BatchSource;
  readonly task: UserTask;
  readonly options: object;
  readonly stream: string;
  /** The mean of the estimates under the claim (tested units). */
  readonly target: ArrayLike<number>;
  /** The scaling and the target in tested units; `counts` = the pilot's visits of (s,a) per episode when `needsCounts`. */
  scaling(counts?: Float64Array): { scaling: Scaling; targetTested: ArrayLike<number> };
  readonly needsCounts?: boolean;
  /** An equivalence margin (absolute, tested units) for a target known up to a small stated term. */
  readonly margin?: number;
  /** For a failed check: how its coordinates read, and the known bugs to compare it with (paired ones on the first `rows` batches of `stream`). */
  diagnosis?(ctx: RunContext, run: SizedRun, rows: number): { reader: Reader; candidates: Candidate[] };
}

/** Paired candidates are compared on at most this many of the user's batches. */
const PAIRED_ROWS = 1000;
/** Failed checks of one claim compared with the catalogue (the others name their worst coordinate only). */
const MAX_MATCHED = 4;

/** What one sized check leaves for its control and its diagnosis. */
export interface SizedRun {
  readonly batches: number;
  readonly est: BatchEstimates;
  readonly counts?: Float64Array;
  readonly check: Check & { worstIndex: number };
}

const perBatch = (src: BatchSource) => (src.kind === 'episodes' ? src.episodes : src.envs);
const sampleName = (src: BatchSource) => (src.kind === 'episodes' ? 'episodes' : `segments of ${src.length} steps`);
const unitOf = (src: BatchSource) => (src.kind === 'episodes' ? `batches of ${src.episodes} episodes` : `batches of ${src.envs} segments × ${src.length} steps`);

/** The resolution settings of a run. */
interface PowerSettings { readonly fraction: number; readonly budget: number; readonly minSamples: number }

/**
 * Pilots every planned check, shares the budget, runs the main runs and decides each with
 * its resolution (./power.ts). Fills `sizes` (batches per key) for the controls.
 */
async function runSized(ctx: RunContext, runner: Runner, plans: readonly Planned[], p: PowerSettings, sizes: Map<string, SizedRun>): Promise<Check[]> {
  const pilots: { sd: Float64Array; reject: number; seconds: number; counts?: Float64Array; sc: { scaling: Scaling; targetTested: ArrayLike<number> } }[] = [];
  for (const [i, q] of plans.entries()) {
    ctx.progress?.((0.1 * i) / plans.length);
    const t0 = performance.now();
    const est = await runner.run(ctx, q.x, q.source, PILOT_BATCHES, q.task, q.options, `${q.stream}/pilot`);
    const seconds = (performance.now() - t0) / 1000 / est.batches;
    let counts: Float64Array | undefined;
    if (q.needsCounts) {
      const c = await runner.run(ctx, q.x, q.source, PILOT_BATCHES, 'builtin', { normalizer: perBatch(q.source) }, `${q.stream}/pilot`, 'visitCountTask');
      counts = summarize(c.values, c.dim, false).mean;
    }
    const acc = summarize(est.values, est.dim, false);
    pilots.push({ sd: spreads(est.values, est.dim), reject: batchesToReject(acc, q.target, CHECK_ALPHA), seconds, ...(counts ? { counts } : {}), sc: q.scaling(counts) });
  }
  // a margin (in units of the first coordinate's scale) takes its share of the resolution
  const fractionLeft = (q: Planned, sc: Scaling) => p.fraction - (q.margin ? q.margin / (sc.weight[0]! * sc.scale[0]!) : 0);
  const want = plans.map((q, i) => Math.min(pilots[i]!.reject, batchesFor(pilots[i]!.sd, CHECK_ALPHA, pilots[i]!.sc.scaling, fractionLeft(q, pilots[i]!.sc.scaling))));
  const min = plans.map((q) => Math.max(50, Math.ceil(p.minSamples / perBatch(q.source))));
  const K = allocate(want, min, pilots.map((x) => x.seconds), p.budget);
  const out: Check[] = [];
  let matched = 0;
  const t0 = performance.now(), spent = () => (performance.now() - t0) / 1000;
  // the time the main runs were allotted; what they leave of it may pay for second runs
  const allotted = K.reduce((acc, k, i) => acc + k * pilots[i]!.seconds, 0);
  for (const [i, q] of plans.entries()) {
    ctx.progress?.(0.1 + (0.6 * i) / plans.length);
    const { scaling, targetTested } = pilots[i]!.sc;
    const decide = (e: BatchEstimates, alpha: number) => sizedDecision(q.instance, summarize(e.values, e.dim, false), q.target, {
      alpha, fraction: p.fraction, scaling, targetTested, unit: unitOf(q.source), samplesPerBatch: perBatch(q.source), sampleName: sampleName(q.source), transitions: e.transitions, ...(q.margin ? { margin: q.margin } : {}),
    });
    let est = await runner.run(ctx, q.x, q.source, K[i]!, q.task, q.options, q.stream);
    let check = decide(est, CHECK_ALPHA);
    // a pilot can underestimate a heavy-tailed spread: a check that passed without reaching the
    // resolution gets one second, independent run sized from the first one's spread (thousands
    // of batches, not a pilot's hundred), if the budget has room; its false-alarm rate is then
    // counted twice (either run could have failed it)
    if (check.inconclusive) {
      const K2 = Math.max(K[i]!, batchesFor(spreads(est.values, est.dim), CHECK_ALPHA, scaling, p.fraction));
      if (K2 * pilots[i]!.seconds <= Math.max(0, Math.max(p.budget, allotted) - spent())) {
        est = await runner.run(ctx, q.x, q.source, K2, q.task, q.options, `${q.stream}/second`);
        const second = decide(est, CHECK_ALPHA);
        check = { ...second, stats: { ...second.stats!, falseAlarmRate: 2 * CHECK_ALPHA }, note: `${second.note}; a second, independent run (the first, of ${K[i]} batches, could not resolve the bias): α counted twice` };
        K[i] = K2;
      }
    }
    const run: SizedRun = { batches: K[i]!, est, ...(pilots[i]!.counts ? { counts: pilots[i]!.counts } : {}), check };
    sizes.set(q.key, run);
    if (!check.passed && check.discrepancy > check.tolerance && q.diagnosis) {
      const rows = Math.min(PAIRED_ROWS, K[i]!);
      const { reader, candidates } = q.diagnosis(ctx, run, rows);
      out.push({ ...check, diagnosis: await diagnose(est.values, est.dim, q.target, check.worstIndex, reader, matched++ < MAX_MATCHED ? candidates : [], rows) });
    } else out.push(check);
  }
  return out;
}

/** A scaling with one scale for every coordinate, stated everywhere; coordinates named as θ[s·A + a]. */
function gradientScaling(x: EstimatorInstance): Scaling {
  const d = x.policy.param.numParams, A = x.mdp.numActions;
  return { name: () => '‖∇J‖₂', scale: new Float64Array(d).fill(x.norm), weight: new Float64Array(d).fill(1), stated: new Array<boolean>(d).fill(true), coordinate: (k) => `∂/∂θ(s=${Math.floor(k / A)}, a=${k % A})` };
}

/**
 * The advantage kind's scaling: coordinates 0…SA−1 are the advantages' residual sums per
 * episode, SA…2SA−1 the targets'; a bias b of E[Â | s,a] shows as n(s,a)·b. Stated for the
 * pairs visited at least {@link STATED_VISIT_FRACTION} as often as the most visited.
 */
function advantageScaling(x: EstimatorInstance, counts: Float64Array): { scaling: Scaling; targetTested: Float64Array } {
  const SA = counts.length, A = x.mdp.numActions;
  let nmax = 0, amax = 0, qmax = 0;
  for (let k = 0; k < SA; k++) { nmax = Math.max(nmax, counts[k]!); if (counts[k]! > 0) { amax = Math.max(amax, Math.abs(x.ev.A[k]!)); qmax = Math.max(qmax, Math.abs(x.ev.Q[k]!)); } }
  const weight = new Float64Array(2 * SA), scale = new Float64Array(2 * SA), stated: boolean[] = [], tt = new Float64Array(2 * SA);
  for (let k = 0; k < 2 * SA; k++) {
    const j = k % SA;
    weight[k] = counts[j]!; scale[k] = k < SA ? amax : qmax; stated.push(counts[j]! >= STATED_VISIT_FRACTION * nmax && counts[j]! > 0);
    tt[k] = counts[j]! * (k < SA ? x.ev.A[j]! : x.ev.Q[j]!);
  }
  const pair = (j: number) => `(s=${Math.floor(j / A)}, a=${j % A})`;
  return { scaling: { name: (k) => (k < SA ? 'max|A^π|' : 'max|Q^π|'), scale, weight, stated, coordinate: (k) => (k < SA ? `advantage Â at ${pair(k)}` : `target at ${pair(k - SA)}`) }, targetTested: tt };
}

export { surrogateDeclaration, type SurrogateDeclaration } from './plugin.js';

/**
 * The advantages a per-batch normalization tends to as the batch grows:
 * Â ← (A − μ)/σ with μ, σ² the mean and variance of A(s_t, a_t) over the transitions of a
 * batch, whose limits are μ = Σ n̄(s,a) A(s,a) / Σ n̄ and σ² = Σ n̄ (A − μ)² / Σ n̄, n̄(s,a) =
 * η̄(s) π(a|s) the undiscounted expected visits (every transition counts once in a batch mean).
 */
export function normalizedAdvantageLimit(x: EstimatorInstance): { adv: Float64Array; mu: number; sigma: number } {
  const pi = x.policy.param.probs(x.policy.theta);
  const etaBar = decisionVisitation(x.mdp, evaluatePolicy(withChanges(x.mdp, { gamma: 1 }), pi).eta);
  const A = x.mdp.numActions, SA = pi.length;
  let m0 = 0, m1 = 0, m2 = 0;
  for (let k = 0; k < SA; k++) { const n = etaBar[Math.floor(k / A)]! * pi[k]!; m0 += n; m1 += n * x.ev.A[k]!; }
  const mu = m1 / m0;
  for (let k = 0; k < SA; k++) { const n = etaBar[Math.floor(k / A)]! * pi[k]!; m2 += n * (x.ev.A[k]! - mu) ** 2; }
  const sigma = Math.sqrt(m2 / m0);
  if (!(sigma > 0)) fail('CLI_USAGE', `${x.label}: the advantages have no spread over the visited pairs, so per-batch normalization is undefined`, { where: x.label });
  return { adv: x.ev.A.map((a) => (a - mu) / sigma), mu, sigma };
}

/**
 * E[−∇loss] of a declared surrogate at θ on batches from θ_old: ∇ of the clipped (or, without
 * `clip`, unclipped) objective with η_old and the exact (or limit-normalized) A_old, plus
 * c ∇Σ η H(π_θ) for an entropy bonus, minus β ∇Σ η KL(π_old‖π_θ) for a KL penalty (η over
 * decision steps; ../exact/objectives.ts).
 */
export function surrogateTarget(x: EstimatorInstance, theta: Float64Array, d: SurrogateDeclaration): Float64Array {
  const at = { param: x.policy.param, theta }, piOld = x.policy.param.probs(x.policy.theta);
  const adv = d.normalizeAdvantages ? normalizedAdvantageLimit(x).adv : x.ev.A;
  const g = clippedObjectiveGradient(at, piOld, adv, x.ev.eta, d.clip ?? Number.MAX_VALUE);
  const eta = decisionVisitation(x.mdp, x.ev.eta);
  if (d.entropyCoef) { const h = entropyGradient(at, eta); for (let k = 0; k < g.length; k++) g[k] = g[k]! + d.entropyCoef * h[k]!; }
  if (d.klCoef) { const h = klGradient(at, piOld, eta); for (let k = 0; k < g.length; k++) g[k] = g[k]! - d.klCoef * h[k]!; }
  return g;
}

/** A candidate of the mutation catalogue, with its description from the catalogue. */
function mutant(id: string, rest: Omit<Candidate, 'id' | 'description'>): Candidate {
  return { id, description: findMutation(id)!.description, ...rest };
}

/** The candidate "the estimate has mean 0": what an estimator that never reads its batch returns. */
const ignoresBatch = (dim: number): Candidate => ({ id: 'ignores-its-batch', description: 'an estimate of mean 0, as from an estimator that does not read its batch', exact: new Float64Array(dim) });

/** A ∇J-shaped check's coordinates: ∇J components by (s, a). */
function gradientReader(x: EstimatorInstance, target: ArrayLike<number>, what = '∇J component'): Reader {
  const A = x.mdp.numActions, d = target.length;
  return { coordinate: (k) => `${what} at (s=${Math.floor(k / A)}, a=${k % A})`, expected: (k) => target[k]!, weight: () => 1, compared: () => [0, d] };
}

/** Repeats a K×SA residual table as K×2SA (advantages, then targets): a catalogue advantage's target is Â + V(s), whose residual against Q equals Â's against A. */
function doubled(est: BatchEstimates): Float64Array {
  const d = est.dim, out = new Float64Array(2 * est.values.length);
  for (let i = 0; i < est.batches; i++) { const row = est.values.subarray(i * d, (i + 1) * d); out.set(row, 2 * i * d); out.set(row, 2 * i * d + d); }
  return out;
}

/** The claims for one loaded estimator. */
export function userEstimatorClaims(e: LoadedEstimator, runner: Runner, opts: CheckOptions): Claim[] {
  const p: PowerSettings = { fraction: opts.resolution ?? DEFAULT_RESOLUTION, budget: opts.budget ?? DEFAULT_BUDGET_SECONDS, minSamples: opts.samples ?? DEFAULT_MIN_SAMPLES };
  const inst = instances(opts);
  const tag = `check.${e.name}`;
  const sizes = new Map<string, SizedRun>();
  const rule = `studentized max, Šidák, α = 1e-6 per check; inconclusive (a failure) unless it resolves a bias of ${(100 * p.fraction).toFixed(1)}% of the target's scale at power ${DETECTION_POWER}`;
  const needEpisodes = () => { if (!inst.episodic.length) fail('CLI_USAGE', `${e.name}: a ${e.estimator.kind} check needs complete episodes, and this MDP has a state that never terminates (give it terminal states, or use the built-in instances)`); };
  /** A control run with the sample size of the user's check on the same key (or the minimum). */
  const controlBatches = (key: string, src: BatchSource) => sizes.get(key)?.batches ?? Math.max(50, Math.ceil(p.minSamples / perBatch(src)));
  switch (e.estimator.kind) {
    case 'policy-gradient': {
      const declared = declaredPolicy(e);
      if (declared === 'mlp') return mlpEstimatorClaims(e, runner, { ...opts, resolution: p.fraction, budget: p.budget, samples: p.minSamples });
      if (declared !== 'tabular') return continuousEstimatorClaims(e, runner.continuous, { ...opts, resolution: p.fraction, budget: p.budget, samples: p.minSamples });
      const plans = (): Planned[] => inst.episodic.map((x) => ({
        key: x.label, instance: `${x.label}: ${e.name}`, x, source: EP(64), task: 'userPolicyGradientTask', options: { key: e.key, gamma: x.mdp.gamma },
        stream: `${tag}/${x.label}/user`, target: x.grad, scaling: () => ({ scaling: gradientScaling(x), targetTested: x.grad }),
        diagnosis: () => ({
          reader: gradientReader(x, x.grad),
          candidates: [
            ...(x.mdp.gamma < 1 ? [mutant('mutant.reinforce-no-discount-weight', { exact: undiscountedWeightedGradient(x) })] : []),
            ignoresBatch(x.grad.length),
          ],
        }),
      }));
      const control = async (ctx: RunContext, x: EstimatorInstance, m: string) => {
        const est = await runner.run(ctx, x, EP(64), controlBatches(x.label, EP(64)), 'builtin', { estimator: m, gamma: x.mdp.gamma, baseline: Array.from(x.ev.V) }, `${tag}/${x.label}/${m}`, 'policyGradientTask');
        return meanCheck(`${x.label}: ${m}`, est, x.grad, { relativeTo: { name: '‖∇J‖₂', value: x.norm }, unit: 'batches of 64 episodes' });
      };
      return [{
        id: `${tag}.unbiased`, title: `${e.name} is unbiased for ∇J`, source: 'Lehmann 2024, Theorem 3.1',
        statement: String.raw`\mathbb E[\hat g] = \nabla_\theta J(\theta)`, relation: 'unbiased', rule,
        run: async (ctx) => { needEpisodes(); return runSized(ctx, runner, plans(), p, sizes); },
        control: {
          description: 'REINFORCE without γ^t (mutant.reinforce-no-discount-weight) where γ < 1, else with a baseline read at s_{t+1} (mutant.action-dependent-baseline)',
          run: async (ctx) => { needEpisodes(); const out: Check[] = []; for (const x of inst.episodic) out.push(await control(ctx, x, x.mdp.gamma < 1 ? 'mutant.reinforce-no-discount-weight' : 'mutant.action-dependent-baseline')); return out; },
        },
      }];
    }
    case 'advantage': {
      const LAMBDAS = [0, 0.5, 0.95, 1];
      const key = (x: EstimatorInstance, lambda: number, src: BatchSource) => `${x.label}/${lambda}/${src.kind}`;
      const plan = (x: EstimatorInstance, lambda: number, src: BatchSource): Planned => ({
        key: key(x, lambda, src), x, source: src, task: 'userAdvantageTask', needsCounts: true,
        instance: `${x.label}: ${e.name}, λ = ${lambda}, ${src.kind === 'segments' ? 'segments cut by truncation' : 'complete episodes'} (advantages and targets)`,
        options: { key: e.key, lambda, gamma: x.mdp.gamma, values: Array.from(x.ev.V), advantages: Array.from(x.ev.A), q: Array.from(x.ev.Q), normalizer: perBatch(src) },
        stream: `${tag}/${x.label}/${lambda}/${src.kind}/user`, target: new Float64Array(2 * x.ev.A.length), scaling: (counts) => advantageScaling(x, counts!),
        diagnosis: (ctx, run, rows) => {
          const SA = x.ev.A.length, A = x.mdp.numActions, n = run.counts!;
          const pair = (j: number) => `(s=${Math.floor(j / A)}, a=${j % A})`;
          const paired = (m: string) => mutant(m, { paired: async () => doubled(await runner.run(ctx, x, src, rows, 'builtin', { estimator: m, parameter: lambda, gamma: x.mdp.gamma, values: Array.from(x.ev.V), target: Array.from(x.ev.A), normalizer: perBatch(src) }, `${tag}/${x.label}/${lambda}/${src.kind}/user`, 'advantageResidualTask')) });
          return {
            reader: {
              coordinate: (k) => (k < SA ? `the advantage Â at ${pair(k)}` : `the value target at ${pair(k - SA)}`),
              expected: (k) => (k < SA ? x.ev.A[k]! : x.ev.Q[k - SA]!), weight: (k) => n[k % SA]!, compared: (k) => (k < SA ? [0, SA] : [SA, 2 * SA]),
            },
            candidates: ['mutant.truncation-as-termination', 'mutant.gae-no-reset', 'mutant.gae-done-one-step-late', 'mutant.gae-carry-seeded-with-bootstrap'].map(paired),
          };
        },
      });
      const plans = (): Planned[] => LAMBDAS.flatMap((lambda) => [...inst.episodic.map((x) => plan(x, lambda, EP(16))), ...inst.continuing.map((x) => plan(x, lambda, SEG))]);
      const control = async (ctx: RunContext, x: EstimatorInstance, lambda: number) => {
        const m = 'mutant.truncation-as-termination';
        const est = await runner.run(ctx, x, SEG, controlBatches(key(x, lambda, SEG), SEG), 'builtin', { estimator: m, parameter: lambda, gamma: x.mdp.gamma, values: Array.from(x.ev.V), target: Array.from(x.ev.A), normalizer: perBatch(SEG) }, `${tag}/${x.label}/${lambda}/segments/${m}`, 'advantageResidualTask');
        return meanCheck(`${x.label}: ${m}, λ = ${lambda}, segments cut by truncation`, est, new Float64Array(est.dim));
      };
      const critics = criticClaim(e, (ctx, s, n, options, stream, builtin) => runner.run(ctx, s.x, s.source, n, builtin ? 'builtin' : 'userCriticTask', options, stream, builtin as TaskName | undefined), criticSettings(opts.mdp ? inst : { ...inst, continuing: [continuingGarnetInstance()] }), 50, tag,
        { fraction: p.fraction, budget: p.budget, minSamples: p.minSamples });
      return [{
        id: `${tag}.unbiased`, title: `${e.name}: with V^π its advantages have mean A^π(s,a) and its targets Q^π(s,a)`, source: 'Lehmann 2024, eq. 14, Algorithm 7 / eq. 19',
        statement: String.raw`\mathbb E[\hat A_t \mid s_t=s,a_t=a] = A^\pi(s,a),\quad \mathbb E[\text{target}_t \mid s,a] = Q^\pi(s,a)`, relation: 'unbiased', rule,
        run: (ctx) => runSized(ctx, runner, plans(), p, sizes),
        control: {
          description: 'GAE treating a segment truncation as a termination (mutant.truncation-as-termination)',
          run: async (ctx) => { const out: Check[] = []; for (const x of inst.continuing) for (const lambda of [0.5, 1]) out.push(await control(ctx, x, lambda)); return out; },
        },
      }, critics];
    }
    case 'kl':
      return [klClaim(e, (x) => runner.kl(e.key, x), tag, p, rule)];
    case 'group':
      return groupEstimatorClaims(e, runner.group, { ...opts, resolution: p.fraction, budget: p.budget, samples: p.minSamples });
    case 'value-loss':
    case 'actor-critic': {
      // ./deep-claims.ts: on the critic claim's segment settings
      const deepRun: DeepRun = (ctx, x, source, batches, task, options, stream) => (task === 'visitCountTask' ? runner.run(ctx, x, source, batches, 'builtin', options, stream, 'visitCountTask') : runner.run(ctx, x, source, batches, task, options, stream));
      const where = opts.mdp ? inst : { ...inst, continuing: [continuingGarnetInstance()] };
      return (e.estimator.kind === 'value-loss' ? valueLossClaims : actorCriticClaims)(e, deepRun, where, p, tag);
    }
    case 'trpo-fvp': case 'trpo-cg': case 'trpo-linesearch': case 'vmpo':
      return machineryClaims(e, runner.machinery, opts);
    case 'surrogate': {
      if (declaredPolicy(e) !== 'tabular') return continuousSurrogateClaims(e, runner.continuousSurrogate, { ...opts, resolution: p.fraction, budget: p.budget, samples: p.minSamples }, gaussianMlpSurrogateCases);
      // the tabular target uses the exact entropy: a declared −log π estimate would be silently misread
      if (declaredEntropy(e) === 'sample') fail('PLUGIN_INVALID', `${e.name}: entropy: 'sample' is checked for Gaussian and tanh-Gaussian policies only (a tabular surrogate's entropy is exact: omit it or declare 'exact')`, { where: `${e.key}.entropy`, value: 'sample' });
      const decl = surrogateDeclaration(e);
      const moved = (x: EstimatorInstance) => { const rng = Rng.from(`check/moved/${x.label}`); return x.policy.theta.map((t) => t + 0.5 * rng.normal()); };
      const plan = (x: EstimatorInstance, where: 'at θ_old' | 'at θ ≠ θ_old'): Planned => {
        const theta = where === 'at θ_old' ? x.policy.theta : moved(x);
        const target = surrogateTarget(x, theta, decl);
        return {
          key: `${x.label}/${where}`, instance: `${x.label}: −∇ ${e.name} ${where}`, x, source: EP(64), task: 'userSurrogateTask',
          options: { key: e.key, theta: Array.from(theta), advantages: Array.from(x.ev.A) }, stream: `${tag}/${x.label}/${where}/user`, target,
          scaling: () => ({ scaling: gradientScaling(x), targetTested: target }),
          ...(decl.normalizeAdvantages ? { margin: NORMALIZATION_MARGIN * x.norm } : {}),
          diagnosis: (ctx, _run, rows) => {
            const variant = (id: string, description: string, d: SurrogateDeclaration): Candidate => ({ id, description, exact: surrogateTarget(x, theta, d) });
            const cands: Candidate[] = [];
            const twice = (f: 'entropyCoef' | 'klCoef'): Candidate => {
              // the regularizer with the wrong sign: the target with −coefficient
              const t = surrogateTarget(x, theta, { ...decl, [f]: 0 }), full = surrogateTarget(x, theta, decl);
              return mutant(f === 'entropyCoef' ? 'mutant.entropy-bonus-sign-flipped' : 'mutant.kl-penalty-sign-flipped', { exact: t.map((v, k) => 2 * v - full[k]!) });
            };
            if (decl.entropyCoef) { cands.push(twice('entropyCoef')); cands.push(variant('entropy-bonus-missing', 'the declared entropy bonus is not in the loss', { ...decl, entropyCoef: 0 })); }
            if (decl.klCoef) { cands.push(twice('klCoef')); cands.push(variant('kl-penalty-missing', 'the declared KL penalty is not in the loss', { ...decl, klCoef: 0 })); }
            if (decl.clip) {
              cands.push(variant('clip-not-applied', 'the clip is not applied (the unclipped surrogate)', { ...decl, clip: undefined as unknown as number }));
              const plain = surrogateTarget(x, theta, { clip: decl.clip }), full = surrogateTarget(x, theta, { ...decl, normalizeAdvantages: false });
              if (!decl.normalizeAdvantages) cands.push(mutant('mutant.ppo-min-before-multiply', { paired: async () => {
                const est = await runner.run(ctx, x, EP(64), rows, 'builtin', { estimator: 'mutant.ppo-min-before-multiply', gamma: x.mdp.gamma, theta: Array.from(theta), epsilon: decl.clip!, advantages: Array.from(x.ev.A) }, `${tag}/${x.label}/${where}/user`, 'surrogateGradientTask');
                // plus the exact gradients of the declared regularizers
                return est.values.map((v, i) => v + full[i % est.dim]! - plain[i % est.dim]!);
              } }));
            } else cands.push(variant('clipped', `PPO's clipped surrogate (ε = 0.2) where the declared one is unclipped`, { ...decl, clip: 0.2 }));
            cands.push(decl.normalizeAdvantages
              ? variant('advantages-not-normalized', 'normalizeAdvantages is declared but the advantages are used as given', { ...decl, normalizeAdvantages: false })
              : variant('advantages-normalized', 'per-batch advantage normalization that is not declared (set normalizeAdvantages: true)', { ...decl, normalizeAdvantages: true }));
            cands.push(ignoresBatch(target.length));
            return { reader: gradientReader(x, target, '−∇loss component'), candidates: cands };
          },
        };
      };
      const plans = (): Planned[] => inst.episodic.flatMap((x) => [plan(x, 'at θ_old'), plan(x, 'at θ ≠ θ_old')]);
      const control = async (ctx: RunContext, x: EstimatorInstance) => {
        const theta = moved(x), m = decl.clip ? 'mutant.ppo-min-before-multiply' : 'ppoClipSurrogate';
        // the mutant is the plain (clipped or unclipped) surrogate, without the declared regularizers or
        // normalization: it is held to the plain part of the target, the check of that part is what it tests
        const plain = surrogateTarget(x, theta, decl.clip ? { clip: decl.clip } : {});
        const est = await runner.run(ctx, x, EP(64), controlBatches(`${x.label}/at θ ≠ θ_old`, EP(64)), 'builtin', { estimator: m, gamma: x.mdp.gamma, theta: Array.from(theta), epsilon: decl.clip ?? 0.2, advantages: Array.from(x.ev.A) }, `${tag}/${x.label}/at θ ≠ θ_old/${m}`, 'surrogateGradientTask');
        return meanCheck(`${x.label}: −∇ ${m} at θ ≠ θ_old`, est, plain, { relativeTo: { name: '‖∇J‖₂', value: x.norm } });
      };
      const extras = [decl.entropyCoef ? `+ ${decl.entropyCoef}·∇H` : '', decl.klCoef ? `− ${decl.klCoef}·∇KL(π_old‖π_θ)` : ''].filter(Boolean).join(' ');
      const normNote = decl.normalizeAdvantages && inst.episodic.length ? normalizationNote(inst.episodic) : '';
      return [{
        id: `${tag}.gradient`,
        title: `${e.name}: −∇loss equals ${decl.normalizeAdvantages ? 'the large-batch limit of the normalized-advantage surrogate\'s gradient' : '∇J at θ_old'}${extras ? ` ${extras}` : ''} and the exact ${decl.clip ? `clipped (ε = ${decl.clip})` : 'unclipped'} surrogate gradient elsewhere${normNote}`,
        source: 'Lehmann 2024, Table 1, eq. 18; Schulman et al. 2017, eqs. 8–9',
        statement: String.raw`\mathbb E[-\nabla\hat L(\theta)] = \nabla_\theta \textstyle\sum_s\eta_{\mathrm{old}}(s)\big(\mathbb E_{\pi_{\mathrm{old}}}[\min(rA,\mathrm{clip}(r)A)] + c\,H(\pi_\theta(\cdot|s)) - \beta\,\mathrm{KL}(\pi_{\mathrm{old}}\|\pi_\theta)(s)\big)`, relation: 'unbiased', rule,
        run: async (ctx) => { needEpisodes(); return runSized(ctx, runner, plans(), p, sizes); },
        control: {
          description: decl.clip ? 'PPO taking min(ρ, clip ρ) before multiplying by Â (mutant.ppo-min-before-multiply), at θ ≠ θ_old' : 'PPO\'s clipped surrogate (ε = 0.2) against the unclipped target, at θ ≠ θ_old',
          run: async (ctx) => { needEpisodes(); const out: Check[] = []; for (const x of inst.episodic) out.push(await control(ctx, x)); return out; },
        },
      }];
    }
  }
}

// the equivalence margin of a normalizing surrogate (its own module: the continuous surrogates read it too)
export { NORMALIZATION_MARGIN };

/** How far the normalized-advantage surrogate's gradient is from ∇J at θ_old: ∇J/σ_A, biased by |1/σ_A − 1|·‖∇J‖₂. */
function normalizationNote(xs: readonly EstimatorInstance[]): string {
  const parts = xs.map((x) => { const { sigma } = normalizedAdvantageLimit(x); return `${x.label}: σ_A = ${sigma.toPrecision(3)}, biased by ${(100 * Math.abs(1 / sigma - 1)).toFixed(0)}% of ‖∇J‖₂`; });
  return ` — with per-batch advantage normalization it is BIASED for ∇J: at θ_old E[−∇loss] → ∇J/σ_A (σ_A = the advantages' standard deviation over a batch's transitions; ${parts.join('; ')}), plus a finite-batch term of order 1/(transitions per batch), allowed for by a margin of ${100 * NORMALIZATION_MARGIN}% of ‖∇J‖₂`;
}

/** The KL kind: one scalar per draw, sized by a pilot of draws. */
function klClaim(e: LoadedEstimator, f: (x: Float64Array) => Promise<ArrayLike<number>>, tag: string, p: PowerSettings, rule: string): Claim {
  const cases = [gaussianCase(0.1), gaussianCase(1), discreteCase('check-a'), discreteCase('check-b')];
  const sizes = new Map<string, number>();
  const CHUNK = 1 << 18, PILOT_DRAWS = 20_000, MAX_DRAWS = 1 << 26;
  const KEEP = 200_000;
  /** Runs `fn` on n draws of case c from `stream`, in chunks; returns the summary, the first values (for a paired diagnosis) and seconds per draw. */
  const draw = async (c: (typeof cases)[number], fn: (x: Float64Array) => ArrayLike<number> | Promise<ArrayLike<number>>, label: string, stream: string, n: number) => {
    const rng = Rng.from(stream), acc = new MeanCovariance(1, false), t0 = performance.now(), one = [0];
    const first = new Float64Array(Math.min(KEEP, n));
    for (let done = 0; done < n; done += CHUNK) {
      const m = Math.min(CHUNK, n - done);
      const v = toChecked(await fn(c.draw(rng, m)), m, label);
      for (let i = 0; i < m; i++) { one[0] = v[i]!; acc.push(one); if (done + i < first.length) first[done + i] = v[i]!; }
    }
    return { acc, first, seconds: (performance.now() - t0) / 1000 / n };
  };
  const scaling = (c: (typeof cases)[number]): Scaling => ({ name: () => 'KL', scale: [Math.abs(c.kl)], weight: [1], stated: [true], coordinate: () => 'E[k̂]' });
  const run = async (ctx: RunContext, fn: (x: Float64Array) => Promise<ArrayLike<number>>, label: string): Promise<Check[]> => {
    const pilots: Awaited<ReturnType<typeof draw>>[] = [];
    for (const c of cases) pilots.push(await draw(c, fn, label, `${ctx.seed}/${tag}/${c.label}/pilot`, PILOT_DRAWS));
    const want = cases.map((c, i) => Math.min(batchesToReject(pilots[i]!.acc, [c.kl], CHECK_ALPHA), batchesFor([Math.sqrt(pilots[i]!.acc.variances()[0]!)], CHECK_ALPHA, scaling(c), p.fraction)));
    const n = allocate(want, cases.map(() => Math.max(1000, p.minSamples)), pilots.map((x) => x.seconds), p.budget, MAX_DRAWS);
    const out: Check[] = [];
    for (const [i, c] of cases.entries()) {
      sizes.set(c.label, n[i]!);
      const stream = `${ctx.seed}/${tag}/${c.label}`;
      const { acc, first } = await draw(c, fn, label, stream, n[i]!);
      const check = sizedDecision(`${c.label}: ${label}`, acc, [c.kl], { alpha: CHECK_ALPHA, fraction: p.fraction, scaling: scaling(c), targetTested: [c.kl], unit: 'draws', samplesPerBatch: 1, sampleName: 'draws' });
      if (check.passed || check.discrepancy <= check.tolerance) { out.push(check); continue; }
      const candidates: Candidate[] = [
        mutant('mutant.k3-exp-of-ratio', { paired: async () => (await draw(c, klK3ExpOfRatio, 'mutant.k3-exp-of-ratio', stream, first.length)).first }),
        { id: 'k2', description: 'k2 = ½(log r)², which is biased for KL(q‖p)', exact: [c.k2Mean] },
        ignoresBatch(1),
      ];
      const reader: Reader = { coordinate: () => 'E[k̂]', expected: () => c.kl, weight: () => 1, compared: () => [0, 1] };
      out.push({ ...check, diagnosis: await diagnose(first, 1, [c.kl], 0, reader, candidates, first.length) });
    }
    return out;
  };
  return {
    id: `${tag}.unbiased`, title: `${e.name} is unbiased for KL(q‖p) with x ∼ q`, source: 'Schulman 2020, "Approximating KL Divergence"',
    statement: String.raw`\mathbb E_{x\sim q}[\hat k(\log r)] = \mathrm{KL}(q\|p)`, relation: 'unbiased', rule,
    run: (ctx) => run(ctx, f, e.name),
    // the mutant's mean is infinite for N(0,1) vs N(1,1): a mean test cannot reject it there
    control: {
      description: 'k3 computed as (e^r − 1) − r (mutant.k3-exp-of-ratio)',
      run: (ctx) => Promise.all(cases.filter((c) => !c.label.includes('N(1,1)')).map(async (c) => {
        const { acc } = await draw(c, klK3ExpOfRatio, 'mutant.k3-exp-of-ratio', `${ctx.seed}/${tag}/${c.label}`, sizes.get(c.label) ?? Math.max(1000, p.minSamples));
        const t = meanTest(acc, [c.kl], CHECK_ALPHA);
        return { instance: `${c.label}: mutant.k3-exp-of-ratio`, passed: t.passed, discrepancy: t.statistic, tolerance: t.threshold, stats: { effect: t.effect, standardError: t.standardError, samples: t.samples, falseAlarmRate: t.falseAlarmRate, minDetectable: t.minDetectable, statistic: t.statistic, threshold: t.threshold, test: t.test, relativeTo: { name: 'KL', value: c.kl } } };
      })),
    },
  };
}

function toChecked(x: ArrayLike<number>, n: number, what: string): ArrayLike<number> {
  if (x?.length !== n) fail('ESTIMATOR_INVALID', `${what} returned ${x?.length ?? String(x)} numbers for ${n} samples`, { where: what, value: x?.length });
  for (let i = 0; i < n; i++) if (!Number.isFinite(x[i]!)) fail('ESTIMATOR_INVALID', `${what}[${i}] is ${x[i]}: estimates must be finite numbers`, { where: `${what}[${i}]`, value: x[i] });
  return x;
}

/**
 * Loads the module in a sandbox (./sandbox.ts), builds every applicable claim, and runs
 * them. A user call that ends its worker (`USER_CODE_EXIT`) or hangs (`USER_CODE_TIMEOUT`, or
 * `PYTHON_TIMEOUT` in a Python module) stops the whole check with that error; any other
 * error of a claim is its ERROR verdict.
 */
export async function checkModule(path: string, opts: CheckOptions = {}): Promise<{ estimators: LoadedEstimator[]; results: ClaimResult[] }> {
  const box = await UserSandbox.open(path, { ...(opts.workers !== undefined ? { workers: opts.workers } : {}), ...(opts.timeout !== undefined ? { timeout: opts.timeout } : {}), ...(opts.python !== undefined ? { python: opts.python } : {}) });
  const { pool, taskFile, estimators } = box;
  let fatal: PgTruthError | undefined;
  const sealed = async <T>(f: () => Promise<T>): Promise<T> => {
    if (fatal) throw fatal;
    try { return await f(); } catch (e) {
      // a Python hang killed the thread's Python worker: the same stop as a hang in TypeScript
      if (isPgTruthError(e, 'USER_CODE_EXIT') || isPgTruthError(e, 'USER_CODE_TIMEOUT') || isPgTruthError(e, 'PYTHON_TIMEOUT')) fatal ??= e;
      throw e;
    }
  };
  const runner: Runner = {
    run(ctx, x, source, batches, task, options, stream, builtin) {
      const spec = { mdp: x.mdp, policy: x.policy };
      if (task === 'builtin') return sampleEstimates(ctx, { spec, source, batches, task: builtin ?? 'policyGradientTask', options, stream });
      const plan = { source, batches: Math.max(50, Math.round(batches * ctx.scale)), seed: `${ctx.seed}/${stream}` };
      return sealed(() => pool.mapBatches(spec, plan, { module: taskFile, name: task }, options));
    },
    kl: (key, logRatio) => sealed(() => box.kl(key, logRatio)),
    machinery: (key, payload) => sealed(() => box.machinery(key, payload)),
    group: (key, batches, theta, part) => sealed(() => box.group(key, batches, theta, part)),
    continuous: (key, batches, spec, theta) => sealed(() => box.continuous(key, batches, spec, theta)),
    continuousSurrogate: (key, batches, spec, theta, adv) => sealed(() => box.continuousSurrogate(key, batches, spec, theta, adv)),
  };
  try {
    const claims = estimators.flatMap((e) => userEstimatorClaims(e, runner, opts));
    const results = await runClaims(claims, { seed: opts.seed ?? 20240124, pool, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
    if (fatal) throw fatal;
    return { estimators, results };
  } finally {
    await box.close();
  }
}

/**
 * For a user's own test suite: runs every claim `pgtruth check` runs on the estimators of
 * the module at `path` and throws `CHECK_FAILED` with the failing verdicts unless all pass.
 *
 * ```ts
 * import { expectUnbiased } from 'pgtruth';
 * it('my GAE is unbiased', async () => { await expectUnbiased('./src/my-gae.ts'); }, 120_000);
 * ```
 */
export async function expectUnbiased(path: string, opts: CheckOptions = {}): Promise<ClaimResult[]> {
  const { results } = await checkModule(path, opts);
  const bad = results.filter((r) => r.verdict !== 'pass');
  if (bad.length) {
    const why = (c: Check) => c.inconclusive && c.discrepancy <= c.tolerance
      ? `inconclusive: resolves ${(100 * (c.stats?.resolution ?? Infinity)).toPrecision(3)}% of ${c.stats?.relativeTo?.name ?? 'the scale'}; about ${fmtCount(c.inconclusive.needed)} ${c.inconclusive.unit} would resolve it`
      : !c.stats && !c.inconclusive
        // an exact check (the machinery kinds, ./machinery.ts): its discrepancy relative to the target's scale against its tolerance, no standard error
        ? `exact: discrepancy ${c.discrepancy.toPrecision(2)} > tolerance ${c.tolerance.toPrecision(2)}${c.diagnosis ? `; worst ${c.diagnosis.coordinate}: observed ${c.diagnosis.observed.toPrecision(4)}, expected ${c.diagnosis.expected.toPrecision(4)}, |difference| ${Math.abs(c.diagnosis.observed - c.diagnosis.expected).toPrecision(2)}${c.diagnosis.looksLike ? `; looks like ${c.diagnosis.looksLike}` : ''}` : ''}`
        : `|z| = ${c.discrepancy.toFixed(1)} > ${c.tolerance.toFixed(1)}${c.diagnosis ? `; worst ${c.diagnosis.coordinate}: expected ${c.diagnosis.expected.toPrecision(4)}, observed ${c.diagnosis.observed.toPrecision(4)} ± ${c.diagnosis.standardError.toPrecision(2)}${c.diagnosis.looksLike ? `; looks like ${c.diagnosis.looksLike}` : ''}` : ''}`;
    const lines = bad.map((r) => `${r.verdict.toUpperCase()} ${r.id}: ${r.error ?? r.checks.filter((c) => !c.passed).map((c) => `${c.instance} (${why(c)})`).join('; ') ?? ''}${r.verdict === 'control-not-rejected' ? ' — the check could not tell a known bug apart here' : ''}`);
    throw new PgTruthError('CHECK_FAILED', `${path}: ${bad.length} claim(s) did not pass:\n${lines.join('\n')}`, { where: path });
  }
  return results;
}
