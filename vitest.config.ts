import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['property-tests/**/*.test.ts', 'derivations/**/*.test.ts', 'examples/**/*.test.ts', 'docs/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    setupFiles: ['property-tests/setup.ts'],
  },
});
