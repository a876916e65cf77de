import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ask, envOf, underLoad } from '../helpers/process-view.js';
import portGuard from '../../plugins/port-guard/index.js';
import { createFleet, type Fleet, fixture, freePort, isAlive, waitFor } from '../helpers/project.js';
import { readsProc } from '../helpers/tools.js';

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

describe('socket: true, the listening socket zmart holds', () => {
  readsProc()('is handed over as fd 3 (systemd protocol), and restarts refuse no request: they wait in its queue', async () => {
    const port = await freePort();
    fleet = createFleet({
      services: { api: { command: fixture('--listen-fd'), port, socket: true, ready: { logLine: 'listening on fd 3' } } },
      plugins: [portGuard()],
    });
    await fleet.supervisor.start();
    const first = fleet.supervisor.snapshots()[0]!.pid!;
    expect(envOf(first)).toMatchObject({ LISTEN_FDS: '1', LISTEN_PID: String(first), LISTEN_FDNAMES: 'api', PORT: String(port) });
    await waitFor(() => ask(port).catch(() => null), 'the first answer');
    const load = await underLoad(port, async () => {
      for (let i = 0; i < 2; i += 1) expect(await fleet!.supervisor.restartServices(['api'])).toEqual({ up: ['api'], down: [] });
      const current = fleet!.supervisor.snapshots()[0]!.pid!;
      await waitFor(async () => (await ask(port)) === String(current), 'the last process answering');
    });
    expect(load.failed).toEqual([]);
    expect(load.answered).toBeGreaterThan(4);
    expect(load.pids.has(String(fleet.supervisor.snapshots()[0]!.pid))).toBe(true); // the new process took the queue over
    expect(isAlive(first)).toBe(false);
    // a crash too: the next process takes the queue over
    const second = fleet.supervisor.snapshots()[0]!.pid!;
    const crash = await underLoad(port, async () => {
      process.kill(second, 'SIGKILL');
      await waitFor(
        () => fleet!.supervisor.snapshots()[0]!.pid !== second && fleet!.supervisor.snapshots()[0]!.state === 'running',
        'the restart after the kill',
      );
      await ask(port);
    });
    expect(crash.failed.filter((f) => !/socket hang up|ECONNRESET/.test(f))).toEqual([]); // only what the killed process held
    // a stop closes it: the port is free
    await fleet.supervisor.stopServices(['api']);
    await expect(ask(port)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('is let go when its service will not run again (exited, failed): connections are refused, not left waiting', async () => {
    const port = await freePort();
    fleet = createFleet({
      services: {
        api: {
          command: fixture('--listen-fd', '--exit-after', 300),
          port,
          socket: true,
          restart: { policy: 'never' },
          ready: { logLine: 'listening on fd 3' },
        },
      },
    });
    await fleet.supervisor.start();
    await waitFor(() => fleet!.supervisor.snapshots()[0]!.state === 'exited', 'the service to exit');
    await expect(ask(port)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('and the check can fail: without it, the same restart refuses connections', async () => {
    const port = await freePort();
    fleet = createFleet({ services: { api: { command: fixture('--port', port, '--listen-after', 150), port, readyAfter: 100 } } });
    await fleet.supervisor.start();
    await waitFor(() => ask(port).catch(() => null), 'the first answer');
    const load = await underLoad(port, () => fleet!.supervisor.restartServices(['api']));
    expect(load.failed.some((f) => /ECONNREFUSED/.test(f))).toBe(true);
  });

  it('a port held by a stranger: the start fails in one line naming the holder; nothing half-started', async () => {
    const port = await freePort();
    const stranger = createServer();
    await new Promise<void>((resolve) => stranger.listen(port, '127.0.0.1', resolve));
    try {
      fleet = createFleet({ services: { api: { command: fixture('--listen-fd'), port, socket: true, restart: { maxRestarts: 0 } } } });
      const report = await fleet.supervisor.start();
      expect(report.down.map((d) => d.name)).toEqual(['api']);
      const snap = fleet.supervisor.snapshots()[0]!;
      expect(snap.lastError).toMatch(new RegExp(`port ${port} on 127\\.0\\.0\\.1 is taken by pid ${process.pid} \\(`));
      expect(fleet.of('service:spawn')).toEqual([]);
    } finally {
      stranger.close();
    }
  });
});
