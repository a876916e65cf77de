import { createServer } from 'node:http';
import { isIP } from 'node:net';
import { definePlugin, isLoopback, listen, parseListen } from '../../core/index.js';
import { DEFAULTS, optionsSchema } from './options.js';
import { fleetRegistry } from './registry.js';

/**
 * metrics: the fleet in Prometheus' text format on `GET <path>` (default
 * http://127.0.0.1:9464/metrics), through prom-client: per service up, state, health,
 * readiness, restarts by reason, probe durations, memory, CPU and uptime; the supervisor's
 * own memory, CPU, event-loop lag and log counters. Not a built-in: a fleet that does not
 * list it loads nothing of it. Bound to loopback unless told otherwise, with a warning then.
 */
export default definePlugin({
  name: 'metrics',
  defaults: DEFAULTS,
  options: optionsSchema,
  async setup(ctx) {
    const { listen: address, path, probeBuckets, allowedHosts } = ctx.options;
    const allowed = new Set(allowedHosts.map((h) => h.toLowerCase()));
    const fleet = fleetRegistry(ctx, { probeBuckets: probeBuckets.map((ms) => ms / 1000) });
    const server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://zmart');
      const host = hostName(request.headers.host);
      if (host === null || !(isIP(host) !== 0 || host === 'localhost' || allowed.has(host))) {
        response
          .writeHead(403, { 'content-type': 'text/plain' })
          .end(`unexpected Host header: scrape by IP address or localhost, or list the name in allowedHosts\n`);
        return;
      }
      if (url.pathname !== path) {
        response.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: the metrics are at ${path}\n`);
        return;
      }
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('only GET\n');
        return;
      }
      fleet.scrape().then(
        (text) => response.writeHead(200, { 'content-type': fleet.register.contentType }).end(request.method === 'HEAD' ? undefined : text),
        (error: unknown) => {
          ctx.logger.error(`a scrape failed: ${error instanceof Error ? error.message : String(error)}`);
          response.writeHead(500, { 'content-type': 'text/plain' }).end('the metrics could not be collected\n');
        },
      );
    });
    await listen(server, address);
    if (!isLoopback(parseListen(address))) {
      ctx.logger.warn(`serving ${path} on ${address}, not loopback: whoever reaches this address can read the fleet's metrics`);
    }
    ctx.logger.info(`serving Prometheus metrics at http://${address}${path}`);
    return async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    };
  },
});

/** The name in a Host header, without its port or an IPv6 literal's brackets, lower case; null when there is none. */
function hostName(header: string | undefined): string | null {
  if (!header) return null;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(header);
  if (bracketed) return bracketed[1]!.toLowerCase();
  return header.replace(/:\d+$/, '').toLowerCase() || null;
}
