/**
 * The KL to a reference policy in RL for language models, two ways (per token, over the
 * N × T token arrays of `aggregation.ts`; x_t = log π_ref(a_t|s_t) − log π_θ(a_t|s_t) with
 * a_t ∼ π_θ, so that `kl.ts`'s estimators with q = π_θ, p = π_ref estimate KL(π_θ‖π_ref)):
 *
 * 1. **As a loss term** (GRPO, Shao et al. 2024, eqs. 3–4): L_KL = β Σ w_t k(x_t), differentiated
 *    through π_θ with the sampled tokens held fixed. {@link referenceKlTerm} gives k(x_t) and
 *    ∂k/∂log π_θ(a_t|s_t): for k1 = −x it is 1, for k3 = e^x − 1 − x it is 1 − e^x. So the
 *    expected gradient per visited state s is Σ_a π_θ(a|s)(1 − π_ref(a|s)/π_θ(a|s)) ∇log π_θ(a|s)
 *    = −Σ_a π_ref(a|s) ∇log π_θ(a|s) = ∇_θ KL(π_ref(·|s) ‖ π_θ(·|s)): the gradient of the
 *    *other* direction of the KL, and with the states' distribution held fixed — not the
 *    gradient of the sequence KL(π_θ‖π_ref) whose value k3 estimates (Tang & Munos 2025,
 *    "On a few pitfalls in KL divergence gradient estimation for RL"). The k1 loss term's
 *    expected gradient is E[∇log π_θ] = 0.
 * 2. **As a reward penalty** (Ouyang et al. 2022; REINFORCE++, Hu 2025): r̃_t = r_t − β k1_t,
 *    then any unbiased policy-gradient estimator of E[Σ_t r̃_t]. Since
 *    ∇_θ E_θ[Σ_t (log π_θ − log π_ref)(a_t|s_t)] = E[Σ_t ∇log π_θ(a_t|s_t) Σ_{t'≥t} k1_{t'}]
 *    (+ E[Σ_t ∇log π_θ] = 0), REINFORCE on the penalized reward is unbiased for
 *    ∇J − β ∇KL(π_θ‖π_ref) of whole sequences ({@link klRewardPenalty}).
 *
 * @module
 */
import { fail, show } from '../errors.js';
import type { TokenMask } from './aggregation.js';
import { klK1, klK3 } from './kl.js';

/** A per-token KL term: its values and its derivative with respect to log π_θ(a_t|s_t). */
export interface ReferenceKlTerm {
  readonly value_t: Float64Array;
  readonly dLogp_t: Float64Array;
}

function logRatioToReference(logp_t: Float64Array, logpRef_t: Float64Array, mask: TokenMask, what: string): Float64Array {
  if (!(logp_t instanceof Float64Array) || !(logpRef_t instanceof Float64Array) || logp_t.length !== logpRef_t.length || mask?.length !== logp_t.length) {
    fail('ESTIMATOR_ARGUMENT', `${what}: logp_t, logpRef_t and mask have ${logp_t?.length}, ${logpRef_t?.length} and ${mask?.length} entries: they must be equal`, { where: 'logp_t' });
  }
  const x = new Float64Array(logp_t.length);
  for (let k = 0; k < x.length; k++) if (mask[k]) x[k] = logpRef_t[k]! - logp_t[k]!;
  return x;
}

/**
 * The per-token KL term k(x_t) of kind `k1` or `k3` (`kl.ts`: {@link klK1}, {@link klK3}) at
 * x_t = log π_ref − log π_θ, and ∂k/∂log π_θ(a_t|s_t) (1 for k1, 1 − e^{x_t} for k3); 0 on
 * padding. Throws `ESTIMATOR_ARGUMENT` for mismatched or non-finite inputs.
 */
export function referenceKlTerm(logp_t: Float64Array, logpRef_t: Float64Array, mask: TokenMask, kind: 'k1' | 'k3'): ReferenceKlTerm {
  const x = logRatioToReference(logp_t, logpRef_t, mask, 'referenceKlTerm');
  if (kind !== 'k1' && kind !== 'k3') fail('ESTIMATOR_ARGUMENT', `referenceKlTerm: kind is ${show(kind)}: expected "k1" or "k3"`, { where: 'kind', value: kind });
  const value_t = kind === 'k1' ? klK1(x) : klK3(x), dLogp_t = new Float64Array(x.length);
  for (let k = 0; k < x.length; k++) {
    if (!mask[k]) { value_t[k] = 0; continue; }
    dLogp_t[k] = kind === 'k1' ? 1 : -Math.expm1(x[k]!);
  }
  return { value_t, dLogp_t };
}

/**
 * The penalized per-token rewards r̃_t = r_t − β k1_t with k1_t = log π_θ(a_t|s_t) − log π_ref(a_t|s_t)
 * ({@link klK1}); 0 on padding. β ≥ 0.
 */
export function klRewardPenalty(r_t: Float64Array, logp_t: Float64Array, logpRef_t: Float64Array, mask: TokenMask, beta: number): Float64Array {
  if (!(typeof beta === 'number' && Number.isFinite(beta) && beta >= 0)) fail('ESTIMATOR_ARGUMENT', `klRewardPenalty: beta is ${show(beta)}: it must be a finite number ≥ 0`, { where: 'beta', value: beta });
  const k1 = klK1(logRatioToReference(logp_t, logpRef_t, mask, 'klRewardPenalty'));
  if (!(r_t instanceof Float64Array) || r_t.length !== k1.length) fail('ESTIMATOR_ARGUMENT', `klRewardPenalty: r_t has ${r_t?.length ?? show(r_t)} entries, expected ${k1.length}`, { where: 'r_t', value: r_t?.length });
  const out = new Float64Array(k1.length);
  for (let k = 0; k < out.length; k++) {
    if (!mask[k]) continue;
    if (!Number.isFinite(r_t[k]!)) fail('ESTIMATOR_ARGUMENT', `klRewardPenalty: r_t[${k}] is ${show(r_t[k])}: it must be finite`, { where: `r_t[${k}]`, value: r_t[k] });
    out[k] = r_t[k]! - beta * k1[k]!;
  }
  return out;
}

/** G_t = Σ_{t' ≥ t} r_{t'} along each response (γ = 1, padding 0): the reward-to-go of per-token rewards. */
export function tokenRewardToGo(r_t: Float64Array, mask: TokenMask, T: number): Float64Array {
  if (!(r_t instanceof Float64Array) || r_t.length !== mask?.length || !(Number.isSafeInteger(T) && T >= 1) || r_t.length % T !== 0) fail('ESTIMATOR_ARGUMENT', `tokenRewardToGo: r_t has ${r_t?.length} entries and mask ${mask?.length}, with T = ${show(T)}: they must be equal and a whole number of rows`, { where: 'r_t' });
  const out = new Float64Array(r_t.length);
  for (let i = 0; i < r_t.length / T; i++) {
    let g = 0;
    for (let t = T - 1; t >= 0; t--) { const k = i * T + t; if (mask[k]) { g += r_t[k]!; out[k] = g; } }
  }
  return out;
}
