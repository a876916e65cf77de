import { connect as netConnect } from 'node:net';
import type { HttpClient, HttpProbeResult } from '../di/contracts.js';
import { timerDelay } from '../system-time.js';
import { loadUndiciLean, parserOnBaseline, type UndiciRequest as Request } from './undici-lean.js';

/** A body longer than this is not read to its end: the connection is dropped instead. */
const MAX_BODY = 64 * 1024;

type Dispatcher = import('undici').Dispatcher;

/**
 * HTTP for health probes and alert webhooks over undici, with keep-alive connections (four
 * per origin), and TCP connects over node:net. A request that has not finished (headers and
 * body) within its timeout is aborted and rejects; a probe that meets a kept-alive connection
 * the server closed as it was reused is sent once more; a body over 64 KB is not read to its end.
 */
export class UndiciHttpClient implements HttpClient {
  private undici: { agent: Dispatcher; request: Request } | null = null;

  async probe(url: string, options: { timeoutMs: number }): Promise<HttpProbeResult> {
    const t0 = performance.now();
    const status = await this.send(url, options.timeoutMs, { method: 'GET' });
    return { status, durationMs: performance.now() - t0 };
  }

  async postJson(url: string, body: unknown, options: { timeoutMs: number; headers?: Record<string, string> }): Promise<{ status: number }> {
    const text = JSON.stringify(body);
    const headers = { 'content-type': 'application/json', ...options.headers };
    return { status: await this.send(url, options.timeoutMs, { method: 'POST', headers, body: text }) };
  }

  connect(host: string, port: number, options: { timeoutMs: number }): Promise<{ durationMs: number }> {
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
      const socket = netConnect({ host, port });
      const timer = setTimeout(() => socket.destroy(new Error(`no connection within ${options.timeoutMs}ms`)), timerDelay(options.timeoutMs));
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.destroy();
        resolve({ durationMs: performance.now() - t0 });
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(describe(error));
      });
    });
  }

  async close(): Promise<void> {
    const undici = this.undici;
    this.undici = null;
    await undici?.agent.destroy();
  }

  /** One request, bounded by `timeoutMs` from start to the end of the body; resolves with the status. */
  private async send(url: string, timeoutMs: number, init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string }): Promise<number> {
    const target = new URL(url);
    if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error(`not an http(s) URL: ${url}`);
    const deadline = Date.now() + timeoutMs;
    try {
      return await this.once(target, init, timeoutMs);
    } catch (error) {
      const remaining = deadline - Date.now();
      // Only a GET is sent again: the server may have received the first one.
      if (init.method !== 'GET' || !isDroppedConnection(error) || remaining <= 0) throw describe(error);
      try {
        return await this.once(target, init, remaining);
      } catch (again) {
        throw describe(again);
      }
    }
  }

  private async once(target: URL, init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string }, timeoutMs: number): Promise<number> {
    if (!this.undici) {
      const { Agent, request } = loadUndiciLean();
      this.undici = { agent: new Agent({ connections: 4, keepAliveTimeout: 4000 }), request };
    }
    const { agent, request } = this.undici;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new TimeoutError(timeoutMs)), timerDelay(timeoutMs));
    try {
      const response = await parserOnBaseline(() =>
        request.call(agent, {
          origin: target.origin,
          path: `${target.pathname}${target.search}`,
          method: init.method,
          headers: init.headers,
          body: init.body,
          signal: abort.signal,
        }),
      );
      let size = 0;
      for await (const chunk of response.body) {
        size += (chunk as Buffer).length;
        if (size > MAX_BODY) {
          response.body.destroy(); // not worth reading; the connection goes with it
          break;
        }
      }
      return response.statusCode;
    } catch (error) {
      throw abort.signal.aborted ? abort.signal.reason : error;
    } finally {
      clearTimeout(timer);
    }
  }
}

class TimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`no answer within ${timeoutMs}ms`);
  }
}

/** A kept-alive connection the server closed just as it was reused (undici's "other side closed"). */
const isDroppedConnection = (error: unknown): boolean =>
  !(error instanceof TimeoutError) && ['UND_ERR_SOCKET', 'ECONNRESET'].includes((error as NodeJS.ErrnoException)?.code ?? '');

function describe(error: unknown): Error {
  if (error instanceof TimeoutError) return error;
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'ECONNREFUSED') return new Error('connection refused');
  const cause = (error as { cause?: NodeJS.ErrnoException })?.cause;
  if (cause?.code === 'ECONNREFUSED') return new Error('connection refused');
  return error instanceof Error ? new Error(error.message) : new Error(String(error));
}
