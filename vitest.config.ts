import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The slowest files (measured, longest first) start first, so that the two workers finish
 * together: a fresh install (`npm ci`, as .ci/run does) has no cached durations, and vitest
 * keeps the order it finds them in (property-tests/verify/python.test.ts 88th of 95). The rest
 * keep vitest's order (by cached duration, longest first, when there is a cache).
 */
const SLOWEST = [
  'examples/python/python.test.ts', 'docs/browser.test.ts', 'property-tests/cli/cli.test.ts', 'property-tests/verify/python.test.ts',
  'examples/examples.test.ts', 'property-tests/verify/group-kind.test.ts', 'property-tests/sampling/workers.test.ts',
  'property-tests/verify/sandbox.test.ts', 'property-tests/verify/critics.test.ts', 'property-tests/cli/check-power.test.ts',
  'property-tests/verify/power.test.ts', 'property-tests/verify/runner.test.ts',
];
class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = SLOWEST.findIndex((s) => f.moduleId.endsWith(`/${s}`));
      return i < 0 ? SLOWEST.length : i;
    };
    return (await super.sort(files)).map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map(({ f }) => f);
  }
}

export default defineConfig({
  test: {
    include: ['property-tests/**/*.test.ts', 'derivations/**/*.test.ts', 'examples/**/*.test.ts', 'docs/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    setupFiles: ['property-tests/setup.ts'],
    sequence: { sequencer: SlowestFirst },
  },
});
