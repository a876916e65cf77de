import { readFileSync, statSync, statfsSync } from 'node:fs';
import { freemem, totalmem } from 'node:os';
import type { SystemInfo } from './di/contracts.js';
import { vmStatAvailable } from './vm-stat.js';

/** Memory from /proc/meminfo (MemAvailable: what can be had without swapping) or macOS's vm_stat, disks by statfs. */
export function systemInfo(folders: { logDir: string; pidDir: string }): SystemInfo {
  return {
    folders,
    memory: () => {
      const total = totalmem();
      try {
        const match = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
        if (match) return { totalBytes: total, availableBytes: Number(match[1]) * 1024 };
      } catch {
        /* not Linux */
      }
      const available = process.platform === 'darwin' ? vmStatAvailable() : null;
      return { totalBytes: total, availableBytes: available ?? freemem() };
    },
    disk: (path) => {
      try {
        const fs = statfsSync(path);
        return { totalBytes: fs.blocks * fs.bsize, freeBytes: fs.bavail * fs.bsize, device: String(statSync(path).dev) };
      } catch {
        return null;
      }
    },
  };
}
