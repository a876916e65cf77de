import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFleet, readText, waitFor, type Fleet } from '../helpers/project.js';

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

// 'two' on stderr comes half a second before 'three' ends: the order holds even when the loop is
// held a moment at the spawn (the portable backend's ps, a loaded machine).
const SCRIPT = "printf 'one\\n'; printf 'two\\n' >&2; printf 'th'; sleep 0.5; printf 'ree\\n'; exec sleep 30";

describe("a service's output log", () => {
  it('stamps each line with the time and its stream, or writes it as it came with logs.timestamps false', async () => {
    fleet = createFleet({
      services: {
        stamped: { command: SCRIPT },
        plain: { command: SCRIPT, logs: { timestamps: false } },
      },
    });
    await fleet.supervisor.start();
    const log = (name: string) => readText(join(fleet!.dir, `logs/${name}.log`));
    await waitFor(() => log('stamped').includes('three') && log('plain').includes('three'), 'both services to write three lines');

    const output = (text: string) => text.split('\n').filter((l) => l !== '' && !/ zmart /.test(l));
    expect(output(log('stamped'))).toEqual([
      expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z out one$/),
      expect.stringMatching(/Z err two$/),
      expect.stringMatching(/Z out three$/),
    ]);
    expect(output(log('plain'))).toEqual(['one', 'two', 'three']);
    // zmart's own notes in the plain log keep their time.
    expect(log('plain')).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z zmart /m);
  });
});
