import { chmodSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { isZmartError } from '../errors.js';

const MAX_BODY = 64 * 1024;
const MAX_CONNECTIONS = 128;
/** Headers must arrive within this of the connection (or of the last response on a kept-alive one)... */
const HEADERS_MS = 2_000;
/** ...and the body within this of the headers. */
const BODY_MS = 3_000;
/** Node's own check of headersTimeout and requestTimeout, kept only as a backstop. */
const BACKSTOP_CHECK_MS = 30_000;

/** What the control API can ask of the supervisor process. */
export interface ControlActions {
  status(): unknown;
  /** The status without each process tree's memory and CPU (no look at the process table): what a start polls. */
  states(): unknown;
  /** Each service as a start or a stop follows it (ServiceProgress): its state, readiness and last exit or stop, no metrics. */
  progress(): unknown;
  start(services: string[] | undefined): Promise<unknown>;
  stop(services: string[] | undefined): Promise<unknown>;
  restart(services: string[] | undefined, options: { allAtOnce: boolean; waitMs?: number }): Promise<unknown>;
  reload(): Promise<unknown>;
  /** Changes how many processes (replicas) a service runs. */
  scale(service: string, replicas: number): Promise<unknown>;
  /** Sends a signal (checked against OPERATOR_SIGNALS) to a service's main process or group. */
  signal(service: string, signal: string, all: boolean): unknown;
  log(message: string): void;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Route = (body: Record<string, unknown>) => Promise<unknown> | unknown;

/**
 * The control API: HTTP/JSON on a unix socket that only the owner can open (0600).
 * GET /v1/status (and /v1/states: the same without memory and CPU; /v1/progress: what a start or a stop follows, a
 * third of the states' size); POST /v1/start, /v1/stop, /v1/restart with `{ "services"?: string[] }`;
 * POST /v1/reload; POST /v1/scale with `{ "service", "replicas" }`; POST /v1/signal with `{ "service", "signal", "all"? }`. Anything malformed gets a 4xx with `{ error }`, and the server goes on.
 */
export function createControlServer(actions: ControlActions): Server {
  const routes: Record<string, Record<string, Route>> = {
    '/v1/status': { GET: () => actions.status() },
    '/v1/states': { GET: () => actions.states() },
    '/v1/progress': { GET: () => actions.progress() },
    '/v1/start': { POST: (b) => actions.start(servicesOf(b)) },
    '/v1/stop': { POST: (b) => actions.stop(servicesOf(b)) },
    '/v1/restart': {
      POST: (b) =>
        actions.restart(servicesOf(b), { allAtOnce: b.allAtOnce === true, waitMs: typeof b.waitMs === 'number' && b.waitMs > 0 ? b.waitMs : undefined }),
    },
    '/v1/scale': { POST: (b) => actions.scale(stringOf(b, 'service'), replicasOf(b)) },
    '/v1/reload': { POST: () => actions.reload() },
    '/v1/signal': { POST: (b) => actions.signal(stringOf(b, 'service'), stringOf(b, 'signal'), b.all === true) },
  };
  // A request must send its headers within HEADERS_MS and its body within BODY_MS more, by a
  // timer of its connection's own: Node's server-wide check of headersTimeout/requestTimeout
  // would wake the idle supervisor every second for nothing.
  const deadlines = new WeakMap<Socket, NodeJS.Timeout>();
  const arm = (socket: Socket, ms: number) => {
    clearTimeout(deadlines.get(socket));
    deadlines.set(
      socket,
      setTimeout(() => socket.destroy(), ms),
    );
  };
  const disarm = (socket: Socket) => clearTimeout(deadlines.get(socket));
  const server = createServer({ connectionsCheckingInterval: BACKSTOP_CHECK_MS }, async (req, res) => {
    arm(req.socket, BODY_MS);
    res.on('finish', () => arm(req.socket, HEADERS_MS));
    try {
      const path = new URL(req.url ?? '/', 'http://zmart').pathname;
      const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
      if (!route) throw new HttpError(404, `no such endpoint: ${req.method} ${req.url}`);
      const handler = Object.hasOwn(route, req.method ?? '') ? route[req.method ?? ''] : undefined;
      if (!handler) throw new HttpError(405, `${req.method} not allowed on ${req.url} (use ${Object.keys(route).join(', ')})`);
      const body = await readJson(req);
      disarm(req.socket); // received whole: the handler may take its time (a restart waits for the service)
      const result = await handler(body);
      send(res, 200, result);
    } catch (error) {
      if (error instanceof HttpError) return send(res, error.status, { error: error.message });
      if (isZmartError(error)) return send(res, error.exitCode === 2 ? 400 : 409, { error: error.message, code: error.code });
      actions.log(`control API: ${req.method} ${req.url} failed: ${error instanceof Error ? error.stack : String(error)}`);
      send(res, 500, { error: error instanceof Error ? error.message : String(error) });
    }
  });
  server.on('connection', (socket: Socket) => {
    arm(socket, HEADERS_MS);
    socket.once('close', () => disarm(socket));
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  // A client that holds connections open cannot take the supervisor's file descriptors: past
  // the cap new connections are refused, and a request must arrive whole within its timeouts.
  server.maxConnections = MAX_CONNECTIONS;
  server.headersTimeout = 2_000;
  server.requestTimeout = 5_000;
  return server;
}

/** Listens on `path` (removing a stale socket file first) and makes it owner-only. */
export async function listenOnSocket(server: Server, path: string): Promise<void> {
  rmSync(path, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(path, 0o600);
}

/**
 * Stops taking connections; resolves once those open have ended (their answers given), or
 * after `ms` (a client that holds its connection does not keep the supervisor alive).
 */
export function closeControlServer(server: Server, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const late = setTimeout(resolve, ms);
    server.close(() => {
      clearTimeout(late);
      resolve();
    });
    server.closeIdleConnections();
  });
}

function replicasOf(body: Record<string, unknown>): number {
  const n = body.replicas;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 64) throw new HttpError(400, '"replicas" must be a whole number from 1 to 64');
  return n;
}

function servicesOf(body: Record<string, unknown>): string[] | undefined {
  const services = body.services;
  if (services === undefined) return undefined;
  if (!Array.isArray(services) || !services.every((s) => typeof s === 'string')) {
    throw new HttpError(400, '"services" must be an array of service names');
  }
  // Only a missing field means "all": an empty list is a mistake, never the whole fleet.
  if (services.length === 0) throw new HttpError(400, '"services" is empty: name at least one service, or leave the field out for all');
  return services;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, `request body over ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'request body must be a JSON object');
  return body as Record<string, unknown>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body ?? {});
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** A required string field of a request's body. */
function stringOf(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  if (typeof value !== 'string' || value.length === 0) throw new HttpError(400, `"${key}" must be a non-empty string`);
  return value;
}
