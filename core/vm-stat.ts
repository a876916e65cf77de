import { spawnSync } from 'node:child_process';

/**
 * Available memory on macOS from `vm_stat`: free plus inactive pages (what psutil calls
 * available there). os.freemem() counts only the free pages, which macOS keeps few of (its
 * file cache is inactive memory, given back on demand), so a floor on it would alert on
 * every Mac. Null when the output is not vm_stat's.
 */
export function parseVmStat(text: string): number | null {
  const pageSize = /page size of (\d+) bytes/.exec(text);
  const pages = (name: string) => {
    const match = new RegExp(`^Pages ${name}:\\s+(\\d+)\\.?$`, 'm').exec(text);
    return match ? Number(match[1]) : null;
  };
  const free = pages('free');
  const inactive = pages('inactive');
  if (!pageSize || free === null || inactive === null) return null;
  return (free + inactive) * Number(pageSize[1]);
}

/** Runs /usr/bin/vm_stat (by its path, never from PATH) and reads it; null when it cannot. */
export function vmStatAvailable(): number | null {
  const result = spawnSync('/usr/bin/vm_stat', [], { encoding: 'utf8', timeout: 2000, env: { LC_ALL: 'C' } });
  return result.status === 0 && typeof result.stdout === 'string' ? parseVmStat(result.stdout) : null;
}
