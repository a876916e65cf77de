import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFleet, fixture, isAlive, killAll, readKids, readStat, readText, waitFor, type Fleet } from '../helpers/project.js';

let fleet: Fleet | undefined;
const strays: number[] = [];
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
  killAll(strays.splice(0));
});

/**
 * A master and its worker, as postgres, nginx or gunicorn run: the master, on TERM, tells its
 * worker to finish (USR1) and waits for it. The worker says which signal reached it.
 */
// (the words are put together at run time: the command line, which the log also shows, must not
// hold them; it exits a moment after USR1, so that a TERM that came with it is handled too)
const WORKER = `const w = 'worker'; process.on('SIGTERM', () => console.log(w + ' got TERM')); process.on('SIGUSR1', () => { console.log(w + ' told by its master'); setTimeout(() => process.exit(0), 50); }); setInterval(() => {}, 1000); console.log(w + ' up');`;
const MASTER = `${process.execPath} -e ${JSON.stringify(WORKER)} & W=$!; trap 'echo master got TERM; kill -USR1 $W; wait $W; exit 0' TERM; while :; do wait; done`;

async function stopMaster(mode: 'group' | 'main'): Promise<{ log: string; forced: boolean }> {
  fleet = createFleet({ services: { master: { command: ['/bin/sh', '-c', MASTER], readyAfter: 0, stop: { timeout: '5s', mode } } } });
  await fleet.supervisor.start();
  const log = () => readText(join(fleet!.dir, 'logs', 'master.log'));
  await waitFor(() => log().includes('worker up'), 'the worker');
  // stopped, and the logs flushed: what the processes printed on their way out may still be in
  // their pipes when the stop is over (CI read the log without 'stopping pid' once)
  await fleet.shutdown();
  return { log: log(), forced: fleet.of('service:stopped')[0]!.forced };
}

describe('stop.mode', () => {
  it('main: only the master gets the stop signal; it stops its worker its own way, nothing forced', async () => {
    const { log, forced } = await stopMaster('main');
    expect(log).toContain('master got TERM');
    expect(log).toContain('worker told by its master');
    expect(log).not.toContain('worker got TERM');
    expect(log).toContain('stopping pid');
    expect(log).toContain('(the main process first)');
    expect(forced).toBe(false);
  });

  it('group (the default): every process gets it at once, the worker too', async () => {
    const { log, forced } = await stopMaster('group');
    expect(log).toContain('master got TERM');
    expect(log).toContain('worker got TERM');
    expect(forced).toBe(false);
  });

  it('main: what is left once the master exited gets the signal, and SIGKILL at the timeout, what left the group included', async () => {
    fleet = createFleet({
      services: { master: { command: fixture('--grandchild', 'kids.txt'), readyAfter: 0, stop: { timeout: 600, mode: 'main' } } },
    });
    await fleet.supervisor.start();
    const kids = await waitFor(() => readKids(join(fleet!.dir, 'kids.txt')), 'the grandchildren'); // in its group, and in a session of their own
    strays.push(...kids);
    // node has set up their SIGTERM handler (they ignore it) once it waits: sleeping
    await waitFor(() => kids.every((k) => readStat(k)?.state === 'S'), 'the grandchildren to settle');
    const t0 = Date.now();
    await fleet.supervisor.stop();
    expect(fleet.of('service:stopped')[0]!.forced).toBe(true); // they ignore SIGTERM
    await waitFor(() => kids.every((k) => !isAlive(k)), 'both grandchildren gone');
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('main: a master that ignores the signal is killed with its whole group at the timeout', async () => {
    fleet = createFleet({
      services: { stubborn: { command: fixture('--ignore-term', '--grandchild', 'kids.txt'), readyAfter: 0, stop: { timeout: 500, mode: 'main' } } },
    });
    await fleet.supervisor.start();
    const kids = await waitFor(() => readKids(join(fleet!.dir, 'kids.txt')), 'the grandchildren');
    strays.push(...kids);
    await waitFor(() => kids.every((k) => readStat(k)?.state === 'S'), 'the grandchildren to settle');
    const leader = fleet.supervisor.snapshots()[0]!.pid!;
    await fleet.supervisor.stop();
    expect(fleet.of('service:stopped')[0]!.forced).toBe(true);
    await waitFor(() => [leader, ...kids].every((k) => !isAlive(k)), 'the master and its grandchildren gone');
  });
});
