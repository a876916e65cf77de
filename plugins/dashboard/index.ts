import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { definePlugin, historyDir, isLoopback, listen, type PluginContext, parseListen, percentile, readMinutes, type Timer } from '../../core/index.js';
import { DEFAULTS, type DashboardOptions, optionsSchema } from './options.js';
import { PAGE } from './page.js';

type Ctx = PluginContext<DashboardOptions, never>;

/** Server-sent-event clients at once; more are refused (503). */
const MAX_CLIENTS = 16;
/** How often the page gets the numbers that change without an event (memory, CPU, uptime). */
const REFRESH_MS = 5000;
const DAY_MS = 24 * 60 * 60 * 1000;

const json = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
};

/** uPlot's browser build and stylesheet, read once from the package. */
function assets(): Record<string, { type: string; body: Buffer }> {
  const require = createRequire(import.meta.url);
  const dist = (file: string) => readFileSync(require.resolve(`uplot/dist/${file}`));
  return {
    '/assets/uPlot.iife.min.js': { type: 'text/javascript', body: dist('uPlot.iife.min.js') },
    '/assets/uPlot.min.css': { type: 'text/css', body: dist('uPlot.min.css') },
  };
}

/**
 * dashboard: one page on `listen` (default 127.0.0.1:9465) with every service's state, health,
 * uptime, restarts and last reason, response time, memory and CPU, updated live (server-sent
 * events); for a selected service, charts of its last 24 hours (from the history plugin's
 * records) and its last log lines; buttons to restart, stop and start it, which need the
 * token in an Authorization header. The page shell loads for anyone; its data (the fleet, the
 * events, history and logs) only with a token: the configured one, or without one a random
 * one made at setup and written only to zmart's owner-only log (the service logs themselves are
 * owner-only: the dashboard must not hand them to every local user). Requests whose Host is
 * not this address are refused (a web page elsewhere cannot read the fleet through DNS rebinding).
 */
export default definePlugin({
  name: 'dashboard',
  defaults: DEFAULTS,
  options: optionsSchema,
  async setup(ctx) {
    const address = parseListen(ctx.options.listen);
    const loopback = isLoopback(address);
    const files = assets();
    const usage = new Map<string, { rssBytes: number; cpuPercent: number }>();
    const clients = new Set<ServerResponse>();

    const fleet = () => {
      const now = ctx.clock.now();
      return {
        at: now,
        services: ctx.services().map((s) => ({
          name: s.name,
          title: s.title,
          state: s.state,
          health: s.health,
          ready: s.ready,
          uptimeMs: s.startedAt === null ? null : now - s.startedAt,
          restarts: s.restarts,
          lastRestart: s.lastRestart,
          probeFailures: s.probeFailures,
          probeFailureThreshold: s.probeFailureThreshold,
          responseTimeMs: typeof s.metrics.responseTimeMs === 'number' ? s.metrics.responseTimeMs : null,
          rssBytes: s.state === 'running' ? (usage.get(s.name)?.rssBytes ?? null) : null,
          cpuPercent: s.state === 'running' ? (usage.get(s.name)?.cpuPercent ?? null) : null,
        })),
      };
    };
    const push = () => {
      const data = `event: fleet\ndata: ${JSON.stringify(fleet())}\n\n`;
      for (const client of clients) client.write(data);
    };
    // Events come in bursts (a restart is several moves): one push for a burst.
    let pending: Timer | null = null;
    const soon = () => {
      if (clients.size === 0 || pending) return;
      pending = ctx.scheduler.setTimeout(() => {
        pending = null;
        push();
      }, 30);
    };
    for (const hook of ['service:state', 'service:health', 'service:ready', 'service:restart', 'service:started'] as const) ctx.on(hook, soon);
    // a probe that fails (or passes after failures) changes what the card says before the health does
    const failing = new Map<string, number>();
    ctx.on('service:probe', ({ service, failures = 0 }) => {
      if (failures === (failing.get(service) ?? 0)) return;
      failing.set(service, failures);
      soon();
    });
    // Memory and CPU are sampled only while someone is watching.
    const sample = async () => {
      for (const s of ctx.services()) {
        const found = s.state === 'running' ? await ctx.processes.usage(s.name) : null;
        if (found) usage.set(s.name, found);
        else usage.delete(s.name);
      }
    };
    // The refresh runs only while a page is open: a dashboard no one looks at never wakes zmart.
    let refresh: Timer | null = null;
    const watch = (client: ServerResponse) => {
      clients.add(client);
      refresh ??= ctx.scheduler.setInterval(() => void sample().then(push), REFRESH_MS);
    };
    const unwatch = (client: ServerResponse) => {
      clients.delete(client);
      if (clients.size > 0) return;
      refresh?.cancel();
      refresh = null;
    };

    // who may read the fleet: the configured token, else one made now, told only in zmart's owner-only log
    const viewToken = ctx.options.token ?? randomBytes(24).toString('base64url');
    const server = createServer((req, res) => {
      handle(ctx, req, res, { loopback, files, clients, watch, unwatch, fleet, sample, viewToken }).catch((error: unknown) => {
        ctx.logger.error(`${req.method} ${req.url}: ${error instanceof Error ? error.message : String(error)}`);
        if (!res.headersSent) json(res, 500, { error: 'internal error' });
      });
    });
    await listen(server, ctx.options.listen);
    if (!loopback) ctx.logger.warn(`serving the dashboard on ${ctx.options.listen}, not loopback: whoever holds the token sees the fleet and its logs`);
    if (ctx.options.token) ctx.logger.info(`dashboard at http://${ctx.options.listen}/?token=... (the configured token)`);
    else ctx.logger.info(`dashboard at http://${ctx.options.listen}/?token=${viewToken} (read-only: set a token for the buttons)`);
    return async () => {
      refresh?.cancel();
      pending?.cancel();
      for (const client of clients) client.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    };
  },
});

interface Handles {
  loopback: boolean;
  /** What a request must carry to read the fleet's data (header, or `?token=` for the event stream). */
  viewToken: string;
  files: Record<string, { type: string; body: Buffer }>;
  clients: ReadonlySet<ServerResponse>;
  /** A page follows the events from now on / no longer. */
  watch: (client: ServerResponse) => void;
  unwatch: (client: ServerResponse) => void;
  fleet: () => unknown;
  sample: () => Promise<void>;
}

/** True when the request carries `token` in its Authorization header, or where `query` allows, as `?token=` (compared in constant time). */
function carries(req: IncomingMessage, token: string | undefined, query?: URL): boolean {
  const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? query?.searchParams.get('token') ?? undefined;
  if (!given || !token) return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(token));
}

async function handle(ctx: Ctx, req: IncomingMessage, res: ServerResponse, h: Handles): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://dashboard');
  if (h.loopback) {
    const port = parseListen(ctx.options.listen).port;
    const allowed = [ctx.options.listen, `localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`];
    if (!allowed.includes(req.headers.host ?? '')) return json(res, 403, { error: `unexpected Host header: use http://${ctx.options.listen}/` });
  }
  const action = /^\/api\/services\/([^/]+)\/(start|stop|restart|hup)$/.exec(url.pathname);
  if (action) {
    if (req.method !== 'POST') return json(res, 405, { error: 'POST only' });
    if (!ctx.options.token) return json(res, 403, { error: 'the buttons are off: the dashboard has no token' });
    if (!carries(req, ctx.options.token)) {
      res.setHeader('www-authenticate', 'Bearer');
      return json(res, 401, { error: 'a valid token is needed (Authorization: Bearer ...)' });
    }
    const service = decodeURIComponent(action[1]!);
    if (!ctx.service(service)) return json(res, 404, { error: `no service named '${service}'` });
    if (action[2] === 'hup') {
      try {
        ctx.signal(service, 'SIGHUP');
      } catch (error) {
        return json(res, 409, { error: error instanceof Error ? error.message : String(error) });
      }
    } else await ctx.operate(action[2] as 'start' | 'stop' | 'restart', service);
    return json(res, 200, { ok: true, state: ctx.service(service)!.state });
  }
  if (req.method !== 'GET') return json(res, 405, { error: 'GET only' });
  if (url.pathname === '/') return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(PAGE);
  const asset = h.files[url.pathname];
  if (asset) return void res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'max-age=3600' }).end(asset.body);
  // the shell and its assets are for anyone; the fleet's data only with a token
  if (!carries(req, h.viewToken, url)) {
    res.setHeader('www-authenticate', 'Bearer');
    return json(res, 401, { error: "a token is needed: open the address zmart's log gives (zmart logs zmart), or the one with your configured token" });
  }
  if (url.pathname === '/api/fleet') {
    await h.sample();
    return json(res, 200, h.fleet());
  }
  if (url.pathname === '/events') {
    if (h.clients.size >= MAX_CLIENTS) return json(res, 503, { error: `at most ${MAX_CLIENTS} pages at once` });
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    h.watch(res);
    req.on('close', () => h.unwatch(res));
    await h.sample();
    res.write(`retry: 1000\nevent: fleet\ndata: ${JSON.stringify(h.fleet())}\n\n`);
    return;
  }
  const service = url.searchParams.get('service') ?? '';
  if (url.pathname === '/api/history' || url.pathname === '/api/logs') {
    if (!ctx.service(service)) return json(res, 404, { error: `no service named '${service}'` });
    if (url.pathname === '/api/logs') {
      const lines = Math.min(500, Math.max(1, Number(url.searchParams.get('lines')) || 50));
      return json(res, 200, { lines: ctx.logFiles.tail(service, lines) });
    }
    const dir = historyDir(ctx.system.folders.pidDir);
    const minutes = readMinutes(dir, service, ctx.clock.now() - DAY_MS).map((m) => ({ t: m.t, p50Ms: percentile(m.histogram, 0.5), rssPeakBytes: m.rssPeak }));
    return json(res, 200, { recording: existsSync(dir), minutes });
  }
  json(res, 404, { error: `not found: ${url.pathname}` });
}
