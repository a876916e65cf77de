import { describe, expect, it } from 'vitest';
import alerts from '../../../plugins/alerts/index.js';
import { createPluginHarness } from '../../../core/testing/index.js';

const services = { api: { command: 'x', title: 'API Server' }, web: { command: 'y' } };
const alert = (kind: string, service?: string, level: 'info' | 'warning' | 'critical' = 'warning') => ({
  level,
  kind,
  service,
  message: `${kind} ${service ?? ''}`.trim(),
  at: '',
});
const HOOK = 'http://127.0.0.1:9/hook';

describe('alerts through core/testing', () => {
  it('sends one alert per service and kind per throttle window, and counts what it held back', async () => {
    const h = await createPluginHarness(alerts({ throttle: '1m', webhook: { url: HOOK } }), { services });
    for (let i = 0; i < 4; i += 1) await h.emit('alert', alert('restart', 'api'));
    await h.emit('alert', alert('restart', 'web'));
    await h.emit('alert', alert('service-failed', 'api', 'critical'));
    await h.advance(61_000);
    await h.emit('alert', alert('restart', 'api'));
    await h.advance(10);
    expect(h.http.posts.map((p) => p.body)).toEqual([
      expect.objectContaining({ kind: 'restart', service: 'api', suppressed: 0 }),
      expect.objectContaining({ kind: 'restart', service: 'web', suppressed: 0 }),
      expect.objectContaining({ kind: 'service-failed', service: 'api', level: 'critical', suppressed: 0 }),
      expect.objectContaining({ kind: 'restart', service: 'api', suppressed: 3 }),
    ]);
  });

  it('turns unhealthy and slow into alerts, and announces a recovery once', async () => {
    const h = await createPluginHarness(alerts({ webhook: { url: HOOK } }), { services });
    await h.emit('service:health', { service: 'api', health: 'unhealthy', previous: 'healthy', detail: '3 failed probes' });
    await h.emit('service:ready', { service: 'api', pid: 2001 });
    await h.emit('service:ready', { service: 'api', pid: 2001 });
    await h.emit('service:ready', { service: 'web', pid: 2002 }); // never in trouble: nothing
    await h.advance(10);
    expect(h.http.posts.map((p) => p.body)).toEqual([
      expect.objectContaining({
        level: 'warning',
        kind: 'unhealthy',
        service: 'api',
        message: 'API Server is not answering its health check: 3 failed probes',
      }),
      expect.objectContaining({ level: 'info', kind: 'recovered', service: 'api', message: 'API Server is up again' }),
    ]);
  });

  it('retries a failing webhook with backoff, in order', async () => {
    const h = await createPluginHarness(alerts({ webhook: { url: HOOK, retries: 3, backoff: { initial: 1000, factor: 2, max: 10_000 } } }), { services });
    let failures = 2;
    const tries: number[] = [];
    h.http.accept = () => {
      tries.push(h.clock.now());
      return failures-- > 0 ? { error: 'connection refused' } : { status: 204 };
    };
    await h.emit('alert', alert('restart', 'api'));
    await h.emit('alert', alert('restart', 'web'));
    await h.advance(5000);
    expect(tries.map((t) => t - tries[0])).toEqual([0, 1000, 3000, 3000]);
    expect(h.http.posts.map((p) => (p.body as { service: string }).service)).toEqual(['api', 'web']);
  });

  it('holds alerts in a bounded queue while the receiver is down, dropping the oldest with a count', async () => {
    const h = await createPluginHarness(alerts({ throttle: 0, webhook: { url: HOOK, retries: 0, queue: 3, backoff: { max: 1000 } } }), { services });
    let down = true;
    h.http.accept = () => (down ? { error: 'connection refused' } : { status: 200 });
    for (let i = 1; i <= 8; i += 1) await h.emit('alert', { ...alert('restart', 'api'), message: `alert ${i}` });
    down = false;
    await h.advance(5000);
    const got = h.http.posts.map((p) => p.body as { message: string; dropped?: number });
    // alert 1 was being sent when it failed; 2..8 queued behind it, 3 at most: the rest dropped
    expect(got.map((b) => b.message)).toEqual(['alert 6', 'alert 7', 'alert 8']);
    expect(got[0].dropped).toBe(5);
    expect(got[1].dropped).toBeUndefined();
  });

  it('runs the alert command with the alert on stdin and in the environment', async () => {
    const h = await createPluginHarness(alerts({ command: ['notify-send', 'zmart'] }), { services });
    await h.emit('alert', alert('service-failed', 'api', 'critical'));
    await h.advance(10);
    expect(h.processes.runs).toHaveLength(1);
    expect(JSON.parse(h.processes.runs[0].input!)).toMatchObject({ kind: 'service-failed', service: 'api', level: 'critical' });
    expect(h.processes.runs[0].env).toMatchObject({ ZMART_ALERT_KIND: 'service-failed', ZMART_ALERT_SERVICE: 'api', ZMART_ALERT_LEVEL: 'critical' });
  });

  it('only logs alerts under minLevel', async () => {
    const h = await createPluginHarness(alerts({ minLevel: 'critical', webhook: { url: HOOK } }), { services });
    await h.emit('alert', alert('restart', 'api'));
    await h.emit('alert', alert('service-failed', 'api', 'critical'));
    await h.advance(10);
    expect(h.http.posts).toHaveLength(1);
  });
});
