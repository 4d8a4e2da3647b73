/**
 * The claim registry: every claim pgtruth checks, by area.
 * @module
 */
import type { Claim } from '../claim.js';
import { estimatorClaims } from './estimators.js';
import { gaeCriticsClaim } from './gae-critics.js';
import { exactClaims } from './exact.js';
import { groupClaims } from './group.js';
import { klClaims } from './kl.js';
import { knownAnswerClaims } from './known.js';
import { mirrorClaims } from './mirror.js';
import { continuousClaims } from './continuous.js';
import { continuousMlpClaims } from './continuous-mlp.js';
import { rateClaims } from './rates.js';
import { learnerClaims } from './learners.js';
import { mlpClaims } from './mlp.js';
import { grpoClaims } from './grpo.js';

export * from './estimators.js';
export * from './gae-critics.js';
export * from './exact.js';
export * from './group.js';
export * from './kl.js';
export * from './known.js';
export * from './mirror.js';
export * from './continuous.js';
export * from './continuous-mlp.js';
export * from './rates.js';
export * from './learners.js';
export * from './mlp.js';
export * from './grpo.js';
export * from './learner-curves.js';

/** The exact (deterministic) claims: literature answers, exact identities, mirror learning. */
export function exactSuite(): Claim[] {
  return [...knownAnswerClaims, ...exactClaims, ...mirrorClaims, ...rateClaims];
}

/** The sampled claims about the estimators (statistical, with stated false-alarm rates). */
export function statisticalSuite(): Claim[] {
  return [...klClaims, ...estimatorClaims, gaeCriticsClaim, ...continuousClaims, ...continuousMlpClaims, ...mlpClaims, ...groupClaims];
}

/** The default suite (`pgtruth report`, `npm start`), in report order. */
export function defaultClaims(): Claim[] {
  return [...exactSuite(), ...statisticalSuite(), ...learnerClaims, ...grpoClaims];
}
