import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createProject, type Project } from '../helpers/daemon.js';
import { CLI, killAll, readText, waitFor } from '../helpers/project.js';

let project: Project | undefined;
const started: number[] = [];
afterEach(async () => {
  killAll(started.splice(0));
  await project?.cleanup();
  project = undefined;
});

/** Where the file goes: Node marks the descriptors below ~16 it inherits close-on-exec itself, not those above. */
const PLANTED_FD = 40;

/**
 * `zmart ARGS` started with a file of the test's open as its fd 40, not close-on-exec, as a
 * shell leaves what it opened (`exec 40>file`) to the commands it runs.
 */
function zmartWithAnOpenFile(p: Project, args: string[], file: string) {
  const fd = openSync(file, 'a');
  try {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: p.dir,
      env: { ...process.env, NO_COLOR: '1', ...p.env },
      stdio: Array.from({ length: PLANTED_FD + 1 }, (_, i) => (i === PLANTED_FD ? fd : 'ignore')),
      detached: true,
    });
    started.push(child.pid!);
    return child;
  } finally {
    closeSync(fd);
  }
}

// Each service lists its own descriptors into its log.
const LISTS_ITS_FDS = `{ services: { api: { command: ['/bin/sh', '-c', 'ls -l /proc/$$/fd; echo listed; exec sleep 1000'], readyAfter: 0 } } }`;

describe.runIf(process.platform === 'linux')('descriptors zmart inherited', () => {
  it('reach no service of the background supervisor, and zmart.log says which were closed', async () => {
    project = createProject(LISTS_ITS_FDS);
    const p = project;
    const planted = join(p.dir, 'left-open-by-the-shell.txt');
    const cli = zmartWithAnOpenFile(p, ['start'], planted);
    expect(await new Promise((resolve) => cli.once('exit', resolve))).toBe(0);
    const log = join(p.logDir, 'api.log');
    await waitFor(() => readText(log).includes('listed'), 'the service to list its descriptors');
    expect(readText(log)).not.toContain(planted);
    expect(readText(log)).toMatch(/ out l\S+ .* 2 -> /); // the listing is there
    expect(readText(join(p.logDir, 'zmart.log'))).toMatch(
      new RegExp(`closed \\d+ descriptor\\(s\\) inherited from the process that started zmart.* ${PLANTED_FD} \\(${planted.replace(/[.]/g, '\\.')}\\)`),
    );
  });

  it('reach no service of a supervisor in the foreground', async () => {
    project = createProject(LISTS_ITS_FDS);
    const p = project;
    const planted = join(p.dir, 'left-open-by-the-shell.txt');
    zmartWithAnOpenFile(p, ['start', '--foreground'], planted);
    const log = join(p.logDir, 'api.log');
    await waitFor(() => readText(log).includes('listed'), 'the service to list its descriptors');
    expect(readText(log)).not.toContain(planted);
    expect((await p.zmart(['stop'])).code).toBe(0);
  });
});
