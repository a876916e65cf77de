import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../../core/config/resolve.js';
import { ConfigError } from '../../../../core/errors.js';
import { z as classic } from 'zod';
import { definePlugin } from '../../../../core/index.js';
import { tempDir } from '../../../helpers/project.js';

const { dir: root, cleanup } = tempDir();
afterAll(cleanup);
const resolve = (raw: unknown, env: Record<string, string> = {}) => resolveConfig(raw, { file: null, root, env });

function issuesOf(raw: unknown, env: Record<string, string> = {}): string[] {
  try {
    resolve(raw, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('expected the config to be refused');
}

describe('resolveConfig', () => {
  it('fills the defaults, parses durations, resolves paths against the config folder', () => {
    const config = resolve({ services: { api: { command: 'python -m app', restart: { window: '2m', backoff: { initial: '500ms' } } } } });
    expect(config).toMatchObject({
      pidDir: join(root, 'server_pids'),
      logDir: join(root, 'logs'),
      debug: false,
      monitor: { intervalMs: 30_000, timeoutMs: 10_000 },
    });
    expect(config.services[0]).toMatchObject({
      name: 'api',
      title: 'api',
      cwd: root,
      port: null,
      restart: { policy: 'always', maxRestarts: 3, windowMs: 120_000, backoff: { initialMs: 500, factor: 2, maxMs: 60_000 }, minUptimeMs: 30_000 },
      stop: { signal: 'SIGTERM', timeoutMs: 10_000 },
      dependsOn: {},
      logs: { timestamps: true },
    });
  });

  it('orders services so that each comes after what it depends on', () => {
    const config = resolve({
      services: { web: { command: 'x', dependsOn: ['api'] }, api: { command: 'x', dependsOn: { db: 'healthy' } }, db: { command: 'x' } },
    });
    expect(config.services.map((s) => s.name)).toEqual(['db', 'api', 'web']);
    expect(config.services[1].dependsOn).toEqual({ db: 'healthy' });
  });

  it('applies the seed environment variables over the file', () => {
    const config = resolve(
      { services: { api: { command: 'x', port: 8000 }, dashboard: { command: 'x', port: 3400, restart: { maxRestarts: 9 } } } },
      {
        API_PORT: '18000',
        DASHBOARD_PORT: '13400',
        MAX_RESTART_ATTEMPTS: '5',
        MONITOR_INTERVAL: '60',
        HEALTH_CHECK_TIMEOUT: '3',
        PID_DIR: '/tmp/p',
        DEBUG: 'true',
      },
    );
    expect(config.services.map((s) => [s.port, s.restart.maxRestarts])).toEqual([
      [18000, 5],
      [13400, 5],
    ]);
    expect(config).toMatchObject({ pidDir: '/tmp/p', debug: true, monitor: { intervalMs: 60_000, timeoutMs: 3000 } });
  });

  it('puts a virtualenv relative to the service folder and checks it', () => {
    mkdirSync(join(root, 'backend/venv/bin'), { recursive: true });
    const config = resolve({ services: { api: { command: 'x', cwd: 'backend', venv: 'venv' } } });
    expect(config.services[0]).toMatchObject({ cwd: join(root, 'backend'), venv: join(root, 'backend/venv') });
    expect(issuesOf({ services: { api: { command: 'x', venv: 'nope' } } })).toEqual([
      `services.api.venv: ${join(root, 'nope')} is not a virtualenv (no bin/ folder in it)`,
    ]);
  });

  it('takes plugin deadlines as durations, defaults 10s, 10s, 5s, and refuses 0, a word or an unknown key', () => {
    expect(resolve({ services: { api: { command: 'x' } } }, {}).pluginTimeouts).toEqual({ setupMs: 10_000, prestartMs: 10_000, teardownMs: 5_000 });
    expect(resolve({ services: { api: { command: 'x' } }, pluginTimeouts: { teardown: '30d' } }, {}).pluginTimeouts.teardownMs).toBe(30 * 86_400_000);
    const issues = issuesOf({ services: { api: { command: 'x' } }, pluginTimeouts: { setup: 0, prestart: 'soon', teardwn: '1s' } });
    expect(issues).toEqual([
      expect.stringMatching(/^pluginTimeouts\.setup: expected an interval of at least 1ms/),
      expect.stringMatching(/^pluginTimeouts\.prestart: expected a duration/),
      "pluginTimeouts.teardwn: unknown key: did you mean 'teardown'?",
    ]);
  });

  it('lists every problem at once, each with its key path', () => {
    expect(
      issuesOf({
        pidDir: 3,
        services: { api: { command: ['node'], port: 0, restart: { policy: 'sometimes', backoff: { factor: 0.5 } }, logs: { timestamp: false } } },
      }),
    ).toEqual([
      'pidDir: Invalid input: expected string, received number',
      'services.api.port: Too small: expected number to be >=1',
      'services.api.restart.policy: Invalid option: expected one of "always"|"on-failure"|"never"',
      'services.api.restart.backoff.factor: Too small: expected number to be >=1',
      "services.api.logs.timestamp: unknown key: did you mean 'timestamps'?",
    ]);
  });

  it('says what a misspelt key most likely meant, at every level, and a missing command is required', () => {
    expect(issuesOf({ servics: {}, services: { api: { comand: 'x', restart: { polcy: 'always' } } } }).sort()).toEqual([
      "services.api.comand: unknown key: did you mean 'command'?",
      'services.api.command: required',
      "services.api.restart.polcy: unknown key: did you mean 'policy'?",
      "servics: unknown key: did you mean 'services'?",
    ]);
    // nothing close: no guess
    expect(issuesOf({ services: { api: { command: 'x', zzzz: 1 } } })).toEqual(['services.api.zzzz: unknown key']);
  });

  it('refuses an empty command in either form', () => {
    expect(issuesOf({ services: { a: { command: [] }, b: { command: [''] }, c: { command: '  ' } } })).toEqual([
      'services.a.command: expected a non-empty argv array',
      'services.b.command: the program (argv[0]) is empty',
      'services.c.command: expected a non-empty command',
    ]);
  });

  it('refuses bad service names and the reserved name monitor', () => {
    expect(issuesOf({ services: { 'my api': { command: 'x' } } })[0]).toMatch(/^services\.my api: a service name is 1 to 64 letters/);
    // it names files: 300 characters would fail as a pid file name (ENAMETOOLONG) after the start
    expect(issuesOf({ services: { ['a'.repeat(300)]: { command: 'x' } } })[0]).toMatch(/: a service name is 1 to 64 letters/);
    expect(resolve({ services: { ['a'.repeat(64)]: { command: 'x' } } }).services[0].name).toHaveLength(64);
    expect(issuesOf({ services: { monitor: { command: 'x' } } })).toEqual([
      "services.monitor: the name 'monitor' is reserved (monitor.pid is the supervisor's)",
    ]);
  });

  it('looks names up as own keys: a dependency on toString or constructor is unknown', () => {
    expect(issuesOf({ services: { api: { command: 'x', dependsOn: ['toString', 'constructor'] } } })).toEqual([
      "services.api.dependsOn.toString: no service named 'toString' (known: api)",
      "services.api.dependsOn.constructor: no service named 'constructor' (known: api)",
    ]);
  });

  it('reads env files relative to the service folder, with `env` winning, and refuses a missing one', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: env-file syntax, not a template
    writeFileSync(join(root, 'a.env'), 'A=1\nB=${A}-${HOME_DIR}\nC=${NOPE:-fallback}\nD=file\n');
    const config = resolve({ services: { api: { command: 'x', envFile: 'a.env', env: { D: 'env' } } } }, { HOME_DIR: '/h' });
    expect(config.services[0].fileEnv).toEqual({ A: '1', B: '1-/h', C: 'fallback', D: 'file' });
    expect(config.services[0].env).toEqual({ D: 'env' });
    expect(issuesOf({ services: { api: { command: 'x', envFile: ['a.env', 'missing.env'] } } })).toEqual([
      `services.api.envFile: ${join(root, 'missing.env')} does not exist`,
    ]);
  });

  it('refuses intervals of 0 (they would run without pause), from the file and from the environment', () => {
    expect(issuesOf({ monitor: { interval: 0 }, services: { api: { command: 'x' } } })).toEqual([
      'monitor.interval: expected an interval of at least 1ms (0 would run without pause)',
    ]);
    expect(issuesOf({ services: { api: { command: 'x' } } }, { MONITOR_INTERVAL: '0' })[0]).toMatch(/^env MONITOR_INTERVAL: expected a whole number/);
  });

  describe('plugins', () => {
    // Written with zod's classic API: plugins may use it as well as zmart's `z` (zod/mini).
    const probe = definePlugin({
      name: 'probe',
      defaults: { interval: 1000 },
      options: classic.object({ interval: classic.number().int().positive() }),
      service: { key: 'probe', schema: classic.strictObject({ path: classic.string().startsWith('/') }) },
      setup: () => undefined,
    });

    it('validates per-service options with the plugin schema, and keeps them when the plugin is disabled', () => {
      const config = resolve({ services: { api: { command: 'x', probe: { path: '/health' } } }, plugins: [probe({ enabled: false })] });
      expect(config.services[0].options).toEqual({ probe: { path: '/health' } });
      expect(config.plugins[0]).toMatchObject({ name: 'probe', enabled: false });
      expect(issuesOf({ services: { api: { command: 'x', probe: { path: 'health', port: 1 } } }, plugins: [probe()] })).toEqual([
        'services.api.probe.path: Invalid string: must start with "/"',
        'services.api.probe.port: unknown key',
      ]);
    });

    it('refuses a per-service key of a plugin that is not listed', () => {
      expect(issuesOf({ services: { api: { command: 'x', probe: { path: '/' } } }, plugins: [] })).toEqual(['services.api.probe: unknown key']);
    });

    it('validates plugin options and names unknown ones', () => {
      expect(issuesOf({ services: { api: { command: 'x' } }, plugins: [probe({ interval: -1, every: 3 } as never)] })).toEqual([
        'plugins[0] (probe).every: unknown option (known: interval)',
        'plugins[0] (probe).interval: Too small: expected number to be >0',
      ]);
    });

    it('adds listed plugins to the built-ins; a listed built-in takes its options; enabled: false turns it off and says what does nothing', () => {
      const guard = definePlugin({
        name: 'guard',
        defaults: { level: 1 },
        service: { key: 'guard', schema: classic.object({ max: classic.number() }) },
        setup: () => undefined,
      });
      const other = definePlugin({ name: 'other', defaults: {}, setup: () => undefined });
      const builtins = () => [probe(), guard()];
      const withBuiltins = (raw: unknown) => resolveConfig(raw, { file: null, root, env: {}, builtins });
      const summary = (raw: unknown) => withBuiltins(raw).plugins.map((p) => `${p.name}${p.enabled ? '' : ' (off)'} ${JSON.stringify(p.given)}`);
      const services = { api: { command: 'x', guard: { max: 3 } }, web: { command: 'y', guard: { max: 4 }, replicas: 2 } };
      expect(summary({ services })).toEqual(['probe {"interval":1000}', 'guard {"level":1}']);
      expect(summary({ services, plugins: [other()] })).toEqual(['probe {"interval":1000}', 'guard {"level":1}', 'other {}']);
      expect(summary({ services, plugins: [other(), guard({ level: 2 } as never)] })).toEqual(['probe {"interval":1000}', 'guard {"level":2}', 'other {}']);
      const off = withBuiltins({ services, plugins: [guard({ enabled: false })] });
      expect(off.plugins.map((p) => p.enabled)).toEqual([true, false]);
      expect(off.services[0].options).toEqual({ guard: { max: 3 } }); // kept, for when it is on again
      expect(off.notes).toEqual([
        'services.api.guard is set, but its plugin guard is off (enabled: false): not applied',
        'services.web.guard is set, but its plugin guard is off (enabled: false): not applied',
      ]);
      expect(withBuiltins({ services }).notes).toEqual([]);
      // a listed built-in's bad option names where the user wrote it
      expect(() => withBuiltins({ services, plugins: [other(), probe({ interval: -1 })] })).toThrow(/plugins\[1\] \(probe\)\.interval: Too small/);
    });

    it('refuses a plugin listed twice and a list that holds something else', () => {
      expect(issuesOf({ services: { api: { command: 'x' } }, plugins: [probe(), probe(), 'probe'] })).toEqual([
        "plugins[1]: plugin 'probe' is listed twice",
        'plugins[2]: expected a plugin, got string "probe"',
      ]);
    });
  });
});
