import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import healthHttp from '../../plugins/health-http/index.js';
import { classify } from '../../plugins/health-http/response-time.js';
import { createFleet, fixture, freePort, isAlive, killAll, readAllKids, readKids, readText, waitFor, type Fleet } from '../helpers/project.js';

let fleet: Fleet | undefined;
const strays: number[] = [];
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
  killAll(strays.splice(0));
});

const fast = { interval: 100, timeout: 300, startPeriod: 0 };
/** For a server that must come up first: refusals before its first answer do not count (a loaded CI machine starts node slowly). */
const upFirst = { ...fast, startPeriod: 5000 };

describe('health-http with real servers', () => {
  it('restarts a server that starts answering 500, after failureThreshold probes', async () => {
    const port = await freePort();
    fleet = createFleet({
      services: { api: { command: fixture('--port', port, '--fail-after', 400), port, health: { path: '/health', ...upFirst, failureThreshold: 3 } } },
      plugins: [healthHttp()],
    });
    await fleet.supervisor.start();
    // the first process, whenever start() returns (on a loaded machine it may have been replaced already)
    const first = fleet.of('service:spawn')[0]!.pid;
    expect(fleet.of('service:health')[0]).toMatchObject({ health: 'healthy' });
    const restart = await waitFor(() => fleet!.of('service:restart')[0], 'the restart');
    expect(restart.reason).toMatchObject({ kind: 'unhealthy', by: 'health-http', detail: expect.stringMatching(/^3 failed probes of .*: status 500/) });
    const unhealthyAt = fleet.of('service:health').find((e) => e.health === 'unhealthy')!.at;
    expect(fleet.of('service:exit')[0].pid).toBe(first);
    expect(unhealthyAt).toBeLessThanOrEqual(fleet.of('service:exit')[0].at);
    await waitFor(() => fleet!.supervisor.snapshots()[0].health === 'healthy', 'the new process to be healthy');
    expect(fleet.supervisor.snapshots()[0].pid).not.toBe(first);
  });

  it('restarts a SIGSTOPped server after its probes time out, leaving nothing of the stopped group', async () => {
    const port = await freePort();
    fleet = createFleet({
      services: {
        api: {
          command: fixture('--port', port, '--grandchild', 'kids.txt'),
          port,
          health: { path: '/', ...upFirst, timeout: 200, failureThreshold: 2 },
          stop: { timeout: 300 },
        },
      },
      plugins: [healthHttp()],
    });
    await fleet.supervisor.start();
    const leader = fleet.supervisor.snapshots()[0].pid!;
    const kids = await waitFor(() => readKids(`${fleet!.dir}/kids.txt`), 'the grandchildren');
    strays.push(...kids);
    process.kill(-leader, 'SIGSTOP'); // the whole group hangs

    const restart = await waitFor(() => fleet!.of('service:restart')[0], 'the restart');
    expect(restart.reason).toMatchObject({ kind: 'unhealthy', detail: expect.stringContaining('no answer within 200ms') });
    await waitFor(() => fleet!.supervisor.snapshots()[0].health === 'healthy', 'the new process');
    expect([leader, ...kids].filter(isAlive)).toEqual([]);
    // the new process's own grandchildren: the stop at the end sweeps them, these are kept in case it cannot
    strays.push(...readAllKids(`${fleet.dir}/kids.txt`));
  });

  it('restarts a TCP server that stops listening (health.tcp), with reason unhealthy', async () => {
    const port = await freePort();
    fleet = createFleet({
      services: { db: { command: fixture('--port', port, '--close-after', 500), port, health: { tcp: true, ...upFirst, failureThreshold: 2 } } },
      plugins: [healthHttp()],
    });
    await fleet.supervisor.start();
    expect(fleet.supervisor.snapshots()[0].health).toBe('healthy');
    const restart = await waitFor(() => fleet!.of('service:restart')[0], 'the restart');
    expect(restart.reason).toMatchObject({ kind: 'unhealthy', detail: `2 failed probes of tcp 127.0.0.1:${port}: connection refused` });
  });

  it('restarts a service whose check command starts failing (health.exec), with reason unhealthy', async () => {
    fleet = createFleet({
      services: {
        jobs: { command: fixture(), health: { exec: ['sh', '-c', 'test -f ok.flag || { echo "no flag" >&2; exit 3; }'], ...fast, failureThreshold: 2 } },
      },
      plugins: [healthHttp()],
    });
    writeFileSync(join(fleet.dir, 'ok.flag'), '');
    await fleet.supervisor.start();
    expect(fleet.supervisor.snapshots()[0].health).toBe('healthy');
    rmSync(join(fleet.dir, 'ok.flag'));
    const restart = await waitFor(() => fleet!.of('service:restart')[0], 'the restart');
    expect(restart.reason).toMatchObject({
      kind: 'unhealthy',
      detail: '2 failed probes of exec sh -c test -f ok.flag || { echo "no flag" >&2; exit 3; }: exited with code 3: no flag',
    });
  });

  it('kills a check command that hangs at the timeout, counting it as a failure, and leaves nothing of it', async () => {
    fleet = createFleet({
      services: {
        jobs: { command: fixture(), health: { exec: ['sh', '-c', 'echo $$ >> checks.txt; exec sleep 30'], ...fast, timeout: 200, failureThreshold: 2 } },
      },
      plugins: [healthHttp()],
    });
    void fleet.supervisor.start();
    const restart = await waitFor(() => fleet!.of('service:restart')[0], 'the restart');
    expect(restart.reason.detail).toMatch(/^2 failed probes of exec sh -c .*: no answer within 200ms$/);
    const checks = readText(join(fleet.dir, 'checks.txt')).split('\n').filter(Boolean).map(Number);
    expect(checks.length).toBeGreaterThanOrEqual(2);
    await waitFor(() => checks.every((pid) => !isAlive(pid)), 'the hung checks to be gone', 3000);
  });

  it('stops a check command still running when the supervisor stops: nothing of it outlives zmart', async () => {
    fleet = createFleet({
      services: { jobs: { command: fixture(), health: { exec: ['sh', '-c', 'echo $$ >> checks.txt; exec sleep 30'], ...fast, timeout: 60_000 } } },
      plugins: [healthHttp()],
    });
    void fleet.supervisor.start();
    const check = await waitFor(() => Number(readText(join(fleet!.dir, 'checks.txt')).split('\n')[0]) || null, 'a check to be running');
    await fleet.shutdown();
    expect(isAlive(check)).toBe(false);
  });

  it('restarts a slow server after slow.count slow answers', async () => {
    const port = await freePort();
    fleet = createFleet({
      services: {
        api: { command: fixture('--port', port, '--delay', 150), port, health: { path: '/', ...upFirst, timeout: 1000, slow: { threshold: 100, count: 2 } } },
      },
      plugins: [healthHttp()],
    });
    await fleet.supervisor.start();
    const restart = await waitFor(() => fleet!.of('service:restart')[0], 'the restart');
    expect(restart.reason).toMatchObject({ kind: 'slow', detail: expect.stringMatching(/^2 answers over 100ms \(last \d{3,}ms\)$/) }); // 150 ms or more: how much more is the machine's load
    expect(fleet.of('service:health').find((e) => e.health === 'slow')).toMatchObject({ service: 'api', detail: restart.reason.detail });
  });

  it('makes dependsOn healthy and start wait for the first good answer, and publishes response times', async () => {
    const port = await freePort();
    fleet = createFleet({
      services: {
        api: { command: fixture('--port', port, '--listen-after', 400), port, health: { path: '/health', ...fast, startPeriod: 3000 } },
        web: { command: fixture(), dependsOn: { api: 'healthy' } },
      },
      plugins: [healthHttp()],
    });
    await fleet.supervisor.start();
    const healthy = fleet.of('service:health').find((e) => e.service === 'api' && e.health === 'healthy')!;
    const webSpawn = fleet.of('service:spawn').find((e) => e.service === 'web')!;
    const apiSpawn = fleet.of('service:spawn').find((e) => e.service === 'api')!;
    expect(healthy.at - apiSpawn.at).toBeGreaterThanOrEqual(400);
    expect(webSpawn.at).toBeGreaterThanOrEqual(healthy.at);
    const api = fleet.supervisor.snapshots().find((s) => s.name === 'api')!;
    expect(api.metrics).toMatchObject({ lastProbeStatus: 200 });
    const ms = api.metrics.responseTimeMs as number;
    expect(ms).toBeGreaterThan(0);
    // the class follows the time (rounded to 0.1 ms), not a time this machine must meet
    expect([classify(ms - 0.05), classify(ms + 0.05)]).toContain(api.metrics.responseClass);
  });
});
