import { afterEach, describe, expect, it } from 'vitest';
import { createProject, fixtureCommand, type Project } from '../helpers/daemon.js';
import { isAlive, readText, waitFor } from '../helpers/project.js';

let project: Project | undefined;
afterEach(async () => {
  await project?.cleanup();
  project = undefined;
});

/** SIGKILLs the background supervisor once it has written monitor.pid; returns its pid. */
async function killSupervisor(p: Project): Promise<number> {
  const pid = await waitFor(() => p.pid('monitor'), 'the supervisor');
  process.kill(pid, 'SIGKILL');
  await waitFor(() => !isAlive(pid), 'the supervisor to die');
  return pid;
}

describe('the supervisor dies during a command', () => {
  it('start says so at once, with where to look, and exits 1 (not after the whole --wait)', async () => {
    project = createProject(`{ services: { api: { command: ${fixtureCommand()}, readyAfter: '20s' } } }`);
    const start = project.spawnZmart(['start', '--wait', '60s']);
    const t0 = Date.now();
    await waitFor(() => start.output().includes('starting api in the background'), 'the start to follow');
    const pid = await killSupervisor(project);
    const result = await start.exited;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`the supervisor \\(pid ${pid}\\) died while starting api; see .*zmart\\.out and zmart\\.log there`));
    expect(Date.now() - t0).toBeLessThan(15_000);
  });

  it('stop says so in one line, without a stack, and exits 1', async () => {
    project = createProject(`{ services: { api: { command: ${fixtureCommand('--ignore-term')}, stop: { timeout: '20s' } } } }`);
    const p = project;
    expect((await p.zmart(['start'])).code).toBe(0);
    const stop = p.spawnZmart(['stop']);
    await waitFor(() => readText(`${p.logDir}/api.log`).includes('stopping pid'), 'the stop to begin');
    const api = p.pid('api')!;
    await killSupervisor(p);
    const result = await stop.exited;
    process.kill(-api, 'SIGKILL'); // it ignores SIGTERM: the orphan clean-up would wait its 20 s
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^zmart: the supervisor died before it answered POST \/v1\/stop; see .*zmart\.out and zmart\.log there \('zmart status' shows what is left\)\n$/,
    );
  });
});

describe('another user', () => {
  it.runIf(process.getuid?.() === 0)('is told in one line that the supervisor is not theirs (status, stop)', async (ctx) => {
    const { chmodSync, chownSync, mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { spawnSync } = await import('node:child_process');
    const { CLI } = await import('../helpers/project.js');
    // the other user must be able to run this checkout's zmart at all (a clone under a private folder: it cannot)
    const readable = spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(CLI)})`], { uid: 65534, gid: 65534 });
    if (readable.status !== 0) ctx.skip();
    project = createProject(`{ services: { api: { command: ${fixtureCommand()}, readyAfter: 100 } } }`);
    expect((await project.zmart(['start'])).code).toBe(0);
    chmodSync(project.dir, 0o755); // the config is readable to all; the pid folder stays the owner's
    const home = mkdtempSync(join(tmpdir(), 'zmart-nobody-'));
    chownSync(home, 65534, 65534);
    try {
      for (const command of ['status', 'stop']) {
        const other = spawnSync(process.execPath, [CLI, command], {
          cwd: project.dir,
          uid: 65534,
          gid: 65534,
          env: { ...process.env, HOME: home, ZMART_HOME: home, NO_COLOR: '1' },
          encoding: 'utf8',
        });
        expect(other.status, other.stderr).toBe(1);
        expect(other.stderr).toMatch(
          /^zmart: the supervisor of .*zmart\.config\.ts belongs to uid 0: permission denied on .*zmart\.sock; run zmart as its owner\n$/,
        );
      }
      expect((await project.zmart(['status'])).code).toBe(0); // untouched
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('the socket folder in TMPDIR (when the pid folder path is too long for a socket)', () => {
  it.runIf(process.getuid?.() === 0)('is refused when another user planted it (open to all, or a link), and never chmodded', async () => {
    const { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const tmp = mkdtempSync(join(tmpdir(), 'zmart-tmpdir-'));
    const planted = join(tmp, `zmart-${process.getuid!()}`);
    try {
      project = createProject(`{ pidDir: '${'p'.repeat(120)}', services: { api: { command: ${fixtureCommand()}, readyAfter: 100 } } }`);
      const p = project;
      const env = { TMPDIR: tmp };
      for (const plant of ['open', 'link'] as const) {
        rmSync(planted, { recursive: true, force: true });
        if (plant === 'open') {
          mkdirSync(planted);
          chownSync(planted, 65534, 65534);
          chmodSync(planted, 0o777);
        } else {
          mkdirSync(join(tmp, 'theirs'));
          symlinkSync(join(tmp, 'theirs'), planted);
        }
        for (const args of [['start', '--foreground'], ['start']]) {
          const result = await p.zmart(args, env);
          expect(result.code, `${plant} ${args}`).toBe(1);
          expect(result.stderr).toMatch(
            new RegExp(`^zmart: the socket folder ${planted} (belongs to uid 65534|is a symbolic link).*: another user may have planted it`),
          );
        }
        expect(p.pid('monitor')).toBeNull(); // nothing claimed
        if (plant === 'open') expect(lstatSync(planted).mode & 0o777).toBe(0o777); // not chmodded
        rmSync(join(tmp, 'theirs'), { recursive: true, force: true });
      }
      // a folder of our own, 0700, is used
      rmSync(planted, { recursive: true, force: true });
      expect((await p.zmart(['start'], env)).code).toBe(0);
      expect(lstatSync(planted).mode & 0o777).toBe(0o700);
      // opened to others while it runs: the client no longer trusts a socket there
      chmodSync(planted, 0o777);
      const status = await p.zmart(['status'], env);
      expect(status.code).toBe(1);
      expect(status.stderr).toMatch(/is open to others \(mode 777, expected 700\)/);
      chmodSync(planted, 0o700);
      expect((await p.zmart(['stop'], env)).code).toBe(0);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('many held control connections', () => {
  it('cannot take the supervisor: past the cap they are refused, idle ones time out, status and restarts work', async () => {
    const { connect } = await import('node:net');
    project = createProject(`{ services: { api: { command: ${fixtureCommand()}, readyAfter: 100 } } }`);
    const p = project;
    expect((await p.zmart(['start'])).code).toBe(0);
    const socket = `${p.pidDir}/zmart.sock`;
    const held = Array.from({ length: 1500 }, () => connect(socket).on('error', () => undefined));
    try {
      // the idle ones are closed after the header timeout; then the supervisor answers again
      await waitFor(() => held.every((s) => s.destroyed || s.closed), 'the held connections to be dropped', 10_000);
      const status = await p.zmart(['status']);
      expect(status.code, status.stderr).toBe(0);
      const restart = await p.zmart(['restart', 'api']);
      expect(restart.code, restart.stderr).toBe(0);
      expect(readText(`${p.logDir}/server_startup.log`)).not.toMatch(/EMFILE/);
    } finally {
      for (const s of held) s.destroy();
    }
  });

  it('cuts a client that dribbles its headers, however active, once its time for them is up', async () => {
    const { connect } = await import('node:net');
    project = createProject(`{ services: { api: { command: ${fixtureCommand()}, readyAfter: 100 } } }`);
    expect((await project.zmart(['start'])).code).toBe(0);
    const client = connect(`${project.pidDir}/zmart.sock`).on('error', () => undefined);
    client.write('GET /v1/status HTTP/1.1\r\nHost: zmart\r\n');
    const started = Date.now();
    const dribble = setInterval(() => client.writable && client.write('X-Slow: 1\r\n'), 200);
    try {
      await waitFor(() => client.destroyed || client.closed, 'the dribbling client to be cut', 4000);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1500); // not before its 2 s
    } finally {
      clearInterval(dribble);
      client.destroy();
    }
  });
});
