import net, { isIP } from 'node:net';
import { getSystemErrorName } from 'node:util';

/** The part of Node's TCP handle this module uses. */
interface ServerHandle {
  fd: number;
  getsockname(out: { port?: number }): number;
  close(): void;
}

/**
 * A TCP socket bound to `host:port` and not polled by zmart's event loop, whose descriptor zmart
 * hands to a service as fd 3. Node's public API cannot make one: `server.listen()` makes zmart
 * accept connections itself (stealing them from the service), and no public call returns a
 * server's descriptor. Node's cluster module binds its shared sockets this way; this one module
 * calls `net._createServerHandle` for it, and test/unit/core/process/bound-socket.test.ts fails
 * if a Node release moves it.
 */
export function bindSocket(host: string, port: number): { fd: number; close(): void } {
  const create = (net as unknown as { _createServerHandle?: (host: string, port: number, family: number) => ServerHandle | number })._createServerHandle;
  if (typeof create !== 'function') throw new Error('this Node has no net._createServerHandle: the socket hand-over cannot work here');
  const handle = create(host, port, isIP(host) === 6 ? 6 : 4);
  if (typeof handle === 'number') throw systemError(handle, host, port);
  // a bind that failed (EADDRINUSE) is only told here, by libuv's delayed error
  const address: { port?: number } = {};
  const code = handle.getsockname(address);
  if (code !== 0 || address.port !== port) {
    handle.close();
    throw systemError(code || -98, host, port);
  }
  return { fd: handle.fd, close: () => handle.close() };
}

function systemError(code: number, host: string, port: number): NodeJS.ErrnoException {
  let name: string;
  try {
    name = getSystemErrorName(code);
  } catch {
    name = `error ${code}`;
  }
  return Object.assign(new Error(`${name} binding ${host}:${port}`), { code: name });
}
