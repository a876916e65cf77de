import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import alerts from '../../plugins/alerts/index.js';
import { createFleet, fixture, freePort, waitFor, type Fleet } from '../helpers/project.js';

let fleet: Fleet | undefined;
let receiver: Server | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
  await new Promise((r) => (receiver ? receiver.close(r) : r(null)));
  receiver = undefined;
});

/** A webhook receiver on a loopback port; collects the JSON bodies it gets. */
async function listen(port: number, got: Array<Record<string, unknown>>): Promise<Server> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      got.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

const crashLoop = (restarts: number) => ({
  command: fixture('--exit-after', 20),
  // never up long enough to count as ready, however slowly node starts on a loaded machine (no 'recovered')
  readyAfter: '10s',
  restart: { maxRestarts: restarts, backoff: { initial: 20, factor: 1 } },
});

describe('alerts with a real webhook receiver', () => {
  it('delivers restarts (with their reason) and the final failure of a crash loop', async () => {
    const port = await freePort();
    const got: Array<Record<string, unknown>> = [];
    receiver = await listen(port, got);
    fleet = createFleet({ services: { api: crashLoop(2) }, plugins: [alerts({ throttle: 0, webhook: { url: `http://127.0.0.1:${port}/hook` } })] });
    await fleet.supervisor.start();
    await waitFor(() => got.some((a) => a.kind === 'service-failed'), 'the failure alert');
    expect(got.map((a) => a.kind)).toEqual(['restart', 'restart', 'service-failed']);
    expect(got[0]).toMatchObject({ level: 'warning', service: 'api', message: expect.stringContaining('exit: exited with code 1') });
    expect(got[2]).toMatchObject({ level: 'critical', service: 'api' });
  });

  it('while the receiver is down, loses nothing but the counted overflow, and delivers the rest in order', async () => {
    const port = await freePort(); // nothing listens yet
    const got: Array<Record<string, unknown>> = [];
    fleet = createFleet({
      services: { api: crashLoop(6) },
      plugins: [alerts({ throttle: 0, webhook: { url: `http://127.0.0.1:${port}/hook`, retries: 0, queue: 3, backoff: { initial: 50, max: 200 } } })],
    });
    await fleet.supervisor.start();
    await waitFor(() => fleet!.supervisor.snapshots()[0].state === 'failed', 'the crash loop to end');
    const sent = fleet.of('alert').length; // 6 restarts + 1 failure
    expect(sent).toBe(7);
    receiver = await listen(port, got);
    await waitFor(() => got.length === 3, 'the queued alerts');
    await fleet.supervisor.stop(); // nothing else was queued: the stop delivers nothing more
    expect(got).toHaveLength(3);
    expect(got.at(-1)).toMatchObject({ kind: 'service-failed' });
    expect(got[0].dropped).toBe(sent - 3);
  });
});

describe('alerts to a command', () => {
  it('runs the command in the config folder with the alert as JSON on stdin and ZMART_ALERT_* in its environment', async () => {
    const { readFileSync, existsSync } = await import('node:fs');
    fleet = createFleet({
      services: { api: { command: fixture('--exit-after', 20), restart: { maxRestarts: 0 } } },
      plugins: [alerts({ command: 'cat > alert.json; echo "$ZMART_ALERT_KIND $ZMART_ALERT_SERVICE $ZMART_ALERT_LEVEL" > kind.txt' })],
    });
    await fleet.supervisor.start();
    const dir = fleet.dir;
    await waitFor(() => existsSync(`${dir}/kind.txt`) && readFileSync(`${dir}/kind.txt`, 'utf8').endsWith('\n'), 'the command to run');
    expect(readFileSync(`${dir}/kind.txt`, 'utf8')).toBe('service-failed api critical\n');
    expect(JSON.parse(readFileSync(`${dir}/alert.json`, 'utf8'))).toMatchObject({ kind: 'service-failed', service: 'api', suppressed: 0 });
  });
});
