import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { afterEachTest, runCli } from '../helpers/cli.js';
import { composeValidator, kubernetesObjects } from '../helpers/export-validators.js';
import { FIXTURE, tempDir } from '../helpers/project.js';
import { needs } from '../helpers/tools.js';

const { cleanups } = afterEachTest(afterEach);

const node = JSON.stringify(process.execPath);
const fixture = JSON.stringify(FIXTURE);
const EXAMPLES = resolve(import.meta.dirname, '../../examples');

/** The name an export gives a fleet: its folder's, lower case, dashes for the rest. */
const fleetName = (dir: string) =>
  basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-');

/** A fleet that uses every option an export carries (or says it cannot). */
function fullProject(): string {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  mkdirSync(join(dir, 'api'));
  writeFileSync(join(dir, '.env'), 'API_TOKEN=tok-123456\n');
  writeFileSync(
    join(dir, 'zmart.config.ts'),
    `import { defineConfig } from 'zmart';
export default defineConfig({
  services: {
    db: { command: 'exec sleep 1000', port: 5432, replicas: 2, health: { tcp: true }, stop: { signal: 'SIGINT', timeout: '20s', mode: 'main' } },
    api: { command: [${node}, ${fixture}, '--port', '8000'], cwd: 'api', port: 8000, socket: true, envFile: '../.env',
           env: { LOG_LEVEL: 'info', DATABASE_URL: 'postgres://localhost:5432/bot' },
           dependsOn: { db: 'healthy' }, memory: { maxRss: '512MB' },
           health: { path: '/health', interval: '15s', timeout: '4s', startPeriod: '1m', failureThreshold: 5 },
           ready: { path: '/ready', interval: '2s' },
           restart: { policy: 'on-failure', maxRestarts: 4, window: '5m', backoff: { initial: '2s' }, cron: '0 4 * * *' } },
    worker: { command: 'python3 worker.py', image: 'python:3.12-slim', dependsOn: ['api'], health: { exec: ['test', '-f', '/tmp/alive'] },
              ready: { logLine: 'worker ready' }, restart: { policy: 'never' }, watch: ['src'] },
  },
});
`,
  );
  return dir;
}

describe('the validators the exports are checked with', () => {
  it('reject what Compose and Kubernetes would', () => {
    const compose = composeValidator();
    expect(compose({ services: { a: { image: 'x', stop_grace_period: '20 seconds' } } })).toEqual([
      '/services/a/stop_grace_period must match format "duration"',
    ]);
    expect(compose({ services: { a: { image: 'x', restart_policy: 'no' } } })).not.toEqual([]);
    expect(compose({ services: { a: { image: 'x', stop_grace_period: '1m30s', ports: ['127.0.0.1:80:8080'] } } })).toEqual([]);
    expect(() => kubernetesObjects('apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: x }\nspec: { template: {} }\n')).toThrow(/selector/);
  });
});

describe('zmart export compose', () => {
  it('writes a docker-compose.yml that passes the compose-spec schema, carrying probes, order, limits and stop, secrets apart', async () => {
    const dir = fullProject();
    const out = join(dir, 'compose');
    const result = await runCli(['export', 'compose', '--out', out], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const text = readFileSync(join(out, 'docker-compose.yml'), 'utf8');
    const compose = parse(text);
    expect(composeValidator()(compose)).toEqual([]);
    const { api, db, worker } = compose.services;
    expect(api.build).toEqual({ context: '..' });
    expect(api.working_dir).toBe('/app/api');
    expect(api.command).toEqual([process.execPath, FIXTURE, '--port', '8000']);
    // a Compose healthcheck only gates depends_on: readiness where there is one
    expect(api.healthcheck.test[1]).toContain("'http://127.0.0.1:8000/ready'");
    expect(api.healthcheck).toMatchObject({ interval: '2s', retries: 1 });
    expect(db.healthcheck.test[1]).toMatch(/^nc -z -w \d+ 127\.0\.0\.1 5432 \|\| bash/);
    expect(db.healthcheck).toMatchObject({ interval: '30s', retries: 3, start_period: '30s' });
    expect(worker.healthcheck.test).toEqual(['CMD', 'test', '-f', '/tmp/alive']);
    expect(api.depends_on).toEqual({ db: { condition: 'service_healthy' } });
    expect(worker.depends_on).toEqual({ api: { condition: 'service_started' } });
    expect(api.mem_limit).toBe(536870912);
    // two replicas: deploy.replicas, reached by the other services (one host port cannot take both)
    expect(db).toMatchObject({ stop_signal: 'SIGINT', stop_grace_period: '20s', expose: ['5432'], deploy: { replicas: 2 }, restart: 'unless-stopped' });
    expect(db.ports).toBeUndefined();
    expect(api.restart).toBe('on-failure:4');
    expect(worker).toMatchObject({ image: 'python:3.12-slim', restart: 'no', command: ['/bin/sh', '-c', 'python3 worker.py'] });
    expect(worker.working_dir).toBeUndefined();
    // the database is reached by its service name; the secret is only in the owner-only file
    expect(api.environment).toEqual({ LOG_LEVEL: 'info', DATABASE_URL: 'postgres://db:5432/bot', PORT: '8000' });
    expect(text).not.toContain('tok-123456');
    expect(api.env_file).toEqual(['api.env']);
    expect(readFileSync(join(out, 'api.env'), 'utf8')).toBe("API_TOKEN='tok-123456'\n");
    expect(statSync(join(out, 'api.env')).mode & 0o777).toBe(0o600);
    expect(result.stdout).toMatch(/services\.api\.health: Compose never restarts an unhealthy container/);
    expect(result.stdout).toMatch(/services\.worker\.ready\.logLine: Compose cannot read the output/);
    expect(result.stdout).toMatch(/services\.api\.restart\.cron/);
    expect(result.stdout).toMatch(/services\.worker\.watch/);
    expect(result.stdout).toMatch(/curl or wget inside the container: the image must have one/);
  });

  it('carries the example fleet', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const result = await runCli(['export', 'compose', '--out', dir, '--image', 'ghcr.io/acme/bot:1.0'], { cwd: EXAMPLES });
    expect(result.code, result.stderr).toBe(0);
    const compose = parse(readFileSync(join(dir, 'docker-compose.yml'), 'utf8'));
    expect(composeValidator()(compose)).toEqual([]);
    const { api, dashboard } = compose.services;
    expect(api).toMatchObject({ image: 'ghcr.io/acme/bot:1.0', working_dir: '/app', command: ['python3', 'fleet/api.py'] });
    expect(api.healthcheck).toMatchObject({ interval: '10s', timeout: '3s', start_period: '20s' });
    expect(api.healthcheck.test[1]).toContain('http://127.0.0.1:8000/health');
    expect(dashboard.depends_on).toEqual({ api: { condition: 'service_healthy' } });
    expect(dashboard.environment.API_URL).toBe('http://api:8000');
    expect(result.stdout).toMatch(/plugins port-guard, log-rotate, alerts, tcp-probe: no Compose form/);
  });
});

describe('zmart export kubernetes', () => {
  it('writes objects that pass kubernetes-models validate(), carrying probes, limits, env, order and stop; Jobs where restarts are not always', async () => {
    const dir = fullProject();
    const out = join(dir, 'k8s');
    const result = await runCli(['export', 'kubernetes', '--out', out, '--image', 'registry.local/bot:7'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const fleet = fleetName(dir);
    const objects = kubernetesObjects(readFileSync(join(out, `${fleet}.yaml`), 'utf8'));
    const secrets = kubernetesObjects(readFileSync(join(out, 'secrets.yaml'), 'utf8'));
    expect(statSync(join(out, 'secrets.yaml')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(out, `${fleet}.yaml`), 'utf8')).not.toContain('tok-123456');
    expect(secrets).toEqual([
      expect.objectContaining({ kind: 'Secret', metadata: expect.objectContaining({ name: 'api-env' }), stringData: { API_TOKEN: 'tok-123456' } }),
    ]);
    const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name)!;
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ConfigMap/db-env',
      'Deployment/db',
      'Service/db',
      'ConfigMap/api-env',
      'Job/api',
      'Service/api',
      'Job/worker',
    ]);

    expect(find('Deployment', 'db').spec).toMatchObject({ replicas: 2, strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0 } } });
    const db = find('Deployment', 'db').spec.template.spec;
    expect(db.containers[0]).toMatchObject({ image: 'registry.local/bot:7', command: ['/bin/sh', '-c', 'exec sleep 1000'], workingDir: '/app' });
    expect(db.containers[0].livenessProbe).toEqual({ tcpSocket: { port: 5432 }, periodSeconds: 30, timeoutSeconds: 10, failureThreshold: 3 });
    expect(db.terminationGracePeriodSeconds).toBe(20);
    expect(find('Service', 'db').spec.ports).toEqual([{ name: 'main', port: 5432, targetPort: 5432, protocol: 'TCP' }]);

    const apiJob = find('Job', 'api').spec;
    expect(apiJob.backoffLimit).toBe(4);
    const api = apiJob.template.spec;
    expect(api.restartPolicy).toBe('OnFailure');
    const [container] = api.containers;
    expect(container.workingDir).toBe('/app/api');
    expect(container.livenessProbe).toEqual({
      httpGet: { path: '/health', port: 8000, scheme: 'HTTP' },
      periodSeconds: 15,
      timeoutSeconds: 4,
      failureThreshold: 5,
    });
    expect(container.startupProbe).toMatchObject({ httpGet: { path: '/health', port: 8000 }, periodSeconds: 15, failureThreshold: 4 }); // 1 min / 15 s
    expect(container.readinessProbe).toMatchObject({ httpGet: { path: '/ready', port: 8000 }, periodSeconds: 2 });
    expect(container.resources).toEqual({ limits: { memory: '536870912' } });
    expect(container.envFrom).toEqual([{ configMapRef: { name: 'api-env' } }, { secretRef: { name: 'api-env' } }]);
    expect(find('ConfigMap', 'api-env').data).toEqual({ LOG_LEVEL: 'info', DATABASE_URL: 'postgres://db:5432/bot', PORT: '8000' });
    expect(api.initContainers).toEqual([
      expect.objectContaining({ name: 'wait-for-db', command: ['sh', '-c', expect.stringContaining('nc -z -w 2 db 5432')] }),
    ]);

    const worker = find('Job', 'worker').spec;
    expect(worker.backoffLimit).toBe(0);
    expect(worker.template.spec.restartPolicy).toBe('Never');
    expect(worker.template.spec.containers[0]).toMatchObject({ image: 'python:3.12-slim', livenessProbe: { exec: { command: ['test', '-f', '/tmp/alive'] } } });
    expect(worker.template.spec.containers[0].workingDir).toBeUndefined();
    expect(worker.template.spec.initContainers).toEqual([expect.objectContaining({ name: 'wait-for-api' })]);
    expect(result.stdout).toMatch(/services\.db\.stop\.signal: Kubernetes stops with SIGTERM, not SIGINT/);
    expect(result.stdout).toMatch(/services\.worker\.dependsOn\.api: waits until api is ready/);
  });

  it('carries the example fleet', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const result = await runCli(['export', 'kubernetes', '--out', dir, '--image', 'ghcr.io/acme/bot:1.0'], { cwd: EXAMPLES });
    expect(result.code, result.stderr).toBe(0);
    const objects = kubernetesObjects(readFileSync(join(dir, 'examples.yaml'), 'utf8'));
    expect(objects.map((o) => o.kind)).toEqual(['ConfigMap', 'Deployment', 'Service', 'ConfigMap', 'Deployment', 'Service']);
    const dashboard = objects[4].spec.template.spec;
    expect(dashboard.initContainers[0].command[2]).toContain('nc -z -w 2 api 8000');
    expect(dashboard.containers[0].readinessProbe).toMatchObject({ tcpSocket: { port: 3400 } });
    expect(existsSync(join(dir, 'secrets.yaml'))).toBe(false);
  });

  it('refuses, in one line and writing nothing, a fleet without an image, names that clash, or an unknown target', async () => {
    const dir = fullProject();
    const out = join(dir, 'k8s');
    const noImage = await runCli(['export', 'kubernetes', '--out', out], { cwd: dir });
    expect(noImage.code).toBe(2);
    expect(noImage.stderr.trim()).toBe('zmart: services.db: no image to run it in Kubernetes: pass --image IMAGE or set services.db.image');
    expect(existsSync(out)).toBe(false);

    writeFileSync(
      join(dir, 'zmart.config.ts'),
      "import { defineConfig } from 'zmart';\nexport default defineConfig({ services: { api_1: { command: 'x' }, 'api-1': { command: 'y' } } });\n",
    );
    const clash = await runCli(['export', 'kubernetes', '--out', out, '--image', 'x:1'], { cwd: dir });
    expect(clash.code).toBe(2);
    expect(clash.stderr.trim()).toBe("zmart: services.api-1: its Kubernetes name 'api-1' is also api_1's: rename one of them");
    expect(existsSync(out)).toBe(false);

    const unknown = await runCli(['export', 'nomad'], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toBe('zmart: zmart export nomad: unknown target (known: systemd, compose, kubernetes)');
  });
});

describe('zmart export systemd', () => {
  needs('systemd-analyze')(
    'writes one unit per service and a target that systemd-analyze verify accepts, carrying the config, and says what it cannot carry',
    async () => {
      const dir = fullProject();
      const out = join(dir, 'units');
      const result = await runCli(['export', 'systemd', '--out', out], { cwd: dir });
      expect(result.code, result.stderr).toBe(0);
      const fleet = fleetName(dir);
      const api = readFileSync(join(out, `${fleet}-api.service`), 'utf8');
      // db runs 2 replicas: a template unit's instances, each waited for; one failing does not stop api
      expect(api).toMatch(new RegExp(`^After=${fleet}-db@1\\.service ${fleet}-db@2\\.service$`, 'm'));
      expect(api).toMatch(new RegExp(`^Wants=${fleet}-db@1\\.service ${fleet}-db@2\\.service$`, 'm'));
      expect(api).not.toMatch(/^Requires=/m);
      expect(api).toMatch(/^Restart=on-failure$/m);
      expect(api).toMatch(/^RestartSec=2$/m);
      expect(api).toMatch(/^StartLimitBurst=5$/m);
      expect(api).toMatch(/^StartLimitIntervalSec=300$/m);
      expect(api).toMatch(/^MemoryMax=536870912$/m);
      expect(api).toMatch(/^KillMode=control-group$/m);
      expect(api).toMatch(new RegExp(`^WorkingDirectory=${join(dir, 'api')}$`, 'm'));
      const db = readFileSync(join(out, `${fleet}-db@.service`), 'utf8');
      expect(db).toMatch(/^Environment=ZMART_REPLICA=%i$/m);
      // replica 2 listens on 5433, as zmart gives it: a drop-in for that instance
      expect(readFileSync(join(out, `${fleet}-db@2.service.d`, 'port.conf'), 'utf8')).toBe('[Service]\nEnvironment="PORT=5433"\n');
      expect(db).toMatch(/^ExecStart="\/bin\/sh" "-c" "exec sleep 1000"$/m); // every word quoted, % and $ escaped (systemd-syntax.ts)
      expect(db).toMatch(/^KillSignal=SIGINT$/m);
      expect(db).toMatch(/^TimeoutStopSec=20$/m);
      expect(db).toMatch(/^KillMode=mixed$/m); // stop.mode main
      // plain variables in the unit, quoted by systemd's rules; the secret alone in an owner-only file
      expect(api).toContain('Environment="LOG_LEVEL=info"\nEnvironment="DATABASE_URL=postgres://localhost:5432/bot"\nEnvironment="PORT=8000"\n');
      expect(api).not.toContain('tok-123456');
      const env = join(out, `${fleet}-api.env`);
      expect(readFileSync(env, 'utf8')).toBe("API_TOKEN='tok-123456'\n");
      expect(statSync(env).mode & 0o777).toBe(0o600);
      // a service with no secret-looking name has no env file at all
      expect(db).toContain('Environment="PORT=5432"');
      expect(db).not.toMatch(/^EnvironmentFile=/m);
      expect(existsSync(join(out, `${fleet}-db.env`))).toBe(false);
      expect(readFileSync(join(out, `${fleet}.target`), 'utf8')).toMatch(
        new RegExp(`^Wants=${fleet}-db@1\\.service ${fleet}-db@2\\.service ${fleet}-api\\.service ${fleet}-worker\\.service$`, 'm'),
      );
      expect(result.stdout).toMatch(/not carried:\n.*alerts, port checks and log rotation/);
      expect(result.stdout).toMatch(/services\.api\.restart\.cron: use a \.timer unit/);
      expect(result.stdout).toMatch(/services\.api\.health: systemd has no such check/);
      // socket: true is a .socket unit of the same name, one socket handed over (Accept=no)
      const socket = readFileSync(join(out, `${fleet}-api.socket`), 'utf8');
      expect(socket).toMatch(/^ListenStream=127\.0\.0\.1:8000$/m);
      expect(socket).toMatch(/^Accept=no$/m);
      expect(socket).toMatch(/^FileDescriptorName=api$/m);
      const units = [
        `${fleet}-db@1.service`,
        `${fleet}-db@2.service`,
        `${fleet}-api.service`,
        `${fleet}-api.socket`,
        `${fleet}-worker.service`,
        `${fleet}.target`,
      ].map((f) => join(out, f));
      const verify = spawnSync('systemd-analyze', ['verify', ...units], { encoding: 'utf8' });
      expect(verify.stdout + verify.stderr).toBe('');
      expect(verify.status).toBe(0);
    },
  );

  needs('systemd-analyze')(
    'runs replicas as a template unit: one socket shared by every instance, or a port per instance; systemd-analyze verify reads the instances',
    async () => {
      const { dir, cleanup } = tempDir();
      cleanups.push(cleanup);
      writeFileSync(
        join(dir, 'zmart.config.ts'),
        `export default { services: {
        web: { command: 'exec node server.mjs', port: 8080, socket: true, replicas: 3, title: '100% web' },
        cache: { command: 'exec sleep 1000', port: 7000, replicas: 2, dependsOn: { web: 'healthy' } },
      } };\n`,
      );
      const out = join(dir, 'units');
      const result = await runCli(['export', 'systemd', '--out', out], { cwd: dir });
      expect(result.code, result.stderr).toBe(0);
      const fleet = fleetName(dir);
      const web = readFileSync(join(out, `${fleet}-web@.service`), 'utf8');
      expect(web).toMatch(/^Description=100%% web #%i \(zmart fleet .*\)$/m); // the title's % escaped, the specifier not
      expect(web).toMatch(new RegExp(`^Sockets=${fleet}-web\\.socket$`, 'm'));
      expect(web).toContain('Environment="PORT=8080"');
      const socket = readFileSync(join(out, `${fleet}-web.socket`), 'utf8');
      expect(socket).toMatch(new RegExp(`^Service=${fleet}-web@1\\.service$`, 'm'));
      expect(existsSync(join(out, `${fleet}-web@2.service.d`))).toBe(false); // one socket: one port
      expect(readFileSync(join(out, `${fleet}-cache@2.service.d`, 'port.conf'), 'utf8')).toContain('PORT=7001');
      expect(result.stdout).toMatch(/services\.cache\.dependsOn: a replicated service is waited for as every instance/);
      expect(result.stdout).not.toMatch(/template unit .* not written/);
      const instances = [1, 2, 3].map((i) => `${fleet}-web@${i}.service`).concat([`${fleet}-cache@1.service`, `${fleet}-cache@2.service`]);
      const verify = spawnSync('systemd-analyze', ['verify', ...[...instances, `${fleet}-web.socket`, `${fleet}.target`].map((f) => join(out, f))], {
        encoding: 'utf8',
      });
      expect(verify.stdout + verify.stderr).toBe('');
      expect(verify.status).toBe(0);
      // verify reads the drop-ins: a broken one is caught (the check can fail)
      writeFileSync(join(out, `${fleet}-cache@2.service.d`, 'port.conf'), '[Service]\nPortNumber=7001\n');
      const broken = spawnSync('systemd-analyze', ['verify', join(out, `${fleet}-cache@2.service`)], { encoding: 'utf8' });
      expect(broken.stderr).toMatch(/Unknown key 'PortNumber'/);
    },
  );

  needs('systemd-analyze')('carries the example fleet, units that systemd-analyze verify accepts', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const result = await runCli(['export', 'systemd', '--out', dir], { cwd: EXAMPLES });
    expect(result.code, result.stderr).toBe(0);
    const dashboard = readFileSync(join(dir, 'examples-dashboard.service'), 'utf8');
    expect(dashboard).toMatch(/^After=examples-api\.service$/m);
    expect(dashboard).toMatch(/^ExecStart="\/bin\/sh" "-c" "node fleet\/dashboard\.mjs"$/m);
    const api = readFileSync(join(dir, 'examples-api.service'), 'utf8');
    expect(api).toMatch(/^ExecStart="python3" "fleet\/api\.py"$/m);
    expect(api).toMatch(/^TimeoutStopSec=10$/m);
    expect(api).toMatch(/^StartLimitBurst=4$/m);
    const units = ['examples-api.service', 'examples-dashboard.service', 'examples.target'].map((f) => join(dir, f));
    const verify = spawnSync('systemd-analyze', ['verify', ...units], { encoding: 'utf8' });
    expect(verify.stdout + verify.stderr).toBe('');
  });
});
