import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { loadConfig } from '../../core/config/load.js';
import { ZmartError } from '../../core/errors.js';
import { errorText } from '../../core/errors.js';
import { builtinPlugins } from '../builtins.js';
import { commentText, configText } from '../fleet-model/to-config.js';
import { readCompose } from '../import/compose.js';
import { detectFormat } from '../import/detect.js';
import type { Imported } from '../import/imported.js';
import { loadEcosystem } from '../import/pm2-load.js';
import { readPm2 } from '../import/pm2-ecosystem.js';
import { readProcfile } from '../import/procfile.js';
import { readSource } from '../import/read-source.js';
import { readSupervisord } from '../import/supervisord.js';
import type { Output } from '../output.js';

const PROGRAMS = { pm2: 'PM2 ecosystem', supervisord: 'supervisord', procfile: 'Procfile (foreman)', compose: 'Compose' };

/** Reads any of the four formats into the fleet model. */
export async function readFleet(file: string): Promise<Imported> {
  const text = readSource(file);
  const format = detectFormat(file, text);
  if (format === 'pm2') return readPm2(file, await loadEcosystem(file, text));
  if (format === 'supervisord') return readSupervisord(file, text);
  if (format === 'procfile') return readProcfile(file, text, process.env);
  return readCompose(file, text, process.env);
}

/**
 * `zmart import FILE [--out zmart.config.ts] [--force]`: a PM2, supervisord, Procfile or Compose
 * fleet as a typed, commented zmart config, and what did not carry, one line each. The config
 * is then loaded as `zmart start` would load it: one that does not load here (a user or an env
 * file this machine lacks) is said, exit 1.
 */
export async function importFleet(options: { file: string; out?: string; force?: boolean }, out: Output): Promise<number> {
  const file = resolve(options.file);
  const target = resolve(options.out ?? 'zmart.config.ts');
  if (existsSync(target) && !options.force) throw new ZmartError('ZMART_USAGE', `${target} exists: pass --force to replace it`);
  const imported = await readFleet(file);
  const { fleet, notCarried, origin } = imported;
  const byService = new Map(fleet.services.map((s) => [s.name, [`from ${origin.get(s.name) ?? 'the source'}`]]));
  const header = [
    `Imported by zmart import from ${relative(dirname(target), file) || basename(file)} (${PROGRAMS[imported.format]}).`,
    'Each service below runs what the source ran; what did not carry is listed at the end of the file and was printed by the import.',
  ];
  const secret = fleet.services.some((s) => Object.keys(s.env.secret).length > 0);
  const text = `${configText(fleet, dirname(target), { header, byService })}${notCarried.map((line) => `// not carried: ${commentText(line)}\n`).join('')}`;
  // written beside the target, then moved over it: never a half-written config
  mkdirSync(dirname(target), { recursive: true });
  const temp = join(dirname(target), `.zmart-import-${process.pid}.config.ts`);
  const mode = secret ? 0o600 : 0o644;
  try {
    writeFileSync(temp, text, { mode });
    chmodSync(temp, mode);
    renameSync(temp, target);
  } finally {
    rmSync(temp, { force: true });
  }
  out.line(
    `imported ${fleet.services.length} service${fleet.services.length === 1 ? '' : 's'} from ${file} (${PROGRAMS[imported.format]}): ${fleet.services.map((s) => s.name).join(', ')}`,
  );
  out.line(`wrote ${target}${secret ? ' (owner-only: it holds secret-looking values the source held)' : ''}`);
  if (notCarried.length > 0) {
    out.line('not carried:');
    for (const line of notCarried) out.line(`  - ${commentText(line)}`); // a source's control characters never reach the terminal
  }
  try {
    await loadConfig({ configPath: target, builtins: builtinPlugins });
  } catch (error) {
    out.line(`it does not load on this machine yet: ${errorText(error)}`);
    return 1;
  }
  out.line(`start it: zmart start --config ${target}`);
  return 0;
}
