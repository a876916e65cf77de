import { timerDelay } from '../system-time.js';
import { Agent, request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { connect as netConnect } from 'node:net';
import type { HttpClient, HttpProbeResult } from '../di/contracts.js';

/** A body longer than this is not read to its end: the connection is dropped instead. */
const MAX_BODY = 64 * 1024;

type Send = (url: URL, options: RequestOptions, callback: (response: IncomingMessage) => void) => ClientRequest;

/**
 * HTTP for health probes and alert webhooks over node:http, with keep-alive connections.
 * node:http, not undici: the control socket already loads it, and undici cost the daemon
 * ~11 MB of its resident memory for a GET with a timeout. https (an alert webhook) loads
 * node:https on first use. A request that has not finished (headers and body) within its
 * timeout is aborted and rejects; a probe on a kept-alive connection the server closed just
 * as it was reused is sent once more on a fresh one.
 */
export class NodeHttpClient implements HttpClient {
  private readonly agents = new Map<string, Agent>();

  async probe(url: string, options: { timeoutMs: number }): Promise<HttpProbeResult> {
    const t0 = performance.now();
    const status = await this.send(url, options.timeoutMs, { method: 'GET' });
    return { status, durationMs: performance.now() - t0 };
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
      socket.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new Error(error.code === 'ECONNREFUSED' ? 'connection refused' : error.message));
      });
    });
  }

  async postJson(url: string, body: unknown, options: { timeoutMs: number; headers?: Record<string, string> }): Promise<{ status: number }> {
    const text = JSON.stringify(body);
    const status = await this.send(url, options.timeoutMs, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...options.headers },
      body: text,
    });
    return { status };
  }

  async close(): Promise<void> {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }

  /** One request, bounded by `timeoutMs` from start to the end of the body; resolves with the status. */
  private async send(url: string, timeoutMs: number, init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string }): Promise<number> {
    const target = new URL(url);
    if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error(`not an http(s) URL: ${url}`);
    const { request, agent } = await this.transportFor(target.protocol);
    const options: RequestOptions = { method: init.method, headers: init.headers, agent };
    const deadline = Date.now() + timeoutMs;
    try {
      return await once(request, target, options, init.body, timeoutMs);
    } catch (error) {
      const remaining = deadline - Date.now();
      // Only a GET is sent again: the server may have received the first one.
      if (init.method !== 'GET' || !(error as RetryableError).retryable || remaining <= 0) throw error;
      return once(request, target, options, init.body, remaining);
    }
  }

  /** node:http, or node:https (imported on first use), with its keep-alive agent. */
  private async transportFor(protocol: string): Promise<{ request: Send; agent: Agent }> {
    const module = protocol === 'https:' ? await import('node:https') : { request: httpRequest, Agent };
    let agent = this.agents.get(protocol);
    if (!agent) {
      agent = new module.Agent({ keepAlive: true, maxSockets: 4, maxFreeSockets: 4 });
      this.agents.set(protocol, agent);
    }
    return { request: module.request, agent };
  }
}

interface RetryableError extends Error {
  retryable?: boolean;
}

function once(send: Send, url: URL, options: RequestOptions, body: string | undefined, timeoutMs: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | null, status?: number) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(status!);
    };
    const req = send(url, options, (response) => {
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY) {
          response.destroy(); // not worth reading; the connection goes with it
          finish(null, response.statusCode ?? 0);
        }
      });
      response.once('end', () => finish(null, response.statusCode ?? 0));
      response.once('error', (error) => finish(describe(error)));
    });
    const timer = setTimeout(() => {
      finish(new Error(`no answer within ${timeoutMs}ms`));
      req.destroy();
    }, timerDelay(timeoutMs));
    req.once('error', (error: NodeJS.ErrnoException) => {
      const failure: RetryableError = describe(error);
      failure.retryable = req.reusedSocket && error.code === 'ECONNRESET';
      finish(failure);
    });
    req.end(body);
  });
}

function describe(error: NodeJS.ErrnoException): Error {
  return new Error(error.code === 'ECONNREFUSED' ? 'connection refused' : error.message);
}
