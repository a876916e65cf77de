import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createProject, fixtureCommand, type Project } from '../helpers/daemon.js';

let project: Project | undefined;
afterEach(async () => {
  await project?.cleanup();
  project = undefined;
});

describe('a plugins list adds to the built-ins', () => {
  it('runs the six and the listed one; enabled: false turns a built-in off, and start says which keys then do nothing', async () => {
    project = createProject('{ services: {} }');
    writeFileSync(
      join(project.dir, 'zmart.config.ts'),
      `import { defineConfig } from 'zmart';
import memoryGuard from 'zmart/plugins/memory-guard';
import metrics from 'zmart/plugins/metrics';
export default defineConfig({
  services: { api: { command: ${fixtureCommand()}, memory: { maxRss: '1GB' }, readyAfter: 0 } },
  plugins: [metrics({ listen: '127.0.0.1:0' }), memoryGuard({ enabled: false })],
});
`,
    );
    const start = await project.zmart(['start']);
    expect(start.code, start.stderr).toBe(0);
    expect(start.stdout).toContain('⚠ services.api.memory is set, but its plugin memory-guard is off (enabled: false): not applied');
    const status = JSON.parse((await project.zmart(['status', '--json'])).stdout) as { plugins: Array<{ name: string; state: string }> };
    const states = Object.fromEntries(status.plugins.map((p) => [p.name, p.state]));
    expect(states).toEqual({
      'health-http': 'running',
      'port-guard': 'running',
      'memory-guard': 'disabled',
      'log-rotate': 'running',
      alerts: 'running',
      watch: 'running',
      metrics: 'running',
    });
  });
});
