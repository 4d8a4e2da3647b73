/**
 * Loss aggregation over the tokens of a batch of responses — how RL-for-LLM libraries turn
 * per-token losses ℓ_{i,t} into one number, and what each choice estimates. The token arrays
 * are N × T, row-major (`x[i*T + t]`, response i, token t), with a padding mask m_{i,t} ∈ {0,1}
 * (1 on the response's |o_i| = Σ_t m_{i,t} tokens). Every mode is a weighted sum
 * L = Σ_{i,t} w_{i,t} m_{i,t} ℓ_{i,t}:
 *
 * | mode | w_{i,t} | used by | with ℓ = −A_i log π(a_t|s_t): E[−∇L] |
 * | --- | --- | --- | --- |
 * | `sequence-mean` | 1/(N |o_i|) | GRPO (Shao et al. 2024, eq. 3) | ∇_θ E[R(o)/|o|] for A = R: the length-normalized objective |
 * | `token-mean` | 1/Σ_{j,t} m_{j,t} | DAPO (Yu et al. 2025, §3.3) | a ratio: biased at finite N, → ∇J / E|o| as N → ∞ |
 * | `constant` | 1/C | Dr. GRPO (Liu et al. 2025, §3.2) | (N/C) ∇J for unbiased A (e.g. RLOO) |
 *
 * Because E_o[f(o) ∇log π(o)] = ∇E_o[f(o)] for any fixed function f of the response, the
 * factor 1/|o_i| makes the per-sequence mean the gradient of E[A/|o|] (Liu et al. 2025's
 * "length bias"), while a constant factor keeps the gradient of J itself
 * (derivations/10-group-relative.md).
 *
 * @module
 */
import { fail, show } from '../errors.js';
import type { Policy } from '../policy/types.js';
import { KeyedSum, scoreCombination } from './score.js';

/** The loss aggregations (module comment). */
export type LossAggregation = 'sequence-mean' | 'token-mean' | 'constant';

/** A padding mask: 1 on response tokens, 0 on padding. */
export type TokenMask = Uint8Array | Float64Array;

function checkMask(mask: TokenMask, T: number, what: string): number {
  if (!(Number.isSafeInteger(T) && T >= 1)) fail('ESTIMATOR_ARGUMENT', `${what}: the token dimension T is ${show(T)}: it must be a positive integer`, { where: 'T', value: T });
  if (!(mask instanceof Uint8Array || mask instanceof Float64Array) || mask.length % T !== 0) fail('ESTIMATOR_ARGUMENT', `${what}: mask has ${mask?.length ?? show(mask)} entries, not a whole number of rows of ${T} tokens`, { where: 'mask', value: mask?.length });
  for (let k = 0; k < mask.length; k++) if (mask[k] !== 0 && mask[k] !== 1) fail('ESTIMATOR_ARGUMENT', `${what}: mask[${Math.floor(k / T)}][${k % T}] is ${show(mask[k])}: mask entries must be 0 or 1`, { where: `mask[${Math.floor(k / T)}][${k % T}]`, value: mask[k] });
  return mask.length / T;
}

/** |o_i| = Σ_t m_{i,t} for each response. */
export function responseLengths(mask: TokenMask, T: number): Int32Array {
  const N = checkMask(mask, T, 'responseLengths'), out = new Int32Array(N);
  for (let i = 0; i < N; i++) { let n = 0; for (let t = 0; t < T; t++) n += mask[i * T + t]!; out[i] = n; }
  return out;
}

/**
 * The weights w_{i,t} m_{i,t} of `mode` (module comment), 0 on padding, so that the loss is
 * Σ w ℓ. `constant` needs C > 0 (`constant`); `sequence-mean` needs every response to have
 * a token; `token-mean` needs one token in the batch. Throws `ESTIMATOR_ARGUMENT` otherwise.
 */
export function aggregationWeights(mask: TokenMask, T: number, mode: LossAggregation, constant?: number): Float64Array {
  const len = responseLengths(mask, T), N = len.length, w = new Float64Array(mask.length);
  if (mode === 'sequence-mean') {
    for (let i = 0; i < N; i++) {
      if (len[i] === 0) fail('ESTIMATOR_ARGUMENT', `sequence-mean aggregation divides by |o_${i}|, and response ${i} has no token`, { where: `mask[${i}]`, value: 0 });
      for (let t = 0; t < T; t++) w[i * T + t] = mask[i * T + t]! / (N * len[i]!);
    }
  } else if (mode === 'token-mean') {
    let total = 0;
    for (let i = 0; i < N; i++) total += len[i]!;
    if (total === 0) fail('ESTIMATOR_ARGUMENT', 'token-mean aggregation divides by the number of tokens in the batch, which is 0', { where: 'mask', value: 0 });
    for (let k = 0; k < w.length; k++) w[k] = mask[k]! / total;
  } else if (mode === 'constant') {
    if (!(typeof constant === 'number' && Number.isFinite(constant) && constant > 0)) fail('ESTIMATOR_ARGUMENT', `constant aggregation divides by C, and C is ${show(constant)}: it must be a finite number > 0`, { where: 'constant', value: constant });
    for (let k = 0; k < w.length; k++) w[k] = mask[k]! / constant;
  } else fail('ESTIMATOR_ARGUMENT', `the loss aggregation is ${show(mode)}: expected "sequence-mean", "token-mean" or "constant"`, { where: 'mode', value: mode });
  return w;
}

/** L = Σ_{i,t} w_{i,t} ℓ_{i,t} with the weights of {@link aggregationWeights}; padding entries of ℓ are ignored. */
export function aggregateLoss(loss_t: Float64Array, mask: TokenMask, T: number, mode: LossAggregation, constant?: number): number {
  const w = aggregationWeights(mask, T, mode, constant);
  if (!(loss_t instanceof Float64Array) || loss_t.length !== w.length) fail('ESTIMATOR_ARGUMENT', `loss_t has ${loss_t?.length ?? show(loss_t)} entries, the mask ${w.length}`, { where: 'loss_t', value: loss_t?.length });
  let L = 0;
  for (let k = 0; k < w.length; k++) {
    if (w[k] === 0) continue;
    const l = loss_t[k]!;
    if (!Number.isFinite(l)) fail('ESTIMATOR_ARGUMENT', `loss_t[${Math.floor(k / T)}][${k % T}] is ${show(l)}: it must be finite`, { where: `loss_t[${Math.floor(k / T)}][${k % T}]`, value: l });
    L += w[k]! * l;
  }
  return L;
}

/** x_{i,t} = x_i on the response's tokens and 0 on padding: a per-sequence quantity (an advantage) broadcast to its tokens. */
export function sequenceToTokens(x: Float64Array, mask: TokenMask, T: number): Float64Array {
  const N = checkMask(mask, T, 'sequenceToTokens');
  if (!(x instanceof Float64Array) || x.length !== N) fail('ESTIMATOR_ARGUMENT', `sequenceToTokens: x has ${x?.length ?? show(x)} entries, expected one per response (${N})`, { where: 'x', value: x?.length });
  const out = new Float64Array(N * T);
  for (let k = 0; k < out.length; k++) if (mask[k]) out[k] = x[Math.floor(k / T)]!;
  return out;
}

/**
 * Σ_{i,t} m_{i,t} c_{i,t} ∇_θ log π_θ(a_{i,t}|s_{i,t}) — the gradient of the surrogate
 * Σ c_{i,t} log π_θ(a_{i,t}|s_{i,t}) with the coefficients c held fixed (stop-gradient), i.e.
 * −∇L for a token loss ℓ = −A log π aggregated with weights w when c = w·A. The coefficients
 * are summed by (s, a) pair and the score evaluated once per pair (`score.ts`). Throws
 * `ESTIMATOR_ARGUMENT` for mismatched lengths, an index out of range or a non-finite
 * coefficient on a token.
 */
export function tokenPolicyGradient(policy: Policy, s_t: Int32Array, a_t: Int32Array, coef_t: Float64Array, mask: TokenMask): Float64Array {
  const n = mask?.length, S = policy.param.numStates, A = policy.param.numActions;
  if (s_t?.length !== n || a_t?.length !== n || coef_t?.length !== n) fail('ESTIMATOR_ARGUMENT', `tokenPolicyGradient: s_t, a_t, coef_t and mask have ${s_t?.length}, ${a_t?.length}, ${coef_t?.length} and ${n} entries: they must be equal`, { where: 'coef_t' });
  policy.param.check(policy.theta);
  const sums = new KeyedSum(S * A, n);
  for (let k = 0; k < n; k++) {
    if (!mask[k]) continue;
    const s = s_t[k]!, a = a_t[k]!, c = coef_t[k]!;
    if (!(s >= 0 && s < S && a >= 0 && a < A)) fail('ESTIMATOR_ARGUMENT', `tokenPolicyGradient: token ${k} has (s, a) = (${s}, ${a}), outside ${S}×${A}`, { where: `s_t[${k}]`, value: s });
    if (!Number.isFinite(c)) fail('ESTIMATOR_ARGUMENT', `tokenPolicyGradient: coef_t[${k}] is ${show(c)}: it must be finite`, { where: `coef_t[${k}]`, value: c });
    sums.add(s * A + a, c);
  }
  return scoreCombination(policy, sums, 1, 'tokenPolicyGradient');
}
