import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createPluginHarness, type PluginHarness } from '../../../core/testing/index.js';
import dashboard from '../../../plugins/dashboard/index.js';

let harness: PluginHarness | undefined;
afterEach(async () => {
  await harness?.teardown();
  harness = undefined;
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the dashboard with no page open', () => {
  it('keeps no timer, and refreshes only while a page follows the events', async () => {
    const port = await freePort();
    harness = await createPluginHarness(dashboard({ listen: `127.0.0.1:${port}` }), { services: { api: { command: 'true' } } });
    expect(harness.clock.pending).toBe(0);

    // no token configured: the data needs the one made at setup, which only zmart's log tells
    expect((await fetch(`http://127.0.0.1:${port}/events`)).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${port}/api/logs?service=api`)).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200); // the shell loads
    const told = harness.logs.map((l) => /\?token=([\w-]+)/.exec(l.message)?.[1]).find(Boolean)!;
    expect(told).toMatch(/^[\w-]{32}$/);
    const page = new AbortController();
    const events = await fetch(`http://127.0.0.1:${port}/events?token=${told}`, { signal: page.signal });
    const reader = events.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain('event: fleet');
    expect(harness.clock.pending).toBe(1); // the refresh of memory, CPU and uptime

    page.abort();
    await reader.cancel().catch(() => {});
    await until(() => harness!.clock.pending === 0, 'the refresh to stop once the page is gone');
  });
});
