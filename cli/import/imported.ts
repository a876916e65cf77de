import { RESERVED_NAMES, SERVICE_NAME } from '../../core/config/schema.js';
import { ZmartError } from '../../core/errors.js';
import type { DeployedFleet } from '../fleet-model/model.js';

export type ImportFormat = 'pm2' | 'supervisord' | 'procfile' | 'compose';

/** What an importer read: the fleet, where each service came from, and what did not carry. */
export interface Imported {
  format: ImportFormat;
  fleet: DeployedFleet;
  /** One line per thing that did not carry (or carried differently), naming the source key. */
  notCarried: string[];
  /** Per service: the source it came from (`[program:web]`, `apps[0] (web)`). */
  origin: Map<string, string>;
}

/** A malformed source: one line, naming the file and where in it (exit 2). */
export class ImportError extends ZmartError {
  constructor(message: string) {
    super('ZMART_IMPORT_INVALID', message);
  }
}

/**
 * Service names as zmart takes them (1 to 64 of letters, digits, `_ . -`, not starting with one
 * of `_ . -`), each distinct: a name that had to change is said in `notes`.
 */
export class ServiceNames {
  private readonly taken = new Set<string>();
  constructor(private readonly notes: string[]) {}

  name(wanted: string, where: string): string {
    let name = wanted
      .replace(/[^A-Za-z0-9_.-]+/g, '-')
      .replace(/^[_.-]+/, '')
      .slice(0, 60);
    if (!SERVICE_NAME.test(name)) name = 'service';
    if (Object.hasOwn(RESERVED_NAMES, name)) name = `${name}-1`;
    for (let n = 2; this.taken.has(name); n += 1) name = `${name.replace(/-\d+$/, '')}-${n}`;
    this.taken.add(name);
    if (name !== wanted) this.notes.push(`${where}: the name ${JSON.stringify(wanted)} is ${name} in zmart`);
    return name;
  }
}
