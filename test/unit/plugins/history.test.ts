import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createPluginHarness } from '../../../core/testing/index.js';
import history from '../../../plugins/history/index.js';
import { tempDir, waitFor } from '../../helpers/project.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const start = new Date(2026, 10, 30, 12, 0, 0).getTime();

/** The plugin sampling every 10 s from 12:00, its pid folder in a temp folder removed after the test. */
async function historyHarness() {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const pidDir = join(dir, 'server_pids');
  const h = await createPluginHarness(history({ sample: '10s' }), {
    services: { api: { command: 'x' } },
    now: start,
    folders: { logDir: join(dir, 'logs'), pidDir },
  });
  return { h, pidDir };
}

describe('history through core/testing', () => {
  it('writes each minute once it has ended; a write that fails is said once, and once when writing works again', async () => {
    const { h, pidDir } = await historyHarness();
    const minutes = join(pidDir, 'history', 'api.minutes.jsonl');
    // a folder planted where the file goes: every append fails
    mkdirSync(minutes);
    await h.advance(61_000);
    await waitFor(() => h.logs.some((l) => /history not written \(EISDIR/.test(l.message)), 'the failure said');
    await h.advance(60_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(h.logs.filter((l) => /history not written/.test(l.message))).toHaveLength(1); // said once
    rmSync(minutes, { recursive: true });
    await h.advance(60_000);
    await waitFor(() => h.logs.some((l) => l.message === 'history is written again'), 'the recovery said');
    await h.teardown();
    const lines = readFileSync(minutes, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    // the minutes lost while it failed are gone; the one that worked and the one under way at the stop are there
    expect(lines.map((m) => (m.t - start) / 60_000)).toEqual([2, 3]);
    expect(lines[0]).toMatchObject({ samples: 6, up: 6 }); // the harness's service runs, healthy
    expect(lines[1]).toMatchObject({ samples: 1 }); // the sample at 3:00, written at the stop
  });

  it('makes its folder again when it has gone, and writes the minute there', async () => {
    const { h, pidDir } = await historyHarness();
    const folder = join(pidDir, 'history');
    await h.advance(61_000);
    await waitFor(() => existsSync(join(folder, 'api.minutes.jsonl')), 'the first minute written');
    rmSync(folder, { recursive: true });
    await h.advance(60_000);
    await waitFor(() => existsSync(join(folder, 'api.minutes.jsonl')), 'the next minute written in a new folder');
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    await h.teardown();
    expect(h.logs.filter((l) => /history not written/.test(l.message))).toEqual([]);
    const lines = readFileSync(join(folder, 'api.minutes.jsonl'), 'utf8').trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l).t - start) / 60_000)).toEqual([1, 2]); // the one after the rm, and the one at the stop
  });
});
