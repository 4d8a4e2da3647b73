/**
 * Claims about the exact solvers themselves: each identity the theory promises, checked on
 * the library MDPs and on seeded random MDPs with policies of every parameterization —
 * and each with a negative control modelled on a real bug.
 *
 * @module
 */
import { actionValues, evaluatePolicy, type Evaluation } from '../../exact/evaluate.js';
import { expectedAdvantage } from '../../exact/divergence.js';
import { fisherMatrix, naturalGradient } from '../../exact/fisher.js';
import { gradientForwardMode } from '../../exact/autodiff.js';
import { policyGradient } from '../../exact/gradient.js';
import { weightedKLHessian } from '../../exact/klhessian.js';
import { policyIteration, valueIteration } from '../../exact/control.js';
import { checkPolicyGradientTheoremExact, evaluateExact } from '../../exact/rational.js';
import { rational, type Fraction } from '../../field/fraction.js';
import { maxAbs, maxAbsDiff } from '../../linalg/dense.js';
import { rationalMDPFromJSON, type MDPIn } from '../../mdp/generic.js';
import { withChanges, type FiniteMDP } from '../../mdp/model.js';
import type { Policy } from '../../policy/types.js';
import { Rng } from '../../stats/rng.js';
import { decide, type Check, type Claim } from '../claim.js';
import { randomInstances, randomPolicy, standardInstances, type Instance } from '../instances.js';

/** |x − y|_∞ / max(|y|_∞, floor): the relative discrepancy of the exact claims. */
export function relDiff(x: ArrayLike<number>, y: ArrayLike<number>, floor = 1e-12): number {
  return maxAbsDiff(x, y) / Math.max(maxAbs(y), floor);
}

const probs = (p: Policy) => p.param.probs(p.theta);

/** V(s) − Σ_a π(a|s)[r(s,a) + γ Σ_s′ P(s′|s,a)V(s′)] on every non-terminal state, relative to max|V|. */
export function bellmanResidual(mdp: FiniteMDP, pi: Float64Array, V: Float64Array): number {
  const Q = actionValues(mdp, V);
  const A = mdp.numActions;
  let worst = 0;
  for (let s = 0; s < mdp.numStates; s++) {
    if (mdp.terminal[s]) continue;
    let v = 0;
    for (let a = 0; a < A; a++) v += pi[s * A + a]! * Q[s * A + a]!;
    worst = Math.max(worst, Math.abs(V[s]! - v));
  }
  let scale = maxAbs(V);
  for (let i = 0; i < mdp.rewards.length; i++) scale = Math.max(scale, Math.abs(mdp.rewards[i]!));
  return worst / Math.max(scale, 1e-12);
}

/** max_s |Σ_a π(a|s) A(s,a)| relative to max|A| (or 1). */
export function advantageMean(pi: Float64Array, adv: Float64Array, S: number, A: number, weighted = true): number {
  let worst = 0;
  for (let s = 0; s < S; s++) {
    let m = 0;
    for (let a = 0; a < A; a++) m += (weighted ? pi[s * A + a]! : 1) * adv[s * A + a]!;
    worst = Math.max(worst, Math.abs(m));
  }
  return worst / Math.max(maxAbs(adv), 1);
}

/** The visitation fixed point η(s′) = p0(s′) + γ Σ_s η(s) P_π(s′|s) on non-terminal s′, and |Σ d − 1|. */
export function visitationResidual(mdp: FiniteMDP, pi: Float64Array, eta: Float64Array, d: Float64Array, transpose = true): number {
  const { numStates: S, numActions: A, transitions: T, gamma } = mdp;
  const rhs = Float64Array.from(mdp.initial);
  for (let s = 0; s < S; s++) {
    if (mdp.terminal[s] && gamma === 1) continue;
    for (let a = 0; a < A; a++) {
      const row = s * A + a;
      for (let k = T.rowPtr[row]!; k < T.rowPtr[row + 1]!; k++) {
        const t = T.col[k]!;
        // η(t) gathers from its predecessors (Pᵀ); the wrong variant gathers from successors (P)
        if (transpose) rhs[t] = rhs[t]! + gamma * eta[s]! * pi[row]! * T.val[k]!;
        else rhs[s] = rhs[s]! + gamma * eta[t]! * pi[row]! * T.val[k]!;
      }
    }
  }
  let worst = 0;
  for (let s = 0; s < S; s++) if (!(mdp.terminal[s] && gamma === 1)) worst = Math.max(worst, Math.abs(eta[s]! - rhs[s]!));
  let total = 0;
  for (let s = 0; s < S; s++) total += d[s]!;
  return Math.max(worst / Math.max(maxAbs(eta), 1e-12), Math.abs(total - 1));
}

function over(instances: Instance[], f: (x: Instance, ev: Evaluation) => Check): Check[] {
  return instances.map((x) => f(x, evaluatePolicy(x.mdp, probs(x.policy))));
}

/** Instances where γ ∉ {0, 1}, so that discount bugs change the numbers. */
const discounted = (seed: number) => randomInstances(seed).filter((x) => x.mdp.gamma > 0 && x.mdp.gamma < 1);

export const bellmanClaim: Claim = {
  id: 'exact.bellman',
  title: 'V^π satisfies the Bellman expectation equation',
  statement: String.raw`V^\pi(s) = \sum_a \pi(a|s)\Big[r(s,a) + \gamma \sum_{s'} P(s'|s,a)\, V^\pi(s')\Big]`,
  source: 'Lehmann 2024, §2 (eq. 3); Sutton & Barto eq. 3.14',
  relation: 'identity',
  rule: 'max residual / max(|V|, |r|) ≤ 1e-10',
  run: (ctx) => over(standardInstances(ctx.seed), (x, ev) => decide(x.label, bellmanResidual(x.mdp, probs(x.policy), ev.V), 1e-10)),
  control: {
    description: 'V computed with the discount applied twice (γ² in place of γ)',
    run: (ctx) => discounted(ctx.seed).map((x) => {
      const wrong = evaluatePolicy(withChanges(x.mdp, { gamma: x.mdp.gamma ** 2 }), probs(x.policy));
      return decide(x.label, bellmanResidual(x.mdp, probs(x.policy), wrong.V), 1e-10);
    }),
  },
};

export const advantageClaim: Claim = {
  id: 'exact.advantage-mean-zero',
  title: 'The advantage has zero mean under the policy in every state',
  statement: String.raw`\sum_a \pi(a|s)\, A^\pi(s,a) = 0 \quad \forall s`,
  source: 'Lehmann 2024, §3.2',
  relation: 'identity',
  rule: 'max_s |Σ_a π A| / max(|A|, 1) ≤ 1e-10',
  run: (ctx) => over(standardInstances(ctx.seed), (x, ev) => decide(x.label, advantageMean(probs(x.policy), ev.A, x.mdp.numStates, x.mdp.numActions), 1e-10)),
  control: {
    description: 'the unweighted sum Σ_a A(s,a) (π dropped)',
    run: (ctx) => over(randomInstances(ctx.seed), (x, ev) =>
      decide(x.label, advantageMean(probs(x.policy), ev.A, x.mdp.numStates, x.mdp.numActions, false), 1e-10)),
  },
};

export const visitationClaim: Claim = {
  id: 'exact.visitation',
  title: 'η solves the visitation fixed point and d sums to 1',
  statement: String.raw`\eta(s') = p_0(s') + \gamma \sum_s \eta(s)\, P_\pi(s'|s), \qquad \sum_s d(s) = 1`,
  source: 'Lehmann 2024, Theorem 3.1 (ρ_π and η); DESIGN.md conventions',
  relation: 'identity',
  rule: 'max(relative fixed-point residual, |Σ d − 1|) ≤ 1e-10',
  run: (ctx) => over(standardInstances(ctx.seed), (x, ev) => decide(x.label, visitationResidual(x.mdp, probs(x.policy), ev.eta, ev.d), 1e-10)),
  control: {
    description: 'the visitation equation with P_π in place of P_πᵀ (flows read backwards)',
    run: (ctx) => over(discounted(ctx.seed), (x, ev) => decide(x.label, visitationResidual(x.mdp, probs(x.policy), ev.eta, ev.d, false), 1e-10)),
  },
};

export const twoRoutesClaim: Claim = {
  id: 'exact.pgt-two-routes',
  title: 'The policy gradient theorem agrees with forward-mode AD through the solve',
  statement: String.raw`\nabla_\theta J(\theta) = \sum_s \eta(s) \sum_a \nabla_\theta \pi_\theta(a|s)\, Q^\pi(s,a) \;=\; \partial_\theta\big[p_0^\top (I-\gamma P_{\pi_\theta})^{-1} r_{\pi_\theta}\big]`,
  source: 'Lehmann 2024, Theorem 3.1; Sutton et al. 2000',
  relation: 'identity',
  rule: 'max |theorem − AD| / max |AD| ≤ 1e-8',
  run: (ctx) => standardInstances(ctx.seed).map((x) => decide(x.label, relDiff(policyGradient(x.mdp, x.policy), gradientForwardMode(x.mdp, x.policy)), 1e-8)),
  control: {
    description: 'the theorem with the normalized d in place of η (the 1/(1−γ) or episode-length factor dropped)',
    run: (ctx) => randomInstances(ctx.seed).filter((x) => x.mdp.gamma > 0).map((x) => {
      const ev = evaluatePolicy(x.mdp, probs(x.policy));
      const wrong = policyGradient(x.mdp, x.policy, { ...ev, eta: ev.d });
      return decide(x.label, relDiff(wrong, gradientForwardMode(x.mdp, x.policy)), 1e-8);
    }),
  },
};

/** Seeded rational MDPs (integer weights) with rational direct policies, for the exact claims. */
export function rationalInstances(seed: number, count = 5): { label: string; m: MDPIn<Fraction>; pi: Fraction[] }[] {
  const rng = Rng.from(seed).split(202);
  const out: { label: string; m: MDPIn<Fraction>; pi: Fraction[] }[] = [];
  for (let i = 0; i < count; i++) {
    const episodic = i % 2 === 1;
    const live = 2 + rng.int(3), T = episodic ? 1 : 0, S = live + T, A = 2 + rng.int(2);
    const weights = (n: number) => Array.from({ length: n }, () => 1 + rng.int(5));
    const frac = (w: number[]) => { const t = w.reduce((a, b) => a + b, 0); return w.map((x) => `${x}/${t}`); };
    const transitions = Array.from({ length: S }, (_, s) => Array.from({ length: A }, () => {
      if (s >= live) return Array.from({ length: S }, (_, t) => (t === s ? 1 : 0));
      const w = weights(S);
      if (!episodic) return frac(w);
      w[S - 1] = w[S - 1]! + 2;
      return frac(w);
    }));
    const json = {
      states: S, actions: A, transitions,
      rewards: Array.from({ length: S }, (_, s) => Array.from({ length: A }, () => (s >= live ? 0 : `${rng.int(9) - 4}/${1 + rng.int(3)}`))),
      gamma: episodic ? 1 : `${1 + rng.int(9)}/10`,
      initial: frac([...weights(live), ...new Array<number>(T).fill(0)]),
      terminal: Array.from({ length: T }, (_, k) => live + k),
    };
    const m = rationalMDPFromJSON(json);
    const pi = Array.from({ length: S }, () => frac(weights(A))).flat().map((x) => rational(x));
    out.push({ label: `rational#${i} S=${S} A=${A} γ=${json.gamma}`, m, pi });
  }
  return out;
}

export const rationalClaim: Claim = {
  id: 'exact.pgt-rational',
  title: 'In rational arithmetic the theorem and forward-mode AD agree exactly',
  statement: String.raw`\frac{\partial J}{\partial \theta_{s,a}} = \eta(s)\, Q^\pi(s,a) \quad\text{(direct parameterization, exactly)}`,
  source: 'Lehmann 2024, Theorem 3.1; Agarwal et al. 2021, §4',
  relation: 'exact-identity',
  rule: 'every difference is exactly 0 (mathjs Fractions)',
  run: (ctx) => rationalInstances(ctx.seed).map(({ label, m, pi }) => {
    const r = checkPolicyGradientTheoremExact(m, pi);
    const worst = Math.max(...r.differences.map((x) => Math.abs(x.valueOf())));
    return decide(label, r.exact ? 0 : Math.max(worst, Number.MIN_VALUE), 0, { exact: r.exact });
  }),
  control: {
    description: 'the theorem with the normalized d in place of η, exactly (the horizon factor Σ η dropped)',
    run: (ctx) => rationalInstances(ctx.seed).map(({ label, m, pi }) => {
      const e = evaluateExact(m, pi);
      const forward = checkPolicyGradientTheoremExact(m, pi).forward;
      const diffs = e.Q.map((q, i) => e.d[Math.floor(i / m.numActions)]!.mul(q).sub(forward[i]!));
      const exact = diffs.every((x) => x.n === 0n);
      return decide(label, exact ? 0 : Math.max(...diffs.map((x) => Math.abs(x.valueOf()))), 0, { exact });
    }),
  },
};

export const fisherClaim: Claim = {
  id: 'exact.fisher-kl-hessian',
  title: 'The Fisher matrix is the Hessian of the d-weighted KL at θ = θ_old',
  statement: String.raw`F(\theta) = \sum_s d(s) \sum_a \pi\, \nabla\log\pi\, \nabla\log\pi^\top = \nabla^2_{\theta'} \sum_s d(s)\, \mathrm{KL}\big(\pi_\theta(\cdot|s) \,\|\, \pi_{\theta'}(\cdot|s)\big)\Big|_{\theta'=\theta}`,
  source: 'Lehmann 2024, §4.3; Kakade 2001; Schulman et al. 2015, Appendix C',
  relation: 'identity',
  rule: 'max |F − H| / max |H| ≤ 1e-9 (H by nested dual numbers)',
  run: (ctx) => standardInstances(ctx.seed).filter((x) => x.policy.param.numParams <= 120).map((x) => {
    const ev = evaluatePolicy(x.mdp, probs(x.policy));
    const F = fisherMatrix(x.mdp, x.policy, ev);
    const H = weightedKLHessian(x.policy.param, x.policy.theta, x.policy.theta, ev.d);
    return decide(x.label, relDiff(F, H), 1e-9);
  }),
  control: {
    description: 'the Fisher matrix weighted uniformly over states instead of by d',
    run: (ctx) => randomInstances(ctx.seed).map((x) => {
      const ev = evaluatePolicy(x.mdp, probs(x.policy));
      const F = fisherMatrix(x.mdp, x.policy, ev, new Float64Array(x.mdp.numStates).fill(1 / x.mdp.numStates));
      const H = weightedKLHessian(x.policy.param, x.policy.theta, x.policy.theta, ev.d);
      return decide(x.label, relDiff(F, H), 1e-9);
    }),
  },
};

/** ‖F (w − (Σ η) A)‖_∞ / ‖∇J‖_∞ and ‖F w − ∇J‖_∞ / ‖∇J‖_∞ for the softmax natural gradient w = F⁺∇J. */
export function naturalGradientDiscrepancy(mdp: FiniteMDP, policy: Policy, horizonFactor?: number): number {
  const ev = evaluatePolicy(mdp, probs(policy));
  const { direction, gradient } = naturalGradient(mdp, policy, ev);
  const F = fisherMatrix(mdp, policy, ev);
  const n = policy.param.numParams;
  const c = horizonFactor ?? ev.horizon;
  const diff = direction.map((w, i) => w - c * ev.A[i]!);
  let worst = 0, solve = 0;
  for (let i = 0; i < n; i++) {
    let a = 0, b = 0;
    for (let j = 0; j < n; j++) { a += F[i * n + j]! * diff[j]!; b += F[i * n + j]! * direction[j]!; }
    worst = Math.max(worst, Math.abs(a));
    solve = Math.max(solve, Math.abs(b - gradient[i]!));
  }
  return Math.max(worst, solve) / Math.max(maxAbs(gradient), 1e-12);
}

const softmaxInstances = (seed: number): Instance[] => {
  const rng = Rng.from(seed).split(303);
  return randomInstances(seed).filter((x) => x.policy.param.kind === 'softmax').map((x) => ({ ...x, policy: randomPolicy(rng, x.mdp, 'softmax') }));
};

export const naturalGradientClaim: Claim = {
  id: 'exact.natural-gradient-softmax',
  title: 'For the tabular softmax, F⁺∇J equals (Σ η)·A up to the null space of F',
  statement: String.raw`F^{+}\nabla J \equiv \Big(\textstyle\sum_s \eta(s)\Big) A^\pi \pmod{\ker F} \quad\Big(= \tfrac{1}{1-\gamma} A^\pi \text{ for } \gamma<1\Big)`,
  source: 'Kakade 2001; Agarwal et al. 2021, Lemma 5.2; Lehmann 2024, §4.2',
  relation: 'identity',
  rule: '‖F(F⁺∇J − (Ση)A)‖∞ and ‖F F⁺∇J − ∇J‖∞, relative to ‖∇J‖∞, ≤ 1e-8',
  run: (ctx) => softmaxInstances(ctx.seed).map((x) => decide(x.label, naturalGradientDiscrepancy(x.mdp, x.policy), 1e-8)),
  control: {
    description: 'A itself (the 1/(1−γ) horizon factor dropped)',
    run: (ctx) => softmaxInstances(ctx.seed).filter((x) => x.mdp.gamma > 0).map((x) => decide(x.label, naturalGradientDiscrepancy(x.mdp, x.policy, 1), 1e-8)),
  },
};

/** |J(π′) − J(π) − Σ_s η_{π′}(s) Σ_a π′(a|s) A^π(s,a)|, relative to max(|J(π′) − J(π)|, |J(π)|, 1e-12). */
export function performanceDifference(mdp: FiniteMDP, pi: Float64Array, piNew: Float64Array, useOldVisitation = false): number {
  const ev = evaluatePolicy(mdp, pi);
  const evNew = evaluatePolicy(mdp, piNew);
  const eta = useOldVisitation ? ev.eta : evNew.eta;
  const ea = expectedAdvantage(piNew, ev.A, mdp.numStates, mdp.numActions);
  let rhs = 0;
  for (let s = 0; s < mdp.numStates; s++) rhs += eta[s]! * ea[s]!;
  const lhs = evNew.J - ev.J;
  return Math.abs(lhs - rhs) / Math.max(Math.abs(lhs), Math.abs(ev.J), 1e-12);
}

const policyPairs = (seed: number) => {
  const rng = Rng.from(seed).split(404);
  return standardInstances(seed).map((x) => ({ ...x, other: probs(randomPolicy(rng, x.mdp, 'direct')) }));
};

export const pdlClaim: Claim = {
  id: 'exact.performance-difference',
  title: "The performance-difference lemma holds for every pair of policies",
  statement: String.raw`J(\pi') - J(\pi) = \sum_s \eta_{\pi'}(s) \sum_a \pi'(a|s)\, A^{\pi}(s,a)`,
  source: 'Kakade & Langford 2002, Lemma 6.1; Lehmann 2024, §4.3 (behind L_π)',
  relation: 'identity',
  rule: 'relative discrepancy ≤ 1e-9',
  run: (ctx) => policyPairs(ctx.seed).map((x) => decide(x.label, performanceDifference(x.mdp, probs(x.policy), x.other), 1e-9)),
  control: {
    description: "the old policy's visitation η_π in place of η_π′ (that is TRPO's surrogate L_π, not J)",
    run: (ctx) => policyPairs(ctx.seed).filter((x) => x.mdp.gamma > 0 && !x.label.startsWith('gridworld-4x4')).map((x) => decide(x.label, performanceDifference(x.mdp, probs(x.policy), x.other, true), 1e-9)),
  },
};

const controlMDPs = (seed: number): { label: string; mdp: FiniteMDP }[] => {
  const seen = new Set<FiniteMDP>();
  const out: { label: string; mdp: FiniteMDP }[] = [];
  for (const x of standardInstances(seed)) {
    if (seen.has(x.mdp)) continue;
    seen.add(x.mdp);
    out.push({ label: x.label.replace(/ (uniform|softmax|direct|loglinear|p=.*)$/, ''), mdp: x.mdp });
  }
  return out;
};

/** max_s |V_VI − V_PI| / max(|V*|, 1), and the shortfall of V* below V^uniform. */
export function controlDiscrepancy(mdp: FiniteMDP, viSweeps?: number): number {
  const pi = policyIteration(mdp);
  let viV: Float64Array;
  if (viSweeps === undefined) viV = valueIteration(mdp, 1e-11).V;
  else {
    viV = new Float64Array(mdp.numStates);
    for (let k = 0; k < viSweeps; k++) {
      const Q = actionValues(mdp, viV);
      const next = new Float64Array(mdp.numStates);
      for (let s = 0; s < mdp.numStates; s++) {
        if (mdp.terminal[s]) continue;
        let m = -Infinity;
        for (let a = 0; a < mdp.numActions; a++) m = Math.max(m, Q[s * mdp.numActions + a]!);
        next[s] = m;
      }
      viV = next;
    }
  }
  const uni = evaluatePolicy(mdp, new Float64Array(mdp.numStates * mdp.numActions).fill(1 / mdp.numActions)).V;
  let shortfall = 0;
  for (let s = 0; s < mdp.numStates; s++) shortfall = Math.max(shortfall, uni[s]! - pi.V[s]!);
  return Math.max(maxAbsDiff(viV, pi.V), shortfall) / Math.max(maxAbs(pi.V), 1);
}

export const controlClaim: Claim = {
  id: 'exact.optimal-control',
  title: 'Value iteration and policy iteration reach the same V*, which dominates V^π',
  statement: String.raw`V^*_{\mathrm{VI}} = V^*_{\mathrm{PI}}, \qquad V^* \ge V^{\pi} \ \ \forall s`,
  source: 'Lehmann 2024, Theorem 2.1 (generalized policy iteration); Sutton & Barto §4.3–4.4',
  relation: 'identity',
  rule: 'max(|V_VI − V_PI|, max(V^uniform − V*, 0)) / max(|V*|, 1) ≤ 1e-9',
  run: (ctx) => controlMDPs(ctx.seed).map((x) => decide(x.label, controlDiscrepancy(x.mdp), 1e-9)),
  control: {
    description: 'value iteration stopped after 5 sweeps (not converged)',
    // on the short γ = 1 problems 5 sweeps are already exact (the longest optimal path is
    // shorter), so the control runs on the discounted MDPs only
    run: (ctx) => controlMDPs(ctx.seed).filter((x) => x.mdp.gamma > 0 && x.mdp.gamma < 1).map((x) => decide(x.label, controlDiscrepancy(x.mdp, 5), 1e-9)),
  },
};

/** The exact-solver claims, in report order. */
export const exactClaims: readonly Claim[] = [
  bellmanClaim, advantageClaim, visitationClaim, twoRoutesClaim, rationalClaim, fisherClaim, naturalGradientClaim, pdlClaim, controlClaim,
];

