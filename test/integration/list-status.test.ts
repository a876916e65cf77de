import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createProject, fixtureCommand, type Project } from '../helpers/daemon.js';
import { waitFor } from '../helpers/project.js';

let project: Project | undefined;
afterEach(async () => {
  await project?.cleanup();
  project = undefined;
});

describe('zmart list and zmart status NAME', () => {
  it('lists one line per service and replica; status shows the named services alone; an unknown name is exit 2', async () => {
    project = createProject(`{ services: {
      db: { command: ${fixtureCommand()}, readyAfter: 100 },
      web: { command: ${fixtureCommand()}, readyAfter: 100, replicas: 2 },
    } }`);
    const p = project;
    expect((await p.zmart(['start'])).code).toBe(0);
    const listed = await p.zmart(['ls']);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+STATE\s+PID\s+UPTIME\s+RESTARTS\s+MEMORY\s+CPU\s+HEALTH$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 2).join(' '))).toEqual(['db running', 'web#1 running', 'web#2 running']);
    expect(lines[1]).toMatch(/^db\s+running\s+\d+\s+\S+\s+0\s+[\d.]+ \w?B\s+[\d.]+%\s+-$/);
    expect((await p.zmart(['list'])).stdout).toMatch(/^NAME/); // list is ls

    const web = JSON.parse((await p.zmart(['status', 'web', '--json'])).stdout) as { services: Array<{ name: string }> };
    expect(web.services.map((s) => s.name)).toEqual(['web#1', 'web#2']);
    const one = await p.zmart(['status', 'db']);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain('db: Running');
    expect(one.stdout).not.toContain('web#1');
    const unknown = await p.zmart(['status', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no service named 'nope' \(services: db, web#1, web#2\)/);
    expect((await p.zmart(['stop'])).code).toBe(0);
  });

  it('holds a running service that is not ready yet to what start waits for: not up, exit 1, until its ready line', async () => {
    // its ready line comes when the test says so (a file named go)
    const gate = `while [ ! -e go ]; do sleep 0.05; done; echo ready-now; exec sleep 1000`;
    project = createProject(`{ services: { gate: { command: ${JSON.stringify(gate)}, ready: { logLine: 'ready-now' } } } }`);
    const p = project;
    expect((await p.zmart(['start', '--wait', '0'])).code).toBe(0);
    await waitFor(() => p.pid('gate'), 'gate to run');
    const waiting = await p.zmart(['status']);
    expect(waiting.stdout).toContain('⏳ gate: Running, not ready yet');
    expect(waiting.code).toBe(1);
    const listed = await p.zmart(['ls']);
    expect(listed.stdout).toMatch(/^gate\s+running\s+\d+.*\s+not ready$/m);
    expect(listed.code).toBe(1);

    writeFileSync(join(p.dir, 'go'), '');
    const up = await waitFor(async () => {
      const r = await p.zmart(['status']);
      return r.code === 0 ? r : null;
    }, 'gate to be ready');
    expect(up.stdout).toContain('✅ gate: Running');
    expect((await p.zmart(['ls'])).code).toBe(0);
  });
});
