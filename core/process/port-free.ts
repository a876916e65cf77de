import { createServer } from 'node:net';

/**
 * Whether a TCP port can be bound on every address: a dual-stack bind on `::` fails when any
 * socket listens on the port, v4 or v6, loopback or wildcard (falls back to 0.0.0.0 where IPv6
 * is off). The socket is closed at once.
 */
export async function portFree(port: number): Promise<boolean> {
  const tryBind = (host: string) =>
    new Promise<'free' | 'busy' | 'unsupported'>((resolve) => {
      const server = createServer();
      server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE' || error.code === 'EACCES' ? 'busy' : 'unsupported'));
      // close() releases the port at once (libuv closes the fd inside uv_close; only the
      // callback waits a loop turn), so the answer need not wait for it: a restart is ~1 ms sooner.
      server.listen({ port, host, ipv6Only: false, exclusive: true }, () => {
        server.close();
        resolve('free');
      });
    });
  const v6 = await tryBind('::');
  if (v6 !== 'unsupported') return v6 === 'free';
  return (await tryBind('0.0.0.0')) === 'free';
}
