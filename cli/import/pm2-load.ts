import { dirname } from 'node:path';
import { ImportError } from './imported.js';

/** An ecosystem file is a program: PM2 runs it to read it, and so does this, apart and with a deadline: ZMART_CONFIG_TIMEOUT seconds (10 by default), as for a zmart config. */
function loadLimitMs(): number {
  const seconds = Number(process.env.ZMART_CONFIG_TIMEOUT);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 10_000;
}

const LOADER = `
import { pathToFileURL } from 'node:url';
const loaded = await import(pathToFileURL(process.argv[1]).href);
process.stdout.write(JSON.stringify(loaded.default ?? loaded));
`;

/**
 * What a PM2 ecosystem file exports. JSON is parsed; JavaScript runs in a child Node (as PM2's
 * own `require` would run it, in the file's folder), killed past its deadline: a file
 * that loops or waits forever is one clear line, not a hung import.
 */
export async function loadEcosystem(file: string, text: string): Promise<unknown> {
  if (file.endsWith('.json')) {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new ImportError(`${file}: not JSON: ${(error as Error).message}`);
    }
  }
  const { execa } = await import('execa');
  const limit = loadLimitMs();
  const run = await execa(process.execPath, ['--input-type=module', '-e', LOADER, file], {
    cwd: dirname(file),
    timeout: limit,
    maxBuffer: 4 * 1024 * 1024,
    stdin: 'ignore',
    reject: false,
  });
  if (run.timedOut) throw new ImportError(`${file}: did not finish loading within ${limit / 1000}s (ZMART_CONFIG_TIMEOUT)`);
  if (run.exitCode !== 0) {
    const reason = run.stderr.split('\n').find((line) => /Error|error:/.test(line)) ?? run.stderr.split('\n')[0] ?? `exit ${run.exitCode}`;
    throw new ImportError(`${file}: does not load: ${reason.trim()}`);
  }
  try {
    return JSON.parse(run.stdout);
  } catch {
    throw new ImportError(`${file}: its export is not data PM2 could read`);
  }
}
