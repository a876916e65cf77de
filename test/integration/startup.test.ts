import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { afterEachTest, runCli, startCli } from '../helpers/cli.js';
import { FIXTURE, readText, tempDir, waitFor } from '../helpers/project.js';
import { needs } from '../helpers/tools.js';

const { running, pids, cleanups } = afterEachTest(afterEach);

const node = JSON.stringify(process.execPath);
const fixture = JSON.stringify(FIXTURE);

function project(): string {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  writeFileSync(
    join(dir, 'zmart.config.ts'),
    `import { defineConfig } from 'zmart';
export default defineConfig({
  services: {
    api: { command: [${node}, ${fixture}], stop: { timeout: '45s' } },
    web: { command: [${node}, ${fixture}], readyAfter: '1200ms', dependsOn: { api: 'started' } },
  },
});
`,
  );
  return dir;
}

describe('zmart startup', () => {
  needs('systemd-analyze')('prints a systemd unit that systemd-analyze verify accepts, carrying the config', async () => {
    const dir = project();
    writeFileSync(join(dir, '.env'), 'API_TOKEN=a-service-secret\n'); // a service's env file: never loaded into zmart
    const printed = await runCli(['startup', '--print'], { cwd: dir });
    expect(printed.code, printed.stderr).toBe(0);
    const unit = printed.stdout;
    expect(unit).toContain(`ExecStart="${process.execPath}" `);
    expect(unit).toMatch(new RegExp(`/dist/bin/zmart\\.cjs" "start" "--foreground" "--config" "${join(dir, 'zmart.config.ts')}"\\n`));
    // zmart's own environment only: the PATH it was installed from, never an env file beside the config
    expect(unit).toContain(`Environment="PATH=${process.env.PATH!.replaceAll('%', '%%')}"`);
    expect(unit).not.toMatch(/^EnvironmentFile=/m);
    // what systemd gives the unit (nothing but what it sets) resolves the same programs as this shell
    const path = /^Environment="PATH=(.*)"$/m.exec(unit)![1]!.replaceAll('%%', '%');
    const which = (env: Record<string, string>) => spawnSync('/bin/sh', ['-c', 'command -v node; command -v python3'], { env, encoding: 'utf8' }).stdout;
    expect(which({ PATH: path })).toBe(which({ PATH: process.env.PATH! }));
    expect(unit).toMatch(/^Type=notify$/m);
    expect(unit).toMatch(/^NotifyAccess=all$/m);
    expect(unit).toMatch(/^KillMode=mixed$/m);
    expect(unit).toMatch(/^TimeoutStopSec=75$/m); // the largest stop timeout (45 s) plus 30
    expect(unit).toMatch(/^Restart=on-failure$/m);
    expect(unit).toMatch(new RegExp(`^WorkingDirectory=${dir}$`, 'm'));
    const file = join(dir, 'zmart-test.service');
    writeFileSync(file, unit);
    const verify = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
    expect(verify.stdout + verify.stderr).toBe('');
    expect(verify.status).toBe(0);
    const user = await runCli(['startup', '--print', '--user'], { cwd: dir });
    expect(user.stdout).toMatch(/^WantedBy=default\.target$/m);
    expect(user.stdout).not.toMatch(/^User=/m);
  });

  it("prints macOS's LaunchAgent with --launchd, a plist that parses and carries the config", async () => {
    const dir = project();
    const printed = await runCli(['startup', '--print', '--launchd'], { cwd: dir });
    expect(printed.code, printed.stderr).toBe(0);
    const { parse } = await import('plist');
    const agent = parse(printed.stdout) as Record<string, unknown>;
    expect(agent).toMatchObject({
      Label: expect.stringMatching(/^dev\.zmart\.[0-9a-f]{10}$/),
      ProgramArguments: [
        process.execPath,
        expect.stringMatching(/\/dist\/bin\/zmart\.cjs$/),
        'start',
        '--foreground',
        '--config',
        join(dir, 'zmart.config.ts'),
      ],
      WorkingDirectory: dir,
      RunAtLoad: true,
      KeepAlive: { SuccessfulExit: false },
      ExitTimeOut: 75,
      StandardOutPath: join(dir, 'logs', 'zmart.launchd.log'),
      EnvironmentVariables: { PATH: process.env.PATH }, // launchd's own is /usr/bin:/bin:/usr/sbin:/sbin
    });
    if (process.platform !== 'darwin') {
      const install = await runCli(['startup', '--launchd'], { cwd: dir });
      expect(install.code).toBe(2);
      expect(install.stderr).toMatch(/launchd is macOS's: 'zmart startup --print --launchd' prints the LaunchAgent/);
    }
  });

  it.runIf(!existsSync('/run/systemd/system'))('refuses to install without a running systemd, pointing to --print', async () => {
    const dir = project();
    for (const command of ['startup', 'unstartup']) {
      const result = await runCli([command], { cwd: dir });
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(
        "zmart: systemd is not running on this machine (no /run/systemd/system): 'zmart startup --print' prints the unit to install elsewhere\n",
      );
    }
  });

  it('runs as a unit main process: READY=1 only once every service is up, STOPPING=1 and exit 0 on SIGTERM', async () => {
    const dir = project();
    const socket = join(dir, 'notify.sock');
    const got = join(dir, 'notify.txt');
    // a datagram socket as systemd's NOTIFY_SOCKET (Node has none: python3 listens)
    const listener = spawn('python3', [
      '-c',
      `import socket, time\ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(${JSON.stringify(socket)})\nwhile True:\n  d = s.recv(4096).decode()\n  open(${JSON.stringify(got)}, 'a').write('%d %s\\n' % (int(time.time() * 1000), d.replace('\\n', ' ')))\n`,
    ]);
    pids.push(listener.pid!);
    await waitFor(() => existsSync(socket), 'the notify socket');
    const t0 = Date.now();
    const unit = startCli(['start', '--foreground'], { cwd: dir, env: { NOTIFY_SOCKET: socket } });
    running.push(unit);
    const ready = await waitFor(
      () =>
        readText(got)
          .split('\n')
          .find((l) => l.includes('READY=1')),
      'READY=1',
    );
    expect(Number(ready.split(' ')[0]) - t0).toBeGreaterThanOrEqual(1200); // web needs 1.2 s to count as up
    expect(unit.output()).toMatch(/✔ api +up/);
    expect(unit.output()).toMatch(/✔ web +up/);
    expect(ready).toContain('STATUS=2/2 up');
    unit.child.kill('SIGTERM');
    expect((await unit.exited).code).toBe(0);
    expect(readText(got)).toMatch(/STOPPING=1/);
    expect(readFileSync(got, 'utf8').match(/READY=1/g)).toHaveLength(1);
  });
});
