import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { UndiciHttpClient } from '../../core/http/undici-http-client.js';
import { freePort } from '../helpers/project.js';

let server: Server | undefined;
const client = new UndiciHttpClient();
afterEach(async () => {
  await client.close();
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void, configure?: (s: Server) => void): Promise<string> {
  server = createServer(handler);
  configure?.(server);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('the HTTP client (undici) against real loopback servers', () => {
  it('returns the status of a probe and how long it took', async () => {
    const base = await serve((_req, res) => res.writeHead(503).end('down'));
    const result = await client.probe(`${base}/health`, { timeoutMs: 1000 });
    expect(result.status).toBe(503);
    expect(result.durationMs).toBeGreaterThan(0);
  });

  it('rejects with "no answer within" when headers or the body do not come in time', async () => {
    const base = await serve((req, res) => {
      if (req.url === '/body') res.writeHead(200).write('partial'); // never ends
    });
    await expect(client.probe(`${base}/silent`, { timeoutMs: 150 })).rejects.toThrow('no answer within 150ms');
    await expect(client.probe(`${base}/body`, { timeoutMs: 150 })).rejects.toThrow('no answer within 150ms');
  });

  it('says "connection refused" when nothing listens', async () => {
    const port = await freePort();
    await expect(client.probe(`http://127.0.0.1:${port}/`, { timeoutMs: 500 })).rejects.toThrow('connection refused');
  });

  it('does not read a huge body to its end', async () => {
    const base = await serve((_req, res) => {
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 120);
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    expect((await client.probe(base, { timeoutMs: 2000 })).status).toBe(200);
  });

  it('reuses a kept-alive connection, and retries a probe once when the server drops it on reuse', async () => {
    const sockets = new Set<unknown>();
    let requests = 0;
    const base = await serve(
      (req, res) => {
        requests += 1;
        sockets.add(req.socket);
        if (requests === 3) return req.socket.destroy(); // a connection that dies as it is reused
        res.end('ok');
      },
      (s) => (s.keepAliveTimeout = 60_000),
    );
    for (let i = 0; i < 5; i += 1) expect((await client.probe(base, { timeoutMs: 1000 })).status).toBe(200);
    expect(requests).toBe(6); // the third probe was sent twice
    expect(sockets.size).toBeLessThanOrEqual(3); // kept alive: one until it died, then one or two for the rest, not one per probe
  });

  it('connects over TCP and closes at once, or says the connection was refused', async () => {
    const base = await serve((_req, res) => res.end());
    const port = Number(new URL(base).port);
    expect((await client.connect('127.0.0.1', port, { timeoutMs: 1000 })).durationMs).toBeGreaterThan(0);
    await expect(client.connect('127.0.0.1', await freePort(), { timeoutMs: 1000 })).rejects.toThrow('connection refused');
  });

  it('posts JSON with its headers', async () => {
    let got: { body: string; type?: string; token?: string } | undefined;
    const base = await serve((req, res) => {
      let body = '';
      req
        .on('data', (c) => (body += c))
        .on('end', () => {
          got = { body, type: req.headers['content-type'], token: req.headers['x-token'] as string };
          res.writeHead(204).end();
        });
    });
    const result = await client.postJson(`${base}/hook`, { kind: 'restart', service: 'api', note: 'é' }, { timeoutMs: 1000, headers: { 'x-token': 't' } });
    expect(result.status).toBe(204);
    expect(got).toEqual({ body: JSON.stringify({ kind: 'restart', service: 'api', note: 'é' }), type: 'application/json', token: 't' });
  });
});
