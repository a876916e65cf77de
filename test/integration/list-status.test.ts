import { afterEach, describe, expect, it } from 'vitest';
import { createProject, fixtureCommand, type Project } from '../helpers/daemon.js';

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
});
