import { afterEach, describe, expect, it } from 'vitest';
import memoryGuard from '../../plugins/memory-guard/index.js';
import { createFleet, fixture, isAlive, waitFor, type Fleet } from '../helpers/project.js';

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

describe('memory-guard with real processes', () => {
  it('restarts a service whose child process (not the leader) grows past maxRss, with reason memory', async () => {
    fleet = createFleet({
      services: { api: { command: fixture('--child-grow', 400), memory: { maxRss: '200MB', for: 2 }, stop: { timeout: 1000 } } },
      plugins: [memoryGuard({ interval: 150 })],
    });
    await fleet.supervisor.start();
    const leader = fleet.supervisor.snapshots()[0].pid!;
    const restart = await waitFor(() => fleet!.of('service:restart')[0], 'the restart', 10_000);
    expect(restart.reason.kind).toBe('memory');
    // each command once, the biggest first, with its pid: the grown child, then the leader
    // (a long checkout path cuts the leader's argv short, as on CI's /check/work/main)
    expect(restart.reason.detail).toMatch(
      /^RSS \d+ MB over 200 MB for 2 samples: node -e .*… \(pid (\d+)\) \d+ MB, node [^(]*(?:server\.mjs --child-grow 400|…) \(pid (\d+)\) \d+ MB$/,
    );
    const [biggest, second] = [...restart.reason.detail.matchAll(/pid (\d+)/g)].map((m) => Number(m[1]));
    expect(biggest).not.toBe(leader); // the child, not the leader, was the big one
    expect(second).toBe(leader);
    await waitFor(() => !isAlive(biggest) && !isAlive(leader), 'the old tree to be gone');
    const metrics = fleet.supervisor.snapshots()[0].metrics;
    expect(typeof metrics.rssBytes).toBe('number');
  });
});
