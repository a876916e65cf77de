import { existsSync } from 'node:fs';
import type { ProcessTable } from '../../di/contracts.js';
import { ZmartError } from '../../errors.js';
import { createLinuxTable } from './linux/index.js';
import { portableTable } from './portable/index.js';

const BACKENDS = ['linux', 'portable'] as const;

/**
 * The process table for this platform: /proc on Linux, `ps` and `lsof` elsewhere (macOS).
 * ZMART_PROC_BACKEND=portable forces ps and lsof (how the portable one is tested on Linux);
 * `linux` forces /proc. A bad value, or a backend the machine cannot serve, is a usage error.
 */
export function pickTable(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): ProcessTable {
  const forced = env.ZMART_PROC_BACKEND?.trim() || undefined;
  if (forced !== undefined && !(BACKENDS as readonly string[]).includes(forced)) {
    throw new ZmartError('ZMART_USAGE', `ZMART_PROC_BACKEND=${forced.slice(0, 40)}: expected linux or portable`);
  }
  const name = forced ?? (platform === 'linux' ? 'linux' : 'portable');
  if (name === 'linux') {
    if (platform !== 'linux' || !existsSync('/proc/self/stat')) {
      throw new ZmartError('ZMART_USAGE', `ZMART_PROC_BACKEND=linux: this machine (${platform}) has no /proc: unset it or use portable`);
    }
    return createLinuxTable();
  }
  const ps = ['/bin/ps', '/usr/bin/ps'].find((p) => existsSync(p));
  if (!ps) throw new ZmartError('ZMART_USAGE', 'the portable process backend needs ps, found in neither /bin nor /usr/bin');
  const lsof = ['/usr/sbin/lsof', '/usr/bin/lsof', '/sbin/lsof', '/bin/lsof'].find((p) => existsSync(p)) ?? null;
  return portableTable({ ps, lsof, envFlag: platform === 'linux' ? 'e' : '-E' });
}
