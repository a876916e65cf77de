import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFleet, fixture, readText, tempDir, waitFor, type Fleet } from '../helpers/project.js';

let fleet: Fleet | undefined;
const cleanups: Array<() => void> = [];
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
  for (const c of cleanups.splice(0).reverse()) c();
});

const LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (out|err|zmart) .*$/;

describe('the log folder on a bad day', () => {
  it('is made again within seconds when deleted under a running fleet, with one alert, and writing goes on there', async () => {
    fleet = createFleet({ services: { api: { command: fixture('--tick', 20), readyAfter: 0 } } });
    await fleet.supervisor.start();
    const logDir = join(fleet.dir, 'logs');
    await waitFor(() => readText(join(logDir, 'api.log')).includes('out tick 3 '), 'a few ticks');
    rmSync(logDir, { recursive: true, force: true });
    await waitFor(() => /out tick \d+ /.test(readText(join(logDir, 'api.log'))), 'ticks in the new api.log', 6000);
    const alerts = fleet.of('alert').filter((a) => a.kind === 'log-folder-missing');
    expect(alerts).toHaveLength(1);
    await waitFor(() => readText(join(logDir, 'server_monitor.log')).includes('ALERT log-folder-missing'), 'the alert in the new monitor log');
  });

  it.runIf(process.getuid?.() === 0)(
    'on a full disk holds whole lines, drops and counts the rest, and resumes within a second of space coming back, never a partial line',
    async () => {
      const { dir, cleanup } = tempDir();
      const logDir = join(dir, 'logs');
      mkdirSync(logDir);
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', logDir]);
      cleanups.push(cleanup, () => execFileSync('umount', ['-l', logDir]));
      const done = join(dir, 'flood.done');
      fleet = createFleet(
        { logDir, services: { api: { command: fixture('--flood', 100_000, '--flood-on-usr1', '--mark-done', done, '--print', 'ready'), readyAfter: 0 } } },
        { dir },
      );
      await fleet.supervisor.start();
      await waitFor(() => readText(join(logDir, 'api.log')).includes('out ready'), 'the service to listen for SIGUSR1');
      // fill the disk to the last byte
      try {
        execFileSync('dd', ['if=/dev/zero', `of=${join(logDir, 'filler')}`, 'bs=64k'], { stdio: 'ignore' });
      } catch {
        // ENOSPC: full
      }
      process.kill(fleet.supervisor.snapshots()[0].pid!, 'SIGUSR1'); // 100,000 lines (~4 MB stamped) while full
      await waitFor(() => existsSync(done), 'the flood to be written out', 10_000);
      const freed = Date.now();
      rmSync(join(logDir, 'filler'));
      const log = join(logDir, 'api.log');
      await waitFor(() => readText(log).includes(' zmart dropped '), 'the marker line', 5000);
      expect(Date.now() - freed).toBeLessThan(3000);
      // the held lines follow the marker, written as the file takes them: every line written or counted
      const parse = () => {
        const lines = readText(log).split('\n');
        const marker = lines.find((l) => l.includes(' zmart dropped '))!;
        const dropped = Number(/dropped (\d+) lines/.exec(marker)![1]);
        const numbers = lines.flatMap((l) => /out n (\d{7})$/.exec(l)?.[1] ?? []).map(Number);
        return { lines, marker, dropped, numbers };
      };
      const { lines, marker, dropped, numbers } = await waitFor(() => {
        const now = parse();
        return now.numbers.length + now.dropped >= 100_000 ? now : null;
      }, 'every line written or counted after the marker');
      expect(lines.pop()).toBe(''); // ends with a newline: no partial line
      const bad = lines.filter((l) => !LINE.test(l) || /Z (out|err) .*\d{4}-\d\d-\d\dT/.test(l));
      expect(bad.slice(0, 3)).toEqual([]); // every line whole, none glued to another
      expect(new Set(numbers).size).toBe(numbers.length); // none twice
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b)); // in order
      expect(dropped).toBeGreaterThan(0);
      console.log(`full disk: ${numbers.length} lines written, ${dropped} dropped and counted: ${marker}`);
    },
    20_000,
  );
});
