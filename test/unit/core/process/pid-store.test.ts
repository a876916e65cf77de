import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FilePidStore } from '../../../../core/process/pid-store.js';
import { tempDir } from '../../../helpers/project.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);
let n = 0;
const fresh = () => new FilePidStore(join(dir, `pids${++n}`));
const record = (pid: number) => ({ pid, startTime: 1000 + pid, command: 'sleep 1', recordedAt: 1 });

describe('FilePidStore', () => {
  it('writes the pid alone and the proof beside it, and removes both', () => {
    const store = fresh();
    store.write('api', record(4242));
    expect(readFileSync(join(store.dir, 'api.pid'), 'utf8')).toBe('4242\n');
    expect(store.read('api')).toMatchObject({ pid: 4242, startTime: 5242, command: 'sleep 1' });
    store.remove('api', 4242);
    expect(existsSync(join(store.dir, 'api.pid'))).toBe(false);
    expect(existsSync(join(store.dir, 'api.state.json'))).toBe(false);
  });

  it("keeps the files of a newer process when an older one's exit removes its own", () => {
    const store = fresh();
    store.write('api', record(100));
    store.write('api', record(101)); // restarted
    store.remove('api', 100); // the first one's late clean-up
    expect(store.read('api')?.pid).toBe(101);
  });

  it('goes by what it wrote itself (one supervisor holds the folder), else by the pid file', () => {
    const store = fresh();
    store.write('api', record(100));
    writeFileSync(join(store.dir, 'api.pid'), '555\n'); // not read: this store wrote api's last
    store.remove('api', 100);
    expect(existsSync(join(store.dir, 'api.pid'))).toBe(false);

    // written by an earlier run (another store): the pid file says whose it is
    const earlier = fresh();
    earlier.write('web', record(200));
    const later = new FilePidStore(earlier.dir);
    later.remove('web', 300);
    expect(later.read('web')?.pid).toBe(200);
    later.remove('web', 200);
    expect(later.read('web')).toBeNull();
  });
});
