/**
 * The mutation catalogue: wrong estimators modelled on bugs public RL libraries have
 * shipped, each beside its correct twin and with the **same signature**, so that a check
 * can run both on the same batches: a sound check must reject the mutant and pass the twin.
 *
 * Each entry names the kind of check that should catch it:
 * - `mean`: the mutant's expectation differs from the exact target (a bias a mean test
 *   detects; its twin is unbiased);
 * - `variance`: the mutant is unbiased too, but its variance is larger — it must pass the
 *   mean checks and be told apart only by a variance-order check.
 *
 * Every mutant is written out in full here (no flag inside the correct estimator turns it
 * on), and `where` says on which batches the bug shows — on others the mutant agrees with
 * its twin exactly, which the property tests check as well.
 *
 * @module
 */
import { gae, klK1, klK3, nStepAdvantages, klPenalty, entropyBonus, ppoClipSurrogate, reinforceRewardToGo, reinforceRewardToGoNoDiscountWeight, reinforceTotalReturn } from '../estimators/index.js';
import { isEpisodeStart, logRatios, pairSum, perEpisodeScale, scoreCombination } from '../estimators/score.js';
import type { Surrogate } from '../estimators/surrogate.js';
import type { Policy } from '../policy/types.js';
import type { Batch } from '../sampling/batch.js';

/** (batch, values V[s], γ, λ) → per-step advantages: GAE's signature. */
export type AdvantageFn = (batch: Batch, values: Float64Array, gamma: number, lambda: number) => Float64Array;
/** (batch, policy, γ, state baseline b[s]?) → estimate of ∇J: REINFORCE's signature. */
export type PolicyGradientFn = (batch: Batch, policy: Policy, gamma: number, baseline?: Float64Array) => Float64Array;
/** (batch, policy, γ, per-step advantages, ε) → loss and gradient: PPO's clipped surrogate. */
export type ClippedSurrogateFn = (batch: Batch, policy: Policy, gamma: number, advantages: Float64Array, epsilon: number) => Surrogate;
/** (batch, policy, γ, coefficient) → loss and gradient: the KL penalty and the entropy bonus. */
export type RegularizerFn = (batch: Batch, policy: Policy, gamma: number, coefficient: number) => Surrogate;
/** per-sample log r = log p(x) − log q(x), x ∼ q → per-sample estimates of KL(q‖p). */
export type KlFn = (logRatio: Float64Array) => Float64Array;

interface MutationInfo {
  /** Stable id, `mutant.<name>`. */
  readonly id: string;
  /** The bug in one line. */
  readonly description: string;
  /** The exported name of the correct twin. */
  readonly twin: string;
  /** Which check should catch it. */
  readonly detectedBy: 'mean' | 'variance';
  /** On which batches the bug shows (elsewhere the mutant equals its twin). */
  readonly where: string;
  /** A public report of the bug, where one is known. */
  readonly seenIn?: string;
}

/** One mutant and its twin, typed by the estimator kind they share. */
export type Mutation = MutationInfo & (
  | { readonly kind: 'advantage'; readonly correct: AdvantageFn; readonly mutant: AdvantageFn }
  | { readonly kind: 'policy-gradient'; readonly correct: PolicyGradientFn; readonly mutant: PolicyGradientFn }
  | { readonly kind: 'clipped-surrogate'; readonly correct: ClippedSurrogateFn; readonly mutant: ClippedSurrogateFn }
  | { readonly kind: 'regularizer'; readonly correct: RegularizerFn; readonly mutant: RegularizerFn }
  | { readonly kind: 'kl'; readonly correct: KlFn; readonly mutant: KlFn }
);

/** The TD error with an explicit "bootstrap?" flag, shared by the GAE mutants. */
function delta(b: Batch, values: Float64Array, gamma: number, i: number, bootstrap: boolean): number {
  return b.r_t[i]! + (bootstrap ? gamma * values[b.s_tp1[i]!]! : 0) - values[b.s_t[i]!]!;
}

/** GAE whose carry is never reset: Â_t = δ_t + γλÂ_{t+1} across episode ends (δ_t itself is right). */
export function gaeNoEpisodeReset(batch: Batch, values: Float64Array, gamma: number, lambda: number): Float64Array {
  const out = new Float64Array(batch.size);
  let carry = 0;
  for (let i = batch.size - 1; i >= 0; i--) {
    carry = delta(batch, values, gamma, i, !batch.terminated_t[i]) + gamma * lambda * carry;
    out[i] = carry;
  }
  return out;
}

/**
 * GAE that reads the end flags one step late: at t < n−1 it uses the flags of transition
 * t+1 (a `dones[t+1]` written for the "episode starts at t" convention and read with the
 * "episode ended at t" one); the last transition uses its own.
 */
export function gaeDoneFlagOneStepLate(batch: Batch, values: Float64Array, gamma: number, lambda: number): Float64Array {
  const out = new Float64Array(batch.size);
  let carry = 0;
  for (let i = batch.size - 1; i >= 0; i--) {
    const j = i === batch.size - 1 ? i : i + 1;
    const d = delta(batch, values, gamma, i, !batch.terminated_t[j]);
    carry = batch.terminated_t[j] || batch.truncated_t[j] ? d : d + gamma * lambda * carry;
    out[i] = carry;
  }
  return out;
}

/** GAE that treats a truncation (time limit, segment end) as a termination: no bootstrap from V(s_tp1). */
export function gaeTruncationAsTermination(batch: Batch, values: Float64Array, gamma: number, lambda: number): Float64Array {
  const out = new Float64Array(batch.size);
  let carry = 0;
  for (let i = batch.size - 1; i >= 0; i--) {
    const ended = batch.terminated_t[i] || batch.truncated_t[i];
    const d = delta(batch, values, gamma, i, !ended);
    carry = ended ? d : d + gamma * lambda * carry;
    out[i] = carry;
  }
  return out;
}

/**
 * A backward scan that seeds the GAE carry with V(s_T) where an episode piece was cut:
 * Â_{T−1} = δ_{T−1} + γλV(s_T), though δ_{T−1} = r + γV(s_T) − V(s_{T−1}) already holds the
 * bootstrap — it is counted twice (each truncated piece is one scan of its own).
 */
export function gaeCarrySeededWithBootstrap(batch: Batch, values: Float64Array, gamma: number, lambda: number): Float64Array {
  const out = new Float64Array(batch.size);
  let carry = 0;
  for (let i = batch.size - 1; i >= 0; i--) {
    if (batch.terminated_t[i]) carry = 0;
    else if (batch.truncated_t[i]) carry = values[batch.s_tp1[i]!]!;
    carry = delta(batch, values, gamma, i, !batch.terminated_t[i]) + gamma * lambda * carry;
    out[i] = carry;
  }
  return out;
}

/**
 * GAE whose later TD errors decay by λ^k instead of (γλ)^k: Â_t = δ_t + λ Â_{t+1} — the γ
 * dropped from the carry. With V^π every later TD error has mean zero, so the bias shows
 * only under another critic (src/exact/advantage-expectation.ts).
 */
export function gaeLambdaWithoutGamma(batch: Batch, values: Float64Array, gamma: number, lambda: number): Float64Array {
  const out = new Float64Array(batch.size);
  let carry = 0;
  for (let i = batch.size - 1; i >= 0; i--) {
    const d = delta(batch, values, gamma, i, !batch.terminated_t[i]);
    carry = batch.terminated_t[i] || batch.truncated_t[i] ? d : d + lambda * carry;
    out[i] = carry;
  }
  return out;
}

/**
 * GAE whose later TD errors get (γλ)^{k+1} instead of (γλ)^k: Â_t = δ_t + Σ_{k≥1} (γλ)^{k+1}
 * δ_{t+k} = δ_t + (γλ)² F_{t+1}, F the correct GAE — an off-by-one in the weight's exponent
 * that leaves δ_t (hence the mean under V^π) untouched.
 */
export function gaeFutureWeightsShifted(batch: Batch, values: Float64Array, gamma: number, lambda: number): Float64Array {
  const out = new Float64Array(batch.size), gl = gamma * lambda;
  let carry = 0;
  for (let i = batch.size - 1; i >= 0; i--) {
    const d = delta(batch, values, gamma, i, !batch.terminated_t[i]);
    const end = batch.terminated_t[i] || batch.truncated_t[i];
    out[i] = end ? d : d + gl * gl * carry; // carry = F_{t+1}
    carry = end ? d : d + gl * carry;
  }
  return out;
}

/**
 * A λ-return whose recursion swaps its mixing weights: G_t = r_t + γ[λV(s_{t+1}) +
 * (1−λ)G_{t+1}] instead of r_t + γ[(1−λ)V(s_{t+1}) + λG_{t+1}] (Â_t = G_t − V(s_t)), i.e. the
 * λ-return of 1 − λ. Its weights still sum to one, so it is unbiased under V^π; equal to the
 * twin at λ = ½.
 */
export function lambdaReturnSwappedMix(batch: Batch, values: Float64Array, gamma: number, lambda: number): Float64Array {
  const out = new Float64Array(batch.size);
  let next = 0;
  for (let i = batch.size - 1; i >= 0; i--) {
    const v_tp1 = batch.terminated_t[i] ? 0 : values[batch.s_tp1[i]!]!;
    next = batch.terminated_t[i] || batch.truncated_t[i] ? batch.r_t[i]! + gamma * v_tp1 : batch.r_t[i]! + gamma * (lambda * v_tp1 + (1 - lambda) * next);
    out[i] = next - values[batch.s_t[i]!]!;
  }
  return out;
}

/**
 * GAE that bootstraps through a termination: δ_t = r_t + γV(s_tp1) − V(s_t) even where
 * s_tp1 is terminal (the critic's value of the terminal state is read; the carry still
 * resets). Invisible with V^π, which is 0 on terminal states.
 */
export function gaeBootstrapThroughTermination(batch: Batch, values: Float64Array, gamma: number, lambda: number): Float64Array {
  const out = new Float64Array(batch.size);
  let carry = 0;
  for (let i = batch.size - 1; i >= 0; i--) {
    const d = delta(batch, values, gamma, i, true);
    carry = batch.terminated_t[i] || batch.truncated_t[i] ? d : d + gamma * lambda * carry;
    out[i] = carry;
  }
  return out;
}

/**
 * REINFORCE (reward-to-go, γ^t) whose "baseline" is read at the next state s_{t+1} — an
 * off-by-one that makes it depend on the action a_t: E[∇log π(a|s) b(s′)] ≠ 0.
 */
export function reinforceNextStateBaseline(batch: Batch, policy: Policy, gamma: number, baseline?: Float64Array): Float64Array {
  const shifted = reinforceRewardToGo(batch, policy, gamma); // the baseline-free part
  if (baseline === undefined) return shifted;
  const scale = perEpisodeScale(batch, 'reinforceNextStateBaseline'), A = batch.numActions;
  const coef = pairSum(batch);
  let w = 1;
  for (let i = 0; i < batch.size; i++) {
    w = isEpisodeStart(batch, i) ? Math.pow(gamma, batch.t_index[i]!) : w * gamma;
    coef.add(batch.s_t[i]! * A + batch.a_t[i]!, -w * baseline[batch.s_tp1[i]!]!);
  }
  const g = scoreCombination(policy, coef, scale, 'reinforceNextStateBaseline');
  for (let k = 0; k < g.length; k++) g[k] = g[k]! + shifted[k]!;
  return g;
}

/** PPO that takes the min over the ratios before multiplying by Â: min(ρ, clip(ρ, 1−ε, 1+ε))·Â. */
export function ppoMinBeforeMultiply(batch: Batch, policy: Policy, gamma: number, advantages: Float64Array, epsilon: number): Surrogate {
  const scale = perEpisodeScale(batch, 'ppoMinBeforeMultiply');
  const logRho = logRatios(batch, policy), A = batch.numActions, coef = pairSum(batch);
  let w = 1, L = 0;
  for (let i = 0; i < batch.size; i++) {
    w = isEpisodeStart(batch, i) ? Math.pow(gamma, batch.t_index[i]!) : w * gamma;
    const rho = Math.exp(logRho[i]!), clipped = Math.min(Math.max(rho, 1 - epsilon), 1 + epsilon);
    L += w * Math.min(rho, clipped) * advantages[i]!;
    if (rho <= clipped) coef.add(batch.s_t[i]! * A + batch.a_t[i]!, w * rho * advantages[i]!);
  }
  return { loss: -L * scale, gradient: scoreCombination(policy, coef, -scale, 'ppoMinBeforeMultiply') };
}

/** k3 computed as (e^r − 1) − r: the ratio r = e^{log r} used where log r belongs. */
export function klK3ExpOfRatio(logRatio: Float64Array): Float64Array {
  return logRatio.map((x) => { const r = Math.exp(x); return Math.expm1(r) - r; });
}

function negated(s: Surrogate): Surrogate {
  return { loss: -s.loss, gradient: s.gradient.map((x) => -x) };
}

/** The KL penalty added with the wrong sign: the loss rewards moving away from π_old. */
export function klPenaltySignFlipped(batch: Batch, policy: Policy, gamma: number, beta: number): Surrogate {
  return negated(klPenalty(batch, policy, gamma, beta));
}

/** The entropy bonus added with the wrong sign: the loss penalizes entropy (+c·H). */
export function entropyBonusSignFlipped(batch: Batch, policy: Policy, gamma: number, coefficient: number): Surrogate {
  return negated(entropyBonus(batch, policy, gamma, coefficient));
}

/**
 * The n-step advantage whose bootstrap is discounted by γ^{k−1} instead of γ^k (k = the
 * window's length): an off-by-one in the discount exponent. The fourth argument is n.
 */
export function nStepBootstrapOffByOne(batch: Batch, values: Float64Array, gamma: number, n: number): Float64Array {
  const out = new Float64Array(batch.size);
  for (let i = 0; i < batch.size; i++) {
    let g = 0, w = 1;
    for (let j = i, k = 1; ; j++, k++) {
      g += w * batch.r_t[j]!;
      if (batch.terminated_t[j]) break;
      if (batch.truncated_t[j] || k === n) { g += w * values[batch.s_tp1[j]!]!; break; } // the twin multiplies by γ once more
      w *= gamma;
    }
    out[i] = g - values[batch.s_t[i]!]!;
  }
  return out;
}

/** The catalogue, in the order. */
export const MUTATIONS: readonly Mutation[] = [
  {
    id: 'mutant.reinforce-no-discount-weight', kind: 'policy-gradient', detectedBy: 'mean',
    description: 'REINFORCE with reward-to-go but without the γ^t weight on the score',
    twin: 'reinforceRewardToGo', correct: reinforceRewardToGo, mutant: reinforceRewardToGoNoDiscountWeight,
    where: 'γ < 1 and transitions at t > 0 (equal to the twin when γ = 1)',
    seenIn: 'facebookresearch/Pearl#46 (kept on purpose); Nota & Thomas 2020',
  },
  {
    id: 'mutant.gae-no-reset', kind: 'advantage', detectedBy: 'mean',
    description: 'GAE whose carry is not reset at episode ends (it leaks the next episode\'s TD errors)',
    twin: 'gae', correct: gae, mutant: gaeNoEpisodeReset,
    where: 'batches with more than one episode, γλ > 0, and a value table other than V^π (with the exact V^π the leaked TD errors have mean zero: the mutant is then unbiased and only adds variance)',
    seenIn: 'vietnh1009/Super-mario-bros-PPO-pytorch#21',
  },
  {
    id: 'mutant.gae-done-one-step-late', kind: 'advantage', detectedBy: 'mean',
    description: 'GAE that reads the done flag of transition t+1 at step t',
    twin: 'gae', correct: gae, mutant: gaeDoneFlagOneStepLate,
    where: 'any episode end before the batch\'s last transition (and the step before it)',
    seenIn: 'RoboVerseOrg/RoboVerse#814',
  },
  {
    id: 'mutant.truncation-as-termination', kind: 'advantage', detectedBy: 'mean',
    description: 'a time-limit or segment truncation treated as a termination: no bootstrap from V(s_tp1)',
    twin: 'gae', correct: gae, mutant: gaeTruncationAsTermination,
    where: 'truncated transitions with V(s_tp1) ≠ 0, γ > 0',
    seenIn: 'DLR-RM/stable-baselines3#633; vwxyzjn/cleanrl#457; Pardo et al. 2018',
  },
  {
    id: 'mutant.gae-carry-seeded-with-bootstrap', kind: 'advantage', detectedBy: 'mean',
    description: 'a backward scan that seeds the GAE carry with V(s_T), counting the bootstrap twice',
    twin: 'gae', correct: gae, mutant: gaeCarrySeededWithBootstrap,
    where: 'truncated pieces with V(s_tp1) ≠ 0, γλ > 0 (terminated episodes are unaffected)',
  },
  {
    id: 'mutant.nstep-bootstrap-off-by-one', kind: 'advantage', detectedBy: 'mean',
    description: 'the n-step advantage with its bootstrap V(s_{t+k}) discounted by γ^{k−1} instead of γ^k (the fourth argument is n)',
    twin: 'nStepAdvantages', correct: nStepAdvantages, mutant: nStepBootstrapOffByOne,
    where: 'every bootstrapped window with γ < 1 and V(s_{t+k}) ≠ 0',
  },
  {
    id: 'mutant.gae-lambda-without-gamma', kind: 'advantage', detectedBy: 'mean',
    description: 'GAE whose later TD errors decay by λ^k instead of (γλ)^k (γ dropped from the carry)',
    twin: 'gae', correct: gae, mutant: gaeLambdaWithoutGamma,
    where: 'γ < 1, λ > 0, and a critic other than V^π (with V^π the later TD errors have mean zero)',
  },
  {
    id: 'mutant.gae-future-weights-shifted', kind: 'advantage', detectedBy: 'mean',
    description: 'GAE whose later TD errors get (γλ)^{k+1} instead of (γλ)^k (δ_t itself keeps weight 1)',
    twin: 'gae', correct: gae, mutant: gaeFutureWeightsShifted,
    where: '0 < γλ < 1 and a critic other than V^π',
  },
  {
    id: 'mutant.lambda-return-swapped-mix', kind: 'advantage', detectedBy: 'mean',
    description: 'a λ-return recursion that mixes λV(s_{t+1}) + (1−λ)G_{t+1} (the weights swapped: the λ-return of 1 − λ)',
    twin: 'gae', correct: gae, mutant: lambdaReturnSwappedMix,
    where: 'λ ≠ ½, γ > 0, and a critic other than V^π (its weights sum to one)',
  },
  {
    id: 'mutant.bootstrap-through-termination', kind: 'advantage', detectedBy: 'mean',
    description: 'GAE that bootstraps from the critic\'s V(s_tp1) at a termination too',
    twin: 'gae', correct: gae, mutant: gaeBootstrapThroughTermination,
    where: 'terminations into a state whose critic value is not 0 (V^π is 0 there: invisible under V^π)',
  },
  {
    id: 'mutant.ppo-min-before-multiply', kind: 'clipped-surrogate', detectedBy: 'mean',
    description: 'PPO that takes min(ρ, clip(ρ)) before multiplying by Â',
    twin: 'ppoClipSurrogate', correct: ppoClipSurrogate, mutant: ppoMinBeforeMultiply,
    where: 'Â < 0 with ρ outside [1−ε, 1+ε] (equal at ρ = 1, hence at θ = θ_old, and wherever Â ≥ 0)',
    seenIn: 'takuseno/ppo#3',
  },
  {
    id: 'mutant.action-dependent-baseline', kind: 'policy-gradient', detectedBy: 'mean',
    description: 'a baseline read at s_{t+1} instead of s_t, which makes it depend on the action a_t',
    twin: 'reinforceRewardToGo', correct: reinforceRewardToGo, mutant: reinforceNextStateBaseline,
    where: 'a non-constant baseline in an MDP whose next state depends on the action',
  },
  {
    id: 'mutant.k3-exp-of-ratio', kind: 'kl', detectedBy: 'mean',
    description: 'k3 computed as (e^r − 1) − r with the ratio r in place of log r',
    twin: 'klK3', correct: klK3, mutant: klK3ExpOfRatio,
    where: 'everywhere (even at p = q it gives e − 2 instead of 0)',
  },
  {
    id: 'mutant.kl-penalty-sign-flipped', kind: 'regularizer', detectedBy: 'mean',
    description: 'the KL penalty added to the loss with the wrong sign',
    twin: 'klPenalty', correct: klPenalty, mutant: klPenaltySignFlipped,
    where: 'θ ≠ θ_old and β > 0 (at θ = θ_old both are 0)',
  },
  {
    id: 'mutant.entropy-bonus-sign-flipped', kind: 'regularizer', detectedBy: 'mean',
    description: 'the entropy bonus added to the loss with the wrong sign (it penalizes entropy)',
    twin: 'entropyBonus', correct: entropyBonus, mutant: entropyBonusSignFlipped,
    where: 'c > 0 and a visited state with more than one action of positive probability',
    seenIn: 'MrSyee/pg-is-all-you-need#37; nebuly-ai/optimate#250',
  },
  {
    id: 'mutant.whole-episode-return', kind: 'policy-gradient', detectedBy: 'variance',
    description: 'the whole-episode return R in place of the reward-to-go G_t (unbiased; the rewards before t add zero-mean noise)',
    twin: 'reinforceRewardToGo', correct: reinforceRewardToGo, mutant: reinforceTotalReturn,
    where: 'episodes with a reward before the last step; the mean is the same',
  },
  {
    id: 'mutant.k1-instead-of-k3', kind: 'kl', detectedBy: 'variance',
    description: 'k1 = −log r in place of k3 (unbiased, larger variance near p = q)',
    twin: 'klK3', correct: klK3, mutant: klK1,
    where: 'every sample with r ≠ 1; the mean is the same',
  },
];

/** The catalogue entry with this id (undefined if none). */
export function findMutation(id: string): Mutation | undefined {
  return MUTATIONS.find((m) => m.id === id);
}
