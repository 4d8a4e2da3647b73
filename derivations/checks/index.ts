/**
 * The registry of step checks: every `::: step KEY` in a derivation names one of these.
 * Adding a derivation: write `derivations/NN-name.md`, write its checks in
 * `derivations/checks/name.ts`, and add them here.
 *
 * @module
 */
import type { StepCheck } from '../framework/step.js';
import { causalityChecks } from './causality.js';
import { gaeChecks } from './gae.js';
import { groupChecks } from './group.js';
import { importanceChecks } from './importance.js';
import { mirrorChecks } from './mirror.js';
import { pgtChecks } from './pgt.js';
import { ppoChecks } from './ppo.js';
import { scoreChecks } from './score.js';
import { trpoChecks } from './trpo.js';
import { vmpoChecks } from './vmpo.js';
import { klChecks } from './kl.js';
import { lqrChecks } from './lqr.js';

/** Every step check, by key. */
export function allChecks(): ReadonlyMap<string, StepCheck<unknown>> {
  const out = new Map<string, StepCheck<unknown>>();
  for (const c of [...pgtChecks, ...scoreChecks, ...causalityChecks, ...importanceChecks, ...gaeChecks, ...trpoChecks, ...ppoChecks, ...vmpoChecks, ...mirrorChecks, ...groupChecks, ...klChecks, ...lqrChecks]) {
    if (out.has(c.key)) throw new Error(`step check ${c.key} is defined twice`);
    out.set(c.key, c);
  }
  return out;
}
