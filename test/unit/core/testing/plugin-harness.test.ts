import { describe, expect, expectTypeOf, it } from 'vitest';
import { definePlugin, duration, z, type PluginContext } from '../../../../core/index.js';
import { createPluginHarness } from '../../../../core/testing/index.js';

/**
 * A plugin written only against the public API: it probes each service that sets
 * `heartbeat: { file }` every `interval` by asking a (fake) reader, reports health, asks for a
 * restart after `misses` missed beats in a row, and alerts when a service flaps (exits
 * `flapCount` times within `flapWindow`).
 */
const heartbeat = (read: (file: string) => boolean) =>
  definePlugin({
    name: 'heartbeat',
    defaults: { interval: 1000, misses: 3, flapCount: 3, flapWindow: 60_000 },
    service: { key: 'heartbeat', schema: z.strictObject({ file: z.string() }) },
    reportsHealth: true,
    setup(ctx) {
      const missed = new Map<string, number>();
      const exits = new Map<string, number[]>();
      const timer = ctx.scheduler.setInterval(() => {
        for (const s of ctx.services()) {
          const options = ctx.serviceOptions(s.name);
          if (!options || s.state !== 'running') continue;
          if (read(options.file)) {
            missed.set(s.name, 0);
            ctx.reportHealth(s.name, 'healthy');
            continue;
          }
          const count = (missed.get(s.name) ?? 0) + 1;
          missed.set(s.name, count);
          ctx.logger.warn(`${s.name}: missed heartbeat ${count}/${ctx.options.misses}`);
          if (count === ctx.options.misses) {
            ctx.reportHealth(s.name, 'unhealthy', `${count} missed heartbeats`);
            ctx.restart(s.name, { kind: 'unhealthy', detail: `${count} missed heartbeats` });
            missed.set(s.name, 0);
          }
        }
      }, ctx.options.interval);
      ctx.on('service:exit', ({ service, expected }) => {
        if (expected) return;
        const now = ctx.clock.now();
        const recent = [...(exits.get(service) ?? []), now].filter((t) => now - t < ctx.options.flapWindow);
        exits.set(service, recent);
        if (recent.length === ctx.options.flapCount) {
          ctx.alert({ level: 'warning', kind: 'flapping', service, message: `${service} exited ${recent.length} times in a minute` });
        }
      });
      return () => timer.cancel();
    },
  });

describe('core/testing runs one plugin in isolation', () => {
  it('fires scheduled probes on the fake clock and records the health and restarts the plugin asked for', async () => {
    let beating = true;
    const h = await createPluginHarness(heartbeat(() => beating)({ misses: 2 }), {
      services: { api: { command: 'x', heartbeat: { file: '/tmp/api.beat' } } as never, web: { command: 'y' } },
    });
    expect(h.service('api').health).toBe('unknown'); // probed: starts unknown
    expect(h.service('web').health).toBeNull(); // nothing probes it

    await h.advance(1000);
    expect(h.healthReports).toEqual([{ service: 'api', health: 'healthy' }]);
    beating = false;
    await h.advance(1000);
    expect(h.restarts).toEqual([]);
    await h.advance(1000);
    expect(h.restarts).toEqual([{ service: 'api', reason: { kind: 'unhealthy', by: 'heartbeat', detail: '2 missed heartbeats' } }]);
    expect(h.service('api').health).toBe('unhealthy');
    expect(h.logs.filter((l) => l.channel === 'plugin:heartbeat').map((l) => l.message)).toEqual(['api: missed heartbeat 1/2', 'api: missed heartbeat 2/2']);

    // a stopped service is not probed
    h.setService('api', { state: 'stopped' });
    await h.advance(5000);
    expect(h.restarts).toHaveLength(1);

    await h.teardown();
    expect(h.clock.pending).toBe(0);
  });

  it('drives hooks and alerts: three unexpected exits in the window raise one alert', async () => {
    const h = await createPluginHarness(heartbeat(() => true)(), { services: { api: { command: 'x' } } });
    const exit = { service: 'api', pid: 1001, code: 1, signal: null, uptimeMs: 10 };
    await h.emit('service:exit', { ...exit, expected: false });
    await h.emit('service:exit', { ...exit, expected: true });
    await h.advance(30_000);
    await h.emit('service:exit', { ...exit, expected: false });
    expect(h.alerts).toEqual([]);
    await h.emit('service:exit', { ...exit, expected: false });
    expect(h.alerts).toEqual([{ level: 'warning', kind: 'flapping', service: 'api', message: 'api exited 3 times in a minute' }]);
  });

  it('validates the plugin options and per-service options as production does', async () => {
    await expect(createPluginHarness(heartbeat(() => true)(), { services: { api: { command: 'x', heartbeat: { fil: 'x' } } as never } })).rejects.toThrow(
      /services\.api\.heartbeat\.fil: unknown key/,
    );
  });

  it('logs a handler that throws with the plugin name, and keeps going', async () => {
    const fragile = definePlugin({
      name: 'fragile',
      defaults: {},
      setup(ctx) {
        ctx.on('service:started', () => {
          throw new Error('oops');
        });
        ctx.on('service:started', ({ service }) => ctx.alert({ level: 'info', kind: 'seen', service, message: 'still here' }));
      },
    });
    const h = await createPluginHarness(fragile(), { services: { api: { command: 'x' } } });
    await h.emit('service:started', { service: 'api', pid: 1001 });
    expect(h.logs).toContainEqual({ channel: 'supervisor', level: 'error', message: 'plugin fragile: handler for service:started threw: oops' });
    expect(h.alerts).toHaveLength(1);
  });

  it('types the context from the definition', () => {
    definePlugin({
      name: 'typed',
      defaults: { interval: 1 },
      service: { key: 'typed', schema: z.strictObject({ path: z.string() }) },
      setup(ctx) {
        expectTypeOf(ctx).toEqualTypeOf<PluginContext<{ interval: number }, { path: string }>>();
        expectTypeOf(ctx.options.interval).toBeNumber();
        expectTypeOf(ctx.serviceOptions('api')).toEqualTypeOf<{ path: string } | undefined>();
        // @ts-expect-error: not a hook (checked by `tsc --noEmit`, which npm test runs)
        ctx.on('service:nope', () => undefined);
        ctx.on('service:restart', (payload) => {
          expectTypeOf(payload.reason.kind).toEqualTypeOf<'exit' | 'unhealthy' | 'slow' | 'memory' | 'port' | 'manual' | 'schedule' | 'watch' | 'plugin'>();
        });
      },
    });
  });

  it('takes the options types from the schema alone: its output in ctx, its input in the factory', () => {
    const timed = definePlugin({
      name: 'timed',
      defaults: { every: '1s' },
      options: z.strictObject({ every: duration(), label: z.optional(z.string()) }),
      setup(ctx) {
        expectTypeOf(ctx.options).toEqualTypeOf<{ every: number; label?: string | undefined }>();
      },
    });
    expectTypeOf(timed).parameter(0).toEqualTypeOf<(Partial<{ every: string | number; label?: string | undefined }> & { enabled?: boolean }) | undefined>();
    timed({ every: '30s', label: 'x' });
    // @ts-expect-error: not an option of the schema
    timed({ every: '30s', other: 1 });
  });
});
