import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../core/config/resolve.js';
import { createFleet, isAlive, readText, tempDir, waitFor, type Fleet } from '../helpers/project.js';

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

const root = process.getuid?.() === 0;
/** The uid, gid and supplementary groups a process runs with, from /proc. */
const ids = (pid: number) => {
  const status = readText(`/proc/${pid}/status`);
  const field = (name: string) =>
    status
      .match(new RegExp(`^${name}:\\s*(.*)$`, 'm'))?.[1]
      ?.trim()
      .split(/\s+/) ?? [];
  return { uid: Number(field('Uid')[0]), gid: Number(field('Gid')[0]), groups: field('Groups').map(Number) };
};

describe('user and group', () => {
  it.runIf(root)("runs the service (and what it starts) as the user, with the user's groups, HOME and USER; stops it as usual", async () => {
    fleet = createFleet({
      services: {
        worker: {
          // cwd '/': the test's own folder is root's alone
          command: ['/bin/sh', '-c', 'echo "as $(id -u):$(id -g) HOME=$HOME USER=$USER"; sleep 600 & wait'],
          cwd: '/',
          user: 'nobody',
          readyAfter: 0,
        },
      },
    });
    await fleet.supervisor.start();
    const log = () => readText(join(fleet!.dir, 'logs', 'worker.log'));
    await waitFor(() => log().includes(' as '), 'the service to say who it is');
    expect(log()).toMatch(/out as 65534:65534 HOME=\/nonexistent USER=nobody/);
    const pid = fleet.supervisor.snapshots()[0]!.pid!;
    expect(ids(pid)).toEqual({ uid: 65534, gid: 65534, groups: [65534] });
    expect(readText(`/proc/${pid}/cmdline`).split('\0')[0]).toBe('/bin/sh'); // setpriv exec'd it: the pid file names the service
    await fleet.supervisor.stop();
    expect(fleet.of('service:stopped')[0]).toMatchObject({ forced: false });
  });

  it.runIf(root)('finds and stops what such a service sent away (setsid), by the marker in its environment', async () => {
    fleet = createFleet({
      services: {
        escaper: { command: `setsid sh -c 'sleep 7403 & echo kid $!'; exec sleep 7404`, cwd: '/', user: 'nobody', readyAfter: 0, stop: { timeout: 500 } },
      },
    });
    await fleet.supervisor.start();
    const kid = Number(await waitFor(() => readText(join(fleet!.dir, 'logs', 'escaper.log')).match(/out kid (\d+)/)?.[1], 'the escaped sleep'));
    expect(ids(kid).uid).toBe(65534);
    await fleet.supervisor.stop();
    await waitFor(() => !isAlive(kid), 'the escaped sleep to be gone', 3000);
  });

  it.runIf(root)('takes a group of its own', async () => {
    fleet = createFleet({ services: { w: { command: ['/bin/sh', '-c', 'exec sleep 600'], cwd: '/', user: 'nobody', group: 'root', readyAfter: 0 } } });
    await fleet.supervisor.start();
    const pid = fleet.supervisor.snapshots()[0]!.pid!;
    await waitFor(() => readText(`/proc/${pid}/cmdline`).startsWith('sleep'), 'setpriv and the shell to exec sleep');
    expect(ids(pid)).toMatchObject({ uid: 65534, gid: 0 });
  });

  it('refuses an unknown user or group, and any other user when zmart is not root, naming the key', () => {
    const { dir, cleanup } = tempDir();
    const issues = (service: object, uid = 0) => {
      try {
        resolveConfig({ services: { w: { command: 'x', ...service } } }, { file: null, root: dir, env: {}, uid });
        return [];
      } catch (error) {
        return (error as { issues: Array<{ path: string; message: string }> }).issues;
      }
    };
    try {
      expect(issues({ user: 'no-such-user-zmart' })).toEqual([{ path: 'services.w.user', message: "no user named 'no-such-user-zmart' on this machine" }]);
      expect(issues({ user: 'nobody', group: 'no-such-group-zmart' })).toEqual([
        { path: 'services.w.group', message: "no group named 'no-such-group-zmart' on this machine" },
      ]);
      expect(issues({ user: 'nobody' }, 1000)).toEqual([
        { path: 'services.w.user', message: 'zmart runs as uid 1000, not root: it can run services only as itself (start zmart as root, or drop this key)' },
      ]);
      expect(issues({ user: 'nobody' })).toEqual([]);
    } finally {
      cleanup();
    }
  });
});
