import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { readAllStats, descendantsOf } from '../../core/process/proc.js';
import { readTcpSockets, socketInodes } from '../../core/process/sockets.js';
import { systemInfo } from '../../core/system-info.js';
import type { StatusReport } from '../../core/status/types.js';
import { tailLines } from '../../core/logging/tail.js';
import { formatBytes } from './status-text.js';

/** CPU busy share over `sampleMs`, from two reads of /proc/stat. */
async function cpuBusyPercent(sampleMs = 200): Promise<number | null> {
  const read = () => {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = fields[3] + (fields[4] ?? 0);
    return { idle, total: fields.reduce((a, b) => a + b, 0) };
  };
  try {
    const a = read();
    await new Promise((r) => setTimeout(r, sampleMs));
    const b = read();
    const total = b.total - a.total;
    return total > 0 ? Math.round((1000 * (total - (b.idle - a.idle))) / total) / 10 : null;
  } catch {
    return null;
  }
}

export async function resourceLines(report: StatusReport): Promise<string[]> {
  const busy = await cpuBusyPercent();
  const [l1, l5, l15] = loadavg().map((l) => l.toFixed(2));
  const system = systemInfo(report.supervisor);
  const { totalBytes: total, availableBytes: available } = system.memory();
  const lines = ['💻 SYSTEM RESOURCES', '==================', ''];
  lines.push(`CPU: ${busy === null ? '?' : `${busy}%`} busy, load ${l1} ${l5} ${l15} on ${cpus().length} cores`);
  lines.push(`Memory: ${formatBytes(total - available)} used of ${formatBytes(total)} (${formatBytes(available)} available)`);
  const seen = new Set<string>();
  for (const [label, dir] of [
    ['logs', report.supervisor.logDir],
    ['pids', report.supervisor.pidDir],
  ] as const) {
    const disk = system.disk(dir);
    if (!disk) {
      lines.push(`Disk (${label}, ${dir}): not there yet`);
      continue;
    }
    if (seen.has(disk.device)) continue;
    seen.add(disk.device);
    const used = Math.round((100 * (disk.totalBytes - disk.freeBytes)) / disk.totalBytes);
    lines.push(`Disk (${label}, ${dir}): ${formatBytes(disk.freeBytes)} free of ${formatBytes(disk.totalBytes)} (${used}% used)`);
  }
  lines.push('');
  for (const s of report.services) {
    const usage = s.rssBytes === null ? 'not running' : `${formatBytes(s.rssBytes)} RSS, ${s.cpuPercent}% CPU, ${s.processes} process(es)`;
    lines.push(`${s.title}: ${usage}`);
  }
  return lines;
}

export function recentLogLines(report: StatusReport, count = 5): string[] {
  const lines = ['📜 RECENT LOGS', '=============', ''];
  for (const s of report.services) {
    lines.push(`${s.title} (${join(report.supervisor.logDir, `${s.name}.log`)}):`);
    lines.push(...tailLines(join(report.supervisor.logDir, `${s.name}.log`), count).map((l) => `   ${l}`));
    lines.push('');
  }
  return lines;
}

export function connectionLines(report: StatusReport): string[] {
  const lines = ['🔌 CONNECTIONS', '=============', ''];
  const sockets = readTcpSockets();
  const stats = readAllStats();
  for (const s of report.services) {
    if (!s.pid) {
      lines.push(`${s.title}: not running`);
      continue;
    }
    const inodes = new Set<number>();
    for (const pid of [s.pid, ...descendantsOf(s.pid, stats).map((d) => d.pid)]) for (const i of socketInodes(pid)) inodes.add(i);
    const mine = sockets.filter((k) => inodes.has(k.inode));
    const listening = mine.filter((k) => k.state === 'LISTEN').map((k) => `${k.local.includes(':') ? `[${k.local}]` : k.local}:${k.localPort}`);
    const open = mine.filter((k) => k.state === 'ESTABLISHED').length;
    lines.push(`${s.title}: listening on ${listening.join(', ') || 'nothing'}; ${open} open connection(s)`);
    if (s.port && !mine.some((k) => k.state === 'LISTEN' && k.localPort === s.port)) {
      lines.push(`   ⚠️  port ${s.port} is not held by this service`);
    }
  }
  return lines;
}
