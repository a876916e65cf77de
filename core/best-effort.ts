/**
 * Runs one file operation that must not stop the work around it (a pid file, a socket, a
 * run entry): a failure is logged with what was being done, and the caller carries on.
 */
export function bestEffort(what: string, fn: () => void, log: (message: string) => void): boolean {
  try {
    fn();
    return true;
  } catch (error) {
    log(`could not ${what}: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  }
}
