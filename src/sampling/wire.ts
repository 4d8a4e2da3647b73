/**
 * Sending an MDP and policies to a worker thread. A `FiniteMDP` is plain data (numbers,
 * strings and typed arrays) and crosses `postMessage` as it is. A {@link Policy} holds
 * functions, so it travels as a {@link PolicyWire} — its kind, shape and parameters — and
 * is rebuilt on the other side by the same factory.
 *
 * A log-linear policy does not expose its features φ(s,a). It travels with the centred
 * features φ̃(s,a) = ∇_θ log π_θ(a|s) = φ(s,a) − Σ_b π_θ(b|s) φ(s,b), read through its own
 * score: φ̃ differs from φ by a vector c_s per state, and θ·c_s cancels in the softmax, so
 * the rebuilt policy has the same π_θ′ and the same score for every θ′ (equal up to
 * rounding). Every sampler builds its tables from the rebuilt policies, in the calling
 * thread as in workers, so one seed gives bit-identical batches whatever the thread.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import { directPolicy } from '../policy/direct.js';
import { logLinearPolicy } from '../policy/loglinear.js';
import { softmaxPolicy } from '../policy/softmax.js';
import type { Policy } from '../policy/types.js';

/** A policy as structured-clonable data. */
export type PolicyWire =
  | { readonly kind: 'softmax' | 'direct'; readonly numStates: number; readonly numActions: number; readonly theta: Float64Array }
  | { readonly kind: 'loglinear'; readonly numStates: number; readonly numActions: number; readonly dim: number; readonly features: Float64Array; readonly theta: Float64Array };

/** The centred features φ̃(s,a) = ∇ log π(a|s) of a log-linear policy, laid out `(s*A + a)*d + k`. */
function centredFeatures(p: Policy): Float64Array {
  const { numStates: S, numActions: A, numParams: d } = p.param;
  const out = new Float64Array(S * A * d);
  const g = new Float64Array(d);
  for (let s = 0; s < S; s++) {
    for (let a = 0; a < A; a++) {
      g.fill(0);
      p.param.addScore(p.theta, s, a, 1, g);
      out.set(g, (s * A + a) * d);
    }
  }
  return out;
}

/** The wire form of a policy; `SAMPLING_POLICY` for a kind this module cannot rebuild. */
export function policyToWire(p: Policy): PolicyWire {
  const { kind, numStates, numActions } = p.param;
  const theta = Float64Array.from(p.theta);
  if (kind === 'softmax' || kind === 'direct') return { kind, numStates, numActions, theta };
  if (kind === 'loglinear') return { kind, numStates, numActions, dim: p.param.numParams, features: centredFeatures(p), theta };
  return fail('SAMPLING_POLICY', `a policy of kind ${show(kind)} cannot be sent to a worker: only softmax, direct and loglinear can`, { where: 'policy.param.kind', value: kind });
}

/** Rebuilds a policy from its wire form. */
export function policyFromWire(w: PolicyWire): Policy {
  const theta = Float64Array.from(w.theta);
  if (w.kind === 'softmax') return { param: softmaxPolicy(w.numStates, w.numActions), theta };
  if (w.kind === 'direct') return { param: directPolicy(w.numStates, w.numActions), theta };
  if (w.kind === 'loglinear') return { param: logLinearPolicy(w.numStates, w.numActions, w.dim, Float64Array.from(w.features)), theta };
  return fail('SAMPLING_POLICY', `unknown policy kind ${show((w as { kind: unknown }).kind)} on the wire`, { where: 'kind' });
}

