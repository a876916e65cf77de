import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { rotatedFiles } from '../../core/logging/rotation.js';
import logRotate from '../../plugins/log-rotate/index.js';
import { createFleet, fixture, waitFor, type Fleet } from '../helpers/project.js';

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

const LINES = 2_000_000;

describe('log-rotate with a service writing at full speed', () => {
  it(`keeps all ${LINES} lines, once each, whole and in order, across 1 MB rotations (gzipped)`, { timeout: 60_000 }, async () => {
    fleet = createFleet({
      services: { flood: { command: fixture('--flood', LINES, '--exit-when-done'), readyAfter: 0, restart: { policy: 'never' } } },
      plugins: [logRotate({ maxSize: '1MB', keep: 1000, compress: true })],
    });
    const log = join(fleet.dir, 'logs', 'flood.log');
    await fleet.supervisor.start();
    const t0 = Date.now();
    await waitFor(() => fleet!.supervisor.controller('flood')!.state === 'exited', 'the flood to end', 50_000);
    const seconds = (Date.now() - t0) / 1000;
    await fleet.shutdown(); // flushes, then waits for the last compressions

    const files = rotatedFiles(log);
    expect(files.length).toBeGreaterThan(50);
    expect(files.every((f) => f.endsWith('.gz'))).toBe(true);
    let expected = 1;
    let bad = 0;
    for (const file of [...files, log]) {
      const text = file.endsWith('.gz') ? gunzipSync(readFileSync(file)).toString() : readFileSync(file, 'utf8');
      expect(text.endsWith('\n'), file).toBe(true);
      for (const line of text.split('\n')) {
        const match = / out n (\d{7})$/.exec(line);
        if (!match) continue;
        if (Number(match[1]) === expected) expected += 1;
        else bad += 1;
      }
    }
    expect(bad).toBe(0);
    expect(expected - 1).toBe(LINES);
    console.log(`${LINES} lines through zmart with 1 MB rotation in ${seconds.toFixed(1)}s, ${files.length} rotated files`);
  });
});
