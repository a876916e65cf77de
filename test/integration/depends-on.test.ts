import { afterEach, describe, expect, it } from 'vitest';
import { definePlugin, z } from '../../core/index.js';
import { createFleet, fixture, waitFor, type Fleet } from '../helpers/project.js';

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

/** Health the test grants: a stand-in for health-http that reports `healthy` once `grant()` is called. */
let grant: () => void = () => undefined;
let granted = new Promise<void>((r) => (grant = r));
const gatedHealth = definePlugin({
  name: 'gated-health',
  defaults: {},
  reportsHealth: true,
  service: { key: 'fakeHealth', schema: z.object({ ok: z.boolean() }) },
  setup(ctx) {
    ctx.on('service:started', ({ service }) => {
      if (ctx.serviceOptions(service)) void granted.then(() => ctx.reportHealth(service, 'healthy'));
    });
  },
});

describe('dependsOn', () => {
  it('starts services in dependency order, waiting for health where asked, and stops them in reverse', async () => {
    fleet = createFleet({
      services: {
        web: { command: fixture(), dependsOn: { api: 'started', worker: 'started' } },
        api: { command: fixture(), dependsOn: { db: 'healthy' } },
        db: { command: fixture(), fakeHealth: { ok: true } } as never,
        worker: { command: fixture(), dependsOn: ['db'] },
      },
      plugins: [gatedHealth()],
    });
    granted = new Promise<void>((r) => (grant = r));
    const starting = fleet.supervisor.start();
    // worker needs db started only, api needs it healthy: worker runs while api waits
    await waitFor(() => fleet!.of('service:spawn').some((s) => s.service === 'worker'), 'worker to start');
    expect(fleet.of('service:spawn').map((s) => s.service)).not.toContain('api');
    grant();
    const report = await starting;
    expect(JSON.stringify(report.down)).toBe('[]');
    expect(report.up).toEqual(['db', 'api', 'worker', 'web']);

    const spawned = fleet.of('service:spawn');
    const at = (name: string) => spawned.find((s) => s.service === name)!.at;
    const dbHealthy = fleet.of('service:health').find((h) => h.service === 'db' && h.health === 'healthy')!.at;
    expect(at('api')).toBeGreaterThanOrEqual(dbHealthy); // waited for health
    expect(at('worker')).toBeLessThan(dbHealthy); // only waited for db to be started
    expect(at('web')).toBeGreaterThanOrEqual(Math.max(at('api'), at('worker')));

    await fleet.supervisor.stop();
    const stopping = fleet.of('service:stopping').map((s) => s.service);
    const stoppedAt = (name: string) => fleet!.of('service:stopped').find((s) => s.service === name)!.at;
    const stoppingAt = (name: string) => fleet!.of('service:stopping').find((s) => s.service === name)!.at;
    expect(stopping[0]).toBe('web');
    expect(stopping.at(-1)).toBe('db');
    expect(stoppingAt('api')).toBeGreaterThanOrEqual(stoppedAt('web'));
    expect(stoppingAt('db')).toBeGreaterThanOrEqual(Math.max(stoppedAt('api'), stoppedAt('worker')));
  });

  it('holds a healthy dependant until its dependency prints its ready line (ready.logLine), 1.5 s after it started', async () => {
    fleet = createFleet({
      services: {
        api: { command: fixture('--tick', 1500), ready: { logLine: '/^tick 1 x+$/' } },
        web: { command: fixture(), dependsOn: { api: 'healthy' } },
      },
      plugins: [],
    });
    const report = await fleet.supervisor.start();
    expect(report.up).toEqual(['api', 'web']);
    const apiSpawn = fleet.of('service:spawn').find((s) => s.service === 'api')!.at;
    const apiReady = fleet.of('service:ready').find((r) => r.service === 'api')!.at;
    const webSpawn = fleet.of('service:spawn').find((s) => s.service === 'web')!.at;
    expect(apiReady - apiSpawn).toBeGreaterThanOrEqual(1400);
    expect(webSpawn).toBeGreaterThanOrEqual(apiReady);
    expect(fleet.of('service:restart')).toEqual([]); // readiness never restarts
  });

  it('does not start a service whose dependency failed, and says why', async () => {
    fleet = createFleet({
      services: {
        broken: { command: fixture('--exit-after', 10), restart: { maxRestarts: 1, backoff: { initial: 10 } }, fakeHealth: { ok: true } } as never,
        app: { command: fixture(), dependsOn: { broken: 'healthy' } },
      },
      plugins: [gatedHealth()],
    });
    granted = new Promise<void>(() => undefined); // never healthy
    // it dies long before its health could be reported, twice, and fails
    const report = await fleet.supervisor.start();
    expect(report.down).toContainEqual({ name: 'app', why: 'dependency broken is failed' });
    expect(fleet.of('service:spawn').map((s) => s.service)).not.toContain('app');
  });
});
