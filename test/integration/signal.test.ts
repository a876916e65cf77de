import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../core/status/types.js';
import { createProject, fixtureCommand, type Project } from '../helpers/daemon.js';
import { readText, waitFor } from '../helpers/project.js';

let project: Project | undefined;
afterEach(async () => {
  await project?.cleanup();
  project = undefined;
});

const statusOf = async (p: Project) => JSON.parse((await p.zmart(['status', '--json'])).stdout) as StatusReport;

describe('zmart signal', () => {
  it('sends HUP to the main process, logged with who sent it; the service keeps running, nothing counted as a crash', async () => {
    project = createProject(`{ services: { web: { command: ${fixtureCommand('--trap-hup')}, readyAfter: 100 } } }`);
    const p = project;
    expect((await p.zmart(['start'])).code).toBe(0);
    const pid = p.pid('web');
    const result = await p.zmart(['signal', 'web', 'hup']);
    expect(result).toMatchObject({ code: 0, stdout: `SIGHUP sent to web (pid ${pid})\n` });
    await waitFor(() => readText(join(p.logDir, 'web.log')).includes('SIGHUP received'), 'the service to see the signal');
    const log = readText(join(p.logDir, 'web.log'));
    expect(log).toContain(`SIGHUP sent to pid ${pid} by operator`);
    expect(readText(join(p.logDir, 'server_monitor.log'))).toContain(`web: SIGHUP sent to pid ${pid} by operator`);
    expect((await statusOf(p)).services[0]).toMatchObject({ state: 'running', pid, restarts: 0 });
  });

  it('a TERM the operator sent is the exit asked for: restarted at once as manual, no budget spent', async () => {
    project = createProject(`{ services: { web: { command: ${fixtureCommand()}, readyAfter: 100, restart: { maxRestarts: 0 } } } }`);
    const p = project;
    expect((await p.zmart(['start'])).code).toBe(0);
    const first = p.pid('web');
    expect((await p.zmart(['signal', 'web', 'SIGTERM'])).code).toBe(0);
    const web = await waitFor(async () => {
      const s = (await statusOf(p)).services[0];
      return s?.state === 'running' && s.pid !== first ? s : null;
    }, 'the service back with a new process');
    expect(web.lastRestart).toMatchObject({ kind: 'manual', by: 'operator', detail: 'exited with code 0 after SIGTERM from the operator' });
  });

  it('goes to the main process alone, and with --all to its whole process group', async () => {
    const child = `${process.execPath} ${JSON.stringify(join(import.meta.dirname, '../fixtures/server.mjs'))} --trap-hup --print child-up`;
    const shell = `trap 'echo shell got HUP' HUP; ${child} & while :; do wait; done`;
    project = createProject(`{ services: { web: { command: ['/bin/sh', '-c', ${JSON.stringify(shell)}], readyAfter: 100 } } }`);
    const p = project;
    const log = () => readText(join(p.logDir, 'web.log'));
    expect((await p.zmart(['start'])).code).toBe(0);
    await waitFor(() => log().includes('child-up'), 'the child to start');
    expect((await p.zmart(['signal', 'web', 'HUP'])).code).toBe(0);
    await waitFor(() => log().includes('shell got HUP'), 'the main process to get it');
    expect(log()).not.toContain('SIGHUP received');
    expect((await p.zmart(['signal', 'web', 'HUP', '--all'])).stdout).toMatch(/SIGHUP sent to web \(pid \d+ and its process group\)/);
    await waitFor(() => log().includes('SIGHUP received'), 'the child to get it too');
  });

  it('refuses what it must: an unknown signal or KILL (exit 2), an unknown service (2), a service with no process (1)', async () => {
    project = createProject(`{ services: { web: { command: ${fixtureCommand()}, readyAfter: 100 }, idle: { command: ${fixtureCommand()} } } }`);
    const p = project;
    expect((await p.zmart(['start', 'web'])).code).toBe(0);
    const bogus = await p.zmart(['signal', 'web', 'BOGUS']);
    expect(bogus).toMatchObject({ code: 2 });
    expect(bogus.stderr).toContain('"BOGUS" is not a signal zmart sends; one of: HUP INT QUIT TERM USR1 USR2 TTIN TTOU WINCH CONT');
    expect((await p.zmart(['signal', 'web', 'KILL'])).code).toBe(2);
    expect((await p.zmart(['signal', 'web', '9'])).code).toBe(2);
    const unknown = await p.zmart(['signal', 'nope', 'HUP']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no service named 'nope'");
    const stopped = await p.zmart(['signal', 'idle', 'HUP']);
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toContain('idle is stopped: no process to send SIGHUP to');
  });
});
