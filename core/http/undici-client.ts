import type { HttpClient, HttpProbeResult } from '../di/tokens.js';

type Undici = typeof import('undici');
type Response = Awaited<ReturnType<Undici['request']>>;

/**
 * HTTP for health probes and alert webhooks over undici, with one keep-alive pool. undici is
 * imported on first use, so commands that probe nothing never pay for it. A request that has
 * not finished (headers and body) within its timeout is aborted and rejects.
 */
export class UndiciHttpClient implements HttpClient {
  private undici: Promise<Undici> | null = null;
  private agent: InstanceType<Undici['Agent']> | null = null;

  async probe(url: string, options: { timeoutMs: number }): Promise<HttpProbeResult> {
    const t0 = performance.now();
    const status = await this.send(url, options.timeoutMs, { method: 'GET' });
    return { status, durationMs: performance.now() - t0 };
  }

  async postJson(url: string, body: unknown, options: { timeoutMs: number; headers?: Record<string, string> }): Promise<{ status: number }> {
    const status = await this.send(url, options.timeoutMs, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...options.headers },
      body: JSON.stringify(body),
    });
    return { status };
  }

  async close(): Promise<void> {
    await this.agent?.close();
    this.agent = null;
  }

  /** One request, bounded by `timeoutMs` from start to the end of the body; resolves with the status. */
  private async send(url: string, timeoutMs: number, init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string }): Promise<number> {
    const undici = await (this.undici ??= import('undici'));
    this.agent ??= new undici.Agent({ keepAliveTimeout: 30_000, connections: 4, connect: { timeout: timeoutMs } });
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`no answer within ${timeoutMs}ms`)), timeoutMs);
    try {
      const response: Response = await undici.request(url, {
        ...init,
        dispatcher: this.agent,
        signal: controller.signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      await response.body.dump({ limit: 64 * 1024 });
      return response.statusCode;
    } catch (error) {
      if (controller.signal.aborted) throw new Error(`no answer within ${timeoutMs}ms`);
      const code = (error as { code?: string }).code;
      throw new Error(code === 'ECONNREFUSED' ? 'connection refused' : error instanceof Error ? error.message : String(error));
    } finally {
      clearTimeout(timer);
    }
  }
}
