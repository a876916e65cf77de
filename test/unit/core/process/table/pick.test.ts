import { describe, expect, it } from 'vitest';
import { pickTable } from '../../../../../core/process/table/pick.js';
import { maxSocketPathBytes, socketPathFor } from '../../../../../core/daemon/registry.js';

describe('picking the process table', () => {
  it('is /proc on Linux and ps + lsof elsewhere', () => {
    expect(pickTable({}, 'linux').name).toBe('linux');
    expect(pickTable({}, 'darwin').name).toBe('portable');
    expect(pickTable({}, 'darwin').startTimeGrainMs).toBe(1000);
  });

  it('ZMART_PROC_BACKEND forces one', () => {
    expect(pickTable({ ZMART_PROC_BACKEND: 'portable' }, 'linux').name).toBe('portable');
    expect(pickTable({ ZMART_PROC_BACKEND: 'linux' }, 'linux').name).toBe('linux');
  });

  it('a bad value, or /proc where there is none, is one line (exit 2)', () => {
    expect(() => pickTable({ ZMART_PROC_BACKEND: 'bsd' }, 'linux')).toThrow(/^ZMART_PROC_BACKEND=bsd: expected linux or portable$/);
    expect(() => pickTable({ ZMART_PROC_BACKEND: 'linux' }, 'darwin')).toThrow(/this machine \(darwin\) has no \/proc/);
    const error = (() => {
      try {
        pickTable({ ZMART_PROC_BACKEND: 'x'.repeat(300) }, 'linux');
      } catch (thrown) {
        return thrown as Error & { exitCode: number };
      }
    })();
    expect(error?.exitCode).toBe(2);
    expect(error?.message.length).toBeLessThan(100);
  });
});

describe('the control socket path', () => {
  it("fits the platform's sun_path: 108 bytes on Linux, 104 on macOS, the NUL included", () => {
    expect(maxSocketPathBytes('linux')).toBe(107);
    expect(maxSocketPathBytes('darwin')).toBe(103);
  });

  it('stays beside the pid files when it fits, and moves to a private temp folder when not', () => {
    const dir = (n: number) => `/${'d'.repeat(n - '/zmart.sock'.length - 1)}`;
    // a path of exactly 105 bytes: fine on Linux, too long on macOS
    expect(socketPathFor(dir(105), '/x/zmart.config.ts', 'linux')).toBe(`${dir(105)}/zmart.sock`);
    expect(Buffer.byteLength(`${dir(105)}/zmart.sock`)).toBe(105);
    const moved = socketPathFor(dir(105), '/x/zmart.config.ts', 'darwin');
    expect(moved).toMatch(/\/zmart-\d+\/[0-9a-f]{16}\.sock$/);
    expect(Buffer.byteLength(moved)).toBeLessThanOrEqual(103);
  });
});
