import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { loadUndiciLean } from '../../../../core/http/undici-lean.js';

/** Fails when an undici upgrade moves the modules core/http/undici-lean.ts loads past its index. */
describe("undici's Agent and request, loaded without its index", () => {
  it('are the Agent its index exports, and a request that works', async () => {
    const lean = loadUndiciLean();
    const undici = createRequire(import.meta.url)('undici') as typeof import('undici');
    expect(lean.Agent).toBe(undici.Agent);
    const server = createServer((_req, res) => res.writeHead(204).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const agent = new lean.Agent({ connections: 1 });
    try {
      const response = await lean.request.call(agent, { origin: `http://127.0.0.1:${port}`, path: '/', method: 'GET' });
      await response.body.dump();
      expect(response.statusCode).toBe(204);
    } finally {
      await agent.close();
      server.close();
    }
  });
});
