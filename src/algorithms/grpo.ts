/**
 * GRPO (group relative policy optimization; Shao et al. 2024, DeepSeekMath, §4.1, eq. 3 and
 * Algorithm 1) and its two common variants, Dr. GRPO (Liu et al. 2025, §3.2) and RLOO
 * (Ahmadian et al. 2024, eq. 5), on the episodic problems of RL for language models: a
 * contextual bandit (a response is one action) and a token MDP (a response is a token
 * sequence). Per update n:
 *
 * 1. π_old = π_θ; draw B prompts q ∼ ρ and G responses o_{b,1…G} ∼ π_old(·|q_b) each
 *    (`sampleGroups`), padded to N × T token arrays with a mask (N = B·G);
 * 2. the group-relative advantage of every response from its group's rewards
 *    (`grpoAdvantages`: (r_i − r̄)/(std r + ε); `drGrpoAdvantages`: r_i − r̄; `rlooAdvantages`:
 *    r_i − mean_{j≠i} r_j), broadcast to its tokens (`sequenceToTokens`);
 * 3. for each of K epochs: the loss
 *    $$\mathcal L(\theta) = -\sum_{i,t} w_{i,t}\Big[\min\big(\rho_{i,t}\hat A_i,\ \operatorname{clip}(\rho_{i,t}, 1-\epsilon, 1+\epsilon)\hat A_i\big) - \beta\, k_3(x_{i,t})\Big],$$
 *    ρ_{i,t} = π_θ(a_{i,t}|s_{i,t})/π_old(a_{i,t}|s_{i,t}), x_{i,t} = log π_ref − log π_θ,
 *    k_3(x) = eˣ − 1 − x (GRPO's eq. 4), the weights w_{i,t} of the variant's loss aggregation
 *    (`aggregationWeights`: GRPO 1/(N|o_i|) — "sequence-mean"; Dr. GRPO 1/(N·T_max) — a
 *    constant; RLOO 1/N — a constant: the sum over tokens averaged over responses); the
 *    clipped term's per-token derivative from `ppoClipCoefficients`, the KL term's from
 *    `referenceKlTerm` (∂k_3/∂log π_θ = 1 − e^x), both through the policy's score sum
 *    (`tokenPolicyGradient`); global-norm clipping, one Adam step.
 *
 * The reference policy π_ref is the initial policy π_0 (the "SFT model"). Nothing here
 * computes an advantage, a ratio, a KL or a score: those come from `src/estimators/`.
 *
 * **What each variant's first update estimates** (at θ = θ_old = θ_ref the ratios are 1 and
 * the KL term's gradient is 0, so the update is the group estimator's; claims `group.*`,
 * derivations/10-group-relative.md): RLOO ∇J (unbiased); Dr. GRPO (1 − 1/G)∇J/T_max;
 * GRPO a prompt reweighting Σ_q ρ(q) w_q ∇J_q of the length-normalized objective.
 *
 * **Exact curve.** After every update: J(θ_n), J* − J(θ_n), the exact per-update KL and
 * entropy (`ExactWatcher`), and in `extra`: `klRef`, the exact sequence-level
 * KL(π_θ‖π_ref) = Σ_q ρ(q) Σ_o π_θ(o|q) log(π_θ(o|q)/π_ref(o|q)) = Σ_s η_θ(s)
 * KL(π_θ(·|s)‖π_ref(·|s)) (on a bandit the prompt-weighted KL); `klRefReverse`, Σ_s η_θ(s)
 * KL(π_ref(·|s)‖π_θ(·|s)) (the KL whose per-state gradient the k3 loss term follows);
 * `J:<prompt>`, the exact value V(q) of every prompt.
 *
 * **Departures.** A tabular softmax policy; the full batch in every epoch (no minibatches);
 * DeepSeekMath's β = 0.04 and ε = 0.2 kept, the step size chosen for tables.
 *
 * @module
 */
import { fail, isPgTruthError, show } from '../errors.js';
import { klPerState, weightedMean } from '../exact/divergence.js';
import { evaluatePolicy } from '../exact/evaluate.js';
import { decisionVisitation } from '../exact/objectives.js';
import { enumerateResponses } from '../exact/responses.js';
import { aggregateLoss, aggregationWeights, sequenceToTokens, tokenPolicyGradient, type LossAggregation } from '../estimators/aggregation.js';
import { meanKlK3FromLogProbs, ppoClipCoefficients } from '../estimators/coefficients.js';
import { drGrpoAdvantages, grpoAdvantages, rlooAdvantages } from '../estimators/group.js';
import { referenceKlTerm } from '../estimators/refkl.js';
import type { FiniteMDP } from '../mdp/model.js';
import { Adam } from '../optim/adam.js';
import type { Policy } from '../policy/types.js';
import { sampleGroups, type GroupBatch } from '../sampling/groups.js';
import { buildSamplerTables } from '../sampling/tables.js';
import { Rng } from '../stats/rng.js';
import { ExactWatcher, optimizerStep, resolveHyperparameters, snapshot, uniformSoftmax, type LearnerResult } from './common.js';
import type { CurveRecord } from './curve.js';

/** The group-relative variants the learner runs. */
export const GROUP_VARIANTS = ['grpo', 'dr-grpo', 'rloo'] as const;
export type GroupVariant = (typeof GROUP_VARIANTS)[number];

/**
 * GRPO's hyperparameters. DeepSeekMath (Shao et al. 2024, §4.2): G = 64 responses per prompt,
 * ε = 0.2, β = 0.04, one policy update per batch. **Adapted to tabular problems:** G = 8,
 * B = 8 prompts per update (64 responses), 2 epochs per batch (so the ratio and its clip act),
 * Adam at 0.05 on the logits, global-norm clipping at 1.
 */
export const GRPO_DEFAULTS = {
  updates: 100,
  /** B: groups (prompts) per update. */
  prompts: 8,
  /** G: responses per prompt. */
  group: 8,
  lr: 0.05,
  maxGradNorm: 1,
  /** The clip ε of the ratio. */
  clip: 0.2,
  /** K: passes over each batch (DeepSeekMath's μ). */
  epochs: 2,
  /** β: the weight of the k3 KL-to-reference loss term (0 turns it off). */
  beta: 0.04,
  /** T_max: the most tokens of a response; 0 = automatic (the longest response of the MDP, by enumeration). */
  maxTokens: 0,
};
export type GrpoHyperparameters = typeof GRPO_DEFAULTS;

const RANGES = { updates: [1, 1e6], prompts: [1, 1e5], group: [2, 1e5], lr: [0, 1e3], maxGradNorm: [0, 1e6], clip: [0, 1e3], epochs: [1, 1000], beta: [0, 1e6], maxTokens: [0, 1e5] } as const;
const INTEGERS = ['updates', 'prompts', 'group', 'epochs', 'maxTokens'];

/** What the GRPO probe sees at every optimizer step (copies). */
export interface GroupGradientEvent {
  readonly update: number;
  readonly epoch: number;
  readonly batch: GroupBatch;
  /** θ before the step. */
  readonly theta: Float64Array;
  /** The gradient of the loss 𝓛 handed to the optimizer (before clipping). */
  readonly direction: Float64Array;
}

/** Options of {@link runGrpo}. */
export interface GrpoRunOptions {
  readonly seed: number;
  /** `grpo` (default), `dr-grpo` or `rloo`. */
  readonly variant?: GroupVariant;
  readonly label?: string;
  readonly probe?: (e: GroupGradientEvent) => void;
  readonly onRecord?: (r: CurveRecord) => void;
  /**
   * Other advantages and aggregation than `variant`'s (an ablation: GRPO without the 1/|o|,
   * RLOO with it, …), with the name its curve carries. Overrides `variant`.
   */
  readonly pieces?: VariantPieces & { readonly name: string };
}

/** A variant's advantages and loss aggregation (module comment). */
export interface VariantPieces {
  readonly advantages: (r: Float64Array, G: number) => Float64Array;
  readonly aggregation: LossAggregation;
  /** The constant C for `constant` aggregation, given N responses and T_max tokens. */
  readonly constant?: (N: number, T: number) => number;
}

/** The pieces of `variant`; throws `LEARNER_OPTIONS` for an unknown name. */
export function variantPieces(variant: string): VariantPieces {
  switch (variant) {
    case 'grpo': return { advantages: (r, G) => grpoAdvantages(r, G), aggregation: 'sequence-mean' };
    case 'dr-grpo': return { advantages: drGrpoAdvantages, aggregation: 'constant', constant: (N, T) => N * T };
    case 'rloo': return { advantages: rlooAdvantages, aggregation: 'constant', constant: (N) => N };
    default: return fail('LEARNER_OPTIONS', `grpo: the variant is ${show(variant)}: expected one of ${GROUP_VARIANTS.join(', ')}`, { where: 'variant', value: variant });
  }
}

/** T_max of `mdp` when `maxTokens` is 0: the longest response of any prompt (`enumerateResponses` under the uniform policy, whose support is every response). */
export function longestResponse(mdp: FiniteMDP): number {
  let table;
  try {
    table = enumerateResponses(mdp, uniformSoftmax(mdp));
  } catch (e) {
    if (isPgTruthError(e, 'GROUP_ENUMERATION')) fail('LEARNER_OPTIONS', `grpo: maxTokens is 0 (automatic), and the responses of this MDP cannot be enumerated to find the longest (${e.message.replace(/^\[[A-Z_]+\] /, '')}): give maxTokens, a bound every response ends within`, { where: 'maxTokens', value: 0 });
    throw e;
  }
  let L = 0;
  for (const list of table.responses) for (const o of list) L = Math.max(L, o.s_t.length);
  return L;
}

/** The key of prompt `s`'s exact value in a curve record's `extra`: `J:<name>` (a token MDP's prompt state `q|` shown as `q`). */
export function promptKey(mdp: FiniteMDP, s: number): string {
  return `J:${(mdp.stateNames?.[s] ?? String(s)).replace(/\|$/, '')}`;
}

/** log π_θ(a_t|s_t) on the batch's tokens (0 on padding), into `out`. */
function tokenLogProbs(policy: Policy, b: GroupBatch, out: Float64Array): Float64Array {
  for (let k = 0; k < out.length; k++) out[k] = b.mask[k] ? policy.param.logProb(policy.theta, b.s_t[k]!, b.a_t[k]!) : 0;
  return out;
}

/**
 * The exact KLs between π = `pi` and π_ref = `piRef` weighted by the expected visits η of π
 * (decision states only): Σ_s η(s) KL(π‖π_ref) (= the sequence-level KL for γ = 1) and
 * Σ_s η(s) KL(π_ref‖π).
 */
export function referenceKls(mdp: FiniteMDP, pi: Float64Array, piRef: Float64Array, eta: Float64Array): { forward: number; reverse: number } {
  const S = mdp.numStates, A = mdp.numActions, w = decisionVisitation(mdp, eta);
  return { forward: weightedMean(w, klPerState(pi, piRef, S, A)), reverse: weightedMean(w, klPerState(piRef, pi, S, A)) };
}

/** Runs GRPO (or a variant, `opts.variant`) on `mdp` from the uniform softmax policy, which is also π_ref. */
export function runGrpo(mdp: FiniteMDP, given: Partial<GrpoHyperparameters>, opts: GrpoRunOptions): LearnerResult {
  const variant = opts.variant ?? 'grpo', pieces = opts.pieces ?? variantPieces(variant);
  const hp0 = resolveHyperparameters('grpo', GRPO_DEFAULTS, given, RANGES, INTEGERS);
  if (mdp.gamma !== 1) fail('LEARNER_OPTIONS', `grpo: γ is ${mdp.gamma}: group-relative learners score whole responses, and need an episodic MDP with γ = 1`, { where: 'gamma', value: mdp.gamma });
  const hp = { ...hp0, maxTokens: hp0.maxTokens > 0 ? hp0.maxTokens : longestResponse(mdp) };
  const policy = uniformSoftmax(mdp), reference = snapshot(policy);
  const piRef = reference.param.probs(reference.theta).slice();
  const opt = new Adam(policy.theta.length, { lr: hp.lr });
  const streams = Rng.from(opts.seed).split(2);
  const B = hp.prompts, G = hp.group, T = hp.maxTokens, N = B * G;
  const C = pieces.constant?.(N, T);
  const logp = new Float64Array(N * T), logpRef = new Float64Array(N * T), coef = new Float64Array(N * T);
  const extraOf = (pi: Float64Array, loss: number, clipFraction: number): Record<string, number> => {
    const ev = evaluatePolicy(mdp, pi), kl = referenceKls(mdp, pi, piRef, ev.eta);
    const out: Record<string, number> = { klRef: kl.forward, klRefReverse: kl.reverse, loss, clipFraction };
    for (let s = 0; s < mdp.numStates; s++) if (mdp.initial[s]! > 0) out[promptKey(mdp, s)] = ev.V[s]!;
    return out;
  };
  const watcher = new ExactWatcher(mdp, policy); // records reach opts.onRecord from here, with their extra
  watcher.records[0] = { ...watcher.records[0]!, extra: extraOf(piRef, 0, 0) };
  opts.onRecord?.(watcher.records[0]);
  let samples = 0;
  for (let n = 0; n < hp.updates; n++) {
    // 1. B groups of G responses from π_old = π_θ (its log-probabilities are the batch's logp_t).
    const batch = sampleGroups(mdp, policy, { prompts: B, groupSize: G, maxTokens: T }, streams.split(n), buildSamplerTables(mdp, policy));
    let tokens = 0;
    for (const len of batch.lengths) tokens += len;
    samples += tokens;
    // 2. Group-relative advantages, broadcast to tokens; the variant's aggregation weights.
    const adv_t = sequenceToTokens(pieces.advantages(batch.rewards, G), batch.mask, T);
    const w_t = aggregationWeights(batch.mask, T, pieces.aggregation, C);
    tokenLogProbs(reference, batch, logpRef);
    let loss = 0, clipFraction = 0;
    for (let epoch = 0; epoch < hp.epochs; epoch++) {
      // 3. The clipped ratio term and the k3 term to π_ref, per token, into one loss gradient.
      tokenLogProbs(policy, batch, logp);
      const clipped = ppoClipCoefficients(logp, batch.logp_t, adv_t, hp.clip, w_t);
      const kl = referenceKlTerm(logp, logpRef, batch.mask, 'k3');
      for (let k = 0; k < coef.length; k++) coef[k] = hp.beta * w_t[k]! * kl.dLogp_t[k]! - clipped.coefficients[k]!;
      const lossGradient = tokenPolicyGradient(policy, batch.s_t, batch.a_t, coef, batch.mask);
      loss = clipped.loss + hp.beta * aggregateLoss(kl.value_t, batch.mask, T, pieces.aggregation, C);
      clipFraction = (clipped.clipFraction * coef.length) / tokens; // the estimator counts padding in its denominator
      opts.probe?.({ update: n, epoch, batch, theta: Float64Array.from(policy.theta), direction: Float64Array.from(lossGradient) });
      optimizerStep(opt, policy.theta, lossGradient, hp.lr, hp.maxGradNorm);
    }
    // The learner's k3 estimate of KL(π_old‖π_new) on its own tokens (token mean).
    const k3 = meanKlK3FromLogProbs(tokenLogProbs(policy, batch, logp), batch.logp_t, aggregationWeights(batch.mask, T, 'token-mean'));
    const rec = watcher.record(samples, policy, k3, extraOf(policy.param.probs(policy.theta).slice(), loss, clipFraction));
    opts.onRecord?.(rec);
  }
  return { curve: watcher.curve(opts.pieces?.name ?? variant, opts.label ?? 'mdp', opts.seed, hp), policy, values: null };
}

/** GRPO, Dr. GRPO and RLOO (or `variants`) on the same problem, seed and hyperparameters: their exact curves side by side. */
export function runGroupVariants(mdp: FiniteMDP, given: Partial<GrpoHyperparameters>, opts: Omit<GrpoRunOptions, 'variant' | 'probe'>, variants: readonly GroupVariant[] = GROUP_VARIANTS): LearnerResult[] {
  return variants.map((variant) => runGrpo(mdp, given, { ...opts, variant }));
}
