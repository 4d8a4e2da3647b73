/**
 * What a sampling request says, and its validation. Every invalid request is a typed
 * error naming the offending field and value (`SAMPLING_COUNT`, `SAMPLING_HORIZON`,
 * `SAMPLING_POLICY`, `SAMPLING_OPTIONS`, `SAMPLING_UNBOUNDED`, `SAMPLING_INITIAL_TERMINAL`,
 * and the policy's own `POLICY_*` errors for invalid parameters).
 *
 * @module
 */
import { fail, show } from '../errors.js';
import { firstNonTerminating } from '../exact/termination.js';
import { stateLabel, type FiniteMDP } from '../mdp/model.js';
import type { Policy } from '../policy/types.js';
import { Rng } from '../stats/rng.js';
import { buildSamplerTables, type SamplerTables } from './tables.js';
import { policyFromWire, policyToWire, type PolicyWire } from './wire.js';

/** An MDP, the policy under evaluation, and the policy that acts. */
export interface SamplingSpec {
  readonly mdp: FiniteMDP;
  /** The evaluated (target) policy π; it acts unless `behaviour` is given. */
  readonly policy: Policy;
  /**
   * The behaviour policy μ that collects the batch (default: `policy`). The batch's
   * `logp_t` is always log μ(a_t|s_t); an off-policy estimator reweights by π/μ itself.
   */
  readonly behaviour?: Policy;
}

/** A seed: a non-negative integer, a string, or the root {@link Rng} stream itself. */
export type Seed = number | string | Rng;

/** How an episode may end besides reaching a terminal state. */
export interface StoppingOptions {
  /** Time limit: the transition at t = maxSteps − 1 is truncated (unless terminal). */
  readonly maxSteps?: number;
  /**
   * Geometric stopping: after each transition that did not terminate, the episode stops
   * with probability 1 − γ (flagged `truncated_t = 1`, s_tp1 kept). See `./episodes.ts`.
   */
  readonly geometric?: boolean;
}

/** A validated spec with the rebuilt policies (see ./wire.ts) and the sampler tables. */
export interface PreparedSampling {
  readonly mdp: FiniteMDP;
  readonly policy: Policy;
  readonly behaviour: Policy;
  readonly tables: SamplerTables;
}

/** The largest count any sampler accepts (Int32 indices). */
export const MAX_COUNT = 2 ** 31 - 1;

/** Throws `SAMPLING_COUNT` unless `x` is an integer in 1…max. */
export function checkCount(x: unknown, what: string, max = MAX_COUNT): number {
  if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 1 || x > max) fail('SAMPLING_COUNT', `${what} is ${show(x)}: expected an integer from 1 to ${max}`, { where: what, value: x });
  return x;
}

/** Throws `SAMPLING_HORIZON` unless `x` is an integer in 1…2³¹−1. */
export function checkHorizon(x: unknown, what: string): number {
  if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 1 || x > MAX_COUNT) fail('SAMPLING_HORIZON', `${what} is ${show(x)}: expected an integer from 1 to ${MAX_COUNT}`, { where: what, value: x });
  return x;
}

/** Throws `SAMPLING_OPTIONS` for a key of `o` not in `known` (a typo such as `maxstep`). */
export function checkKeys(o: object, known: readonly string[], what: string): void {
  if (typeof o !== 'object' || o === null) fail('SAMPLING_OPTIONS', `${what} is ${show(o)}: expected an object`, { where: what, value: o });
  for (const k of Object.keys(o)) if (!known.includes(k)) fail('SAMPLING_OPTIONS', `${what} has an unknown option ${show(k)} (known: ${known.join(', ')})`, { where: `${what}.${k}`, value: k });
}

/** The root stream of a seed; `SAMPLING_OPTIONS` for a seed that is not one. */
export function rootRng(seed: unknown): Rng {
  if (seed instanceof Rng) return seed;
  if (typeof seed === 'string' || (typeof seed === 'number' && Number.isSafeInteger(seed) && seed >= 0)) return Rng.from(seed);
  return fail('SAMPLING_OPTIONS', `seed is ${show(seed)}: expected a non-negative integer, a string or an Rng`, { where: 'seed', value: seed });
}

/** Validates `maxSteps` and `geometric`. */
export function checkStopping(o: StoppingOptions, what: string): void {
  if (o.maxSteps !== undefined) checkHorizon(o.maxSteps, `${what}.maxSteps`);
  if (o.geometric !== undefined && typeof o.geometric !== 'boolean') fail('SAMPLING_OPTIONS', `${what}.geometric is ${show(o.geometric)}: expected true or false`, { where: `${what}.geometric`, value: o.geometric });
}

function checkPolicyFits(p: unknown, mdp: FiniteMDP, what: string): Policy {
  const pol = p as Policy;
  if (typeof p !== 'object' || p === null || typeof pol.param !== 'object' || !(pol.theta instanceof Float64Array)) fail('SAMPLING_POLICY', `${what} is ${show(p)}: expected {param, theta}`, { where: what });
  const { numStates: S, numActions: A } = pol.param;
  if (S !== mdp.numStates || A !== mdp.numActions) fail('SAMPLING_POLICY', `${what} is defined on ${S} states × ${A} actions, the MDP has ${mdp.numStates} × ${mdp.numActions}`, { where: what, value: [S, A] });
  pol.param.check(pol.theta);
  return pol;
}

/** `SAMPLING_INITIAL_TERMINAL` when p0 gives a terminal state positive probability. */
function checkInitialLive(mdp: FiniteMDP): void {
  for (const t of mdp.terminalStates) {
    if (mdp.initial[t]! > 0) fail('SAMPLING_INITIAL_TERMINAL', `p0 gives terminal state ${t} (${stateLabel(mdp, t)}) probability ${mdp.initial[t]}: an episode starting there has no transition, and a batch cannot hold it`, { where: `initial[${t}]`, value: mdp.initial[t] });
  }
}

/**
 * `SAMPLING_UNBOUNDED` when episodes could run forever: no time limit, no geometric
 * stopping with γ < 1, and some state reachable from p0 under the behaviour policy cannot
 * reach a terminal state.
 */
export function checkEpisodesEnd(prep: PreparedSampling, o: StoppingOptions): void {
  if (o.maxSteps !== undefined || (o.geometric && prep.mdp.gamma < 1)) return;
  const { mdp, tables: T } = prep;
  const bad = firstNonTerminating(mdp.numStates, mdp.terminal, (s) => mdp.initial[s]! > 0, function* (s) {
    // each positive-probability outcome is the primary of its own alias cell
    for (let k = T.pi.offset[s]!; k < T.pi.offset[s + 1]!; k++) {
      const row = s * mdp.numActions + T.pi.primary[k]!;
      for (let j = T.next.offset[row]!; j < T.next.offset[row + 1]!; j++) yield T.next.primary[j]!;
    }
  });
  if (bad.state >= 0 && bad.reachable) {
    fail('SAMPLING_UNBOUNDED', `state ${bad.state} (${stateLabel(mdp, bad.state)}) is reachable and never reaches a terminal state under the behaviour policy: set maxSteps, or geometric stopping with γ < 1`, { where: `state ${bad.state}`, value: bad.state });
  }
}

/** A spec as structured-clonable data: what a worker receives. */
export interface SamplingWire {
  readonly mdp: FiniteMDP;
  readonly policy: PolicyWire;
  /** The behaviour policy, or null when the evaluated policy acts. */
  readonly behaviour: PolicyWire | null;
}

/** Validates a spec and puts it in its wire form (see ./wire.ts). */
export function samplingWire(spec: SamplingSpec): SamplingWire {
  checkKeys(spec, ['mdp', 'policy', 'behaviour'], 'spec');
  const mdp = spec.mdp;
  if (typeof mdp !== 'object' || mdp === null || !(mdp.rewards instanceof Float64Array)) fail('SAMPLING_OPTIONS', `spec.mdp is ${show(mdp)}: expected a FiniteMDP (createMDP)`, { where: 'spec.mdp' });
  checkInitialLive(mdp);
  const policy = policyToWire(checkPolicyFits(spec.policy, mdp, 'policy'));
  const behaviour = spec.behaviour === undefined ? null : policyToWire(checkPolicyFits(spec.behaviour, mdp, 'behaviour'));
  return { mdp, policy, behaviour };
}

/** Rebuilds the policies of a wire spec and builds the sampler tables. */
export function prepareWire(w: SamplingWire): PreparedSampling {
  const policy = policyFromWire(w.policy);
  const behaviour = w.behaviour === null ? policy : policyFromWire(w.behaviour);
  return { mdp: w.mdp, policy, behaviour, tables: buildSamplerTables(w.mdp, behaviour) };
}

/**
 * Validates a spec and prepares it exactly as a worker does — policies rebuilt from their
 * wire form, tables built from them — so every thread samples bit-identical batches.
 */
export function prepareSampling(spec: SamplingSpec): PreparedSampling {
  return prepareWire(samplingWire(spec));
}
