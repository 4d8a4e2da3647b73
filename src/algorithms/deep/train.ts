/**
 * One entry point for the deep learners: `trainDeep(envId, { algo })` runs PPO, A2C or
 * REINFORCE (`ppo.ts`), TRPO (`trpo.ts`) or V-MPO (`vmpo.ts`) — what `pgtruth train --env`
 * and `npm run bench:learn` call.
 *
 * @module
 */
import { fail, show } from '../../errors.js';
import { DEEP_ALGOS } from './config.js';
import { trainPpo } from './ppo.js';
import type { TrainOptions, TrainResult } from './run.js';
import { trainTrpo } from './trpo.js';
import { trainVmpo } from './vmpo.js';

/** Trains `options.algo` (default `ppo`) on `envId`. */
export async function trainDeep(envId: string, options: TrainOptions = {}): Promise<TrainResult> {
  const algo = options.algo ?? 'ppo';
  if (!(DEEP_ALGOS as readonly string[]).includes(algo)) fail('TRAIN_OPTIONS', `the algorithm is ${show(algo)}: expected one of ${DEEP_ALGOS.join(', ')}`, { where: 'algo', value: algo });
  if (algo === 'trpo') return trainTrpo(envId, options);
  if (algo === 'vmpo') return trainVmpo(envId, options);
  return trainPpo(envId, options);
}
