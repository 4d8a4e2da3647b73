/**
 * Built-in reference losses of the `value-loss` and `actor-critic` kinds (./value-loss-kind.ts)
 * and their shipped bugs — the negative controls and the "looks like" candidates of a failed
 * check — as per-batch tasks the sampling pool's workers load by URL ({@link deepTaskModule}).
 * The advantages come from the library's verified estimators (src/estimators: `gae`,
 * `nStepAdvantages`); nothing here writes a return formula.
 *
 * | bug | what it does | seen in |
 * | --- | --- | --- |
 * | `bootstrap-through-termination` | targets bootstrap from V(s_T) at a terminal state | the `dones` flag dropped or read one step late |
 * | `targets-from-current-V` | targets recomputed from the V being trained instead of the rollout-time V_old | value targets computed inside the update loop |
 * | `half-mismatch` | ∇ of (V − R)² where ½(V − R)² is declared (or the reverse): a factor 2 | |
 * | `clip-min` | min instead of max of the clipped and unclipped squared errors | |
 * | `advantage-not-detached` | the policy loss −Â log π differentiated through Â into V | a missing `.detach()` on the advantages |
 * | `advantage-not-detached-in-both` | Â not detached and the targets built from it (R = Â + V.detach()): both losses differentiate through Â | the same, with returns computed from the advantages |
 * | `target-not-detached` | the value loss differentiated through its target (the residual gradient) | a missing `.detach()` on the returns |
 * | `entropy-sign-flipped` | + c_H·H in the loss instead of − c_H·H | |
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AdvantageDefinition } from '../exact/advantage-expectation.js';
import { gae, nStepAdvantages } from '../estimators/index.js';
import { entropyGradient } from '../exact/objectives.js';
import type { Policy } from '../policy/types.js';
import type { Batch } from '../sampling/batch.js';
import type { TaskContext } from '../sampling/map.js';
import { actorCriticResiduals, addAdvantageJacobianT, clippedValueTerm, f64, halfFactor, valueLossResiduals, type ActorCriticDeclaration, type ActorCriticTaskOptions, type ValueLossDeclaration, type ValueLossTaskOptions } from './value-loss-kind.js';

/** The known bugs of a value loss. */
export type ValueLossBug = 'bootstrap-through-termination' | 'targets-from-current-V' | 'half-mismatch' | 'clip-min';
/** The known bugs of an actor-critic loss. */
export type ActorCriticBug = 'advantage-not-detached' | 'advantage-not-detached-in-both' | 'target-not-detached' | 'entropy-sign-flipped';

/** The URL of this module (compiled, or its TypeScript source when running from src/). */
export function deepTaskModule(): URL {
  const js = new URL('./deep-tasks.js', import.meta.url);
  return existsSync(fileURLToPath(js)) ? js : new URL('./deep-tasks.ts', import.meta.url);
}

/** The batch with every termination read as a truncation: an estimator then bootstraps from V(s_tp1) at terminal states. */
function terminationsAsTruncations(b: Batch): Batch {
  const truncated_t = Uint8Array.from(b.truncated_t, (x, i) => x | b.terminated_t[i]!);
  return { ...b, truncated_t, terminated_t: new Uint8Array(b.size) };
}

/** Â_t of a definition by the library's estimators (GAE for `'gae'` and `'lambda-return'`). */
export function advantagesOf(batch: Batch, V: Float64Array, gamma: number, lambda: number, definition: AdvantageDefinition): Float64Array {
  return typeof definition === 'object' ? nStepAdvantages(batch, V, gamma, definition.nStep) : gae(batch, V, gamma, lambda);
}

/** Per-transition units of a reduction (the factor a sum's gradient carries per transition). */
const scaleOf = (reduction: 'mean' | 'sum', N: number) => (reduction === 'mean' ? 1 / N : 1);

/** ∇_V of the declared value loss (./value-loss-kind.ts) computed correctly, or with one of the known bugs. */
export function referenceValueLossGradient(batch: Batch, V: Float64Array, Vold: Float64Array, gamma: number, lambda: number, d: ValueLossDeclaration, bug?: ValueLossBug): Float64Array {
  const from = bug === 'targets-from-current-V' ? V : Vold;
  const adv = advantagesOf(bug === 'bootstrap-through-termination' ? terminationsAsTruncations(batch) : batch, from, gamma, lambda, d.definition);
  const k = halfFactor(d) * (bug === 'half-mismatch' ? (d.half ? 2 : 0.5) : 1) * scaleOf(d.reduction, batch.size);
  const g = new Float64Array(batch.numStates), eps = d.valueClip ?? Infinity;
  for (let i = 0; i < batch.size; i++) {
    const s = batch.s_t[i]!, R = adv[i]! + from[s]!;
    g[s] = g[s]! + k * clippedValueTerm(V[s]!, Vold[s]!, R, eps, bug === 'clip-min');
  }
  return g;
}

/** ∇_θ L and ∇_V L of the declared actor-critic loss (./value-loss-kind.ts), computed correctly or with one of the known bugs. */
export function referenceActorCriticGradients(batch: Batch, policy: Policy, V: Float64Array, gamma: number, lambda: number, d: ActorCriticDeclaration, bug?: ActorCriticBug): { gradTheta: Float64Array; gradV: Float64Array } {
  const N = batch.size, S = batch.numStates, k = scaleOf(d.reduction, N);
  const adv = advantagesOf(batch, V, gamma, lambda, d.definition);
  const gradTheta = new Float64Array(policy.param.numParams), gradV = new Float64Array(S), counts = new Float64Array(S);
  const cv = d.valueCoef * halfFactor(d);
  // the weights of ∂Â_t/∂V a missing stop-gradient brings in
  const through = bug === 'advantage-not-detached' || bug === 'advantage-not-detached-in-both' || bug === 'target-not-detached' ? new Float64Array(N) : undefined;
  for (let i = 0; i < N; i++) {
    const s = batch.s_t[i]!, a = batch.a_t[i]!, err = V[s]! - (adv[i]! + V[s]!);
    policy.param.addScore(policy.theta, s, a, -k * adv[i]!, gradTheta);
    counts[s] = counts[s]! + k;
    if (bug === 'target-not-detached') through![i] = -k * cv * err; // ∂(V(s_t) − R_t)/∂V = −∂Â_t/∂V
    else gradV[s] = gradV[s]! + k * cv * err;
    if (bug === 'advantage-not-detached') through![i] = -k * policy.param.logProb(policy.theta, s, a);
    // ∂(V(s_t) − Â_t − V̄(s_t))/∂V = e_{s_t} − ∂Â_t/∂V: the semi-gradient above plus −err·∂Â_t/∂V
    if (bug === 'advantage-not-detached-in-both') through![i] = -k * policy.param.logProb(policy.theta, s, a) - k * cv * err;
  }
  if (through) addAdvantageJacobianT(batch, through, d.definition, gamma, lambda, gradV);
  if (d.entropyCoef) {
    const h = entropyGradient(policy, counts), sign = bug === 'entropy-sign-flipped' ? 1 : -1;
    for (let j = 0; j < gradTheta.length; j++) gradTheta[j] = gradTheta[j]! + sign * d.entropyCoef * h[j]!;
  }
  return { gradTheta, gradV };
}

/** The value-loss residual of the reference loss (`bug` absent: correct) on a batch. */
export function valueLossVariantTask(batch: Batch, ctx: TaskContext<ValueLossTaskOptions & { bug?: ValueLossBug }>): Float64Array {
  const o = ctx.options;
  return valueLossResiduals(batch, o, referenceValueLossGradient(batch, f64(o.values), f64(o.valuesOld), o.gamma, o.lambda, o.decl, o.bug));
}

/** The actor-critic residual of the reference loss (`bug` absent: correct) on a batch. */
export function actorCriticVariantTask(batch: Batch, ctx: TaskContext<ActorCriticTaskOptions & { bug?: ActorCriticBug }>): Float64Array {
  const o = ctx.options;
  const { gradTheta, gradV } = referenceActorCriticGradients(batch, ctx.policy, f64(o.values), o.gamma, o.lambda, o.decl, o.bug);
  return actorCriticResiduals(batch, o, ctx.policy, gradTheta, gradV);
}
