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

describe('WebAssembly tiers a user chose', () => {
  it('are left as they are: under --liftoff-only a window closing does not bring TurboFan back', async () => {
    const script = `
      const { withBaselineWasm } = await import(process.env.TIER);
      await withBaselineWasm(async () => {});
      // spin(n): adds 1 n times (see test/unit/core/wasm-tier.test.ts)
      const body = [1, 1, 0x7f, 0x03, 0x40, 0x20, 1, 0x41, 1, 0x6a, 0x21, 1, 0x20, 0, 0x41, 1, 0x6b, 0x22, 0, 0x0d, 0, 0x0b, 0x20, 1, 0x0b];
      const bytes = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 6, 1, 0x60, 1, 0x7f, 1, 0x7f, 3, 2, 1, 0, 7, 8, 1, 4, 0x73, 0x70, 0x69, 0x6e, 0, 0, 0x0a, body.length + 2, 1, body.length, ...body];
      const spin = new WebAssembly.Instance(new WebAssembly.Module(Uint8Array.from(bytes))).exports.spin;
      for (let i = 0; i < 5000; i++) spin(10000);
      console.log(JSON.stringify({ turboFan: %IsTurboFanFunction(spin), liftoff: %IsLiftoffFunction(spin) }));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--liftoff-only', '--allow-natives-syntax', '--input-type=module', '-e', script], {
      env: { ...process.env, TIER: join(import.meta.dirname, '../../dist/core/wasm-tier.js') },
      timeout: 15_000,
    });
    expect(JSON.parse(stdout)).toEqual({ turboFan: false, liftoff: true });
  });
});
