import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createProject, type Project } from '../helpers/daemon.js';
import { isAlive, killAll, waitFor } from '../helpers/project.js';
import { envOf } from '../helpers/process-view.js';
import { onMachine, readsProc } from '../helpers/tools.js';

// `zmart start` launches the supervisor before it checks the config (cli/commands/start-daemon.ts):
// the supervisor loads its code meanwhile and waits for the CLI's word. These are the days the
// word never comes.

const projects: Project[] = [];
const strays: number[] = [];
afterEach(async () => {
  killAll(strays.splice(0));
  for (const p of projects.splice(0)) await p.cleanup();
});
const project = (body: string) => {
  const p = createProject(body);
  projects.push(p);
  return p;
};

/**
 * Processes started with this project's own ZMART_HOME (a folder made for this test): only
 * ours carry it. Read from /proc, never signalled here.
 */
function ours(p: Project): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      try {
        return envOf(pid).ZMART_HOME === p.env.ZMART_HOME && readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
      } catch {
        return false; // gone, or not ours to read
      }
    });
}

describe('zmart start: the supervisor launched before the config is checked', () => {
  readsProc()('a rejected config leaves no supervisor and no folder behind', async () => {
    const p = project(`{ services: { api: { command: 'node -e 0', port: 'eighty' } } } as any`);
    const result = await p.zmart(['start']);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/services\.api\.port/);
    expect(ours(p)).toEqual([]); // the CLI waited for it to end
    expect(existsSync(p.logDir)).toBe(false);
    expect(existsSync(p.pidDir)).toBe(false);
  });

  readsProc()('a CLI killed while it loads the config: its supervisor ends by itself, having made nothing', async () => {
    // the config holds the CLI for 20 s: time to kill it once its supervisor is up and waiting
    const p = project(`(() => { const end = Date.now() + 20_000; while (Date.now() < end); return { services: { api: { command: 'sleep 100' } } }; })()`);
    const cli = p.spawnZmart(['start']);
    const waiting = await waitFor(() => ours(p).find((pid) => pid !== cli.child.pid), 'the supervisor launched early');
    strays.push(waiting, cli.child.pid!);
    cli.kill();
    await waitFor(() => !isAlive(waiting) || readFileSync(`/proc/${waiting}/stat`, 'utf8').includes(') Z'), 'the waiting supervisor to end', 5000);
    expect(existsSync(p.pidDir)).toBe(false); // no socket, no pid file
    expect(readdirSync(p.logDir)).toEqual(['zmart.out']); // the launch's own file, and nothing in it
    expect(readFileSync(join(p.logDir, 'zmart.out'), 'utf8')).toBe('');
  });

  it('a config with its own logDir: the supervisor writes zmart.out there, the first time and the next', async () => {
    const p = project(`{ logDir: 'elsewhere', services: { api: { command: 'sleep 100' } } }`);
    for (const round of [1, 2]) {
      const started = await p.zmart(['start']);
      expect(started.code, `round ${round}: ${started.stderr}`).toBe(0);
      expect(existsSync(join(p.dir, 'elsewhere/zmart.out'))).toBe(true);
      expect(existsSync(p.logDir)).toBe(false); // the guess `logs` was taken back
      expect((await p.zmart(['stop'])).code).toBe(0);
    }
  });
});

describe('zmart start: the supervisor launched before the full CLI loads (cli/early-start.ts)', () => {
  it.each([
    ['a --wait that is not a duration', ['start', '--wait', 'soon'], {}, /--wait: expected a duration/],
    ['a bad ZMART_PROC_BACKEND', ['start'], { ZMART_PROC_BACKEND: 'bogus' }, /ZMART_PROC_BACKEND/],
    ['a service the config does not have', ['start', 'nope'], {}, /no service named 'nope'/],
  ])('refused for %s after that launch: exit 2, the supervisor gone, no folder made', async (_name, args, env, message) => {
    const p = project(`{ services: { api: { command: 'sleep 100' } } }`);
    const result = await p.zmart(args, env);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
    if (onMachine('/proc/self/exe')) expect(ours(p)).toEqual([]); // the CLI waited for it to end
    expect(existsSync(p.logDir)).toBe(false);
    expect(existsSync(p.pidDir)).toBe(false);
  });
});
