import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkFileRoom } from '../../core/process/fd-room.js';
import type { CliResult } from '../helpers/cli.js';
import { createProject, type Project } from '../helpers/daemon.js';
import { CLI } from '../helpers/project.js';

// zmart holds three open files per service process: a fleet larger than the open-file limit
// allows is refused before anything starts, not failed service by service halfway through.

const projects: Project[] = [];
afterEach(async () => {
  for (const p of projects.splice(0)) await p.cleanup();
});

/** `zmart ARGS` run by a shell that lowered its open-file limit (soft and hard) to `limit` first. */
function zmartLimited(p: Project, limit: number, args: string[]): Promise<CliResult> {
  const child = spawn('/bin/sh', ['-c', `ulimit -n ${limit} && exec "$0" "$@"`, process.execPath, CLI, ...args], {
    cwd: p.dir,
    env: { ...process.env, ...p.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

const sleepers = (n: number) => `{ services: { ${Array.from({ length: n }, (_, i) => `s${i}: { command: 'sleep 100', readyAfter: 0 }`).join(', ')} } }`;

describe('open files: a fleet that would not fit is refused first', () => {
  it('says how many fit, for any limit', () => {
    expect(() => checkFileRoom(45, 'zmart.config.ts', 200)).not.toThrow();
    expect(() => checkFileRoom(46, 'zmart.config.ts', 200)).toThrow(
      /zmart\.config\.ts: 46 service processes need about 202 open files .* this system allows 200 \(ulimit -n\): at most 45 fit/,
    );
    expect(() => checkFileRoom(100_000, 'x', null)).not.toThrow(); // unlimited
  });

  it('zmart start under a low limit: exit 2, one line, nothing started or made', async () => {
    const p = createProject(sleepers(50));
    projects.push(p);
    const result = await zmartLimited(p, 200, ['start']);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/50 service processes need about 214 open files .* allows 200 .* at most 45 fit/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(readdirSync(p.dir).sort()).toEqual(['.zmart-home', 'zmart.config.ts']);
  });

  it('zmart scale past it is refused and the fleet runs on as it was', async () => {
    const p = createProject(`{ services: { web: { command: 'sleep 100', readyAfter: 0, replicas: 2 } } }`);
    projects.push(p);
    const started = await zmartLimited(p, 200, ['start']);
    expect(started.code, started.stderr).toBe(0);
    const pids = ['web#1', 'web#2'].map((n) => readFileSync(join(p.pidDir, `${n}.pid`), 'utf8'));
    const scaled = await p.zmart(['scale', 'web', '60']);
    expect(scaled.code).not.toBe(0);
    expect(scaled.stdout + scaled.stderr).toMatch(/60 service processes need about 244 open files .* allows 200/);
    expect(['web#1', 'web#2'].map((n) => readFileSync(join(p.pidDir, `${n}.pid`), 'utf8'))).toEqual(pids);
    expect(existsSync(join(p.pidDir, 'web#3.pid'))).toBe(false);
  });
});
