// The targets of declared surrogates (`entropyCoef`, `klCoef`, `normalizeAdvantages`),
// checked against finite differences of the objectives written out here, and the declared
// fields' validation.
import { describe, expect, it } from 'vitest';
import { decisionVisitation } from '../../src/exact/objectives.js';
import { sampleEpisodes } from '../../src/sampling/episodes.js';
import { Rng } from '../../src/stats/rng.js';
import { episodicInstances } from '../../src/verify/claims/estimators.js';
import { normalizedAdvantageLimit, surrogateDeclaration, surrogateTarget } from '../../src/verify/check.js';
import type { LoadedEstimator } from '../../src/verify/plugin.js';
import { expectError } from '../helpers.js';

/** Central finite differences of f at θ. */
function fd(f: (t: Float64Array) => number, theta: Float64Array, h = 1e-5): Float64Array {
  return theta.map((_, k) => { const p = Float64Array.from(theta), m = Float64Array.from(theta); p[k] += h; m[k] -= h; return (f(p) - f(m)) / (2 * h); });
}

describe('declared surrogate targets', () => {
  const x = episodicInstances()[2]!; // the discounted Garnet, softmax
  const S = x.mdp.numStates, A = x.mdp.numActions;
  const eta = decisionVisitation(x.mdp, x.ev.eta);
  const piOld = x.policy.param.probs(x.policy.theta);
  const rng = Rng.from('surrogate-target');
  const theta = x.policy.theta.map((t) => t + 0.3 * rng.normal());
  it('entropyCoef c adds c ∇Σ_s η(s) H(π_θ(·|s)) (finite differences of the entropy written out)', () => {
    const H = (t: Float64Array) => { const p = x.policy.param.probs(t); let h = 0; for (let s = 0; s < S; s++) for (let a = 0; a < A; a++) { const q = p[s * A + a]!; if (q > 0) h -= eta[s]! * q * Math.log(q); } return h; };
    const diff = surrogateTarget(x, theta, { clip: 0.2, entropyCoef: 0.3 }).map((v, k) => (v - surrogateTarget(x, theta, { clip: 0.2 })[k]!) / 0.3);
    const g = fd(H, theta);
    for (let k = 0; k < g.length; k++) expect(diff[k]).toBeCloseTo(g[k]!, 6);
  });
  it('klCoef β subtracts β ∇Σ_s η(s) KL(π_old‖π_θ)(s) (finite differences of the KL written out)', () => {
    const KL = (t: Float64Array) => { const p = x.policy.param.probs(t); let d = 0; for (let k = 0; k < S * A; k++) if (piOld[k]! > 0) d += eta[Math.floor(k / A)]! * piOld[k]! * Math.log(piOld[k]! / p[k]!); return d; };
    const diff = surrogateTarget(x, theta, { klCoef: 0.5 }).map((v, k) => (surrogateTarget(x, theta, {})[k]! - v) / 0.5);
    const g = fd(KL, theta);
    for (let k = 0; k < g.length; k++) expect(diff[k]).toBeCloseTo(g[k]!, 6);
  });
  it('normalized advantages: at θ_old the target is ∇J/σ_A (the mean shift has zero-mean score; nothing is clipped at ρ = 1)', () => {
    const { sigma, mu } = normalizedAdvantageLimit(x);
    expect(sigma).toBeGreaterThan(0);
    expect(Math.abs(mu)).toBeGreaterThan(0); // the shift is not trivially zero here
    const t = surrogateTarget(x, x.policy.theta, { clip: 0.2, normalizeAdvantages: true });
    for (let k = 0; k < t.length; k++) expect(t[k]).toBeCloseTo(x.grad[k]! / sigma, 9);
    // μ and σ are the mean and standard deviation of A(s_t, a_t) over the transitions of many
    // episodes: compare with a sample of 20 000 episodes (standard errors ≈ 0.5%)
    const b = sampleEpisodes({ mdp: x.mdp, policy: x.policy }, { episodes: 20_000, seed: 3 });
    let m = 0, q = 0;
    for (let i = 0; i < b.size; i++) { const a = x.ev.A[b.s_t[i]! * A + b.a_t[i]!]!; m += a / b.size; q += (a * a) / b.size; }
    expect(Math.abs(m - mu)).toBeLessThan(0.03 * sigma);
    expect(Math.sqrt(q - m * m) / sigma).toBeGreaterThan(0.97);
    expect(Math.sqrt(q - m * m) / sigma).toBeLessThan(1.03);
  });
  it('invalid declarations are PLUGIN_INVALID naming the field', () => {
    const e = (fields: Record<string, unknown>): LoadedEstimator => ({ estimator: { kind: 'surrogate', estimate: () => ({ loss: 0, gradient: [] }), ...fields } as never, name: 'm', module: 'file:///m.ts', key: 'default' });
    expectError(() => surrogateDeclaration(e({ entropyCoef: -1 })), 'PLUGIN_INVALID', 'default.entropyCoef', '-1');
    expectError(() => surrogateDeclaration(e({ klCoef: 'big' })), 'PLUGIN_INVALID', 'default.klCoef');
    expectError(() => surrogateDeclaration(e({ normalizeAdvantages: 1 })), 'PLUGIN_INVALID', 'default.normalizeAdvantages');
    expect(surrogateDeclaration(e({ clip: 0.2, entropyCoef: 0.01, normalizeAdvantages: true }))).toEqual({ clip: 0.2, entropyCoef: 0.01, normalizeAdvantages: true });
  });
});
