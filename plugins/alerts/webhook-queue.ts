import type { PluginContext } from '../../core/index.js';
import type { AlertsOptions } from './options.js';

/** What a webhook receives: the alert, plus how many were suppressed or dropped before it. */
export interface Delivery {
  level: string;
  kind: string;
  service?: string;
  message: string;
  at: string;
  /** Alerts of the same service and kind throttled since the last one sent. */
  suppressed: number;
  /** Alerts dropped because the queue was full while the receiver was down. */
  dropped?: number;
}

/**
 * Delivers to one webhook in order, one at a time, retrying with backoff. While the receiver
 * is down, alerts wait in a bounded queue; when it is full the oldest is dropped and counted,
 * and the count rides on the next alert that gets through.
 */
export class WebhookQueue {
  private readonly queue: Delivery[] = [];
  private dropped = 0;
  private sending = false;
  private stopped = false;

  constructor(
    private readonly ctx: PluginContext<AlertsOptions>,
    private readonly hook: NonNullable<AlertsOptions['webhook']>,
  ) {}

  push(delivery: Delivery): void {
    this.queue.push(delivery);
    if (this.queue.length > this.hook.queue) {
      this.queue.shift();
      this.dropped += 1;
    }
    void this.drain();
  }

  stop(): void {
    this.stopped = true;
  }

  get waiting(): number {
    return this.queue.length;
  }

  private async drain(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.queue.length > 0 && !this.stopped) {
        const next = this.queue[0];
        const body = this.dropped > 0 ? { ...next, dropped: this.dropped } : next;
        if (await this.send(body)) {
          if (this.queue[0] === next) this.queue.shift();
          if (body.dropped) this.dropped -= body.dropped;
        } else {
          // Still down after every retry: wait one full backoff, then try the head again.
          await this.sleep(this.hook.backoff.max);
        }
      }
    } finally {
      this.sending = false;
    }
  }

  private async send(body: Delivery): Promise<boolean> {
    let delay = this.hook.backoff.initial;
    for (let attempt = 0; attempt <= this.hook.retries; attempt += 1) {
      if (this.stopped) return false;
      try {
        const { status } = await this.ctx.http.postJson(this.hook.url, body, { timeoutMs: this.hook.timeout, headers: this.hook.headers });
        if (status < 500) {
          if (status >= 400) this.ctx.logger.warn(`webhook ${this.hook.url} refused ${body.kind} with ${status}: not retried`);
          return true;
        }
        this.ctx.logger.warn(`webhook ${this.hook.url} answered ${status} (try ${attempt + 1})`);
      } catch (error) {
        this.ctx.logger.warn(`webhook ${this.hook.url}: ${error instanceof Error ? error.message : error} (try ${attempt + 1})`);
      }
      if (attempt < this.hook.retries) {
        await this.sleep(delay);
        delay = Math.min(delay * this.hook.backoff.factor, this.hook.backoff.max);
      }
    }
    return false;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.ctx.scheduler.setTimeout(resolve, ms));
  }
}
