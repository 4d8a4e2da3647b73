/**
 * Group-relative advantages for RL on language models: each prompt gets G sampled responses
 * with sequence rewards r_1 … r_G, and each response's advantage is computed from its own
 * group (rlax-style: formulas over the flat array `r`, laid out prompt by prompt,
 * `r[b*G + i]` = reward of response i of prompt b).
 *
 * | function | advantage A_i | E[Σ_i A_i ∇log π(o_i)/G] | source |
 * | --- | --- | --- | --- |
 * | {@link rlooAdvantages} | r_i − (1/(G−1)) Σ_{j≠i} r_j | ∇J_q (unbiased) | Kool et al. 2019; Ahmadian et al. 2024 |
 * | {@link drGrpoAdvantages} | r_i − r̄ | (1 − 1/G) ∇J_q | Liu et al. 2025 (Dr. GRPO) |
 * | {@link grpoAdvantages} | (r_i − r̄)/(std(r) + ε) | w_q ∇J_q for binary rewards (a prompt reweighting) | Shao et al. 2024, §4.1.2 |
 * | {@link reinforcePlusPlusAdvantages} | (r_i − mean_batch)/std_batch | biased (a batch-wide random scale) | Hu 2025 |
 *
 * with r̄ = (1/G) Σ_j r_j and ∇J_q = Σ_o ∇π(o|q) R(q,o). **Why.** The leave-one-out mean is
 * independent of o_i given the prompt, so it is a baseline of mean zero against the score;
 * the group mean includes r_i itself: r_i − r̄ = (1 − 1/G)(r_i − r̄_{−i}), exactly, so its
 * expectation is the RLOO one scaled by (1 − 1/G) (derivations/10-group-relative.md). The
 * std divides each group by a random, group-dependent factor: for 0/1 rewards
 * E[A_1 | o_1 = o] = c_q (R(q,o) − J_q) with a constant c_q that depends on the prompt's
 * success rate, so the mean is Σ_q ρ(q) c_q/(1 − J_q) ∇J_q — every prompt's gradient
 * rescaled by its own weight; for rewards with more than two values not even that.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import { normalizeAdvantages } from './normalize.js';

/** Throws unless `r` is finite and splits into groups of G (G ≥ `minG`). */
function checkGroups(r: Float64Array, G: number, minG: number, what: string): void {
  if (!(Number.isSafeInteger(G) && G >= minG)) fail('ESTIMATOR_ARGUMENT', `${what}: the group size G is ${show(G)}: it must be an integer ≥ ${minG}`, { where: 'G', value: G });
  if (!(r instanceof Float64Array) || r.length % G !== 0) fail('ESTIMATOR_ARGUMENT', `${what}: rewards has ${r?.length ?? show(r)} entries, not a whole number of groups of ${G}`, { where: 'rewards', value: r?.length });
  for (let i = 0; i < r.length; i++) if (!Number.isFinite(r[i]!)) fail('ESTIMATOR_ARGUMENT', `${what}: rewards[${i}] is ${show(r[i])}: rewards must be finite`, { where: `rewards[${i}]`, value: r[i] });
}

/** r̄_b = (1/G) Σ_i r[b*G + i] for each group b. */
export function groupMeans(r: Float64Array, G: number): Float64Array {
  checkGroups(r, G, 1, 'groupMeans');
  const out = new Float64Array(r.length / G);
  for (let b = 0; b < out.length; b++) { let m = 0; for (let i = 0; i < G; i++) m += r[b * G + i]!; out[b] = m / G; }
  return out;
}

/**
 * Dr. GRPO's advantage A_i = r_i − r̄, r̄ the mean of the group *including* r_i (Liu et al.
 * 2025, "Understanding R1-Zero-like Training", §3.2: GRPO without the std and without
 * the length normalization). Its policy gradient has mean (1 − 1/G) ∇J: unbiased up to the
 * known constant.
 */
export function drGrpoAdvantages(r: Float64Array, G: number): Float64Array {
  const m = groupMeans(r, G), out = new Float64Array(r.length);
  for (let k = 0; k < r.length; k++) out[k] = r[k]! - m[Math.floor(k / G)]!;
  return out;
}

/**
 * RLOO's advantage A_i = r_i − (1/(G−1)) Σ_{j≠i} r_j = (G/(G−1))(r_i − r̄) (Kool et al. 2019,
 * "Buy 4 REINFORCE samples, get a baseline for free!"; Ahmadian et al. 2024, "Back to
 * Basics", eq. 5). Unbiased for ∇J: the leave-one-out mean is independent of o_i. Needs G ≥ 2.
 */
export function rlooAdvantages(r: Float64Array, G: number): Float64Array {
  checkGroups(r, G, 2, 'rlooAdvantages');
  const m = groupMeans(r, G), out = new Float64Array(r.length);
  for (let k = 0; k < r.length; k++) out[k] = (G / (G - 1)) * (r[k]! - m[Math.floor(k / G)]!);
  return out;
}

/** Options of {@link grpoAdvantages}. */
export interface GrpoOptions {
  /** ε added to the standard deviation (default 1e-6). */
  readonly epsilon?: number;
  /** `sample` (divide by G − 1, as `torch.std` does; default) or `population` (divide by G). */
  readonly std?: 'sample' | 'population';
}

/**
 * GRPO's advantage (Shao et al. 2024, DeepSeekMath, §4.1.2 "outcome supervision"):
 *
 * $$A_i = \frac{r_i - \operatorname{mean}(r_1,\dots,r_G)}{\operatorname{std}(r_1,\dots,r_G) + \varepsilon}.$$
 *
 * A group whose rewards are all equal gets A = 0 (no signal). **Biased** for ∇J: see the
 * module comment and derivations/10-group-relative.md for its exact mean. Needs G ≥ 2 for
 * the sample standard deviation.
 */
export function grpoAdvantages(r: Float64Array, G: number, opts: GrpoOptions = {}): Float64Array {
  const eps = opts.epsilon ?? 1e-6, sample = (opts.std ?? 'sample') === 'sample';
  if (!(Number.isFinite(eps) && eps >= 0)) fail('ESTIMATOR_ARGUMENT', `grpoAdvantages: epsilon is ${show(eps)}: it must be a finite number ≥ 0`, { where: 'epsilon', value: eps });
  checkGroups(r, G, sample ? 2 : 1, 'grpoAdvantages');
  const m = groupMeans(r, G), out = new Float64Array(r.length);
  for (let b = 0; b < m.length; b++) {
    let ss = 0;
    for (let i = 0; i < G; i++) ss += (r[b * G + i]! - m[b]!) ** 2;
    const sd = Math.sqrt(ss / (sample ? G - 1 : G)) + eps;
    for (let i = 0; i < G; i++) out[b * G + i] = sd > 0 ? (r[b * G + i]! - m[b]!) / sd : 0;
  }
  return out;
}

/**
 * REINFORCE++'s advantage (Hu 2025, "REINFORCE++", §3): the rewards (minus their group mean
 * when `groupBaseline`, the "REINFORCE++-baseline" variant) normalized across the whole batch
 * by {@link normalizeAdvantages}: (x − mean_batch)/(std_batch + ε). The batch-wide mean and
 * std depend on every response, so the estimate is biased at any finite batch (the bias of
 * batch normalization, `normalize.ts`); with `groupBaseline` it needs G ≥ 2 to carry signal.
 */
export function reinforcePlusPlusAdvantages(r: Float64Array, G: number, groupBaseline = false, epsilon = 1e-8): Float64Array {
  checkGroups(r, G, 1, 'reinforcePlusPlusAdvantages');
  return normalizeAdvantages(groupBaseline ? drGrpoAdvantages(r, G) : r, epsilon);
}
