// An example of a plugin written by a user, with exactly the powers of a built-in: it only
// imports from 'zmart'. It checks that a service accepts TCP connections on its port (for
// servers that speak no HTTP: a database, a websocket gateway, a raw socket feed).
//
// In zmart.config.ts:  plugins: [tcpProbe({ interval: '5s' })]
// and per service:     tcp: { failures: 3 }
import { connect as netConnect } from 'node:net';
import { definePlugin, duration, integer, z } from 'zmart';

/** Opens a TCP connection and closes it; rejects on error or after `timeoutMs`. */
export type Connector = (host: string, port: number, timeoutMs: number) => Promise<void>;

/** The real connector. Tests pass their own through the `connect` option. */
export const tcpConnect: Connector = (host, port, timeoutMs) =>
  new Promise((resolve, reject) => {
    const socket = netConnect({ host, port });
    const timer = setTimeout(() => socket.destroy(new Error(`no connection within ${timeoutMs}ms`)), timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.end();
      resolve();
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });

const serviceSchema = z.strictObject({
  /** Default: the service's `port`. */
  port: z.optional(integer(1, 65535)),
  host: z.optional(z.string()),
  /** Failures in a row before a restart is requested. */
  failures: z.optional(integer(1)),
});

/** What a service's `tcp` key takes, derived from its schema. */
export type TcpServiceInput = z.input<typeof serviceSchema>;

declare module 'zmart' {
  interface ServiceOptionsRegistry {
    /** TCP connect probe (example plugin tcp-probe). */
    tcp: TcpServiceInput;
  }
}

export default definePlugin({
  name: 'tcp-probe',
  defaults: { interval: '5s', timeout: '2s', connect: tcpConnect },
  options: z.object({ interval: duration(), timeout: duration(), connect: z.custom<Connector>((v) => typeof v === 'function') }),
  service: {
    key: 'tcp',
    schema: serviceSchema,
    check: (tcp, service) => (tcp.port === undefined && service.port === null ? 'needs a port (here or on the service)' : undefined),
  },
  reportsHealth: true,
  setup(ctx) {
    const failures = new Map<string, number>();
    const probe = async (service: string) => {
      const tcp = ctx.serviceOptions(service);
      const config = ctx.serviceConfig(service);
      if (!tcp || !config || ctx.service(service)?.state !== 'running') return;
      const port = tcp.port ?? config.port!;
      try {
        await ctx.options.connect(tcp.host ?? '127.0.0.1', port, ctx.options.timeout);
        failures.set(service, 0);
        ctx.reportHealth(service, 'healthy');
      } catch (error) {
        const count = (failures.get(service) ?? 0) + 1;
        failures.set(service, count);
        const limit = tcp.failures ?? 3;
        const detail = `${count}/${limit} failed connects to port ${port}: ${error instanceof Error ? error.message : error}`;
        ctx.logger.warn(`${service}: ${detail}`);
        if (count < limit) return;
        failures.set(service, 0);
        ctx.reportHealth(service, 'unhealthy', detail);
        ctx.restart(service, { kind: 'unhealthy', detail });
      }
    };
    ctx.on('service:started', ({ service }) => {
      failures.delete(service);
      // a first look soon after the start, so that readiness does not wait a whole interval
      ctx.scheduler.setTimeout(() => void probe(service), 200);
    });
    const timer = ctx.scheduler.setInterval(() => {
      for (const s of ctx.services()) void probe(s.name);
    }, ctx.options.interval);
    return () => timer.cancel();
  },
});
