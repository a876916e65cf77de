import { describe, expect, it } from 'vitest';
import memoryGuard from '../../../plugins/memory-guard/index.js';
import { createPluginHarness } from '../../../core/testing/index.js';

const MB = 1024 * 1024;

describe('memory-guard through core/testing', () => {
  it('asks for a restart (reason memory) after `for` samples in a row over maxRss, naming the processes; a low sample resets', async () => {
    const h = await createPluginHarness(memoryGuard({ interval: 1000 }), {
      services: { api: { command: 'x', memory: { maxRss: '500MB', for: 3 } }, web: { command: 'y' } },
    });
    const sample = (childMb: number) =>
      h.processes.use('api', [
        { pid: 1001, rssBytes: 40 * MB, command: 'python app.py' },
        { pid: 1500, rssBytes: childMb * MB, command: 'python worker.py' },
      ]);
    for (const childMb of [600, 600, 100, 600, 600]) {
      sample(childMb);
      await h.advance(1000);
    }
    expect(h.restarts).toEqual([]);
    sample(600);
    await h.advance(1000);
    expect(h.restarts).toEqual([
      {
        service: 'api',
        reason: {
          kind: 'memory',
          by: 'memory-guard',
          detail: 'RSS 640 MB over 500 MB for 3 samples: python worker.py (pid 1500) 600 MB, python app.py (pid 1001) 40 MB',
        },
      },
    ]);
    expect(h.metrics('api')).toMatchObject({ rssBytes: 640 * MB });
  });

  it('alerts when CPU stays over maxCpu, and once when it is back under', async () => {
    const h = await createPluginHarness(memoryGuard({ interval: 1000, for: 2 }), { services: { api: { command: 'x', memory: { maxCpu: 80 } } } });
    for (const cpu of [95, 95, 95, 95, 20, 20]) {
      h.processes.use('api', [{ pid: 1001, rssBytes: MB, cpuPercent: cpu }]);
      await h.advance(1000);
    }
    expect(h.alerts.map((a) => `${a.level} ${a.kind}`)).toEqual(['warning cpu-high', 'info cpu-normal']);
    expect(h.restarts).toEqual([]);
  });

  it('wakes for the services only while one with a limit runs, and for the machine every systemInterval (30 s)', async () => {
    const none = await createPluginHarness(memoryGuard({ minFreeMemory: null, minFreeDisk: null }), { services: { api: { command: 'x' } } });
    expect(none.clock.pending).toBe(0);
    const floors = await createPluginHarness(memoryGuard(), { services: { api: { command: 'x' } } });
    expect(floors.clock.pending).toBe(1); // the machine's round only
    floors.system.availableBytes = 100 * MB;
    await floors.advance(29_000);
    expect(floors.alerts).toEqual([]);
    await floors.advance(1000);
    expect(floors.alerts.map((a) => a.kind)).toEqual(['resource-low']);

    const limited = await createPluginHarness(memoryGuard({ minFreeMemory: null, minFreeDisk: null }), {
      services: { api: { command: 'x', memory: { maxRss: '1GB' } }, web: { command: 'y' } },
    });
    expect(limited.clock.pending).toBe(1); // api runs with a limit
    limited.setService('api', { state: 'stopped' });
    await limited.advance(10_000);
    expect(limited.clock.pending).toBe(0); // its round found none and ended
    limited.setService('api', { state: 'running' });
    await limited.emit('service:started', { service: 'api', pid: 4250 });
    expect(limited.clock.pending).toBe(1);
  });

  it('alerts once when available memory or a folder disk falls under its floor, and once on recovery', async () => {
    const h = await createPluginHarness(memoryGuard({ interval: 1000, systemInterval: 1000, minFreeMemory: '1GB', minFreeDisk: '2GB' }), {
      services: { api: { command: 'x' } },
    });
    h.system.availableBytes = 512 * MB;
    h.system.disks.set(h.system.folders.logDir, { totalBytes: 10 * 1024 * MB, freeBytes: 1024 * MB, device: 'logs' });
    await h.advance(3000);
    expect(h.alerts).toEqual([
      { level: 'critical', kind: 'resource-low', message: 'available memory is 512 MB, under 1024 MB' },
      { level: 'critical', kind: 'resource-low', message: 'free disk for /srv/app/logs is 1024 MB, under 2048 MB' },
    ]);
    h.system.availableBytes = 4096 * MB;
    await h.advance(2000);
    expect(h.alerts.at(-1)).toEqual({ level: 'info', kind: 'resource-ok', message: 'available memory is back to 4096 MB' });
    expect(h.alerts).toHaveLength(3);
  });

  it('refuses a memory key with no limit in it', async () => {
    await expect(createPluginHarness(memoryGuard(), { services: { api: { command: 'x', memory: {} } } })).rejects.toThrow(
      /services\.api\.memory: set maxRss, maxCpu or both/,
    );
  });
});

describe("memory-guard's restart detail", () => {
  it('names each command once, shortened, with how many run it, their pids and memory, biggest first', async () => {
    const { byCommand } = await import('../../../plugins/memory-guard/index.js');
    const long = `/srv/app/venv/bin/python3 /srv/app/venv/bin/gunicorn -k uvicorn.workers.UvicornWorker -w 3 --bind 127.0.0.1:8000 app.main:app`;
    const mb = 1024 * 1024;
    const detail = byCommand([
      { pid: 11, command: long, rssBytes: 40 * mb, cpuPercent: 0 },
      { pid: 12, command: long, rssBytes: 100 * mb, cpuPercent: 0 },
      { pid: 13, command: long, rssBytes: 100 * mb, cpuPercent: 0 },
      { pid: 20, command: '/usr/bin/redis-server *:6379', rssBytes: 200 * mb, cpuPercent: 0 },
      { pid: 21, command: '', rssBytes: 1 * mb, cpuPercent: 0 },
    ]);
    expect(detail).toBe(
      'python3 /srv/app/venv/bin/gunicorn -k uvicorn.workers.Uvico… ×3 (pids 12, 13, 11) 240 MB, redis-server *:6379 (pid 20) 200 MB, ? (pid 21) 1 MB',
    );
  });
});
