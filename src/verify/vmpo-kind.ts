/**
 * `pgtruth check` for a user's V-MPO losses (Song et al. 2020; Lehmann 2024, §4.5, eqs. 20–22
 * and Appendix C): the kind `vmpo`. The user's function returns, on a batch drawn by π_old with
 * given advantages, the gradients of the total loss L = L_π + L_η + L_ν in θ, η and ν:
 *
 * $$L_\pi(\theta) = -\sum_{i\in\tilde D}\operatorname{sg}[\psi_i]\log\pi_\theta(a_i|s_i),\quad \psi_i = \frac{e^{\hat A_i/\eta}}{\sum_{j\in\tilde D}e^{\hat A_j/\eta}},$$
 * $$L_\eta(\eta) = \eta\,\epsilon_\eta + \eta\log\Big(\frac1{|\tilde D|}\sum_{j\in\tilde D}e^{\hat A_j/\eta}\Big),\quad L_\nu(\theta,\nu) = \nu\big(\epsilon_\nu - \operatorname{sg}[\bar D(\theta)]\big) + \operatorname{sg}[\nu]\,\bar D(\theta),$$
 *
 * D̃ the top half of the batch's advantages, D̄ the batch's mean KL(π_old‖π_θ) over its states
 * (../estimators/vmpo.ts, whose built-ins are verified in the default report).
 *
 * **The claim.** The top-half selection and the softmax over the selected advantages make the
 * gradient of L_π (and of L_η) a nonlinear function of the batch, so its expectation has no
 * closed form through ∇J. The claim is exact over an enumerable batch distribution: on two tiny
 * problems every batch of n transitions (s_i, a_i) drawn i.i.d. from w(s)π_old(a|s) is
 * enumerated ((S·A)^n batches, with advantages Â_i = A(s_i, a_i) from a table with distinct
 * values), and the user's expectation Σ_B P(B) ∇L̂(B) is compared with the expectation of the
 * built-in estimators computed the same way, at θ ≠ θ_old (where ∇D̄ ≠ 0), each block (θ, η, ν)
 * relative to its own ‖·‖∞, to a tolerance of {@link VMPO_TOLERANCE}. The ν-parts have closed
 * forms: E[∂L/∂ν] = ε_ν − Σ_s w(s) KL(π_old‖π_θ)(s) and the L_ν part of E[∇_θ L] is
 * ν ∇_θ Σ_s w(s) KL(s) (the kind's test checks the enumeration against them). A misplaced
 * stop-gradient shows as a bias of this expectation; controls:
 *
 * - ψ not detached w.r.t. η in L_π: ∂L/∂η gains Σ_i ψ_i (Â_i − Σ_j ψ_j Â_j) log π(a_i|s_i) / η²;
 * - the KL term's stop-gradients swapped, sg[ν](ε_ν − D̄) + ν sg[D̄]: ∇_θ gets −ν∇D̄, ∂/∂ν gets D̄;
 * - the temperature loss with the log-mean-exp over the whole batch instead of the top half.
 *
 * With `--mdp` the instance is the user's MDP (decision states weighted by the normalized
 * visitation of π_old; a seeded table of distinct advantages, so that no tie decides the top
 * half) when its (s, a) pairs are few enough to enumerate
 * batches of 4 ({@link VMPO_MAX_BATCHES}); otherwise `VMPO_ENUMERATION`.
 *
 * @module
 */
import { fail } from '../errors.js';
import { evaluatePolicy } from '../exact/evaluate.js';
import { decisionVisitation } from '../exact/objectives.js';
import { vmpoPolicyLoss, vmpoTemperatureLoss, vmpoTopHalf, vmpoTrustRegionLoss, vmpoWeights } from '../estimators/vmpo.js';
import type { FiniteMDP } from '../mdp/model.js';
import { softmaxPolicy } from '../policy/softmax.js';
import type { Policy } from '../policy/types.js';
import type { Batch } from '../sampling/batch.js';
import { Rng } from '../stats/rng.js';
import type { Check, Claim } from './claim.js';
import { exactCheck } from './exact-compare.js';
import { maxAbs } from '../linalg/dense.js';
import { checkedResult, policyView, type LoadedEstimator, type PolicyView } from './plugin.js';
import type { MachineryRun } from './trpo-kind.js';

/** The duals and their targets, as the user's function receives them. */
export interface VmpoDuals {
  /** The temperature η > 0. */
  readonly eta: number;
  /** The KL multiplier ν ≥ 0. */
  readonly nu: number;
  readonly epsilonEta: number;
  readonly epsilonNu: number;
}

/** A user's V-MPO losses (module comment). */
export interface VmpoLossEstimator {
  readonly kind: 'vmpo';
  readonly name?: string;
  /**
   * The gradients of L = L_π + L_η + L_ν (eqs. 20–22) on `batch` (drawn by π_old = `old`,
   * `batch.logp_t`), with `advantages[i]` = Â_i: `theta` (length S·A, like the logits), `eta`
   * = ∂L/∂η, `nu` = ∂L/∂ν.
   */
  estimate(batch: Batch, policy: PolicyView, old: PolicyView, advantages: Float64Array, duals: VmpoDuals): { readonly theta: ArrayLike<number>; readonly eta: number; readonly nu: number };
}

/** The relative tolerance of each block of the expected gradient (of its ‖·‖∞). */
export const VMPO_TOLERANCE = 1e-9;
/** The most batches one instance enumerates. */
export const VMPO_MAX_BATCHES = 50_000;

/** A V-MPO instance: state weights, an advantage table, θ_old and θ, the duals, the batch size. */
export interface VmpoInstance {
  readonly label: string;
  readonly S: number;
  readonly A: number;
  readonly weights: Float64Array;
  readonly advantage: Float64Array;
  readonly old: Policy;
  readonly policy: Policy;
  readonly duals: VmpoDuals;
  readonly n: number;
}

function seeded(S: number, A: number, seed: string): { old: Policy; policy: Policy } {
  const rng = Rng.from(seed), param = softmaxPolicy(S, A);
  const thetaOld = Float64Array.from({ length: S * A }, () => 0.5 * rng.normal());
  return { old: { param, theta: thetaOld }, policy: { param, theta: thetaOld.map((t) => t + 0.4 * rng.normal()) } };
}

/** The built-in instances (a 2-state, 2-action contextual bandit with batches of 4; a 3-armed bandit with batches of 5), or the user's MDP. */
export function vmpoInstances(mdp?: FiniteMDP, label?: string): VmpoInstance[] {
  if (mdp) {
    const S = mdp.numStates, A = mdp.numActions, { old, policy } = seeded(S, A, 'check/vmpo/user-mdp');
    const ev = evaluatePolicy(mdp, old.param.probs(old.theta)), eta = decisionVisitation(mdp, ev.eta), total = eta.reduce((a, b) => a + b, 0);
    // the losses take the advantages as data: a seeded table with distinct values (A^π can tie
    // between pairs, and then which tied pair the top half keeps would be the implementation's choice)
    const rng = Rng.from('check/vmpo/user-mdp/advantages');
    return [{ label: label ?? 'your MDP', S, A, weights: eta.map((x) => x / total), advantage: Float64Array.from({ length: S * A }, () => rng.normal()), old, policy, duals: { eta: 0.8, nu: 1.5, epsilonEta: 0.1, epsilonNu: 0.01 }, n: 4 }];
  }
  return [
    { label: 'contextual bandit 2×2, batches of 4', S: 2, A: 2, weights: Float64Array.of(0.6, 0.4), advantage: Float64Array.of(1.0, -0.5, 0.3, -1.2), ...seeded(2, 2, 'check/vmpo/cb'), duals: { eta: 0.8, nu: 1.5, epsilonEta: 0.1, epsilonNu: 0.01 }, n: 4 },
    { label: '3-armed bandit, batches of 5', S: 1, A: 3, weights: Float64Array.of(1), advantage: Float64Array.of(0.8, -0.2, 0.5), ...seeded(1, 3, 'check/vmpo/b3'), duals: { eta: 0.4, nu: 0.7, epsilonEta: 0.05, epsilonNu: 0.02 }, n: 5 },
  ];
}

/** Every batch of the instance with its probability (the i.i.d. pairs with w(s)π_old(a|s) > 0). */
export function enumerateBatches(x: VmpoInstance): { batches: Batch[]; probs: Float64Array } {
  const pi = x.old.param.probs(x.old.theta), pairs: number[] = [], p: number[] = [];
  for (let k = 0; k < x.S * x.A; k++) { const q = x.weights[Math.floor(k / x.A)]! * pi[k]!; if (q > 0) { pairs.push(k); p.push(q); } }
  const count = pairs.length ** x.n;
  if (!(count <= VMPO_MAX_BATCHES)) fail('VMPO_ENUMERATION', `${x.label}: ${pairs.length} (s, a) pairs give ${pairs.length}^${x.n} = ${count} batches of ${x.n}; the V-MPO check enumerates at most ${VMPO_MAX_BATCHES} (use an MDP with at most ${Math.floor(VMPO_MAX_BATCHES ** (1 / x.n))} reachable pairs, or the built-in instances)`, { where: x.label, value: count });
  const batches: Batch[] = [], probs = new Float64Array(count), idx = new Int32Array(x.n);
  for (let b = 0; b < count; b++) {
    let r = b, pr = 1;
    for (let i = 0; i < x.n; i++) { idx[i] = r % pairs.length; r = Math.floor(r / pairs.length); pr *= p[idx[i]!]!; }
    const s_t = Int32Array.from(idx, (j) => Math.floor(pairs[j]! / x.A)), a_t = Int32Array.from(idx, (j) => pairs[j]! % x.A);
    batches.push({
      size: x.n, numStates: x.S, numActions: x.A, gamma: 1, s_t, a_t, r_t: new Float64Array(x.n), s_tp1: Int32Array.from(s_t), terminated_t: new Uint8Array(x.n).fill(1),
      truncated_t: new Uint8Array(x.n), t_index: new Int32Array(x.n), logp_t: Float64Array.from(idx, (j) => Math.log(pi[pairs[j]!]!)), episode_t: Int32Array.from({ length: x.n }, (_, i) => i),
    });
    probs[b] = pr;
  }
  return { batches, probs };
}

/** Â_i = A(s_i, a_i). */
const advantagesOf = (x: VmpoInstance, b: Batch) => Float64Array.from(b.s_t, (s, i) => x.advantage[s * x.A + b.a_t[i]!]!);

/** The known wrong variants (controls and diagnosis). */
export const VMPO_VARIANTS = {
  'psi-not-detached': 'ψ not detached w.r.t. η in L_π: ∂L/∂η gains Σ_i ψ_i (Â_i − Σ_j ψ_j Â_j) log π(a_i|s_i) / η²',
  'kl-sg-swapped': 'the KL term\'s stop-gradients swapped, sg[ν](ε_ν − D̄) + ν·sg[D̄]: ∇_θ gets −ν∇D̄ and ∂/∂ν gets D̄',
  'temperature-whole-batch': 'the temperature loss with the log-mean-exp over the whole batch, not the top half',
} as const;
export type VmpoVariant = keyof typeof VMPO_VARIANTS;

/** [∇_θ L, ∂L/∂η, ∂L/∂ν] on one batch by the built-in estimators (../estimators/vmpo.ts), or a wrong variant. */
export function vmpoReferenceGradient(x: VmpoInstance, b: Batch, variant?: VmpoVariant): Float64Array {
  const { eta, nu, epsilonEta, epsilonNu } = x.duals, adv = advantagesOf(x, b), sel = vmpoTopHalf(adv), psi = vmpoWeights(adv, sel, eta);
  const policyLoss = vmpoPolicyLoss(b, x.policy, psi), trust = vmpoTrustRegionLoss(b, x.policy, x.old, nu, epsilonNu);
  const all = Int32Array.from({ length: b.size }, (_, i) => i);
  const d = x.S * x.A, out = new Float64Array(d + 2), swapped = variant === 'kl-sg-swapped';
  for (let k = 0; k < d; k++) out[k] = policyLoss.gradient[k]! + (swapped ? -1 : 1) * trust.gradient[k]!;
  out[d] = vmpoTemperatureLoss(adv, variant === 'temperature-whole-batch' ? all : sel, eta, epsilonEta).gradient;
  if (variant === 'psi-not-detached') {
    let mean = 0;
    for (const j of sel) mean += psi[j]! * adv[j]!;
    for (const j of sel) out[d] = out[d]! + (psi[j]! * (adv[j]! - mean) * x.policy.param.logProb(x.policy.theta, b.s_t[j]!, b.a_t[j]!)) / (eta * eta);
  }
  out[d + 1] = swapped ? trust.kl : trust.nuGradient;
  return out;
}

/** What the main thread sends: the batches of an instance. */
export interface VmpoPayload { readonly op: 'vmpo'; readonly S: number; readonly A: number; readonly theta: Float64Array; readonly thetaOld: Float64Array; readonly duals: VmpoDuals; readonly advantage: Float64Array; readonly batches: readonly Batch[] }

/** Runs the user's V-MPO losses on every batch of the payload (in a sandbox worker): S·A + 2 numbers per batch. */
export function runVmpoLosses(e: LoadedEstimator, p: VmpoPayload, call: <T>(f: () => T) => T): Float64Array {
  const param = softmaxPolicy(p.S, p.A), d = param.numParams, est = e.estimator as VmpoLossEstimator, out = new Float64Array(p.batches.length * (d + 2));
  p.batches.forEach((b, k) => {
    const adv = Float64Array.from(b.s_t, (s, i) => p.advantage[s * p.A + b.a_t[i]!]!);
    const r = call(() => est.estimate(b, policyView({ param, theta: Float64Array.from(p.theta) }), policyView({ param, theta: Float64Array.from(p.thetaOld) }), adv, { ...p.duals }));
    out.set(checkedResult(r?.theta, d, `${e.name}.estimate(…).theta`), k * (d + 2));
    out.set(checkedResult([r?.eta, r?.nu], 2, `${e.name}.estimate(…) [eta, nu]`), k * (d + 2) + d);
  });
  return out;
}

/** Σ_B P(B) g(B) of n × dim values. */
function expectation(values: Float64Array, probs: Float64Array, dim: number): Float64Array {
  const out = new Float64Array(dim);
  probs.forEach((p, b) => { for (let k = 0; k < dim; k++) out[k] = out[k]! + p * values[b * dim + k]!; });
  return out;
}

/**
 * Each block (θ; η; ν) divided by its scale, so that one tolerance reads as relative per block:
 * the scale is the larger of ‖E[g]‖∞ and ‖E[|g|]‖∞ over the block (the per-batch magnitude, so
 * that an expectation near 0 by cancellation does not make the tolerance tighter than rounding).
 */
function perBlock(d: number, target: Float64Array, absMean: Float64Array): { scale: (v: Float64Array) => Float64Array; text: string } {
  const block = (lo: number, hi: number) => Math.max(maxAbs(target.subarray(lo, hi)), maxAbs(absMean.subarray(lo, hi))) || 1;
  const s = [block(0, d), block(d, d + 1), block(d + 1, d + 2)];
  return { scale: (v) => v.map((y, k) => y / (k < d ? s[0]! : k === d ? s[1]! : s[2]!)), text: `block scales: θ ${s[0]!.toPrecision(3)}, η ${s[1]!.toPrecision(3)}, ν ${s[2]!.toPrecision(3)} (max of ‖E[g]‖∞ and ‖E[|g|]‖∞)` };
}

/** The claim `pgtruth check` runs for a `vmpo` estimator (module comment). */
export function vmpoClaims(e: LoadedEstimator, run: MachineryRun, opts: { mdp?: FiniteMDP; mdpLabel?: string }): Claim[] {
  const tag = `check.${e.name}`, variants = Object.keys(VMPO_VARIANTS) as VmpoVariant[];
  const setting = (x: VmpoInstance) => {
    const { batches, probs } = enumerateBatches(x), d = x.S * x.A;
    const values = (v?: VmpoVariant) => { const vals = new Float64Array(batches.length * (d + 2)); batches.forEach((b, k) => vals.set(vmpoReferenceGradient(x, b, v), k * (d + 2))); return vals; };
    const ref = (v?: VmpoVariant) => expectation(values(v), probs, d + 2);
    const own = values(), target = expectation(own, probs, d + 2), block = perBlock(d, target, expectation(own.map(Math.abs), probs, d + 2));
    const coordinate = (k: number) => (k < d ? `∂L/∂θ(s=${Math.floor(k / x.A)}, a=${k % x.A})` : k === d ? '∂L/∂η' : '∂L/∂ν');
    const judge = (label: string, observed: Float64Array) => exactCheck(`${x.label}: ${label}`, block.scale(observed), block.scale(target), {
      scale: { name: 'its block\'s scale', value: 1, stated: false }, tolerance: VMPO_TOLERANCE, coordinate,
      candidates: variants.map((v) => ({ id: v, description: VMPO_VARIANTS[v], output: block.scale(ref(v)) })),
      note: `${batches.length} batches enumerated; ${block.text}`,
    });
    return { batches, probs, d, ref, judge };
  };
  return [{
    id: `${tag}.expected-gradients`, title: `${e.name}: the expected gradients of L_π + L_η + L_ν in θ, η and ν equal those of the verified V-MPO losses, exactly over every batch`,
    source: 'Lehmann 2024, §4.5, eqs. 20–22 and Appendix C; Song et al. 2020',
    statement: String.raw`\sum_{B} P(B)\,\nabla_{(\theta,\eta,\nu)}\hat L(B) = \sum_B P(B)\,\nabla_{(\theta,\eta,\nu)}\big(L_\pi + L_\eta + L_\nu\big)(B),\quad P(B) = \textstyle\prod_i w(s_i)\pi_{\mathrm{old}}(a_i|s_i)`,
    relation: 'identity', rule: `exact expectation over every batch; each block (θ, η, ν) within ${VMPO_TOLERANCE} of its own ‖·‖∞`,
    run: async () => {
      const out: Check[] = [];
      for (const x of vmpoInstances(opts.mdp, opts.mdpLabel)) {
        const { batches, probs, d, judge } = setting(x);
        const vals = await run(e.key, { op: 'vmpo', S: x.S, A: x.A, theta: x.policy.theta, thetaOld: x.old.theta, duals: x.duals, advantage: x.advantage, batches } satisfies VmpoPayload);
        out.push(judge(e.name, expectation(vals, probs, d + 2)));
      }
      return out;
    },
    control: {
      description: Object.values(VMPO_VARIANTS).join('; '),
      run: () => vmpoInstances(opts.mdp, opts.mdpLabel).flatMap((x) => { const s = setting(x); return variants.map((v) => s.judge(v, s.ref(v))); }),
    },
  }];
}
