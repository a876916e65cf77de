import type { HttpClient, HttpProbeResult } from '../di/contracts.js';
import type { FakeClock } from './fake-clock.js';

/** What a fake endpoint does: answer, fail with a message, or never answer (the probe times out). */
export type FakeAnswer = HttpProbeResult | { error: string } | 'hang';

/**
 * An HttpClient for plugin tests: `answer(url)` decides each probe; a 'hang' rejects once the
 * fake clock has moved the probe's timeout forward, as the real client would.
 */
export class FakeHttpClient implements HttpClient {
  readonly calls: Array<{ url: string; timeoutMs: number; at: number }> = [];
  answer: (url: string) => FakeAnswer = () => ({ status: 200, durationMs: 10 });

  constructor(private readonly clock: FakeClock) {}

  probe(url: string, options: { timeoutMs: number }): Promise<HttpProbeResult> {
    this.calls.push({ url, timeoutMs: options.timeoutMs, at: this.clock.now() });
    const answer = this.answer(url);
    if (answer === 'hang') {
      return new Promise((_resolve, reject) => {
        this.clock.setTimeout(() => reject(new Error(`no answer within ${options.timeoutMs}ms`)), options.timeoutMs);
      });
    }
    if ('error' in answer) return Promise.reject(new Error(answer.error));
    return Promise.resolve(answer);
  }

  /** A TCP connect: `answer('tcp://host:port')` decides it, as for probes (a status means it connected). */
  async connect(host: string, port: number, options: { timeoutMs: number }): Promise<{ durationMs: number }> {
    const { durationMs } = await this.probe(`tcp://${host}:${port}`, options);
    return { durationMs };
  }

  /** What POSTs get: a status, or { error } to fail; the default accepts everything. */
  accept: (url: string, body: unknown) => { status: number } | { error: string } | 'hang' = () => ({ status: 200 });
  readonly posts: Array<{ url: string; body: unknown; at: number }> = [];

  postJson(url: string, body: unknown, options: { timeoutMs: number }): Promise<{ status: number }> {
    const answer = this.accept(url, body);
    if (answer === 'hang') {
      return new Promise((_resolve, reject) => {
        this.clock.setTimeout(() => reject(new Error(`no answer within ${options.timeoutMs}ms`)), options.timeoutMs);
      });
    }
    if ('error' in answer) return Promise.reject(new Error(answer.error));
    this.posts.push({ url, body, at: this.clock.now() });
    return Promise.resolve(answer);
  }

  async close(): Promise<void> {}
}
