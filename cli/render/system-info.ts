import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { descendantsOf } from '../../core/process/proc.js';
import { pickTable } from '../../core/process/table/pick.js';
import { systemInfo } from '../../core/system-info.js';
import type { StatusReport } from '../../core/status/types.js';
import { tailLines } from '../../core/logging/tail.js';
import { formatBytes } from './status-text.js';

/** CPU busy share over `sampleMs`, from two readings of every core's times (os.cpus: Linux and macOS). */
async function cpuBusyPercent(sampleMs = 200): Promise<number | null> {
  const read = () => {
    let idle = 0;
    let total = 0;
    for (const { times } of cpus()) {
      idle += times.idle;
      total += times.user + times.nice + times.sys + times.irq + times.idle;
    }
    return { idle, total };
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
  const table = pickTable();
  const stats = table.all();
  for (const s of report.services) {
    if (!s.pid) {
      lines.push(`${s.title}: not running`);
      continue;
    }
    const mine = table.sockets([s.pid, ...descendantsOf(s.pid, stats).map((d) => d.pid)]);
    if (mine === null) {
      lines.push(`${s.title}: cannot tell on this machine (no /proc/net, no lsof)`);
      continue;
    }
    const listening = mine.filter((k) => k.state === 'LISTEN').map((k) => `${k.local.includes(':') ? `[${k.local}]` : k.local}:${k.localPort}`);
    const open = mine.filter((k) => k.state === 'ESTABLISHED').length;
    lines.push(`${s.title}: listening on ${listening.join(', ') || 'nothing'}; ${open} open connection(s)`);
    if (s.port && !mine.some((k) => k.state === 'LISTEN' && k.localPort === s.port)) {
      lines.push(`   ⚠️  port ${s.port} is not held by this service`);
    }
  }
  return lines;
}
