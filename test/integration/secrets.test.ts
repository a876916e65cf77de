import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createProject, type Project } from '../helpers/daemon.js';
import { FIXTURE, readText, waitFor } from '../helpers/project.js';

let project: Project | undefined;
afterEach(async () => {
  await project?.cleanup();
  project = undefined;
});

const KEY = 'sk-live-abcdef123456';
const TOKEN = 'tok-9f8e7d6c5b';

describe('secrets in a command line', () => {
  it('never reach status (every depth), alerts, their command payloads or the logs', async () => {
    project = createProject('{ services: {} }');
    const p = project;
    const node = JSON.stringify(process.execPath);
    const fixture = JSON.stringify(FIXTURE);
    writeFileSync(
      join(p.dir, 'zmart.config.ts'),
      `import { defineConfig } from 'zmart';
      import memoryGuard from 'zmart/plugins/memory-guard';
      import alerts from 'zmart/plugins/alerts';
      export default defineConfig({
        services: {
          api: { command: [${node}, ${fixture}, '--api-key', '${KEY}'], env: { API_KEY: '${KEY}' }, readyAfter: 0,
                 memory: { maxRss: '1MB', for: 1 }, restart: { maxRestarts: 1, backoff: { initial: '100ms' } } },
          feed: { command: '${process.execPath} ${FIXTURE} --token=${TOKEN}', readyAfter: 0 },
        },
        plugins: [memoryGuard({ interval: '200ms' }), alerts({ throttle: 0, command: ['sh', '-c', 'cat >> alerts.json; echo >> alerts.json'] })],
      });`,
    );
    await p.zmart(['start', '--wait', '5s']);
    // memory-guard restarts api (1 MB is less than any node), naming its processes in the detail
    await waitFor(() => readText(join(p.dir, 'alerts.json')).includes('"kind":"restart"'), 'a restart alert');
    for (const args of [
      ['status', '--json'],
      ['status', '--detailed'],
      ['status', '--all'],
    ]) {
      const out = (await p.zmart(args)).stdout;
      expect(out, args.join(' ')).toMatch(/--api-key \[redacted\]/);
      expect(out).not.toContain(KEY);
      expect(out).not.toContain(TOKEN);
    }
    const alertsSent = readText(join(p.dir, 'alerts.json'));
    expect(alertsSent).toMatch(/memory/);
    expect(alertsSent).not.toContain(KEY);
    for (const file of ['server_monitor.log', 'zmart.log', 'api.log', 'feed.log', 'server_startup.log']) {
      const text = readText(join(p.logDir, file));
      expect(text, file).not.toContain(KEY);
      expect(text, file).not.toContain(TOKEN);
    }
    expect(readText(join(p.pidDir, 'feed.state.json'))).toContain('--token=[redacted]');
  });

  it('are hidden by value too: passwords in URLs (env, argv, a probe), an Authorization value, and what a service prints of them', async () => {
    const { freePort } = await import('../helpers/project.js');
    const port = await freePort();
    const values = ['S3cretPw', 'urlpw99', 'probepass', 'xyz-123456', 'cmdpw123'];
    project = createProject('{ services: {} }');
    const p = project;
    writeFileSync(
      join(p.dir, 'zmart.config.ts'),
      `import { defineConfig } from 'zmart';
      export default defineConfig({
        services: {
          db: { command: 'exec ${process.execPath} ${FIXTURE} --print "connecting to $DATABASE_URL with $AUTH_HEADER" --db postgres://u:urlpw99@h/db',
                env: { DATABASE_URL: 'postgres://admin:S3cretPw@db/app', AUTH_HEADER: 'Bearer xyz-123456' }, port: ${port},
                health: { url: 'http://probeuser:probepass@127.0.0.1:${port}/health', interval: '200ms' } },
          bad: { command: 'sleep --password=cmdpw123', restart: { policy: 'never' } },
        },
      });`,
    );
    await p.zmart(['start', '--wait', '5s']);
    // db printed its own environment (through its shell), bad its own option (sleep complains of it)
    await waitFor(() => readText(join(p.logDir, 'db.log')).includes('connecting to'), 'db to print its URL');
    await waitFor(() => readText(join(p.logDir, 'bad.log')).includes('unrecognized option'), "sleep's complaint about its option");
    for (const args of [
      ['status', '--json'],
      ['status', '--detailed'],
      ['status', '--all'],
    ]) {
      const out = (await p.zmart(args)).stdout;
      for (const value of values) expect(out, `${args.join(' ')}: ${value}`).not.toContain(value);
    }
    expect((await p.zmart(['status', '--json'])).stdout).toContain('postgres://u:[redacted]@h/db');
    for (const file of ['db.log', 'bad.log', 'zmart.log', 'server_monitor.log', 'server_startup.log']) {
      const text = readText(join(p.logDir, file));
      for (const value of values) expect(text, `${file}: ${value}`).not.toContain(value);
    }
  });
});
