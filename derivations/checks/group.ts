/**
 * The checks of derivation 10, group-relative policy gradients (GRPO, Dr. GRPO, RLOO, loss
 * aggregation, the KL to a reference policy). The algebraic steps are exact: one prompt of a
 * contextual bandit with a rational policy π over K responses and rational rewards, whose
 * tabular softmax score e_o − π is rational, and all K^G groups enumerated in Fractions. The
 * other steps run the library's estimators and exact functions in floating point on the
 * built-in contextual bandit and token MDP and on seeded random ones.
 *
 * @module
 */
import { drGrpoAdvantages, grpoAdvantages, klRewardPenalty, referenceKlTerm, rlooAdvantages, tokenRewardToGo } from '../../src/estimators/index.js';
import { enumerateResponses, evaluatePolicy, policyGradient } from '../../src/exact/index.js';
import { decisionVisitation, klGradient } from '../../src/exact/objectives.js';
import { BUILTIN_TOKEN_MDP_SPEC, contextualBandit, tokenMDP, type FiniteMDP, type TokenMDPSpec } from '../../src/mdp/index.js';
import { softmaxPolicy } from '../../src/policy/softmax.js';
import type { Policy } from '../../src/policy/types.js';
import { Rng } from '../../src/stats/rng.js';
import {
  banditInstance, binaryBanditInstance, exactGroupMean, gradedBanditInstance, groupInstance, grpoReweightedGradient, lengthNormalizedGradient,
  tokenInstance, type GroupAdvantages, type GroupInstance,
} from '../../src/verify/claims/group.js';
import { defineStep, type Instance } from '../framework/step.js';
import { F, q, rationalPolicy, type Fraction } from './common.js';
import { memo } from './memo.js';

// ─── exact: one prompt, rational π and rewards ──────────────────────────────────────

/** One prompt of a bandit: π over K responses, rewards R, group size G. */
interface RationalGroup { readonly pi: Fraction[]; readonly R: Fraction[]; readonly G: number }

function rationalGroups(seed: number): Instance<RationalGroup>[] {
  const rng = Rng.from(seed).split(1015);
  return Array.from({ length: 6 }, (_, i) => {
    const K = 2 + (i % 3), G = 2 + (i % 2);
    const pi = rationalPolicy(rng, 1, K), R = Array.from({ length: K }, () => q(`${rng.int(9) - 4}/${1 + rng.int(3)}`));
    if (R.every((r) => r.equals(R[0]!))) R[K - 1] = R[0]!.add(F.one); // equal rewards: ∇J_q = 0, nothing to check
    return { label: `K = ${K} responses, G = ${G}, π = (${pi.map((x) => x.toFraction()).join(', ')})`, data: { pi, R, G } };
  });
}

/** The softmax score of response o: e_o − π. */
const score = (c: RationalGroup, o: number): Fraction[] => c.pi.map((p, b) => (b === o ? F.one : F.zero).sub(p));

/** ∇J_q = Σ_o π(o) R(o) (e_o − π). */
function gradientQ(c: RationalGroup): Fraction[] {
  const out = c.pi.map(() => F.zero);
  c.pi.forEach((p, o) => score(c, o).forEach((s, b) => { out[b] = out[b]!.add(p.mul(c.R[o]!).mul(s)); }));
  return out;
}

/** E[(1/G) Σ_i A_i (e_{o_i} − π)] over all K^G groups, A_i from the group's rewards. */
function groupMeanExact(c: RationalGroup, adv: (r: Fraction[], i: number) => Fraction): Fraction[] {
  const K = c.pi.length, G = c.G, out = c.pi.map(() => F.zero), members = new Array<number>(G).fill(0);
  const rec = (i: number, w: Fraction): void => {
    if (i === G) {
      const r = members.map((o) => c.R[o]!);
      for (let j = 0; j < G; j++) {
        const k = w.mul(adv(r, j)).div(q(G));
        score(c, members[j]!).forEach((s, b) => { out[b] = out[b]!.add(k.mul(s)); });
      }
      return;
    }
    for (let o = 0; o < K; o++) { members[i] = o; rec(i + 1, w.mul(c.pi[o]!)); }
  };
  rec(0, F.one);
  return out;
}

const mean = (xs: Fraction[]): Fraction => xs.reduce((a, b) => a.add(b), F.zero).div(q(xs.length));
const leaveOneOut = (r: Fraction[], i: number): Fraction => r[i]!.sub(mean(r.filter((_, j) => j !== i)));
const withSample = (r: Fraction[], i: number): Fraction => r[i]!.sub(mean(r));

const leaveOneOutStep = defineStep<RationalGroup>({
  key: 'group.leave-one-out',
  exact: true,
  implementedBy: [],
  lhsIs: 'E over all K^G groups of (1/G) Σ_i (r_i − mean_{j≠i} r_j)(e_{o_i} − π), in rational arithmetic',
  rhsIs: '∇J_q = Σ_o π(o) R(o)(e_o − π)',
  instances: rationalGroups,
  lhs: (c) => groupMeanExact(c, leaveOneOut),
  rhs: gradientQ,
  control: { description: 'the baseline\'s mean includes r_i itself (r_i − r̄)', lhs: (c) => groupMeanExact(c, withSample) },
});

const meanIncludesSampleStep = defineStep<RationalGroup>({
  key: 'group.mean-includes-sample',
  exact: true,
  implementedBy: [],
  lhsIs: 'E over all K^G groups of (1/G) Σ_i (r_i − r̄)(e_{o_i} − π), in rational arithmetic',
  rhsIs: '(1 − 1/G) ∇J_q',
  instances: rationalGroups,
  lhs: (c) => groupMeanExact(c, withSample),
  rhs: (c) => gradientQ(c).map((g) => g.mul(q(c.G - 1)).div(q(c.G))),
  control: { description: 'the factor claimed to be 1: rhs = ∇J_q', rhs: gradientQ },
});

// ─── floating point: the library on bandits and token MDPs ───────────────────────────

const seeded = (mdp: FiniteMDP, seed: string, scale = 0.8): Policy => {
  const rng = Rng.from(seed);
  return { param: softmaxPolicy(mdp.numStates, mdp.numActions), theta: Float64Array.from({ length: mdp.numStates * mdp.numActions }, () => scale * rng.normal()) };
};

const makeInstance = groupInstance;

/** A seeded random token MDP spec: 1–2 prompts, 1–2 tokens, at most 2–3 tokens, rewards in {0, ¼, …, 1} by a table. */
function randomTokenSpec(rng: Rng, i: number): TokenMDPSpec {
  const table = new Map<string, number>();
  return {
    prompts: i % 2 ? ['p'] : ['p', 'q'], vocabulary: i % 3 ? ['a', 'b'] : ['a'], maxTokens: 2 + (i % 2),
    reward: (p, toks) => { const k = `${p}:${toks.join('')}`; if (!table.has(k)) table.set(k, rng.int(5) / 4); return table.get(k)!; },
  };
}

interface TokenCase { readonly x: GroupInstance; readonly spec?: TokenMDPSpec }

const tokenCases = memo((box: { seed: number }): Instance<TokenCase>[] => {
  const rng = Rng.from(box.seed).split(1016);
  const builtin: TokenCase = { x: tokenInstance(), spec: BUILTIN_TOKEN_MDP_SPEC };
  const random = [0, 1, 2, 3].map((i): TokenCase => {
    const spec = randomTokenSpec(rng, i), mdp = tokenMDP(spec);
    return { x: makeInstance(`random token MDP ${i} (${mdp.numStates} states)`, mdp, seeded(mdp, `d10/${box.seed}/${i}`)), spec };
  });
  return [builtin, ...random].map((c) => ({ label: c.x.label, data: c }));
});
const seedBoxes = new Map<number, { seed: number }>();
const box = (seed: number) => { if (!seedBoxes.has(seed)) seedBoxes.set(seed, { seed }); return seedBoxes.get(seed)!; };

/** Σ_q ρ Σ_o π(o|q) R(o) Σ_t ∇log π(a_t|s_t), from the enumerated responses. */
function enumeratedGradient(x: GroupInstance, lastTokenOnly = false): Float64Array {
  const out = new Float64Array(x.policy.param.numParams);
  x.responses.responses.forEach((list, qi) => list.forEach((o) => {
    const c = x.responses.promptProbs[qi]! * o.probability * o.reward;
    let phi = o.score;
    if (lastTokenOnly) { phi = new Float64Array(out.length); const t = o.s_t.length - 1; x.policy.param.addScore(x.policy.theta, o.s_t[t]!, o.a_t[t]!, 1, phi); }
    for (let k = 0; k < out.length; k++) out[k] = out[k]! + c * phi[k]!;
  }));
  return out;
}

const sequenceScoreStep = defineStep<TokenCase>({
  key: 'group.sequence-score',
  exact: false,
  implementedBy: ['policyGradient', 'enumerateResponses'],
  lhsIs: 'the policy gradient theorem, Σ_s η(s) Σ_a ∇π(a|s) Q(s,a) (policyGradient)',
  rhsIs: 'Σ_q ρ(q) Σ_o π(o|q) R(o) Σ_t ∇log π(a_t|s_t) over the enumerated responses',
  instances: (seed) => [...tokenCases(box(seed)), { label: 'bandit-contextual', data: { x: banditInstance() } }],
  lhs: (c) => c.x.grad,
  rhs: (c) => enumeratedGradient(c.x),
  control: { description: 'only the last token\'s score (token MDPs: responses of several tokens)', instances: (seed) => tokenCases(box(seed)), rhs: (c) => enumeratedGradient(c.x, true) },
});

const RLOO: GroupAdvantages = rlooAdvantages, DR: GroupAdvantages = drGrpoAdvantages, GRPO: GroupAdvantages = (r, G) => grpoAdvantages(r, G);
const CONSTANT = { mode: 'constant', perResponse: 1 } as const;

interface LibraryCase { readonly x: GroupInstance; readonly G: number }
const libraryCases = (): Instance<LibraryCase>[] => [
  { label: 'bandit-contextual (Bernoulli rewards), G = 4', data: { x: banditInstance(), G: 4 } },
  { label: 'token-mdp, G = 3', data: { x: tokenInstance(), G: 3 } },
  { label: 'token-mdp, G = 2', data: { x: tokenInstance(), G: 2 } },
];

const libraryEstimatorsStep = defineStep<LibraryCase>({
  key: 'group.library-estimators',
  exact: false,
  implementedBy: ['rlooAdvantages', 'drGrpoAdvantages', 'aggregationWeights', 'tokenPolicyGradient', 'policyGradient'],
  lhsIs: 'E[ĝ_RLOO] and E[ĝ_DrGRPO] over every group, with the library\'s estimators (concatenated)',
  rhsIs: '∇J and (1 − 1/G)∇J by policyGradient (concatenated)',
  instances: libraryCases,
  lhs: (c) => [...exactGroupMean(c.x, c.G, RLOO, CONSTANT), ...exactGroupMean(c.x, c.G, DR, CONSTANT)],
  rhs: (c) => [...c.x.grad, ...c.x.grad.map((g) => (1 - 1 / c.G) * g)],
  control: { description: 'Dr. GRPO tested against ∇J itself', rhs: (c) => [...c.x.grad, ...c.x.grad] },
});

// GRPO on 0/1 rewards
function randomBinaryBandits(seed: number): GroupInstance[] {
  const rng = Rng.from(seed).split(1017);
  return [0, 1].map((i) => {
    const mdp = contextualBandit({ prompts: 2 + i, responses: 3, rewards: Array.from({ length: 2 + i }, () => [1, rng.int(2), 0]) });
    return makeInstance(`random 0/1 bandit ${i}`, mdp, seeded(mdp, `d10/binary/${seed}/${i}`, 1));
  });
}
function randomGradedBandits(seed: number): GroupInstance[] {
  const rng = Rng.from(seed).split(1018);
  return [0, 1].map((i) => {
    const mdp = contextualBandit({ prompts: 2, responses: 3, rewards: [[1, 0.5, 0], [rng.int(2) / 2 + 0.25, 0.5, 1]] });
    return makeInstance(`random 3-valued bandit ${i}`, mdp, seeded(mdp, `d10/graded/${seed}/${i}`, 1));
  });
}

const grpoStep = defineStep<LibraryCase>({
  key: 'group.grpo-reweighting',
  exact: false,
  implementedBy: ['grpoAdvantages', 'enumerateResponses', 'policyGradient'],
  lhsIs: 'E[ĝ_GRPO] over every group with the library\'s grpoAdvantages (sample std, ε = 1e-6)',
  rhsIs: 'Σ_q ρ(q) w_q ∇J_q, w_q by the binomial sum, ∇J_q by policyGradient with p0 = δ_q',
  instances: (seed) => [
    { label: 'bandit-contextual (Bernoulli), G = 4', data: { x: banditInstance(), G: 4 } },
    { label: '0/1 bandit (success 0.04 and 0.5), G = 8', data: { x: binaryBanditInstance(), G: 8 } },
    ...randomBinaryBandits(seed).flatMap((x) => [2, 5].map((G) => ({ label: `${x.label}, G = ${G}`, data: { x, G } }))),
  ],
  lhs: (c) => exactGroupMean(c.x, c.G, GRPO, CONSTANT),
  rhs: (c) => grpoReweightedGradient(c.x, c.G),
  control: {
    description: 'bandits with three reward values (0, ½, 1), where the formula (for 0/1 rewards) fails',
    instances: (seed) => [gradedBanditInstance(), ...randomGradedBandits(seed)].map((x) => ({ label: `${x.label}, G = 4`, data: { x, G: 4 } })),
  },
});

/** ∇J of the token MDP whose end reward is (R(q,o) − V(q))/|o| (the policy gradient theorem). */
function lengthObjectiveGradient(c: TokenCase): Float64Array {
  const { x } = c, spec = c.spec!, V = x.ev.V, L = spec.maxTokens, perPrompt = (x.mdp.numStates - 1) / spec.prompts.length;
  const mdp = tokenMDP({ ...spec, reward: (p, toks) => (spec.reward(p, toks) - V[p * perPrompt]!) / Math.min(toks.length + 1, L) });
  return Float64Array.from(policyGradient(mdp, x.policy));
}

function bestMultipleOf(m: ArrayLike<number>, g: ArrayLike<number>): Float64Array {
  let mg = 0, gg = 0;
  for (let k = 0; k < g.length; k++) { mg += m[k]! * g[k]!; gg += g[k]! ** 2; }
  return Float64Array.from(g, (v) => (v * mg) / gg);
}

const lengthStep = defineStep<TokenCase>({
  key: 'group.length-normalized',
  exact: false,
  implementedBy: ['rlooAdvantages', 'aggregationWeights', 'policyGradient'],
  lhsIs: 'E[ĝ] of RLOO with per-sequence aggregation 1/(N|o_i|) over every group of 2, with the library\'s estimators',
  rhsIs: 'the policy gradient theorem on the token MDP with end reward (R(q,o) − V(q))/|o|',
  instances: (seed) => tokenCases(box(seed)).filter((c) => c.data.x.maxTokens > 1),
  lhs: (c) => exactGroupMean(c.x, 2, RLOO, { mode: 'sequence-mean' }),
  rhs: lengthObjectiveGradient,
  control: { description: 'the best multiple κ∇J of the ordinary gradient ("∇J up to scale")', rhs: (c) => bestMultipleOf(lengthNormalizedGradient(c.x), c.x.grad) },
});

// KL to a reference
interface KlCase { readonly x: GroupInstance; readonly ref: Policy }
const klCases = (seed: number): Instance<KlCase>[] => {
  const xs = [banditInstance(), tokenInstance(), ...tokenCases(box(seed)).slice(1).map((c) => c.data.x)];
  return xs.map((x, i) => ({ label: `${x.label}, random π_ref`, data: { x, ref: seeded(x.mdp, `d10/ref/${seed}/${i}`) } }));
};

/** Σ_s η(s) Σ_a π(a|s) ∂k3/∂log π · ∇log π(a|s), ∂k3/∂log π from the library's referenceKlTerm. */
function k3LossMean(c: KlCase): Float64Array {
  const { x, ref } = c, { param, theta } = x.policy, S = x.mdp.numStates, A = x.mdp.numActions;
  const pi = param.probs(theta), out = new Float64Array(param.numParams), eta = x.ev.eta;
  for (let s = 0; s < S; s++) {
    if (x.mdp.terminal[s] || eta[s] === 0) continue;
    const lp = Float64Array.from({ length: A }, (_, a) => param.logProb(theta, s, a)), lr = Float64Array.from({ length: A }, (_, a) => ref.param.logProb(ref.theta, s, a));
    const { dLogp_t } = referenceKlTerm(lp, lr, new Uint8Array(A).fill(1), 'k3');
    for (let a = 0; a < A; a++) param.addScore(theta, s, a, eta[s]! * pi[s * A + a]! * dLogp_t[a]!, out);
  }
  return out;
}

/** Σ_s η(s) ∇_θ KL(π_θ(·|s) ‖ π_ref(·|s)) for the tabular softmax: η(s) π_b (log(π_b/π_ref,b) − KL_s). */
function forwardKlGradient(c: KlCase): Float64Array {
  const { x, ref } = c, { param, theta } = x.policy, S = x.mdp.numStates, A = x.mdp.numActions;
  const pi = param.probs(theta), out = new Float64Array(param.numParams);
  for (let s = 0; s < S; s++) {
    if (x.mdp.terminal[s] || x.ev.eta[s] === 0) continue;
    const l = Array.from({ length: A }, (_, a) => param.logProb(theta, s, a) - ref.param.logProb(ref.theta, s, a));
    const kl = l.reduce((acc, v, a) => acc + pi[s * A + a]! * v, 0);
    for (let b = 0; b < A; b++) out[s * A + b] = x.ev.eta[s]! * pi[s * A + b]! * (l[b]! - kl);
  }
  return out;
}

const k3Step = defineStep<KlCase>({
  key: 'group.k3-loss-gradient',
  exact: false,
  implementedBy: ['referenceKlTerm', 'klGradient'],
  lhsIs: 'Σ_s η(s) E_{a∼π}[(∂k3/∂log π) ∇log π(a|s)] with the library\'s referenceKlTerm',
  rhsIs: 'Σ_s η(s) ∇KL(π_ref(·|s) ‖ π_θ(·|s)) by klGradient (π_ref in place of π_old)',
  instances: klCases,
  lhs: k3LossMean,
  rhs: (c) => klGradient(c.x.policy, c.ref.param.probs(c.ref.theta), decisionVisitation(c.x.mdp, c.x.ev.eta)),
  control: { description: 'the gradient of the other direction, Σ_s η(s) ∇KL(π_θ(·|s) ‖ π_ref(·|s))', rhs: forwardKlGradient },
});

/** E[Σ_t ∇log π(a_t|s_t) Σ_{t'≥t} k1_{t'}] over the enumerated responses, with klRewardPenalty (r = 0, β = 1, negated) and tokenRewardToGo. */
function k1RewardMean(c: KlCase): Float64Array {
  const { x, ref } = c, { param, theta } = x.policy, out = new Float64Array(param.numParams);
  x.responses.responses.forEach((list, qi) => list.forEach((o) => {
    const T = o.s_t.length, mask = new Uint8Array(T).fill(1);
    const lp = Float64Array.from({ length: T }, (_, t) => param.logProb(theta, o.s_t[t]!, o.a_t[t]!));
    const lr = Float64Array.from({ length: T }, (_, t) => ref.param.logProb(ref.theta, o.s_t[t]!, o.a_t[t]!));
    const g = tokenRewardToGo(klRewardPenalty(new Float64Array(T), lp, lr, mask, 1), mask, T);
    for (let t = 0; t < T; t++) param.addScore(theta, o.s_t[t]!, o.a_t[t]!, -x.responses.promptProbs[qi]! * o.probability * g[t]!, out);
  }));
  return out;
}

/** Σ_q ρ(q) KL(π_θ(·|q) ‖ π_ref(·|q)) over whole responses, by enumeration at θ. */
function sequenceKl(x: GroupInstance, ref: Policy, theta: Float64Array): number {
  const policy = { param: x.policy.param, theta }, t = enumerateResponses(x.mdp, policy);
  let kl = 0;
  t.responses.forEach((list, qi) => list.forEach((o) => {
    let lr = 0;
    for (let k = 0; k < o.s_t.length; k++) lr += policy.param.logProb(theta, o.s_t[k]!, o.a_t[k]!) - ref.param.logProb(ref.theta, o.s_t[k]!, o.a_t[k]!);
    kl += t.promptProbs[qi]! * o.probability * lr;
  }));
  return kl;
}

const k1Step = defineStep<KlCase>({
  key: 'group.k1-reward-penalty',
  exact: false,
  tolerance: 1e-6,
  implementedBy: ['klRewardPenalty', 'tokenRewardToGo', 'enumerateResponses'],
  lhsIs: 'E[Σ_t ∇log π(a_t|s_t) Σ_{t′≥t} k1_{t′}] over the enumerated responses, with the library\'s klRewardPenalty and tokenRewardToGo',
  rhsIs: 'central finite differences (h = 1e-5) of the enumerated Σ_q ρ(q) KL(π_θ(·|q) ‖ π_ref(·|q))',
  instances: klCases,
  lhs: k1RewardMean,
  rhs: (c) => {
    const th = c.x.policy.theta, h = 1e-5;
    return Float64Array.from(th, (_, k) => {
      const up = Float64Array.from(th), dn = Float64Array.from(th);
      up[k] = up[k]! + h; dn[k] = dn[k]! - h;
      return (sequenceKl(c.x, c.ref, up) - sequenceKl(c.x, c.ref, dn)) / (2 * h);
    });
  },
  control: { description: 'the k3 loss term\'s mean gradient Σ_s η(s) ∇KL(π_ref(·|s) ‖ π_θ(·|s)) on the right', rhs: (c) => klGradient(c.x.policy, c.ref.param.probs(c.ref.theta), decisionVisitation(c.x.mdp, c.x.ev.eta)) },
});

/** The checks of derivation 10, in page order. */
export const groupChecks = [sequenceScoreStep, leaveOneOutStep, meanIncludesSampleStep, libraryEstimatorsStep, grpoStep, lengthStep, k3Step, k1Step];
