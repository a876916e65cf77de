import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFleet, fixture, isAlive, killAll, readAllKids, readKids, readText, tempDir, waitFor, type Fleet } from '../helpers/project.js';
import { readsProc } from '../helpers/tools.js';

let fleet: Fleet | undefined;
const strays: number[] = [];
/** Where a restarting service writes its grandchildren (outside the fleet's folder, which close() removes): read once it is stopped. */
const kidsDirs: Array<ReturnType<typeof tempDir>> = [];
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
  for (const kids of kidsDirs.splice(0)) {
    strays.push(...readAllKids(join(kids.dir, 'kids.txt')));
    kids.cleanup();
  }
  killAll(strays.splice(0));
});

/** The escape: a double fork into a session of its own, the intermediate shell gone, the sleeps under pid 1. */
const ESCAPE = `setsid sh -c 'sleep 7401 & echo $! > kids.txt; sleep 7402 & echo $! >> kids.txt'; exec sleep 7400`;

describe('stopping real process trees', () => {
  readsProc()('stops what escaped the group through setsid and a double fork (found by the marker in its environment)', async () => {
    fleet = createFleet({ services: { escaper: { command: ESCAPE, readyAfter: 0, stop: { timeout: 500 } } } });
    await fleet.supervisor.start();
    const kids = await waitFor(() => {
      const pids = readAllKids(join(fleet!.dir, 'kids.txt'));
      return pids.length === 2 && pids.every(isAlive) ? pids : null;
    }, 'the escaped sleeps');
    strays.push(...kids);
    const leader = fleet.supervisor.snapshots()[0].pid!;
    const groupOf = (pid: number) => Number(readText(`/proc/${pid}/stat`).split(') ')[1].split(' ')[2]);
    expect(kids.map(groupOf)).not.toContain(leader); // out of its group, and not its descendants
    await fleet.supervisor.stop();
    await waitFor(() => kids.every((k) => !isAlive(k)), 'the escaped sleeps to be gone', 3000);
  });

  it('stops what escaped the group when the leader dies on its own, before or while it restarts', async () => {
    fleet = createFleet({
      services: { escaper: { command: ESCAPE.replace('exec sleep 7400', 'sleep 0.3'), readyAfter: 0, restart: { maxRestarts: 0 } } },
    });
    await fleet.supervisor.start();
    const kids = await waitFor(() => {
      const pids = readAllKids(join(fleet!.dir, 'kids.txt'));
      return pids.length === 2 ? pids : null;
    }, 'the escaped sleeps');
    strays.push(...kids);
    await waitFor(() => fleet!.supervisor.snapshots()[0].state === 'failed', 'the leader to exit');
    await waitFor(() => kids.every((k) => !isAlive(k)), 'the escaped sleeps to be gone', 3000);
  });

  it('SIGKILLs a service that ignores SIGTERM once stop.timeout has passed', async () => {
    fleet = createFleet({ services: { stubborn: { command: fixture('--ignore-term', '--print', 'ready'), stop: { timeout: 300 } } } });
    await fleet.supervisor.start();
    const pid = fleet.supervisor.snapshots()[0].pid!;
    await waitFor(() => readText(join(fleet!.dir, 'logs/stubborn.log')).includes('out ready'), 'its SIGTERM handler');

    const t0 = Date.now();
    await fleet.supervisor.stop();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    expect(isAlive(pid)).toBe(false);
    expect(fleet.of('service:stopped')).toEqual([expect.objectContaining({ service: 'stubborn', forced: true })]);
    // Log lines are written asynchronously; stop() does not wait for them (the daemon closes its logs after).
    await waitFor(
      () => /stubborn: did not stop within 300ms: killed with SIGKILL/.test(readText(join(fleet!.dir, 'logs/server_shutdown.log'))),
      'the forced kill in the shutdown log',
    );
  });

  it('leaves nothing of a service after stop: grandchildren in its group and in a session of their own', async () => {
    fleet = createFleet({ services: { forker: { command: fixture('--grandchild', 'kids.txt'), stop: { timeout: 400 } } } });
    const kidsFile = join(fleet.dir, 'kids.txt');
    await fleet.supervisor.start();
    const kids = await waitFor(() => readKids(kidsFile), 'the grandchildren');
    strays.push(...kids);
    expect(kids.every(isAlive)).toBe(true);

    await fleet.supervisor.stop();
    expect(kids.filter(isAlive)).toEqual([]);
    expect(fleet.supervisor.snapshots()[0]).toMatchObject({ state: 'stopped', pid: null });
  });

  it('cleans up what a crashed leader left in its group before restarting it', async () => {
    const kidsDir = tempDir();
    kidsDirs.push(kidsDir); // each run of the service leaves a grandchild in a session of its own
    const kidsFile = join(kidsDir.dir, 'kids.txt');
    fleet = createFleet({
      services: {
        crashy: { command: fixture('--grandchild', kidsFile, '--exit-after', 150), restart: { backoff: { initial: 50 } }, stop: { timeout: 300 } },
      },
    });
    await fleet.supervisor.start();
    const kids = await waitFor(() => readKids(kidsFile), 'the grandchildren');
    await waitFor(() => fleet!.of('service:restart').length >= 1, 'the restart');
    // The grandchild in its group goes with it. One that left the group (setsid) was
    // re-parented away when the leader died and cannot be found any more: see stop().
    expect(isAlive(kids[0])).toBe(false);
  });
});
