/**
 * The claim registry: every claim pgtruth checks, by area.
 * @module
 */
import type { Claim } from '../claim.js';
import { exactClaims } from './exact.js';
import { knownAnswerClaims } from './known.js';
import { mirrorClaims } from './mirror.js';

export * from './exact.js';
export * from './known.js';
export * from './mirror.js';

/** The default suite (`pgtruth report`, `npm start`), in report order. */
export function defaultClaims(): Claim[] {
  return [...knownAnswerClaims, ...exactClaims, ...mirrorClaims];
}
