// The example plugin's own tests: through zmart/testing (fake clock, a fake connector), and
// once against a real TCP server on a loopback port picked at run time.
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createPluginHarness } from 'zmart/testing';
import tcpProbe, { tcpConnect } from './index.js';

describe('tcp-probe', () => {
  it('reports healthy while connects succeed, and asks for a restart after `failures` failed connects', async () => {
    let up = true;
    const h = await createPluginHarness(tcpProbe({ interval: 1000, connect: async () => (up ? undefined : Promise.reject(new Error('connection refused'))) }), {
      services: { db: { command: 'postgres', port: 5432, tcp: { failures: 2 } }, web: { command: 'x' } },
    });
    await h.advance(1000);
    expect(h.service('db').health).toBe('healthy');
    expect(h.service('web').health).toBeNull();
    up = false;
    await h.advance(2000);
    expect(h.restarts).toEqual([
      { service: 'db', reason: { kind: 'unhealthy', by: 'tcp-probe', detail: '2/2 failed connects to port 5432: connection refused' } },
    ]);
  });

  it('refuses a tcp probe with no port to connect to', async () => {
    await expect(createPluginHarness(tcpProbe(), { services: { db: { command: 'x', tcp: {} } } })).rejects.toThrow(/services\.db\.tcp: needs a port/);
  });

  it('connects to a real server, and fails fast on a closed port', async () => {
    const server = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      await expect(tcpConnect('127.0.0.1', port, 1000)).resolves.toBeUndefined();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    await expect(tcpConnect('127.0.0.1', port, 1000)).rejects.toThrow(/ECONNREFUSED/);
  });
});
