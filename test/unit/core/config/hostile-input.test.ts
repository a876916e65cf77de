import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtinPlugins } from '../../../../cli/builtins.js';
import { readEnvFiles } from '../../../../core/config/env-file.js';
import { resolveConfig } from '../../../../core/config/resolve.js';
import { cronProblem } from '../../../../core/service/schedule.js';
import { tempDir } from '../../../helpers/project.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);

/** The config problems of one service, as `key: message` lines ([] when it resolves). */
function problems(service: Record<string, unknown>, name = 'api'): string[] {
  try {
    resolveConfig({ services: { [name]: service } }, { file: null, root: dir, env: {}, builtins: builtinPlugins });
    return [];
  } catch (error) {
    return (error as Error).message
      .split('\n')
      .slice(1)
      .map((l) => l.trim().replace(/^- /, ''));
  }
}

describe('hostile input in a config is refused before anything starts', () => {
  it('an env file must be a regular text file of at most 1 MiB: /dev/zero, a FIFO, a binary, a huge file', () => {
    execFileSync('mkfifo', [join(dir, 'fifo.env')]);
    writeFileSync(join(dir, 'binary.env'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2]));
    writeFileSync(join(dir, 'huge.env'), `A=${'x'.repeat(1024 * 1024)}\n`);
    const started = Date.now();
    expect(problems({ command: 'x', envFile: '/dev/zero' }).join()).toMatch(/services\.api\.envFile: \/dev\/zero is not a regular file \(a device\)/);
    expect(problems({ command: 'x', envFile: 'fifo.env' }).join()).toMatch(/fifo\.env is not a regular file \(a FIFO\)/);
    expect(problems({ command: 'x', envFile: 'binary.env' }).join()).toMatch(/binary\.env holds NUL bytes/);
    expect(problems({ command: 'x', envFile: 'huge.env' }).join()).toMatch(/huge\.env is 1048579 bytes, more than the 1048576 allowed/);
    expect(Date.now() - started).toBeLessThan(5000); // nothing was read to its end or waited on
  });

  // biome-ignore lint/suspicious/noTemplateCurlyInString: an env file's own ${VAR}
  it('${VAR} in an env file sees the lines above it, in the file order (not the order parseEnv keeps)', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an env file's own ${VAR}
    writeFileSync(join(dir, 'order.env'), 'ZED=bar\nAAA=${ZED}-x\nMID=${AAA}/${LATER:-none}\nLATER=late\n');
    expect(readEnvFiles(['order.env'], dir, {})).toEqual({ env: { ZED: 'bar', AAA: 'bar-x', MID: 'bar-x/none', LATER: 'late' } });
  });

  it('a NUL byte in a command, an argument, an env name or value', () => {
    expect(problems({ command: 'echo a\0b' })).toEqual(['services.api.command: holds a NUL byte, which no process can be given']);
    expect(problems({ command: ['echo', 'a\0b'] }).join()).toMatch(/services\.api\.command\[1\]: holds a NUL byte/);
    expect(problems({ command: 'x', env: { A: 'b\0c' } }).join()).toMatch(/services\.api\.env\.A: holds a NUL byte/);
    expect(problems({ command: 'x', env: { 'A\0B': 'c' } }).join()).toMatch(/holds no = or NUL byte/);
  });

  it("names of zmart's own files and logs", () => {
    for (const name of ['zmart', 'monitor', 'startup', 'shutdown', 'server_startup', 'server_shutdown', 'server_monitor']) {
      expect(problems({ command: 'x' }, name).join(), name).toMatch(new RegExp(`services\\.${name}: the name '${name}' is reserved`));
    }
    expect(problems({ command: 'x' }, 'zmart-api')).toEqual([]);
  });

  it('a memory limit of 0, a cron that never fires or not within 400 days', () => {
    expect(problems({ command: 'x', memory: { maxRss: 0 } }).join()).toMatch(/services\.api\.memory\.maxRss: expected a size above 0/);
    expect(problems({ command: 'x', memory: { maxCpu: 0 } }).join()).toMatch(/services\.api\.memory\.maxCpu/);
    expect(problems({ command: 'x', restart: { cron: '0 0 30 2 *' } }).join()).toMatch(/restart\.cron: '0 0 30 2 \*' never fires/);
    const now = Date.parse('2026-12-05T12:00:00Z');
    expect(cronProblem('0 0 29 2 *', now)).toMatch(/does not fire in the next 400 days \(next: 2028-02-29\)/);
    expect(cronProblem('0 0 1 1 *', now)).toBeNull(); // yearly fits
  });
});
