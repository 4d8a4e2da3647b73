/**
 * The learners' integration claim (issue 11): every learner of `src/algorithms/` hands its
 * optimizer exactly what the verified estimators of `src/estimators/` compute on the same
 * batch — bit for bit, so that what the report verifies is what the learners use.
 *
 * The claim runs each learner for one update with a probe on its first optimizer step, then
 * calls the estimators directly on the batch (and minibatch) the probe saw, at the θ and
 * critic table it saw:
 *
 * | learner | first update direction |
 * | --- | --- |
 * | REINFORCE | −`reinforceRewardToGo`(B, π₀, γ) |
 * | A2C | −`actorCriticGradient`(B, π₀, γ, norm(`gae`(B, V, γ, λ))) + `entropyBonus`(B, π₀, γ, c).gradient |
 * | TRPO | `trpoStep`(B, π₀, γ, norm(`gae`(B, V, γ, λ)), δ, …).θ − θ₀ |
 * | PPO | `ppoClipSurrogate`(M, π₀, γ, norm(`gae`(B, V, γ, λ)[M]), ε).gradient |
 * | V-MPO | `vmpoPolicyLoss`(M, π₀, ψ).gradient + `vmpoTrustRegionLoss`(M, π₀, π₀, ν₀, ε_ν).gradient, ψ = `vmpoWeights`(Â_M, `vmpoTopHalf`(Â_M), η₀) |
 *
 * (B the update's batch, M the first minibatch, V the critic's table before the update.)
 * The same on `chain` with the learners starting from an MLP policy over one-hot states
 * (`mlpStatePolicy` of `src/algorithms/mlp-policy.ts`): the directions are then in the
 * network's weights, through the same estimator calls.
 * Negative control: the same recomputation with a plausible wrong variant — REINFORCE without
 * the γ^t weight (`reinforceRewardToGoNoDiscountWeight`), the others with GAE at λ − 0.05 —
 * must not be bit-identical. The instances have γ = 0.9, where both variants change the result.
 *
 * @module
 */
import { addGradients, uniformSoftmax, type GradientEvent } from '../../algorithms/common.js';
import { LEARNERS } from '../../algorithms/index.js';
import { mlpStatePolicy } from '../../algorithms/mlp-policy.js';
import { gather, minibatch } from '../../algorithms/rollout.js';
import { actorCriticGradient } from '../../estimators/actorcritic.js';
import { gae } from '../../estimators/advantages.js';
import { entropyBonus } from '../../estimators/entropy.js';
import { normalizeAdvantages } from '../../estimators/normalize.js';
import { ppoClipSurrogate } from '../../estimators/ppo.js';
import { reinforceRewardToGo, reinforceRewardToGoNoDiscountWeight } from '../../estimators/reinforce.js';
import { trpoStep } from '../../algorithms/trpo-step.js';
import { vmpoPolicyLoss, vmpoTopHalf, vmpoTrustRegionLoss, vmpoWeights } from '../../estimators/vmpo.js';
import { builtinMDP } from '../../mdp/library/index.js';
import type { FiniteMDP } from '../../mdp/model.js';
import type { Parameterization, Policy } from '../../policy/types.js';
import { decide, type Check, type Claim } from '../claim.js';
import { learnerCurveClaim } from './learner-curves.js';

/** The MDPs of the claim (γ = 0.9: the γ^t weight and λ both matter). */
const INSTANCES = ['chain', 'gridworld-5x5'] as const;

/** The MDP on which the learners also start from an MLP policy (`mlpStatePolicy`, one hidden layer of 8). */
const MLP_INSTANCE = 'chain';

/** Small budgets: one update of a short segment (the claim needs only the first step). */
const ONE_UPDATE: Readonly<Record<string, Record<string, number>>> = {
  reinforce: { updates: 1, episodes: 4, maxEpisodeSteps: 30 },
  a2c: { updates: 1, envs: 4, length: 16, maxEpisodeSteps: 30 },
  trpo: { updates: 1, envs: 4, length: 16, maxEpisodeSteps: 30 },
  ppo: { updates: 1, envs: 4, length: 16, maxEpisodeSteps: 30, epochs: 1, minibatches: 4 },
  vmpo: { updates: 1, envs: 4, length: 16, maxEpisodeSteps: 30, epochs: 1, minibatches: 4 },
};

/** The learner's first optimizer step on `mdp` (seeded; from `policy`, default uniform softmax), with its resolved hyperparameters. */
export function firstStep(algo: string, mdp: FiniteMDP, seed: number, policy?: Policy): { event: GradientEvent; hp: Readonly<Record<string, unknown>> } {
  const l = LEARNERS.find((x) => x.name === algo)!;
  let event: GradientEvent | undefined;
  const run = l.run(mdp, ONE_UPDATE[algo]!, { seed, probe: (e) => { event ??= e; }, ...(policy ? { policy } : {}) });
  return { event: event!, hp: run.curve.hyperparameters };
}

/**
 * The first update direction recomputed by calling the estimators on the probe's batch;
 * `wrong` selects the control's variant (no γ^t for REINFORCE, λ − 0.05 for the others).
 */
export function directFromEstimators(algo: string, mdp: FiniteMDP, event: GradientEvent, hp: Readonly<Record<string, unknown>>, wrong: boolean, param: Parameterization = uniformSoftmax(mdp).param): Float64Array {
  const gamma = mdp.gamma, batch = event.batch;
  const pi0: Policy = { param, theta: Float64Array.from(event.theta) };
  const lambda = (hp.lambda as number) - (wrong ? 0.05 : 0);
  const advantages = () => gae(batch, event.values!, gamma, lambda);
  switch (algo) {
    case 'reinforce':
      return (wrong ? reinforceRewardToGoNoDiscountWeight : reinforceRewardToGo)(batch, pi0, gamma).map((x) => -x);
    case 'a2c': {
      const adv = hp.normalizeAdvantages ? normalizeAdvantages(advantages()) : advantages();
      const pg = actorCriticGradient(batch, pi0, gamma, adv).map((x) => -x);
      return (hp.entropyCoef as number) > 0 ? addGradients(pg, entropyBonus(batch, pi0, gamma, hp.entropyCoef as number).gradient) : pg;
    }
    case 'trpo': {
      const adv = hp.normalizeAdvantages ? normalizeAdvantages(advantages()) : advantages();
      const step = trpoStep(batch, pi0, gamma, adv, { maxKl: hp.maxKl as number, damping: hp.damping as number, cgIterations: hp.cgIterations as number, maxBacktracks: hp.lineSearchSteps as number, shrink: hp.shrink as number });
      return step.theta.map((x, k) => x - event.theta[k]!);
    }
    case 'ppo': {
      const mb = minibatch(batch, event.indices!), raw = gather(advantages(), event.indices!);
      const adv = hp.normalizeAdvantages ? normalizeAdvantages(raw) : raw;
      return ppoClipSurrogate(mb, pi0, gamma, adv, hp.clip as number).gradient;
    }
    case 'vmpo': {
      const mb = minibatch(batch, event.indices!), adv = gather(advantages(), event.indices!);
      const psi = vmpoWeights(adv, vmpoTopHalf(adv), event.scalars!.eta!);
      return addGradients(vmpoPolicyLoss(mb, pi0, psi).gradient, vmpoTrustRegionLoss(mb, pi0, pi0, event.scalars!.nu!, hp.epsilonNu as number).gradient);
    }
    default:
      throw new Error(`unknown learner ${algo}`);
  }
}

/** The number of entries where `a` and `b` are not the same double (Object.is; a length mismatch counts every entry). */
export function bitDifferences(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return Math.max(a.length, b.length);
  let n = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) n++;
  return n;
}

function checks(seed: number, wrong: boolean): Check[] {
  const out: Check[] = [];
  for (const [name, mlp] of [...INSTANCES.map((n) => [n, false] as const), [MLP_INSTANCE, true] as const]) {
    const mdp = builtinMDP(name);
    for (const l of LEARNERS) {
      const policy = mlp ? mlpStatePolicy(mdp, [8], seed) : undefined;
      const { event, hp } = firstStep(l.name, mdp, seed, policy);
      const direct = directFromEstimators(l.name, mdp, event, hp, wrong, policy?.param);
      let norm = 0;
      for (const x of event.direction) norm = Math.max(norm, Math.abs(x));
      const differing = bitDifferences(event.direction, direct);
      out.push(decide(`${name}${mlp ? ' (MLP 8 over one-hot states)' : ''} ${l.name}`, differing, 0, { note: `${differing} of ${direct.length} entries differ; max |direction| ${norm.toExponential(2)}` }));
    }
  }
  return out;
}

export const learnerIntegrationClaim: Claim = {
  id: 'learners.first-update-is-the-estimator',
  title: "Each learner's first update direction is the verified estimators' output on its batch, bit for bit",
  statement: String.raw`\text{direction}_{\text{learner}}(B_0, \theta_0, V_0) \equiv f_{\text{estimators}}(B_0, \theta_0, V_0)\ \text{(every double identical)}`,
  source: 'issue 11; Lehmann 2024, §4.1–4.5 (REINFORCE, A3C, TRPO, PPO, V-MPO)',
  relation: 'identity',
  rule: 'the number of entries that are not the same double is 0',
  run: (ctx) => checks(ctx.seed, false),
  control: {
    description: 'the same recomputation with REINFORCE without the γ^t weight and the other learners with GAE at λ − 0.05',
    run: (ctx) => checks(ctx.seed, true),
  },
};

/** The learners' claim group. */
export const learnerClaims: Claim[] = [learnerIntegrationClaim, learnerCurveClaim];
