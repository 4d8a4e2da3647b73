/**
 * PPO's drift and its decomposition (Lehmann 2024, §5.2.2; Kuba et al. 2022;
 * Schulman et al. 2017 for the clipped objective).
 *
 * With r = π̄(a|s)/π(a|s), PPO's clipped objective is
 * E_{a∼π}[min(r A_π, clip(r, 1−ε, 1+ε) A_π)], and since min(x, y) = x − max(0, x − y),
 *
 * E_{a∼π}[min(rA, clip(r,1−ε,1+ε)A)] = E_{a∼π̄}[A] − D_π(π̄|s),
 * D_π(π̄|s) = E_{a∼π}[max(0, (r − clip(r, 1−ε, 1+ε)) A_π(s,a))],
 *
 * so PPO is mirror learning with this drift and the trivial neighbourhood. Per action,
 * π(a|s)·max(0, (r − clip r)A) = max(0, (π̄ − clip(π̄, (1−ε)π, (1+ε)π)) A): for A > 0 it is
 * A·max(0, π̄ − (1+ε)π), for A < 0 it is |A|·max(0, (1−ε)π − π̄) — convex and piecewise
 * linear in π̄, and exactly zero for π̄ within the clip range, so all three conditions of
 * Definition 5.1 hold for ε > 0. Where π(a|s) = 0 the ratio is undefined; pgtruth uses the
 * limit π → 0⁺ of the multiplied-out form, max(0, π̄(a|s) A(s,a)).
 *
 * Caveat (found by pgtruth's property tests): on the boundary of the simplex the third
 * condition fails — at π(a|s) = 0 the drift's derivative towards a is A(s,a)⁺ ≠ 0 — so the
 * conditions hold for policies with full support only. And the exact PPO update can reach
 * the boundary in one step: when (1+ε)π(a′|s) ≥ 1 for a positive-advantage action a′ the
 * clip never binds for it, and with ν = d lowering a negative-advantage action below
 * (1−ε)π(a|s) costs nothing (the objective's slope there is A(1 − ν/d) = 0), so all its mass
 * can move at once. An action at probability 0 never returns under PPO's ratio, and exact
 * PPO can then stop at a suboptimal policy (`property-tests/mirror/theorem.test.ts` keeps a
 * two-state example). Monotonic improvement (Theorem 5.4's inequality) still holds; on the
 * built-in MDPs, from the uniform policy, PPO also converges.
 *
 * @module
 */
import { linearShape, positiveParameter, type ActionContext, type Drift, type TermShape } from './drift-functional.js';

/** clip(x, lo, hi). */
export function clip(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** The per-sample PPO drift max(0, (r − clip(r, 1−ε, 1+ε)) Â) for a ratio r and an advantage Â. */
export function ppoSampleDrift(ratio: number, adv: number, epsilon: number): number {
  return Math.max(0, (ratio - clip(ratio, 1 - epsilon, 1 + epsilon)) * adv);
}

/** π(a|s)·max(0, (r − clip r)A) with r = x/p; its limit max(0, xA) when p = 0. */
export function ppoTerm(x: number, p: number, adv: number, epsilon: number): number {
  if (p === 0) return Math.max(0, x * adv);
  return p * ppoSampleDrift(x / p, adv, epsilon);
}

/** The solver shape of {@link ppoTerm}: one kink at (1+ε)p (A > 0) or (1−ε)p (A < 0). */
export function ppoShape(ctx: ActionContext, epsilon: number): TermShape {
  const { p, adv } = ctx;
  if (adv > 0) {
    const u = (1 + epsilon) * p;
    return u <= 0 ? linearShape([], [adv]) : u >= 1 ? linearShape([], [0]) : linearShape([u], [0, adv]);
  }
  if (adv < 0) {
    const l = (1 - epsilon) * p;
    return l <= 0 ? linearShape([], [0]) : l >= 1 ? linearShape([], [adv]) : linearShape([l], [adv, 0]);
  }
  return linearShape([], [0]);
}

/**
 * PPO's drift $\mathcal D_\pi(\bar\pi|s) = \mathbb{E}_{a\sim\pi}\big[\max\big(0, (r - \operatorname{clip}(r, 1-\epsilon, 1+\epsilon))\,A_\pi(s,a)\big)\big]$. Throws
 * `MIRROR_DRIFT` unless ε > 0 (at ε = 0 the derivative at π̄ = π is not zero).
 */
export function ppoDrift(epsilon: number): Drift {
  positiveParameter(epsilon, 'ε', 'ppo drift');
  return {
    name: `ppo:${epsilon}`,
    term: (x, ctx) => ppoTerm(x, ctx.p, ctx.adv, epsilon),
    shape: (ctx) => ppoShape(ctx, epsilon),
  };
}

/** π(a|s)·min(rA, clip(r, 1−ε, 1+ε)A) with r = x/p; its limit min(xA, 0) when p = 0. */
export function clippedTerm(x: number, p: number, adv: number, epsilon: number): number {
  if (p === 0) return Math.min(x * adv, 0);
  const r = x / p;
  return p * Math.min(r * adv, clip(r, 1 - epsilon, 1 + epsilon) * adv);
}

/** PPO's clipped objective per state: $\mathbb{E}_{a\sim\pi}\big[\min\big(rA, \operatorname{clip}(r, 1-\epsilon, 1+\epsilon)A\big)\big]$. */
export function clippedObjectivePerState(piOld: ArrayLike<number>, piNew: ArrayLike<number>, adv: ArrayLike<number>, S: number, A: number, epsilon: number): Float64Array {
  const out = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    let tot = 0;
    for (let a = 0; a < A; a++) tot += clippedTerm(piNew[s * A + a]!, piOld[s * A + a]!, adv[s * A + a]!, epsilon);
    out[s] = tot;
  }
  return out;
}

/**
 * The two sides of PPO's decomposition in every state: `lhs` = $\mathbb{E}_{a\sim\pi}[\min(rA, \operatorname{clip}(r)A)]$,
 * `rhs` = $\mathbb{E}_{a\sim\bar\pi}[A] - \mathcal D_\pi(\bar\pi|s)$; `drift` = $\mathcal D_\pi(\bar\pi|s)$. `positivePart: false` is the
 * wrong variant that drops the max(0, ·) from the drift (a negative control).
 */
export function ppoDecomposition(piOld: ArrayLike<number>, piNew: ArrayLike<number>, adv: ArrayLike<number>, S: number, A: number, epsilon: number, positivePart = true): { lhs: Float64Array; rhs: Float64Array; drift: Float64Array } {
  const lhs = clippedObjectivePerState(piOld, piNew, adv, S, A, epsilon);
  const rhs = new Float64Array(S), drift = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    let ea = 0, d = 0;
    for (let a = 0; a < A; a++) {
      const i = s * A + a, x = piNew[i]!, p = piOld[i]!, A_sa = adv[i]!;
      ea += x * A_sa;
      d += positivePart ? ppoTerm(x, p, A_sa, epsilon) : p === 0 ? x * A_sa : p * (x / p - clip(x / p, 1 - epsilon, 1 + epsilon)) * A_sa;
    }
    drift[s] = d;
    rhs[s] = ea - d;
  }
  return { lhs, rhs, drift };
}
