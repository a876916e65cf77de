import { defineConfig } from 'vitest/config';

/** Real daemons as their operators run them (redis, nginx, PostgreSQL, gunicorn, Prometheus): `npm run test:daemons`, after the main suite in CI. */
export default defineConfig({
  test: {
    include: ['test/daemons/**/*.test.ts'],
    testTimeout: 40_000,
    hookTimeout: 20_000,
    pool: 'forks',
    maxWorkers: 2,
    globalSetup: ['test/global-setup.ts'],
    reporters: ['default'],
  },
});
