/**
 * The checks of derivation 8, V-MPO (Song et al. 2020; Lehmann 2024, §4.5 and Appendix C):
 * the E-step — top-half selection and the softmax weights ψ as the maximizer of the
 * KL-regularized objective —, the temperature loss (its dual form, its derivative, its
 * minimizer), and the M-step — weighted maximum likelihood, the trust-region loss with its
 * stop-gradients, and the KL-constrained M-step's saddle point — with the library's V-MPO
 * functions on hand-built batches of tabular softmax policies, in doubles (exp and log are
 * not rational), except the top-half selection, which is exact.
 *
 * @module
 */
import { vmpoPolicyLoss, vmpoTemperatureLoss, vmpoTopHalf, vmpoTrustRegionLoss, vmpoWeights } from '../../src/estimators/vmpo.js';
import { derivative } from '../../src/linalg/differentiate.js';
import { softmaxPolicy } from '../../src/policy/softmax.js';
import type { Policy } from '../../src/policy/types.js';
import { allocateBatch, validateBatch, type Batch } from '../../src/sampling/batch.js';
import { Rng } from '../../src/stats/rng.js';
import { defineStep, type Instance } from '../framework/step.js';
import { F } from './common.js';
import { memo } from './memo.js';

/** A batch of one-step episodes from π_old, advantages, and V-MPO's hyperparameters. */
interface VmpoCase {
  readonly S: number;
  readonly A: number;
  readonly batch: Batch;
  readonly adv: Float64Array;
  /** The indices D̃ of the library's top-half selection. */
  readonly selected: Int32Array;
  readonly old: Policy;
  /** π_θ, another softmax policy. */
  readonly policy: Policy;
  readonly eta: number;
  readonly epsEta: number;
  readonly nu: number;
  readonly epsNu: number;
}

function vmpoCase(rng: Rng, i: number): VmpoCase {
  const S = 2 + rng.int(3), A = 2 + rng.int(3), n = 9 + rng.int(8);
  const param = softmaxPolicy(S, A);
  const old: Policy = { param, theta: Float64Array.from({ length: S * A }, () => rng.normal()) };
  const policy: Policy = { param, theta: Float64Array.from(old.theta, (v) => v + 0.5 * rng.normal()) };
  const batch = allocateBatch(n, S, A, 1), piOld = param.probs(old.theta);
  for (let k = 0; k < n; k++) {
    const s = rng.int(S);
    let u = rng.uniform(), a = 0;
    while (a < A - 1 && u >= piOld[s * A + a]!) { u -= piOld[s * A + a]!; a++; }
    batch.s_t[k] = s; batch.a_t[k] = a; batch.s_tp1[k] = rng.int(S); batch.truncated_t[k] = 1; batch.episode_t[k] = k;
    batch.logp_t[k] = Math.log(piOld[s * A + a]!);
  }
  validateBatch(batch);
  // advantages on a grid of quarters (ties happen) for even i, continuous for odd i
  const adv = Float64Array.from({ length: n }, () => (i % 2 ? 2 * rng.normal() : (rng.int(13) - 6) / 4));
  return { S, A, batch, adv, selected: vmpoTopHalf(adv), old, policy, eta: [0.5, 1, 2, 0.25][i % 4]!, epsEta: 0.1, nu: [0.5, 2, 5][i % 3]!, epsNu: 0.05 };
}

function vmpoCases(seed: number, count = 8): Instance<VmpoCase>[] {
  const rng = Rng.from(seed).split(8080);
  return Array.from({ length: count }, (_, i) => {
    const c = vmpoCase(rng, i);
    return { label: `batch#${i} S=${c.S} A=${c.A} n=${c.batch.size} η=${c.eta}${i % 2 ? '' : ' (tied advantages)'}`, data: c };
  });
}
const oddBatches = (seed: number) => vmpoCases(seed, 16).filter((x) => x.data.batch.size % 2 === 1);

// ─── the E-step ───────────────────────────────────────────────────────────────────────

/** i ∈ D̃ ⇔ fewer than k transitions rank before i (larger Â, or equal Â and earlier). */
function rankSelection(c: VmpoCase, k = Math.ceil(c.adv.length / 2)): number[] {
  return Array.from(c.adv, (ai, i) => {
    let before = 0;
    c.adv.forEach((aj, j) => { if (aj > ai || (aj === ai && j < i)) before++; });
    return before < k ? 1 : 0;
  });
}
const indicator = (c: VmpoCase) => { const x = new Array<number>(c.adv.length).fill(0); for (const i of c.selected) x[i] = 1; return x; };

/** Σ_i q_i Â_i − η KL(q ‖ U(D̃)) for weights q on the selection (0 log 0 = 0). */
function eObjective(c: VmpoCase, q: ArrayLike<number>, eta = c.eta): number {
  const m = c.selected.length;
  let v = 0;
  for (const i of c.selected) if (q[i]! > 0) v += q[i]! * c.adv[i]! - eta * q[i]! * Math.log(q[i]! * m);
  return v;
}

/** η log((1/|D̃|) Σ_{j∈D̃} exp(Â_j/η)), written out (shifted by the maximum). */
function logMeanExp(c: VmpoCase, eta = c.eta, mean = true): number {
  let max = -Infinity, sum = 0;
  for (const j of c.selected) max = Math.max(max, c.adv[j]!);
  for (const j of c.selected) sum += Math.exp((c.adv[j]! - max) / eta);
  return max + eta * Math.log(mean ? sum / c.selected.length : sum);
}

/** The softmax weights exp(Â_i/η)/Σ exp(Â_j/η) on the selection, written out. */
function ownWeights(c: VmpoCase, eta = c.eta): Float64Array {
  const lme = logMeanExp(c, eta, false), q = new Float64Array(c.adv.length);
  for (const i of c.selected) q[i] = Math.exp((c.adv[i]! - lme) / eta);
  return q;
}

/** KL(q ‖ U(D̃)) for weights on the selection. */
function klToUniform(c: VmpoCase, q: ArrayLike<number>): number {
  let kl = 0;
  for (const i of c.selected) if (q[i]! > 0) kl += q[i]! * Math.log(q[i]! * c.selected.length);
  return kl;
}

/** The largest E-step objective over 32 seeded random weightings of the selection (and `extra`). */
function bestRandomWeights(c: VmpoCase, extra: Float64Array[] = []): number {
  const rng = Rng.from(c.batch.size * 17 + c.S).split(c.A);
  let best = Math.max(-Infinity, ...extra.map((q) => eObjective(c, q)));
  for (let k = 0; k < 32; k++) {
    const q = new Float64Array(c.adv.length);
    let tot = 0;
    for (const i of c.selected) { q[i] = -Math.log(rng.uniform() + 1e-300) * (k % 4 === 0 ? 1 : Math.exp(c.adv[i]! / c.eta)); tot += q[i]!; }
    for (const i of c.selected) q[i] = q[i]! / tot;
    best = Math.max(best, eObjective(c, q));
  }
  return best;
}

const uniformOn = (c: VmpoCase) => { const q = new Float64Array(c.adv.length); for (const i of c.selected) q[i] = 1 / c.selected.length; return q; };

/** η* with KL(ψ_η ‖ U(D̃)) = ε_η, by bisection on log η (the KL falls as η grows). */
const etaStar = memo((c: VmpoCase): number => {
  const f = (eta: number) => klToUniform(c, ownWeights(c, eta)) - c.epsEta;
  let lo = Math.log(1e-3), hi = Math.log(1e3);
  if (!(f(Math.exp(lo)) > 0 && f(Math.exp(hi)) < 0)) throw new Error(`no temperature with KL(ψ‖U) = ${c.epsEta} in [1e-3, 1e3]`);
  for (let k = 0; k < 200; k++) { const mid = (lo + hi) / 2; if (f(Math.exp(mid)) > 0) lo = mid; else hi = mid; }
  return Math.exp((lo + hi) / 2);
});

const maxAbsAdv = (c: VmpoCase) => Math.max(1e-12, ...Array.from(c.adv, Math.abs));

// ─── the M-step ───────────────────────────────────────────────────────────────────────

const libraryPsi = memo((c: VmpoCase) => vmpoWeights(c.adv, c.selected, c.eta));

/** ψ(s, a) = Σ_{i: (s_i, a_i) = (s, a)} ψ_i, and ψ(s) = Σ_a ψ(s, a). */
function psiTable(c: VmpoCase): { pair: Float64Array; state: Float64Array } {
  const psi = libraryPsi(c), pair = new Float64Array(c.S * c.A), state = new Float64Array(c.S);
  for (let i = 0; i < c.batch.size; i++) { const s = c.batch.s_t[i]!; pair[s * c.A + c.batch.a_t[i]!] += psi[i]!; state[s] += psi[i]!; }
  return { pair, state };
}

/** Σ_s ψ(s) [H(ψ(·|s)) + KL(ψ(·|s) ‖ π_θ(·|s))] (or the reversed KL(π_θ ‖ ψ(·|s)) for the control). */
function entropyPlusKl(c: VmpoCase, reversed = false): number {
  const { pair, state } = psiTable(c), pi = c.policy.param.probs(c.policy.theta);
  let tot = 0;
  for (let s = 0; s < c.S; s++) {
    if (!(state[s]! > 0)) continue;
    for (let a = 0; a < c.A; a++) {
      const w = pair[s * c.A + a]! / state[s]!, p = pi[s * c.A + a]!;
      if (reversed) tot += state[s]! * ((w > 0 ? -w * Math.log(w) : 0) + p * Math.log(p / w));
      else if (w > 0) tot += state[s]! * (-w * Math.log(w) + w * Math.log(w / p));
    }
  }
  return tot;
}

/** −Σ_i ψ_i ∇log π_θ(a_i|s_i) for the tabular softmax, written out (without the −π term when `logitsOnly`). */
function policyLossGradient(c: VmpoCase, theta: Float64Array, logitsOnly = false): Float64Array {
  const psi = libraryPsi(c), pi = c.policy.param.probs(theta), g = new Float64Array(c.S * c.A);
  for (let i = 0; i < c.batch.size; i++) {
    const s = c.batch.s_t[i]!, a = c.batch.a_t[i]!;
    for (let b = 0; b < c.A; b++) g[s * c.A + b] -= psi[i]! * ((b === a ? 1 : 0) - (logitsOnly ? 0 : pi[s * c.A + b]!));
  }
  return g;
}

/** D̄(θ) = (1/n) Σ_i KL(π_old(·|s_i) ‖ π_θ(·|s_i)) and its gradient (1/n) Σ_i (π_θ(·|s_i) − π_old(·|s_i)), written out. */
function meanKlAndGradient(c: VmpoCase, theta: Float64Array): { kl: number; grad: Float64Array } {
  const pOld = c.old.param.probs(c.old.theta), p = c.policy.param.probs(theta), n = c.batch.size, grad = new Float64Array(c.S * c.A);
  let kl = 0;
  for (let i = 0; i < n; i++) {
    const s = c.batch.s_t[i]!;
    for (let a = 0; a < c.A; a++) {
      kl += (pOld[s * c.A + a]! * Math.log(pOld[s * c.A + a]! / p[s * c.A + a]!)) / n;
      grad[s * c.A + a] += (p[s * c.A + a]! - pOld[s * c.A + a]!) / n;
    }
  }
  return { kl, grad };
}

/** The batch's state shares c_s = n_s / n. */
function stateShares(c: VmpoCase): Float64Array {
  const out = new Float64Array(c.S);
  for (let i = 0; i < c.batch.size; i++) out[c.batch.s_t[i]!] += 1 / c.batch.size;
  return out;
}

/** Logits of π(a|s) = (ψ(s,a) + ν w_s π_old(a|s)) / (ψ(s) + ν w_s), w_s = c_s (or 1 for the control); θ_old where the batch has no state s. */
function mixtureTheta(c: VmpoCase, nu: number, shareForgotten = false): Float64Array {
  const { pair, state } = psiTable(c), shares = stateShares(c), pOld = c.old.param.probs(c.old.theta);
  const theta = Float64Array.from(c.old.theta);
  for (let s = 0; s < c.S; s++) {
    if (!(shares[s]! > 0)) continue;
    const w = nu * (shareForgotten ? 1 : shares[s]!);
    for (let a = 0; a < c.A; a++) theta[s * c.A + a] = Math.log((pair[s * c.A + a]! + w * pOld[s * c.A + a]!) / (state[s]! + w));
  }
  return theta;
}

/** ν* with D̄(θ(ν*)) = ε_ν for the mixture θ(ν), by bisection on log ν (the KL falls as ν grows). */
const nuStar = memo((c: VmpoCase): number => {
  const f = (nu: number) => meanKlAndGradient(c, mixtureTheta(c, nu)).kl - c.epsNu;
  let lo = Math.log(1e-6), hi = Math.log(1e6);
  if (!(f(Math.exp(lo)) > 0 && f(Math.exp(hi)) < 0)) throw new Error(`no multiplier with D̄ = ${c.epsNu} in [1e-6, 1e6]`);
  for (let k = 0; k < 200; k++) { const mid = (lo + hi) / 2; if (f(Math.exp(mid)) > 0) lo = mid; else hi = mid; }
  return Math.exp((lo + hi) / 2);
});

/** [∇_θ (L_π + L_ν), ∂L_ν/∂ν] from the library at (θ, ν). */
function saddleResidual(c: VmpoCase, theta: Float64Array, nu: number): number[] {
  const at: Policy = { param: c.policy.param, theta };
  const lp = vmpoPolicyLoss(c.batch, at, libraryPsi(c)), tr = vmpoTrustRegionLoss(c.batch, at, c.old, nu, c.epsNu);
  return [...lp.gradient.map((g, k) => g + tr.gradient[k]!), tr.nuGradient];
}

export const vmpoChecks = [
  defineStep<VmpoCase>({
    key: 'vmpo.top-half', exact: true, implementedBy: ['vmpoTopHalf'],
    lhsIs: 'the indicator of the library\'s vmpoTopHalf selection (as exact 0/1)', rhsIs: 'i is selected when fewer than ⌈n/2⌉ transitions rank before it (a larger Â, or an equal Â earlier in the batch)',
    instances: vmpoCases,
    lhs: (c) => indicator(c).map((v) => F.fromInt(v)),
    rhs: (c) => rankSelection(c).map((v) => F.fromInt(v)),
    control: { description: '⌊n/2⌋ in place of ⌈n/2⌉, on batches of odd size', instances: oddBatches, rhs: (c) => rankSelection(c, Math.floor(c.adv.length / 2)).map((v) => F.fromInt(v)) },
  }),
  defineStep<VmpoCase>({
    key: 'vmpo.estep-value', exact: false, tolerance: 1e-12, implementedBy: ['vmpoWeights'],
    lhsIs: 'Σ_i ψ_i Â_i − η KL(ψ ‖ U(D̃)) with the library\'s ψ = vmpoWeights', rhsIs: 'η log((1/|D̃|) Σ_{j∈D̃} exp(Â_j/η)), written out',
    instances: vmpoCases,
    lhs: (c) => [eObjective(c, libraryPsi(c))],
    rhs: (c) => [logMeanExp(c)],
    scale: maxAbsAdv,
    control: { description: 'the weights at temperature 2η (a wrong temperature)', lhs: (c) => [eObjective(c, vmpoWeights(c.adv, c.selected, 2 * c.eta))] },
  }),
  defineStep<VmpoCase>({
    key: 'vmpo.estep-optimal', exact: false, tolerance: 1e-12, relation: 'atLeast', implementedBy: ['vmpoWeights'],
    lhsIs: 'Σ_i ψ_i Â_i − η KL(ψ ‖ U(D̃)) with the library\'s ψ', rhsIs: 'the largest value of the same objective over 32 seeded random weightings q of D̃',
    instances: vmpoCases,
    lhs: (c) => [eObjective(c, libraryPsi(c))],
    rhs: (c) => [bestRandomWeights(c)],
    scale: maxAbsAdv,
    control: { description: 'uniform weights on D̃ claimed optimal (compared with the random weightings and ψ)', lhs: (c) => [eObjective(c, uniformOn(c))], rhs: (c) => [bestRandomWeights(c, [libraryPsi(c)])] },
  }),
  defineStep<VmpoCase>({
    key: 'vmpo.temperature-dual', exact: false, tolerance: 1e-12, implementedBy: ['vmpoTemperatureLoss'],
    lhsIs: 'L_η(η) from the library\'s vmpoTemperatureLoss', rhsIs: 'η ε_η + max_q [Σ q Â − η KL(q ‖ U(D̃))], the maximum at the softmax weights written out',
    instances: vmpoCases,
    lhs: (c) => [vmpoTemperatureLoss(c.adv, c.selected, c.eta, c.epsEta).loss],
    rhs: (c) => [c.eta * c.epsEta + eObjective(c, ownWeights(c))],
    scale: maxAbsAdv,
    control: { description: 'the log of the sum in place of the log of the mean (|D̃| dropped)', rhs: (c) => [c.eta * c.epsEta + logMeanExp(c, c.eta, false)] },
  }),
  defineStep<VmpoCase>({
    key: 'vmpo.temperature-gradient', exact: false, tolerance: 1e-10, implementedBy: ['vmpoTemperatureLoss'],
    lhsIs: 'dL_η/dη from the library (twice)', rhsIs: '[ε_η − KL(ψ_η ‖ U(D̃)) written out, Ridders\' derivative of the library\'s L_η]',
    instances: vmpoCases,
    lhs: (c) => { const g = vmpoTemperatureLoss(c.adv, c.selected, c.eta, c.epsEta).gradient; return [g, g]; },
    rhs: (c) => [c.epsEta - klToUniform(c, ownWeights(c)), derivative((e) => vmpoTemperatureLoss(c.adv, c.selected, e, c.epsEta).loss, c.eta, c.eta / 4).value],
    scale: (c) => Math.max(1, maxAbsAdv(c) / c.eta),
    control: { description: 'the term −Σψ_jÂ_j/η forgotten: ε_η + log mean exp(Â/η)', rhs: (c) => { const v = c.epsEta + logMeanExp(c) / c.eta; return [v, v]; } },
  }),
  defineStep<VmpoCase>({
    key: 'vmpo.temperature-minimizer', exact: false, tolerance: 1e-9, implementedBy: ['vmpoTemperatureLoss', 'vmpoWeights'],
    lhsIs: '[dL_η/dη, L_η] from the library at η*, the temperature with KL(ψ_η* ‖ U(D̃)) = ε_η (found by bisection on the KL written out)', rhsIs: '[0, Σ_i ψ*_i Â_i] (the constrained E-step\'s value)',
    instances: vmpoCases,
    lhs: (c) => { const r = vmpoTemperatureLoss(c.adv, c.selected, etaStar(c), c.epsEta); return [r.gradient, r.loss]; },
    rhs: (c) => { const q = ownWeights(c, etaStar(c)); let v = 0; for (const i of c.selected) v += q[i]! * c.adv[i]!; return [0, v]; },
    scale: maxAbsAdv,
    control: {
      description: 'the temperature 2η*',
      lhs: (c) => { const r = vmpoTemperatureLoss(c.adv, c.selected, 2 * etaStar(c), c.epsEta); return [r.gradient, r.loss]; },
      rhs: (c) => { const q = ownWeights(c, 2 * etaStar(c)); let v = 0; for (const i of c.selected) v += q[i]! * c.adv[i]!; return [0, v]; },
    },
  }),
  defineStep<VmpoCase>({
    key: 'vmpo.mstep-loss', exact: false, tolerance: 1e-12, implementedBy: ['vmpoPolicyLoss'],
    lhsIs: 'L_π(θ) = −Σ_i ψ_i log π_θ(a_i|s_i) from the library\'s vmpoPolicyLoss', rhsIs: 'Σ_s ψ(s) [H(ψ(·|s)) + KL(ψ(·|s) ‖ π_θ(·|s))], written out',
    instances: vmpoCases,
    lhs: (c) => [vmpoPolicyLoss(c.batch, c.policy, libraryPsi(c)).loss],
    rhs: (c) => [entropyPlusKl(c)],
    scale: () => 1,
    control: { description: 'the KL the other way round, KL(π_θ(·|s) ‖ ψ(·|s))', rhs: (c) => [entropyPlusKl(c, true)] },
  }),
  defineStep<VmpoCase>({
    key: 'vmpo.mstep-gradient', exact: false, tolerance: 1e-12, implementedBy: ['vmpoPolicyLoss'],
    lhsIs: '∇_θ L_π from the library (ψ held fixed)', rhsIs: '−Σ_i ψ_i (e_{s_i,a_i} − π_θ(·|s_i)), the softmax score written out',
    instances: vmpoCases,
    lhs: (c) => vmpoPolicyLoss(c.batch, c.policy, libraryPsi(c)).gradient,
    rhs: (c) => policyLossGradient(c, c.policy.theta),
    scale: () => 1,
    control: { description: 'the score without its −π_θ(·|s) term (the logits\' indicator only)', rhs: (c) => policyLossGradient(c, c.policy.theta, true) },
  }),
  defineStep<VmpoCase>({
    key: 'vmpo.trust-region-loss', exact: false, tolerance: 1e-12, implementedBy: ['vmpoTrustRegionLoss', 'meanKl', 'meanKlGradient'],
    lhsIs: '[L_ν, ∂L_ν/∂ν, ∇_θ L_ν] from the library\'s vmpoTrustRegionLoss', rhsIs: '[ν ε_ν, ε_ν − D̄(θ), ν ∇_θ D̄(θ)] with D̄ and its gradient written out',
    instances: vmpoCases,
    lhs: (c) => { const r = vmpoTrustRegionLoss(c.batch, c.policy, c.old, c.nu, c.epsNu); return [r.loss, r.nuGradient, ...r.gradient]; },
    rhs: (c) => { const k = meanKlAndGradient(c, c.policy.theta); return [c.nu * c.epsNu, c.epsNu - k.kl, ...k.grad.map((g) => c.nu * g)]; },
    scale: () => 1,
    control: { description: 'no stop-gradients: L_ν = ν(ε_ν − D̄) + ν D̄ = ν ε_ν, so ∂L_ν/∂ν = ε_ν and ∇_θ L_ν = 0', rhs: (c) => [c.nu * c.epsNu, c.epsNu, ...new Array<number>(c.S * c.A).fill(0)] },
  }),
  defineStep<VmpoCase>({
    key: 'vmpo.kl-constrained-mstep', exact: false, tolerance: 1e-9, implementedBy: ['vmpoPolicyLoss', 'vmpoTrustRegionLoss'],
    lhsIs: '[∇_θ(L_π + L_ν), ∂L_ν/∂ν] from the library at θ* with π_θ*(a|s) = (ψ(s,a) + ν* c_s π_old(a|s))/(ψ(s) + ν* c_s), c_s = n_s/n, ν* such that D̄(θ*) = ε_ν', rhsIs: '0',
    instances: vmpoCases,
    lhs: (c) => saddleResidual(c, mixtureTheta(c, nuStar(c)), nuStar(c)),
    rhs: (c) => new Array<number>(c.S * c.A + 1).fill(0),
    scale: () => 1,
    control: { description: 'the state\'s share c_s forgotten: π(a|s) = (ψ(s,a) + ν* π_old(a|s))/(ψ(s) + ν*)', lhs: (c) => saddleResidual(c, mixtureTheta(c, nuStar(c), true), nuStar(c)) },
  }),
];
