import { describe, expect, it } from 'vitest';
import portGuard from '../../../plugins/port-guard/index.js';
import { createPluginHarness } from '../../../core/testing/index.js';

const services = { api: { command: 'x', port: 8000 }, web: { command: 'y', port: 3400 } };

async function prestart(h: Awaited<ReturnType<typeof createPluginHarness>>, service = 'api', port = 8000) {
  let refused: string | null = null;
  const done = h.emit('service:prestart', { service, port, attempt: 1, refuse: (d) => void (refused = d) });
  return { done: done.then(() => refused) };
}

describe('port-guard through core/testing', () => {
  it('lets a service start on a free port', async () => {
    const h = await createPluginHarness(portGuard(), { services });
    expect(await (await prestart(h)).done).toBeNull();
  });

  it('stops a leftover of the fleet that holds the port, then lets the service start', async () => {
    const h = await createPluginHarness(portGuard(), { services });
    h.processes.listen(8000, { pid: 4242, command: 'python api.py' }, 'api');
    expect(await (await prestart(h)).done).toBeNull();
    expect(h.processes.terminated).toEqual([{ pid: 4242, reason: 'leftover of api holding port 8000' }]);
    expect(h.logs.map((l) => l.message)).toContain('api: port 8000 is held by pid 4242 (python api.py) on 127.0.0.1, a leftover of api: stopping it');
  });

  it('refuses to start over a stranger under onConflict fail, naming its pid and command, and leaves it alone', async () => {
    const h = await createPluginHarness(portGuard(), { services });
    h.processes.listen(8000, { pid: 777, command: 'nc -l 8000' });
    const refused = await (await prestart(h)).done;
    expect(refused).toBe(
      "port 8000 is taken by pid 777 (nc -l 8000) on 127.0.0.1, a process zmart did not start (onConflict: fail; use 'wait' or 'kill' to change that)",
    );
    expect(h.processes.terminated).toEqual([]);
    expect(h.alerts).toEqual([expect.objectContaining({ level: 'critical', kind: 'port-conflict', service: 'api' })]);
  });

  it('waits with exponential backoff under onConflict wait, and starts once the port frees', async () => {
    const h = await createPluginHarness(portGuard({ onConflict: 'wait', wait: { initial: 100, factor: 2, max: 1000, limit: 10_000 } }), { services });
    h.processes.listen(8000, { pid: 777 });
    const { done } = await prestart(h);
    await h.advance(100 + 200 + 400);
    expect(h.logs.filter((l) => l.message.includes('waiting')).map((l) => l.message.match(/waiting (\d+)ms/)![1])).toEqual(['100', '200', '400', '800']);
    h.processes.free(8000);
    await h.advance(800);
    expect(await done).toBeNull();
  });

  it('gives up waiting after the limit', async () => {
    const h = await createPluginHarness(portGuard({ onConflict: 'wait', wait: { initial: 100, factor: 2, max: 200, limit: 1000 } }), { services });
    h.processes.listen(8000, { pid: 777, command: 'stranger' });
    const { done } = await prestart(h);
    await h.advance(2000);
    expect(await done).toMatch(/^port 8000 is still held by pid 777 \(stranger\) on 127\.0\.0\.1 after waiting \d+ms$/);
  });

  it('stops a stranger under onConflict kill (per service), gracefully then by force', async () => {
    const h = await createPluginHarness(portGuard(), { services: { ...services, api: { ...services.api, portGuard: { onConflict: 'kill' } } } });
    h.processes.listen(8000, { pid: 777, command: 'stranger' });
    expect(await (await prestart(h)).done).toBeNull();
    expect(h.processes.terminated).toEqual([{ pid: 777, reason: 'holding port 8000 needed by api (onConflict: kill)' }]);
    // web keeps the default policy
    h.processes.listen(3400, { pid: 778 });
    expect(await (await prestart(h, 'web', 3400)).done).toMatch(/taken by pid 778/);
  });

  it('while running: asks for a restart (reason port) when a stranger takes or shares the port, or the service closes it', async () => {
    const h = await createPluginHarness(portGuard({ interval: 1000 }), { services });
    h.processes.listen(8000, { pid: 1001 }, 'api');
    h.processes.listen(3400, { pid: 1002 }, 'web');
    await h.advance(1000);
    expect(h.restarts).toEqual([]);

    h.processes.listen(8000, { pid: 999, command: 'intruder', address: '::1' } as never);
    h.processes.free(3400);
    await h.advance(1000);
    expect(h.restarts).toEqual([
      { service: 'api', reason: { kind: 'port', by: 'port-guard', detail: 'port 8000 is shared with pid 999 (intruder) on 127.0.0.1' } },
      { service: 'web', reason: { kind: 'port', by: 'port-guard', detail: 'port 3400 is no longer held by web: nothing listens on it' } },
    ]);
    expect(h.alerts.map((a) => a.kind)).toEqual(['port-conflict', 'port-conflict']);
  });

  it('wakes only while a service with a port runs: a fleet without one has no round at all', async () => {
    const idle = await createPluginHarness(portGuard({ interval: 1000 }), { services: { worker: { command: 'z' } } });
    expect(idle.clock.pending).toBe(0);

    const h = await createPluginHarness(portGuard({ interval: 1000 }), { services });
    expect(h.clock.pending).toBe(1);
    h.setService('api', { state: 'stopped' });
    h.setService('web', { state: 'stopped' });
    await h.advance(1000);
    expect(h.clock.pending).toBe(0); // the round saw nothing to watch and ended

    h.processes.listen(8000, { pid: 1001 }, 'api');
    h.setService('api', { state: 'running' });
    await h.emit('service:started', { service: 'api', pid: 1001 });
    expect(h.clock.pending).toBe(1);
    h.processes.listen(8000, { pid: 999, command: 'intruder' });
    await h.advance(1000);
    expect(h.restarts.map((r) => r.service)).toEqual(['api']);
  });

  it('says once that it cannot see ports where /proc/net is missing, and lets services start', async () => {
    const h = await createPluginHarness(portGuard({ interval: 1000 }), { services });
    h.processes.supported = false;
    expect(await (await prestart(h)).done).toBeNull();
    await h.advance(3000);
    expect(h.logs.filter((l) => l.message.includes('cannot see'))).toHaveLength(1);
  });
});
