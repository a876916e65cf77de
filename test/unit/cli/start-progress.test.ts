import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { progressOf } from '../../../cli/commands/start.js';

// A CLI newer than the supervisor it follows (a fleet started before an upgrade): the
// supervisor has no /v1/progress, and the start follows its states instead.
describe('progressOf', () => {
  let dir = '';
  let server: Server | null = null;
  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    rmSync(dir, { recursive: true, force: true });
  });

  async function serve(routes: Record<string, unknown>): Promise<{ socket: string; asked: string[] }> {
    dir = mkdtempSync(join(tmpdir(), 'zmart-progress-'));
    const socket = join(dir, 'zmart.sock');
    const asked: string[] = [];
    server = createServer((req, res) => {
      asked.push(req.url ?? '');
      const body = routes[req.url ?? ''];
      res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body ?? { error: 'no such endpoint' }));
    });
    await new Promise<void>((resolve) => server!.listen(socket, resolve));
    return { socket, asked };
  }

  it("reads /v1/progress, and an older supervisor's states when it has none, from then on", async () => {
    const service = { name: 'api', state: 'running', ready: true };
    const { socket, asked } = await serve({ '/v1/states': { services: [service] } });
    const route = { path: '/v1/progress' };
    expect(await progressOf(socket, route)).toEqual([service]);
    expect(await progressOf(socket, route)).toEqual([service]);
    expect(asked).toEqual(['/v1/progress', '/v1/states', '/v1/states']);
  });

  it('is null while nothing listens', async () => {
    expect(await progressOf(join(tmpdir(), 'zmart-no-such-socket', 'zmart.sock'), { path: '/v1/progress' })).toBeNull();
  });
});
