/**
 * The exact gradient of PPO's clipped surrogate for a one-dimensional Gaussian (or
 * tanh-squashed Gaussian) policy on a one-step bandit, at θ = (μ, log σ) ≠ θ_old — the
 * continuous counterpart of `clippedObjectiveGradient` (./objectives.ts):
 *
 * $$L(\theta) = \mathbb E_{u\sim\pi_{\mathrm{old}}}\big[\min\big(\rho(u)A(u),\ \operatorname{clip}(\rho(u),1-\epsilon,1+\epsilon)A(u)\big)\big],\qquad
 *   \rho(u) = \frac{\mathcal N(u;\mu,\sigma)}{\mathcal N(u;\mu_{\mathrm{old}},\sigma_{\mathrm{old}})},$$
 *
 * $$\nabla_\theta L = \mathbb E_{u\sim\pi_\theta}\big[A(u)\,\mathbb 1[\text{active}(u)]\,\nabla_\theta\log\mathcal N(u;\mu,\sigma)\big],$$
 *
 * active(u) ⟺ ρ(u) < 1 + ε where A(u) ≥ 0, ρ(u) > 1 − ε where A(u) < 0 (the unclipped branch is
 * the minimum; the clipped one is constant in θ) — Lehmann 2024, eq. 18; Schulman et al. 2017,
 * eq. 7. The change of measure E_old[ρ g] = E_θ[g] puts the integral under π_θ, and the score
 * of N(u; μ, σ) in (μ, log σ) is ((u − μ)/σ², z² − 1) (derivation 12). For the tanh-squashed
 * Gaussian a = tanh(u) the Jacobian 1 − tanh² u is the same in π_θ and π_old and cancels from ρ,
 * so the same formula holds in u with A(u) = r(tanh u) − J_old.
 *
 * **Quadrature.** The integrand jumps where ρ(u) = 1 ± ε and has a kink where A changes sign:
 * both are cut as panel breaks of `normalExpectation` (composite Gauss–Legendre, ../linalg/
 * quadrature.ts), which is then exact to ~1e−15 between them. log ρ(u) is quadratic in u,
 *
 * $$\log\rho(u) = a_2u^2 + a_1u + a_0,\quad a_2 = \tfrac12\big(\sigma_{\mathrm{old}}^{-2} - \sigma^{-2}\big),\quad
 *   a_1 = \frac{\mu}{\sigma^2} - \frac{\mu_{\mathrm{old}}}{\sigma_{\mathrm{old}}^2},\quad
 *   a_0 = \frac{\mu_{\mathrm{old}}^2}{2\sigma_{\mathrm{old}}^2} - \frac{\mu^2}{2\sigma^2} + \log\frac{\sigma_{\mathrm{old}}}{\sigma},$$
 *
 * so the clip boundaries are the real roots of a₂u² + a₁u + a₀ − log(1 ± ε) (closed form); the
 * sign changes of A are found by a scan of z ∈ [−13, 13] in steps of 1/32 and bisection to the
 * last bit (a double root of A is no kink: A·1[·] is then smooth there). Pass `breaks` for the
 * kinks of A itself (an environment's clip bounds).
 *
 * @module
 */
import { fail, show } from '../errors.js';
import { expectationWithGradient } from './gaussian-bandit.js';

/** A one-dimensional Gaussian policy (μ, log σ). */
export interface GaussianPoint { readonly mu: number; readonly logStd: number }

/** The real roots of a₂u² + a₁u + c = 0 (no cancellation: the q = −½(a₁ + sign(a₁)√D) form). */
function quadraticRoots(a2: number, a1: number, c: number): number[] {
  const scale = Math.max(Math.abs(a2), Math.abs(a1), Math.abs(c));
  if (scale === 0) return [];
  if (Math.abs(a2) <= 1e-14 * scale) return a1 === 0 ? [] : [-c / a1];
  const D = a1 * a1 - 4 * a2 * c;
  if (D < 0) return [];
  const q = -0.5 * (a1 + (a1 >= 0 ? 1 : -1) * Math.sqrt(D));
  return q === 0 ? [0] : [q / a2, c / q];
}

/** The u where ρ(u) = 1 ± ε (module comment; none for ε = ∞, and none for 1 − ε ≤ 0). */
export function clipBoundaries(old: GaussianPoint, at: GaussianPoint, epsilon: number): number[] {
  const vo = Math.exp(-2 * old.logStd), v = Math.exp(-2 * at.logStd);
  const a2 = 0.5 * (vo - v), a1 = at.mu * v - old.mu * vo, a0 = 0.5 * (old.mu * old.mu * vo - at.mu * at.mu * v) + old.logStd - at.logStd;
  const out: number[] = [];
  if (Number.isFinite(epsilon)) out.push(...quadraticRoots(a2, a1, a0 - Math.log1p(epsilon)));
  if (epsilon < 1) out.push(...quadraticRoots(a2, a1, a0 - Math.log1p(-epsilon)));
  return out;
}

/** The u ∈ μ ± 13σ where f changes sign, by a scan in steps of σ/32 and bisection (module comment). */
export function signChanges(f: (u: number) => number, mu: number, sigma: number): number[] {
  const out: number[] = [], n = 26 * 32;
  let lo = mu - 13 * sigma, flo = f(lo);
  for (let i = 1; i <= n; i++) {
    const hi = mu + (i / 32 - 13) * sigma, fhi = f(hi);
    if ((flo < 0 && fhi > 0) || (flo > 0 && fhi < 0)) {
      let a = lo, b = hi, fa = flo;
      for (let it = 0; it < 200; it++) {
        const m = 0.5 * (a + b);
        if (m <= a || m >= b) break;
        const fm = f(m);
        if (fm === 0) { a = b = m; break; }
        if ((fm < 0) === (fa < 0)) { a = m; fa = fm; } else b = m;
      }
      out.push(0.5 * (a + b));
    }
    lo = hi; flo = fhi;
  }
  return out;
}

/**
 * ∇_{(μ, log σ)} of PPO's clipped objective at `at`, on draws of `old` with advantage A(u),
 * by quadrature (module comment). ε = ∞ gives the unclipped (TRPO) surrogate's gradient
 * E_θ[A ∇log π_θ]; at `at` = `old` both are ∇J when A = r − J_old.
 */
export function gaussianClippedSurrogateGradient(advantage: (u: number) => number, old: GaussianPoint, at: GaussianPoint, epsilon: number, breaks: readonly number[] = []): { gradMu: number; gradLogStd: number } {
  if (!(epsilon > 0)) fail('ESTIMATOR_ARGUMENT', `the clip range ε is ${show(epsilon)}: it must be positive (∞ for the unclipped surrogate)`, { where: 'epsilon', value: epsilon });
  const vo = Math.exp(-2 * old.logStd), v = Math.exp(-2 * at.logStd);
  const a2 = 0.5 * (vo - v), a1 = at.mu * v - old.mu * vo, a0 = 0.5 * (old.mu * old.mu * vo - at.mu * at.mu * v) + old.logStd - at.logStd;
  const hi = Math.log1p(epsilon), lo = epsilon < 1 ? Math.log1p(-epsilon) : -Infinity;
  const f = (u: number) => {
    const x = advantage(u), logRho = (a2 * u + a1) * u + a0;
    return (x >= 0 ? logRho < hi : logRho > lo) ? x : 0;
  };
  const sigma = Math.exp(at.logStd);
  const cuts = [...breaks, ...clipBoundaries(old, at, epsilon), ...signChanges(advantage, at.mu, sigma)];
  const e = expectationWithGradient(f, at.mu, at.logStd, cuts);
  return { gradMu: e.gradMu, gradLogStd: e.gradLogStd };
}
