import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { callControl, isHangUp, isTimeout, isUnreachable } from '../../../../core/daemon/control-client.js';
import { isZmartError } from '../../../../core/errors.js';

describe('callControl', () => {
  let dir = '';
  let server: Server | null = null;
  const held: Socket[] = [];

  afterEach(async () => {
    for (const s of held) s.destroy();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = null;
    rmSync(dir, { recursive: true, force: true });
  });

  it('rejects with a ZmartError naming the socket when the supervisor listens but does not answer in time', async () => {
    dir = mkdtempSync(join(tmpdir(), 'zmart-control-'));
    const socket = join(dir, 'zmart.sock');
    server = createServer((s) => held.push(s)); // accepts, reads nothing, answers nothing
    await new Promise<void>((resolve) => server!.listen(socket, resolve));
    const error = await callControl(socket, 'GET', '/v1/status', undefined, 150).catch((e: unknown) => e);
    expect(isTimeout(error)).toBe(true);
    expect(isUnreachable(error)).toBe(false);
    expect(isZmartError(error) && error.exitCode).toBe(1);
    expect((error as Error).message).toBe(`the supervisor did not answer on ${socket} within 0.15 s (busy or hung: try again, or see its zmart.log)`);
  });

  it('rejects as a hang-up when the supervisor ends in the middle of its answer (it used to wait forever, and zmart stop exited 0 saying nothing)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'zmart-control-'));
    const socket = join(dir, 'zmart.sock');
    // the head and the start of a long body, then the connection closes
    server = createServer((s) =>
      s.once('data', () => s.end('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{"services":[')),
    );
    await new Promise<void>((resolve) => server!.listen(socket, resolve));
    const error = await callControl(socket, 'GET', '/v1/states', undefined, 5000).catch((e: unknown) => e);
    expect(isHangUp(error)).toBe(true);
    expect((error as Error).message).toBe('the supervisor closed the connection in the middle of its answer to GET /v1/states');
  });

  it('gives a question up when told to (the connection closes, the call rejects at once)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'zmart-control-'));
    const socket = join(dir, 'zmart.sock');
    let closed!: () => void;
    const connectionClosed = new Promise<void>((resolve) => (closed = resolve));
    server = createServer((s) => {
      held.push(s);
      s.once('close', closed);
    }); // accepts, answers nothing
    await new Promise<void>((resolve) => server!.listen(socket, resolve));
    const giveUp = new AbortController();
    const call = callControl(socket, 'GET', '/v1/states', undefined, 60_000, giveUp.signal).catch((e: unknown) => e);
    await new Promise((resolve) => server!.once('connection', resolve));
    giveUp.abort();
    expect((await call) as Error).toMatchObject({ name: 'AbortError' });
    await connectionClosed; // the supervisor's side sees the connection end
  });

  it('rejects as unreachable, not as a timeout, when nothing listens', async () => {
    dir = mkdtempSync(join(tmpdir(), 'zmart-control-'));
    const error = await callControl(join(dir, 'zmart.sock'), 'GET', '/v1/status', undefined, 150).catch((e: unknown) => e);
    expect(isUnreachable(error)).toBe(true);
    expect(isTimeout(error)).toBe(false);
  });
});
