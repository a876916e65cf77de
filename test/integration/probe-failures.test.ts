import { afterEach, describe, expect, it } from 'vitest';
import { createProject, fixtureCommand, type Project } from '../helpers/daemon.js';
import { freePort, waitFor } from '../helpers/project.js';

let project: Project | undefined;
let stopped: number | null = null;
afterEach(async () => {
  if (stopped) process.kill(stopped, 'SIGCONT');
  stopped = null;
  await project?.cleanup();
  project = undefined;
});

describe('failing probes show before the threshold', () => {
  it('a hung service reads failing (n/50) in status, status --json, list; a passing probe clears it', async () => {
    const port = await freePort();
    project = createProject(
      `{ services: { api: { command: ${fixtureCommand('--port', port)}, port: ${port}, health: { path: '/health', interval: '300ms', timeout: '200ms', failureThreshold: 50, startPeriod: 0 } } } }`,
    );
    const p = project;
    expect((await p.zmart(['start'])).code).toBe(0);
    const json = async () =>
      (
        JSON.parse((await p.zmart(['status', '--json'])).stdout) as {
          services: Array<{ probeFailures: number; probeFailureThreshold: number | null; health: string }>;
        }
      ).services[0]!;
    expect(await json()).toMatchObject({ health: 'healthy', probeFailures: 0 });
    stopped = p.pid('api')!;
    process.kill(stopped, 'SIGSTOP'); // hung: its probes time out
    const failing = await waitFor(async () => {
      const s = await json();
      return s.probeFailures >= 1 ? s : null;
    }, 'a failed probe counted');
    expect(failing).toMatchObject({ health: 'healthy', probeFailureThreshold: 50 });
    const text = await p.zmart(['status']);
    expect(text.stdout).toMatch(/⚠️ +api: Running & Healthy, but failing \(\d+\/50\)/);
    expect(text.code).toBe(0); // healthy still: the threshold is not reached
    expect((await p.zmart(['status', '--detailed'])).stdout).toMatch(/Health: ✅ Healthy, failing \(\d+\/50\): no answer within 200ms/);
    expect((await p.zmart(['list'])).stdout).toMatch(/^api .* failing \(\d+\/50\)$/m);
    process.kill(stopped, 'SIGCONT');
    stopped = null;
    await waitFor(async () => (await json()).probeFailures === 0, 'the count cleared by a passing probe');
    expect((await p.zmart(['status'])).stdout).toMatch(/✅ api: Running & Healthy$/m);
  });
});
