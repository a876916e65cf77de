/**
 * Every error zmart raises on purpose, with a stable code. Messages name the bad value
 * and where it came from; the CLI maps `exitCode` straight to the process exit status.
 */
export type ZmartErrorCode =
  | 'ZMART_CONFIG_NOT_FOUND'
  | 'ZMART_CONFIG_LOAD'
  | 'ZMART_CONFIG_INVALID'
  | 'ZMART_USAGE'
  | 'ZMART_ALREADY_RUNNING'
  | 'ZMART_NOT_RUNNING'
  | 'ZMART_PLUGIN_INVALID'
  | 'ZMART_BAD_TRANSITION'
  | 'ZMART_START_FAILED'
  | 'ZMART_CONTROL_TIMEOUT'
  | 'ZMART_SUPERVISOR_DIED'
  | 'ZMART_FORBIDDEN'
  | 'ZMART_UNSAFE_PATH'
  | 'ZMART_IMPORT_INVALID';

const EXIT_CODES: Record<ZmartErrorCode, number> = {
  ZMART_CONFIG_NOT_FOUND: 2,
  ZMART_CONFIG_LOAD: 2,
  ZMART_CONFIG_INVALID: 2,
  ZMART_USAGE: 2,
  ZMART_ALREADY_RUNNING: 1,
  ZMART_NOT_RUNNING: 3,
  ZMART_PLUGIN_INVALID: 2,
  ZMART_BAD_TRANSITION: 1,
  ZMART_START_FAILED: 1,
  ZMART_CONTROL_TIMEOUT: 1,
  ZMART_SUPERVISOR_DIED: 1,
  ZMART_FORBIDDEN: 1,
  ZMART_UNSAFE_PATH: 1,
  ZMART_IMPORT_INVALID: 2,
};

export class ZmartError extends Error {
  readonly code: ZmartErrorCode;
  readonly exitCode: number;

  constructor(code: ZmartErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ZmartError';
    this.code = code;
    this.exitCode = EXIT_CODES[code];
  }
}

/** One problem found in a config file: where (key path) and what was expected. */
export interface ConfigIssue {
  path: string;
  message: string;
}

export class ConfigError extends ZmartError {
  readonly file: string;
  readonly issues: ConfigIssue[];

  constructor(file: string, issues: ConfigIssue[]) {
    const lines = issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`);
    super('ZMART_CONFIG_INVALID', `invalid config ${file}:\n${lines.join('\n')}`);
    this.file = file;
    this.issues = issues;
  }
}

export const isZmartError = (error: unknown): error is ZmartError => error instanceof ZmartError;

/** What an error says, whatever was thrown. */
export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));
