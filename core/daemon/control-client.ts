import { statSync } from 'node:fs';
import { request } from 'node:http';
import { dirname } from 'node:path';
import { connect } from 'node:net';
import { isZmartError, ZmartError } from '../errors.js';

export interface ControlResponse<T = unknown> {
  status: number;
  body: T & { error?: string; code?: string };
}

/**
 * One request to the control API over its unix socket (node:http: no extra start-up cost
 * for `zmart status`). Rejects with code ENOENT/ECONNREFUSED when nobody listens, with
 * a ZmartError ZMART_CONTROL_TIMEOUT (isTimeout) when no answer came within `timeoutMs`.
 */
export function callControl<T = unknown>(
  socket: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  timeoutMs = 30_000,
  /** Gives the question up (the connection closes): its answer is no longer wanted. */
  signal?: AbortSignal,
): Promise<ControlResponse<T>> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? '' : JSON.stringify(body);
    const req = request(
      // Our own connection, no agent: the agent would compile Node's IPv6 pattern (~4 ms of
      // every `zmart status`) only to name a TLS server.
      {
        createConnection: () => connect(socket),
        signal,
        method,
        path,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        let text = '';
        // The connection cut in the middle of the answer (the supervisor ended): Node's response
        // says so only to an 'error' listener, and without one the call would never settle.
        res.on('error', () => reject(hangUp(method, path)));
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || '{}') });
          } catch {
            reject(new Error(`control API answered ${res.statusCode} with something that is not JSON`));
          }
        });
      },
    );
    req.setTimeout(timeoutMs, () =>
      req.destroy(
        new ZmartError(
          'ZMART_CONTROL_TIMEOUT',
          `the supervisor did not answer on ${socket} within ${timeoutMs / 1000} s (busy or hung: try again, or see its zmart.log)`,
        ),
      ),
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** The error for an answer cut short, coded as a dropped connection is (see isHangUp). */
function hangUp(method: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`the supervisor closed the connection in the middle of its answer to ${method} ${path}`), { code: 'ECONNRESET' });
}

/** True when the daemon did not answer within the request's timeout (it may be busy). */
export const isTimeout = (error: unknown): boolean => isZmartError(error) && error.code === 'ZMART_CONTROL_TIMEOUT';

/** True when the supervisor dropped the connection before it answered (it died mid-request). */
export const isHangUp = (error: unknown): boolean => ['ECONNRESET', 'EPIPE'].includes((error as NodeJS.ErrnoException)?.code ?? '');

/** True when this user may not open the socket (or its folder): the supervisor is another user's. */
export const isForbidden = (error: unknown): boolean => ['EACCES', 'EPERM'].includes((error as NodeJS.ErrnoException)?.code ?? '');

/** One line for a socket this user may not open: whose it is, and what to do. */
export function notYours(socket: string, config: string): ZmartError {
  let owner = 'another user';
  for (const path of [socket, dirname(socket)]) {
    try {
      const { uid } = statSync(path);
      owner = uid === process.getuid?.() ? 'this user, but its folder or socket is not open to it' : `uid ${uid}`;
      break;
    } catch {
      // not visible from here
    }
  }
  return new ZmartError('ZMART_FORBIDDEN', `the supervisor of ${config} belongs to ${owner}: permission denied on ${socket}; run zmart as its owner`);
}

/** True when nobody listens on the socket (no daemon). */
export const isUnreachable = (error: unknown): boolean => ['ENOENT', 'ECONNREFUSED', 'ENOTSOCK'].includes((error as NodeJS.ErrnoException)?.code ?? '');
/** The supervisor went away while it had the request (killed mid-answer): the connection was reset. */
export const isCutOff = (error: unknown): boolean => ['ECONNRESET', 'EPIPE'].includes((error as NodeJS.ErrnoException)?.code ?? '');
