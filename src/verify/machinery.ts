/**
 * `pgtruth check` for a learner's own machinery — the TRPO kinds (`trpo-fvp`, `trpo-cg`,
 * `trpo-linesearch`: ./trpo-kind.ts) and the V-MPO losses (`vmpo`: ./vmpo-kind.ts) — in one
 * place for the plumbing: the worker-side dispatch (the user's code runs only in the sandbox's
 * workers, ./sandbox.ts, through `userMachineryTask` in ./user-tasks.ts), the declared numbers
 * a description carries, and the claims.
 *
 * Every claim of these kinds is exact (no sampling, no false-alarm rate): the user's function
 * is deterministic on the inputs the check gives it, and its output (or its exact expectation
 * over every batch, for V-MPO) is compared with the exact target to a tolerance relative to the
 * target's scale (./exact-compare.ts); each claim's control is a set of known wrong variants
 * that the same tolerance rejects.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import type { FiniteMDP } from '../mdp/model.js';
import type { Claim } from './claim.js';
import type { LoadedEstimator } from './plugin.js';
import type { FvpBatchPayload } from './trpo-fvp-batch.js';
import { CG_TOLERANCE, FVP_TOLERANCE, LINESEARCH_TOLERANCE, runTrpoMachinery, TRPO_KINDS, trpoClaims, trpoDeclaration, type MachineryRun, type TrpoPayload } from './trpo-kind.js';
import { runVmpoLosses, VMPO_TOLERANCE, vmpoClaims, type VmpoPayload } from './vmpo-kind.js';

export type { MachineryRun };

/** The machinery kinds. */
export const MACHINERY_KINDS = [...TRPO_KINDS, 'vmpo'] as const;

const isMachinery = (k: string) => (MACHINERY_KINDS as readonly string[]).includes(k);

/** The declared numbers of a machinery kind (checked), or undefined for other kinds. */
export function machineryDeclaration(e: LoadedEstimator): Record<string, number | string> | undefined {
  return isMachinery(e.estimator.kind) ? trpoDeclaration(e) : undefined;
}

/** The user's outputs on a payload (in a worker); `call` guards each call into user code. */
export function runMachinery(e: LoadedEstimator, payload: unknown, call: <T>(f: () => T) => T): Float64Array {
  const p = payload as TrpoPayload | FvpBatchPayload | VmpoPayload;
  if (p?.op !== e.estimator.kind) fail('PLUGIN_INVALID', `${e.name} has kind ${show(e.estimator.kind)}, asked for ${show(p?.op)}`, { where: e.key });
  return p.op === 'vmpo' ? runVmpoLosses(e, p, call) : runTrpoMachinery(e, p, call);
}

/** The claims for a machinery estimator. */
export function machineryClaims(e: LoadedEstimator, run: MachineryRun, opts: { mdp?: FiniteMDP; mdpLabel?: string; resolution?: number; budget?: number; samples?: number }): Claim[] {
  return e.estimator.kind === 'vmpo' ? vmpoClaims(e, run, opts) : trpoClaims(e, run, opts);
}

/**
 * How `pgtruth check` judges an estimator: `exact` (no sampling, no false-alarm rate: the
 * discrepancy relative to the target's scale against `tolerance`) for the machinery kinds —
 * except the sampled Fisher–vector product (`fisher: 'batch'`) — and `sampled` (the power
 * guard: a resolution at power 0.9, α per check) for every other kind.
 */
export function checkComparison(e: LoadedEstimator): { readonly comparison: 'exact'; readonly tolerance: number } | { readonly comparison: 'sampled' } {
  switch (e.estimator.kind) {
    case 'trpo-fvp': return trpoDeclaration(e).fisher === 'batch' ? { comparison: 'sampled' } : { comparison: 'exact', tolerance: FVP_TOLERANCE };
    case 'trpo-cg': return { comparison: 'exact', tolerance: CG_TOLERANCE };
    case 'trpo-linesearch': return { comparison: 'exact', tolerance: LINESEARCH_TOLERANCE };
    case 'vmpo': return { comparison: 'exact', tolerance: VMPO_TOLERANCE };
    default: return { comparison: 'sampled' };
  }
}
