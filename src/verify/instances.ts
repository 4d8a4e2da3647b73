/**
 * The standard instances the exact claims run on: the library MDPs with fixed policies,
 * and seeded Garnet MDPs with seeded policies of every parameterization, discounted and
 * episodic. The same seed gives the same instances.
 *
 * @module
 */
import { garnet, shortCorridor, suttonBartoGridworld4x4, suttonBartoGridworld5x5, chain } from '../mdp/library/index.js';
import type { FiniteMDP } from '../mdp/model.js';
import { directPolicy } from '../policy/direct.js';
import { shortCorridorPolicy, shortCorridorTheta } from '../policy/library.js';
import { logLinearPolicy } from '../policy/loglinear.js';
import { softmaxPolicy } from '../policy/softmax.js';
import type { Policy } from '../policy/types.js';
import { Rng } from '../stats/rng.js';

/** An MDP and a policy for it, with a label for verdict tables. */
export interface Instance {
  readonly label: string;
  readonly mdp: FiniteMDP;
  readonly policy: Policy;
}

/** Random logits N(0, scale²) for every (s,a). */
export function randomLogits(rng: Rng, S: number, A: number, scale = 1): Float64Array {
  return Float64Array.from({ length: S * A }, () => scale * rng.normal());
}

/** A random direct policy with every probability ≥ floor/A (rows from normalized uniforms). */
export function randomPolicyTable(rng: Rng, S: number, A: number, floor = 0.05): Float64Array {
  const out = new Float64Array(S * A);
  for (let s = 0; s < S; s++) {
    let tot = 0;
    for (let a = 0; a < A; a++) { out[s * A + a] = floor + rng.uniform(); tot += out[s * A + a]!; }
    for (let a = 0; a < A; a++) out[s * A + a] = out[s * A + a]! / tot;
  }
  return out;
}

/** A random log-linear policy with d features in {−1, −½, 0, ½, 1}. */
export function randomLogLinear(rng: Rng, S: number, A: number, d: number): Policy {
  const phi = Float64Array.from({ length: S * A * d }, () => (rng.int(5) - 2) / 2);
  return { param: logLinearPolicy(S, A, d, phi), theta: Float64Array.from({ length: d }, () => rng.normal()) };
}

/** A random policy of the given kind. */
export function randomPolicy(rng: Rng, mdp: FiniteMDP, kind: 'softmax' | 'direct' | 'loglinear'): Policy {
  const S = mdp.numStates, A = mdp.numActions;
  if (kind === 'softmax') return { param: softmaxPolicy(S, A), theta: randomLogits(rng, S, A) };
  if (kind === 'direct') return { param: directPolicy(S, A), theta: randomPolicyTable(rng, S, A) };
  return randomLogLinear(rng, S, A, 3);
}

/** The library MDPs with fixed policies (uniform, or the corridor's p = 0.3). */
export function libraryInstances(): Instance[] {
  const uniform = (m: FiniteMDP): Policy => ({ param: softmaxPolicy(m.numStates, m.numActions), theta: new Float64Array(m.numStates * m.numActions) });
  const corridor = shortCorridor();
  return [
    { label: 'short-corridor p=0.3', mdp: corridor, policy: { param: shortCorridorPolicy(), theta: shortCorridorTheta(0.3) } },
    { label: 'gridworld-5x5 uniform', mdp: suttonBartoGridworld5x5(), policy: uniform(suttonBartoGridworld5x5()) },
    { label: 'gridworld-4x4 uniform', mdp: suttonBartoGridworld4x4(), policy: uniform(suttonBartoGridworld4x4()) },
    { label: 'chain uniform', mdp: chain(), policy: uniform(chain()) },
  ];
}

/**
 * Seeded random instances: Garnets with 3–7 states and 2–4 actions, γ ∈ {0, 0.5, 0.9,
 * 0.99} and episodic γ = 1, each with a softmax, a direct and a log-linear policy.
 */
export function randomInstances(seed: number, count = 6): Instance[] {
  const rng = Rng.from(seed).split(101);
  const out: Instance[] = [];
  const gammas = [0.9, 1, 0.5, 0.99, 0, 1];
  for (let i = 0; i < count; i++) {
    const S = 3 + rng.int(5), A = 2 + rng.int(3);
    const gamma = gammas[i % gammas.length]!;
    const episodic = gamma === 1;
    const mdp = garnet({
      states: S + (episodic ? 1 : 0), actions: A, branching: Math.min(3, S), gamma,
      seed: `${seed}/${i}`, ...(episodic ? { terminal: 1, exitProbability: 0.15 } : {}), initial: 'random',
    });
    for (const kind of ['softmax', 'direct', 'loglinear'] as const) {
      out.push({ label: `garnet#${i} S=${mdp.numStates} A=${A} γ=${gamma} ${kind}`, mdp, policy: randomPolicy(rng, mdp, kind) });
    }
  }
  return out;
}

/** Library plus random instances. */
export function standardInstances(seed: number): Instance[] {
  return [...libraryInstances(), ...randomInstances(seed)];
}
