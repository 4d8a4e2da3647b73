/**
 * The learners: REINFORCE, A2C, TRPO, PPO and V-MPO on tabular MDPs, each built only from
 * `src/estimators/`, the policy contract and `src/optim/`, each writing an exact learning curve.
 *
 * @module
 */
import type { FiniteMDP } from '../mdp/model.js';
import { A2C_DEFAULTS, runA2c } from './a2c.js';
import type { Hyperparameters, LearnerResult, LearnerRunOptions } from './common.js';
import { PPO_DEFAULTS, runPpo } from './ppo.js';
import { REINFORCE_DEFAULTS, runReinforce } from './reinforce.js';
import { runTrpo, TRPO_DEFAULTS } from './trpo.js';
import { runVmpo, VMPO_DEFAULTS } from './vmpo.js';

export * from './curve.js';
export * from './common.js';
export * from './critic.js';
export * from './rollout.js';
export * from './reinforce.js';
export * from './a2c.js';
export * from './trpo.js';
export * from './ppo.js';
export * from './vmpo.js';
export * from './grpo.js';
export * from './mlp-policy.js';

/** A learner by name: its documented defaults and its run function. */
export interface Learner {
  readonly name: 'reinforce' | 'a2c' | 'trpo' | 'ppo' | 'vmpo';
  readonly defaults: Hyperparameters;
  run(mdp: FiniteMDP, hyperparameters: Partial<Record<string, number | boolean>>, opts: LearnerRunOptions): LearnerResult;
}

/** The five learners, in Lehmann 2024's order. */
export const LEARNERS: readonly Learner[] = [
  { name: 'reinforce', defaults: REINFORCE_DEFAULTS, run: (m, h, o) => runReinforce(m, h, o) },
  { name: 'a2c', defaults: A2C_DEFAULTS, run: (m, h, o) => runA2c(m, h, o) },
  { name: 'trpo', defaults: TRPO_DEFAULTS, run: (m, h, o) => runTrpo(m, h, o) },
  { name: 'ppo', defaults: PPO_DEFAULTS, run: (m, h, o) => runPpo(m, h, o) },
  { name: 'vmpo', defaults: VMPO_DEFAULTS, run: (m, h, o) => runVmpo(m, h, o) },
];

/** The learner called `name`, or undefined. */
export function learner(name: string): Learner | undefined {
  return LEARNERS.find((l) => l.name === name);
}
export * from './trpo-step.js';
export * from './line-search.js';
