import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseEnv } from 'node:util';
import { newService } from '../fleet-model/defaults.js';
import { ImportError, type Imported, ServiceNames } from './imported.js';
import { readSource } from './read-source.js';

/** foreman's first port (unless PORT says another), and the step between process types. */
const BASE_PORT = 5000;
const PORT_STEP = 100;

/**
 * A Procfile as foreman runs it: each `name: command` line a service, its command through
 * /bin/sh, in the Procfile's folder, with the `.env` beside it and `PORT` = 5000, 5100, ... in
 * the order of the lines (foreman's rule: the first port is PORT from the .env, else from this
 * shell, else 5000).
 */
export function readProcfile(file: string, text: string, shellEnv: Record<string, string | undefined>): Imported {
  const root = dirname(file);
  const notCarried: string[] = [];
  const names = new ServiceNames(notCarried);
  const origin = new Map<string, string>();
  const dotenv = join(root, '.env');
  const envFiles = existsSync(dotenv) ? [dotenv] : [];
  const given = envFiles.length > 0 ? parseEnv(readSource(dotenv)).PORT : undefined;
  const base = Number(given ?? shellEnv.PORT ?? BASE_PORT);
  if (!Number.isInteger(base) || base < 1 || base > 65535)
    throw new ImportError(`${file}: PORT ${given ?? shellEnv.PORT} is not a port: foreman's first port comes from it`);
  const services = [];
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) continue;
    const line = /^([A-Za-z0-9_-]+):\s*(.+)$/.exec(raw);
    if (!line) throw new ImportError(`${file}:${index + 1}: expected "name: command", got ${JSON.stringify(raw.slice(0, 60))}`);
    const name = names.name(line[1]!, `${basename(file)}:${index + 1}`);
    const service = newService(name, line[2]!.trim(), root);
    service.port = base + PORT_STEP * services.length;
    if (service.port > 65535) throw new ImportError(`${file}:${index + 1}: foreman would give ${line[1]} port ${service.port}, past 65535`);
    service.envFiles = envFiles;
    origin.set(name, `${basename(file)} line ${index + 1} (${line[1]}), PORT ${service.port} as foreman gives it`);
    services.push(service);
  }
  if (services.length === 0) throw new ImportError(`${file}: no "name: command" line: not a Procfile`);
  notCarried.push('foreman restarts nothing: zmart restarts each process when it ends (restart.policy always); set never where that is wrong');
  return { format: 'procfile', fleet: { name: basename(root), root, source: file, services, plugins: [] }, notCarried, origin };
}
