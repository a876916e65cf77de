import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { loadConfig } from '../../core/config/load.js';
import { ZmartError } from '../../core/errors.js';
import { builtinPlugins } from '../builtins.js';
import { systemdUnits } from '../export/systemd-units.js';
import type { Output } from '../output.js';

/** systemd 254 added RestartSteps and RestartMaxDelaySec (the growing backoff). */
function systemdVersion(): number {
  try {
    return Number(/systemd (\d+)/.exec(execFileSync('systemctl', ['--version'], { encoding: 'utf8' }))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * `zmart export systemd [--out DIR]`: the fleet as files for another supervisor, with a list of
 * what does not carry over. Compose and Kubernetes are not built yet.
 */
export async function exportFleet(options: { target: string; config?: string; out?: string }, out: Output): Promise<number> {
  if (options.target !== 'systemd') {
    throw new ZmartError('ZMART_USAGE', `zmart export ${options.target}: not built yet; 'zmart export systemd' is (compose and kubernetes come next)`);
  }
  const config = await loadConfig({ configPath: options.config, builtins: builtinPlugins });
  const fleet = basename(config.root);
  const dir = resolve(options.out ?? join(config.root, 'zmart-export', 'systemd'));
  const { files, notCarried } = systemdUnits(config, fleet, { modern: systemdVersion() >= 254 });
  mkdirSync(dir, { recursive: true });
  for (const file of files) {
    const path = join(dir, file.name);
    writeFileSync(path, file.content, { mode: file.secret ? 0o600 : 0o644 });
    chmodSync(path, file.secret ? 0o600 : 0o644);
  }
  out.line(`wrote ${files.length} files to ${dir}:`);
  for (const file of files) out.line(`  ${file.name}${file.secret ? ' (owner-only: the environment)' : ''}`);
  out.line(`install: the .service and .target files in /etc/systemd/system, the .env files in /etc/zmart (0600), then`);
  out.line(`  systemctl daemon-reload && systemctl enable --now ${files.at(-1)!.name}`);
  out.line('not carried:');
  for (const line of notCarried) out.line(`  - ${line}`);
  return 0;
}
