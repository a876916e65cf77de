import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseLsof } from '../../../../../core/process/table/portable/lsof-output.js';

/** `lsof -nP -iTCP -sTCP:LISTEN -F pftnT` in the format of lsof(8)'s OUTPUT FOR OTHER PROGRAMS (macOS ships the same lsof). */
const recorded = (name: string) => readFileSync(new URL(`../../../../fixtures/macos/${name}`, import.meta.url), 'utf8');

describe('lsof -F output', () => {
  it('reads each listening socket with its holder, v4, v6 and the wildcard of each family', () => {
    expect(parseLsof(recorded('lsof-listen.txt'))).toEqual([
      { pid: 4250, local: '127.0.0.1', localPort: 8000, state: 'LISTEN' },
      { pid: 4260, local: '::', localPort: 3400, state: 'LISTEN' },
      { pid: 4260, local: '::1', localPort: 3401, state: 'LISTEN' },
      { pid: 612, local: '0.0.0.0', localPort: 5000, state: 'LISTEN' },
    ]);
  });

  it('takes the local end of a connection and its state', () => {
    expect(parseLsof(recorded('lsof-sockets.txt'))).toEqual([
      { pid: 4250, local: '127.0.0.1', localPort: 8000, state: 'LISTEN' },
      { pid: 4250, local: '127.0.0.1', localPort: 8000, state: 'ESTABLISHED' },
      { pid: 4250, local: '::1', localPort: 8000, state: 'OTHER' },
    ]);
  });

  it('an empty answer (lsof found nothing, or failed) is no socket', () => {
    expect(parseLsof('')).toEqual([]);
    expect(parseLsof("lsof: WARNING: can't stat() nfs file system /net\n")).toEqual([]);
  });

  it('skips a name that has no port (a file set cut short)', () => {
    expect(parseLsof('p7\nf3\ntIPv4\nnlocalhost\n')).toEqual([]);
  });
});
