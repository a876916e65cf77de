import { readTextFile } from '../../core/config/text-file.js';
import { ImportError } from './imported.js';

/** Larger than any real PM2, supervisord, Procfile or Compose file. */
const MAX_BYTES = 4 * 1024 * 1024;

/** A source file's text: a regular text file of at most 4 MB, or one line naming it. */
export function readSource(file: string): string {
  const read = readTextFile(file, MAX_BYTES);
  if ('problem' in read) throw new ImportError(`${file} ${read.problem}`);
  return read.text;
}
