/**
 * What every learner of `src/algorithms/` shares: the hyperparameter check, the exact watcher
 * that turns each policy π_n into a {@link CurveRecord}, the optimizer step (global-norm
 * clipping, then Adam, from `src/optim`), the k3 KL estimate a learner logs, and the probe
 * through which the integration claim sees the first update direction.
 *
 * Nothing here computes a return, an advantage, a ratio, a surrogate or a score: those come
 * from `src/estimators/`; the exact quantities come from `src/exact/`.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import { policyIteration } from '../exact/control.js';
import { entropyPerState, klPerState, weightedMean } from '../exact/divergence.js';
import { evaluatePolicy } from '../exact/evaluate.js';
import { klK3 } from '../estimators/kl.js';
import { logRatios } from '../estimators/score.js';
import type { FiniteMDP } from '../mdp/model.js';
import type { Adam } from '../optim/adam.js';
import { clipGradNorm } from '../optim/clip.js';
import { softmaxPolicy } from '../policy/softmax.js';
import type { Policy } from '../policy/types.js';
import type { Batch } from '../sampling/batch.js';
import type { Curve, CurveRecord } from './curve.js';

/** A hyperparameter object: numbers and booleans only, so the CLI can set each as `--name value`. */
export type Hyperparameters = Readonly<Record<string, number | boolean>>;

/**
 * `defaults` overridden by `given`; throws `LEARNER_OPTIONS` naming an unknown key, a value of
 * the wrong type, or a number outside `ranges[key]` = [lo, hi] (integers where `integer` lists the key).
 */
export function resolveHyperparameters<H extends Hyperparameters>(algo: string, defaults: H, given: Partial<H>, ranges: Readonly<Record<string, readonly [number, number]>>, integer: readonly string[] = []): H {
  const out: Record<string, number | boolean> = { ...defaults };
  for (const [k, v] of Object.entries(given)) {
    if (v === undefined) continue;
    if (!(k in defaults)) fail('LEARNER_OPTIONS', `${algo}: unknown hyperparameter ${show(k)} (known: ${Object.keys(defaults).join(', ')})`, { where: k });
    const d = defaults[k];
    if (typeof v !== typeof d) fail('LEARNER_OPTIONS', `${algo}: ${k} is ${show(v)}: expected a ${typeof d}`, { where: k, value: v });
    if (typeof v === 'number') {
      const [lo, hi] = ranges[k] ?? [-Infinity, Infinity];
      if (!Number.isFinite(v) || v < lo || v > hi || (integer.includes(k) && !Number.isSafeInteger(v))) {
        fail('LEARNER_OPTIONS', `${algo}: ${k} is ${show(v)}: expected ${integer.includes(k) ? 'an integer' : 'a number'} in [${lo}, ${hi}]`, { where: k, value: v });
      }
    }
    out[k] = v;
  }
  return out as H;
}

/** The time limit of the episodes when `maxEpisodeSteps` is 0 (automatic) and γ = 1. */
export const EPISODIC_TIME_LIMIT = 200;

/**
 * The episodes' time limit T: `maxEpisodeSteps` when it is positive; for 0 (automatic)
 * {@link EPISODIC_TIME_LIMIT} when γ = 1, else ⌈4/(1 − γ)⌉ — past it every γ^t-weighted
 * estimator gives a step weight γ^t ≤ e^{−4} ≈ 0.018, so longer episodes spend samples that
 * hardly count (the critic learners bootstrap from V(s_tp1) at the cut; REINFORCE's return is
 * cut there, a bias of at most γ^T·max|V|).
 */
export function episodeTimeLimit(maxEpisodeSteps: number, gamma: number): number {
  if (maxEpisodeSteps > 0) return maxEpisodeSteps;
  return gamma === 1 ? EPISODIC_TIME_LIMIT : Math.ceil(4 / (1 - gamma) - 1e-9); // 4/(1 − 0.9) is 40.000000000000007 in doubles: T = 40
}

/** `hp` with `maxEpisodeSteps` resolved by {@link episodeTimeLimit} (what the curve records). */
export function withTimeLimit<H extends { readonly maxEpisodeSteps: number }>(hp: H, gamma: number): H {
  return { ...hp, maxEpisodeSteps: episodeTimeLimit(hp.maxEpisodeSteps, gamma) };
}

/** The tabular softmax policy with all logits 0 (the uniform policy), where every learner starts. */
export function uniformSoftmax(mdp: FiniteMDP): Policy {
  return { param: softmaxPolicy(mdp.numStates, mdp.numActions), theta: new Float64Array(mdp.numStates * mdp.numActions) };
}

/**
 * The policy a run starts from: a copy of `opts.policy` when given (an MLP over the states,
 * `mlpStatePolicy` of `./mlp-policy.ts`, or any parameterization of the MDP's S states and A
 * actions), else the uniform tabular softmax ({@link uniformSoftmax}). Throws
 * `LEARNER_OPTIONS` when the given policy's state or action count is not the MDP's.
 */
export function initialPolicy(mdp: FiniteMDP, opts: LearnerRunOptions): Policy {
  const p = opts.policy;
  if (p === undefined) return uniformSoftmax(mdp);
  if (p.param.numStates !== mdp.numStates || p.param.numActions !== mdp.numActions) fail('LEARNER_OPTIONS', `the initial policy is over ${p.param.numStates} states × ${p.param.numActions} actions; the MDP has ${mdp.numStates} × ${mdp.numActions}`, { where: 'policy', value: `${p.param.numStates}×${p.param.numActions}` });
  p.param.check(p.theta);
  return snapshot(p);
}

/** A frozen copy of a policy (π_old of an update). */
export function snapshot(policy: Policy): Policy {
  return { param: policy.param, theta: Float64Array.from(policy.theta) };
}

/**
 * The k3 estimate a learner logs of KL(π_old ‖ π_new) on its batch (Schulman 2020; cleanrl's
 * `approx_kl`): the plain mean over the batch's transitions of k3 = (r − 1) − log r with
 * log r_i = log π_new(a_i|s_i) − `logp_t[i]` (`logRatios`, `klK3`). The states are weighted
 * as the batch visits them (undiscounted), the exact curve by d_γ: for γ = 1 the two weightings
 * agree in expectation, for γ < 1 they differ (a documented departure, as in every library).
 */
export function k3Estimate(batch: Batch, policy: Policy): number {
  const k3 = klK3(logRatios(batch, policy));
  let m = 0;
  for (let i = 0; i < k3.length; i++) m += k3[i]!;
  return k3.length > 0 ? m / k3.length : 0;
}

/** What a learner hands the probe at each optimizer step (copies: the probe may keep them). */
export interface GradientEvent {
  /** Update n (0-based: the update that produces π_{n+1}). */
  readonly update: number;
  /** The optimizer step within the update (epoch × minibatches + minibatch). */
  readonly step: number;
  /** The whole batch of the update. */
  readonly batch: Batch;
  /** The critic's table before this update's value fit (null without a critic). */
  readonly values: Float64Array | null;
  /** The minibatch's transition indices into `batch` (null: the whole batch). */
  readonly indices: Int32Array | null;
  /** θ before the step. */
  readonly theta: Float64Array;
  /**
   * The update direction the learner hands its optimizer, before clipping: the loss gradient
   * for the gradient learners (θ ← θ − α·clip(g)); the accepted step Δθ for TRPO.
   */
  readonly direction: Float64Array;
  /** Learner-specific scalars the direction depended on (V-MPO's η and ν, for instance). */
  readonly scalars?: Readonly<Record<string, number>>;
}

/** Options every learner takes besides its hyperparameters. */
export interface LearnerRunOptions {
  /** The one seed that determines the run. */
  readonly seed: number;
  /** A label for the curve's `mdp` field (default `mdp`). */
  readonly label?: string;
  /** Called with every optimizer step's direction (the integration claim's window). */
  readonly probe?: (e: GradientEvent) => void;
  /** Called with every curve record as it is made (progress bars, JSON lines). */
  readonly onRecord?: (r: CurveRecord) => void;
  /** The policy to start from (copied; default the uniform tabular softmax): {@link initialPolicy}. */
  readonly policy?: Policy;
}

/** A finished run: the exact learning curve, the final policy, the critic's final table. */
export interface LearnerResult {
  readonly curve: Curve;
  readonly policy: Policy;
  readonly values: Float64Array | null;
}

/**
 * Watches a learner on a tabular MDP and writes its exact learning curve: after update n,
 * J(θ_n) = Σ_s p0(s) V^{π_n}(s) and the normalized visitation d_{π_n} (`evaluatePolicy`),
 * J* − J(θ_n) with J* = Σ_s p0(s) V*(s) from policy iteration, the exact d-weighted KL
 * Σ_s d_{π_{n−1}}(s) KL(π_{n−1}(·|s) ‖ π_n(·|s)) (`klPerState`, `weightedMean`) and the exact
 * entropy Σ_s d_{π_n}(s) H(π_n(·|s)) (`entropyPerState`).
 */
export class ExactWatcher {
  readonly JStar: number;
  readonly records: CurveRecord[] = [];
  private piPrev: Float64Array;
  private dPrev: Float64Array;

  constructor(readonly mdp: FiniteMDP, policy: Policy, private readonly onRecord?: (r: CurveRecord) => void) {
    this.JStar = weightedMean(mdp.initial, policyIteration(mdp).V);
    this.piPrev = new Float64Array(0);
    this.dPrev = new Float64Array(0);
    this.record(0, policy, null);
  }

  /** Records π_n = `policy` after `samples` transitions in all; `klK3` is the learner's own estimate. */
  record(samples: number, policy: Policy, klK3Value: number | null, extra?: Record<string, number>): CurveRecord {
    const { numStates: S, numActions: A } = this.mdp;
    const pi = policy.param.probs(policy.theta).slice();
    const ev = evaluatePolicy(this.mdp, pi);
    const n = this.records.length;
    const klExact = n === 0 ? null : weightedMean(this.dPrev, klPerState(this.piPrev, pi, S, A));
    const rec: CurveRecord = {
      update: n, samples, J: ev.J, gap: this.JStar - ev.J, klExact, klK3: n === 0 ? null : klK3Value,
      entropy: weightedMean(ev.d, entropyPerState(pi, S, A)), ...(extra ? { extra } : {}),
    };
    this.piPrev = pi;
    this.dPrev = ev.d.slice();
    this.records.push(rec);
    this.onRecord?.(rec);
    return rec;
  }

  /** The curve of the run. */
  curve(algo: string, label: string, seed: number, hyperparameters: Hyperparameters): Curve {
    return { algo, mdp: label, seed, JStar: this.JStar, hyperparameters: { ...hyperparameters }, records: this.records };
  }
}

/**
 * One optimizer step on θ (Lehmann 2024, Appendix A): the global gradient norm clipped to
 * `maxGradNorm` (`clipGradNorm`; 0 turns clipping off), then Adam at learning rate `lr`.
 * The clipping works on a copy: `grad` is left as the estimator returned it.
 */
export function optimizerStep(opt: Adam, theta: Float64Array, grad: Float64Array, lr: number, maxGradNorm: number): void {
  const g = Float64Array.from(grad);
  if (maxGradNorm > 0) clipGradNorm(g, maxGradNorm);
  opt.step(theta, g, lr);
}

/** The sum of loss gradients (each a `Surrogate.gradient` from `src/estimators/`), into a new vector. */
export function addGradients(...grads: Float64Array[]): Float64Array {
  const out = Float64Array.from(grads[0]!);
  for (let k = 1; k < grads.length; k++) { const g = grads[k]!; for (let i = 0; i < out.length; i++) out[i] = out[i]! + g[i]!; }
  return out;
}
