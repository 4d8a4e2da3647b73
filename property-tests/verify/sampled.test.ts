// The sampled claims are reproducible: the same seed gives the same verdict numbers in this
// thread and on two workers.
import { describe, expect, it } from 'vitest';
import { SamplerPool } from '../../src/sampling/index.js';
import { runClaims, statisticalSuite } from '../../src/verify/index.js';

describe('sampled claims', () => {
  it('are bit-identical with 0 and 2 workers', async () => {
    const claims = statisticalSuite().filter((c) => ['estimators.score-zero-mean', 'estimators.gae-episode-boundaries', 'estimators.surrogate-gradients'].includes(c.id));
    const local = await runClaims(claims, { seed: 3, scale: 0.1 });
    const pool = await SamplerPool.create({ workers: 2 });
    try {
      const remote = await runClaims(claims, { seed: 3, scale: 0.1, pool });
      expect(remote.map((r) => r.checks.map((c) => c.discrepancy))).toEqual(local.map((r) => r.checks.map((c) => c.discrepancy)));
      expect(remote.map((r) => r.control.checks.map((c) => c.discrepancy))).toEqual(local.map((r) => r.control.checks.map((c) => c.discrepancy)));
    } finally {
      await pool.close();
    }
  });
});
