import { describe, expect, it, vi } from 'vitest';
import { definePlugin, type FollowedLine, type PluginContext } from '../../../../core/index.js';
import { createPluginHarness } from '../../../../core/testing/index.js';

/** The plugin boundary through the harness: every bad day a plugin can bring, on the fake clock. */

const services = { api: { command: 'x', port: 8000 } };
const busy = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

describe('deadlines, through the harness', () => {
  it('a setup that never answers is set aside at its deadline: hooks gone, an alert, failed with why', async () => {
    let handled = 0;
    const hung = definePlugin({
      name: 'hung',
      defaults: {},
      setup(ctx) {
        ctx.on('service:started', () => void (handled += 1));
        return new Promise<void>(() => undefined);
      },
    });
    const h = await createPluginHarness(hung(), { services, pluginTimeouts: { setup: '2s' } });
    expect(h.plugin()).toMatchObject({ state: 'failed', why: 'setup did not finish within 2s (pluginTimeouts.setup)' });
    expect(h.alerts).toEqual([
      { level: 'warning', kind: 'plugin-timeout', message: 'plugin hung set aside: setup did not finish within 2s (pluginTimeouts.setup)' },
    ]);
    await h.emit('service:started', { service: 'api', pid: 1001 });
    expect(handled).toBe(0);
  });

  it('a plugin set aside can no longer act: a late timer of its own neither fires nor restarts', async () => {
    let ctxOf: PluginContext<object> | null = null;
    const late = definePlugin({
      name: 'late',
      defaults: {},
      setup(ctx) {
        ctxOf = ctx;
        ctx.scheduler.setInterval(() => ctx.restart('api', { kind: 'unhealthy', detail: 'late' }), 1000);
        return new Promise<void>(() => undefined);
      },
    });
    const h = await createPluginHarness(late(), { services, pluginTimeouts: { setup: '500ms' } });
    await h.advance(5000);
    expect(h.restarts).toEqual([]);
    ctxOf!.restart('api', { kind: 'unhealthy', detail: 'from a promise that resolved late' });
    expect(h.restarts).toEqual([]);
  });

  it('a prestart that never answers refuses the start: kind plugin, naming the plugin', async () => {
    const hung = definePlugin({ name: 'gate', defaults: {}, setup: (ctx) => void ctx.on('service:prestart', () => new Promise<void>(() => undefined)) });
    const h = await createPluginHarness(hung(), { services, pluginTimeouts: { prestart: '3s' } });
    const t0 = h.clock.now();
    expect(await h.prestart('api')).toEqual({
      kind: 'plugin',
      by: 'gate',
      detail: 'plugin gate did not finish service:prestart within 3s (pluginTimeouts.prestart)',
    });
    expect(h.clock.now() - t0).toBe(3000);
  });

  it('refuse(detail) is kind plugin by the refusing plugin; refuse(detail, kind) keeps the kind given', async () => {
    const make = (kind?: 'port') =>
      definePlugin({ name: 'refuser', defaults: {}, setup: (ctx) => void ctx.on('service:prestart', ({ refuse }) => refuse('not today', kind)) })();
    expect(await (await createPluginHarness(make(), { services })).prestart('api')).toEqual({ kind: 'plugin', by: 'refuser', detail: 'not today' });
    expect(await (await createPluginHarness(make('port'), { services })).prestart('api')).toEqual({ kind: 'port', by: 'refuser', detail: 'not today' });
  });

  it('a supervisor:start handler that never answers is left behind at its deadline, logged and alerted naming it', async () => {
    const slow = definePlugin({ name: 'slow-start', defaults: {}, setup: (ctx) => void ctx.on('supervisor:start', () => new Promise<void>(() => undefined)) });
    const h = await createPluginHarness(slow(), { services, pluginTimeouts: { setup: '4s' } });
    const t0 = h.clock.now();
    await h.emit('supervisor:start', { services: ['api'], configPath: null });
    expect(h.clock.now() - t0).toBe(4000);
    const line = 'plugin slow-start did not finish supervisor:start within 4s (pluginTimeouts.setup): starting the fleet without waiting for it';
    expect(h.logs).toContainEqual({ channel: 'supervisor', level: 'error', message: line });
    expect(h.alerts).toEqual([{ level: 'warning', kind: 'plugin-timeout', message: line }]);
    expect(h.plugin().state).toBe('running'); // late at start, not set aside
  });

  it('a teardown that never answers is abandoned at its deadline, and its timers go with it', async () => {
    const stuck = definePlugin({
      name: 'stuck',
      defaults: {},
      setup(ctx) {
        ctx.scheduler.setInterval(() => ctx.alert({ level: 'info', kind: 'tick', message: 'tick' }), 1000);
        return () => new Promise<void>(() => undefined);
      },
    });
    const h = await createPluginHarness(stuck(), { services, pluginTimeouts: { teardown: '1s' } });
    await h.teardown();
    expect(h.logs).toContainEqual({
      channel: 'supervisor',
      level: 'error',
      message: 'plugin stuck: teardown did not finish within 1s (pluginTimeouts.teardown): abandoned',
    });
    const before = h.alerts.length;
    await h.advance(5000);
    expect(h.alerts.length).toBe(before);
  });
});

describe('the watchdog and faults, through the harness', () => {
  it('a handler that holds the loop is named with how long, in the log and the plugin table', async () => {
    const hog = definePlugin({ name: 'hog', defaults: {}, setup: (ctx) => void ctx.on('service:started', () => busy(300)) });
    const h = await createPluginHarness(hog(), { services });
    await h.emit('service:started', { service: 'api', pid: 1001 });
    const line = h.logs.find((r) => r.message.startsWith('plugin hog held the supervisor'));
    expect(line?.message).toMatch(/^plugin hog held the supervisor \d{3,} ms \(service:started\)$/);
    expect(h.plugin().slowestMs).toBeGreaterThanOrEqual(300);
    expect(h.plugin().calls).toBeGreaterThanOrEqual(2); // setup and the handler
  });

  it('quick calls are timed but never logged', async () => {
    const quick = definePlugin({ name: 'quick', defaults: {}, setup: (ctx) => void ctx.scheduler.setInterval(() => undefined, 100) });
    const h = await createPluginHarness(quick(), { services });
    await h.advance(1000);
    expect(h.plugin().calls).toBe(11);
    expect(h.logs.filter((r) => r.message.includes('held the supervisor'))).toEqual([]);
  });

  it("a throw in a plugin's timer, sync or async, is logged naming it and stops nothing", async () => {
    let ticks = 0;
    const flaky = definePlugin({
      name: 'flaky',
      defaults: {},
      setup(ctx) {
        ctx.scheduler.setInterval(() => {
          ticks += 1;
          throw new Error('sync boom');
        }, 1000);
        ctx.scheduler.setTimeout(async () => {
          throw new Error('async boom');
        }, 1500);
      },
    });
    const h = await createPluginHarness(flaky(), { services });
    await h.advance(3000);
    expect(ticks).toBe(3);
    const errors = h.logs.filter((r) => r.level === 'error').map((r) => r.message);
    expect(errors).toContain('plugin flaky: timer threw: sync boom');
    expect(errors).toContain('plugin flaky: timer threw: async boom');
  });
});

describe('ctx.logs.follow, through the harness', () => {
  it('hands each line over, redacted as written, with tail reading the same lines', async () => {
    const seen: FollowedLine[] = [];
    const reader = definePlugin({ name: 'reader', defaults: {}, setup: (ctx) => void ctx.logs.follow('api', (line) => void seen.push(line)) });
    const h = await createPluginHarness(reader(), { services });
    await h.logLine('api', ['one', 'two']);
    await h.logLine('api', 'three', 'err');
    expect(seen).toEqual([
      { service: 'api', stream: 'out', text: 'one', lost: 0 },
      { service: 'api', stream: 'out', text: 'two', lost: 0 },
      { service: 'api', stream: 'err', text: 'three', lost: 0 },
    ]);
  });

  it('a plugin that falls behind loses the oldest lines it has not read and is told how many; the writer never waits', async () => {
    const seen: FollowedLine[] = [];
    let release!: () => void;
    const slow = definePlugin({
      name: 'slow',
      defaults: {},
      setup: (ctx) =>
        void ctx.logs.follow('api', async (line) => {
          seen.push(line);
          if (seen.length === 1) await new Promise<void>((r) => (release = r));
        }),
    });
    const h = await createPluginHarness(slow(), { services });
    await h.logLine('api', 'first');
    const flood = Array.from({ length: 1500 }, (_, i) => `line ${i}`);
    const t0 = performance.now();
    await h.logLine('api', flood); // the handler still holds 'first'
    expect(performance.now() - t0).toBeLessThan(1000);
    release();
    await vi.waitFor(() => expect(seen.length).toBe(1 + 1000)); // handed over in batches, the loop let run between
    expect(seen[1]).toEqual({ service: 'api', stream: 'out', text: 'line 500', lost: 500 });
    expect(seen.at(-1)).toMatchObject({ text: 'line 1499', lost: 0 });
    await h.logLine('api', 'after');
    expect(seen.at(-1)).toEqual({ service: 'api', stream: 'out', text: 'after', lost: 0 });
  });

  it('unfollow and teardown stop the lines', async () => {
    const seen: string[] = [];
    const reader = definePlugin({ name: 'reader', defaults: {}, setup: (ctx) => void ctx.logs.follow('api', (line) => void seen.push(line.text)) });
    const h = await createPluginHarness(reader(), { services });
    await h.logLine('api', 'kept');
    await h.teardown();
    await h.logLine('api', 'after teardown');
    expect(seen).toEqual(['kept']);
  });
});

describe('ctx.signal, through the harness', () => {
  it("records the operator's signal a view sends, and refuses an unknown service", async () => {
    let send!: (service: string) => void;
    const view = definePlugin({ name: 'view', defaults: {}, setup: (ctx) => void (send = (service) => ctx.signal(service, 'SIGHUP')) });
    const h = await createPluginHarness(view(), { services });
    send('api');
    expect(h.signals).toEqual([{ service: 'api', signal: 'SIGHUP' }]);
    expect(() => send('nope')).toThrow("no service named 'nope'");
  });
});
