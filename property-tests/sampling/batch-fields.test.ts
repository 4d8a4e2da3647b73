// The optional per-transition observations (obs_t, T × obsDim) and continuous actions
// (a_cont_t, T × actionDim) of a Batch: validateBatch checks them when present, sliceBatch keeps them.
import { describe, expect, it } from 'vitest';
import { sliceBatch, validateBatch, type Batch } from '../../src/sampling/batch.js';
import { expectError } from '../helpers.js';
import { buildBatch } from '../estimators/batches.js';

const base = () => buildBatch(3, 2, 0.9, [
  { states: [0, 1, 2], actions: [0, 1], rewards: [1, 2], end: 'terminated' },
  { states: [1, 2], actions: [1], rewards: [3], end: 'truncated' },
]);
const withRows = (b: Batch, extra: Partial<Batch>): Batch => ({ ...b, ...extra });

describe('Batch observations and continuous actions', () => {
  it('a batch with rows of the right shape is valid, and one without them still is', () => {
    const b = base();
    validateBatch(b);
    validateBatch(withRows(b, { obs_t: Float64Array.of(0, 1, 2, 3, 4, 5), obsDim: 2, a_cont_t: Float64Array.of(0.5, -0.5, 2), actionDim: 1 }));
  });
  it('rejects a wrong length, a non-finite entry (named by row and column), a width without rows and rows without a width', () => {
    const b = base();
    expectError(() => validateBatch(withRows(b, { obs_t: new Float64Array(5), obsDim: 2 })), 'BATCH_INVALID', 'obs_t', '5', '3 × 2');
    expectError(() => validateBatch(withRows(b, { obs_t: Float64Array.of(0, 1, 2, NaN, 4, 5), obsDim: 2 })), 'BATCH_INVALID', 'obs_t[1][1]', 'NaN');
    expectError(() => validateBatch(withRows(b, { obsDim: 2 })), 'BATCH_INVALID', 'obsDim', 'obs_t is missing');
    expectError(() => validateBatch(withRows(b, { obs_t: new Float64Array(6) })), 'BATCH_INVALID', 'obsDim', 'undefined');
    expectError(() => validateBatch(withRows(b, { a_cont_t: new Float64Array(6), actionDim: 1.5 })), 'BATCH_INVALID', 'actionDim', '1.5');
    expectError(() => validateBatch(withRows(b, { a_cont_t: Float64Array.of(1, 2, Infinity), actionDim: 1 })), 'BATCH_INVALID', 'a_cont_t[2][0]');
  });
  it('sliceBatch keeps the rows of the transitions it keeps (views)', () => {
    const b = withRows(base(), { obs_t: Float64Array.of(0, 1, 2, 3, 4, 5), obsDim: 2, a_cont_t: Float64Array.of(10, 11, 12, 13, 14, 15), actionDim: 2 });
    const s = sliceBatch(b, 1, 3);
    expect(s.obsDim).toBe(2);
    expect(Array.from(s.obs_t!)).toEqual([2, 3, 4, 5]);
    expect(Array.from(s.a_cont_t!)).toEqual([12, 13, 14, 15]);
    expect(s.obs_t!.buffer).toBe(b.obs_t!.buffer);
    expect(sliceBatch(base(), 0, 1).obs_t).toBeUndefined();
  });
});
