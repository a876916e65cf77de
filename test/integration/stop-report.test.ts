import { afterEach, describe, expect, it } from 'vitest';
import { createProject, fixtureCommand, type Project } from '../helpers/daemon.js';

let project: Project | undefined;
afterEach(async () => {
  await project?.cleanup();
  project = undefined;
});

describe('zmart stop says how each service ended', () => {
  it('stopped by its signal, with the time it took, or killed with SIGKILL at its timeout; status --json keeps lastStop', async () => {
    project = createProject(
      `{ services: {
        quick: { command: ${fixtureCommand()}, readyAfter: 100 },
        stubborn: { command: ${fixtureCommand('--ignore-term')}, readyAfter: 100, stop: { timeout: '500ms' } },
        hup: { command: ${fixtureCommand()}, readyAfter: 100, stop: { signal: 'SIGINT' } },
      } }`,
    );
    const p = project;
    expect((await p.zmart(['start'])).code).toBe(0);
    const one = await p.zmart(['stop', 'hup']);
    expect(one.stdout).toMatch(/✔ hup stopped \(SIGINT, \d+\.\ds\)/);
    const status = JSON.parse((await p.zmart(['status', '--json'])).stdout) as { services: Array<{ name: string; lastStop: unknown }> };
    expect(status.services.find((s) => s.name === 'hup')!.lastStop).toMatchObject({ signal: 'SIGINT', forced: false, timeoutMs: 10_000 });
    const all = await p.zmart(['stop']);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/✔ quick stopped \(SIGTERM, \d+\.\ds\)/);
    expect(all.stdout).toMatch(/✔ stubborn killed \(SIGKILL after its 500ms timeout; SIGTERM did not stop it\)/);
  });
});
