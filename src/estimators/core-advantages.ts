/**
 * Returns and advantages as formulas over per-transition arrays (rlax-style): the values
 * come in as arrays `v_t` = V(s_t) and `v_tp1` = V(s_tp1) (a table lookup, a critic's
 * output, anything), so that the same formula serves a tabular batch, an MLP critic and a
 * vectorized learner. The `Batch` estimators of `returns.ts` and `advantages.ts` call these.
 *
 * Layout: the transitions of one episode are contiguous and in time order (as in a
 * `Batch`); a vectorized learner lays its experience out env by env. An episode ends where
 * `terminated_t` (no bootstrap: V(s_tp1) = 0) or `truncated_t` (bootstrap from v_tp1) is set;
 * nothing is carried across an end. The last transition must end its episode: the
 * recursion starts with a zero carry there, whatever its flags say.
 *
 * @module
 */
import { checkLength, checkOut, checkUnitInterval } from './checks.js';
import { discountAt, heldPowers, powerTable } from './discount.js';

/**
 * Generalized advantage estimation (Lehmann 2024, Algorithm 7 / eq. 19; Schulman et al. 2016):
 *
 * $$\delta_t = r_t + \gamma\,(1-\text{terminated}_t)\,v^{tp1}_t - v_t,\qquad \hat A_t = \delta_t + \gamma\lambda\,(1-\text{end}_t)\,\hat A_{t+1},$$
 *
 * end_t = terminated_t ∨ truncated_t: the carry restarts at 0 at every episode end, and a
 * truncated step bootstraps from v_tp1 inside δ_t. λ = 0 gives δ_t, λ = 1 the Monte Carlo
 * return (bootstrapped at truncations) minus v_t. Into `out` when given (may alias r_t).
 */
export function gaeFromValues(r_t: Float64Array, v_t: Float64Array, v_tp1: Float64Array, terminated_t: Uint8Array, truncated_t: Uint8Array, gamma: number, lambda: number, out?: Float64Array): Float64Array {
  const n = r_t.length;
  checkLength(v_t, n, 'v_t'); checkLength(v_tp1, n, 'v_tp1'); checkLength(terminated_t, n, 'terminated_t'); checkLength(truncated_t, n, 'truncated_t');
  checkUnitInterval(gamma, 'gamma'); checkUnitInterval(lambda, 'lambda'); checkOut(out, n);
  // one table [v_t; v_tp1] (v_t at 0…n−1, v_tp1 at n…2n−1), as a state table V[s] is one for a Batch
  if (valuesBuffer.length < 2 * n) valuesBuffer = new Float64Array(Math.max(2 * n, 2 * valuesBuffer.length));
  valuesBuffer.set(v_t, 0); valuesBuffer.set(v_tp1, n);
  const index = identity(2 * n);
  return gaeFromTables(r_t, valuesBuffer, index, index.subarray(n), terminated_t, truncated_t, gamma, lambda, out ?? new Float64Array(n), n);
}

/** The table of {@link gaeFromValues}: v_t and v_tp1 one after the other (reused). */
let valuesBuffer = new Float64Array(0);

/** 0, 1, 2, …: the index that reads a per-transition array as a table (grown on demand, reused). */
let identityIndex = new Int32Array(0);

/** {@link identityIndex} holding at least `n` entries. */
function identity(n: number): Int32Array {
  if (identityIndex.length < n) {
    identityIndex = new Int32Array(Math.max(n, 2 * identityIndex.length));
    for (let k = 0; k < identityIndex.length; k++) identityIndex[k] = k;
  }
  return identityIndex;
}

/**
 * The recursion of {@link gaeFromValues} (the one place its formula lives) over the first `n`
 * transitions, with v_t = `values[v_index[i]]` and v_tp1 = `values[vtp1_index[i]]`: a state
 * table V[s] through s_t and s_tp1 (the `Batch` estimators, without gathering the values into
 * arrays first), or v_t and v_tp1 laid out in one table. Arguments unchecked: the callers
 * check them.
 */
export function gaeFromTables(r_t: Float64Array, values: Float64Array, v_index: Int32Array, vtp1_index: Int32Array, terminated_t: Uint8Array, truncated_t: Uint8Array, gamma: number, lambda: number, adv: Float64Array, n: number): Float64Array {
  const gl = gamma * lambda;
  let carry = 0;
  for (let i = n - 1; i >= 0; i--) {
    const next = terminated_t[i] ? 0 : values[vtp1_index[i]!]!;
    const delta = r_t[i]! + gamma * next - values[v_index[i]!]!;
    carry = (terminated_t[i]! | truncated_t[i]!) !== 0 ? delta : delta + gl * carry;
    adv[i] = carry;
  }
  return adv;
}

/**
 * The reward-to-go (Sutton & Barto 2018, §3.3; Lehmann 2024, §3, Algorithm 3's G_t):
 *
 * $$G_t = r_t + \gamma \begin{cases} 0 & \text{terminated}_t \\ v^{tp1}_t & \text{truncated}_t \text{ (0 without v\_tp1)} \\ G_{t+1} & \text{otherwise.} \end{cases}$$
 *
 * Without `v_tp1` a truncation ends the sum (the finite-horizon return). Into `out` when given
 * (may alias r_t: each entry is read before it is written).
 */
export function returnsFromRewards(r_t: Float64Array, terminated_t: Uint8Array, truncated_t: Uint8Array, gamma: number, v_tp1?: Float64Array, out?: Float64Array): Float64Array {
  const n = r_t.length;
  checkLength(terminated_t, n, 'terminated_t'); checkLength(truncated_t, n, 'truncated_t');
  if (v_tp1 !== undefined) checkLength(v_tp1, n, 'v_tp1');
  checkUnitInterval(gamma, 'gamma'); checkOut(out, n);
  const G = out ?? new Float64Array(n);
  let g = 0;
  if (v_tp1 === undefined) {
    for (let i = n - 1; i >= 0; i--) {
      g = returnStep(r_t[i]!, gamma, terminated_t[i]! | truncated_t[i]!, g);
      G[i] = g;
    }
    return G;
  }
  for (let i = n - 1; i >= 0; i--) {
    const next = terminated_t[i] ? 0 : truncated_t[i] ? v_tp1[i]! : g;
    g = r_t[i]! + gamma * next;
    G[i] = g;
  }
  return G;
}

/** One step of {@link returnsFromRewards}' recursion without v_tp1 (the one place it is written): G_t = x_t + γ (end_t ? 0 : G_{t+1}). */
function returnStep(x_t: number, gamma: number, end_t: number, g_tp1: number): number {
  return x_t + gamma * (end_t !== 0 ? 0 : g_tp1);
}

/**
 * {@link returnsFromRewards} without v_tp1 over rewards weighted by $\omega^{t_i}$ (ω =
 * `weightGamma`, t_i = `t_index[i]`; the weight of `discountWeighted`, fused into the
 * recursion's pass): $G_t = \omega^{t_t} r_t + \gamma\,(1-\text{end}_t)\,G_{t+1}$. With ω = γ and
 * γ = 1 this is REINFORCE's γ^t-weighted reward-to-go $\sum_{k \ge t} \gamma^{k} r_k$ (Lehmann
 * 2024, Theorem 3.1), bit for bit `returnsFromRewards(discountWeighted(r_t, t_index, γ), …, 1)`.
 * Into `out` (may alias r_t; its first n = r_t.length entries). Arguments unchecked (the
 * callers check them) except the time steps (`ESTIMATOR_ARGUMENT` for a negative t).
 */
export function discountWeightedReturns(r_t: Float64Array, t_index: Int32Array, weightGamma: number, terminated_t: Uint8Array, truncated_t: Uint8Array, gamma: number, out: Float64Array): Float64Array {
  const table = powerTable(weightGamma);
  let i = weightedReturnsRun(r_t, t_index, table, heldPowers(), terminated_t, truncated_t, gamma, out, r_t.length - 1, 0);
  while (i >= 0) {
    // past the table (or a negative t): the slow path for this one transition, then a run over the extended table
    const g = returnStep(discountAt(weightGamma, t_index[i]!, i) * r_t[i]!, gamma, terminated_t[i]! | truncated_t[i]!, i + 1 < r_t.length ? out[i + 1]! : 0);
    out[i] = g;
    i = weightedReturnsRun(r_t, t_index, powerTable(weightGamma), heldPowers(), terminated_t, truncated_t, gamma, out, i - 1, g);
  }
  return out;
}

/** The backward run of {@link discountWeightedReturns} from `i` with carry `g` while t is in the table; returns where it stopped (−1 when done). */
function weightedReturnsRun(r_t: Float64Array, t_index: Int32Array, table: Float64Array, held: number, terminated_t: Uint8Array, truncated_t: Uint8Array, gamma: number, out: Float64Array, i: number, g: number): number {
  for (; i >= 0; i--) {
    const ti = t_index[i]!;
    if ((ti >>> 0) >= held) return i; // a negative t wraps to ≥ 2³¹: the slow path
    g = returnStep(table[ti]! * r_t[i]!, gamma, terminated_t[i]! | truncated_t[i]!, g);
    out[i] = g;
  }
  return -1;
}

/**
 * The value targets that go with per-step advantages, $\hat A_t + v_t$ (Lehmann 2024, §4.2,
 * Algorithm 7): for GAE the λ-return, for the n-step advantage the n-step return. Into `out`
 * when given (may alias either input).
 */
export function valueTargetsFromAdvantages(adv: Float64Array, v_t: Float64Array, out?: Float64Array): Float64Array {
  const n = adv.length;
  checkLength(v_t, n, 'v_t'); checkOut(out, n);
  const y = out ?? new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = adv[i]! + v_t[i]!;
  return y;
}
