import { expect } from 'vitest';
import { PgTruthError, type ErrorCode } from '../src/errors.js';

/** Expects `f` to throw a PgTruthError with `code` whose message contains every fragment. */
export function expectError(f: () => unknown, code: ErrorCode, ...fragments: string[]): PgTruthError {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected ${code}`).toBeInstanceOf(PgTruthError);
  const e = caught as PgTruthError;
  expect(e.code).toBe(code);
  for (const frag of fragments) expect(e.message).toContain(frag);
  return e;
}

/** max |x − y| / max(|y|, floor). */
export function rel(x: ArrayLike<number>, y: ArrayLike<number>, floor = 1e-12): number {
  let d = 0, m = 0;
  for (let i = 0; i < y.length; i++) { d = Math.max(d, Math.abs(x[i]! - y[i]!)); m = Math.max(m, Math.abs(y[i]!)); }
  return d / Math.max(m, floor);
}

/** Expects `f` to reject with a PgTruthError with `code` whose message contains every fragment. */
export async function expectErrorAsync(f: () => Promise<unknown>, code: ErrorCode, ...fragments: string[]): Promise<PgTruthError> {
  let caught: unknown;
  try {
    await f();
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected ${code}`).toBeInstanceOf(PgTruthError);
  const e = caught as PgTruthError;
  expect(e.code).toBe(code);
  for (const frag of fragments) expect(e.message).toContain(frag);
  return e;
}
