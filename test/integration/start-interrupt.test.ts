import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createProject, type Project } from '../helpers/daemon.js';
import { isAlive, waitFor } from '../helpers/project.js';

let project: Project | undefined;
afterEach(async () => {
  await project?.cleanup();
  project = undefined;
});

describe('Ctrl-C during zmart start', () => {
  it('ends the wait in one line (exit 130) and leaves the supervisor starting the fleet', async () => {
    // ready once the test writes the file go: the start waits for it until then
    const gate = `while [ ! -e go ]; do sleep 0.05; done; echo ready-now; exec sleep 1000`;
    project = createProject(`{ services: { gate: { command: ${JSON.stringify(gate)}, ready: { logLine: 'ready-now' } } } }`);
    const p = project;
    const start = p.spawnZmart(['start']);
    try {
      await waitFor(() => start.output().includes('in the background'), 'the start to follow its services');
      process.kill(start.child.pid!, 'SIGINT'); // as a terminal's Ctrl-C reaches the command (the supervisor is in a session of its own)
      const ended = await start.exited;
      expect(ended.code).toBe(130);
      expect(ended.stdout).toMatch(
        /stopped waiting: the supervisor \(pid \d+\) goes on starting gate in the background; 'zmart status' shows them, 'zmart stop' stops them\.\n$/,
      );
      expect(ended.stderr).toBe('');
      const monitor = p.pid('monitor')!;
      expect(isAlive(monitor)).toBe(true);
      writeFileSync(join(p.dir, 'go'), '');
      await waitFor(async () => (await p.zmart(['status'])).code === 0, 'gate to come up under the supervisor that went on');
    } finally {
      start.kill();
    }
  });
});
