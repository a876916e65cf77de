import type { SystemInfo } from '../di/contracts.js';

/** A machine for plugin tests: set `availableBytes` and `disks[path]` as the test needs. */
export class FakeSystem implements SystemInfo {
  totalBytes = 8 * 1024 ** 3;
  availableBytes = 4 * 1024 ** 3;
  /** By folder; folders not set share one roomy disk. */
  readonly disks = new Map<string, { totalBytes: number; freeBytes: number; device: string }>();
  readonly folders = { logDir: '/srv/app/logs', pidDir: '/srv/app/server_pids' };

  memory() {
    return { totalBytes: this.totalBytes, availableBytes: this.availableBytes };
  }

  disk(path: string) {
    return this.disks.get(path) ?? { totalBytes: 100 * 1024 ** 3, freeBytes: 50 * 1024 ** 3, device: 'root' };
  }
}
