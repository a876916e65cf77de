import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { definePlugin, type FollowedLine } from '../../core/index.js';
import fatalLine from '../../examples/plugins/fatal-line/index.js';
import { createFleet, fixture, readText, tempDir, waitFor, type Fleet } from '../helpers/project.js';

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

describe('following a service’s lines (ctx.logs.follow) with real processes', () => {
  it('a plugin stuck on a line never slows the service: the flood reaches the log, the plugin loses lines and is told how many', async () => {
    const seen: FollowedLine[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const stuck = definePlugin({
      name: 'stuck-reader',
      defaults: {},
      setup: (ctx) =>
        void ctx.logs.follow('flood', async (line) => {
          seen.push(line);
          if (seen.length === 1) await held;
        }),
    });
    const { dir, cleanup } = tempDir();
    const done = join(dir, 'flood.done');
    fleet = createFleet({
      services: { flood: { command: fixture('--flood', 50_000, '--mark-done', done), restart: { policy: 'never' } } },
      plugins: [stuck()],
    });
    await fleet.supervisor.start();
    await waitFor(() => readText(done), 'the flood to leave the service', 15_000);
    await waitFor(() => readText(join(fleet!.dir, 'logs', 'flood.log')).includes('n 0050000'), 'the last line in the log', 15_000);
    expect(seen.length).toBe(1); // still held on the first line
    release();
    // Every line (50,000 on stdout, 'flood done' on stderr) was either handed over or counted in a `lost`.
    const accounted = () => seen.length + seen.reduce((sum, l) => sum + l.lost, 0);
    await waitFor(() => accounted() === 50_001, 'every line handed over or counted', 10_000);
    expect(seen.length).toBe(1 + 1000);
    expect(seen.some((l) => l.lost > 0)).toBe(true);
    expect(['n 0050000', 'flood done']).toContain(seen.at(-1)?.text); // the two pipes are read in no set order
    cleanup();
  });

  it('the fatal-line example restarts a service whose log says FATAL though its process runs', async () => {
    fleet = createFleet({
      services: { api: { command: fixture('--print', 'FATAL: lost the database'), restartOnLine: 'FATAL', restart: { backoff: { initial: 10 } } } },
      plugins: [fatalLine()],
    });
    await fleet.supervisor.start();
    const restart = await waitFor(() => fleet!.of('service:restart')[0], 'the restart');
    expect(restart.reason).toEqual({ kind: 'unhealthy', by: 'fatal-line', detail: 'its log said: FATAL: lost the database' });
  });
});
