import { defineConfig } from 'vitest/config';
import main from './vitest.config.js';

/**
 * The integration suite again with the portable process backend forced (ps + lsof, as on macOS):
 * `npm run test:portable`. It runs the tests that look at processes (pids and their proof,
 * trees, ports, orphans, adoption, stops, memory). Left out are those whose subject never does,
 * beyond the spawn and stop every test here makes: their answers cannot change with the backend,
 * and on 2 cores the pass must stay under 3 minutes (it read 188.8 s in CI with them).
 */
const lookAtNoProcess = [
  // written and read as files and text: no process is looked at
  'completion',
  'cli-config-errors',
  'export',
  'export-dollars',
  'environ-reader',
  'import-edges',
  'import',
  'config-library',
  // the log pipeline: pipes, files, rotation, a full disk
  'service-logs',
  'log-follow',
  'log-rotate',
  'log-disk',
  'terminal-safety',
  'watch',
  // plugins' deadlines and hooks, alerts, the HTTP client, the dashboard's page
  'plugin-boundary',
  'alerts',
  'http-client',
  'dashboard',
];

export default defineConfig({
  test: {
    ...main.test,
    include: ['test/integration/**/*.test.ts'],
    exclude: [...(main.test?.exclude ?? []), ...lookAtNoProcess.map((name) => `test/integration/${name}.test.ts`)],
    env: { ZMART_PROC_BACKEND: 'portable' },
  },
});
