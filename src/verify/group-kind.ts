/**
 * `pgtruth check` for group-relative estimators (GRPO, Dr. GRPO, RLOO, …): the kind `group`.
 *
 * The user's function receives a batch of B prompts × G responses × T tokens with a padding
 * mask ({@link GroupBatch}: `rewards[b*G + j]`, `mask`, `s_t`, `a_t`, `logp_t` at
 * `(b*G + j)*T + t`) and returns per-token advantages A_{i,t} (N × T, N = B·G; entries on
 * padding are ignored), or the loss it minimizes with its gradient at θ = θ_old (then −∇loss
 * is the estimate). From advantages pgtruth forms the policy-gradient estimate
 *
 * $$\hat g = \frac1N\sum_{i,t} m_{i,t}\,A_{i,t}\,\nabla_\theta\log\pi_\theta(a_{i,t}|s_{i,t})$$
 *
 * (the per-token loss −A log π summed over tokens and averaged over responses — any length
 * normalization belongs in A) and checks E[ĝ] = scale(G)·∇J, with `scale` declared by the
 * estimator (default 1: RLOO; Dr. GRPO's group mean has 1 − 1/G, derivations/10-group-relative.md),
 * on the built-in contextual bandit (Bernoulli rewards, G = 4), a 0/1 bandit whose prompts
 * succeed at rates 0.04 and 0.5 (G = 8, where GRPO's std reweights them) and the built-in token
 * MDP (G = 3, responses of 1–3 tokens). The negative control is GRPO as published (std
 * normalization, 1/|o| per sequence) against the same target. Each verdict's note gives the
 * observed ‖ḡ − target‖₂ relative to ‖target‖₂ (noise included: for a correct estimator it is
 * of the order of the resolution, for a biased one it is the size of the bias).
 *
 * Two declarations extend it (issue 15, item 4). `objective: 'length-normalized'` says the
 * estimator's loss aggregation averages each response's tokens (1/|o_i|, GRPO's per-sequence
 * mean): its target becomes κ(G)·∇_θ E[(R(o) − V(q))/|o|] with V held fixed
 * (`lengthNormalizedGradient`, exact from the enumerated responses), the objective that
 * aggregation is unbiased for (claim `group.loss-aggregation`); a failure is compared with the
 * other objective. `klPenalty(batch, policy)` gives the estimator's KL-to-reference loss term:
 * the claim `check.<name>.kl-penalty` checks E[∇L_KL] = ∇_θ KL(π_θ‖π_ref) of whole responses
 * (`sequenceKlGradient`), π_ref a seeded softmax policy whose per-token log-probabilities the
 * batch carries (`logpRef_t`); control: GRPO's k3 loss term (Shao et al. 2024, eq. 4), whose
 * mean is the per-state gradient of KL(π_ref‖π_θ) (Tang & Munos 2025) — the diagnosis's
 * candidate for a failure. Examples: rloo-per-sequence(-bug).ts, grpo-kl-k1-reward.ts,
 * grpo-kl-k3-wrong-direction-bug.ts.
 *
 * Sealed like every kind (./sandbox.ts): this thread draws the groups (seeded, so the same
 * batches with any number of workers) and sends them in chunks to the sandbox's workers, where
 * the user's `estimate` runs (`userGroupTask` in ./user-tasks.ts, through
 * {@link userGroupGradient}); `scale` too is called only there, at the group sizes
 * {@link GROUP_SIZES} this kind uses, and reaches this thread as numbers in the estimator's
 * description. A Python module's group estimator (`'kind': 'group'`, ./python/) runs the same way.
 *
 * Power (./power.ts), as for every kind: a pilot sizes each instance's main run to resolve
 * `resolution` (default 5%) of ‖κ(G)∇J‖₂ at power 0.9 within the budget; a check that cannot
 * is INCONCLUSIVE (a failure). A failed check names its worst ∇J component and the known
 * variant whose exact mean (enumerated over every group on the built-in problems) matches.
 *
 * ```ts
 * import type { GroupEstimator } from 'pgtruth';
 * const rloo: GroupEstimator = {
 *   kind: 'group', name: 'RLOO',
 *   estimate(batch) { … return perTokenAdvantages; },   // length N·T
 * };
 * export default rloo;
 * ```
 *
 * @module
 */
import { fail, isPgTruthError, show } from '../errors.js';
import { aggregationWeights, sequenceToTokens, tokenPolicyGradient } from '../estimators/aggregation.js';
import { grpoAdvantages } from '../estimators/group.js';
import { referenceKlTerm } from '../estimators/refkl.js';
import { evaluatePolicy } from '../exact/evaluate.js';
import { policyGradient } from '../exact/gradient.js';
import { enumerateResponses } from '../exact/responses.js';
import { firstNonTerminating } from '../exact/termination.js';
import type { FiniteMDP } from '../mdp/model.js';
import { softmaxPolicy } from '../policy/softmax.js';
import type { Policy } from '../policy/types.js';
import { sampleGroups, type GroupBatch } from '../sampling/groups.js';
import { buildSamplerTables } from '../sampling/tables.js';
import { Rng } from '../stats/rng.js';
import type { Check, Claim, RunContext } from './claim.js';
import { banditInstance, binaryBanditInstance, exactGroupMean, groupInstance, k3LossGradientTarget, lengthNormalizedGradient, referencePolicy, sequenceKlGradient, tokenInstance, type GroupInstance } from './claims/group.js';
import { diagnose, type Candidate, type Reader } from './diagnose.js';
import { DEFAULT_BUDGET_SECONDS, DEFAULT_RESOLUTION, PILOT_BATCHES, sizeAndRun, sizedDecision, type Scaling, type SizedItem } from './power.js';
import type { BatchEstimates } from '../sampling/map.js';
import { summarize } from '../stats/summary.js';
import { DETECTION_POWER } from '../stats/tests.js';
import { checkedResult, type LoadedEstimator, type PolicyView } from './plugin.js';
import { CHECK_ALPHA, meanCheck } from './sampled.js';


/** A group-relative estimator: per-token advantages from a batch of groups (module comment). */
export interface GroupEstimator {
  readonly kind: 'group';
  readonly name?: string;
  /** The factor κ(G) in E[ĝ] = κ(G)·∇J that the estimator is meant to have (default 1). */
  readonly scale?: (groupSize: number) => number;
  /**
   * Returns A_{i,t} for every token slot (length N·T; padding entries are ignored) — or the
   * loss the estimator minimizes and its gradient ∇_θ loss at θ = θ_old (length S·A), in which
   * case −gradient is the policy-gradient estimate checked.
   */
  estimate(batch: GroupBatch, policy: PolicyView): ArrayLike<number> | { readonly loss: number; readonly gradient: ArrayLike<number> };
  /**
   * The objective the estimate is unbiased for (up to κ(G)), which its loss aggregation
   * decides (`src/estimators/aggregation.ts`): `'J'` (default; the per-token loss summed over
   * tokens and divided by a constant) — E[ĝ] = κ∇J; `'length-normalized'` (each response's
   * tokens averaged, 1/|o_i|: GRPO's per-sequence mean) — E[ĝ] = κ∇_θ E[(R(o) − V(q))/|o|]
   * with V held fixed. No aggregation is unbiased for either when it divides by the batch's
   * token count (`token-mean`, DAPO).
   */
  readonly objective?: GroupObjective;
  /**
   * The KL-to-reference loss term L_KL (β = 1), checked against the exact gradient of the
   * sequence-level KL(π_θ‖π_ref) it is meant to penalize. Receives the batch with
   * `logpRef_t` = log π_ref(a_t|s_t) per token (0 on padding) and returns per-token
   * coefficients c_{i,t} with ∇_θ L_KL = (1/N) Σ_{i,t} m_{i,t} c_{i,t} ∇_θ log π_θ(a_{i,t}|s_{i,t}),
   * or `{ loss, gradient }` with gradient = ∇_θ L_KL at θ = θ_old.
   */
  klPenalty?(batch: ReferenceGroupBatch, policy: PolicyView): ArrayLike<number> | { readonly loss: number; readonly gradient: ArrayLike<number> };
}

/** What a group estimator's estimate is unbiased for ({@link GroupEstimator.objective}). */
export type GroupObjective = 'J' | 'length-normalized';
/** The objectives a group estimator may declare. */
export const GROUP_OBJECTIVES: readonly GroupObjective[] = ['J', 'length-normalized'];

/** A {@link GroupBatch} with the reference policy's per-token log-probabilities (the KL term's input). */
export interface ReferenceGroupBatch extends GroupBatch {
  /** log π_ref(a_t|s_t) per token slot (N × T; 0 on padding). */
  readonly logpRef_t: Float64Array;
}

/** Which of a group estimator's functions a run calls: `estimate` or `klPenalty`. */
export type GroupPart = 'estimate' | 'klPenalty';

/**
 * The group estimator's declared data beyond `scale`: its objective (checked: one of
 * {@link GROUP_OBJECTIVES}) and whether it has a `klPenalty` (checked: a function). Throws
 * `PLUGIN_INVALID` naming the export otherwise. What a sandboxed estimator's description carries.
 */
export function groupDeclaration(e: LoadedEstimator): { objective?: GroupObjective; klPenalty?: true } {
  const est = e.estimator as GroupEstimator;
  if (est.objective !== undefined && !GROUP_OBJECTIVES.includes(est.objective)) fail('PLUGIN_INVALID', `${e.module}: export ${e.key}.objective is ${show(est.objective)}: expected ${GROUP_OBJECTIVES.map((o) => `"${o}"`).join(' or ')}`, { where: `${e.key}.objective`, value: est.objective });
  if (est.klPenalty !== undefined && typeof est.klPenalty !== 'function') fail('PLUGIN_INVALID', `${e.module}: export ${e.key}.klPenalty is ${show(est.klPenalty)}: expected a function of (batch, policy)`, { where: `${e.key}.klPenalty` });
  return { ...(est.objective !== undefined ? { objective: est.objective } : {}), ...(est.klPenalty !== undefined ? { klPenalty: true as const } : {}) };
}

/** The group sizes G the kind's instances use (built-ins 4, 8, 3; a user's MDP 4): where a declared `scale` is evaluated. */
export const GROUP_SIZES = [3, 4, 8] as const;

/** An instance of the group check: a problem, a policy, G, and the most tokens of a response. */
interface Case { readonly label: string; readonly mdp: FiniteMDP; readonly policy: Policy; readonly grad: Float64Array; readonly G: number; readonly maxTokens: number; /** The built-in problem, whose groups can be enumerated (for the diagnosis). */ readonly group?: GroupInstance }

const fromGroup = (x: GroupInstance, G: number): Case => ({ label: `${x.label}, G = ${G}`, mdp: x.mdp, policy: x.policy, grad: x.grad, G, maxTokens: x.maxTokens, group: x });

/** The most tokens of a response on a user's MDP whose responses are too many to enumerate (a longer one is an error). */
const USER_MAX_TOKENS = 256;

function cases(mdp: FiniteMDP | undefined, label: string | undefined): Case[] {
  if (!mdp) return [fromGroup(banditInstance(), 4), fromGroup(binaryBanditInstance(), 8), fromGroup(tokenInstance(), 3)];
  const T = mdp.transitions;
  const bad = mdp.terminalStates.length === 0 || firstNonTerminating(mdp.numStates, mdp.terminal, (s) => mdp.initial[s]! > 0, function* (s) {
    for (let row = s * mdp.numActions; row < (s + 1) * mdp.numActions; row++) for (let k = T.rowPtr[row]!; k < T.rowPtr[row + 1]!; k++) yield T.col[k]!;
  }).state >= 0;
  if (bad) fail('CLI_USAGE', 'a group check needs responses that end: this MDP has a reachable state that never terminates');
  const rng = Rng.from('check/group/user-mdp');
  const policy = { param: softmaxPolicy(mdp.numStates, mdp.numActions), theta: Float64Array.from({ length: mdp.numStates * mdp.numActions }, () => 0.7 * rng.normal()) };
  const grad = Float64Array.from(policyGradient(mdp, policy, evaluatePolicy(mdp, policy.param.probs(policy.theta))));
  return [{ label: `${label ?? 'your MDP'}, G = 4`, mdp, policy, grad, G: 4, maxTokens: longestResponse(mdp, policy) }];
}

/** The most steps of a response when the responses can be enumerated, else {@link USER_MAX_TOKENS}. */
function longestResponse(mdp: FiniteMDP, policy: Policy): number {
  try {
    const t = enumerateResponses(mdp, policy, { maxTokens: USER_MAX_TOKENS, maxResponses: 20_000 });
    return Math.max(...t.responses.flatMap((l) => l.map((o) => o.s_t.length)));
  } catch (e) {
    if (isPgTruthError(e, 'GROUP_ENUMERATION')) return USER_MAX_TOKENS;
    throw e;
  }
}

/** ĝ = (1/N) Σ m A ∇log π from per-token advantages. */
function gradientOf(policy: Policy, b: GroupBatch, adv: Float64Array): Float64Array {
  const N = b.numPrompts * b.groupSize, c = new Float64Array(adv.length);
  for (let k = 0; k < c.length; k++) if (b.mask[k]) c[k] = adv[k]! / N;
  return tokenPolicyGradient(policy, b.s_t, b.a_t, c, b.mask);
}

/**
 * The user's policy-gradient estimate on a batch, from what `estimate` returned: from per-token
 * advantages through {@link gradientOf}, or −gradient when it returned `{ loss, gradient }`;
 * checked finite and of the right length (`ESTIMATOR_INVALID` otherwise). Runs in the
 * sandbox's workers (`userGroupTask`), and for in-process callers.
 */
export function userGroupGradient(name: string, raw: unknown, policy: Policy, b: GroupBatch): Float64Array {
  if (raw && typeof raw === 'object' && 'gradient' in raw) {
    const r = raw as { loss?: unknown; gradient: unknown };
    if (typeof r.loss !== 'number' || !Number.isFinite(r.loss)) fail('ESTIMATOR_INVALID', `${name}.estimate(…).loss is ${show(r.loss)}: expected a finite number`, { where: `${name}.loss`, value: r.loss });
    return checkedResult(r.gradient, policy.param.numParams, `${name}.estimate(…).gradient`).map((g) => -g);
  }
  const len = (raw as { length?: unknown })?.length;
  if (len !== b.mask.length) fail('ESTIMATOR_INVALID', `${name}.estimate returned ${typeof len === 'number' ? `${len} numbers` : show(raw)}: expected one advantage per token slot, N·T = ${b.mask.length} (or { loss, gradient })`, { where: `${name}.estimate`, value: len });
  const adv = new Float64Array(b.mask.length), a = raw as ArrayLike<number>;
  for (let k = 0; k < adv.length; k++) if (b.mask[k]) adv[k] = a[k]!;
  return gradientOf(policy, b, checkedResult(adv, adv.length, `${name}.estimate`));
}

/**
 * ∇_θ L_KL of the user's `klPenalty` on a batch: (1/N) Σ m c ∇log π from per-token
 * coefficients, or the returned gradient itself for `{ loss, gradient }`; checked like
 * {@link userGroupGradient}.
 */
export function userKlPenaltyGradient(name: string, raw: unknown, policy: Policy, b: GroupBatch): Float64Array {
  const g = userGroupGradient(`${name}.klPenalty`, raw, policy, b);
  return raw && typeof raw === 'object' && 'gradient' in raw ? g.map((v) => -v) : g;
}

/** GRPO as published: (r − mean)/(std + ε) per group, divided by |o_i| on each token (the control). */
export function publishedGrpoAdvantages(b: GroupBatch): Float64Array {
  const A = sequenceToTokens(grpoAdvantages(b.rewards, b.groupSize), b.mask, b.maxTokens);
  const w = aggregationWeights(b.mask, b.maxTokens, 'sequence-mean'), N = b.numPrompts * b.groupSize;
  return A.map((a, k) => a * w[k]! * N);
}

/** Batches per chunk sent to a worker. */
const CHUNK = 64;
/** Groups per batch. */
const PROMPTS = 8;

/** Estimates of a list of batches, n × d (the user's, computed in the sandbox; or the control's, here). */
export type GroupEstimates = (batches: GroupBatch[]) => Promise<Float64Array> | Float64Array;

/**
 * Draws `batches` batches of {@link PROMPTS} groups of G on `stream` (here, in order: the seed
 * fixes them whatever the number of workers) and estimates them in chunks, concurrently.
 */
async function sample(ctx: RunContext, x: Case, stream: string, batches: number, label: string, estimate: GroupEstimates, decorate: (b: GroupBatch) => GroupBatch = (b) => b): Promise<BatchEstimates> {
  const rng = Rng.from(`${ctx.seed}/${stream}`), tables = buildSamplerTables(x.mdp, x.policy);
  const d = x.policy.param.numParams, n = Math.max(50, Math.round(batches * ctx.scale)), values = new Float64Array(n * d);
  let transitions = 0;
  const pending: Promise<void>[] = [];
  for (let lo = 0; lo < n; lo += CHUNK) {
    const chunk: GroupBatch[] = [];
    for (let k = lo; k < Math.min(n, lo + CHUNK); k++) {
      const b = sampleGroups(x.mdp, x.policy, { prompts: PROMPTS, groupSize: x.G, maxTokens: x.maxTokens }, rng, tables);
      for (const len of b.lengths) transitions += len;
      chunk.push(decorate(b));
    }
    pending.push(Promise.resolve(estimate(chunk)).then((g) => {
      if (g.length !== chunk.length * d) fail('ESTIMATOR_INVALID', `${label}: ${g.length} numbers for ${chunk.length} batches of ${d}`, { where: label, value: g.length });
      values.set(g, lo * d);
    }));
  }
  await Promise.all(pending);
  return { batches: n, dim: d, values, transitions };
}

/** ‖ḡ − target‖₂ / ‖target‖₂ of the estimates, in percent: the note every verdict carries. */
function observedNote(est: BatchEstimates, target: ArrayLike<number>): string {
  const d = est.dim, mean = new Float64Array(d);
  for (let k = 0; k < est.batches; k++) for (let j = 0; j < d; j++) mean[j] = mean[j]! + est.values[k * d + j]! / est.batches;
  let norm = 0, dev = 0;
  for (let k = 0; k < d; k++) { norm += target[k]! ** 2; dev += (mean[k]! - target[k]!) ** 2; }
  return `observed ‖ḡ − target‖₂ = ${((100 * Math.sqrt(dev)) / Math.sqrt(norm)).toFixed(1)}% of ‖target‖₂, noise included`;
}

/** Every coordinate read against ‖κ∇J‖₂ and stated; named as ∂/∂θ(s, a). */
function groupScaling(x: Case, norm: number, scaleName: string): Scaling {
  const d = x.policy.param.numParams, A = x.mdp.numActions;
  return { name: () => scaleName, scale: new Float64Array(d).fill(norm), weight: new Float64Array(d).fill(1), stated: new Array<boolean>(d).fill(true), coordinate: (k) => `∂/∂θ(s=${Math.floor(k / A)}, a=${k % A})` };
}

/**
 * Known wrong variants to compare a failed check with: their exact means by enumerating every
 * group (built-in problems; ../claims/group.ts), ∇J and (1 − 1/G)∇J, and an estimate of mean 0.
 */
function groupCandidates(x: Case, scale: number, objective: GroupObjective = 'J'): Candidate[] {
  const out: Candidate[] = [];
  if (objective === 'J' && x.group) out.push({ id: 'length-normalized', description: 'the per-sequence mean (1/|o_i| on each token, GRPO\'s aggregation): mean κ·∇_θ E[(R(o) − V(q))/|o|], the length-normalized objective — declare objective: "length-normalized" if that is the objective you mean', exact: lengthNormalizedGradient(x.group).map((g) => scale * g) });
  if (objective === 'length-normalized') out.push({ id: 'objective-J', description: 'the tokens summed and divided by a constant: mean κ·∇J, not the declared length-normalized objective — declare objective: "J"', exact: x.grad.map((g) => scale * g) });
  if (scale !== 1) out.push({ id: 'rloo-unbiased', description: 'an unbiased estimator (RLOO): mean ∇J, not the declared scale(G)·∇J', exact: x.grad });
  if (Math.abs(scale - (1 - 1 / x.G)) > 1e-12) out.push({ id: 'group-mean-includes-sample', description: `the group mean that includes the sample (r_i − r̄, Dr. GRPO): mean (1 − 1/G)·∇J = ${(1 - 1 / x.G).toFixed(3)}·∇J, undeclared`, exact: x.grad.map((g) => (1 - 1 / x.G) * g) });
  if (x.group) {
    const g = x.group;
    out.push({ id: 'grpo-std', description: 'GRPO\'s std normalization (r − r̄)/(std + ε), which reweights prompts by their success rate', exact: exactGroupMean(g, x.G, (r, G) => grpoAdvantages(r, G), { mode: 'constant', perResponse: 1 }) });
    out.push({ id: 'grpo-published', description: 'GRPO as published: the std normalization and 1/|o| per response', exact: exactGroupMean(g, x.G, (r, G) => grpoAdvantages(r, G), { mode: 'sequence-mean' }) });
  }
  out.push({ id: 'ignores-its-batch', description: 'an estimate of mean 0, as from an estimator that does not read its batch', exact: new Float64Array(x.grad.length) });
  return out;
}

/** The same estimate on each batch of a chunk, stacked n × d. */
export function stacked(batches: GroupBatch[], d: number, one: (b: GroupBatch) => Float64Array): Float64Array {
  const out = new Float64Array(batches.length * d);
  batches.forEach((b, k) => out.set(one(b), k * d));
  return out;
}

/** Options the group claims read (a subset of `CheckOptions`, with the power settings). */
export interface GroupCheckOptions {
  /** The minimum sample size per check, in responses (default {@link DEFAULT_GROUP_MIN_SAMPLES}). */
  readonly samples?: number;
  /** The resolution each check must reach, as a fraction of ‖κ∇J‖₂ (default 0.05). */
  readonly resolution?: number;
  /** Seconds the main runs of the claim's checks may take together (default 120). */
  readonly budget?: number;
  readonly mdp?: FiniteMDP;
  readonly mdpLabel?: string;
}

/** The default minimum sample size of a group check, in responses (`--samples`: 6400). */
export const DEFAULT_GROUP_MIN_SAMPLES = 6400;

/**
 * How the group claims reach the user's estimator: its estimates of a chunk of batches under
 * the softmax policy θ (n × d), computed where the user's code runs (the sandbox's workers).
 */
export type GroupRun = (key: string, batches: GroupBatch[], theta: Float64Array, part?: GroupPart) => Promise<Float64Array>;

/** κ(G) as the estimator declared it: through `scale` (in the sandbox, a table of its values at {@link GROUP_SIZES}). */
function declaredScale(e: LoadedEstimator, G: number): number {
  const est = e.estimator as GroupEstimator;
  if (est.scale !== undefined && typeof est.scale !== 'function') fail('PLUGIN_INVALID', `${e.module}: export ${e.key}.scale is ${show(est.scale)}: expected a function of the group size G`, { where: `${e.key}.scale` });
  const s = est.scale ? est.scale(G) : 1;
  if (!(typeof s === 'number' && Number.isFinite(s))) fail('PLUGIN_INVALID', `${e.module}: export ${e.key}.scale(${G}) is ${show(s)}: expected a finite number`, { where: `${e.key}.scale`, value: s });
  return s;
}

/**
 * `scale` evaluated at every group size of {@link GROUP_SIZES} (what a sandboxed estimator's
 * description carries); `PLUGIN_INVALID` when it is not a function or returns a non-finite
 * value. Absent `scale`: undefined (κ = 1).
 */
export function describeScale(e: LoadedEstimator): Array<[number, number]> | undefined {
  if ((e.estimator as GroupEstimator).scale === undefined) return undefined;
  return GROUP_SIZES.map((G) => [G, declaredScale(e, G)]);
}

/** A `scale` function back from its described values (a group size outside the table is an error). */
export function scaleFromTable(name: string, table: ReadonlyArray<readonly [number, number]>): (G: number) => number {
  const m = new Map(table.map(([G, s]) => [G, s]));
  return (G) => m.get(G) ?? fail('PLUGIN_INVALID', `${name}.scale(${G}) was not evaluated: the group kind uses G ∈ {${GROUP_SIZES.join(', ')}}`, { where: `${name}.scale`, value: G });
}

/**
 * The claims `pgtruth check` runs for a `group` estimator (module comment); `run` computes its
 * estimates. Sized like every check (./power.ts): a pilot of {@link PILOT_BATCHES} batches per
 * instance sizes the main run to resolve `resolution` of ‖κ∇J‖₂ at power 0.9 within `budget`;
 * a check that cannot is inconclusive (a failure); a failed check names its worst ∇J component
 * and the known variant its mean matches ({@link groupCandidates}). The control runs with the
 * main run's sample size.
 */
export function groupEstimatorClaims(e: LoadedEstimator, run: GroupRun, opts: GroupCheckOptions): Claim[] {
  const est = e.estimator as GroupEstimator;
  if (est.scale !== undefined && typeof est.scale !== 'function') fail('PLUGIN_INVALID', `${e.module}: export ${e.key}.scale is ${show(est.scale)}: expected a function of the group size G`, { where: `${e.key}.scale` });
  const fraction = opts.resolution ?? DEFAULT_RESOLUTION, budget = opts.budget ?? DEFAULT_BUDGET_SECONDS, minSamples = opts.samples ?? DEFAULT_GROUP_MIN_SAMPLES;
  const tag = `check.${e.name}`;
  const xs = () => cases(opts.mdp, opts.mdpLabel);
  const sizes = new Map<string, number>();
  const unit = (x: Case) => `batches of ${PROMPTS} groups of ${x.G}`;
  const objective = groupDeclaration(e).objective ?? 'J';
  const baseName = objective === 'J' ? '∇J' : '∇E[(R − V)/|o|]';
  const lengthNormalized = new Map<string, Float64Array>();
  const baseOf = (x: Case): Float64Array => {
    if (objective === 'J') return x.grad;
    let g = lengthNormalized.get(x.label);
    if (!g) { g = lengthNormalizedGradient(x.group ?? groupInstance(x.label, x.mdp, x.policy)); lengthNormalized.set(x.label, g); }
    return g;
  };
  const targetOf = (x: Case) => { const k = declaredScale(e, x.G); return { k, target: baseOf(x).map((g) => k * g), name: `‖${k === 1 ? '' : `${+k.toFixed(4)}·`}${baseName}‖₂` }; };
  return [{
    id: `${tag}.unbiased`, title: `${e.name}: (1/N) Σ_{i,t} A_{i,t} ∇log π(a_t|s_t) has mean ${est.scale ? 'scale(G)·' : ''}${baseName}${objective === 'J' ? '' : ' (declared: the length-normalized objective)'}`, source: 'derivations/10-group-relative.md; Kool et al. 2019; Liu et al. 2025',
    statement: objective === 'J' ? String.raw`\mathbb E\Big[\tfrac1N\textstyle\sum_{i,t} m_{i,t}A_{i,t}\nabla_\theta\log\pi_\theta(a_{i,t}|s_{i,t})\Big] = \kappa(G)\,\nabla_\theta J(\theta)` : String.raw`\mathbb E\Big[\tfrac1N\textstyle\sum_{i,t} m_{i,t}A_{i,t}\nabla_\theta\log\pi_\theta(a_{i,t}|s_{i,t})\Big] = \kappa(G)\,\nabla_\theta\,\mathbb E\Big[\frac{R(o) - V(q)}{|o|}\Big]_{V\ \text{fixed}}`,
    relation: 'unbiased',
    rule: `studentized max over θ-coordinates, Šidák, α = 1e-6 per check; inconclusive (a failure) unless it resolves a bias of ${(100 * fraction).toFixed(1)}% of ‖κ∇J‖₂ at power ${DETECTION_POWER}`,
    run: async (ctx) => {
      const all = xs();
      const user = (x: Case): GroupEstimates => (bs) => run(e.key, bs, x.policy.theta);
      const items: SizedItem[] = all.map((x) => {
        const { target, name } = targetOf(x);
        return {
          pilot: () => sample(ctx, x, `${tag}/${x.label}/pilot`, PILOT_BATCHES, e.name, user(x)),
          main: (K) => sample(ctx, x, `${tag}/${x.label}`, K, e.name, user(x)),
          scaling: groupScaling(x, Math.hypot(...target), name), target, minBatches: Math.max(50, Math.ceil(minSamples / (PROMPTS * x.G))),
        };
      });
      const runs = await sizeAndRun(items, fraction, budget, CHECK_ALPHA);
      const out: Check[] = [];
      for (const [i, x] of all.entries()) {
        const { est: r, batches } = runs[i]!, { k, target } = targetOf(x), it = items[i]!;
        sizes.set(x.label, batches);
        const c = sizedDecision(`${x.label}: ${e.name}`, summarize(r.values, r.dim, false), target, { alpha: CHECK_ALPHA, fraction, scaling: it.scaling, targetTested: target, unit: unit(x), samplesPerBatch: PROMPTS * x.G, sampleName: 'responses', transitions: r.transitions });
        const checked = { ...c, note: `${c.note}; ${observedNote(r, target)}` };
        if (c.passed || c.discrepancy <= c.tolerance) { out.push(checked); continue; }
        const A = x.mdp.numActions;
        const reader: Reader = { coordinate: (j) => `∇J component at (s=${Math.floor(j / A)}, a=${j % A})`, expected: (j) => target[j]!, weight: () => 1, compared: () => [0, target.length] };
        out.push({ ...checked, diagnosis: await diagnose(r.values, r.dim, target, c.worstIndex, reader, groupCandidates(x, k, objective), r.batches) });
      }
      return out;
    },
    control: {
      description: 'GRPO as published — (r − mean)/(std + ε) per group, 1/|o| per token (Shao et al. 2024) — against the same target, with the sample size of the user\'s check',
      run: async (ctx) => {
        const out: Check[] = [];
        for (const x of xs()) {
          const { target, name } = targetOf(x), d = x.policy.param.numParams;
          const r = await sample(ctx, x, `${tag}/${x.label}/control`, sizes.get(x.label) ?? Math.max(50, Math.ceil(minSamples / (PROMPTS * x.G))), 'published GRPO', (bs) => stacked(bs, d, (b) => gradientOf(x.policy, b, publishedGrpoAdvantages(b))));
          const c = meanCheck(`${x.label}: published GRPO`, r, target, { relativeTo: { name, value: Math.hypot(...target) }, unit: unit(x) });
          out.push({ ...c, note: `${c.note ?? ''}; ${observedNote(r, target)}` });
        }
        return out;
      },
    },
  }, ...(groupDeclaration(e).klPenalty ? [klPenaltyClaim(e, run, opts, tag, fraction, budget, minSamples)] : [])];
}

/** The instances of the KL-penalty claim: the built-in bandit (G = 4) and token MDP (G = 3), or the user's MDP. */
function klCases(opts: GroupCheckOptions): Case[] {
  return opts.mdp ? cases(opts.mdp, opts.mdpLabel) : [fromGroup(banditInstance(), 4), fromGroup(tokenInstance(), 3)];
}

/** The batch with log π_ref(a_t|s_t) on its tokens (0 on padding). */
function withReference(b: GroupBatch, ref: Policy): ReferenceGroupBatch {
  const logpRef_t = new Float64Array(b.mask.length);
  for (let k = 0; k < logpRef_t.length; k++) if (b.mask[k]) logpRef_t[k] = ref.param.logProb(ref.theta, b.s_t[k]!, b.a_t[k]!);
  return { ...b, logpRef_t };
}

/**
 * The claim on a group estimator's `klPenalty`: E[∇L_KL] = ∇_θ KL(π_θ‖π_ref) of whole
 * responses (the exact target: the policy gradient with the cost log π_θ − log π_ref,
 * `sequenceKlGradient`), π_ref a seeded softmax policy (`referencePolicy`). Sized like the
 * main claim; a failure is compared with the k3 loss term's exact mean (the per-state gradient
 * of KL(π_ref‖π_θ), Tang & Munos 2025) and with 0 (the k1 loss term). Control: GRPO's k3 loss
 * term (`referenceKlTerm`) against the same target.
 */
function klPenaltyClaim(e: LoadedEstimator, run: GroupRun, opts: GroupCheckOptions, tag: string, fraction: number, budget: number, minSamples: number): Claim {
  const sizes = new Map<string, number>();
  const unit = (x: Case) => `batches of ${PROMPTS} groups of ${x.G}`;
  const refOf = (x: Case) => referencePolicy(x.group ?? { mdp: x.mdp, label: x.label });
  const targetOf = (x: Case) => { const target = sequenceKlGradient(x, refOf(x)); return { target, name: '‖∇KL(π_θ‖π_ref)‖₂', norm: Math.hypot(...target) }; };
  return {
    id: `${tag}.kl-penalty`, title: `${e.name}: the KL term's expected gradient is ∇_θ KL(π_θ‖π_ref) of whole responses`,
    source: 'Shao et al. 2024, eqs. 3–4; Tang & Munos 2025; derivations/10-group-relative.md',
    statement: String.raw`\mathbb E\big[\nabla_\theta \hat L_{\mathrm{KL}}\big] = \nabla_\theta \textstyle\sum_q \rho(q)\sum_o \pi_\theta(o|q)\log\frac{\pi_\theta(o|q)}{\pi_{\mathrm{ref}}(o|q)} = \nabla_\theta \mathrm{KL}(\pi_\theta\|\pi_{\mathrm{ref}})`,
    relation: 'unbiased',
    rule: `studentized max over θ-coordinates, Šidák, α = 1e-6 per check; inconclusive (a failure) unless it resolves a bias of ${(100 * fraction).toFixed(1)}% of ‖∇KL‖₂ at power ${DETECTION_POWER}`,
    run: async (ctx) => {
      const all = klCases(opts);
      const items: SizedItem[] = all.map((x) => {
        const { target, name, norm } = targetOf(x), ref = refOf(x);
        const user: GroupEstimates = (bs) => run(e.key, bs, x.policy.theta, 'klPenalty');
        return {
          pilot: () => sample(ctx, x, `${tag}/kl/${x.label}/pilot`, PILOT_BATCHES, `${e.name}.klPenalty`, user, (b) => withReference(b, ref)),
          main: (K) => sample(ctx, x, `${tag}/kl/${x.label}`, K, `${e.name}.klPenalty`, user, (b) => withReference(b, ref)),
          scaling: groupScaling(x, norm, name), target, minBatches: Math.max(50, Math.ceil(minSamples / (PROMPTS * x.G))),
        };
      });
      const runs = await sizeAndRun(items, fraction, budget, CHECK_ALPHA);
      const out: Check[] = [];
      for (const [i, x] of all.entries()) {
        const { est: r, batches } = runs[i]!, it = items[i]!, target = it.target;
        sizes.set(x.label, batches);
        const c = sizedDecision(`${x.label}: ${e.name}.klPenalty`, summarize(r.values, r.dim, false), target, { alpha: CHECK_ALPHA, fraction, scaling: it.scaling, targetTested: target, unit: unit(x), samplesPerBatch: PROMPTS * x.G, sampleName: 'responses', transitions: r.transitions });
        const checked = { ...c, note: `${c.note}; ${observedNote(r, target)}` };
        if (c.passed || c.discrepancy <= c.tolerance) { out.push(checked); continue; }
        const A = x.mdp.numActions, ref = refOf(x);
        const candidates: Candidate[] = [
          ...(x.group ? [{ id: 'k3-loss-term', description: 'the k3 loss term (GRPO): its mean is Σ_s η(s) ∇_θ KL(π_ref(·|s)‖π_θ(·|s)) with η held fixed — the per-state gradient of the other direction of the KL (Tang & Munos 2025)', exact: k3LossGradientTarget(x.group, ref) }] : []),
          { id: 'k1-loss-term', description: 'the k1 loss term log π_θ − log π_ref differentiated through π_θ: mean 0 (the score has mean 0)', exact: new Float64Array(target.length) },
        ];
        const reader: Reader = { coordinate: (j) => `∇KL component at (s=${Math.floor(j / A)}, a=${j % A})`, expected: (j) => target[j]!, weight: () => 1, compared: () => [0, target.length] };
        out.push({ ...checked, diagnosis: await diagnose(r.values, r.dim, target, c.worstIndex, reader, candidates, r.batches) });
      }
      return out;
    },
    control: {
      description: 'GRPO\'s k3 loss term (∂k3/∂log π_θ = 1 − π_ref/π_θ per token, `referenceKlTerm`) against the same target, with the sample size of the user\'s check',
      run: async (ctx) => {
        const out: Check[] = [];
        for (const x of klCases(opts)) {
          const { target, name, norm } = targetOf(x), ref = refOf(x), d = x.policy.param.numParams;
          const k3 = (b: GroupBatch) => gradientOf(x.policy, b, referenceKlTerm(b.logp_t, (b as ReferenceGroupBatch).logpRef_t, b.mask, 'k3').dLogp_t);
          const r = await sample(ctx, x, `${tag}/kl/${x.label}/control`, sizes.get(x.label) ?? Math.max(50, Math.ceil(minSamples / (PROMPTS * x.G))), 'k3 loss term', (bs) => stacked(bs, d, k3), (b) => withReference(b, ref));
          const c = meanCheck(`${x.label}: k3 loss term`, r, target, { relativeTo: { name, value: norm }, unit: unit(x) });
          out.push({ ...c, note: `${c.note ?? ''}; ${observedNote(r, target)}` });
        }
        return out;
      },
    },
  };
}
