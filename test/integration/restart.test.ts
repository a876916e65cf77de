import { afterEach, describe, expect, it } from 'vitest';
import { createFleet, fixture, waitFor, type Fleet } from '../helpers/project.js';

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

describe('restarts with real processes', () => {
  it('restarts on restart.cron (every 2 s) with reason schedule, at once, with a new process', async () => {
    fleet = createFleet({ services: { nightly: { command: fixture(), readyAfter: 0, restart: { cron: '*/2 * * * * *', backoff: { initial: '30s' } } } } });
    await fleet.supervisor.start();
    const first = fleet.supervisor.snapshots()[0];
    expect(first.nextRestartAt).not.toBeNull();
    const restart = await waitFor(() => fleet!.of('service:restart')[0], 'the scheduled restart', 4000);
    expect(restart).toMatchObject({ reason: { kind: 'schedule', by: 'core' }, delayMs: 0 });
    await waitFor(() => fleet!.supervisor.snapshots()[0].state === 'running' && fleet!.supervisor.snapshots()[0].pid !== first.pid, 'the new process');
    expect(fleet.supervisor.snapshots()[0].lastRestart).toMatchObject({ kind: 'schedule' });
  });

  it('restarts a crashed service after the configured backoff, doubling each time', async () => {
    fleet = createFleet({
      services: {
        crashy: {
          command: fixture('--exit-after', 30, '--code', 3),
          // three restarts, all the test looks at: the start returns once the budget is spent
          restart: { maxRestarts: 3, backoff: { initial: 150, factor: 2, max: 10_000 }, minUptime: '1m' },
        },
      },
    });
    await fleet.supervisor.start();
    await waitFor(() => fleet!.of('service:spawn').length >= 4, '3 restarts');

    const restarts = fleet.of('service:restart');
    expect(restarts.slice(0, 3).map((r) => r.delayMs)).toEqual([150, 300, 600]);
    expect(restarts[0].reason).toMatchObject({ kind: 'exit', by: 'core', detail: 'exited with code 3' });
    const exits = fleet.of('service:exit');
    const spawns = fleet.of('service:spawn');
    for (let i = 0; i < 3; i += 1) {
      // each new process starts no sooner than its backoff after the previous one died
      expect(spawns[i + 1].at - exits[i].at).toBeGreaterThanOrEqual(restarts[i].delayMs - 5);
      expect(spawns[i + 1].pid).not.toBe(spawns[i].pid);
    }
    expect(fleet.supervisor.snapshots()[0].lastRestart).toMatchObject({ kind: 'exit', detail: 'exited with code 3' });
  });

  it('marks a crash loop failed after exactly maxRestarts restarts, with an alert, and restarts no more', async () => {
    fleet = createFleet({
      services: {
        loop: { command: fixture('--exit-after', 20), restart: { maxRestarts: 3, backoff: { initial: 30, factor: 1 } } },
      },
    });
    await fleet.supervisor.start();
    await waitFor(() => fleet!.supervisor.controller('loop')!.state === 'failed', 'loop to fail');

    const snap = fleet.supervisor.snapshots()[0];
    expect(snap.state).toBe('failed');
    expect(snap.restarts).toBe(3);
    expect(fleet.of('service:spawn')).toHaveLength(4);
    expect(fleet.of('service:failed')).toEqual([expect.objectContaining({ service: 'loop', restarts: 3 })]);
    expect(fleet.of('alert').filter((a) => a.kind === 'service-failed')).toEqual([expect.objectContaining({ level: 'critical', service: 'loop' })]);
    await new Promise((r) => setTimeout(r, 200));
    expect(fleet.of('service:spawn')).toHaveLength(4);

    // the operator's restart gives the budget back
    await fleet.supervisor.controller('loop')!.restart();
    expect(fleet.of('service:spawn')).toHaveLength(5);
  });

  it('gives the budget back to a service that stayed up for minUptime', async () => {
    const service = (minUptime: number) => ({
      command: fixture('--exit-after', 250),
      readyAfter: 50,
      restart: { maxRestarts: 1, minUptime, backoff: { initial: 10, factor: 1 } },
    });
    fleet = createFleet({ services: { earns: service(100), spends: service(60_000) } });
    await fleet.supervisor.start();

    await waitFor(() => fleet!.supervisor.controller('spends')!.state === 'failed', 'spends to fail');
    await waitFor(() => fleet!.of('service:spawn').filter((s) => s.service === 'earns').length >= 4, 'earns to restart 3 times');
    expect(fleet.supervisor.controller('earns')!.state).not.toBe('failed');
    expect(fleet.of('service:spawn').filter((s) => s.service === 'spends')).toHaveLength(2);
  });

  it("keeps a service down under policy 'on-failure' after a clean exit, and restarts it after a failure", async () => {
    fleet = createFleet({
      services: {
        clean: { command: fixture('--exit-after', 20, '--code', 0), restart: { policy: 'on-failure', backoff: { initial: 10 } } },
        dirty: { command: fixture('--exit-after', 20, '--code', 2), restart: { policy: 'on-failure', maxRestarts: 1, backoff: { initial: 10 } } },
        once: { command: fixture('--exit-after', 20, '--code', 2), restart: { policy: 'never' } },
      },
    });
    await fleet.supervisor.start();
    const state = (n: string) => fleet!.supervisor.controller(n)!.state;
    await waitFor(() => state('clean') === 'exited' && state('dirty') === 'failed' && state('once') === 'exited', 'final states');
    const spawns = (n: string) => fleet!.of('service:spawn').filter((s) => s.service === n).length;
    expect([spawns('clean'), spawns('dirty'), spawns('once')]).toEqual([1, 2, 1]);
  });
});
