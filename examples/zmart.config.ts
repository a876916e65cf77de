// The example fleet: a Python API (the seed's port 8000) and a Node dashboard (port 3400)
// that waits for the API to be healthy. Run it from the repo root with `npm run example`;
// override the ports with API_PORT / DASHBOARD_PORT as the old scripts allowed.
import { defineConfig } from 'zmart';
import tcpProbe from './plugins/tcp-probe/index.js';

export default defineConfig({
  pidDir: 'server_pids',
  logDir: 'logs',
  services: {
    api: {
      title: 'API Server',
      command: ['python3', 'fleet/api.py'],
      port: 8000,
      env: { LOG_LEVEL: 'info' },
      health: { path: '/health', interval: '10s', timeout: '3s', startPeriod: '20s' },
      restart: { policy: 'always', maxRestarts: 3, window: '10m', backoff: { initial: '1s', factor: 2, max: '30s' }, minUptime: '30s' },
      stop: { signal: 'SIGTERM', timeout: '10s' },
      // the example plugin below, a check of our own beside the built-in probe
      tcp: { failures: 3 },
    },
    dashboard: {
      title: 'Dashboard Server',
      command: 'node fleet/dashboard.mjs',
      port: 3400,
      env: { API_URL: 'http://127.0.0.1:8000' },
      dependsOn: { api: 'healthy' },
      // the built-in probe can also connect to the port (tcp) or run a command (exec)
      health: { tcp: true, interval: '10s', timeout: '3s' },
    },
  },
  // The six built-ins always run; a `plugins` list adds to them (here a plugin of our own) or gives
  // a built-in its options. memoryGuard({ enabled: false }) would turn one off.
  plugins: [tcpProbe({ interval: '5s' })],
});
