/**
 * `pgtruth check` for deep-RL critic losses: the kinds `value-loss` and `actor-critic`
 * (issue 10 item 5). This file holds the interfaces, the declarations, the exact
 * per-transition expectations and the per-batch residuals both kinds test; the claims are in
 * ./deep-claims.ts, the built-in reference losses and their bugs (the controls) in
 * ./deep-tasks.ts.
 *
 * **Value loss.** The user's function gets a batch, the critic being trained V and the
 * rollout-time critic V_old (its targets must come from V_old), and returns ∇_V of
 *
 * $$L(V) = c\,\frac1Z\sum_t \ell_t,\qquad \ell_t = \tfrac12\big(V(s_t) - R_t\big)^2\ \ (\text{or } \max\lbrace (V(s_t)-R_t)^2,\ (V_{\mathrm{clip}}(s_t)-R_t)^2\rbrace),$$
 * $$V_{\mathrm{clip}} = V_{\mathrm{old}} + \mathrm{clip}(V - V_{\mathrm{old}}, -\varepsilon, \varepsilon),$$
 *
 * with R_t the declared target (`definition`: GAE's λ-return, the λ-return, or the n-step
 * return, computed from V_old), Z = the batch's transition count (`reduction: 'mean'`) or 1
 * (`'sum'`), c = 1 with `half` (the ½ above, the default) and 2 without it, and value clipping
 * when `valueClip` = ε is declared (PPO as implemented: Schulman et al. 2017's code, the
 * "value function loss clipping" of Engstrom et al. 2020, §3 and Andrychowicz et al. 2021,
 * §3.3). Lehmann 2024, §4.3 and Algorithm 5 (the critic's regression onto λ-returns).
 *
 * **Exact target.** Per transition, ∂ℓ_t/∂V(s_t) = ψ(R_t) with ψ(R) = V(s) − R unclipped. Its
 * conditional mean given (s_t, a_t, m_t) — m_t the steps to the next forced cut
 * (./advantage-targets.ts) — is V(s) − E[R | s,a,m], exact and linear in V_old by
 * src/exact/advantage-expectation.ts (never re-derived here). With clipping ψ is piecewise
 * linear in R,
 *
 * $$\psi(R) = \begin{cases} V - R & (V-R)^2 \ge (V_{\mathrm{clip}}-R)^2 \\ (V_{\mathrm{clip}} - R)\,\mathbb 1\lbrace |V - V_{\mathrm{old}}| < \varepsilon\rbrace & \text{otherwise}\end{cases}$$
 *
 * so its mean needs the law of R: {@link clippedTermTable} enumerates every trajectory of the
 * target's window — exact for one-step targets (GAE or the λ-return at λ = 0, the 1-step
 * return) and n-step returns with few outcomes, since rewards are deterministic given (s, a).
 * Where |V − V_old| < ε at every state the clip is inactive and ψ is linear again, at any λ.
 *
 * **Residual.** Each transition's term minus its exact conditional mean has conditional mean
 * 0 given the past, so with a fixed transition count per batch (segments: Z is fixed) the
 * per-batch residual
 *
 * $$\rho(s) = \frac{g(s)}{c\,N/Z} - \frac1N\sum_{t:\,s_t = s} \mathbb E[\psi \mid s_t,a_t,m_t]$$
 *
 * has mean 0 exactly when E[g] is the gradient against the exact regression target. Complete
 * episodes are not used: there N is random, and E[Σ/N] is not a linear functional.
 *
 * **Actor-critic.** One loss L = policy loss + c_v·value loss − c_H·entropy (Lehmann 2024,
 * eq. 18 and Algorithm 5; Mnih et al. 2016), with Â_t of the declared definition under the
 * critic V and its targets Â_t + V(s_t), all with the same reduction:
 *
 * $$L = \frac1Z\sum_t\Big(-\hat A_t\log\pi_\theta(a_t|s_t) + c_v\,\ell_t - c_H\,H(\pi_\theta(\cdot|s_t))\Big).$$
 *
 * The user returns ∇_θ L and ∇_V L. With Â and R detached (stop-gradient), E[∇_θ L | batch
 * layout] = −(1/Z) Σ_t (E[Â | s_t,a_t,m_t] ∇log π(a_t|s_t) + c_H ∇H(s_t)) and E[∇_V L] =
 * c_v·the value loss's; a missing stop-gradient adds terms of non-zero mean (−(1/Z)Σ log π
 * ∂Â_t/∂V; the residual gradient −(V − R)∂Â_t/∂V), and shows as bias.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import { checkDefinition, definitionWeights, type AdvantageDefinition } from '../exact/advantage-expectation.js';
import { entropyGradient } from '../exact/objectives.js';
import type { FiniteMDP } from '../mdp/model.js';
import type { Policy } from '../policy/types.js';
import type { Batch } from '../sampling/batch.js';
import { stepsToCut } from './advantage-targets.js';
import type { LoadedEstimator, PolicyView } from './plugin.js';

/** How a loss sums its transitions: `'mean'` over the batch's transitions, or `'sum'`. */
export type LossReduction = 'mean' | 'sum';

/** A critic's loss: ∇_V of a regression of V onto targets the user computes from V_old. */
export interface ValueLossEstimator {
  readonly kind: 'value-loss';
  readonly name?: string;
  /** The targets: `'gae'` (the λ-return GAE's advantages give, the default), `'lambda-return'`, or `{ nStep: n }`. */
  readonly definition?: AdvantageDefinition;
  /** `'mean'` over the batch's transitions (default) or `'sum'`. */
  readonly reduction?: LossReduction;
  /** True (default): ℓ = ½(V − R)²; false: ℓ = (V − R)². */
  readonly half?: boolean;
  /** PPO-style value clipping ε > 0: ℓ = ½ max((V − R)², (V_old + clip(V − V_old, −ε, ε) − R)²). */
  readonly valueClip?: number;
  /**
   * `values` = V (the critic being trained, where the loss is evaluated); `valuesOld` = V_old
   * (the rollout-time critic: the targets come from it). Returns the loss and ∇_V loss (length S).
   */
  estimate(batch: Batch, values: Float64Array, valuesOld: Float64Array, gamma: number, lambda: number): { loss: number; gradient: ArrayLike<number> };
}

/** One actor-critic loss, both gradients: L = policy loss + valueCoef·value loss − entropyCoef·entropy. */
export interface ActorCriticEstimator {
  readonly kind: 'actor-critic';
  readonly name?: string;
  /** The advantages (and targets Â + V): `'gae'` (default), `'lambda-return'` or `{ nStep: n }`. */
  readonly definition?: AdvantageDefinition;
  /** `'mean'` over the batch's transitions (default) or `'sum'`, for all three terms. */
  readonly reduction?: LossReduction;
  /** True (default): the value loss is ½(V − R)²; false: (V − R)². */
  readonly half?: boolean;
  /** c_v > 0, required. */
  readonly valueCoef: number;
  /** c_H ≥ 0 (default 0). */
  readonly entropyCoef?: number;
  /** Returns L and its gradients in the logits θ (length S·A) and in the critic V (length S), at θ = the sampling policy. */
  estimate(batch: Batch, policy: PolicyView, values: Float64Array, gamma: number, lambda: number): { loss: number; gradTheta: ArrayLike<number>; gradV: ArrayLike<number> };
}

/** The checked declaration of a value-loss estimator. */
export interface ValueLossDeclaration {
  readonly definition: AdvantageDefinition;
  readonly reduction: LossReduction;
  readonly half: boolean;
  readonly valueClip?: number;
}

/** The checked declaration of an actor-critic estimator. */
export interface ActorCriticDeclaration extends ValueLossDeclaration {
  readonly valueCoef: number;
  readonly entropyCoef: number;
}

/** Checks the declared fields (`LOSS_DECLARATION` naming the field and value). */
export function lossDeclaration(e: Pick<LoadedEstimator, 'estimator' | 'key' | 'module'>): ValueLossDeclaration | ActorCriticDeclaration {
  const x = e.estimator as unknown as Record<string, unknown>;
  const bad = (f: string, want: string): never => fail('LOSS_DECLARATION', `${e.module}: export ${e.key}.${f} is ${show(x[f])}: expected ${want}`, { where: `${e.key}.${f}`, value: x[f] });
  let definition: AdvantageDefinition = 'gae';
  if (x.definition !== undefined) { try { definition = checkDefinition(x.definition, `${e.key}.definition`); } catch { bad('definition', "'gae', 'lambda-return' or { nStep: n } with an integer n ≥ 1"); } }
  const reduction = x.reduction ?? 'mean';
  if (reduction !== 'mean' && reduction !== 'sum') bad('reduction', "'mean' or 'sum'");
  const half = x.half ?? true;
  if (typeof half !== 'boolean') bad('half', 'true or false');
  const base = { definition, reduction: reduction as LossReduction, half: half as boolean };
  if (x.kind === 'value-loss') {
    const eps = x.valueClip;
    if (eps !== undefined && !(typeof eps === 'number' && Number.isFinite(eps) && eps > 0)) bad('valueClip', 'a finite number > 0');
    return { ...base, ...(eps !== undefined ? { valueClip: eps as number } : {}) };
  }
  if (!(typeof x.valueCoef === 'number' && Number.isFinite(x.valueCoef) && x.valueCoef > 0)) bad('valueCoef', 'a finite number > 0 (the value loss\'s coefficient c_v in L)');
  const ent = x.entropyCoef ?? 0;
  if (!(typeof ent === 'number' && Number.isFinite(ent) && ent >= 0)) bad('entropyCoef', 'a finite number ≥ 0');
  return { ...base, valueCoef: x.valueCoef as number, entropyCoef: ent as number };
}

/** The value loss's per-transition factor: 1 with ½, else 2. */
export const halfFactor = (d: Pick<ValueLossDeclaration, 'half'>): number => (d.half ? 1 : 2);

/**
 * ψ(R) = ∂ℓ/∂V(s) of the (clipped, when ε is finite) squared error at value v, rollout value
 * v_old and target R, with ℓ = ½ max((v − R)², (v_clip − R)²) (module comment); `useMin`
 * takes the min instead (a shipped bug, the control). Ties take the unclipped branch.
 */
export function clippedValueTerm(v: number, vOld: number, R: number, eps: number, useMin = false): number {
  if (!Number.isFinite(eps)) return v - R;
  const d = v - vOld, vc = vOld + Math.min(Math.max(d, -eps), eps);
  const u = (v - R) ** 2, c = (vc - R) ** 2;
  if (useMin ? u <= c : u >= c) return v - R;
  return Math.abs(d) < eps ? vc - R : 0;
}

/** The largest number of target outcomes {@link clippedTermTable} enumerates per (s, a, m). */
export const MAX_TARGET_OUTCOMES = 200_000;

/**
 * E[ψ(R_t) | s_t = s, a_t = a, m_t = m] for the clipped value loss, at `m·S·A + s·A + a`
 * for m = 1 … `horizons` (row 0, no cut, when `uncut`; zeros otherwise), by enumerating the target's
 * outcomes: R = Σ_{k<j} γ^k r(s_{t+k}, a_{t+k}) + γ^j V_old(s_{t+j}), j = min(window, m,
 * steps to termination), no bootstrap at a termination. The window is the n of an n-step
 * definition, 1 for GAE and the λ-return at λ = 0 (their target is r + γV_old(s′)); other λ
 * have unbounded windows and are refused (`LOSS_DECLARATION`). Rewards must be deterministic
 * (no reward noise). Exact up to rounding: a finite sum of products.
 */
export function clippedTermTable(mdp: FiniteMDP, pi: ArrayLike<number>, V: ArrayLike<number>, Vold: ArrayLike<number>, definition: AdvantageDefinition, lambda: number, eps: number, horizons: number, uncut = false): Float64Array {
  const window = typeof definition === 'object' ? definition.nStep : lambda === 0 ? 1 : fail('LOSS_DECLARATION', `the clipped value loss's exact mean needs a finite target window: GAE and the λ-return at λ = 0 (got λ = ${lambda}) or an n-step return`, { where: 'lambda', value: lambda });
  if (mdp.rewardNoise !== undefined) fail('LOSS_DECLARATION', 'the clipped value loss\'s exact mean enumerates targets and needs deterministic rewards: this MDP has reward noise', { where: 'rewardNoise' });
  const S = mdp.numStates, A = mdp.numActions, SA = S * A, { rowPtr, col, val } = mdp.transitions, g = mdp.gamma;
  const out = new Float64Array((horizons + 1) * SA);
  for (let m = uncut ? 0 : 1; m <= horizons; m++) {
    const depth = m === 0 ? window : Math.min(window, m);
    if (m > 0 && m > window) { out.set(out.subarray(window * SA, (window + 1) * SA), m * SA); continue; }
    for (let s = 0; s < S; s++) for (let a = 0; a < A; a++) {
      let sum = 0, outcomes = 0;
      const walk = (s0: number, a0: number, d: number, p: number, acc: number, disc: number) => {
        const row = s0 * A + a0, acc2 = acc + disc * mdp.rewards[row]!;
        for (let k = rowPtr[row]!; k < rowPtr[row + 1]!; k++) {
          const s1 = col[k]!, q = p * val[k]!;
          if (q === 0) continue;
          if (mdp.terminal[s1] || d === 1) {
            if (++outcomes > MAX_TARGET_OUTCOMES) fail('LOSS_DECLARATION', `the clipped value loss's target has more than ${MAX_TARGET_OUTCOMES} outcomes at (s=${s}, a=${a}) with a window of ${depth}: declare a shorter n-step window`, { where: 'definition', value: depth });
            const R = mdp.terminal[s1] ? acc2 : acc2 + disc * g * Vold[s1]!;
            sum += q * clippedValueTerm(V[s]!, Vold[s]!, R, eps);
          } else for (let a1 = 0; a1 < A; a1++) { const p1 = pi[s1 * A + a1]!; if (p1 > 0) walk(s1, a1, d - 1, q * p1, acc2, disc * g); }
        }
      };
      walk(s, a, depth, 1, 0, 1);
      out[m * SA + s * A + a] = sum;
    }
  }
  return out;
}

/** The plain-data options of the value-loss residual task (they cross to worker threads). */
export interface ValueLossTaskOptions {
  readonly gamma: number;
  readonly lambda: number;
  /** V, where the loss is evaluated. */
  readonly values: readonly number[];
  /** V_old, the rollout-time critic. */
  readonly valuesOld: readonly number[];
  /** E[ψ | s, a, m] at `m·S·A + s·A + a`, m = 0 (no cut) … horizons. */
  readonly psi: readonly number[];
  readonly horizons: number;
  readonly segmentLength: number;
  readonly maxSteps: number;
  readonly decl: ValueLossDeclaration;
}

const tables = new WeakMap<object, Float64Array>();
/** A number array as a Float64Array, cached per option object within a worker. */
export function f64(x: readonly number[]): Float64Array {
  let t = tables.get(x);
  if (!t) { t = Float64Array.from(x); tables.set(x, t); }
  return t;
}

/** The row of transition i in a `m·S·A + s·A + a` table, range-checked. */
function rowOf(batch: Batch, i: number, o: { segmentLength: number; maxSteps: number; horizons: number }): number {
  const m = stepsToCut(batch, i, o.segmentLength, o.maxSteps), A = batch.numActions;
  if (m < 0 || m > o.horizons) fail('SAMPLING_OPTIONS', `transition ${i} is ${m} steps from its cut, outside the tables' 1…${o.horizons}`, { where: `${i}`, value: m });
  return m * batch.numStates * A + batch.s_t[i]! * A + batch.a_t[i]!;
}

/** The per-transition units of a reduction: the gradient of a sum is divided by N, of a mean not (module comment). */
const perTransition = (d: ValueLossDeclaration, N: number) => (d.reduction === 'mean' ? 1 : 1 / N);

/** ρ(s) of the module comment: the value-loss gradient `g` (length S) against its exact conditional mean, per transition. */
export function valueLossResiduals(batch: Batch, o: ValueLossTaskOptions, g: Float64Array): Float64Array {
  const S = batch.numStates, N = batch.size, psi = f64(o.psi);
  const u = perTransition(o.decl, N) / halfFactor(o.decl);
  const out = new Float64Array(S);
  for (let s = 0; s < S; s++) out[s] = g[s]! * u;
  for (let i = 0; i < N; i++) out[batch.s_t[i]!] = out[batch.s_t[i]!]! - psi[rowOf(batch, i, o)]! / N;
  return out;
}

/** The plain-data options of the actor-critic residual task. */
export interface ActorCriticTaskOptions {
  readonly gamma: number;
  readonly lambda: number;
  /** The critic V (the advantages, the targets and the loss all use it). */
  readonly values: readonly number[];
  /** E[Â | s, a, m] and E[target | s, a, m] under V, at `m·S·A + s·A + a` (./claims/critics.ts criticOptions). */
  readonly advantages: readonly number[];
  readonly targets: readonly number[];
  readonly horizons: number;
  readonly segmentLength: number;
  readonly maxSteps: number;
  readonly decl: ActorCriticDeclaration;
}

/**
 * The actor-critic residual (length S·A + S, per transition): ∇_θ L minus −(1/N)Σ_t
 * (E[Â | s_t,a_t,m_t] ∇log π(a_t|s_t) + c_H ∇H(s_t)), then ∇_V L minus c_v·c·(1/N)Σ_t
 * (V(s_t) − E[target | s_t,a_t,m_t]) e_{s_t}, with the gradients first brought to
 * per-transition units (module comment).
 */
export function actorCriticResiduals(batch: Batch, o: ActorCriticTaskOptions, policy: Policy, gTheta: Float64Array, gV: Float64Array): Float64Array {
  const S = batch.numStates, A = batch.numActions, SA = S * A, N = batch.size, d = o.decl;
  const adv = f64(o.advantages), tgt = f64(o.targets), V = f64(o.values), u = perTransition(d, N);
  const out = new Float64Array(SA + S), theta = out.subarray(0, SA), counts = new Float64Array(S);
  for (let k = 0; k < SA; k++) out[k] = gTheta[k]! * u;
  for (let s = 0; s < S; s++) out[SA + s] = gV[s]! * u;
  const cv = d.valueCoef * halfFactor(d);
  for (let i = 0; i < N; i++) {
    const row = rowOf(batch, i, o), s = batch.s_t[i]!;
    policy.param.addScore(policy.theta, s, batch.a_t[i]!, adv[row]! / N, theta);
    out[SA + s] = out[SA + s]! - (cv * (V[s]! - tgt[row]!)) / N;
    counts[s] = counts[s]! + 1 / N;
  }
  if (d.entropyCoef) { const h = entropyGradient(policy, counts); for (let k = 0; k < SA; k++) theta[k] = theta[k]! + d.entropyCoef * h[k]!; }
  return out;
}

/**
 * out += Σ_t w_t ∂Â_t/∂V for the advantages of `definition` (κ and window from
 * src/exact/advantage-expectation.ts): Â_t = Σ_{k<min(w, L)} κ^k δ_{t+k}, ∂δ_j/∂V =
 * γ(1 − terminated_j) e_{s_tp1,j} − e_{s_j}, within the episode piece (it stops at a
 * termination or truncation). The Jacobian a missing stop-gradient differentiates through.
 */
export function addAdvantageJacobianT(batch: Batch, w: Float64Array, definition: AdvantageDefinition, gamma: number, lambda: number, out: Float64Array): Float64Array {
  const { kappa, window } = definitionWeights(definition, gamma, lambda);
  for (let t = 0; t < batch.size; t++) {
    const wt = w[t]!;
    if (wt === 0) continue;
    let c = wt;
    for (let j = t; j < batch.size && j - t < window; j++) {
      out[batch.s_t[j]!] = out[batch.s_t[j]!]! - c;
      if (!batch.terminated_t[j]) out[batch.s_tp1[j]!] = out[batch.s_tp1[j]!]! + c * gamma;
      if (batch.terminated_t[j] || batch.truncated_t[j]) break;
      c *= kappa;
    }
  }
  return out;
}

/** Checks a user's `{ loss, … }` result's loss (`ESTIMATOR_INVALID` otherwise). */
export function checkedLoss(name: string, r: unknown): void {
  const loss = (r as { loss?: unknown } | undefined)?.loss;
  if (typeof loss !== 'number' || !Number.isFinite(loss)) fail('ESTIMATOR_INVALID', `${name}.estimate(…).loss is ${show(loss)}: expected a finite number`, { where: `${name}.loss`, value: loss });
}
