import { isZmartError } from '../core/errors.js';
import type { Output } from './output.js';

/** Says what went wrong and returns the exit code: a ZmartError's own, 1 for anything else. */
export function reportError(error: unknown, out: Output): number {
  if (isZmartError(error)) {
    out.error(error.message);
    return error.exitCode;
  }
  out.error(`unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return 1;
}
