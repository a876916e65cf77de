import { defineConfig } from 'vitest/config';

/** The package as users get it: packed, installed with npm into a prefix, run from a folder of its own (`npm run test:install`, in CI after the main suite). */
export default defineConfig({
  test: {
    include: ['test/install/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
    reporters: ['default'],
  },
});
