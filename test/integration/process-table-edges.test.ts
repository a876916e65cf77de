import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pickTable } from '../../core/process/table/pick.js';
import { portableTable } from '../../core/process/table/portable/index.js';
import { tempDir } from '../helpers/project.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** An executable script in a fresh folder that leaves `ran` behind when it runs. */
function planted(name: string, body: string): { dir: string; file: string; ran: string } {
  const { dir, cleanup } = tempDir('zmart-planted-');
  cleanups.push(cleanup);
  const file = join(dir, name);
  const ran = join(dir, 'ran');
  writeFileSync(file, `#!/bin/sh\ntouch ${ran}\n${body}\n`);
  chmodSync(file, 0o755);
  return { dir, file, ran };
}

describe('the portable process table on a bad day', () => {
  it('never runs a ps or lsof planted first in PATH', () => {
    const fake = planted('ps', 'echo "    1     0     1 S 1 0:00.00 Mon Nov  2 08:12:40 2026 /sbin/launchd"');
    writeFileSync(join(fake.dir, 'lsof'), `#!/bin/sh\ntouch ${fake.ran}\n`, { mode: 0o755 });
    const path = process.env.PATH;
    process.env.PATH = `${fake.dir}:${path}`;
    cleanups.push(() => {
      process.env.PATH = path;
    });
    const table = pickTable({ ...process.env, ZMART_PROC_BACKEND: 'portable' }, 'linux');
    expect(table.stat(process.pid)?.ppid).toBe(process.ppid);
    expect(table.all().some((s) => s.pid === process.pid)).toBe(true);
    table.listeners(1);
    expect(existsSync(fake.ran)).toBe(false);
  });

  it('without lsof, cannot tell who holds a port (null), and says nothing wrong', () => {
    const table = portableTable({ ps: '/bin/ps', lsof: null, envFlag: 'e' });
    expect(table.listeners(8000)).toBeNull();
    expect(table.sockets([process.pid])).toBeNull();
    expect(table.stat(process.pid)?.pid).toBe(process.pid);
  });

  it('a ps that answers nonsense, or fails, gives no process rather than a wrong one', () => {
    const garbage = planted('ps', 'echo "ps: garbage in, nothing out"; echo "1 2 3"');
    const failing = planted('ps', 'echo "    1     0     1 S 1 0:00.00 Mon Nov  2 08:12:40 2026 /sbin/launchd"; exit 2');
    for (const ps of [garbage.file, failing.file]) {
      const table = portableTable({ ps, lsof: null, envFlag: 'e' });
      expect(table.stat(process.pid)).toBeNull();
      expect(table.all().filter((s) => s.pid === process.pid)).toEqual([]);
      expect(table.commandLine(process.pid)).toBeNull();
    }
    // both were run (by the path given): their answers, not their running, were refused
    expect(existsSync(garbage.ran) && existsSync(failing.ran)).toBe(true);
  });
});
