import { EventEmitter } from 'node:events';
import type { FSWatcher } from 'node:fs';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logs } from '../../../../core/di/contracts.js';
import { watchLogFolder } from '../../../../core/fleet/log-folder-watch.js';
import { FakeClock } from '../../../../core/testing/fake-clock.js';
import type { Alert } from '../../../../core/service/types.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A log folder, logs whose verify() reports `remade` once per call it is asked, and a watch the test drives. */
function setUp(options: { watchThrows?: boolean } = {}) {
  const logDir = mkdtempSync(join(tmpdir(), 'zmart-logwatch-'));
  dirs.push(logDir);
  const clock = new FakeClock();
  const verified: string[][] = [];
  let remade: string[] = [];
  const logs = {
    verify: () => {
      verified.push(remade);
      const r = remade;
      remade = [];
      return r;
    },
  } as unknown as Logs;
  const alerts: Alert[] = [];
  const watches: Array<EventEmitter & { fire(event: string): void; closed: boolean }> = [];
  const watchFolder = (_dir: string, onEvent: (event: string) => void): FSWatcher => {
    if (options.watchThrows) throw new Error('ENOSPC: no inotify watches left');
    const w = Object.assign(new EventEmitter(), { closed: false, fire: onEvent, close: () => void (w.closed = true) });
    watches.push(w);
    return w as unknown as FSWatcher;
  };
  const timer = watchLogFolder({ logs, scheduler: clock, logDir, alert: (a) => alerts.push(a), watchFolder });
  return { clock, verified, alerts, watches, timer, logDir, deleted: (files: string[]) => void (remade = files) };
}

describe('the log folder watch', () => {
  it('looks when something is deleted or moved in the folder, once for many events, and never for a write', async () => {
    const t = setUp();
    expect(t.watches).toHaveLength(1);
    t.watches[0].fire('change'); // a log line written
    await t.clock.advance(0);
    expect(t.verified).toHaveLength(0);

    t.deleted(['/logs/api.log', '/logs/web.log']);
    for (let i = 0; i < 50; i += 1) t.watches[0].fire('rename'); // rm -r of the folder
    await t.clock.advance(0);
    expect(t.verified).toHaveLength(1);
    expect(t.alerts).toEqual([expect.objectContaining({ kind: 'log-folder-missing', message: expect.stringContaining('2 log file(s) were deleted') })]);
    t.timer.cancel();
    expect(t.watches[0].closed).toBe(true);
  });

  it('watches the new folder once the old one is gone and made again', async () => {
    const t = setUp();
    rmSync(t.logDir, { recursive: true });
    t.watches[0].fire('rename');
    await t.clock.advance(0);
    expect(t.watches).toHaveLength(1); // nothing to watch until the folder is back
    // the logs make the folder again (here: by hand), and the next look watches it
    mkdirSync(t.logDir);
    await t.clock.advance(30_000);
    expect(t.watches).toHaveLength(2);
    expect(t.watches[0].closed).toBe(true);
    t.timer.cancel();
  });

  it('where no watch can be had, looks every 30 s instead', async () => {
    const t = setUp({ watchThrows: true });
    t.deleted(['/logs/api.log']);
    await t.clock.advance(29_000);
    expect(t.alerts).toEqual([]);
    await t.clock.advance(1000);
    expect(t.alerts).toHaveLength(1);
    t.timer.cancel();
  });
});
