import type { HttpClient, HttpProbeResult } from '../di/tokens.js';

type Undici = typeof import('undici');

/**
 * Health probes over undici with one keep-alive pool for all of them. undici is imported on
 * the first probe, so commands that probe nothing never pay for it. A probe that has not
 * finished (headers and body) within its timeout is aborted and rejects.
 */
export class UndiciHttpClient implements HttpClient {
  private undici: Promise<Undici> | null = null;
  private agent: InstanceType<Undici['Agent']> | null = null;

  async probe(url: string, options: { timeoutMs: number }): Promise<HttpProbeResult> {
    const undici = await (this.undici ??= import('undici'));
    this.agent ??= new undici.Agent({ keepAliveTimeout: 30_000, connections: 4, connect: { timeout: options.timeoutMs } });
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`no answer within ${options.timeoutMs}ms`)), options.timeoutMs);
    const t0 = performance.now();
    try {
      const response = await undici.request(url, {
        method: 'GET',
        dispatcher: this.agent,
        signal: controller.signal,
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
      });
      await response.body.dump({ limit: 64 * 1024 });
      return { status: response.statusCode, durationMs: performance.now() - t0 };
    } catch (error) {
      if (controller.signal.aborted) throw new Error(`no answer within ${options.timeoutMs}ms`);
      const code = (error as { code?: string }).code;
      throw new Error(code === 'ECONNREFUSED' ? 'connection refused' : error instanceof Error ? error.message : String(error));
    } finally {
      clearTimeout(timer);
    }
  }

  async postJson(url: string, body: unknown, options: { timeoutMs: number; headers?: Record<string, string> }): Promise<{ status: number }> {
    const undici = await (this.undici ??= import('undici'));
    this.agent ??= new undici.Agent({ keepAliveTimeout: 30_000, connections: 4, connect: { timeout: options.timeoutMs } });
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`no answer within ${options.timeoutMs}ms`)), options.timeoutMs);
    try {
      const response = await undici.request(url, {
        method: 'POST',
        dispatcher: this.agent,
        signal: controller.signal,
        headers: { 'content-type': 'application/json', ...options.headers },
        body: JSON.stringify(body),
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
      });
      await response.body.dump({ limit: 64 * 1024 });
      return { status: response.statusCode };
    } catch (error) {
      if (controller.signal.aborted) throw new Error(`no answer within ${options.timeoutMs}ms`);
      const code = (error as { code?: string }).code;
      throw new Error(code === 'ECONNREFUSED' ? 'connection refused' : error instanceof Error ? error.message : String(error));
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.agent?.close();
    this.agent = null;
  }
}
