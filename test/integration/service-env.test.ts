import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFleet, freePort, tempDir, waitFor, type Fleet } from '../helpers/project.js';

let fleet: Fleet | undefined;
const cleanups: Array<() => void> = [];
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
  for (const c of cleanups.splice(0)) c();
});

const logOf = (dir: string, name: string) => {
  try {
    return readFileSync(join(dir, 'logs', `${name}.log`), 'utf8');
  } catch {
    return '';
  }
};

describe('the environment a service runs in', () => {
  it('runs in its cwd with its env, PORT, and its virtualenv first on PATH', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const bin = join(dir, 'backend/venv/bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'python-ish'), '#!/bin/sh\necho "from the venv: $VIRTUAL_ENV"\nexec sleep 30\n');
    chmodSync(join(bin, 'python-ish'), 0o755);
    const port = await freePort();

    fleet = createFleet(
      {
        services: {
          api: {
            cwd: 'backend',
            venv: 'venv',
            port,
            env: { LOG_LEVEL: 'debug', WORKERS: 2 },
            command: 'echo "cwd=$(pwd) port=$PORT level=$LOG_LEVEL workers=$WORKERS"; exec python-ish',
          },
        },
      },
      { dir },
    );
    await fleet.supervisor.start();
    await waitFor(() => logOf(dir, 'api').includes('from the venv'), 'the venv program');
    const log = logOf(dir, 'api');
    expect(log).toContain(`out cwd=${join(dir, 'backend')} port=${port} level=debug workers=2`);
    expect(log).toContain(`out from the venv: ${join(dir, 'backend/venv')}`);
  });

  it('reads its env files (expanded, in order, under its env) and never logs their secrets', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: env-file syntax, not a template
    writeFileSync(join(dir, '.env'), 'DB_HOST=db.local\nDB_URL="postgres://${DB_HOST}:${DB_PORT:-5432}/app"\nAPI_TOKEN=tok-a1b2c3d4e5\nLEVEL=from-file\n');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: env-file syntax, not a template
    writeFileSync(join(dir, '.env.local'), 'GREETING=hello ${USER_NAME}\nLEVEL=from-local\n');
    fleet = createFleet(
      {
        services: {
          api: {
            envFile: ['.env', '.env.local'],
            env: { WORKERS: 3 },
            command: 'echo "url=$DB_URL greet=$GREETING level=$LEVEL workers=$WORKERS token=$API_TOKEN"; exec sleep 30',
          },
        },
      },
      { dir, env: { USER_NAME: 'ops' } },
    );
    await fleet.supervisor.start();
    await waitFor(() => logOf(dir, 'api').includes('url='), 'the echo');
    const log = logOf(dir, 'api');
    expect(log).toContain('out url=postgres://db.local:5432/app greet=hello ops level=from-local workers=3 token=[redacted]');
    expect(log).not.toContain('tok-a1b2c3d4e5');
  });

  it('reports a program that cannot be started, and applies the restart budget to it', async () => {
    fleet = createFleet({ services: { ghost: { command: ['/nonexistent/program'], restart: { maxRestarts: 1, backoff: { initial: 10 } } } } });
    await fleet.supervisor.start();
    await waitFor(() => fleet!.supervisor.controller('ghost')!.state === 'failed', 'ghost to fail');
    expect(logOf(fleet.dir, 'ghost')).toMatch(/zmart could not start: cannot start ghost: .*ENOENT/);
  });
});
