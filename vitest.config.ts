import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    // real daemons (redis, nginx, PostgreSQL...): their own run, `npm run test:daemons`
    exclude: ['test/daemons/**', 'test/install/**', 'node_modules/**'],
    testTimeout: 15_000,
    hookTimeout: 15_000,
    pool: 'forks',
    // One process per worker for all its files: modules load once (the suite ran 188 s with a
    // fresh process per file, 146 s without, on 2 cores). Tests therefore leave no global state
    // behind (environment, chalk's level): each puts back what it changed.
    isolate: false,
    // Both cores: most of a test's time is waiting on real processes, not computing.
    maxWorkers: 2,
    globalSetup: ['test/global-setup.ts'],
    reporters: ['default'],
  },
});
