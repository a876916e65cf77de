import { afterEach, describe, expect, it } from 'vitest';
import { createFleet, type Fleet, fixture, isAlive, waitFor } from '../helpers/project.js';

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

describe('twenty operators asking at once', () => {
  it('twenty restarts of one service at once: each waits for the same restart and is told it came back', async () => {
    fleet = createFleet({ services: { web: { command: fixture(), readyAfter: 200 }, db: { command: fixture(), readyAfter: 100 } } });
    await fleet.supervisor.start();
    const before = fleet.supervisor.snapshots().find((s) => s.name === 'web')!.pid!;
    // as twenty CLIs' requests arrive: a few milliseconds apart, each while the others' restart runs
    const later = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const reports = await Promise.all(Array.from({ length: 20 }, (_, i) => later(i * 10).then(() => fleet!.supervisor.restartServices(['web']))));
    for (const report of reports) expect(report).toEqual({ up: ['web'], down: [] });
    const web = fleet.supervisor.snapshots().find((s) => s.name === 'web')!;
    expect(web.state).toBe('running');
    expect(web.pid).not.toBe(before);
    await waitFor(() => !isAlive(before), 'the old process gone');
    // restarts that arrive while one runs join it: a few restarts, not twenty
    expect(fleet.of('service:spawn').filter((e) => e.service === 'web').length).toBeLessThan(6);
    // a restart asked for two services, one already restarting, joins that one and restarts the other
    const [both, one] = await Promise.all([fleet.supervisor.restartServices(['web', 'db']), fleet.supervisor.restartServices(['web'])]);
    expect(both.down).toEqual([]);
    expect([...both.up].sort()).toEqual(['db', 'web']);
    expect(one).toEqual({ up: ['web'], down: [] });
  });

  it('twenty starts and twenty stops at once agree with each other', async () => {
    fleet = createFleet({ services: { web: { command: fixture(), readyAfter: 200 } } });
    await fleet.supervisor.start();
    const later = (ms: number) => new Promise((r) => setTimeout(r, ms));
    await Promise.all(Array.from({ length: 20 }, (_, i) => later(i * 5).then(() => fleet!.supervisor.stopServices(['web']))));
    expect(fleet.supervisor.snapshots()[0]!.state).toBe('stopped');
    const starts = await Promise.all(Array.from({ length: 20 }, (_, i) => later(i * 10).then(() => fleet!.supervisor.start(['web']))));
    for (const report of starts) expect(report).toEqual({ up: ['web'], down: [] });
    expect(fleet.of('service:spawn').filter((e) => e.service === 'web')).toHaveLength(2);
  });
});
