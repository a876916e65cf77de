import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPluginHarness } from '../../../core/testing/index.js';
import watch, { ignoredBy } from '../../../plugins/watch/index.js';

describe('watch through core/testing', () => {
  it('restarts once changes have been quiet for the debounce, with reason watch, and passes over node_modules', async () => {
    const h = await createPluginHarness(watch(), { services: { api: { command: 'x', watch: { paths: ['src'], debounce: '300ms' } }, idle: { command: 'y' } } });
    const cwd = h.config('api').cwd;
    expect(h.files.open).toBe(1);
    h.files.change(join(cwd, 'src/app.py'));
    await h.advance(200);
    h.files.change(join(cwd, 'src/util.py'));
    await h.advance(299);
    expect(h.restarts).toEqual([]);
    await h.advance(1);
    expect(h.restarts).toEqual([{ service: 'api', reason: { kind: 'watch', by: 'watch', detail: 'changed: src/app.py, src/util.py' } }]);
    h.files.change(join(cwd, 'src/node_modules/lib/index.js'));
    h.files.change(join(cwd, 'other/file.py')); // not watched
    await h.advance(1000);
    expect(h.restarts).toHaveLength(1);
    await h.teardown();
    expect(h.files.open).toBe(0);
  });

  it('ignores names, paths relative to the service folder, extensions, and zmart folders', () => {
    const cwd = '/srv/api';
    const entries = ['node_modules', 'build/out', '*.log', '/srv/api/logs'];
    expect(ignoredBy(entries, cwd, '/srv/api/src/node_modules/x.js')).toBe(true);
    expect(ignoredBy(entries, cwd, '/srv/api/build/out/a.js')).toBe(true);
    expect(ignoredBy(entries, cwd, '/srv/api/build/src/a.js')).toBe(false);
    expect(ignoredBy(entries, cwd, '/srv/api/src/debug.log')).toBe(true);
    expect(ignoredBy(entries, cwd, '/srv/api/logs/api.log')).toBe(true);
    expect(ignoredBy(entries, cwd, '/srv/api/src/app.py')).toBe(false);
  });

  it('says a watched path that does not exist, in the log and in status (a typo watched nothing, silently)', async () => {
    const h = await createPluginHarness(watch(), { services: { api: { command: 'x', watch: ['src', 'sr'] } }, absentPaths: [join(process.cwd(), 'sr')] });
    expect(h.metrics('api').watchMissing).toBe(join(process.cwd(), 'sr'));
    expect(h.logs.some((l) => l.level === 'warn' && /watching .*\/sr, which does not exist/.test(l.message))).toBe(true);
    await h.teardown();
  });

  it('refuses an empty list', async () => {
    await expect(createPluginHarness(watch(), { services: { api: { command: 'x', watch: [] } } })).rejects.toThrow(/services\.api\.watch/);
  });
});
