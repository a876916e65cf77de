import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const LEAN = join(import.meta.dirname, '../../dist/core/http/undici-lean.js');

/**
 * A fresh Node process (undici compiles its parser once per process) sends requests to a
 * server of its own until V8's peak malloc passes 10 MB or `max` requests have been answered
 * (plain: or 5 s have passed), the first through parserOnBaseline or not; prints the requests
 * sent and the peak.
 */
const CHILD = `
import { getHeapStatistics } from 'node:v8';
import { createServer } from 'node:http';
const { loadUndiciLean, parserOnBaseline } = await import(process.env.LEAN);
const [mode, max] = [process.argv[1], Number(process.argv[2])];
const server = createServer((_req, res) => res.end('ok'));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { Agent, request } = loadUndiciLean();
const agent = new Agent({ connections: 1 });
const origin = 'http://127.0.0.1:' + server.address().port;
const one = () => request.call(agent, { origin, path: '/', method: 'GET' }).then((response) => response.body.dump());
await (mode === 'plain' ? one() : parserOnBaseline(one));
const peak = () => getHeapStatistics().peak_malloced_memory;
let sent = 1;
const deadline = Date.now() + 5000;
for (; sent < max && peak() < 10e6 && (mode === 'baseline' || Date.now() < deadline); sent++) await parserOnBaseline(one);
console.log(JSON.stringify({ sent, peak: peak() }));
await agent.close();
server.close();
`;

async function requests(mode: 'plain' | 'baseline', max: number): Promise<{ sent: number; peak: number }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', CHILD, mode, String(max)], {
    env: { ...process.env, LEAN },
    timeout: 15_000,
  });
  return JSON.parse(stdout) as { sent: number; peak: number };
}

describe("undici's HTTP parser on Liftoff", () => {
  it('is compiled within the first request, so parserOnBaseline keeps it from TurboFan (V8 malloc under 10 MB)', async () => {
    // Without the window, TurboFan's compile of the hot parser passes 10 MB of malloc (19-26 MB measured).
    const plain = await requests('plain', 100_000);
    expect(plain.peak).toBeGreaterThan(10e6);
    // Through it, twice as many requests (2.3-2.4 MB measured).
    const baseline = await requests('baseline', Math.max(2 * plain.sent, 300));
    expect(baseline.sent).toBe(Math.max(2 * plain.sent, 300));
    expect(baseline.peak).toBeLessThan(10e6);
  });
});
