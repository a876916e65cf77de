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
    // Three workers on two cores: most of a test's time is waiting on real processes (a
    // service's readyAfter, a deadline, a child's boot), so a third file in flight fills the
    // cores' idle time: 168 s with two, 150 s with three, 155 s with four (on 2 cores, where
    // the suite's ~215 CPU-seconds then saturate them).
    maxWorkers: 3,
    globalSetup: ['test/global-setup.ts'],
    reporters: ['default'],
  },
});
