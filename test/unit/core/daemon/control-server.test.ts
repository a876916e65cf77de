import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { callControl } from '../../../../core/daemon/control-client.js';
import { closeControlServer, createControlServer, listenOnSocket, type ControlActions } from '../../../../core/daemon/control-server.js';

const refused = () => {
  throw new Error('not used here');
};
const actionsWith = (stop: ControlActions['stop']): ControlActions => ({
  status: refused,
  states: refused,
  progress: refused,
  start: refused,
  stop,
  restart: refused,
  reload: refused,
  scale: refused,
  signal: refused,
  log: () => undefined,
});

describe('closeControlServer (a stopped supervisor ends once its answers are out)', () => {
  let dir = '';
  let server: Server | null = null;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => (server?.listening ? server.close(resolve) : resolve(undefined)));
    server = null;
    rmSync(dir, { recursive: true, force: true });
  });

  async function serve(stop: ControlActions['stop']): Promise<string> {
    dir = mkdtempSync(join(tmpdir(), 'zmart-control-'));
    const socket = join(dir, 'zmart.sock');
    server = createControlServer(actionsWith(stop));
    await listenOnSocket(server, socket);
    return socket;
  }

  it('waits for an answer under way, larger than a socket holds, and the client gets all of it', async () => {
    let answer!: (value: unknown) => void;
    const socket = await serve(() => new Promise((resolve) => (answer = resolve)));
    const call = callControl<{ services: unknown[] }>(socket, 'POST', '/v1/stop', {}, 10_000);
    while (!answer) await new Promise((resolve) => setTimeout(resolve, 5));
    let closed = false;
    const closing = closeControlServer(server!, 10_000).then(() => (closed = true));
    // (3,000 services' states are ~1 MB: the answer a supervisor gave as it ended was cut)
    answer({ services: Array.from({ length: 5000 }, (_, i) => ({ name: `s${i}`, state: 'stopped', detail: 'x'.repeat(100) })) });
    expect(closed).toBe(false);
    const response = await call;
    expect(response.body.services).toHaveLength(5000);
    await closing;
    expect(closed).toBe(true);
  });

  it('gives up at its deadline when a client holds its connection', async () => {
    let asked = false;
    const socket = await serve(() => {
      asked = true;
      return new Promise(() => undefined); // never answers
    });
    const call = callControl(socket, 'POST', '/v1/stop', {}, 10_000).catch((e: unknown) => e);
    while (!asked) await new Promise((resolve) => setTimeout(resolve, 5));
    await closeControlServer(server!, 50); // settles: the test would time out otherwise
    server!.closeAllConnections();
    expect(await call).toBeInstanceOf(Error);
  });
});
